/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the registrar shared by sipservlet-registrar and
 * sipservlet-proxy (RFC 3261 section 10.3, on the public API and the
 * in-memory location service).
 *
 * For each REGISTER:
 *   1. the Request-URI must be a sip/sips URI of one of our domains
 *      (416, 404 "Domain Not Served"); no --domain accepts any domain
 *      unless the host program sets a domain function;
 *   2. Require is checked by the container (420);
 *   3. the address-of-record is the canonical To URI, which must be a
 *      sip/sips URI (400) of one of our domains (403), without the port
 *      when the host is ours (registrar_aor_key());
 *   4. Contact processing: "*" must be alone with Expires: 0 (400); the
 *      expires parameter overrides the Expires header, which overrides
 *      --default-expires; 0 < expires < --min-expires is refused with 423
 *      and Min-Expires; more than --max-expires is lowered to it; q,
 *      +sip.instance/reg-id (RFC 5626) and Path (RFC 3327) are stored;
 *   5. the location service applies the bindings all or nothing and
 *      refuses a CSeq that is not higher for the same Call-ID (500) and
 *      more than --max-contacts bindings per AOR (403);
 *   6. the 200 lists every current binding of the AOR with its remaining
 *      lifetime, a Date header, and Path when the UA supports it.
 * A REGISTER without Contact is a query: 200 with the current bindings.
 * Expired bindings are purged every 10 seconds.
 */
#include "registrar-servlet.h"
#include "example-main.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define PURGE_INTERVAL_S 10

struct _Registrar {
  gatomicrefcount ref_count;
  GHashTable *domains;          /* canonical host -> itself; NULL = any domain */
  guint min_expires;
  guint max_expires;
  guint default_expires;
  SipLocationService *service;
  guint purge_source;
  RegistrarDomainFunc domain_func;
  gpointer domain_data;
  GHashTable *known_aors;       /* AORs that ever had a binding; NULL = not tracked */
  SipContainer *container;      /* not owned, or NULL */
  guint nat_ping_interval;      /* seconds; 0: no pings */
  guint nat_ping_source;
  GHashTable *nat_bindings;     /* "AOR\nCONTACT" -> source, UDP bindings behind NAT */
  gint64 date_second;           /* the second date_text was made for */
  char date_text[40];           /* the Date header's value, made once a second */
};

/* The service clock: monotonic seconds, immune to wall-clock changes. */
static gint64
now_seconds (void)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

/* ---- domains ---------------------------------------------------------- */

char *
registrar_canonical_host (const char *host)
{
  /* An IPv6 address may be given without its brackets. */
  gboolean bare_v6 = host[0] != '[' && strchr (host, ':') != NULL;
  char *text = g_strconcat ("sip:", bare_v6 ? "[" : "", host, bare_v6 ? "]" : "", NULL);
  SipURI *uri = sipservlet_uri_parse (text, NULL);
  char *result = NULL;

  g_free (text);
  if (uri == NULL)
    return NULL;
  if (sipservlet_uri_get_user (uri) == NULL && sipservlet_uri_get_port (uri) < 0)
    {
      char **params = sipservlet_uri_get_parameter_names (uri);
      char **headers = sipservlet_uri_get_header_names (uri);
      if (params[0] == NULL && headers[0] == NULL)
        {
          char *canonical = sipservlet_uri_to_canonical_string (uri);
          result = g_strdup (canonical + strlen ("sip:"));
          g_free (canonical);
        }
      g_strfreev (params);
      g_strfreev (headers);
    }
  sipservlet_uri_unref (uri);
  return result;
}

char *
registrar_uri_canonical_host (const SipURI *uri)
{
  const char *host = sipservlet_uri_get_host (uri);

  if (host == NULL)
    return NULL;
  if (host[0] == '[')
    {
      /* IPv6 has many spellings: compare canonical forms. */
      SipURI *bare = sipservlet_uri_new_sip (NULL, host, -1, FALSE);
      char *canonical = sipservlet_uri_to_canonical_string (bare);
      char *result = g_strdup (canonical + strlen ("sip:"));
      g_free (canonical);
      sipservlet_uri_unref (bare);
      return result;
    }
  return g_ascii_strdown (host, -1);
}

gboolean
registrar_has_domains (Registrar *registrar)
{
  return registrar->domains != NULL;
}

gboolean
registrar_is_configured_domain (Registrar *registrar, const SipURI *uri)
{
  if (registrar->domains == NULL)
    return FALSE;
  char *host = registrar_uri_canonical_host (uri);
  gboolean ours = host != NULL && g_hash_table_contains (registrar->domains, host);
  g_free (host);
  return ours;
}

