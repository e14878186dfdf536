/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - stack glue: sofia-sip NTA inside a GMainContext.
 *
 * The only place (with lib/message/ and the roles that drive transactions)
 * that creates agents, binds transports and owns the su_root. The agent
 * runs in proxy mode (NTATAG_UA(0)): the container does the UA-only parts
 * itself (2xx retransmission, ACK re-send), see lib/ua/.
 */
#pragma once

#include <glib.h>
#include <sofia-sip/su_glib.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/msg_mclass.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_util.h>

/* An entry of the runtime's list of objects kept until shutdown (see
 * sipsv_runtime_keep()), embedded in its owner: no allocation per entry,
 * O(1) to add and remove. Plain GLib, defined here so that the message
 * layer can embed one in a request. */
typedef struct {
  GList link;                   /* first; link.data is the owner */
  GDestroyNotify abandon;
  gboolean listed;
} SipsvKept;

/* A bound listening point: the address as bound (IPv6 without brackets),
 * the name it advertises instead (NULL: none), the port, and its
 * transports. Aliases use the same record (port 0: any port). */
typedef struct {
  char *host;
  char *advertise;
  guint16 port;
  guint udp : 1;
  guint tcp : 1;
  guint tls : 1;
} SipsvListenPoint;

/* The reply function of a request delivered in process (local.c): gets
 * each answer the stack would have sent statelessly (taken). */
typedef void (*SipsvLocalReply) (gpointer data, msg_t *response);

typedef struct {
  msg_t *msg;                   /* the request being delivered, or NULL */
  SipsvLocalReply reply;
  gpointer data;
} SipsvLocalDelivery;

/* metrics.c: what the container counts for /metrics (the names and
 * their meaning are API: doc/operations.md). Requests and responses are
 * counted where they cross the network; NTA's own figures are read from it
 * (sipsv_stack_get_stats()). */
#define SIPSV_METRIC_METHODS 15         /* 14 methods and "other" */
#define SIPSV_METRIC_SETUP_BUCKETS 11

/* What a call set-up time is observed for: INVITE received to its first
 * 2xx sent upstream, by the role that answered. */
typedef enum {
  SIPSV_SETUP_PROXY,
  SIPSV_SETUP_B2BUA,
  SIPSV_SETUP_KINDS,
} SipsvSetupKind;

typedef struct {
  guint64 buckets[SIPSV_METRIC_SETUP_BUCKETS]; /* cumulative, as Prometheus wants */
  guint64 count;
  double sum;                                  /* seconds */
} SipsvSetupHistogram;

typedef struct {
  guint64 requests_received[SIPSV_METRIC_METHODS]; /* from the network, new
                                                   * transactions and ACKs */
  guint64 responses_sent[6];      /* by class: [0] 1xx ... [5] 6xx */
  guint64 responses_received[6];
  guint64 auth_failures;          /* requests challenged or refused for their credentials */
  guint64 shed;                   /* requests refused or dropped by overload control */
  guint64 proxy_branches;         /* client transactions a proxy started */
  SipsvSetupHistogram setup[SIPSV_SETUP_KINDS];
} SipsvMetrics;

/* What NTA counts, read at scrape time. */
typedef struct {
  guint64 server_transactions;    /* alive now */
  guint64 client_transactions;
  guint64 retransmissions_received;
  guint64 retransmissions_sent;   /* requests and responses */
  guint64 parse_errors;           /* messages sofia could not parse or use */
} SipsvStackStats;

extern const double sipsv_metrics_setup_bounds[SIPSV_METRIC_SETUP_BUCKETS];

