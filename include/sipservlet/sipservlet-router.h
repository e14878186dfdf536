/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the application router (JSR 289 chapter 15): which
 * deployed application gets an initial request next.
 *
 * For every initial request, the container asks its router for the next
 * application: first when the request arrives from the network (directive
 * %SIPSERVLET_ROUTING_NEW), then each time an application sends it on, as
 * a proxy (%SIPSERVLET_ROUTING_CONTINUE) or as a new request of its own
 * (the directive the application set, NEW by default). The router answers
 * with an application name (or none), the subscriber URI and routing
 * region the application serves, routes with a modifier, and state that
 * comes back to it with the next question about the same request. When it
 * names no further application, the request leaves the container.
 *
 * The default router (sipservlet_container_set_dar_file()) reads the
 * Default Application Router format of JSR 289 Appendix C. A host may set
 * a router of its own with sipservlet_container_set_application_router().
 * Without any router, initial requests go to the implicit application
 * (sipservlet-application.h), as before applications existed.
 *
 * Threading: the router is called on the container's thread only.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * SipRoutingRegion:
 * @SIPSERVLET_REGION_NEUTRAL: neither (also: not set)
 * @SIPSERVLET_REGION_ORIGINATING: the application serves the caller (the
 *   subscriber is the From)
 * @SIPSERVLET_REGION_TERMINATING: the application serves the callee (the
 *   subscriber is the Request-URI or To)
 *
 * The routing region of an application in a request's path (JSR 289
 * SipApplicationRoutingRegionType).
 */
typedef enum {
  SIPSERVLET_REGION_NEUTRAL = 0,
  SIPSERVLET_REGION_ORIGINATING,
  SIPSERVLET_REGION_TERMINATING,
} SipRoutingRegion;

/**
 * SipRoutingDirective:
 * @SIPSERVLET_ROUTING_NEW: a new request: the router starts over
 * @SIPSERVLET_ROUTING_CONTINUE: continues the request it was made from:
 *   the router goes on from where that one was
 * @SIPSERVLET_ROUTING_REVERSE: continues it in the other region
 *   (originating becomes terminating and the other way round)
 *
 * How a request an application sends relates to the one it received
 * (JSR 289 SipApplicationRoutingDirective). A proxied request always
 * continues.
 */
typedef enum {
  SIPSERVLET_ROUTING_NEW = 0,
  SIPSERVLET_ROUTING_CONTINUE,
  SIPSERVLET_ROUTING_REVERSE,
} SipRoutingDirective;

/**
 * SipRouteModifier:
 * @SIPSERVLET_ROUTE_NO_ROUTE: ignore the routes
 * @SIPSERVLET_ROUTE_ROUTE: the routes are pushed onto the request, which
 *   then leaves the container towards the first one; when the first names
 *   this container, it is taken as the popped route of the application
 *   instead and the others are ignored
 * @SIPSERVLET_ROUTE_ROUTE_BACK: as ROUTE, after a route back to this
 *   container, so that the request comes back to the router afterwards
 *
 * What the container does with the routes the router returned (JSR 289
 * SipRouteModifier).
 */
typedef enum {
  SIPSERVLET_ROUTE_NO_ROUTE = 0,
  SIPSERVLET_ROUTE_ROUTE,
  SIPSERVLET_ROUTE_ROUTE_BACK,
} SipRouteModifier;

/**
 * SipTargetedRequestType:
 * @SIPSERVLET_TARGETED_NONE: not targeted
 * @SIPSERVLET_TARGETED_ENCODED_URI: its Request-URI or Route came from
 *   sipservlet_application_session_encode_uri()
 * @SIPSERVLET_TARGETED_JOIN: its Join header names a session (RFC 3911)
 * @SIPSERVLET_TARGETED_REPLACES: its Replaces header names a session
 *   (RFC 3891)
 *
 * Why an initial request is meant for a particular application session
 * (JSR 289 SipTargetedRequestType).
 */