void
registrar_set_container (Registrar *registrar, SipContainer *container)
{
  registrar->container = container;
  /* Its registrations become part of the container's /metrics. */
  if (container != NULL)
    sipservlet_container_add_location_service (container, registrar->service,
                                               SIPSERVLET_LOCATION_CLOCK_MONOTONIC);
  /* Our domains are the container's too: its security policy challenges
   * requests from them and refuses to relay between two others. */
  if (registrar->domains == NULL)
    return;
  GHashTableIter iter;
  gpointer host;
  g_hash_table_iter_init (&iter, registrar->domains);
  while (g_hash_table_iter_next (&iter, &host, NULL))
    {
      g_autoptr (GError) error = NULL;
      if (!sipservlet_container_add_domain (container, host, &error))
        g_warning ("domain %s: %s", (const char *) host, error->message);
    }
}

char *
registrar_aor_key (Registrar *registrar, const SipURI *uri)
{
  if (sipservlet_uri_get_port (uri) < 0
      || !(registrar_is_configured_domain (registrar, uri)
           || (registrar->container != NULL
               && sipservlet_container_is_self (registrar->container, uri))))
    return sipservlet_uri_to_canonical_string (uri);
  SipURI *portless = sipservlet_uri_clone (uri);
  sipservlet_uri_set_port (portless, -1, NULL);
  char *key = sipservlet_uri_to_canonical_string (portless);
  sipservlet_uri_unref (portless);
  return key;
}

/* ---- phones behind NAT ------------------------------------------------- */

/* Reads the host (IPv6 without brackets) and port (-1 when absent) of a
 * sip or sips URI written as text, without a full parse: this runs for
 * every binding of every REGISTER. FALSE when it is not that simple. */
static gboolean
uri_host_port (const char *uri, char *host, gsize size, gint *port)
{
  const char *p = g_str_has_prefix (uri, "sip:") ? uri + 4
                  : g_str_has_prefix (uri, "sips:") ? uri + 5 : NULL;
  if (p == NULL)
    return FALSE;
  const char *at = strpbrk (p, "@;?>");
  if (at != NULL && *at == '@')
    p = at + 1;
  const char *end;
  if (*p == '[')
    {
      end = strchr (p, ']');
      if (end == NULL || (gsize) (end - p - 1) >= size)
        return FALSE;
      memcpy (host, p + 1, end - p - 1);
      host[end - p - 1] = '\0';
      end++;
    }
  else
    {
      end = p + strcspn (p, ":;?> \t,");
      if (end == p || (gsize) (end - p) >= size)
        return FALSE;
      memcpy (host, p, end - p);
      host[end - p] = '\0';
    }
  *port = *end == ':' ? (gint) strtol (end + 1, NULL, 10) : -1;
  return TRUE;
}

/* Whether host (an IP address without brackets) is one a NAT hides:
 * RFC 1918, RFC 6598 shared (100.64/10), link-local, IPv6 unique-local
 * (fc00::/7) or link-local. Host names are not. */
static gboolean
is_private_address (const char *host)
{
  guint8 b[16];

  if (inet_pton (AF_INET, host, b) == 1)
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168)
           || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64);
  if (inet_pton (AF_INET6, host, b) == 1)
    return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
  return FALSE;
}

/* Whether two IP addresses (text, without brackets) are the same. */
static gboolean
same_address (const char *a, const char *b)
{
  guint8 x[16], y[16];
  int family = strchr (a, ':') != NULL ? AF_INET6 : AF_INET;
  return inet_pton (family, a, x) == 1 && inet_pton (family, b, y) == 1
         && memcmp (x, y, family == AF_INET ? 4 : 16) == 0;
}

/* Whether a REGISTER crossed a NAT: its top Via names another address or
 * port than the one it came from (Kamailio's nat_uac_test flag 2). */
static gboolean
came_through_nat (SipServletMessage *message)
{
  const char *via = sipservlet_message_get_header (message, "Via");
  const char *remote = sipservlet_message_get_remote_addr (message);
  const char *sent_by = via != NULL ? strchr (via, ' ') : NULL;
  char host[64];
  gint port;

  if (sent_by == NULL || remote == NULL)
    return FALSE;
  sent_by += strspn (sent_by, " \t");
  g_autofree char *as_uri = g_strconcat ("sip:", sent_by, NULL);
  if (!uri_host_port (as_uri, host, sizeof host, &port))
    return TRUE;
  return !same_address (host, remote)
         || (port < 0 ? 5060 : port) != sipservlet_message_get_remote_port (message);
}

/* After a REGISTER: its bindings whose Contact is private and not where
 * the REGISTER came from, when it came through a NAT, are reached at that
 * source; the others of its contacts are reached as written. */
