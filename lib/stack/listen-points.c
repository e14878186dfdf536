/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the addresses a stack answers to: its listening points,
 * the sockets sofia bound for them, aliases, advertised names; whether a
 * URI names one of them, and the Contact it gives out.
 *
 * Here rather than in the container because the roles above need them
 * (a proxy pops the Route that names us, a UAS answers with our Contact)
 * and may not depend on the container.
 *
 * "Us" is kept as a flat table rebuilt whenever a socket is bound or an
 * alias added: sofia binds a wildcard address (0.0.0.0, ::) as one socket
 * per interface address it sees at that moment, so the wildcard itself
 * names nothing; the table holds what was really bound.
 */
#include "config-private.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "format-private.h"
#include "key-hash-private.h"
#include "stack/stack-private.h"

/* One entry of the table, and a port (0: any port, for aliases given
 * without one). IPv4 addresses and host names are kept as text (an IPv4
 * literal has one spelling: inet_pton() refuses any other), compared as
 * strings on the hot path; IPv6 addresses as bytes, since they have many. */
typedef struct _SipsvSelf {
  gboolean ipv6;
  guint8 addr[16];
  char *name;                   /* lower-case name or dotted IPv4; NULL for IPv6 */
  guint16 port;
} SipsvSelf;

void
sipsv_stack_add_listen_point (SipsvStack *stack, const char *host, guint16 port,
                              gboolean udp, gboolean tcp, gboolean tls, const char *advertise)
{
  SipsvListenPoint lp = { g_strdup (host), g_strdup (advertise), port, udp != FALSE,
                          tcp != FALSE, tls != FALSE };
  g_array_append_val (stack->listen_points, lp);
  sipsv_stack_refresh_self (stack);
}

static void
self_clear (gpointer data)
{
  g_free (((SipsvSelf *) data)->name);
}

void
sipsv_stack_clear_listen_points (SipsvStack *stack)
{
  if (stack->listen_points != NULL)
    {
      for (guint i = 0; i < stack->listen_points->len; i++)
        {
          SipsvListenPoint *lp = &g_array_index (stack->listen_points, SipsvListenPoint, i);
          g_free (lp->host);
          g_free (lp->advertise);
        }
      g_clear_pointer (&stack->listen_points, g_array_unref);
    }
  g_clear_pointer (&stack->self, g_array_unref);
  g_clear_pointer (&stack->route_cache, g_hash_table_unref);
  g_clear_pointer (&stack->contact_headers, g_hash_table_unref);
  g_clear_pointer (&stack->contact_home, su_home_unref);
  if (stack->aliases != NULL)
    {
      for (guint i = 0; i < stack->aliases->len; i++)
        g_free (g_array_index (stack->aliases, SipsvListenPoint, i).host);
      g_clear_pointer (&stack->aliases, g_array_unref);
    }
}

/* Reads host (IPv6 with or without brackets) as an IP address. */
static int
parse_ip (const char *host, gsize len, guint8 addr[16])
{
  char buf[INET6_ADDRSTRLEN + 2];

  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    host++, len -= 2;
  if (len == 0 || len >= sizeof buf)
    return 0;
  memcpy (buf, host, len);
  buf[len] = '\0';
  if (memchr (buf, ':', len) != NULL)
    return inet_pton (AF_INET6, buf, addr) == 1 ? AF_INET6 : 0;
  return inet_pton (AF_INET, buf, addr) == 1 ? AF_INET : 0;
}

static void
self_append (GArray *self, const char *host, guint16 port)
{
  SipsvSelf entry = { 0 };

  entry.port = port;
  entry.ipv6 = parse_ip (host, strlen (host), entry.addr) == AF_INET6;
  if (!entry.ipv6)
    entry.name = g_ascii_strdown (host, -1);
  g_array_append_val (self, entry);
}

