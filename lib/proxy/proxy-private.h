/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - proxy internals (JSR 289 chapter 10, RFC 3261 §16).
 *
 * A SipProxy belongs to the request it proxies (request->proxy) and owns
 * its branches. While branches are in progress the proxy holds a
 * reference on that request (the "proxy reference"), so the servlet need
 * not keep it. Each branch owns the request it sent; its client
 * transaction calls back with the branch as magic, and destroying the
 * branch's request destroys the transaction first, so no callback can see
 * a freed branch.
 */
#pragma once

#include "ua/ua-private.h"

/* Our Record-Route for one listening point, made on its first use and
 * read-only for the container's life (in its runtime's record_routes):
 * proxies point into it. */
typedef struct {
  SipURI *uri;                  /* with lr */
  char *value;                  /* the header value as sent: "<uri>" */
} SipsvRecordRoute;

/* A branch's state. TIMED_OUT and COMPLETED both have a final status
 * for the best-response choice (sipsv_proxy_branch_has_final()), but a
 * TIMED_OUT branch's INVITE transaction still runs: Timer C fired, the
 * CANCEL went out and a 408 made here counts for the search (RFC 3261
 * §16.8), yet the callee may still answer 2xx, and every 2xx goes
 * upstream (§16.7 step 5), after the caller's final response too. The
 * branch is COMPLETED when its own final response (or NTA's) arrives. */
typedef enum {
  SIPSV_BRANCH_CREATED,     /* not sent yet */
  SIPSV_BRANCH_TRYING,      /* sent, no provisional */
  SIPSV_BRANCH_PROCEEDING,  /* got a provisional */
  SIPSV_BRANCH_TIMED_OUT,   /* cancelled by Timer C, a 408 counted; waiting for its final */
  SIPSV_BRANCH_COMPLETED,   /* got (or made) a final response; its transaction is over */
} SipsvBranchState;

struct _SipProxyBranch {
  SipProxy *proxy;                  /* not owned */
  SipProxyBranch *parent;           /* recursed from; not owned */
  GPtrArray *recursed;              /* children, not owned (proxy->all owns) */
  SipURI *uri;
  SipServletRequest *request;       /* the request sent on this branch, owned */
  SipServletResponse *response;     /* last response received, owned */
  SipsvBranchState state;
  guint final_status;               /* received, or made locally (408, 482...) */
  guint completion;                 /* order in which branches completed, from 1 */
  char *final_phrase;               /* for a locally made final */
  guint timeout_s;
  SipsvTimer *timer;
  gboolean recurse;
  gboolean record_route;
  gboolean add_to_path;
  gboolean cancel_sent;
  SipsvHop *hop;                    /* sent to another application of this process
                                     * instead of a client transaction; owned */
};

/* The proxy's life cycle. Legal transitions (sipsv_proxy_enter() refuses
 * any other):
 *   CONFIGURING -> PROXYING    the first branch is sent
 *   CONFIGURING -> COMPLETED   the request was answered before any branch
 *                              went out: by the servlet, by the UAS's 487
 *                              to the caller's CANCEL, or with the 503 of
 *                              a container going away
 *   PROXYING    -> CANCELLED   the caller's CANCEL or sipservlet_proxy_cancel()
 *   PROXYING    -> COMPLETED   a final response went upstream
 *   CANCELLED   -> COMPLETED   every branch ended: the best response (a
 *                              487 at worst) went upstream
 * COMPLETED is final. Independent of the state, the proxy holds its
 * request (holds_request) from the first branch until every branch has
 * ended, and a subsequent request's proxy goes through the same states. */
typedef enum {
  SIPSV_PROXY_CONFIGURING,          /* the servlet sets it up; nothing sent */
  SIPSV_PROXY_PROXYING,             /* branches sent, no final response upstream */
  SIPSV_PROXY_CANCELLED,            /* no new branch starts; waiting for the finals */
  SIPSV_PROXY_COMPLETED,            /* a final response went upstream */
} SipsvProxyState;

struct _SipProxy {
  SipServletRequest *request;       /* not owned (it owns the proxy) */
  SipContainer *container;
  GPtrArray *branches;              /* top-level branches, not owned */
  GPtrArray *all;                   /* every branch, owned, creation order */
  const SipsvRecordRoute *record_route_ours;  /* the container's, for the socket the
                                               * request came in on */
  tport_t *incoming_primary;        /* that socket, not owned (the agent's) */
  SipURI *record_route_uri;         /* a copy the servlet may edit, made when it asks
                                     * for one; NULL: ours goes out as it is */
  SipsvKept kept;                   /* in the runtime's list while it holds its request */
  guint timeout_s;
  guint completions;                /* branches completed so far */
  SipsvProxyState state;
  guint parallel : 1;
  guint recurse : 1;
  guint record_route : 1;
  guint supervised : 1;
  guint add_to_path : 1;
  guint no_cancel : 1;
  guint got_2xx : 1;
  guint in_best_callback : 1;
  guint holds_request : 1;          /* the proxy reference is taken */
  guint subsequent : 1;             /* forwarding a request inside a dialog */
  guint check_queued : 1;           /* a completion check is in the work queue */
};

#define SIPSV_PROXY_DEFAULT_TIMEOUT_S 180
#define SIPSV_PROXY_MAX_TIMEOUT_S 3600

/* proxy.c: the proxy object. The proxy holds its original request while
 * branches run (hold/release: one reference, released through the work
 * queue). */
SipProxy *sipsv_proxy_new (SipServletRequest *request);
void sipsv_proxy_enter (SipProxy *proxy, SipsvProxyState state);
void sipsv_proxy_hold_request (SipProxy *proxy);
void sipsv_proxy_release_request (SipProxy *proxy);
/* The socket the proxied request came in on (through the hop it came by,
 * for a request from another application), or NULL. */