static void
note_nat_bindings (Registrar *registrar, SipServletMessage *message, const char *aor,
                   const char *source, GPtrArray *bindings)
{
  gint nat = -1;        /* came_through_nat(), asked only when it matters */

  if (source == NULL || !g_str_has_prefix (source, "udp:"))
    return;             /* TCP bindings use their connection anyway */
  for (guint i = 0; i < bindings->len; i++)
    {
      const SipLocationBinding *binding = bindings->pdata[i];
      char host[64];
      gint port;
      if (g_strcmp0 (binding->source, source) != 0)
        continue;       /* registered by another request */
      gboolean hidden = uri_host_port (binding->contact_uri, host, sizeof host, &port)
                        && is_private_address (host);
      if (hidden && nat < 0)
        nat = came_through_nat (message);
      if (!hidden || !nat)
        {
          if (g_hash_table_size (registrar->nat_bindings) > 0)
            {
              g_autofree char *key = g_strconcat (aor, "\n", binding->contact_uri, NULL);
              g_hash_table_remove (registrar->nat_bindings, key);
            }
          continue;
        }
      g_autofree char *as_written = g_strdup_printf (strchr (host, ':') ? "udp:[%s]:%d"
                                                                        : "udp:%s:%d",
                                                     host, port < 0 ? 5060 : port);
      if (strcmp (as_written, source) != 0)
        g_hash_table_replace (registrar->nat_bindings,
                              g_strconcat (aor, "\n", binding->contact_uri, NULL),
                              g_strdup (source));
    }
}

char *
registrar_binding_destination (Registrar *registrar, const SipLocationBinding *binding,
                               gboolean *connection)
{
  *connection = FALSE;
  if (binding->source == NULL)
    return NULL;
  if (g_str_has_prefix (binding->source, "tcp:") || g_str_has_prefix (binding->source, "tls:"))
    {
      *connection = TRUE;
      return g_strdup (binding->source);
    }
  g_autofree char *key = g_strconcat (binding->aor, "\n", binding->contact_uri, NULL);
  const char *source = g_hash_table_lookup (registrar->nat_bindings, key);
  return source != NULL && strcmp (source, binding->source) == 0 ? g_strdup (source) : NULL;
}

/* Drops the NAT entries whose binding expired, was removed or moved; calls
 * func for each live one. */
static void
prune_nat_bindings (Registrar *registrar, gint64 now,
                    void (*func) (Registrar *registrar, const char *contact, const char *source))
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, registrar->nat_bindings);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *newline = strchr (key, '\n');
      g_autofree char *aor = g_strndup (key, newline - (const char *) key);
      const char *contact = newline + 1;
      GPtrArray *bindings = sipservlet_location_service_lookup (registrar->service, aor, now);
      gboolean live = FALSE;
      for (guint i = 0; i < bindings->len && !live; i++)
        {
          const SipLocationBinding *binding = bindings->pdata[i];
          live = strcmp (binding->contact_uri, contact) == 0
                 && g_strcmp0 (binding->source, value) == 0;
        }
      g_ptr_array_unref (bindings);
      if (!live)
        g_hash_table_iter_remove (&iter);
      else if (func != NULL)
        func (registrar, contact, value);
    }
}

static void
on_ping_answer (SipServletRequest *request, SipServletResponse *response, const GError *error,
                gpointer user_data)
{
  if (response == NULL && error != NULL)
    example_debug ("NAT ping to %s: %s",
                   sipservlet_message_get_header (SIPSERVLET_MESSAGE (request), "To"),
                   error->message);
}

static void
ping_done (gpointer data)
{
  SipApplicationSession *app = data;
  sipservlet_application_session_invalidate (app, NULL);
  sipservlet_application_session_unref (app);
}

/* An OPTIONS to the contact, sent where its REGISTER came from. */
static void
send_nat_ping (Registrar *registrar, const char *contact, const char *destination)
{
  SipFactory *factory = sipservlet_container_get_factory (registrar->container);
  g_autoptr (GError) error = NULL;
  g_autoptr (SipURI) to_uri = sipservlet_uri_parse (contact, NULL);
  g_autoptr (SipURI) from_uri = sipservlet_uri_parse ("sip:registrar@invalid", NULL);
  if (to_uri == NULL || from_uri == NULL)
    return;
  g_autoptr (SipAddress) to = sipservlet_address_new (to_uri, NULL);
  g_autoptr (SipAddress) from = sipservlet_address_new (from_uri, NULL);
  SipApplicationSession *app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipServletRequest) ping
      = sipservlet_factory_create_request (factory, app, "OPTIONS", from, to, &error);
  if (ping == NULL
      || !sipservlet_request_set_destination (ping, destination, SIPSERVLET_DESTINATION_DEFAULT,
                                              &error))
    {
      g_warning ("cannot ping %s at %s: %s", contact, destination, error->message);
      ping_done (app);
      return;
    }
  /* On failure the call has run ping_done() itself. */
  if (!sipservlet_request_send_with_callback (ping, SIPSERVLET_SEND_DEFAULT, NULL, on_ping_answer,
                                              app, ping_done, &error))
    g_warning ("cannot ping %s at %s: %s", contact, destination, error->message);
}

