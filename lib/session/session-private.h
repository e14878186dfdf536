/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - session layer internals: SipSession (dialog state),
 * SipApplicationSession, SipServletTimer, and the session manager that the
 * container embeds (dialog table, counts, listeners, readiness checks).
 *
 * Ownership: the manager holds a reference on every valid application
 * session; an application session holds references on its valid sessions
 * and active timers; a session holds a reference on its application
 * session. Invalidation breaks these links, so nothing stays in a cycle.
 */
#pragma once

#include <sipservlet/sipservlet.h>

#include "key-hash-private.h"
#include "message/message-private.h"
#include "stack/timer-heap-private.h"

typedef struct {
  SipServletListeners vtable;
  gpointer user_data;
  GDestroyNotify destroy;
} SipsvListenerEntry;

/* What an application session knows of its application (set by
 * lib/application/): the name and the application's own listeners.
 * Shared and refcounted, so that it outlives an undeployed application
 * while that application's sessions finish. */
typedef struct {
  gatomicrefcount ref_count;
  char *name;
  GArray *listeners;            /* SipsvListenerEntry, destroyed with the scope */
  guint n_app_sessions;         /* valid application sessions */
} SipsvAppScope;

/* A list of listener tables (SipsvListenerEntry) whose destroy notifies
 * run when it is freed; appending copies a table, FALSE when it comes
 * from a newer library. */
GArray *sipsv_session_listeners_new (void);
gboolean sipsv_session_listeners_append (GArray *list, const SipServletListeners *listeners,
                                         gpointer user_data, GDestroyNotify destroy);

SipsvAppScope *sipsv_session_scope_new (const char *name);
SipsvAppScope *sipsv_session_scope_ref (SipsvAppScope *scope);
void sipsv_session_scope_unref (SipsvAppScope *scope);

typedef struct _SipsvSessionManager {
  GMainContext *context;
  SipContainer *container;
  SipsvTimerQueue *timers;         /* the stack's timer heap */
  GHashTable *dialogs;          /* dialog key -> SipSession, not owned */
  SipsvRequestIndex initial_requests; /* the initial requests served as a UAS, by
                                       * merge key (RFC 3261 §8.2.2.2) */
  GHashTable *app_sessions;     /* SipApplicationSession -> itself, owned */
  guint n_sessions;             /* valid sessions */
  GArray *listeners;            /* SipsvListenerEntry */
  guint app_session_timeout_min;
  GPtrArray *pending_checks;    /* sessions to test for readiness, owned */
  GPtrArray *spare_checks;      /* the batch array between runs, empty */
  GSource *check_source;        /* runs them when no flush is coming */
  const gboolean *flush_coming; /* TRUE: the container runs them soon
                                 * (sipsv_session_manager_run_checks) */
  guint64 next_id;
  /* Lookups of JSR 289 SipSessionsUtil and targeting (sessions-util.c).
   * None owns what it maps to: an object is in them while it is valid. */
  GHashTable *app_session_ids;  /* id -> SipApplicationSession */
  GHashTable *session_ids;      /* id -> SipSession */
  GHashTable *app_session_keys; /* sipsv key entry -> SipApplicationSession */
  GHashTable *ended_dialogs;    /* dialog key -> TERMINATED SipSession: a
                                 * Replaces naming it gets 603, not 481 */
  /* Kernel random bytes for application-session ids, used up 8 at a time:
   * one getrandom() per 32 application sessions. */
  guint8 id_random[256];
  guint id_random_used;
} SipsvSessionManager;

/* What a record-routing proxy needs to end a dialog it is in (BYE to each
 * side): lib/proxy/terminate.c fills it when the dialog is confirmed. */
typedef struct {
  char *caller_target;              /* the caller's Contact URI */
  char *callee_target;              /* the callee's */
  GPtrArray *caller_route;          /* Route toward each side, nearest first */
  GPtrArray *callee_route;
  char *caller_party;               /* From of the INVITE, with tag */
  char *callee_party;               /* To of the 2xx, with tag */
  guint32 caller_cseq;              /* highest CSeq seen from each side */
  guint32 callee_cseq;
} SipsvProxiedDialog;

void sipsv_proxied_dialog_free (SipsvProxiedDialog *dialog);