typedef enum {
  SIPSERVLET_TARGETED_NONE = 0,
  SIPSERVLET_TARGETED_ENCODED_URI,
  SIPSERVLET_TARGETED_JOIN,
  SIPSERVLET_TARGETED_REPLACES,
} SipTargetedRequestType;

/**
 * SipRouterInfo:
 *
 * The router's answer, filled with the setters below inside
 * #SipApplicationRouterFuncs.get_next_application. Empty, it means "no
 * further application".
 */
typedef struct _SipRouterInfo SipRouterInfo;

/**
 * SipApplicationRouterFuncs:
 * @struct_size: set with %SIPSERVLET_APPLICATION_ROUTER_INIT
 * @init: (nullable): called once when the router is set, with the names of
 *   the applications deployed at that moment; %FALSE with an error refuses
 *   the router
 * @application_deployed: (nullable): applications were deployed
 * @application_undeployed: (nullable): applications were undeployed
 * @get_next_application: chooses the next application for @request (an
 *   initial request; read it, do not change it). @region is the region of
 *   the application that sent it on (NEUTRAL for a request from outside),
 *   @directive how it relates to the request it came from, @targeted the
 *   application a targeted request is meant for (%NULL otherwise) and
 *   @targeted_type why, @state what this router put in the #SipRouterInfo
 *   of the previous step (%NULL on the first). Fill @info, or leave it
 *   empty for none. %FALSE with an error answers the request 500 and logs
 *   the error
 * @reload: (nullable): re-reads the router's configuration
 *   (sipservlet_container_reload_application_router()); on error the old
 *   one stays
 *
 * An application router (JSR 289 SipApplicationRouter). Members are
 * appended only; the table is copied.
 */
typedef struct {
  gsize struct_size;
  gboolean (*init) (const char *const *applications, gpointer user_data, GError **error);
  void (*application_deployed) (const char *const *applications, gpointer user_data);
  void (*application_undeployed) (const char *const *applications, gpointer user_data);
  gboolean (*get_next_application) (SipServletRequest *request, SipRoutingRegion region,
                                    SipRoutingDirective directive,
                                    SipTargetedRequestType targeted_type, const char *targeted,
                                    GVariant *state, SipRouterInfo *info, gpointer user_data,
                                    GError **error);
  gboolean (*reload) (gpointer user_data, GError **error);
} SipApplicationRouterFuncs;

/**
 * SIPSERVLET_APPLICATION_ROUTER_INIT:
 * First initialiser of a #SipApplicationRouterFuncs: sets struct_size.
 */
#define SIPSERVLET_APPLICATION_ROUTER_INIT .struct_size = sizeof (SipApplicationRouterFuncs)

/**
 * sipservlet_router_info_set_application:
 * @info: the answer being filled
 * @name: the next application's name
 * @subscriber_uri: (nullable): the URI of the subscriber it serves
 * @region: its region
 *
 * Names the next application.
 */
SIPSERVLET_API void sipservlet_router_info_set_application (SipRouterInfo *info,
                                                            const char *name,
                                                            const char *subscriber_uri,
                                                            SipRoutingRegion region);

/**
 * sipservlet_router_info_set_routes:
 * @info: the answer being filled
 * @routes: (array zero-terminated=1) (nullable): route URIs or addresses,
 *   first hop first
 * @modifier: what to do with them
 *
 * Sets routes (JSR 289 §15.4.1 step 5).
 */
SIPSERVLET_API void sipservlet_router_info_set_routes (SipRouterInfo *info,
                                                       const char *const *routes,
                                                       SipRouteModifier modifier);

/**
 * sipservlet_router_info_set_state:
 * @info: the answer being filled
 * @state: (nullable): state given back to the router with the next
 *   question about this request (a floating reference is sunk); a
 *   #GVariant so that it can be stored and sent elsewhere
 *
 * Sets the router's state for this request.
 */
SIPSERVLET_API void sipservlet_router_info_set_state (SipRouterInfo *info, GVariant *state);