tport_t *sipsv_proxy_incoming_primary (SipProxy *proxy);

/* branch.c: branches (parent: the branch whose 3xx it recursed on, or
 * NULL), their completion without a response, their Timer C, starting
 * the ones created, and cancelling every pending branch but except, with
 * an optional Reason header value (RFC 3326: after a 2xx, "Call
 * completed elsewhere", so that phones that rang list no missed call;
 * cancel_reason makes the one for a 6xx). */
#define SIPSV_PROXY_COMPLETED_ELSEWHERE "SIP;cause=200;text=\"Call completed elsewhere\""
SipProxyBranch *sipsv_proxy_branch_new (SipProxy *proxy, const SipURI *uri,
                                        SipProxyBranch *parent);
void sipsv_proxy_branch_free (gpointer data);
/* The branch's latest response (the branch takes it); the one before, if
 * the servlet still holds it, keeps the proxy alive so its branch stays
 * valid. */
void sipsv_proxy_branch_set_response (SipProxyBranch *branch, SipServletResponse *response);
void sipsv_proxy_branch_mark_completed (SipProxyBranch *branch, guint status);
/* Has a final status for the search (COMPLETED or TIMED_OUT)? Is its
 * client transaction still running (TRYING, PROCEEDING or TIMED_OUT)? */
gboolean sipsv_proxy_branch_has_final (const SipProxyBranch *branch);
gboolean sipsv_proxy_branch_is_live (const SipProxyBranch *branch);
void sipsv_proxy_branch_arm_timer (SipProxyBranch *branch);
void sipsv_proxy_start_pending (SipProxy *proxy);
void sipsv_proxy_cancel_pending (SipProxy *proxy, const char *reason, SipProxyBranch *except);
/* The same, for a proxy abandoned by its container: nothing is checked
 * or scheduled afterwards. */
void sipsv_proxy_cancel_branches (SipProxy *proxy, const char *reason);
char *sipsv_proxy_cancel_reason (guint status, const char *phrase);
GPtrArray *sipsv_proxy_branches_copy (GPtrArray *branches);

/* responses.c: NTA's callback for a branch's responses; the completion
 * check, run from the work queue so servlet callbacks never nest; a
 * final response sent upstream by the servlet itself; requests inside a
 * proxied dialog, forwarded along the route set. */
int sipsv_proxy_on_branch_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
                                    sip_t const *sip);
/* The same for a branch sent to another application (a SipsvHopResponse:
 * client is the branch, response taken). */
void sipsv_proxy_on_hop_response (gpointer client, msg_t *response);
void sipsv_proxy_schedule_check (SipProxy *proxy);
void sipsv_proxy_forward_subsequent (SipServletRequest *request);

/* dialogs.c: the session follows a branch's response. */
void sipsv_proxy_update_session (SipProxy *proxy, SipProxyBranch *branch, sip_t const *sip,
                                 guint status);

/* best-response.c: RFC 3261 §16.7 step 6. Returns the index of the best
 * of n final statuses (all >= 300), or -1 when n is 0. */
gint sipsv_best_response (const guint *statuses, gsize n);
/* The status to send upstream for a chosen one (503 becomes 500). */
guint sipsv_best_response_upstream_status (guint status);

/* routing.c */
char *sipsv_proxy_pop_route (SipContainer *container, msg_t *msg, sip_t *sip);
/* Our Record-Route for one socket (with ;r2=on for a double one, RFC
 * 5658), made once per container. */
const SipsvRecordRoute *sipsv_proxy_record_route_of (SipContainer *container,
                                                     tport_t *primary, gboolean r2);
void sipsv_proxy_forward_stateless (SipContainer *container, msg_t *msg, sip_t *sip);
const url_string_t *sipsv_proxy_route_hint (sip_t const *sip);
void sipsv_proxy_forward_stray_response (SipContainer *container, msg_t *msg, sip_t *sip);
/* Proxied dialogs are found by Call-ID and tags, and by the position in
 * the chain of applications (depth, 0 for the first) of the proxy whose
 * session it is: applications composed in one container proxy the same
 * dialog, each with its Record-Route (marked with SIPSV_HOP_PARAM when
 * depth > 0). */
#define SIPSV_HOP_PARAM "sipsv-hop"
/* The key, in buf when it fits in size bytes (a lookup's, on the stack)
 * else a new string (NULL and 0 for a key to keep): free with g_free()
 * when it is not buf (sipsv_key_join()). */
char *sipsv_proxy_dialog_key (char *buf, gsize size, const char *call_id, const char *tag_a,
                              const char *tag_b, guint depth);
/* The session of the proxied dialog of sip, at the depth its popped Route
 * (NULL: none) names. */
SipSession *sipsv_proxy_lookup_session (SipContainer *container, sip_t const *sip,
                                        const char *popped);
/* session-timer.c: RFC 4028 §8 on a proxied initial INVITE and its 2xx. */
void sipsv_proxy_session_timer_request (SipProxy *proxy, msg_t *msg, sip_t *sip);
void sipsv_proxy_session_timer_response (SipProxy *proxy, msg_t *msg, sip_t *sip, guint status);

/* terminate.c: what ending a record-routed dialog needs, learnt from its
 * 2xx and from the requests inside it. */
void sipsv_proxy_note_dialog (SipProxy *proxy, SipSession *session, sip_t const *response);
void sipsv_proxy_note_request (SipSession *session, sip_t const *sip);
void sipsv_proxy_register_session (SipSession *session, const char *call_id,
                                   const char *tag_a, const char *tag_b, guint depth);
