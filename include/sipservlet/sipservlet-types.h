/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - forward declarations of every public opaque type.
 *
 * Every type is opaque and reference counted (_ref/_unref, atomic), except
 * SipLocationBinding, a plain structure (_copy/_free). Objects passed to a
 * callback are borrowed for the duration of the call: _ref() one to keep
 * it. Each is also a boxed GType (SIPSERVLET_TYPE_*, for GObject
 * Introspection, GValue and signals) and works with g_autoptr().
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib-object.h>
#include <sipservlet/sipservlet-visibility.h>

G_BEGIN_DECLS

/**
 * SipContainer:
 *
 * The SIP servlet container: a SIP stack in a GMainContext, its listening
 * points, sessions and servlets (sipservlet-container.h).
 */
typedef struct _SipContainer SipContainer;
/**
 * SipServlet:
 *
 * A servlet: a table of request and response handlers with its user data
 * (sipservlet-servlet.h).
 */
typedef struct _SipServlet SipServlet;
/**
 * SipServletMessage:
 *
 * What requests and responses share: headers, body, attributes, session
 * (sipservlet-message.h). Reach it with SIPSERVLET_MESSAGE().
 */
typedef struct _SipServletMessage SipServletMessage;
/**
 * SipServletRequest:
 *
 * A SIP request, received or to send (JSR 289 SipServletRequest).
 */
typedef struct _SipServletRequest SipServletRequest;
/**
 * SipServletResponse:
 *
 * A SIP response, received or to send (JSR 289 SipServletResponse).
 */
typedef struct _SipServletResponse SipServletResponse;
/**
 * SipSession:
 *
 * A SIP session: one dialog, or one transaction outside a dialog, of an
 * application session (JSR 289 SipSession).
 */
typedef struct _SipSession SipSession;
/**
 * SipApplicationSession:
 *
 * An application session: the sessions and timers of one application
 * instance, with its attributes and expiry (JSR 289
 * SipApplicationSession).
 */
typedef struct _SipApplicationSession SipApplicationSession;
/**
 * SipServletTimer:
 *
 * A timer of an application session (JSR 289 ServletTimer).
 */
typedef struct _SipServletTimer SipServletTimer;
/**
 * SipFactory:
 *
 * Creates URIs, addresses, application sessions and requests; one per
 * container (JSR 289 SipFactory).
 */
typedef struct _SipFactory SipFactory;
/**
 * SipURI:
 *
 * A sip:, sips: or tel: URI (JSR 289 URI, SipURI, TelURL).
 */
typedef struct _SipURI SipURI;
/**
 * SipAddress:
 *
 * A name-addr: display name, URI and header parameters (JSR 289 Address).
 */
typedef struct _SipAddress SipAddress;
/**
 * SipParameterable:
 *
 * A header value with parameters (JSR 289 Parameterable).
 */
typedef struct _SipParameterable SipParameterable;
/**
 * SipLocationService:
 *
 * The registrar's location service: bindings of addresses of record to
 * contacts (sipservlet-location.h).
 */
typedef struct _SipLocationService SipLocationService;
/**
 * SipLocationStore:
 *
 * Where a location service keeps its bindings: in memory, or a store of
 * the host's.
 */
typedef struct _SipLocationStore SipLocationStore;
/**
 * SipProxy:
 *
 * The proxy of an incoming request: its targets, branches and settings
 * (JSR 289 Proxy).
 */
typedef struct _SipProxy SipProxy;
/**
 * SipProxyBranch:
 *
 * One branch of a proxy: a target and its client transaction (JSR 289
 * ProxyBranch).
 */
typedef struct _SipProxyBranch SipProxyBranch;
/**
 * SipB2buaHelper:
 *
 * Creates and links the two legs of a back-to-back user agent (JSR 289
 * B2buaHelper).
 */
typedef struct _SipB2buaHelper SipB2buaHelper;
/**
 * SipAuthInfo:
 *
 * Usernames and passwords per realm, to answer digest challenges
 * (JSR 289 AuthInfo, sipservlet-auth.h).
 */
