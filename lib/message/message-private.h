/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - message layer internals.
 *
 * SipServletRequest and SipServletResponse embed SipServletMessage as their
 * first member, so SIPSERVLET_MESSAGE() is a plain cast. A message holds
 * one reference on a parsed sofia msg_t; every header accessor works on it
 * directly (no second copy of the headers), and strings returned to
 * callers are allocated in the msg's own home so they live as long as it.
 */
#pragma once

#include "stack/stack-private.h"

typedef enum {
  SIPSV_MESSAGE_REQUEST,
  SIPSV_MESSAGE_RESPONSE,
} SipsvMessageKind;

/* Written at creation, cleared when freed: what sipservlet_message_check()
 * looks for behind an untyped pointer. */
#define SIPSV_MESSAGE_MAGIC 0x53495076u   /* "SIPv" */

struct _SipServletMessage {
  gatomicrefcount ref_count;
  guint32 magic;
  SipsvMessageKind kind;
  guint incoming : 1;        /* received from the network */
  guint committed : 1;       /* JSR 289 §5.2 */
  SipContainer *container;   /* not owned: the container outlives messages */
  msg_t *msg;                /* one reference */
  sip_t *sip;
  SipSession *session;       /* owned reference, nullable */
  GHashTable *attributes;    /* name -> SipsvAttribute */
  GHashTable *header_values; /* msg_header_t * -> its value as last formatted for
                              * the application (in the msg's home), so reading a
                              * header again allocates nothing; made on first use */
  /* Received messages: where from, as sofia saw it; the address text is
   * formatted on first use (inet_ntop is not cheap enough for every
   * message). */
  su_sockaddr_t source;
  guint has_source : 1;
  guint source_tcp : 1;
  guint source_tls : 1;             /* came over TLS: set by who wraps it
                                     * (sipsv_stack_received_over_tls()) */
  char *remote_addr;
  char *remote_user;         /* authenticated as (lib/container/security.c) */
};

struct _SipServletRequest {
  SipServletMessage base;
  nta_incoming_t *irq;              /* server transaction (incoming) */
  nta_outgoing_t *orq;              /* client transaction (outgoing) */
  struct _SipsvHop *hop;            /* received from another application of this
                                     * process, without a server transaction
                                     * (lib/runtime/hop.c); released through hop_role */
  const struct _SipsvRequestRole *hop_role;
  struct _SipsvHop *hop_out;        /* UAC: sent to another application of this
                                     * process instead of a client transaction;
                                     * released through hop_out_role */
  const struct _SipsvRequestRole *hop_out_role;
  SipURI *request_uri;              /* parsed lazily */
  SipServletRequest *invite;        /* ACK/CANCEL: the INVITE they belong to */
  guint final_status;               /* final response sent (UAS) or received (UAC), 0 before; not a
                                       * reference: the response refs its request */
  SipProxy *proxy;                  /* owned through proxy_role; lib/proxy/ */
  const struct _SipsvRequestRole *proxy_role;
  struct _SipsvClientCall *client;  /* sent with a callback: owned through client_role;
                                     * lib/ua/client-call.c */
  const struct _SipsvRequestRole *client_role;
  SipsvKept kept;                   /* UAC: in the runtime's list while its transaction
                                     * reference is held, until the final response */
  char *popped_route;               /* Route removed because it named us */
  char *merge_key;                  /* indexed as an initial request (merged- */
  struct _SipsvRequestIndex *merge_index; /* request detection) under this key */
  SipURI *popped_route_uri;         /* parsed lazily */
  url_t *destination;               /* sipservlet_request_set_destination(), on the
                                     * message's home, or NULL */
  guint32 last_rseq;                /* UAC: highest RSeq delivered (100rel) */
  gint64 received_us;               /* UAS INVITE from the network: when it arrived
                                     * (monotonic), for the set-up time metric; else 0 */
  guint depth;                      /* applications of this container an initial request
                                     * passed before (composition, lib/runtime/hop.c):
                                     * received through a hop, or continuing one that was */
  guint initial : 1;
  guint deferred : 1;
  guint dispatching : 1;            /* inside the servlet callback */
  guint final_sent : 1;
  guint cancelled : 1;
  guint sent : 1;
  guint b2bua : 1;                  /* sipservlet_request_get_b2bua_helper() was called */
  SipServletRequest *linked;        /* B2BUA: the other leg's request, not owned */
  guint auto_ack_pending : 1;
  guint internal : 1;               /* sent or answered by the container itself (a session
                                     * refresh, sipservlet_session_terminate()): the
                                     * servlet sees neither it nor its responses */
  guint provisional_seen : 1;       /* UAC INVITE: a provisional response arrived */
  guint st_retried : 1;             /* UAC: re-sent once after 422 (RFC 4028 §7.4) */
  guint destination_existing : 1;   /* SIPSERVLET_DESTINATION_EXISTING_CONNECTION */
  guint auth_retried : 1;           /* UAC: re-sent once with credentials after 401/407 */
  /* Application routing (JSR 289 §15; request-routing.c, lib/container/
   * route-initial.c): how the router placed the application that got it. */
  SipRoutingRegion region;
  SipRoutingDirective directive;
  char *subscriber_uri;             /* text, or NULL */
  SipURI *subscriber_uri_parsed;    /* parsed lazily */
  char *initial_popped_route;       /* the Route naming us when it arrived */
  SipURI *initial_popped_route_uri; /* parsed lazily */
  GVariant *router_state;           /* the router's state for the next step */
  gpointer auth_info;               /* UAC: sipservlet_request_set_auth_info() (lib/ua/
                                     * client-auth.c), released with auth_info_free */
  GDestroyNotify auth_info_free;
};