static gboolean
nat_ping_all (gpointer data)
{
  Registrar *registrar = data;
  prune_nat_bindings (registrar, now_seconds (), send_nat_ping);
  return G_SOURCE_CONTINUE;
}

gboolean
registrar_serves (Registrar *registrar, const SipURI *uri)
{
  if (registrar->domain_func != NULL)
    return registrar->domain_func (uri, registrar->domain_data);
  if (registrar->domains == NULL)
    return TRUE;
  return registrar_is_configured_domain (registrar, uri);
}

void
registrar_set_domain_func (Registrar *registrar, RegistrarDomainFunc func, gpointer user_data)
{
  registrar->domain_func = func;
  registrar->domain_data = user_data;
}

static gboolean
is_container_domain (const SipURI *uri, gpointer user_data)
{
  Registrar *registrar = user_data;
  return sipservlet_container_is_our_domain (registrar->container, uri);
}

void
registrar_serve_container_domains (Registrar *registrar)
{
  g_return_if_fail (registrar->container != NULL);
  registrar_set_domain_func (registrar, is_container_domain, registrar);
}

/* ---- small helpers ------------------------------------------------------ */

/* RFC 1123 date, as the Date header wants it; not locale-dependent. Made
 * once a second: every 200 carries one. */
static const char *
http_date (Registrar *registrar)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;

  if (second != registrar->date_second || registrar->date_text[0] == '\0')
    {
      GDateTime *now = g_date_time_new_from_unix_utc (second);
      g_snprintf (registrar->date_text, sizeof registrar->date_text,
                  "%s, %02d %s %04d %02d:%02d:%02d GMT",
                  days[g_date_time_get_day_of_week (now) - 1],
                  g_date_time_get_day_of_month (now),
                  months[g_date_time_get_month (now) - 1],
                  g_date_time_get_year (now),
                  g_date_time_get_hour (now),
                  g_date_time_get_minute (now),
                  g_date_time_get_second (now));
      g_date_time_unref (now);
      registrar->date_second = second;
    }
  return registrar->date_text;
}

static gboolean
parse_uint (const char *text, guint64 max, guint64 *value)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, max, value, NULL);
}

/* Decimal text of a number, written backwards into buf; returns its start.
 * The registrar formats a few numbers per REGISTER, and printf costs more
 * than the rest of building the text. */
static const char *
uint_text (char buf[24], guint64 value)
{
  char *d = buf + 23;

  *d = '\0';
  do
    *--d = (char) ('0' + value % 10);
  while ((value /= 10) > 0);
  return d;
}

static char *
message_source (SipServletMessage *message)
{
  const char *transport = sipservlet_message_get_transport (message);
  const char *addr = sipservlet_message_get_remote_addr (message);
  gint port = sipservlet_message_get_remote_port (message);

  if (transport == NULL || addr == NULL || port < 0)
    return NULL;
  gboolean bracket = strchr (addr, ':') != NULL && addr[0] != '[';
  char digits[24];
  char *source = g_strconcat (transport, bracket ? ":[" : ":", addr, bracket ? "]:" : ":",
                              uint_text (digits, (guint64) port), NULL);
  for (char *c = source; *c != ':'; c++)    /* "udp:", not "UDP:" */
    *c = g_ascii_tolower (*c);
  return source;
}

/* ---- the answer ------------------------------------------------------- */

/* What do_register decided: one final response, built and sent once. */
typedef struct {
  guint status;
  const char *reason;           /* NULL: the standard phrase */
  char *min_expires;            /* Min-Expires value for 423 */
  GPtrArray *bindings;          /* the 200 lists these */
  char **path;                  /* Path to echo in the 200, or NULL */
} Answer;

static void
answer_set (Answer *answer, guint status, const char *reason)
{
  answer->status = status;
  answer->reason = reason;
}

static void
add_header_or_warn (SipServletResponse *response, const char *name, const char *value)
{
  GError *error = NULL;
  if (!sipservlet_message_add_header (SIPSERVLET_MESSAGE (response), name, value, &error))
    {
      g_warning ("cannot add %s: %s to the %u: %s", name, value,
                 sipservlet_response_get_status (response), error->message);
      g_error_free (error);
    }
}

/* RFC 3327 §5.3: the 200 repeats the Path the UA's REGISTER carried. */
static void
add_path (SipServletResponse *response, char **path)
{
  GError *error = NULL;

  for (char **p = path; p != NULL && *p != NULL; p++)
    if (!sipservlet_message_add_header (SIPSERVLET_MESSAGE (response), "Path", *p, &error))
      {
        g_warning ("cannot echo Path '%s': %s", *p, error->message);
        g_clear_error (&error);
      }
}