typedef struct {
  su_root_t *root;
  GSource *source;
  nta_agent_t *agent;
  /* TRUE while sofia's source is dispatched and while after_dispatch runs:
   * work queued then is run by after_dispatch, in the same main-loop
   * iteration, without a GSource of its own. */
  gboolean dispatching;
  void (*after_dispatch) (gpointer data);
  gpointer after_dispatch_data;
  struct _SipsvStackLink *link;   /* the source's way back to this stack */
  GArray *listen_points;          /* SipsvListenPoint, in the order bound */
  GArray *aliases;                /* SipsvListenPoint, or NULL */
  GArray *self;                   /* what "us" is, see listen-points.c */
  guint next_ident;               /* for the next socket's TPTAG_IDENT */
  tport_t *only_udp, *only_tcp;   /* the one socket of that transport, or NULL
                                   * (none, or several) */
  GHashTable *route_cache;        /* "proto host" -> primary, see
                                   * sipsv_stack_route_primary(); or NULL */
  GHashTable *contact_headers;    /* our Contact texts -> parsed, in
                                   * contact_home; see
                                   * sipsv_stack_contact_header(); or NULL */
  su_home_t *contact_home;
  char stateless_tag[16];         /* To-tag of sipsv_stack_reply()'s answers to
                                   * INVITE, which recognises their ACK */
  char *tls_dir;                  /* sofia's TLS directory (tls.c), or NULL */
  char *tls_files[3];             /* its certificate, key (or NULL) and CA
                                   * files (or NULL: the system's), for reloads */
  GPtrArray *tls_contexts;        /* the SSL_CTX of each TLS socket (a
                                   * reference of ours), or NULL */
  guint tls_capture_mark;         /* its length before the bind going on */
  nta_message_f *on_message;      /* the agent's message callback and its */
  nta_agent_magic_t *on_message_magic; /* magic, behind sipsv_stack_guard_via() */
  guint name_lookups;             /* requests to host names not answered yet */
  guint max_name_lookups;         /* ... and how many may be (names.c) */
  SipsvLocalDelivery local;       /* the request delivered in process now (local.c) */
  SipsvMetrics metrics;           /* metrics.c */
} SipsvStack;

/* The source's callback data, and the way back to the stack of whatever
 * may outlive it (names.c): reference counted, because a callback may
 * destroy the stack (its container) while sofia dispatches; the link then
 * says so (stack NULL) instead of pointing at freed memory. */
typedef struct _SipsvStackLink {
  SipsvStack *stack;
} SipsvStackLink;

/* su_init()/su_deinit() reference counting and log redirection to g_log. */
void sipsv_stack_global_ref (void);
void sipsv_stack_global_unref (void);

gboolean sipsv_stack_init (SipsvStack *stack, GMainContext *context,
                           nta_message_f *callback, nta_agent_magic_t *magic,
                           GError **error);
void sipsv_stack_clear (SipsvStack *stack);

/* Sets the function run after every dispatch of sofia's source (every
 * batch of network events and sofia timers), outside any sofia callback. */
void sipsv_stack_set_after_dispatch (SipsvStack *stack, void (*func) (gpointer data),
                                     gpointer data);

/* Binds host:port (port 0: a free port, the same for UDP and TCP); with
 * advertise (a host name or IP, or NULL), that name goes into Via,
 * Record-Route and Contact instead of the bound address (sofia's maddr).
 * tls: a TLS socket (alone: never with udp or tcp, which would want the
 * same port), with the files of sipsv_stack_set_tls_files().
 * Returns the bound port, 0 with an error. */
guint16 sipsv_stack_listen (SipsvStack *stack, const char *host, guint16 port,
                            gboolean udp, gboolean tcp, gboolean tls, const char *advertise,
                            GError **error);

/* tls.c: checks the certificate (with its chain), key (NULL: in the
 * certificate file) and CA files and builds sofia's TLS directory from
 * them, for the TLS sockets bound after this call; ca_file NULL: the
 * system's CA bundle. Errors name the file. */
gboolean sipsv_stack_set_tls_files (SipsvStack *stack, const char *cert_file,
                                    const char *key_file, const char *ca_file, GError **error);
/* Reads the files of sipsv_stack_set_tls_files() again and puts them in
 * force on the TLS sockets open now (the connections they accept or
 * open from now on) and on those bound later. Connections up keep what
 * they were set up with. On error nothing changes. */
gboolean sipsv_stack_reload_tls (SipsvStack *stack, GError **error);
/* Around the binding of a TLS socket: sofia creates its SSL_CTX inside
 * nta_agent_add_tport(), and gives no way to reach it later; OpenSSL
 * tells us of every SSL_CTX created, so the stack keeps the ones made
 * while it binds. @bound FALSE: the bind failed, forget them. */