struct _SipServletResponse {
  SipServletMessage base;
  SipServletRequest *request;       /* owned reference */
  SipProxyBranch *branch;           /* proxied responses: their branch, not owned; NULL
                                     * once the branch is freed (lib/proxy/branch.c) */
  SipServletRequest *branch_keeper; /* the proxy's request, owned by a response its
                                     * branch let go of, so that branch stays valid */
  guint sent : 1;
  guint branch_response : 1;
  guint extra_2xx : 1;              /* B2BUA: another 2xx after the first one */
  guint acked : 1;                  /* UAC: an ACK was created for this 2xx */
  guint pracked : 1;                /* UAC: a PRACK was created for this 1xx */
  guint reliable : 1;               /* UAS: sent reliably */
};

/* What the role that took a request over (the proxy, lib/proxy/) does
 * when the layers below need it: they call through this table, set with
 * the role, and so depend on no role. */
typedef struct _SipsvRequestRole {
  /* The request is being freed: free the role's state. */
  void (*finalize) (gpointer role);
  /* A CANCEL matched the request's server transaction (NTA answered it
   * 200): TRUE when the role answers the request itself (a proxy fans
   * the CANCEL out and relays the 487s), FALSE for the UAS's 487. */
  gboolean (*on_cancel) (gpointer role, sip_t const *cancel);
  /* A final response went upstream for the request: the servlet's own,
   * the role's, or the UAS's 487 to a CANCEL. */
  void (*on_final_sent) (gpointer role);
} SipsvRequestRole;

/* Drops the second and later copies of headers that may occur once (two
 * User-Agent) from a received msg: sofia's parser lists them with the bad
 * headers, and msg_copy() of such a message (a proxy branch's request)
 * fails an assertion when sent (sofia-sip 1.12.11). */
void sipsv_message_drop_repeated_headers (msg_t *msg, sip_t *sip);

/* The Request-URI of sip as a SipURI, NULL with error set when our parser
 * refuses what sofia's accepted (a host with a '~', say). */
SipURI *sipsv_request_parse_uri (const sip_t *sip, GError **error);

/* Construction (the message takes over one reference of msg). */
SipServletRequest *sipsv_request_new (SipContainer *container, msg_t *msg,
                                      gboolean incoming);
SipServletResponse *sipsv_response_new (SipContainer *container, msg_t *msg,
                                        SipServletRequest *request,
                                        gboolean incoming);
void sipsv_message_set_session (SipServletMessage *message, SipSession *session);
void sipsv_message_set_source (SipServletMessage *message, msg_t *msg);


/* request-index.c: requests by key (merged-request detection). A request
 * added takes the key and leaves the index when it is freed. */
typedef struct _SipsvRequestIndex {
  GHashTable *by_key;           /* key -> SipServletRequest, not owned */
} SipsvRequestIndex;

void sipsv_request_index_init (SipsvRequestIndex *index);
void sipsv_request_index_clear (SipsvRequestIndex *index);
SipServletRequest *sipsv_request_index_find (SipsvRequestIndex *index, const char *key);
void sipsv_request_index_add (SipsvRequestIndex *index, SipServletRequest *request, char *key);
void sipsv_request_index_remove (SipServletRequest *request);

/* build.c: a new request from text parts (routes: Route values in order,
 * contact: NULL for none), NULL when sofia refuses one of them; and a
 * request within the transaction of of (a request or its response): its
 * From, To, Call-ID and CSeq number, Max-Forwards 70, and with with_route
 * its Route (ACK and CANCEL, RFC 3261 §17.1.1.3 and §9.1). */
msg_t *sipsv_message_build_request (SipsvStack *stack, const char *method, const char *ruri,
                                    const char *from, const char *to, const char *call_id,
                                    guint32 cseq, GPtrArray *routes, const char *contact);
msg_t *sipsv_message_build_in_transaction (SipsvStack *stack, sip_t const *of,
                                           sip_method_t method, const char *method_name,
                                           const url_string_t *ruri, gboolean with_route);
/* build.c: the first request of a B2BUA's other leg, from the received
 * one (original): its method and Request-URI, its From with @tag for
 * ours and its To without a tag, as sofia parsed them; a new @call_id,
 * CSeq 1, Max-Forwards 70 and @contact (NULL for none). NULL when sofia
 * refuses a part. */
msg_t *sipsv_message_build_leg (SipsvStack *stack, sip_t const *original, const char *call_id,
                                const char *tag, const char *contact);

/* Inserts h before the existing headers of its (known) class. */
void sipsv_message_insert_first (SipServletMessage *message, msg_header_t *h);

/* Formats a header (value only) in the message's home. */
const char *sipsv_header_value (msg_t *msg, const msg_header_t *h);

/* Formats a header (value only) as a new string (g_free()), with
 * ";tag=" @tag appended when @tag is not NULL (a session's own party):
 * one allocation, nothing left in the message's home. */
char *sipsv_header_value_dup (const msg_header_t *h, const char *tag);

/* Reason phrase for a status, or "Unknown". */
const char *sipsv_status_phrase (guint status);

/* Headers the container manages (JSR 289 §4.1.2 system headers). */
gboolean sipsv_is_system_header (SipServletMessage *message, msg_hclass_t *hc);

#define SIPSV_REQUEST(m) ((SipServletRequest *) (m))
#define SIPSV_RESPONSE(m) ((SipServletResponse *) (m))