struct _SipSession {
  gatomicrefcount ref_count;
  SipsvSessionManager *manager;     /* not owned; NULL once the manager died */
  SipApplicationSession *app;       /* owned */
  char *id;
  SipSessionState state;
  guint valid : 1;
  guint id_published : 1;           /* in the manager's table of ids (get_id) */
  guint invalidate_when_ready : 1;
  guint uac : 1;                    /* created by a UAC request */
  guint had_transaction : 1;
  guint dialog_method : 1;          /* initial method creates dialogs */
  guint have_remote_cseq : 1;
  guint proxy : 1;                  /* the session of a proxied dialog */
  guint record_routed : 1;
  guint check_pending : 1;          /* queued for a readiness check */
  guint ready_notified : 1;         /* listener told since it became ready */
  guint dialog_started : 1;         /* dialog_started listeners told */
  guint dialog_ended : 1;           /* dialog_ended listeners told */
  guint invite_dialog : 1;          /* created by an INVITE: an INVITE usage until BYE */
  char *call_id;
  char *local_tag;
  char *remote_tag;
  SipAddress *local_party;          /* with local tag; see sipsv_session_local_party() */
  SipAddress *remote_party;         /* with remote tag once known */
  char *local_party_text;           /* the party's header text: a received session */
  char *remote_party_text;          /* parses it only if asked (most never are), and
                                     * an address is formatted once, since every
                                     * request in the dialog carries it; NULL when
                                     * the address changed since */
  char *remote_target;              /* Contact URI of the peer */
  GPtrArray *route_set;             /* char * URIs/addresses, in order */
  guint32 local_cseq;
  guint32 remote_cseq;
  GHashTable *attributes;
  SipServlet *handler;              /* owned */
  SipSession *linked;               /* B2BUA partner, not owned (unlinked on invalidate) */
  SipServletRequest *initial_request; /* the request that created it, owned until invalidate */
  GPtrArray *pending_uas;           /* received requests without a final response, owned */
  GPtrArray *pending_uac;           /* received 2xx to INVITE not acknowledged, owned */
  GPtrArray *subscriptions;         /* subscription usages (RFC 5057): "type;id=ID" of each
                                     * Event a NOTIFY said is active; NULL for none
                                     * (lib/ua/subscription.c) */
  guint invite_uac_pending : 1;     /* our (re-)INVITE has no final response yet */
  guint invite_uas_pending : 1;     /* a received (re-)INVITE has no final response yet */
  guint active_transactions;
  char *dialog_key;                 /* registered in manager->dialogs */
  gint64 ack_awaited_since;         /* proxy: when a 2xx to the INVITE was relayed on a
                                     * record-routed dialog whose ACK has not come
                                     * through yet (monotonic, µs); 0 otherwise. A
                                     * graceful shutdown waits for that ACK. */
  /* UA bookkeeping, lib/ua/ */
  SipServletResponse *unacked_2xx;  /* UAS: 2xx being retransmitted */
  SipsvTimer *retransmit_timer;
  guint retransmit_interval;
  gint64 retransmit_deadline;
  SipServletRequest *uac_invite;    /* UAC: INVITE kept to re-ACK 2xx retransmissions */
  SipServletRequest *uac_ack;
  SipsvTimer *linger_timer;
  /* RFC 4028 session timer of a UA dialog, lib/ua/session-timer.c */
  guint st_interval;                /* negotiated Session-Expires, s; 0 = none */
  guint st_min_se;                  /* the largest Min-SE of the dialog, s */
  guint st_we_refresh : 1;          /* we send the refreshes, else the peer does */
  guint st_peer_update : 1;         /* the peer's Allow lists UPDATE */
  guint st_refreshing : 1;          /* our refresh has no final response yet */
  SipsvTimer *st_timer;             /* next refresh, or expiry */
  gint64 st_deadline;               /* monotonic µs: the session expires */
  GBytes *local_sdp;                /* the last SDP we sent (refresh re-INVITE) */
  char *remote_sdp_origin;          /* o= line of the last SDP received */
  /* sipservlet_session_terminate(), lib/ua/terminate.c */
  guint terminate_on_provisional : 1; /* CANCEL once a provisional arrives */
  guint terminate_on_2xx : 1;       /* ACK and BYE a 2xx to our INVITE */
  guint terminate_on_ack : 1;       /* BYE once our 2xx is acknowledged */
  SipsvProxiedDialog *proxied;      /* record-routed proxied dialog, owned */
  char *ended_key;                  /* registered in manager->ended_dialogs */
  /* The session the Join or Replaces of its initial request named (JSR 289
   * getCorrespondingSipSession), owned until invalidate. */
  SipSession *corresponding;
  SipTargetedRequestType corresponding_type;
};