typedef struct _SipAuthInfo SipAuthInfo;
/**
 * SipCredentialStore:
 *
 * Where the container finds the HA1 hashes of its users' passwords, to
 * check their digest credentials (sipservlet-security.h).
 */
typedef struct _SipCredentialStore SipCredentialStore;
typedef struct _SipLocationBinding SipLocationBinding;
/**
 * SipApplication:
 *
 * A named set of servlets deployed on a container, the unit the
 * application router composes (sipservlet-application.h).
 */
typedef struct _SipApplication SipApplication;
/**
 * SipPattern:
 *
 * A servlet mapping condition on an initial request (JSR 289 §16.2,
 * sipservlet-pattern.h).
 */
typedef struct _SipPattern SipPattern;

/* Boxed GTypes: copying takes a reference, freeing drops it (a
 * SipLocationBinding is copied and freed). */

/**
 * sipservlet_container_get_type:
 *
 * Returns: the boxed #GType of #SipContainer, also written %SIPSERVLET_TYPE_CONTAINER.
 */
#define SIPSERVLET_TYPE_CONTAINER (sipservlet_container_get_type ())
SIPSERVLET_API GType sipservlet_container_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_servlet_get_type:
 *
 * Returns: the boxed #GType of #SipServlet, also written %SIPSERVLET_TYPE_SERVLET.
 */
#define SIPSERVLET_TYPE_SERVLET (sipservlet_servlet_get_type ())
SIPSERVLET_API GType sipservlet_servlet_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_message_get_type:
 *
 * Returns: the boxed #GType of #SipServletMessage, also written %SIPSERVLET_TYPE_MESSAGE.
 */
#define SIPSERVLET_TYPE_MESSAGE (sipservlet_message_get_type ())
SIPSERVLET_API GType sipservlet_message_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_request_get_type:
 *
 * Returns: the boxed #GType of #SipServletRequest, also written %SIPSERVLET_TYPE_REQUEST.
 */
#define SIPSERVLET_TYPE_REQUEST (sipservlet_request_get_type ())
SIPSERVLET_API GType sipservlet_request_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_response_get_type:
 *
 * Returns: the boxed #GType of #SipServletResponse, also written %SIPSERVLET_TYPE_RESPONSE.
 */
#define SIPSERVLET_TYPE_RESPONSE (sipservlet_response_get_type ())
SIPSERVLET_API GType sipservlet_response_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_session_get_type:
 *
 * Returns: the boxed #GType of #SipSession, also written %SIPSERVLET_TYPE_SESSION.
 */
#define SIPSERVLET_TYPE_SESSION (sipservlet_session_get_type ())
SIPSERVLET_API GType sipservlet_session_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_application_session_get_type:
 *
 * Returns: the boxed #GType of #SipApplicationSession, also written %SIPSERVLET_TYPE_APPLICATION_SESSION.
 */
#define SIPSERVLET_TYPE_APPLICATION_SESSION (sipservlet_application_session_get_type ())
SIPSERVLET_API GType sipservlet_application_session_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_timer_get_type:
 *
 * Returns: the boxed #GType of #SipServletTimer, also written %SIPSERVLET_TYPE_TIMER.
 */
#define SIPSERVLET_TYPE_TIMER (sipservlet_timer_get_type ())
SIPSERVLET_API GType sipservlet_timer_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_factory_get_type:
 *
 * Returns: the boxed #GType of #SipFactory, also written %SIPSERVLET_TYPE_FACTORY.
 */
#define SIPSERVLET_TYPE_FACTORY (sipservlet_factory_get_type ())
SIPSERVLET_API GType sipservlet_factory_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_uri_get_type:
 *
 * Returns: the boxed #GType of #SipURI, also written %SIPSERVLET_TYPE_URI.
 */
#define SIPSERVLET_TYPE_URI (sipservlet_uri_get_type ())
SIPSERVLET_API GType sipservlet_uri_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_address_get_type:
 *
 * Returns: the boxed #GType of #SipAddress, also written %SIPSERVLET_TYPE_ADDRESS.
 */
