/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - container internals: the container owns the stack, the
 * session manager, the servlets and the factory; dispatch.c classifies
 * every incoming message and hands it to the UA layer and the servlets. */
#pragma once

#include "application/application-private.h"
#include "auth/auth-private.h"
#include "runtime/runtime-private.h"

/* security.c: the authentication policy (sipservlet-security.h). */
typedef struct {
  SipsvAuthStore *store;        /* NULL: authentication off */
  SipsvAuthVerifier *verifier;  /* with the store */
  char *realm;                  /* with the store */
  SipAuthPolicyFlags flags;
  GPtrArray *domains;           /* normalized hosts (security.c), or NULL */
  GPtrArray *trusted;           /* GInetAddressMask, or NULL */
} SipsvSecurity;

/* overload.c: the rate limit per source and the transaction guard
 * (sipservlet-overload.h). */
typedef struct {
  guint rate;                   /* requests/s per source; 0: no limit */
  guint burst;
  SipRateLimitAction action;
  GHashTable *buckets;          /* source -> token bucket, with a rate */
  guint max_transactions;       /* 0: no guard */
  gboolean shedding;            /* over max_transactions at the last look */
  gint64 shed_logged_us;        /* when shedding was last logged */
  gint64 unshed_logged_us;      /* shed_logged_us when its end was logged */
} SipsvOverload;

/* The application router set on the container (sipservlet-router.h). */
typedef struct {
  SipApplicationRouterFuncs funcs;
  gpointer user_data;
  GDestroyNotify destroy;
  gboolean set;
} SipsvRouter;

struct _SipContainer {
  SipsvRuntime runtime;             /* first: what the roles see (sipsv_runtime ()) */
  gatomicrefcount ref_count;
  GMainContext *context;
  GHashTable *servlets_by_method;   /* method -> SipServlet, owned */
  GPtrArray *servlets;              /* every servlet, owned */
  SipContainerShutdownFunc shutdown_cb;
  gpointer shutdown_data;
  GSource *shutdown_source;
  GMainLoop *run_loop;              /* while sipservlet_container_run() runs */
  guint shutdown_deadline_ms;       /* how long a shutdown waits for live work */
  SipsvSecurity security;
  SipsvOverload overload;
  GPtrArray *applications;          /* SipApplication, deployed, owned, in order */
  GPtrArray *retiring;              /* SipApplication, undeployed, owned, until their
                                     * last application session goes */
  SipsvRouter router;
  SipServlet *forwarder;            /* sends on what no application takes */
  char *route_back_key;             /* route-back.c's signing key, made on first use */
  GPtrArray *modules;               /* SipsvModule (modules.c), owned, in load order */
  struct _SipsvModule *loading;     /* the module whose deploy function runs, or NULL */
  GPtrArray *location_services;     /* SipLocationService whose registrations the
                                     * metrics report (metrics.c), or NULL */
  struct _SipsvHttp *http;          /* http.c: the HTTP server, or NULL */
};

G_STATIC_ASSERT (G_STRUCT_OFFSET (SipContainer, runtime) == 0);

/* 64*T1: what a client transaction takes at most to end on its own. */
#define SIPSV_SHUTDOWN_DEADLINE_MS 32000u
/* How long a shutdown waits for the ACK of a 2xx relayed just before
 * (64*T1: the UAS retransmits its 2xx that long). */
#define SIPSV_ACK_WAIT_MS 32000u

/* modules.c: loaded modules; clear closes them, after everything else.
 * module_deployed() notes an application deployed while a module loads. */
typedef struct _SipsvModule SipsvModule;
void sipsv_container_modules_init (SipContainer *container);
void sipsv_container_modules_clear (SipContainer *container);
void sipsv_container_module_deployed (SipContainer *container, const char *application);

/* applications.c: deployed applications and the router. */
void sipsv_container_applications_init (SipContainer *container);
void sipsv_container_applications_clear (SipContainer *container);
SipApplication *sipsv_container_find_application (SipContainer *container, const char *name);

/* targeting.c: an initial request meant for an existing application
 * session (JSR 289 §15.11). */
typedef struct {
  SipTargetedRequestType type;
  SipApplicationSession *app_session;  /* borrowed: the one it joins */
  SipSession *session;                 /* Join, Replaces: the session named */
} SipsvTarget;

/* Fills target (type NONE when the request is not targeted); FALSE when
 * the request was answered (msg taken): 400, 481, 486, 603. */
gboolean sipsv_container_find_target (SipContainer *container, msg_t *msg, sip_t *sip,
                                      const SipURI *request_uri, const char *popped,
                                      SipsvTarget *target);
/* The name of the application a targeted request is meant for, or NULL. */
const char *sipsv_container_target_application (const SipsvTarget *target);

/* route-initial.c: where an initial request from the network goes
 * (JSR 289 §15.4.1), when a router is set. */
typedef struct {
  SipApplication *application;      /* NULL: the implicit application */
  SipServlet *servlet;               /* the servlet to run */
  SipRoutingRegion region;
  SipRoutingDirective directive;     /* NEW from the network, CONTINUE from an application */
  char *subscriber_uri;
  GVariant *state;
  char *popped_route;                /* the router's internal route, or NULL */
  GPtrArray *push_routes;            /* routes to push before forwarding, or NULL */
  SipApplicationSession *join;       /* borrowed: the application session it joins */
  guint depth;                       /* applications passed before (a request routed
                                      * back, route-back.c), 0 otherwise */
  char *key;                         /* the application's session key, or NULL */
} SipsvRouting;

