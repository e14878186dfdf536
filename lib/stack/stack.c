/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - stack glue: sofia-sip NTA inside a GMainContext. */
#include "config-private.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <stdio.h>

#include "stack/stack-private.h"
#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/sresolv.h>

/* sofia's per-module log objects are exported but not declared publicly. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

/* Socket buffers for UDP: the 212 KB default overflows first under load
 * (sofia-notes §3.3), so ask for 4 MiB. */
#define SIPSV_UDP_BUFFER (4u * 1024u * 1024u)
/* Largest message accepted: a UDP datagram's worth. */
#define SIPSV_MAX_MESSAGE (64u * 1024u)
/* Bytes preallocated with every message for its parsed headers: one
 * malloc instead of one per header (sofia allocates each on the message's
 * home). A call's INVITE and its 200 with SDP outgrow 2048: 4096 saved
 * ~4.8k instructions per proxied call (bench/run.sh; NEWS). */
#define SIPSV_MESSAGE_PRELOAD 4096u
/* How long a TCP peer may take to complete a message it started. */
#define SIPSV_INCOMPLETE_TIMEOUT_MS 16000u
#define SIPSV_IDLE_TIMEOUT_MS       600000u

static GMutex global_lock;
static guint global_refs;

/* sofia-sip-glib's source is used with two of its functions wrapped:
 *
 * - prepare: it rounds the time to its next timer down to whole
 *   milliseconds and reports itself ready when that gives 0, although its
 *   dispatch fires only timers that are due: while a timer is less than
 *   1 ms away the main loop would spin (poll with timeout 0, ~150,000 times
 *   a second while NTA's transaction timers come due under load, a third of
 *   a core). "Ready" becomes "poll for at most 1 ms": the source's check
 *   still reports due timers and queued messages after the poll, so nothing
 *   is lost.
 *   Sofia's timers are also put on a grid: the wakeup for the next one is
 *   moved to the next SIPSV_TIMER_GRID_MS boundary of the monotonic clock,
 *   so timers due close together (a call's retransmission and cleanup
 *   timers, those of many calls under load) fire in one iteration instead
 *   of one poll each. A timer fires at most one grid step late; messages
 *   still wake the loop at once.
 * - dispatch: after sofia's work, the container's deferred work runs in the
 *   same iteration (SipsvStack.after_dispatch) instead of from idle sources
 *   that each cost an iteration and a poll.
 *
 * Every su_glib root shares sofia's one static GSourceFuncs, so one copy of
 * it serves every stack. */
static GSourceFuncs wrapped_funcs;
static gboolean (*sofia_prepare) (GSource *source, gint *timeout);
static gboolean (*sofia_dispatch) (GSource *source, GSourceFunc callback, gpointer data);

/* The grid of sofia's timer wakeups, ms: 20 saved 2.8 polls and ~10k
 * instructions per proxied call (bench/run.sh; NEWS); RFC 3261's timers
 * (T1 = 500 ms) do not notice. */
#define SIPSV_TIMER_GRID_MS 20

static gboolean
prepare_without_spin (GSource *source, gint *timeout)
{
  gboolean due = sofia_prepare (source, timeout);

  if (!due && *timeout < 0)
    return FALSE;                       /* no timer */
  gint64 now_ms = g_source_get_time (source) / 1000;
  gint64 at = now_ms + (due ? 1 : *timeout);
  gint64 on_grid = (at + SIPSV_TIMER_GRID_MS - 1) / SIPSV_TIMER_GRID_MS * SIPSV_TIMER_GRID_MS;
  *timeout = (gint) MAX (on_grid - now_ms, 1);
  return FALSE;
}

/* callback and data are what wrap_sofia_source() set with
 * g_source_set_callback(): the link. */