void sipsv_stack_tls_capture_begin (SipsvStack *stack);
void sipsv_stack_tls_capture_end (SipsvStack *stack, gboolean bound);
/* Removes that directory and forgets the files and contexts. */
void sipsv_stack_clear_tls (SipsvStack *stack);
/* Whether a request to url (a next hop) goes over TLS: a sips: URI, or
 * transport=tls. */
gboolean sipsv_stack_url_is_tls (const url_t *url);
/* Whether tp (a primary or a connection) is a TLS socket. */
gboolean sipsv_stack_tport_is_tls (tport_t *tp);
/* Whether msg (a request or response received now) came in over TLS: by
 * the socket of its server transaction irq, or of its client transaction
 * orq, else by the socket that is delivering it (valid only while sofia
 * delivers it, in its callbacks). */
gboolean sipsv_stack_received_over_tls (SipsvStack *stack, msg_t *msg, nta_incoming_t *irq,
                                        nta_outgoing_t *orq);

/* listen-points.c: the addresses this stack answers to. */
void sipsv_stack_add_listen_point (SipsvStack *stack, const char *host, guint16 port,
                                   gboolean udp, gboolean tcp, gboolean tls,
                                   const char *advertise);
void sipsv_stack_clear_listen_points (SipsvStack *stack);
/* Another name or address of ours (port 0: at any port). */
void sipsv_stack_add_alias (SipsvStack *stack, const char *host, guint16 port);
/* Rebuilds the table of what "us" is from the sockets sofia bound. */
void sipsv_stack_refresh_self (SipsvStack *stack);
/* Whether host (IPv6 with or without brackets) and port name us: a bound
 * socket's address, an advertised name or an alias. */
gboolean sipsv_stack_host_is_self (SipsvStack *stack, const char *host, guint16 port);
/* Whether a sip: or sips: URI names us (the port defaults to 5060, 5061
 * for sips). */
gboolean sipsv_stack_url_is_self (SipsvStack *stack, const url_t *url);
/* Our Contact, "<sip:host:port[;transport=tcp|tls]>": of the first listening
 * point, or of the one a request came in on. */
char *sipsv_stack_contact (SipsvStack *stack);
char *sipsv_stack_contact_for (SipsvStack *stack, nta_incoming_t *irq);
/* The Contact naming one socket (a primary tport). */
char *sipsv_stack_contact_of (SipsvStack *stack, tport_t *primary);
/* A Contact of ours ("<sip:...;transport=tls>") as the sips: URI of the
 * same socket, for a sips dialog (RFC 3261 §8.1.1.8, §12.1.1); a Contact
 * of a UDP or TCP socket is returned as it is. g_free() it. */
char *sipsv_stack_contact_as_sips (const char *contact);
/* @contact (one of the texts above) parsed once and kept: a request or a
 * response takes a copy (msg_header_dup_one(), or SIPTAG_CONTACT()) of
 * it instead of parsing the text again. NULL when it does not parse. The
 * header stays valid until the next call. */
sip_contact_t const *sipsv_stack_contact_header (SipsvStack *stack, const char *contact);
/* Makes msg's Contact, when it names us, name the socket tp instead (host,
 * port and transport parameter, sips: for a sips request over TLS; its
 * user and other parameters stay): a request is built with the first
 * listening point's Contact before its route is known. */
void sipsv_stack_contact_follow (SipsvStack *stack, msg_t *msg, tport_t *tp);
/* Where NTA sends msg: the explicit route (not given as text), else its
 * top Route, else its Request-URI. */
const url_t *sipsv_stack_next_hop (msg_t *msg, const url_string_t *route);
/* The socket (primary tport) a request came in on, or NULL. */
tport_t *sipsv_stack_incoming_primary (SipsvStack *stack, nta_incoming_t *irq);
/* The socket a request to next (its top Route or Request-URI) must leave
 * from: of next's transport (UDP by default) and address family; among
 * several, the one bound to the address the kernel routes from (asked once
 * per destination, cached until the sockets change), else prefer when it
 * is one of them. NULL when next names a host by name (NTA resolves it).
 * NTA left alone picks the first socket of the transport and ignores the
 * family of a bracketed IPv6 host, so an IPv6 target got an IPv4 socket
 * and EAFNOSUPPORT: requests are pinned to this one (NTATAG_TPORT). */