/* Asks the router; TRUE with routing filled (clear it with
 * sipsv_container_routing_clear()), FALSE when the request was answered
 * (msg taken). */
gboolean sipsv_container_route_initial (SipContainer *container, msg_t *msg, sip_t *sip,
                                        const char *popped, const SipsvTarget *target,
                                        char **remote_user, SipsvRouting *routing);
/* The same for a request another application sent on (route-onward.c),
 * with what the router said then. */
gboolean sipsv_container_route_continued (SipContainer *container, msg_t *msg, sip_t *sip,
                                          const SipRouterInfo *info, char **remote_user,
                                          SipsvRouting *routing);
void sipsv_container_routing_clear (SipsvRouting *routing);
/* A route the router gave: a name-addr ("<sip:…;lr>") or a bare URI,
 * whose parameters are the URI's (";lr" must stay in the URI). */
SipAddress *sipsv_container_route_address (const char *text, GError **error);
gboolean sipsv_container_route_is_ours (SipContainer *container, const char *route);
/* Pushes n routes so that the first is the top Route. */
gboolean sipsv_container_push_routes (SipServletRequest *request, const char *const *routes,
                                      guint n, GError **error);

/* route-back.c: ROUTE_BACK. Our Route that brings a request back, with
 * the router's region and state and the chain depth, signed; and, for a
 * Route popped from a returning request, those values (FALSE when it has
 * none or its signature is not ours). */
#define SIPSV_ROUTE_BACK_PARAM "sipsv-ar"
/* How many applications one request may pass through in this container
 * (route-onward.c, route-back.c): a router that keeps naming applications
 * (or a DAR whose entries name each other) ends there with a 500 instead
 * of exhausting Max-Forwards. */
#define SIPSV_MAX_CHAIN 16
char *sipsv_container_route_back_route (SipContainer *container, const SipRouterInfo *info,
                                        guint depth);
gboolean sipsv_container_route_back_parse (SipContainer *container, const char *popped,
                                           SipRoutingRegion *region, GVariant **state,
                                           guint *depth);

/* route-onward.c: the runtime's route_onward (runtime-private.h): where
 * an initial request an application sends goes next. Its routing
 * decision is a SipRouterInfo. */
SipsvOnward sipsv_container_route_onward (SipContainer *container, SipServletRequest *request,
                                          SipRoutingDirective directive,
                                          SipRoutingRegion region, GVariant *state, guint depth,
                                          gpointer *routing, GDestroyNotify *routing_free);
/* Gives the request what the router said (and clears routing). */
void sipsv_container_routing_apply (SipsvRouting *routing, SipServletRequest *request);

/* dispatch.c */
int sipsv_container_on_message (nta_agent_magic_t *magic, nta_agent_t *agent,
                                msg_t *msg, sip_t *sip);
SipServlet *sipsv_container_select_servlet (SipContainer *container, const char *method);


/* security.c: applies the policy to a request (neither ACK nor CANCEL)
 * before dispatch. TRUE when it goes on, with *remote_user the user it
 * authenticated as (g_free() it) or NULL; FALSE when it was answered (msg
 * taken). */
gboolean sipsv_container_security_check (SipContainer *container, msg_t *msg, sip_t *sip,
                                         gboolean in_dialog, char **remote_user);
/* "ADDRESS:PORT" of a received message's source, for the log (g_free()). */
char *sipsv_container_source_text (msg_t *msg);
/* An application's security constraint: TRUE when *remote_user is set
 * already, the source is trusted, or the request carries valid
 * credentials (then *remote_user is set); otherwise it was challenged or
 * refused (msg taken). */
gboolean sipsv_container_security_require (SipContainer *container, msg_t *msg, sip_t *sip,
                                           char **remote_user);
/* Whether the message came from a trusted source. */
gboolean sipsv_container_source_is_trusted (SipContainer *container, msg_t *msg);
/* Whether url (sip/sips) is in one of our domains or names us. */
gboolean sipsv_container_url_is_ours (SipContainer *container, const url_t *url);
void sipsv_container_security_clear (SipsvSecurity *security);

/* overload.c: TRUE when the request (any but ACK and CANCEL) may go on;
 * FALSE when it was answered 503 or dropped (msg taken). */
gboolean sipsv_container_overload_check (SipContainer *container, msg_t *msg, sip_t const *sip);
void sipsv_container_overload_clear (SipsvOverload *overload);

/* container.c: host without the brackets of an IPv6 reference (g_free()
 * it); whether host is an IP address or a host name (RFC 3261 hostname). */
char *sipsv_unbracket (const char *host);
gboolean sipsv_valid_host (const char *host);

/* run.c: reads "HOST", "HOST:PORT", "IPV6" or "[IPV6]:PORT" into host
 * (IPv6 without brackets, g_free() it) and port (default_port when
 * absent). FALSE when text is none of these. */
gboolean sipsv_split_host_port (const char *text, char **host, guint16 *port,
                                guint16 default_port);