static gboolean
dispatch_then_deferred_work (GSource *source, GSourceFunc callback, gpointer data)
{
  SipsvStackLink *link = g_rc_box_acquire (data);
  SipsvStack *stack = link->stack;

  (void) callback;
  if (stack != NULL)
    stack->dispatching = TRUE;
  sofia_dispatch (source, NULL, NULL);
  stack = link->stack;
  if (stack != NULL)
    {
      if (stack->after_dispatch != NULL)
        stack->after_dispatch (stack->after_dispatch_data);
      if (link->stack != NULL)
        stack->dispatching = FALSE;
    }
  g_rc_box_release (link);
  return G_SOURCE_CONTINUE;
}

static gboolean
never_called (gpointer data)
{
  (void) data;
  g_return_val_if_reached (G_SOURCE_CONTINUE);
}

static void
wrap_sofia_source (SipsvStack *stack)
{
  static gsize once;
  GSource *source = stack->source;

  if (g_once_init_enter (&once))
    {
      wrapped_funcs = *source->source_funcs;
      sofia_prepare = wrapped_funcs.prepare;
      sofia_dispatch = wrapped_funcs.dispatch;
      wrapped_funcs.prepare = prepare_without_spin;
      wrapped_funcs.dispatch = dispatch_then_deferred_work;
      g_once_init_leave (&once, 1);
    }
  g_return_if_fail (source->source_funcs->prepare == sofia_prepare);
  source->source_funcs = &wrapped_funcs;
  stack->link = g_rc_box_new0 (SipsvStackLink);
  stack->link->stack = stack;
  g_source_set_callback (source, never_called, g_rc_box_acquire (stack->link),
                         (GDestroyNotify) g_rc_box_release);
}

/* sofia's default log carries the transport's message trace (trace.c)
 * besides the odd message of its own. */
static void
default_log_to_glib (void *stream, char const *fmt, va_list ap)
{
  char *text = g_strdup_vprintf (fmt, ap);
  if (!sipsv_stack_trace_piece (text))
    {
      g_strchomp (text);
      if (text[0] != '\0')
        g_debug ("sofia: %s", text);
    }
  g_free (text);
}

static void
log_to_glib (void *stream, char const *fmt, va_list ap)
{
  char *text = g_strdup_vprintf (fmt, ap);
  g_strchomp (text);
  if (text[0] != '\0')
    g_debug ("sofia: %s", text);
  g_free (text);
}

void
sipsv_stack_global_ref (void)
{
  g_mutex_lock (&global_lock);
  if (global_refs++ == 0)
    {
      su_init ();
      /* sofia prints to stderr by default, even during root creation. */
      su_log_redirect (su_log_default, default_log_to_glib, NULL);
      su_log_redirect (nta_log, log_to_glib, NULL);
      su_log_redirect (tport_log, log_to_glib, NULL);
    }
  g_mutex_unlock (&global_lock);
}

void
sipsv_stack_global_unref (void)
{
  g_mutex_lock (&global_lock);
  if (--global_refs == 0)
    su_deinit ();
  g_mutex_unlock (&global_lock);
}

/* The agent's message callback: every request and stray response that
 * no transaction took, before anything answers it. */
static int
guard_then_deliver (nta_agent_magic_t *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
  SipsvStack *stack = (SipsvStack *) magic;

  if (sip != NULL)
    sipsv_stack_guard_via (msg, sip);
  if (sip != NULL && !sipsv_stack_is_local (stack, msg))
    {
      if (sip->sip_status != NULL)
        sipsv_metrics_response_received (&stack->metrics, sip->sip_status->st_status);
      else
        sipsv_metrics_request_received (&stack->metrics, sip);
    }
  return stack->on_message (stack->on_message_magic, agent, msg, sip);
}

