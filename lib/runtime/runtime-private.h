/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the runtime: what the roles (ua/, proxy/, b2bua/) need
 * from the container that hosts them, without seeing the container.
 *
 * A SipContainer starts with its SipsvRuntime (container-private.h
 * asserts it), so a role holding the opaque SipContainer pointer of a
 * message reaches the runtime with sipsv_runtime() and never includes
 * the container's header: the container sits above the roles and calls
 * down into them, never the other way.
 */
#pragma once

#include "stack/stack-private.h"
#include "message/message-private.h"
#include "session/session-private.h"
#include "servlet/servlet-private.h"

struct _SipFactory {
  SipContainer *container;      /* embedded in its container's runtime */
};

struct _SipB2buaHelper {
  SipContainer *container;      /* one helper per container, in its runtime */
};

typedef void (*SipsvWorkFunc) (gpointer data);

/* Where a request an application proxies goes next (JSR 289 §15.4.1):
 * out to the network, to another application of this container (in
 * process, lib/runtime/hop.c), or nowhere because routing failed. */
typedef enum {
  SIPSV_ONWARD_OUT,
  SIPSV_ONWARD_APPLICATION,
  SIPSV_ONWARD_FAILED,
} SipsvOnward;

typedef struct {
  SipsvStack stack;
  SipsvSessionManager sessions;
  SipFactory factory;
  SipB2buaHelper b2bua;
  GMainContext *context;
  guint t1;                         /* ms */
  guint session_expires;            /* RFC 4028 timers of UA dialogs and the
                                     * proxy: the interval we ask for, s; 0 = off */
  guint min_se;                     /* the shortest interval we accept, s */
  gboolean shutting_down;
  SipServlet *default_servlet;      /* owned */
  GPtrArray *option_tags;           /* supported extensions (Require check) */
  GHashTable *record_routes;        /* the proxy's: contact text -> its Record-Route,
                                     * read-only once made */
  GArray *work_queue;               /* SipsvWork, run in order right after the stack's
                                     * dispatch, else from one idle source */
  GArray *work_spare;               /* the batch array between runs, empty */
  GSource *work_source;
  GQueue kept;                      /* SipsvKept links: see sipsv_runtime_keep() */
  /* Set by the container: asks its application router (if any) where an
   * initial request an application sends goes next, with the directive,
   * region and state the router gets, and the number of applications the
   * request it continues passed before (depth); for
   * SIPSV_ONWARD_APPLICATION, *routing (freed with *routing_free) is the
   * container's decision, carried to the delivery by the hop. It may push
   * Routes on the request when it goes out. */
  SipsvOnward (*route_onward) (SipContainer *container, SipServletRequest *request,
                               SipRoutingDirective directive, SipRoutingRegion region,
                               GVariant *state, guint depth, gpointer *routing,
                               GDestroyNotify *routing_free);
  GHashTable *refused_dialogs;      /* ua/unwanted-2xx.c: dialog key of each unwanted 2xx
                                     * ended with BYE -> gint64 * deadline (monotonic µs)
                                     * until which its retransmissions get only an ACK;
                                     * NULL until the first */
} SipsvRuntime;

/* The runtime of a container (its first member). */
static inline SipsvRuntime *
sipsv_runtime (SipContainer *container)
{
  return (SipsvRuntime *) container;
}

/* runtime.c */
void sipsv_runtime_init (SipsvRuntime *runtime, GMainContext *context);
void sipsv_runtime_clear (SipsvRuntime *runtime);

/* Work run from the main loop, in the order it was queued, never inside
 * the NTA callback that queued it (destroying a transaction from its own
 * callback is unsafe): right after the stack's dispatch when queued from
 * it, else from a high-priority idle source. */
void sipsv_runtime_defer (SipsvRuntime *runtime, SipsvWorkFunc func, gpointer data);
/* Drops a request reference that way. */
void sipsv_runtime_release_later (SipsvRuntime *runtime, SipServletRequest *request);
/* Runs everything queued, including what the work itself queues; TRUE
 * when something ran. */