void
sipsv_stack_refresh_self (SipsvStack *stack)
{
  GArray *self = g_array_new (FALSE, TRUE, sizeof (SipsvSelf));
  tport_t *tports = stack->agent != NULL ? nta_agent_tports (stack->agent) : NULL;

  guint udp = 0, tcp = 0;

  g_array_set_clear_func (self, self_clear);
  stack->only_udp = stack->only_tcp = NULL;
  /* Every bound socket: its own address and the name it goes by (the
   * advertised one, when the listening point has one). */
  for (tport_t *tp = tports != NULL ? tport_primaries (tports) : NULL; tp != NULL;
       tp = tport_next (tp))
    {
      tp_name_t const *name = tport_name (tp);
      if (g_ascii_strcasecmp (name->tpn_proto, "udp") == 0 && udp++ == 0)
        stack->only_udp = tp;
      else if (g_ascii_strcasecmp (name->tpn_proto, "tcp") == 0 && tcp++ == 0)
        stack->only_tcp = tp;
      su_addrinfo_t const *ai = tport_get_address (tp);
      guint16 port = name->tpn_port != NULL ? (guint16) strtoul (name->tpn_port, NULL, 10) : 0;

      for (; ai != NULL; ai = ai->ai_next)
        {
          su_sockaddr_t const *su = (su_sockaddr_t const *) ai->ai_addr;
          char text[INET6_ADDRSTRLEN];

          if (su == NULL || (su->su_family != AF_INET && su->su_family != AF_INET6)
              || inet_ntop (su->su_family, SU_ADDR (su), text, sizeof text) == NULL)
            continue;
          self_append (self, text, ntohs (su->su_port));
        }
      if (name->tpn_canon != NULL && port != 0)
        self_append (self, name->tpn_canon, port);
    }
  if (udp > 1)
    stack->only_udp = NULL;
  if (tcp > 1)
    stack->only_tcp = NULL;
  for (guint i = 0; stack->aliases != NULL && i < stack->aliases->len; i++)
    {
      SipsvListenPoint *alias = &g_array_index (stack->aliases, SipsvListenPoint, i);
      self_append (self, alias->host, alias->port);
    }
  if (stack->self != NULL)
    g_array_unref (stack->self);
  stack->self = self;
  /* New sockets may route some destinations better. */
  if (stack->route_cache != NULL)
    g_hash_table_remove_all (stack->route_cache);
}

void
sipsv_stack_add_alias (SipsvStack *stack, const char *host, guint16 port)
{
  SipsvListenPoint alias = { g_strdup (host), NULL, port, TRUE, TRUE, FALSE };

  if (stack->aliases == NULL)
    stack->aliases = g_array_new (FALSE, TRUE, sizeof (SipsvListenPoint));
  g_array_append_val (stack->aliases, alias);
  sipsv_stack_refresh_self (stack);
}