struct _SipApplicationSession {
  gatomicrefcount ref_count;
  SipsvSessionManager *manager;
  char *id;
  guint valid : 1;
  guint id_published : 1;           /* in the manager's table of ids (get_id) */
  guint invalidate_when_ready : 1;
  guint expired_notified : 1;
  gint64 created;                   /* real time, µs */
  gint64 last_accessed;
  gint64 lifetime;                  /* µs of inactivity before expiry, 0 = never */
  SipsvTimer *expiry_timer;
  GPtrArray *sessions;              /* owned */
  GPtrArray *timers;                /* active timers, owned; NULL before the first */
  GHashTable *attributes;
  SipsvAppScope *scope;             /* owned; NULL: the implicit application */
  char *key_entry;                  /* registered in manager->app_session_keys */
};

struct _SipServletTimer {
  gatomicrefcount ref_count;
  char *id;
  SipApplicationSession *app;       /* not owned; NULL once cancelled */
  gpointer info;
  GDestroyNotify info_destroy;
  guint period_ms;
  gboolean fixed_delay;
  gint64 scheduled;                 /* monotonic µs of next expiry */
  SipsvTimer *timer;
};

/* Manager. */
void sipsv_session_manager_init (SipsvSessionManager *manager, SipContainer *container,
                                 GMainContext *context, SipsvTimerQueue *timers);
void sipsv_session_manager_clear (SipsvSessionManager *manager);
void sipsv_session_manager_invalidate_all (SipsvSessionManager *manager);
gboolean sipsv_session_manager_add_listeners (SipsvSessionManager *manager,
                                              const SipServletListeners *listeners,
                                              gpointer user_data, GDestroyNotify destroy);
/* Runs the pending readiness checks now; FALSE when there were none. */
gboolean sipsv_session_manager_run_checks (SipsvSessionManager *manager);
char *sipsv_session_manager_new_id (SipsvSessionManager *manager, const char *prefix);
/* An id nobody can guess, for what travels in URIs (encodeURI):
 * prefix-HHHHHHHHHHHHHHHH-N, 64 bits from the kernel in 16 hex digits,
 * then a counter that keeps ids unique. */
char *sipsv_session_manager_new_secret_id (SipsvSessionManager *manager, const char *prefix);

/* JSR 289 SipSessionsUtil and request targeting (sessions-util.c). Each
 * returns valid objects only, borrowed. */
SipApplicationSession *sipsv_session_manager_find_application_session (SipsvSessionManager *manager,
                                                                       const char *id);
SipSession *sipsv_session_manager_find_session (SipsvSessionManager *manager, const char *id);
/* Associates app_session with (application_name, key) until it is
 * invalidated (JSR 289 §15.11.2 session keys). FALSE when the pair already
 * names another valid application session, when app_session is bound to
 * another pair, or when it is invalidated; TRUE again for the same binding. */
gboolean sipsv_session_manager_bind_key (SipsvSessionManager *manager,
                                         SipApplicationSession *app_session,
                                         const char *application_name, const char *key);
SipApplicationSession *sipsv_session_manager_find_by_key (SipsvSessionManager *manager,
                                                          const char *application_name,
                                                          const char *key);
/* The application session whose id the sipsv-as parameter of uri names
 * (sipservlet_application_session_encode_uri()), or NULL. */
SipApplicationSession *sipsv_session_manager_find_encoded (SipsvSessionManager *manager,
                                                           const SipURI *uri);
/* The session whose dialog a Replaces (RFC 3891) or Join (RFC 3911) header
 * value names ("call-id;to-tag=T;from-tag=F[;early-only]"). header_name is
 * "Replaces" or "Join", any case. NULL when the request must be refused,
 * with the response in *status and *phrase (either may be NULL): 400
 * unparseable; 481 no such dialog, a dialog not created by an INVITE, an
 * early dialog we are the UAS of (Replaces), a terminated dialog (Join);
 * 603 a terminated dialog (Replaces); 486 early-only and the dialog is
 * confirmed. On success *status is 0 and *phrase NULL. Checking that the
 * request is an INVITE with only one of the two headers is the caller's. */