/* The Contact of a binding with ;expires=<remaining seconds>. */
static char *
binding_contact (const SipLocationBinding *binding, gint64 now)
{
  gint64 remaining = binding->expires_at - now;
  char *text;

  if (remaining < 1)
    remaining = 1;              /* live bindings expire after now */
  if (remaining > G_MAXINT)
    remaining = G_MAXINT;
  /* What read_contacts() stored: a name-addr without expires, so the
   * lifetime is one more parameter at its end; no need to parse it. */
  char digits[24];
  if (strchr (binding->contact_text, '<') != NULL)
    return g_strconcat (binding->contact_text, ";expires=",
                        uint_text (digits, (guint64) remaining), NULL);
  SipAddress *address = sipservlet_address_parse (binding->contact_text, NULL);
  if (address == NULL)
    {
      /* Stored by something else: fall back on the bare URI. */
      return g_strdup_printf ("<%s>;expires=%" G_GINT64_FORMAT, binding->contact_uri, remaining);
    }
  sipservlet_address_set_expires (address, (gint) remaining);
  text = sipservlet_address_to_string (address);
  sipservlet_address_unref (address);
  return text;
}

static void
send_answer (Registrar *registrar, SipServletRequest *request, Answer *answer, gint64 now)
{
  GError *error = NULL;
  SipServletResponse *response = sipservlet_request_create_response (request, answer->status,
                                                                      answer->reason, &error);
  if (response == NULL)
    {
      g_warning ("cannot answer REGISTER %u: %s", answer->status, error->message);
      g_error_free (error);
      return;
    }
  if (answer->min_expires != NULL)
    add_header_or_warn (response, "Min-Expires", answer->min_expires);
  if (answer->status == 200)
    {
      for (guint i = 0; answer->bindings != NULL && i < answer->bindings->len; i++)
        {
          char *contact = binding_contact (answer->bindings->pdata[i], now);
          add_header_or_warn (response, "Contact", contact);
          g_free (contact);
        }
      add_header_or_warn (response, "Date", http_date (registrar));
      /* RFC 3327 section 5.3: echo Path when the UA supports it. */
      add_path (response, answer->path);
    }
  if (!sipservlet_response_send (response, &error))
    {
      g_warning ("cannot send %u to REGISTER: %s", answer->status, error->message);
      g_error_free (error);
    }
  sipservlet_response_unref (response);
}

/* ---- REGISTER processing ------------------------------------------------- */

typedef struct {
  SipLocationUpdate update;
  char *contact_uri;
  char *contact_text;
  char *reg_id_text;
} Contact;

static void
contact_clear (Contact *c)
{
  g_free (c->contact_uri);
  g_free (c->contact_text);
  g_free (c->reg_id_text);
}

/* Checks the Contact header fields and fills @contacts; on failure sets
 * @answer and returns FALSE. */
static gboolean
read_contacts (Registrar *registrar, GPtrArray *addresses, gint expires_header,
               GArray *contacts, Answer *answer)
{
  guint too_brief = 0;

  for (guint i = 0; i < addresses->len; i++)
    {
      SipAddress *address = addresses->pdata[i];
      Contact c = { { 0 }, NULL, NULL, NULL };
      const char *text;
      guint64 value;
      gint64 expires;

      /* The wildcard is handled by the caller; here it is mixed with others. */
      if (sipservlet_address_is_wildcard (address))
        {
          answer_set (answer, 400, "Invalid Wildcard");
          return FALSE;
        }
      if ((text = sipservlet_address_get_parameter (address, "expires")) != NULL)
        {
          if (!parse_uint (text, G_MAXUINT32, &value))
            {
              answer_set (answer, 400, "Invalid Contact expires Parameter");
              return FALSE;
            }
          expires = (gint64) value;
        }
      else if (expires_header >= 0)
        expires = expires_header;
      else
        expires = registrar->default_expires;

      if (expires > 0 && expires < registrar->min_expires)
        {
          too_brief++;
          continue;
        }
      if (expires > registrar->max_expires)
        expires = registrar->max_expires;

      c.update.expires = (guint) expires;
      c.update.q = sipservlet_address_get_q (address);
      if (c.update.q < 0 && sipservlet_address_get_parameter (address, "q") != NULL)
        {
          answer_set (answer, 400, "Invalid Contact q Parameter");
          return FALSE;
        }
      c.update.instance_id = sipservlet_address_get_parameter (address, "+sip.instance");
      if (c.update.instance_id != NULL && c.update.instance_id[0] == '\0')
        c.update.instance_id = NULL;
      if ((text = sipservlet_address_get_parameter (address, "reg-id")) != NULL)
        {
          if (!parse_uint (text, G_MAXINT, &value) || value == 0)
            {
              answer_set (answer, 400, "Invalid Contact reg-id Parameter");
              return FALSE;
            }
          /* RFC 5626 section 6: reg-id without +sip.instance is ignored. */
          if (c.update.instance_id != NULL)
            c.update.reg_id = (gint) value;
        }

      /* The stored text is the Contact without expires; the 200 adds the
       * remaining lifetime. */
      SipAddress *stored = sipservlet_address_clone (address);
      sipservlet_address_remove_parameter (stored, "expires");
      c.contact_text = sipservlet_address_to_string (stored);
      sipservlet_address_unref (stored);
      c.contact_uri = sipservlet_uri_to_string (sipservlet_address_get_uri (address));
      c.update.contact_uri = c.contact_uri;
      c.update.contact_text = c.contact_text;
      g_array_append_val (contacts, c);
    }

  if (too_brief > 0)
    {
      answer_set (answer, 423, "Interval Too Brief");
      answer->min_expires = g_strdup_printf ("%u", registrar->min_expires);
      return FALSE;
    }
  return TRUE;
}