gboolean
sipsv_stack_init (SipsvStack *stack, GMainContext *context,
                  nta_message_f *callback, nta_agent_magic_t *magic,
                  GError **error)
{
  /* sofia's resolver reads this file (resolv.conf syntax; "port N" sets
   * the servers' port) instead of /etc/resolv.conf. */
  const char *resolv_conf = g_getenv ("SIPSERVLET_RESOLV_CONF");

  memset (stack, 0, sizeof *stack);
  stack->on_message = callback;
  stack->on_message_magic = magic;
  stack->max_name_lookups = sipsv_stack_max_name_lookups ();
  sipsv_stack_global_ref ();
  stack->listen_points = g_array_new (FALSE, TRUE, sizeof (SipsvListenPoint));
  g_snprintf (stack->stateless_tag, sizeof stack->stateless_tag, "sl%08x", g_random_int ());

  stack->root = su_glib_root_create (NULL);
  if (stack->root == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot create the sofia-sip event root");
      sipsv_stack_global_unref ();
      sipsv_stack_clear_listen_points (stack);
      return FALSE;
    }
  stack->source = su_glib_root_gsource (stack->root);
  wrap_sofia_source (stack);
  /* GLib blocks a non-recursive source while dispatching it by removing its
   * poll fds and adding them back afterwards, and adding a poll fd wakes the
   * context: every dispatch of this source would cost an eventfd write and
   * an extra loop iteration. Nothing here iterates the context from inside
   * a callback (doc/threading-and-lifetime.md), so recursion cannot happen. */
  g_source_set_can_recurse (stack->source, TRUE);
  g_source_attach (stack->source, context);

  if (resolv_conf != NULL && *resolv_conf == '\0')
    resolv_conf = NULL;
  stack->agent = nta_agent_create (stack->root, (url_string_t *) -1 /* no transport yet */,
                                   guard_then_deliver, (nta_agent_magic_t *) stack,
                                   NTATAG_UA (0),
                                   NTATAG_CANCEL_487 (0),
                                   NTATAG_SERVER_RPORT (1),
                                   NTATAG_CLIENT_RPORT (1),
                                   NTATAG_MAX_PROCEEDING (100000),
                                   NTATAG_UDP_MTU (65535),
                                   /* Larger messages get 413 (RFC 3261 §21.4.11). */
                                   NTATAG_MAXSIZE (SIPSV_MAX_MESSAGE),
                                   NTATAG_TAG_3261 (1),
                                   /* Parsed headers keep their received text, so a forwarded
                                    * message re-encodes only what was changed or added
                                    * (sofia otherwise encodes every header again on send). */
                                   NTATAG_SIPFLAGS (MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY),
                                   NTATAG_PRELOAD (SIPSV_MESSAGE_PRELOAD),
                                   TAG_IF (resolv_conf != NULL, SRESTAG_RESOLV_CONF (resolv_conf)),
                                   TAG_END ());
  if (stack->agent == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot create the SIP transaction agent");
      sipsv_stack_clear (stack);
      return FALSE;
    }
  return TRUE;
}

void
sipsv_stack_set_after_dispatch (SipsvStack *stack, void (*func) (gpointer data), gpointer data)
{
  stack->after_dispatch = func;
  stack->after_dispatch_data = data;
}

void
sipsv_stack_clear (SipsvStack *stack)
{
  if (stack->agent != NULL)
    nta_agent_destroy (stack->agent);
  stack->agent = NULL;
  if (stack->root != NULL)
    {
      /* Detach first, then destroy the root: su_root_destroy alone leaves
       * both attached to the context (sofia-notes §3.2). */
      if (stack->link != NULL)
        stack->link->stack = NULL;
      g_clear_pointer (&stack->link, g_rc_box_release);
      g_source_destroy (stack->source);
      su_root_destroy (stack->root);
      stack->root = NULL;
      stack->source = NULL;
      sipsv_stack_global_unref ();
    }
  sipsv_stack_clear_listen_points (stack);
  sipsv_stack_clear_tls (stack);
}

/* NTA writes a socket's identity into its Via as a comment ("(sipsv0)"),
 * which RFC 3261's Via grammar does not have: drop it from the Via
 * templates the sockets carry (their magic, NTA's own copies). */