tport_t *sipsv_stack_route_primary (SipsvStack *stack, const url_t *next, tport_t *prefer);

/* url-params.c: URI parameters and ports. Parameters are read without
 * sofia's url_param(), which reads past the end of a parameter string
 * whose last name merely starts with the one asked for.
 *
 * Copies the value of parameter name (case-insensitive; "" for a flag)
 * into value; FALSE, value untouched, when url has no such parameter or
 * its value does not fit in size bytes. */
gboolean sipsv_stack_url_param (const url_t *url, const char *name, char *value, gsize size);
/* Whether url has parameter name, as a flag or with a value. */
gboolean sipsv_stack_url_has_param (const url_t *url, const char *name);
/* url's text, written into buf (size bytes) when it fits, else into a
 * g_malloc()ed buffer: free the result when it is not buf. NULL when
 * sofia cannot encode url. (url_as_string() encodes twice and allocates
 * from sofia's heap, for a text most callers copy at once.) */
char *sipsv_stack_url_format (const url_t *url, char *buf, gsize size);
/* url's text in a g_malloc()ed string ("" when it cannot be encoded). */
char *sipsv_stack_url_text (const url_t *url);
/* The number of a URI's or Via's port text: absent for NULL or "", more
 * than 65535 when it is not a port (G_MAXUINT for anything but digits).
 * Every request asks for it several times; strtoul() costs ~180
 * instructions a call. */
guint sipsv_stack_port_number (const char *port, guint absent);

/* names.c: host names in messages, looked up without blocking and only
 * where the RFCs ask for it.
 *
 * The bound on requests waiting for a name: SIPSERVLET_MAX_NAME_LOOKUPS,
 * or a default. */
guint sipsv_stack_max_name_lookups (void);
/* Whether sending to url (its maddr, else its host) needs a DNS lookup. */
gboolean sipsv_stack_url_needs_lookup (const url_t *url);
/* A request msg about to be sent to next: NULL when next needs no lookup;
 * otherwise it counts until the first response (through the callback and
 * magic below, which hand over to callback and magic) or until msg is
 * freed. Sets *refused, and returns NULL, when too many already wait. */
typedef struct _SipsvNameLookup SipsvNameLookup;
SipsvNameLookup *sipsv_stack_name_lookup_begin (SipsvStack *stack, msg_t *msg, const url_t *next,
                                                nta_response_f *callback,
                                                nta_outgoing_magic_t *magic,
                                                gboolean *refused);
nta_response_f *sipsv_stack_name_lookup_callback (SipsvNameLookup *lookup,
                                                  nta_response_f *callback);
nta_outgoing_magic_t *sipsv_stack_name_lookup_magic (SipsvNameLookup *lookup,
                                                     nta_response_f *callback,
                                                     nta_outgoing_magic_t *magic);
/* The request was not sent after all. */
void sipsv_stack_name_lookup_abandon (SipsvNameLookup *lookup);
/* Drops a maddr that is not an IP address from a received request's top
 * Via, so that no answer to it needs a (blocking) lookup. */
void sipsv_stack_guard_via (msg_t *msg, sip_t *sip);

/* transactions.c: NTA's calls with the container's options, for the roles
 * above (no tag lists there). The server transaction of a request that
 * matched none (msg: one reference, taken); the completion of a response
 * to it; a client transaction sending msg (one reference, taken on
 * success) to route or by its Request-URI and Route; a CANCEL of an
 * INVITE client transaction with an optional Reason header value (its
 * own transaction returned, or left to NTA); a stateless send of msg
 * (taken). */
nta_incoming_t *sipsv_stack_server_transaction (SipsvStack *stack, msg_t *msg, sip_t *sip);
int sipsv_stack_complete_response (nta_incoming_t *irq, msg_t *response, int status,
                                   const char *phrase);