#define SIPSERVLET_TYPE_ADDRESS (sipservlet_address_get_type ())
SIPSERVLET_API GType sipservlet_address_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_parameterable_get_type:
 *
 * Returns: the boxed #GType of #SipParameterable, also written %SIPSERVLET_TYPE_PARAMETERABLE.
 */
#define SIPSERVLET_TYPE_PARAMETERABLE (sipservlet_parameterable_get_type ())
SIPSERVLET_API GType sipservlet_parameterable_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_location_service_get_type:
 *
 * Returns: the boxed #GType of #SipLocationService, also written %SIPSERVLET_TYPE_LOCATION_SERVICE.
 */
#define SIPSERVLET_TYPE_LOCATION_SERVICE (sipservlet_location_service_get_type ())
SIPSERVLET_API GType sipservlet_location_service_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_location_store_get_type:
 *
 * Returns: the boxed #GType of #SipLocationStore, also written %SIPSERVLET_TYPE_LOCATION_STORE.
 */
#define SIPSERVLET_TYPE_LOCATION_STORE (sipservlet_location_store_get_type ())
SIPSERVLET_API GType sipservlet_location_store_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_location_binding_get_type:
 *
 * Returns: the boxed #GType of #SipLocationBinding, also written %SIPSERVLET_TYPE_LOCATION_BINDING.
 */
#define SIPSERVLET_TYPE_LOCATION_BINDING (sipservlet_location_binding_get_type ())
SIPSERVLET_API GType sipservlet_location_binding_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_auth_info_get_type:
 *
 * Returns: the boxed #GType of #SipAuthInfo, also written %SIPSERVLET_TYPE_AUTH_INFO.
 */
#define SIPSERVLET_TYPE_AUTH_INFO (sipservlet_auth_info_get_type ())
SIPSERVLET_API GType sipservlet_auth_info_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_credential_store_get_type:
 *
 * Returns: the boxed #GType of #SipCredentialStore, also written
 *   %SIPSERVLET_TYPE_CREDENTIAL_STORE.
 */
#define SIPSERVLET_TYPE_CREDENTIAL_STORE (sipservlet_credential_store_get_type ())
SIPSERVLET_API GType sipservlet_credential_store_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_proxy_get_type:
 *
 * Returns: the boxed #GType of #SipProxy, also written %SIPSERVLET_TYPE_PROXY.
 */
#define SIPSERVLET_TYPE_PROXY (sipservlet_proxy_get_type ())
SIPSERVLET_API GType sipservlet_proxy_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_proxy_branch_get_type:
 *
 * Returns: the boxed #GType of #SipProxyBranch, also written %SIPSERVLET_TYPE_PROXY_BRANCH.
 */
#define SIPSERVLET_TYPE_PROXY_BRANCH (sipservlet_proxy_branch_get_type ())
SIPSERVLET_API GType sipservlet_proxy_branch_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_b2bua_get_type:
 *
 * Returns: the boxed #GType of #SipB2buaHelper, also written %SIPSERVLET_TYPE_B2BUA_HELPER.
 */
#define SIPSERVLET_TYPE_B2BUA_HELPER (sipservlet_b2bua_get_type ())
SIPSERVLET_API GType sipservlet_b2bua_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_application_get_type:
 *
 * Returns: the boxed #GType of #SipApplication, also written %SIPSERVLET_TYPE_APPLICATION.
 */
#define SIPSERVLET_TYPE_APPLICATION (sipservlet_application_get_type ())
SIPSERVLET_API GType sipservlet_application_get_type (void) G_GNUC_CONST;

/**
 * sipservlet_pattern_get_type:
 *
 * Returns: the boxed #GType of #SipPattern, also written %SIPSERVLET_TYPE_PATTERN.
 */
#define SIPSERVLET_TYPE_PATTERN (sipservlet_pattern_get_type ())
SIPSERVLET_API GType sipservlet_pattern_get_type (void) G_GNUC_CONST;

G_END_DECLS