static void
hide_identities (SipsvStack *stack)
{
  for (tport_t *tp = tport_primaries (nta_agent_tports (stack->agent)); tp != NULL;
       tp = tport_next (tp))
    for (sip_via_t *v = (sip_via_t *) tport_magic (tp); v != NULL; v = v->v_next)
      v->v_comment = NULL;
}

/* Finds a port that is free for both UDP and TCP on host right now. */
static guint16
pick_free_port (const char *host, GError **error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);
  guint16 port = 0;

  for (int attempt = 0; attempt < 20 && port == 0; attempt++)
    {
      GSocketAddress *any = g_inet_socket_address_new (addr, 0);
      GSocket *udp = g_socket_new (g_inet_address_get_family (addr),
                                   G_SOCKET_TYPE_DATAGRAM,
                                   G_SOCKET_PROTOCOL_UDP, error);
      GSocket *tcp = NULL;
      guint16 candidate = 0;

      if (udp != NULL && g_socket_bind (udp, any, FALSE, error))
        {
          GSocketAddress *bound = g_socket_get_local_address (udp, error);
          if (bound != NULL)
            {
              candidate = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
              g_object_unref (bound);
            }
        }
      if (candidate != 0)
        {
          GSocketAddress *same = g_inet_socket_address_new (addr, candidate);
          tcp = g_socket_new (g_inet_address_get_family (addr),
                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                              NULL);
          if (tcp != NULL && g_socket_bind (tcp, same, FALSE, NULL))
            port = candidate;
          g_object_unref (same);
        }
      g_clear_object (&tcp);
      g_clear_object (&udp);
      g_object_unref (any);
      if (error != NULL && *error != NULL)
        break;
    }
  g_object_unref (addr);
  if (port == 0 && error != NULL && *error == NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_BIND,
                 "no free port on %s", host);
  return port;
}

/* The addresses of family (AF_INET, AF_INET6) the host has now, as sofia
 * itself enumerates them for a wildcard: interfaces that are up, without
 * IPv6 link-local addresses (they need a scope to be reached). */
static GPtrArray *
local_addresses (int family)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func (g_free);
  struct ifaddrs *list = NULL;

  if (getifaddrs (&list) != 0)
    return hosts;
  for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next)
    {
      char host[INET6_ADDRSTRLEN];
      const void *addr;

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family || !(i->ifa_flags & IFF_UP))
        continue;
      if (family == AF_INET)
        addr = &((struct sockaddr_in *) i->ifa_addr)->sin_addr;
      else
        {
          const struct in6_addr *a6 = &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr;
          if (IN6_IS_ADDR_LINKLOCAL (a6) || IN6_IS_ADDR_V4MAPPED (a6))
            continue;
          addr = a6;
        }
      if (inet_ntop (family, addr, host, sizeof host) == NULL)
        continue;
      gboolean seen = FALSE;
      for (guint k = 0; k < hosts->len && !seen; k++)
        seen = strcmp (hosts->pdata[k], host) == 0;
      if (!seen)
        g_ptr_array_add (hosts, g_strdup (host));
    }
  freeifaddrs (list);
  return hosts;
}

/* Binds one concrete address. Every socket gets an identity of its own
 * (TPTAG_IDENT): it is what lets a client transaction be pinned to one
 * socket (see sipsv_stack_route_primary()), since NTA picks its socket by
 * protocol, family and identity only. */