static void
answer_location_error (Answer *answer, GError *error)
{
  if (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                       SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS))
    answer_set (answer, 403, "Too Many Registered Contacts");
  else if (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                            SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER))
    /* No "CSeq" in the phrase: some tools (sipp) look for the header by
     * a plain search of the message. */
    answer_set (answer, 500, "Out of Order Request");
  else if (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT))
    answer_set (answer, 400, "Invalid Contact");
  else
    {
      g_warning ("location service: %s", error->message);
      answer_set (answer, 500, "Location Service Failure");
    }
}

/* Decides the answer to one REGISTER; updates the bindings on success. */
static void
process_register (Registrar *registrar, SipServletRequest *request, gint64 now,
                  Answer *answer, char **aor_out, guint *n_contacts)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  GError *error = NULL;
  SipAddress *to = NULL;
  GPtrArray *addresses = NULL;
  GArray *contacts = NULL;
  char **path = NULL;
  char *source = NULL;
  const char *call_id = sipservlet_message_get_call_id (message);
  guint32 cseq = sipservlet_message_get_cseq (message);
  gint expires_header = sipservlet_message_get_expires (message);

  /* Step 1: are we the registrar for the Request-URI's domain? */
  if (!sipservlet_uri_is_sip (request_uri))
    {
      answer_set (answer, 416, NULL);
      goto out;
    }
  if (!registrar_serves (registrar, request_uri))
    {
      answer_set (answer, 404, "Domain Not Served");
      goto out;
    }

  /* Step 5: the address-of-record. */
  to = sipservlet_message_get_to (message);
  const SipURI *to_uri = to != NULL ? sipservlet_address_get_uri (to) : NULL;
  if (to_uri == NULL || !sipservlet_uri_is_sip (to_uri))
    {
      answer_set (answer, 400, "Address-of-Record Is Not a SIP URI");
      goto out;
    }
  if (!registrar_serves (registrar, to_uri))
    {
      answer_set (answer, 403, "Address-of-Record Domain Not Served");
      goto out;
    }
  *aor_out = registrar_aor_key (registrar, to_uri);

  /* Step 6: Contact header fields. */
  addresses = sipservlet_message_get_address_headers (message, "Contact", &error);
  if (addresses == NULL)
    {
      example_debug ("bad Contact in REGISTER for %s: %s", *aor_out, error->message);
      g_clear_error (&error);
      answer_set (answer, 400, "Invalid Contact");
      goto out;
    }
  *n_contacts = addresses->len;

  if (addresses->len == 1 && sipservlet_address_is_wildcard (addresses->pdata[0]))
    {
      if (expires_header != 0)
        {
          answer_set (answer, 400, "Invalid Wildcard: Expires Must Be 0");
          goto out;
        }
      if (!sipservlet_location_service_remove_all (registrar->service, *aor_out, call_id, cseq,
                                                   now, &error))
        {
          answer_location_error (answer, error);
          g_clear_error (&error);
          goto out;
        }
    }
  else if (addresses->len > 0)
    {
      contacts = g_array_new (FALSE, TRUE, sizeof (Contact));
      g_array_set_clear_func (contacts, (GDestroyNotify) contact_clear);
      if (!read_contacts (registrar, addresses, expires_header, contacts, answer))
        goto out;

      path = sipservlet_message_get_headers (message, "Path");
      source = message_source (message);
      const char *user_agent = sipservlet_message_get_header (message, "User-Agent");
      SipLocationUpdate *updates = g_new (SipLocationUpdate, contacts->len);
      for (guint i = 0; i < contacts->len; i++)
        {
          updates[i] = g_array_index (contacts, Contact, i).update;
          updates[i].path = path[0] != NULL ? (const char *const *) path : NULL;
          updates[i].source = source;
          updates[i].user_agent = user_agent;
        }
      gboolean ok = sipservlet_location_service_apply (registrar->service, *aor_out, call_id, cseq,
                                                       updates, contacts->len, now, &error);
      g_free (updates);
      if (!ok)
        {
          answer_location_error (answer, error);
          g_clear_error (&error);
          goto out;
        }
    }

  /* Step 8: 200 with every current binding. */
  answer_set (answer, 200, NULL);
  answer->bindings = sipservlet_location_service_lookup (registrar->service, *aor_out, now);
  note_nat_bindings (registrar, message, *aor_out, source, answer->bindings);
  if (path != NULL && path[0] != NULL && sipservlet_message_has_option_tag (message, "Supported", "path"))
    {
      answer->path = path;
      path = NULL;
    }