nta_outgoing_t *sipsv_stack_client_transaction (SipsvStack *stack, nta_response_f *callback,
                                                nta_outgoing_magic_t *magic,
                                                const url_string_t *route, msg_t *msg);
/* As sipsv_stack_client_transaction(), sent from the socket tp (a primary
 * from sipsv_stack_route_primary(); NULL: chosen by its route). */
nta_outgoing_t *sipsv_stack_client_transaction_from (SipsvStack *stack,
                                                     nta_response_f *callback,
                                                     nta_outgoing_magic_t *magic,
                                                     const url_string_t *route, msg_t *msg,
                                                     tport_t *tp);
/* As sipsv_stack_client_transaction_from(), and the callback gets 100
 * Trying too: who holds a CANCEL until a provisional response came (RFC 3261
 * §9.1) must see it. (NTA's own delayed CANCEL is not used: its late-100
 * path asserts in sofia-sip 1.12.11, fixed upstream in fde71885.) */
nta_outgoing_t *sipsv_stack_client_transaction_with_100 (SipsvStack *stack,
                                                         nta_response_f *callback,
                                                         nta_outgoing_magic_t *magic,
                                                         const url_string_t *route,
                                                         msg_t *msg, tport_t *tp);
nta_outgoing_t *sipsv_stack_cancel_transaction (nta_outgoing_t *orq, const char *reason);
/* A CANCEL for orq that carries the headers of cancel (a CANCEL request
 * the application built and may have added to: Reason, RFC 3326) other
 * than those NTA takes from the INVITE (RFC 3261 §9.1). */
nta_outgoing_t *sipsv_stack_cancel_transaction_as (nta_outgoing_t *orq, msg_t *cancel);
void sipsv_stack_cancel (nta_outgoing_t *orq, const char *reason);
void sipsv_stack_forward (SipsvStack *stack, msg_t *msg, const url_string_t *route);
/* Whether dest (sip:IP:PORT;transport=...) can be reached without a new
 * connection: TRUE for UDP; for TCP, whether a connection to that address
 * and port is open (one the peer opened counts), which NTA reuses. */
gboolean sipsv_stack_has_connection (SipsvStack *stack, const url_t *dest);

/* Answers a request that has no server transaction, and takes msg.
 * extra_headers: "Name: value" lines (CRLF between them) to add, or NULL.
 * nta_msg_treply() copies every Record-Route of the request into the
 * response; these answers (errors, and never a dialog) carry none. */
void sipsv_stack_reply (SipsvStack *stack, msg_t *msg, int status, const char *phrase,
                        const char *extra_headers);

/* The transactions NTA holds: server and client, live or waiting for
 * their RFC 3261 timers. */
gsize sipsv_stack_transaction_count (SipsvStack *stack);

/* Sets timer J apart from 64*T1 (NTATAG_TIMER_J(), our patch 0011):
 * FALSE with SIPSERVLET_ERROR_NOT_SUPPORTED on a sofia-sip without it. */
gboolean sipsv_stack_set_timer_j (SipsvStack *stack, guint msec, GError **error);

/* Whether @to_tag is the one sipsv_stack_reply() gives its final answers
 * to an INVITE: the ACK of such an answer (RFC 3261 §17.1.1.3) is ours to
 * drop, never to route on. A stateless answer has no transaction to
 * absorb it, and without a To-tag of our own the ACK would look like any
 * other request passing through. */
gboolean sipsv_stack_is_stateless_tag (SipsvStack *stack, const char *to_tag);

/* Whether NTA made this response itself for one of our client
 * transactions (timeout, unreachable target) instead of receiving it: it
 * then marks the message NTA_INTERNAL_MSG (1 << 15 in sofia's
 * nta_internal.h, which is not installed). */
static inline gboolean
sipsv_stack_made_response (sip_t const *sip)
{
  return (sip->sip_flags & (1 << 15)) != 0;
}

/* Calls func on every header of msg (the request or status line, the
 * separator and the payload included): in the order they came when msg
 * was received (its fragment chain); a message built or copied here
 * (msg_copy(), msg_dup(): no chain until it is sent, and building one
 * early would put headers added later in the wrong places) kind by kind,
 * in sofia's order, each kind's headers in their order. */