static int
bind_address (SipsvStack *stack, const char *host, guint16 port, gboolean udp, gboolean tcp,
              gboolean tls, const char *advertise)
{
  gboolean v6 = strchr (host, ':') != NULL;
  gboolean adv_v6 = advertise != NULL && strchr (advertise, ':') != NULL;
  /* NTA binds TLS for a sips: URI only (a sip: one offers udp, tcp and
   * sctp, whatever its transport parameter says). */
  const char *scheme = tls ? "sips" : "sip";
  const char *transport = tls ? "" : udp && tcp ? "" : udp ? ";transport=udp" : ";transport=tcp";
  char ident[32];
  char *url;
  int rc;

  /* With an advertised name, sofia binds to maddr and uses the host part
   * as the name in Via and in its tport names. */
  if (advertise != NULL)
    url = g_strdup_printf ("%s:%s%s%s:%u;maddr=%s%s%s%s", scheme, adv_v6 ? "[" : "",
                           advertise, adv_v6 ? "]" : "", port, v6 ? "[" : "", host,
                           v6 ? "]" : "", transport);
  else
    url = g_strdup_printf ("%s:%s%s%s:%u%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "", port,
                           transport);
  g_snprintf (ident, sizeof ident, "sipsv%u", stack->next_ident++);
  if (tls)
    sipsv_stack_tls_capture_begin (stack);
  rc = nta_agent_add_tport (stack->agent, URL_STRING_MAKE (url),
                            TPTAG_IDENT (ident),
                            TPTAG_UDP_RMEM (SIPSV_UDP_BUFFER),
                            TPTAG_UDP_WMEM (SIPSV_UDP_BUFFER),
                            TPTAG_QUEUESIZE (1024),
                            /* A stream peer that stops mid-message is
                             * cut off instead of holding the socket. */
                            TPTAG_TIMEOUT (SIPSV_INCOMPLETE_TIMEOUT_MS),
                            /* A connection that carries nothing (not even
                             * keep-alives) goes: no socket held forever. */
                            TPTAG_IDLE (SIPSV_IDLE_TIMEOUT_MS),
                            /* RFC 5626 §3.5.1: a CRLFCRLF ping on a
                             * connection is answered with a CRLF pong. */
                            TPTAG_PONG2PING (1),
                            /* TLS: the files (tls.c); the certificate of a
                             * peer we connect to must chain to a trusted CA
                             * and name the host we connect to; peers that
                             * connect to us are not asked for one. */
                            TAG_IF (tls, TPTAG_CERTIFICATE (stack->tls_dir)),
                            TAG_IF (tls, TPTAG_TLS_VERIFY_POLICY (TPTLS_VERIFY_SUBJECTS_OUT)),
                            TAG_END ());
  if (tls)
    sipsv_stack_tls_capture_end (stack, rc == 0);
  g_free (url);
  if (rc == 0)
    hide_identities (stack);
  return rc;
}

guint16
sipsv_stack_listen (SipsvStack *stack, const char *host, guint16 port,
                    gboolean udp, gboolean tcp, gboolean tls, const char *advertise,
                    GError **error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);
  g_autoptr (GPtrArray) hosts = NULL;
  const char *failed = host;

  if (addr == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an IPv4 or IPv6 address", host);
      return 0;
    }
  if (tls && stack->tls_dir == NULL)
    {
      g_object_unref (addr);
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "cannot listen on %s with TLS: no certificate was set "
                   "(sipservlet_container_set_tls_files())", host);
      return 0;
    }
  /* A wildcard is bound here as sofia would bind it (one socket per
   * address), but each with its own identity. */
  if (g_inet_address_get_is_any (addr))
    hosts = local_addresses (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6
                             ? AF_INET6 : AF_INET);
  else
    {
      hosts = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (hosts, g_strdup (host));
    }
  g_object_unref (addr);
  if (hosts->len == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_BIND,
                   "cannot listen on %s: the host has no address of that family", host);
      return 0;
    }

  /* Port 0: choose one that both transports (and, for a wildcard, every
   * address) can share, then bind it; a race with another process is
   * possible, so retry a few times. */
  for (int attempt = 0; attempt < 5; attempt++)
    {
      guint16 want = port;
      guint bound = 0;

      if (want == 0 && (want = pick_free_port (host, error)) == 0)
        return 0;
      for (; bound < hosts->len; bound++)
        if (bind_address (stack, hosts->pdata[bound], want, udp, tcp, tls, advertise) != 0)
          {
            failed = hosts->pdata[bound];
            break;
          }
      if (bound == hosts->len)
        {
          sipsv_stack_add_listen_point (stack, host, want, udp, tcp, tls, advertise);
          return want;
        }
      /* Sockets bound for some addresses of a wildcard stay: sofia cannot
       * close one. Only a fixed port's failure can leave them. */
      if (port != 0 || bound > 0)
        break;
    }
  g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_BIND,
               "cannot listen on %s port %u (%s%s%s%s): %s", failed, port,
               udp ? "udp" : "", udp && tcp ? "+" : "", tcp ? "tcp" : "", tls ? "tls" : "",
               g_strerror (errno));
  return 0;
}