SipSession *sipsv_session_manager_find_dialog_target (SipsvSessionManager *manager,
                                                      const char *header_name, const char *value,
                                                      guint *status, const char **phrase);

/* Runs every listener that has the member: the container's, then those
 * of the application (scope, may be NULL). */
#define SIPSV_NOTIFY_LIST(list, member, ...)                                    \
  G_STMT_START {                                                                \
    for (guint i_ = 0; (list) != NULL && i_ < (list)->len; i_++)                \
      {                                                                         \
        SipsvListenerEntry *e_ = &g_array_index ((list), SipsvListenerEntry, i_); \
        if (e_->vtable.member != NULL)                                          \
          e_->vtable.member (__VA_ARGS__, e_->user_data);                      \
      }                                                                         \
  } G_STMT_END
#define SIPSV_NOTIFY(manager, scope, member, ...)                               \
  G_STMT_START {                                                                \
    SipsvAppScope *s_ = (scope);                                                \
    if ((manager) != NULL)                                                      \
      SIPSV_NOTIFY_LIST ((manager)->listeners, member, __VA_ARGS__);            \
    if (s_ != NULL)                                                             \
      SIPSV_NOTIFY_LIST (s_->listeners, member, __VA_ARGS__);                   \
  } G_STMT_END

/* Application sessions. */
SipApplicationSession *sipsv_application_session_new (SipsvSessionManager *manager);
/* One of an application (scope NULL: the implicit one). */
SipApplicationSession *sipsv_application_session_new_in (SipsvSessionManager *manager,
                                                         SipsvAppScope *scope);
/* Test-only: an inactivity lifetime in milliseconds, below the public
 * API's one-minute granularity, so expiry tests take seconds. */
void sipsv_application_session_set_lifetime_ms (SipApplicationSession *app, guint ms);
void sipsv_application_session_touch (SipApplicationSession *app);
void sipsv_application_session_check_ready (SipApplicationSession *app);

/* Sessions. */
SipSession *sipsv_session_new (SipApplicationSession *app, gboolean uac,
                               const char *call_id, const char *local_tag,
                               SipAddress *local_party, SipAddress *remote_party);
/* A UA dialog's key: in buf when it fits in size bytes (a lookup's, on
 * the stack) else a new string (NULL and 0 for a key to keep); free with
 * g_free() when it is not buf (sipsv_key_join()). */
char *sipsv_dialog_key (char *buf, gsize size, const char *call_id, const char *local_tag,
                        const char *remote_tag);
SipSession *sipsv_session_lookup (SipsvSessionManager *manager, const char *call_id,
                                  const char *local_tag, const char *remote_tag);
void sipsv_session_set_remote_tag (SipSession *session, const char *remote_tag);
SipAddress *sipsv_session_local_party (SipSession *session);
SipAddress *sipsv_session_remote_party (SipSession *session);
/* The header text of a party (with its tag once known), formatted at most
 * once; NULL when the session has no such party. */
const char *sipsv_session_local_party_text (SipSession *session);
const char *sipsv_session_remote_party_text (SipSession *session);
void sipsv_session_register_dialog (SipSession *session);
void sipsv_session_unregister_dialog (SipSession *session);
void sipsv_session_set_state (SipSession *session, SipSessionState state);
void sipsv_session_transaction_begin (SipSession *session);
void sipsv_session_transaction_end (SipSession *session);
void sipsv_session_set_route_set (SipSession *session, GPtrArray *routes);
void sipsv_session_set_remote_target (SipSession *session, const char *target);
/* The same from a Contact's URL; an unchanged target (a 180 and then
 * the 200 of one call) is kept without a new copy. */
void sipsv_session_set_remote_target_url (SipSession *session, const url_t *url);
SipServlet *sipsv_session_get_handler (SipSession *session);
/* Records the session a Join (SIPSERVLET_TARGETED_JOIN) or Replaces
 * (SIPSERVLET_TARGETED_REPLACES) of the initial request named; session
 * keeps a reference until it is invalidated. */
void sipsv_session_set_corresponding (SipSession *session, SipTargetedRequestType type,
                                      SipSession *target);
void sipsv_session_schedule_check (SipSession *session);
gboolean sipsv_method_creates_dialog (const char *method);
/* A random token for tags and Call-IDs: 2*bytes hex digits. */
char *sipsv_random_token (guint bytes);
#define sipsv_new_tag() sipsv_random_token (6)