gboolean sipsv_runtime_run_work (SipsvRuntime *runtime);
/* Runs the queue now and drops the idle source (shutdown). */
void sipsv_runtime_flush_work (SipsvRuntime *runtime);

/* Objects that keep themselves alive until an event that a container
 * going away will never bring (a proxy holding its request until its
 * branches end) list themselves here through a SipsvKept of theirs;
 * sipsv_runtime_abandon_all(), run by the container before its stack
 * stops, unlists each one and calls abandon (owner), so that it answers
 * what it must and lets go. Forgetting an entry not listed is a no-op. */
void sipsv_runtime_keep (SipsvRuntime *runtime, SipsvKept *kept, gpointer owner,
                         GDestroyNotify abandon);
void sipsv_runtime_forget (SipsvRuntime *runtime, SipsvKept *kept);
void sipsv_runtime_abandon_all (SipsvRuntime *runtime);

/* Option tags of a Require or Proxy-Require list that this container does
 * not support, comma-separated, or NULL. */
char *sipsv_runtime_unsupported (SipsvRuntime *runtime, msg_list_t const *list);

/* hop.c: a request sent from one application to the next inside the
 * process (see the file's comment). The upstream side creates the hop
 * (from: the request its application received, whose facts it inherits,
 * or NULL for a request of its own; depth: the downstream request's;
 * primary: the socket that request came in on, for Contacts and
 * Record-Routes), sends the request (taken) and may cancel it; responses
 * come back to on_response (taken) until the upstream closes the hop. The
 * downstream request is attached by lib/ua/uas.c when it is accepted;
 * dropped unanswered, it answers 500 as a server transaction would. */
typedef void (*SipsvHopResponse) (gpointer client, msg_t *response);

typedef struct _SipsvHop {
  gatomicrefcount ref_count;
  SipsvRuntime *runtime;
  SipsvHopResponse on_response;     /* NULL once the upstream closed the hop */
  gpointer client;
  SipServletRequest *downstream;    /* the request the next application got, not
                                     * owned; NULL before it is accepted and once freed */
  tport_t *primary;                 /* the socket the call came in on, or NULL */
  guint depth;                      /* applications the downstream request passed
                                     * before it: 1 for the second of a chain */
  gboolean source_tls;
  gboolean has_source;              /* source: where the upstream request came from, */
  gboolean source_tcp;              /* which the downstream one reports as its own */
  su_sockaddr_t source;
  char *remote_user;                /* authenticated upstream, or NULL */
  gpointer routing;                 /* the container's routing decision, or NULL */
  GDestroyNotify routing_free;
} SipsvHop;

SipsvHop *sipsv_hop_new (SipsvRuntime *runtime, SipServletRequest *from, guint depth,
                         tport_t *primary, SipsvHopResponse on_response, gpointer client);
/* The role of a request sent through a hop (request->hop_out): freeing
 * the request closes the hop. */
extern const SipsvRequestRole sipsv_hop_upstream_role;
SipsvHop *sipsv_hop_ref (SipsvHop *hop);
void sipsv_hop_unref (SipsvHop *hop);
void sipsv_hop_set_routing (SipsvHop *hop, gpointer routing, GDestroyNotify routing_free);
void sipsv_hop_send (SipsvHop *hop, msg_t *msg);
void sipsv_hop_cancel (SipsvHop *hop, const char *reason);
/* The upstream lets go: later responses are dropped; drops its reference. */
void sipsv_hop_close (SipsvHop *hop);
/* Downstream side: a response (taken) goes upstream. */
void sipsv_hop_respond (SipsvHop *hop, msg_t *response);
/* The hop a message being delivered in process came through, or NULL. */
SipsvHop *sipsv_hop_of (SipsvRuntime *runtime, msg_t *msg);
void sipsv_hop_attach (SipsvHop *hop, SipServletRequest *request);