void
sipsv_stack_reply (SipsvStack *stack, msg_t *msg, int status, const char *phrase,
                   const char *extra_headers)
{
  sip_t *sip = sip_object (msg);

  if (sip != NULL && sip->sip_record_route != NULL)
    msg_header_remove_all (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_record_route);
  /* The answer copies the request's To: tag it for the ACK to come back. */
  if (sip != NULL && status >= 300 && sip->sip_request != NULL
      && sip->sip_request->rq_method == sip_method_invite && sip->sip_to != NULL
      && sip->sip_to->a_tag == NULL)
    sip_to_tag (msg_home (msg), sip->sip_to, stack->stateless_tag);
  if (msg == stack->local.msg && msg != NULL)
    {
      /* Delivered in process: the answer goes back the way it came, or
       * nowhere (reply NULL: an ACK or CANCEL, which have none). */
      msg_t *response = stack->local.reply != NULL
                            ? sipsv_stack_response_to (stack, msg, status, phrase)
                            : NULL;
      if (response != NULL && extra_headers != NULL)
        sip_add_tl (response, sip_object (response), SIPTAG_HEADER_STR (extra_headers), TAG_END ());
      if (response != NULL)
        stack->local.reply (stack->local.data, response);
      stack->local.msg = NULL;
      msg_destroy (msg);
      return;
    }
  if (nta_msg_treply (stack->agent, msg, status, phrase,
                      TAG_IF (extra_headers != NULL, SIPTAG_HEADER_STR (extra_headers)),
                      TAG_END ()) == 0)
    sipsv_metrics_response_sent (&stack->metrics, status);
}

gsize
sipsv_stack_transaction_count (SipsvStack *stack)
{
  usize_t irqs = 0, orqs = 0;
  nta_agent_get_stats (stack->agent, NTATAG_S_IRQ_HASH_USED_REF (irqs),
                       NTATAG_S_ORQ_HASH_USED_REF (orqs), TAG_END ());
  return irqs + orqs;
}

gboolean
sipsv_stack_is_stateless_tag (SipsvStack *stack, const char *to_tag)
{
  return to_tag != NULL && strcmp (to_tag, stack->stateless_tag) == 0;
}

gboolean
sipsv_stack_set_timer_j (SipsvStack *stack, guint msec, GError **error)
{
#ifdef NTATAG_TIMER_J
  /* NTA caps its timers at NTA_TIME_MAX; a day is far below it and far
   * beyond any use. */
  if (msec > 24 * 3600 * 1000)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "timer J of %u ms is longer than a day", msec);
      return FALSE;
    }
  nta_agent_set_params (stack->agent, NTATAG_TIMER_J (msec), TAG_END ());
  return TRUE;
#else
  (void) stack;
  g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_NOT_SUPPORTED,
               "timer J cannot be set apart from 64*T1 with this sofia-sip "
               "(it needs the bundled build, -Dsofia=bundled)");
  return FALSE;
#endif
}

guint
sipsv_stack_t1 (SipsvStack *stack)
{
  unsigned t1 = 500;
  nta_agent_get_params (stack->agent, NTATAG_SIP_T1_REF (t1), TAG_END ());
  return t1;
}
