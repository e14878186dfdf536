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

typedef struct _SipContainer SipContainer;
typedef struct _SipServlet SipServlet;
typedef struct _SipServletMessage SipServletMessage;
typedef struct _SipServletRequest SipServletRequest;
typedef struct _SipServletResponse SipServletResponse;
typedef struct _SipSession SipSession;
typedef struct _SipApplicationSession SipApplicationSession;
typedef struct _SipServletTimer SipServletTimer;
typedef struct _SipFactory SipFactory;
typedef struct _SipURI SipURI;
typedef struct _SipAddress SipAddress;
typedef struct _SipParameterable SipParameterable;
typedef struct _SipLocationService SipLocationService;
typedef struct _SipLocationStore SipLocationStore;
typedef struct _SipProxy SipProxy;
typedef struct _SipProxyBranch SipProxyBranch;
typedef struct _SipB2buaHelper SipB2buaHelper;
typedef struct _SipLocationBinding SipLocationBinding;

/* Boxed GTypes: copying takes a reference, freeing drops it. */
#define SIPSERVLET_TYPE_CONTAINER (sipservlet_container_get_type ())
SIPSERVLET_API GType sipservlet_container_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_SERVLET (sipservlet_servlet_get_type ())
SIPSERVLET_API GType sipservlet_servlet_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_MESSAGE (sipservlet_message_get_type ())
SIPSERVLET_API GType sipservlet_message_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_REQUEST (sipservlet_request_get_type ())
SIPSERVLET_API GType sipservlet_request_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_RESPONSE (sipservlet_response_get_type ())
SIPSERVLET_API GType sipservlet_response_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_SESSION (sipservlet_session_get_type ())
SIPSERVLET_API GType sipservlet_session_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_APPLICATION_SESSION (sipservlet_application_session_get_type ())
SIPSERVLET_API GType sipservlet_application_session_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_TIMER (sipservlet_timer_get_type ())
SIPSERVLET_API GType sipservlet_timer_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_FACTORY (sipservlet_factory_get_type ())
SIPSERVLET_API GType sipservlet_factory_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_URI (sipservlet_uri_get_type ())
SIPSERVLET_API GType sipservlet_uri_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_ADDRESS (sipservlet_address_get_type ())
SIPSERVLET_API GType sipservlet_address_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_PARAMETERABLE (sipservlet_parameterable_get_type ())
SIPSERVLET_API GType sipservlet_parameterable_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_LOCATION_SERVICE (sipservlet_location_service_get_type ())
SIPSERVLET_API GType sipservlet_location_service_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_LOCATION_STORE (sipservlet_location_store_get_type ())
SIPSERVLET_API GType sipservlet_location_store_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_LOCATION_BINDING (sipservlet_location_binding_get_type ())
SIPSERVLET_API GType sipservlet_location_binding_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_PROXY (sipservlet_proxy_get_type ())
SIPSERVLET_API GType sipservlet_proxy_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_PROXY_BRANCH (sipservlet_proxy_branch_get_type ())
SIPSERVLET_API GType sipservlet_proxy_branch_get_type (void) G_GNUC_CONST;
#define SIPSERVLET_TYPE_B2BUA_HELPER (sipservlet_b2bua_get_type ())
SIPSERVLET_API GType sipservlet_b2bua_get_type (void) G_GNUC_CONST;

G_END_DECLS