out:
  g_clear_pointer (&to, sipservlet_address_unref);
  g_clear_pointer (&addresses, g_ptr_array_unref);
  g_clear_pointer (&contacts, g_array_unref);
  g_strfreev (path);
  g_free (source);
}

void
registrar_handle_register (Registrar *registrar, SipServletRequest *request)
{
  Answer answer = { 500, "Registrar Failure", NULL, NULL, NULL };
  char *aor = NULL;
  guint n_contacts = 0;
  gint64 now = now_seconds ();

  process_register (registrar, request, now, &answer, &aor, &n_contacts);
  send_answer (registrar, request, &answer, now);
  if (registrar->known_aors != NULL && answer.status == 200 && aor != NULL
      && answer.bindings != NULL && answer.bindings->len > 0
      && !g_hash_table_contains (registrar->known_aors, aor))
    g_hash_table_add (registrar->known_aors, g_strdup (aor));

  if (example_debug_enabled ())
    {
      SipServletMessage *message = SIPSERVLET_MESSAGE (request);
      char *source = message_source (message);
      g_debug ("REGISTER %s from %s (Call-ID %s, CSeq %u, %u contact(s)): %u%s%s, %u binding(s)",
               aor ? aor : "(none)", source ? source : "?",
               sipservlet_message_get_call_id (message), sipservlet_message_get_cseq (message),
               n_contacts, answer.status, answer.reason ? " " : "", answer.reason ? answer.reason : "",
               answer.bindings ? answer.bindings->len : 0);
      g_free (source);
    }

  g_free (aor);
  g_free (answer.min_expires);
  g_clear_pointer (&answer.bindings, g_ptr_array_unref);
  g_strfreev (answer.path);
}

static void
on_register (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  registrar_handle_register (user_data, request);
}

static const SipServletHandlers registrar_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_register = on_register,
};

SipServlet *
registrar_servlet_new (Registrar *registrar)
{
  return sipservlet_servlet_new ("registrar", &registrar_handlers, registrar_ref (registrar),
                                 (GDestroyNotify) registrar_unref);
}

static gboolean
purge_expired (gpointer data)
{
  Registrar *registrar = data;
  gint64 now = now_seconds ();
  guint removed = sipservlet_location_service_purge_expired (registrar->service, now);
  if (removed > 0)
    prune_nat_bindings (registrar, now, NULL);
  if (removed > 0)
    example_debug ("purged %u expired binding(s); %u AOR(s) left", removed,
                   sipservlet_location_service_count_aors (registrar->service));
  return G_SOURCE_CONTINUE;
}

void
registrar_start_purge (Registrar *registrar)
{
  if (registrar->purge_source == 0)
    registrar->purge_source = g_timeout_add_seconds (PURGE_INTERVAL_S, purge_expired, registrar);
  if (registrar->nat_ping_interval > 0 && registrar->container != NULL
      && registrar->nat_ping_source == 0)
    {
      registrar->nat_ping_source
          = g_timeout_add_seconds (registrar->nat_ping_interval, nat_ping_all, registrar);
    }
}

GPtrArray *
registrar_lookup (Registrar *registrar, const char *aor)
{
  return sipservlet_location_service_lookup (registrar->service, aor, now_seconds ());
}

void
registrar_set_track_aors (Registrar *registrar, gboolean track)
{
  if (track && registrar->known_aors == NULL)
    registrar->known_aors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  else if (!track)
    g_clear_pointer (&registrar->known_aors, g_hash_table_unref);
}

gboolean
registrar_knows_aor (Registrar *registrar, const char *aor)
{
  return registrar->known_aors != NULL && g_hash_table_contains (registrar->known_aors, aor);
}

/* ---- options and lifetime ------------------------------------------------ */

void
registrar_options_init (RegistrarOptions *options)
{
  options->domains = NULL;
  options->min_expires = 60;
  options->max_expires = 3600;
  options->default_expires = G_MININT;      /* not given */
  options->max_contacts = 10;
  options->nat_ping_interval = 0;
}