/**
 * sipservlet_container_set_application_router:
 * @container: a container
 * @funcs: the router (copied)
 * @user_data: data for its functions
 * @destroy: (nullable): frees @user_data when the router is replaced or
 *   the container goes, or at once when init fails
 * @error: return location for a #GError
 *
 * Sets the container's router, replacing any other.
 *
 * Returns: %FALSE with init's error.
 */
SIPSERVLET_API gboolean sipservlet_container_set_application_router (SipContainer *container,
                                                                     const SipApplicationRouterFuncs *funcs,
                                                                     gpointer user_data,
                                                                     GDestroyNotify destroy,
                                                                     GError **error);

/**
 * sipservlet_container_set_dar_file:
 * @container: a container
 * @path: a file in the Default Application Router format (JSR 289
 *   Appendix C), e.g.
 *   `INVITE: ("blocking", "DAR:From", "ORIGINATING", "", "NO_ROUTE", "0"), ("forwarding", "DAR:To", "TERMINATING", "", "NO_ROUTE", "1")`
 * @error: return location for a #GError
 *
 * Sets the default router reading @path: for each method, the
 * applications in the order listed; "DAR:Header" takes the subscriber URI
 * from that header (From, To, …), another text is the URI itself. Lines
 * may continue with a backslash; '#' starts a comment. doc/applications.md
 * has the format in full.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_PARSE naming the file and line,
 *   or the file's read error.
 */
SIPSERVLET_API gboolean sipservlet_container_set_dar_file (SipContainer *container,
                                                           const char *path, GError **error);

/**
 * sipservlet_container_reload_application_router:
 * @container: a container
 * @error: return location for a #GError
 *
 * Asks the router to re-read its configuration (the default router
 * re-reads its DAR file). Requests already on their way keep the state
 * they had; new ones see the new rules. On error the old rules stay.
 *
 * Returns: %FALSE with the router's error; %TRUE when the router has
 *   nothing to reload.
 */
SIPSERVLET_API gboolean sipservlet_container_reload_application_router (SipContainer *container,
                                                                        GError **error);

/**
 * sipservlet_request_get_routing_region:
 * @request: a request
 *
 * Returns: the region of the application that received @request
 *   (NEUTRAL when no router placed it).
 */
SIPSERVLET_API SipRoutingRegion sipservlet_request_get_routing_region (SipServletRequest *request);

/**
 * sipservlet_request_get_subscriber_uri:
 * @request: a request
 *
 * Returns: (transfer none) (nullable): the subscriber the router named for
 *   the application that received @request.
 */
SIPSERVLET_API const SipURI *sipservlet_request_get_subscriber_uri (SipServletRequest *request);

/**
 * sipservlet_request_get_routing_directive:
 * @request: a request
 *
 * Returns: the directive @request was routed with.
 */
SIPSERVLET_API SipRoutingDirective sipservlet_request_get_routing_directive (SipServletRequest *request);

/**
 * sipservlet_request_set_routing_directive:
 * @request: an initial request the application created and has not sent
 * @directive: how it relates to @origin
 * @origin: (nullable): the request it continues, received by the same
 *   application; needed for CONTINUE and REVERSE
 * @error: return location for a #GError
 *
 * Sets how the router sees @request (JSR 289 setRoutingDirective). The
 * B2BUA helper sets CONTINUE on the requests it creates from another.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when @request was
 *   sent or is not initial, %SIPSERVLET_ERROR_INVALID_ARGUMENT when
 *   @origin is missing or not an initial request received here.
 */
SIPSERVLET_API gboolean sipservlet_request_set_routing_directive (SipServletRequest *request,
                                                                  SipRoutingDirective directive,
                                                                  SipServletRequest *origin,
                                                                  GError **error);

/**
 * sipservlet_request_get_initial_popped_route:
 * @request: a request
 *
 * Returns: (transfer none) (nullable): the Route that named this container
 *   when @request arrived from outside (or that the router gave), as JSR
 *   289 getInitialPoppedRoute(); sipservlet_request_get_popped_route() is
 *   the one of the application at hand.
 */
SIPSERVLET_API const SipURI *sipservlet_request_get_initial_popped_route (SipServletRequest *request);

G_END_DECLS