gboolean
sipsv_stack_host_is_self (SipsvStack *stack, const char *host, guint16 port)
{
  guint8 addr[16];
  gboolean ipv6;

  if (host == NULL || stack->self == NULL)
    return FALSE;
  /* Every request asks this several times: parse only IPv6 literals. */
  ipv6 = strchr (host, ':') != NULL && parse_ip (host, strlen (host), addr) == AF_INET6;
  for (guint i = 0; i < stack->self->len; i++)
    {
      SipsvSelf *s = &g_array_index (stack->self, SipsvSelf, i);
      if (s->port != 0 && s->port != port)
        continue;
      if (ipv6 ? s->ipv6 && memcmp (s->addr, addr, 16) == 0
               : s->name != NULL && g_ascii_strcasecmp (s->name, host) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
sipsv_stack_url_is_self (SipsvStack *stack, const url_t *url)
{
  if (url == NULL || url->url_host == NULL
      || (url->url_type != url_sip && url->url_type != url_sips))
    return FALSE;
  guint port = sipsv_stack_port_number (url->url_port, url->url_type == url_sips ? 5061 : 5060);
  return port <= 65535 && sipsv_stack_host_is_self (stack, url->url_host, (guint16) port);
}

/* Formats <sip:host:port[;transport=tcp|tls]>, bracketing IPv6 hosts;
 * proto is the socket's ("udp", "tcp", "tls"). A TLS socket is named by a
 * sip: URI with transport=tls, not sips: (RFC 5630 §3.1.2: sips: would
 * ask for TLS on every hop past us too); see the proxy for sips dialogs. */
static char *
format_contact (const char *host, const char *port, const char *proto)
{
  gboolean v6 = strchr (host, ':') != NULL && host[0] != '[';
  const char *param = g_ascii_strcasecmp (proto, "tcp") == 0   ? ";transport=tcp>"
                      : g_ascii_strcasecmp (proto, "tls") == 0 ? ";transport=tls>"
                                                               : ">";
  return g_strconcat ("<sip:", v6 ? "[" : "", host, v6 ? "]" : "", ":", port, param, NULL);
}

static gboolean
is_wildcard (const char *host)
{
  return strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0 || strcmp (host, "*") == 0;
}

char *
sipsv_stack_contact (SipsvStack *stack)
{
  const SipsvListenPoint *lp;
  const char *host;
  char digits[24];

  if (stack->listen_points->len == 0)
    return g_strdup ("<sip:invalid.invalid>");
  lp = &g_array_index (stack->listen_points, SipsvListenPoint, 0);
  host = lp->advertise != NULL ? lp->advertise : lp->host;
  if (is_wildcard (host))
    {
      sip_contact_t const *m = nta_agent_contact (stack->agent);
      if (m != NULL && m->m_url->url_host != NULL)
        host = m->m_url->url_host;
    }
  /* Every request the container creates asks for it: no printf. */
  return format_contact (host, sipsv_format_uint (digits, lp->port),
                         lp->tls ? "tls" : lp->tcp && !lp->udp ? "tcp" : "udp");
}

char *
sipsv_stack_contact_for (SipsvStack *stack, nta_incoming_t *irq)
{
  /* Answer with the socket the request came in on, by the name it goes
   * by (its address, or the advertised one): an IPv4 peer never gets an
   * IPv6 Contact, and a TCP dialog stays on TCP. */
  return sipsv_stack_contact_of (stack, sipsv_stack_incoming_primary (stack, irq));
}

/* The local address the kernel would send from to reach dest (family,
 * 4 or 16 bytes): a connected UDP socket that never sends. */
static gboolean
source_address_for (int family, const guint8 *dest, guint8 *source)
{
  su_sockaddr_t su = { 0 };
  socklen_t len = family == AF_INET ? sizeof su.su_sin : sizeof su.su_sin6;
  int fd = socket (family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  gboolean ok = FALSE;

  if (fd < 0)
    return FALSE;
  su.su_family = family;
  su.su_port = htons (5060);
  if (family == AF_INET)
    memcpy (&su.su_sin.sin_addr, dest, 4);
  else
    memcpy (&su.su_sin6.sin6_addr, dest, 16);
  if (connect (fd, &su.su_sa, len) == 0 && getsockname (fd, &su.su_sa, &len) == 0)
    {
      memcpy (source, family == AF_INET ? (void *) &su.su_sin.sin_addr
                                        : (void *) &su.su_sin6.sin6_addr,
              family == AF_INET ? 4 : 16);
      ok = TRUE;
    }
  close (fd);
  return ok;
}

static gboolean
primary_has_address (tport_t *tp, int family, const guint8 *addr)
{
  su_addrinfo_t const *ai = tport_get_address (tp);
  su_sockaddr_t const *su = ai != NULL ? (su_sockaddr_t const *) ai->ai_addr : NULL;

  if (su == NULL || su->su_family != family)
    return FALSE;
  return memcmp (family == AF_INET ? (const void *) &su->su_sin.sin_addr
                                   : (const void *) &su->su_sin6.sin6_addr,
                 addr, family == AF_INET ? 4 : 16) == 0;
}

/* Entries in the cache of routed destinations before it is emptied: a
 * bound on memory, not a tuning knob (a full cache costs one probe per
 * destination again). */
#define SIPSV_ROUTE_CACHE_MAX 4096

tport_t *
sipsv_stack_route_primary (SipsvStack *stack, const url_t *next, tport_t *prefer)
{
  char proto[16] = "udp";
  guint8 dest[16], source[16];
  tport_t *first = NULL;
  gboolean prefer_fits = FALSE;
  guint candidates = 0;
  int family;

  if (next == NULL || next->url_host == NULL
      || (next->url_type != url_sip && next->url_type != url_sips))
    return NULL;
  sipsv_stack_url_param (next, "transport", proto, sizeof proto);
  /* sips: is TLS whatever its transport parameter says (RFC 5630). */
  if (next->url_type == url_sips)
    g_strlcpy (proto, "tls", sizeof proto);
  /* One socket of that transport (one listening address): no choice, and
   * this runs for every request forwarded. */
  if (g_ascii_strcasecmp (proto, "udp") == 0 && stack->only_udp != NULL)
    return stack->only_udp;
  if (g_ascii_strcasecmp (proto, "tcp") == 0 && stack->only_tcp != NULL)
    return stack->only_tcp;
  family = parse_ip (next->url_host, strlen (next->url_host), dest);
  if (family == 0)
    return NULL;      /* a name: NTA resolves it and chooses */

  for (tport_t *tp = tport_primaries (nta_agent_tports (stack->agent)); tp != NULL;
       tp = tport_next (tp))
    {
      su_addrinfo_t const *ai = tport_get_address (tp);
      if (ai == NULL || ai->ai_family != family
          || g_ascii_strcasecmp (tport_name (tp)->tpn_proto, proto) != 0)
        continue;
      if (tp == prefer)
        prefer_fits = TRUE;
      if (first == NULL)
        first = tp;
      candidates++;
    }
  if (candidates <= 1)
    return first;

  /* Several sockets could send there (a multi-homed host, or a wildcard
   * bound per address): the one bound to the address the kernel routes
   * from, as asked once per destination and transport. */
  g_autofree char *key = g_strconcat (proto, " ", next->url_host, NULL);
  tport_t *cached = stack->route_cache != NULL ? g_hash_table_lookup (stack->route_cache, key)
                                               : NULL;
  if (cached != NULL)
    return cached;
  tport_t *chosen = NULL;
  if (source_address_for (family, dest, source))
    for (tport_t *tp = tport_primaries (nta_agent_tports (stack->agent));
         tp != NULL && chosen == NULL; tp = tport_next (tp))
      if (g_ascii_strcasecmp (tport_name (tp)->tpn_proto, proto) == 0
          && primary_has_address (tp, family, source))
        chosen = tp;
  if (chosen == NULL)
    return prefer_fits ? prefer : first;   /* routed from an address not ours */
  if (stack->route_cache == NULL)
    stack->route_cache = g_hash_table_new_full (sipsv_key_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_size (stack->route_cache) >= SIPSV_ROUTE_CACHE_MAX)
    g_hash_table_remove_all (stack->route_cache);
  g_hash_table_insert (stack->route_cache, g_steal_pointer (&key), chosen);
  return chosen;
}

tport_t *
sipsv_stack_incoming_primary (SipsvStack *stack, nta_incoming_t *irq)
{
  tport_t *tp = irq != NULL ? nta_incoming_transport (stack->agent, irq, NULL) : NULL;
  tport_t *primary = tp != NULL ? tport_parent (tp) : NULL;

  if (tp != NULL)
    tport_unref (tp);
  return primary;
}

char *
sipsv_stack_contact_of (SipsvStack *stack, tport_t *primary)
{
  tp_name_t const *name = primary != NULL ? tport_name (primary) : NULL;

  if (name != NULL && name->tpn_canon != NULL && name->tpn_port != NULL
      && !is_wildcard (name->tpn_canon))
    return format_contact (name->tpn_canon, name->tpn_port, name->tpn_proto);
  return sipsv_stack_contact (stack);
}

char *
sipsv_stack_contact_as_sips (const char *contact)
{
  const char *tls = strstr (contact, ";transport=tls");

  if (!g_str_has_prefix (contact, "<sip:") || tls == NULL)
    return g_strdup (contact);     /* not a TLS socket: it cannot be sips */
  return g_strdup_printf ("<sips:%.*s%s", (int) (tls - (contact + 5)), contact + 5,
                          tls + strlen (";transport=tls"));
}

/* Our Contact texts are few (one per listening point and transport, the
 * sips form) and every dialog-creating request and response carries one.
 * The cache starts afresh when it holds more than that could make. */
#define SIPSV_CONTACT_CACHE_MAX 64

sip_contact_t const *
sipsv_stack_contact_header (SipsvStack *stack, const char *contact)
{
  sip_contact_t *m = stack->contact_headers != NULL
                       ? g_hash_table_lookup (stack->contact_headers, contact)
                       : NULL;

  if (m != NULL)
    return m;
  if (stack->contact_headers != NULL
      && g_hash_table_size (stack->contact_headers) >= SIPSV_CONTACT_CACHE_MAX)
    {
      g_clear_pointer (&stack->contact_headers, g_hash_table_unref);
      g_clear_pointer (&stack->contact_home, su_home_unref);
    }
  if (stack->contact_headers == NULL)
    {
      stack->contact_home = su_home_new (sizeof (su_home_t));
      stack->contact_headers = g_hash_table_new_full (sipsv_key_hash, g_str_equal, g_free, NULL);
    }
  m = sip_contact_make (stack->contact_home, contact);
  if (m != NULL)
    g_hash_table_insert (stack->contact_headers, g_strdup (contact), m);
  return m;
}

/* The transport parameter value a Contact with transport=have ("" for
 * none) needs to name a socket of protocol proto: "tls" for TLS (none in
 * a sips: URI), and no longer "tls" on a UDP or TCP socket; otherwise
 * have, as it was (a UDP+TCP listening point's Contact names no
 * transport, and stays so when a request leaves by TCP). */
static const char *
transport_value_for (const char *proto, const char *have, gboolean sips)
{
  if (sips)
    return "";
  if (g_ascii_strcasecmp (proto, "tls") == 0)
    return "tls";
  if (g_ascii_strcasecmp (have, "tls") == 0)
    return g_ascii_strcasecmp (proto, "tcp") == 0 ? "tcp" : "";
  return have;
}

void
sipsv_stack_contact_follow (SipsvStack *stack, msg_t *msg, tport_t *tp)
{
  sip_t *sip = sip_object (msg);
  sip_contact_t *m = sip != NULL ? sip->sip_contact : NULL;
  tp_name_t const *name = tp != NULL ? tport_name (tp) : NULL;

  if (m == NULL || m->m_next != NULL || name == NULL || name->tpn_canon == NULL
      || name->tpn_port == NULL || is_wildcard (name->tpn_canon)
      || !sipsv_stack_url_is_self (stack, m->m_url))
    return;
  const char *canon = name->tpn_canon;
  /* An IPv6 address goes in brackets; the rest as it is, without a
   * printf for every request. */
  char bracketed[INET6_ADDRSTRLEN + 3];
  const char *host = canon;
  if (strchr (canon, ':') != NULL && canon[0] != '[')
    {
      g_snprintf (bracketed, sizeof bracketed, "[%s]", canon);
      host = bracketed;
    }
  /* Over TLS, a sips request's Contact is sips: too (RFC 3261 §8.1.1.8). */
  gboolean tls = g_ascii_strcasecmp (name->tpn_proto, "tls") == 0;
  gboolean sips = tls && sip->sip_request != NULL
                  && sip->sip_request->rq_url->url_type == url_sips;
  char have[8] = "";
  sipsv_stack_url_param (m->m_url, "transport", have, sizeof have);
  const char *want = transport_value_for (name->tpn_proto, have, sips);
  if (g_ascii_strcasecmp (m->m_url->url_host, host) == 0
      && g_strcmp0 (m->m_url->url_port, name->tpn_port) == 0
      && (m->m_url->url_type == url_sips) == sips && g_ascii_strcasecmp (have, want) == 0)
    return;
  su_home_t *home = msg_home (msg);
  m->m_url->url_host = su_strdup (home, host);
  m->m_url->url_port = su_strdup (home, name->tpn_port);
  if (sips)
    {
      m->m_url->url_type = url_sips;
      m->m_url->url_scheme = "sips";
    }
  if (g_ascii_strcasecmp (have, want) != 0)
    {
      char *params = m->m_url->url_params != NULL
                     ? url_strip_param_string (su_strdup (home, m->m_url->url_params),
                                               "transport")
                     : NULL;
      m->m_url->url_params = params != NULL && params[0] != '\0' ? params : NULL;
      if (want[0] != '\0')
        {
          char *param = su_sprintf (home, "transport=%s", want);
          url_param_add (home, m->m_url, param);
        }
    }
  msg_fragment_clear (m->m_common);      /* encoded again when sent */
}