GOptionEntry *
registrar_option_entries (RegistrarOptions *options)
{
  GOptionEntry entries[] = {
    { "domain", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &options->domains,
      "Serve this domain (repeatable; default: any domain)", "DOMAIN" },
    { "min-expires", 0, 0, G_OPTION_ARG_INT, &options->min_expires,
      "Refuse shorter registrations with 423 (default 60)", "SECONDS" },
    { "max-expires", 0, 0, G_OPTION_ARG_INT, &options->max_expires,
      "Lower longer registrations to this (default 3600)", "SECONDS" },
    { "default-expires", 0, 0, G_OPTION_ARG_INT, &options->default_expires,
      "Lifetime when the REGISTER gives none (default 3600, within the limits)", "SECONDS" },
    { "max-contacts", 0, 0, G_OPTION_ARG_INT, &options->max_contacts,
      "Refuse a REGISTER that would leave an AOR with more contacts (403; default 10, "
      "0: no limit)", "N" },
    { "nat-ping-interval", 0, 0, G_OPTION_ARG_INT, &options->nat_ping_interval,
      "Send OPTIONS to phones behind NAT (UDP) this often, to keep their NAT "
      "mappings open (default 0: never)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
registrar_options_clear (RegistrarOptions *options)
{
  g_clear_pointer (&options->domains, g_strfreev);
}

static gboolean
check_option (gint value, const char *name, gint minimum, GError **error)
{
  if (value < minimum)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s must be at least %d, got %d", name, minimum, value);
      return FALSE;
    }
  return TRUE;
}

Registrar *
registrar_new (const RegistrarOptions *options, GError **error)
{
  gint min_expires = options->min_expires;
  gint max_expires = options->max_expires;
  gint default_expires = options->default_expires;
  GHashTable *domains = NULL;

  if (!check_option (min_expires, "min-expires", 0, error)
      || !check_option (max_expires, "max-expires", 1, error)
      || !check_option (options->max_contacts, "max-contacts", 0, error)
      || !check_option (options->nat_ping_interval, "nat-ping-interval", 0, error)
      || (default_expires != G_MININT
          && !check_option (default_expires, "default-expires", 1, error)))
    return NULL;
  if (min_expires > max_expires)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--min-expires (%d) is greater than --max-expires (%d)", min_expires,
                   max_expires);
      return NULL;
    }
  /* Unless given, the default follows the limits: 3600 within [min, max]. */
  if (default_expires == G_MININT)
    default_expires = CLAMP (3600, min_expires, max_expires);
  if (default_expires < min_expires || default_expires > max_expires)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--default-expires (%d) must be between --min-expires (%d) "
                   "and --max-expires (%d)", default_expires, min_expires, max_expires);
      return NULL;
    }
  if (options->domains != NULL && options->domains[0] != NULL)
    {
      domains = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (char **d = options->domains; *d != NULL; d++)
        {
          char *host = registrar_canonical_host (*d);
          if (host == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--domain expects a host name or address, got '%s'", *d);
              g_hash_table_unref (domains);
              return NULL;
            }
          g_hash_table_add (domains, host);
        }
    }

  Registrar *registrar = g_new0 (Registrar, 1);
  g_atomic_ref_count_init (&registrar->ref_count);
  registrar->domains = domains;
  registrar->min_expires = (guint) min_expires;
  registrar->max_expires = (guint) max_expires;
  registrar->default_expires = (guint) default_expires;
  registrar->nat_ping_interval = (guint) options->nat_ping_interval;
  registrar->nat_bindings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  SipLocationStore *store = sipservlet_location_store_new_memory ();
  registrar->service = sipservlet_location_service_new (store);
  sipservlet_location_service_set_max_contacts (registrar->service,
                                                (guint) options->max_contacts);
  sipservlet_location_store_unref (store);
  return registrar;
}

Registrar *
registrar_ref (Registrar *registrar)
{
  g_atomic_ref_count_inc (&registrar->ref_count);
  return registrar;
}

void
registrar_unref (Registrar *registrar)
{
  if (registrar == NULL || !g_atomic_ref_count_dec (&registrar->ref_count))
    return;
  if (registrar->purge_source != 0)
    g_source_remove (registrar->purge_source);
  if (registrar->nat_ping_source != 0)
    g_source_remove (registrar->nat_ping_source);
  g_clear_pointer (&registrar->nat_bindings, g_hash_table_unref);
  g_clear_pointer (&registrar->service, sipservlet_location_service_unref);
  g_clear_pointer (&registrar->domains, g_hash_table_unref);
  g_clear_pointer (&registrar->known_aors, g_hash_table_unref);
  g_free (registrar);
}