static inline void
sipsv_stack_foreach_header (msg_t *msg, void (*func) (msg_header_t *h, gpointer data),
                            gpointer data)
{
  msg_header_t **head = msg_chain_head (msg);
  if (head != NULL && *head != NULL)
    {
      for (msg_header_t *h = *head; h != NULL; h = h->sh_succ)
        func (h, data);
      return;
    }
  msg_pub_t *pub = msg_object (msg);
  msg_header_t **end = (msg_header_t **) ((char *) pub + pub->msg_size);
  for (msg_header_t **hh = &pub->msg_request; hh < end; hh++)
    for (msg_header_t *h = *hh; h != NULL && h != MSG_HEADER_NONE; h = h->sh_next)
      func (h, data);
}

/* A Max-Forwards header with the given count (sofia has no _create). */
static inline sip_max_forwards_t *
sipsv_max_forwards_new (su_home_t *home, unsigned long count)
{
  /* Made as a value, not text to parse: sofia formats it when sending. */
  sip_max_forwards_t *mf = (sip_max_forwards_t *) msg_header_alloc (home, sip_max_forwards_class, 0);
  if (mf != NULL)
    mf->mf_count = count;
  return mf;
}

/* local.c: a request delivered inside the process (application
 * composition, lib/runtime/hop.c). deliver_local() hands msg (taken) to
 * the agent's message callback as if received, without a server
 * transaction; until it returns, local_data(msg) gives data and
 * sipsv_stack_reply() on msg builds its answer and gives it to reply
 * instead of sending it (reply NULL: the answer is dropped). */
void sipsv_stack_deliver_local (SipsvStack *stack, msg_t *msg, SipsvLocalReply reply,
                                gpointer data);
gpointer sipsv_stack_local_data (SipsvStack *stack, msg_t *msg);
static inline gboolean
sipsv_stack_is_local (SipsvStack *stack, msg_t *msg)
{
  return msg != NULL && msg == stack->local.msg;
}
/* A response to request (not taken) with the headers RFC 3261 §8.2.6.2
 * copies; NULL when out of memory. */
msg_t *sipsv_stack_response_to (SipsvStack *stack, msg_t *request, int status,
                                const char *phrase);
/* The CANCEL of an INVITE (RFC 3261 §9.1) with an optional Reason
 * header value, as a message of its own. */
msg_t *sipsv_stack_cancel_for (SipsvStack *stack, msg_t *invite, const char *reason);

/* inject.c, for tests that feed the receive path (tests/fuzz/): hands
 * data to the agent as one datagram that came from the address from on
 * the stack's UDP socket, without reading a socket: sofia parses it, NTA
 * and the message callback handle it as received, and the after-dispatch
 * work runs next, as after a read. FALSE when the stack has no UDP socket
 * or no message could be allocated. */
gboolean sipsv_stack_inject_datagram (SipsvStack *stack, const void *data, gsize length,
                                      const struct sockaddr *from, gsize from_length);

/* Timer T1 in milliseconds as the agent uses it. */
guint sipsv_stack_t1 (SipsvStack *stack);

/* trace.c: the SIP message trace. */
void sipsv_stack_set_trace (SipsvStack *stack, gboolean on);
/* A piece of sofia's default log: TRUE when it belongs to a traced
 * message (and was taken), FALSE for anything else. */
gboolean sipsv_stack_trace_piece (const char *piece);

/* metrics.c */
const char *sipsv_metrics_method_name (guint index);
/* Counts a request from the network (NULL sip or a response: nothing). */
void sipsv_metrics_request_received (SipsvMetrics *metrics, sip_t const *sip);
void sipsv_metrics_response_sent (SipsvMetrics *metrics, int status);
void sipsv_metrics_response_received (SipsvMetrics *metrics, int status);
/* A call set up: start_us is when its INVITE arrived (monotonic µs; 0:
 * unknown, nothing observed). */
void sipsv_metrics_observe_setup (SipsvMetrics *metrics, SipsvSetupKind kind, gint64 start_us);
void sipsv_stack_get_stats (SipsvStack *stack, SipsvStackStats *stats);
