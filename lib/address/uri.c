/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipURI: sip/sips (RFC 3261 §19.1), tel (RFC 3966) and
 * other absolute URIs kept opaque. */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

typedef enum {
  URI_KIND_SIP,    /* sip or sips */
  URI_KIND_TEL,
  URI_KIND_OTHER,
} UriKind;

struct _SipURI {
  UriKind kind;
  char *scheme;       /* lowercased */
  /* sip, sips; user and password unescaped */
  char *user;
  char *password;
  char *host;         /* as written; IPv6 with brackets */
  gint port;          /* -1 when absent */
  GPtrArray *params;  /* sip and tel parameters, unescaped */
  GPtrArray *headers; /* sip headers, unescaped */
  /* tel: the number as written, with '+' for a global number */
  char *number;
  /* other schemes: everything after "scheme:" */
  char *opaque;
};

/* Parameters that must be present in both sip URIs to compare equal. */
static const char *const sipsv_strict_params[] = { "user", "ttl", "method", "maddr", "transport" };

static void
uri_clear (gpointer data)
{
  SipURI *uri = data;

  g_free (uri->scheme);
  g_free (uri->user);
  g_free (uri->password);
  g_free (uri->host);
  g_free (uri->number);
  g_free (uri->opaque);
  g_ptr_array_unref (uri->params);
  g_ptr_array_unref (uri->headers);
}

static SipURI *
uri_alloc (UriKind kind, const char *scheme)
{
  SipURI *uri = g_atomic_rc_box_new0 (SipURI);

  uri->kind = kind;
  uri->scheme = g_strdup (scheme);
  uri->port = -1;
  uri->params = sipsv_params_new ();
  uri->headers = sipsv_params_new ();
  return uri;
}

/* ---- Syntax helpers --------------------------------------------------- */

static gboolean
is_visual_separator (char c)
{
  return c == '-' || c == '.' || c == '(' || c == ')';
}

/* global-number-digits: "+" *phonedigit DIGIT *phonedigit */
static gboolean
tel_global_digits_are_valid (const char *s, gsize len)
{
  gboolean digit = FALSE;

  if (len < 2 || s[0] != '+')
    return FALSE;
  for (gsize i = 1; i < len; i++)
    {
      if (g_ascii_isdigit (s[i]))
        digit = TRUE;
      else if (!is_visual_separator (s[i]))
        return FALSE;
    }
  return digit;
}

/* local-number-digits: *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex */
static gboolean
tel_local_digits_are_valid (const char *s, gsize len)
{
  gboolean digit = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isxdigit (s[i]) || s[i] == '*' || s[i] == '#')
        digit = TRUE;
      else if (!is_visual_separator (s[i]))
        return FALSE;
    }
  return digit;
}

/* extension: 1*phonedigit */
static gboolean
tel_extension_is_valid (const char *s)
{
  gboolean digit = FALSE;

  for (; *s != '\0'; s++)
    {
      if (g_ascii_isdigit (*s))
        digit = TRUE;
      else if (!is_visual_separator (*s))
        return FALSE;
    }
  return digit;
}

static gboolean
tel_descriptor_is_valid (const char *s)
{
  gsize len = strlen (s);

  if (len > 0 && s[0] == '+')
    return tel_global_digits_are_valid (s, len);
  return sipsv_hostname_is_valid (s, len);
}

static gboolean
tel_pname_is_valid (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && *s != '-')
      return FALSE;
  return TRUE;
}

/* Lowercased digits without visual separators. */
static char *
tel_normalize (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    if (!is_visual_separator (*s))
      g_string_append_c (out, g_ascii_tolower (*s));
  return g_string_free (out, FALSE);
}

/* Checks one tel parameter; returns a problem or NULL. */
static const char *
tel_param_problem (const SipURI *uri, const char *name, const char *value)
{
  if (!tel_pname_is_valid (name))
    return "invalid parameter name";
  if (g_ascii_strcasecmp (name, "phone-context") == 0)
    {
      if (uri->number[0] == '+')
        return "phone-context on a global number";
      if (value == NULL || !tel_descriptor_is_valid (value))
        return "invalid phone-context";
    }
  else if (g_ascii_strcasecmp (name, "ext") == 0)
    {
      if (value == NULL || !tel_extension_is_valid (value))
        return "invalid extension";
    }
  else if (g_ascii_strcasecmp (name, "isub") == 0)
    {
      if (value == NULL)
        return "invalid isdn-subaddress";
    }
  return NULL;
}

/* Characters allowed in an opaque URI (RFC 3986 reserved and unreserved,
 * plus '%' escapes checked separately). */
static gboolean
is_opaque_char (int c)
{
  return c > 0x20 && c < 0x7f && strchr ("\"<>\\^`{|}", c) == NULL;
}

/* RFC 5952 text of an IPv6 address. */
static void
ipv6_format_append (GString *out, const guint8 a[16])
{
  int best = -1, best_len = 0;

  for (int i = 0; i < 8;)
    {
      int j = i;

      while (j < 8 && a[2 * j] == 0 && a[2 * j + 1] == 0)
        j++;
      if (j - i > best_len && j - i >= 2)
        {
          best = i;
          best_len = j - i;
        }
      i = j > i ? j : i + 1;
    }
  for (int i = 0; i < 8; i++)
    {
      if (i == best)
        {
          g_string_append (out, "::");
          i += best_len - 1;
          continue;
        }
      if (i > 0 && i != best + best_len)
        g_string_append_c (out, ':');
      g_string_append_printf (out, "%x", (guint) (a[2 * i] << 8 | a[2 * i + 1]));
    }
}

static gboolean
host_ipv6 (const char *host, guint8 out[16])
{
  gsize len = strlen (host);

  return len >= 2 && host[0] == '[' && host[len - 1] == ']' &&
         sipsv_ipv6_parse (host + 1, len - 2, out);
}

/* Host text for keys: lowercased, IPv6 in RFC 5952 form. */
static void
host_canonical_append (GString *out, const char *host)
{
  guint8 a[16];

  if (host_ipv6 (host, a))
    {
      g_string_append_c (out, '[');
      ipv6_format_append (out, a);
      g_string_append_c (out, ']');
      return;
    }
  for (; *host != '\0'; host++)
    g_string_append_c (out, g_ascii_tolower (*host));
}

static gboolean
hosts_equal (const char *a, const char *b)
{
  guint8 va[16], vb[16];

  if (host_ipv6 (a, va) && host_ipv6 (b, vb))
    return memcmp (va, vb, sizeof va) == 0;
  return g_ascii_strcasecmp (a, b) == 0;
}

/* Returns the host to store, or NULL if text is no host. A bare IPv6
 * address gets brackets. */
static char *
host_from_text (const char *text)
{
  gsize len = strlen (text);
  guint8 a[16];

  if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
    return sipsv_ipv6_parse (text + 1, len - 2, a) ? g_strdup (text) : NULL;
  if (strchr (text, ':') != NULL)
    return sipsv_ipv6_parse (text, len, a) ? g_strdup_printf ("[%s]", text) : NULL;
  if (sipsv_ipv4_is_valid (text, len) || sipsv_hostname_is_valid (text, len))
    return g_strdup (text);
  return NULL;
}

/* ---- Parsing ---------------------------------------------------------- */

static gboolean
parse_sip (SipURI *uri, const char *rest, SipsvParseCtx *ctx)
{
  const char *p = rest;
  const char *q = p;
  const char *problem = NULL;

  /* userinfo: the longest run of userinfo characters ending in '@'. */
  while (*q == '%' || *q == ':' || sipsv_char_in_set ((guchar) *q, SIP_USER_EXTRA))
    q++;
  if (*q == '@')
    {
      const char *colon = memchr (p, ':', (gsize) (q - p));
      const char *user_end = colon != NULL ? colon : q;

      if (user_end == p)
        return sipsv_parse_fail (ctx, "empty user");
      uri->user = sipsv_unescape (p, (gsize) (user_end - p), SIP_USER_EXTRA, &problem);
      if (uri->user == NULL)
        return sipsv_parse_fail (ctx, "%s in user", problem);
      if (colon != NULL)
        {
          uri->password = sipsv_unescape (colon + 1, (gsize) (q - colon - 1),
                                        SIP_PASSWORD_EXTRA, &problem);
          if (uri->password == NULL)
            return sipsv_parse_fail (ctx, "%s in password", problem);
        }
      p = q + 1;
    }

  /* host */
  if (*p == '[')
    {
      const char *end = strchr (p, ']');
      guint8 addr[16];

      if (end == NULL)
        return sipsv_parse_fail (ctx, "unbalanced brackets");
      if (!sipsv_ipv6_parse (p + 1, (gsize) (end - p - 1), addr))
        return sipsv_parse_fail (ctx, "invalid IPv6 address");
      uri->host = g_strndup (p, (gsize) (end + 1 - p));
      p = end + 1;
    }
  else
    {
      const char *start = p;

      while (g_ascii_isalnum (*p) || *p == '-' || *p == '.')
        p++;
      if (*p == ']' || *p == '[')
        return sipsv_parse_fail (ctx, "unbalanced brackets");
      if (p == start)
        {
          if (*p == '\0' || *p == ';' || *p == '?' || *p == ':')
            return sipsv_parse_fail (ctx, "empty host");
          return sipsv_parse_fail (ctx, "invalid character '%c' in host", *p);
        }
      if (!sipsv_ipv4_is_valid (start, (gsize) (p - start)) &&
          !sipsv_hostname_is_valid (start, (gsize) (p - start)))
        return sipsv_parse_fail (ctx, "invalid host");
      uri->host = g_strndup (start, (gsize) (p - start));
    }
  if (*p == ']' || *p == '[')
    return sipsv_parse_fail (ctx, "unbalanced brackets");
  if (*p != '\0' && strchr (":;?", *p) == NULL)
    return sipsv_parse_fail (ctx, "invalid character '%c' in host", *p);

  /* port */
  if (*p == ':')
    {
      const char *start = ++p;
      guint value = 0;

      while (g_ascii_isdigit (*p) && p - start < 6)
        value = value * 10 + (guint) (*p++ - '0');
      if (p == start || value > 65535 || (*p != '\0' && *p != ';' && *p != '?'))
        return sipsv_parse_fail (ctx, "invalid port");
      uri->port = (gint) value;
    }

  if (!sipsv_params_parse_escaped (uri->params, &p, ';', ';', SIP_PARAM_EXTRA, TRUE,
                                 "parameter", ctx))
    return FALSE;
  if (*p == '?')
    {
      if (p[1] == '\0')
        return sipsv_parse_fail (ctx, "empty headers");
      if (!sipsv_params_parse_escaped (uri->headers, &p, '?', '&', SIP_HEADER_EXTRA, FALSE,
                                     "header", ctx))
        return FALSE;
    }
  if (*p != '\0')
    return sipsv_parse_fail (ctx, "unexpected character '%c'", *p);
  return TRUE;
}

static gboolean
parse_tel (SipURI *uri, const char *rest, SipsvParseCtx *ctx)
{
  const char *p = rest;
  gsize len = strcspn (p, ";");
  gboolean global = len > 0 && p[0] == '+';

  if (global ? !tel_global_digits_are_valid (p, len) : !tel_local_digits_are_valid (p, len))
    return sipsv_parse_fail (ctx, "invalid telephone number");
  uri->number = g_strndup (p, len);
  p += len;
  if (!sipsv_params_parse_escaped (uri->params, &p, ';', ';', SIP_PARAM_EXTRA, TRUE,
                                 "parameter", ctx))
    return FALSE;
  if (*p != '\0')
    return sipsv_parse_fail (ctx, "unexpected character '%c'", *p);

  for (guint i = 0; i < uri->params->len; i++)
    {
      const SipsvParam *param = g_ptr_array_index (uri->params, i);
      const char *problem = tel_param_problem (uri, param->name, param->value);

      if (problem != NULL)
        return sipsv_parse_fail (ctx, "%s", problem);
    }
  if (!global && sipsv_params_find (uri->params, "phone-context") == NULL)
    return sipsv_parse_fail (ctx, "local number without phone-context");
  return TRUE;
}

static gboolean
parse_opaque (SipURI *uri, const char *rest, SipsvParseCtx *ctx)
{
  if (*rest == '\0')
    return sipsv_parse_fail (ctx, "nothing after the scheme");
  for (const char *p = rest; *p != '\0'; p++)
    {
      if (*p == '%')
        {
          if (!g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
            return sipsv_parse_fail (ctx, "invalid escape sequence");
          p += 2;
        }
      else if (!is_opaque_char ((guchar) *p))
        return sipsv_parse_fail (ctx, "invalid character '%c'", *p);
    }
  uri->opaque = g_strdup (rest);
  return TRUE;
}

SipURI *
sipservlet_uri_parse (const char *text, GError **error)
{
  SipsvParseCtx ctx = { "URI", text, error };
  const char *p = text;
  SipURI *uri;
  char *scheme;
  gboolean ok;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (const char *c = text; *c != '\0'; c++)
    {
      guchar ch = (guchar) *c;

      if (ch == ' ' || ch == '\t')
        {
          sipsv_parse_fail (&ctx, "white space");
          return NULL;
        }
      if (ch < 0x20 || ch == 0x7f)
        {
          sipsv_parse_fail (&ctx, "control character");
          return NULL;
        }
      if (ch >= 0x80)
        {
          sipsv_parse_fail (&ctx, "non-ASCII character");
          return NULL;
        }
    }

  if (!g_ascii_isalpha (*p))
    {
      sipsv_parse_fail (&ctx, "missing scheme");
      return NULL;
    }
  while (g_ascii_isalnum (*p) || *p == '+' || *p == '-' || *p == '.')
    p++;
  if (*p != ':')
    {
      sipsv_parse_fail (&ctx, "missing scheme");
      return NULL;
    }
  scheme = g_ascii_strdown (text, p - text);
  p++;

  if (strcmp (scheme, "sip") == 0 || strcmp (scheme, "sips") == 0)
    {
      uri = uri_alloc (URI_KIND_SIP, scheme);
      ok = parse_sip (uri, p, &ctx);
    }
  else if (strcmp (scheme, "tel") == 0)
    {
      uri = uri_alloc (URI_KIND_TEL, scheme);
      ok = parse_tel (uri, p, &ctx);
    }
  else
    {
      uri = uri_alloc (URI_KIND_OTHER, scheme);
      ok = parse_opaque (uri, p, &ctx);
    }
  g_free (scheme);
  if (!ok)
    {
      sipservlet_uri_unref (uri);
      return NULL;
    }
  return uri;
}

/* ---- Life cycle ------------------------------------------------------- */

SipURI *
sipservlet_uri_new_sip (const char *user, const char *host, gint port, gboolean secure)
{
  SipURI *uri;
  char *stored_host;

  g_return_val_if_fail (user == NULL || *user != '\0', NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port >= -1 && port <= 65535, NULL);
  stored_host = host_from_text (host);
  g_return_val_if_fail (stored_host != NULL, NULL);

  uri = uri_alloc (URI_KIND_SIP, secure ? "sips" : "sip");
  uri->user = g_strdup (user);
  uri->host = stored_host;
  uri->port = port;
  return uri;
}

SipURI *
sipservlet_uri_ref (SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return g_atomic_rc_box_acquire (uri);
}

void
sipservlet_uri_unref (SipURI *uri)
{
  g_return_if_fail (uri != NULL);
  g_atomic_rc_box_release_full (uri, uri_clear);
}

SipURI *
sipservlet_uri_clone (const SipURI *uri)
{
  SipURI *copy;

  g_return_val_if_fail (uri != NULL, NULL);
  copy = g_atomic_rc_box_new0 (SipURI);
  copy->kind = uri->kind;
  copy->scheme = g_strdup (uri->scheme);
  copy->user = g_strdup (uri->user);
  copy->password = g_strdup (uri->password);
  copy->host = g_strdup (uri->host);
  copy->port = uri->port;
  copy->params = sipsv_params_copy (uri->params);
  copy->headers = sipsv_params_copy (uri->headers);
  copy->number = g_strdup (uri->number);
  copy->opaque = g_strdup (uri->opaque);
  return copy;
}

/* ---- Formatting ------------------------------------------------------- */

char *
sipservlet_uri_to_string (const SipURI *uri)
{
  GString *out;

  g_return_val_if_fail (uri != NULL, NULL);
  out = g_string_new (uri->scheme);
  g_string_append_c (out, ':');
  switch (uri->kind)
    {
    case URI_KIND_SIP:
      if (uri->user != NULL)
        {
          sipsv_escape_append (out, uri->user, SIP_USER_EXTRA);
          if (uri->password != NULL)
            {
              g_string_append_c (out, ':');
              sipsv_escape_append (out, uri->password, SIP_PASSWORD_EXTRA);
            }
          g_string_append_c (out, '@');
        }
      g_string_append (out, uri->host);
      if (uri->port >= 0)
        g_string_append_printf (out, ":%d", uri->port);
      sipsv_params_format_escaped (uri->params, out, ';', ';', SIP_PARAM_EXTRA, FALSE);
      sipsv_params_format_escaped (uri->headers, out, '?', '&', SIP_HEADER_EXTRA, TRUE);
      break;
    case URI_KIND_TEL:
      g_string_append (out, uri->number);
      sipsv_params_format_escaped (uri->params, out, ';', ';', SIP_PARAM_EXTRA, FALSE);
      break;
    case URI_KIND_OTHER:
    default:
      g_string_append (out, uri->opaque);
      break;
    }
  return g_string_free (out, FALSE);
}

char *
sipservlet_uri_to_canonical_string (const SipURI *uri)
{
  GString *out;

  g_return_val_if_fail (uri != NULL, NULL);
  out = g_string_new (uri->scheme);
  g_string_append_c (out, ':');
  switch (uri->kind)
    {
    case URI_KIND_SIP:
      if (uri->user != NULL)
        {
          sipsv_escape_append (out, uri->user, SIP_USER_EXTRA);
          g_string_append_c (out, '@');
        }
      host_canonical_append (out, uri->host);
      if (uri->port >= 0)
        g_string_append_printf (out, ":%d", uri->port);
      break;
    case URI_KIND_TEL:
      {
        char *digits = tel_normalize (uri->number);
        const char *context = sipsv_params_get (uri->params, "phone-context");

        g_string_append (out, digits);
        g_free (digits);
        if (context != NULL)
          {
            g_string_append (out, ";phone-context=");
            if (context[0] == '+')
              {
                char *c = tel_normalize (context);

                g_string_append (out, c);
                g_free (c);
              }
            else
              host_canonical_append (out, context);  /* domain names keep their dots */
          }
      }
      break;
    case URI_KIND_OTHER:
    default:
      for (const char *p = uri->opaque; *p != '\0'; p++)
        g_string_append_c (out, g_ascii_tolower (*p));
      break;
    }
  return g_string_free (out, FALSE);
}

/* ---- Kind and scheme -------------------------------------------------- */

const char *
sipservlet_uri_get_scheme (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->scheme;
}

gboolean
sipservlet_uri_is_sip (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == URI_KIND_SIP;
}

gboolean
sipservlet_uri_is_tel (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == URI_KIND_TEL;
}

gboolean
sipservlet_uri_is_secure (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == URI_KIND_SIP && strcmp (uri->scheme, "sips") == 0;
}

void
sipservlet_uri_set_secure (SipURI *uri, gboolean secure)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind == URI_KIND_SIP);
  g_free (uri->scheme);
  uri->scheme = g_strdup (secure ? "sips" : "sip");
}

/* ---- sip: user, password, host, port ---------------------------------- */

const char *
sipservlet_uri_get_user (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->user;
}

const char *
sipservlet_uri_get_user_password (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->password;
}

const char *
sipservlet_uri_get_host (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->host;
}

gint
sipservlet_uri_get_port (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, -1);
  return uri->port;
}

gboolean
sipservlet_uri_set_user (SipURI *uri, const char *user, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (user == NULL)
    {
      g_clear_pointer (&uri->user, g_free);
      g_clear_pointer (&uri->password, g_free);
      return TRUE;
    }
  if (*user == '\0')
    return sipsv_invalid_arg (error, "empty user part");
  {
    char *copy = g_strdup (user);

    g_free (uri->user);
    uri->user = copy;
  }
  return TRUE;
}

gboolean
sipservlet_uri_set_user_password (SipURI *uri, const char *password, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (password == NULL)
    {
      g_clear_pointer (&uri->password, g_free);
      return TRUE;
    }
  if (uri->user == NULL)
    return sipsv_invalid_arg (error, "a password needs a user part");
  {
    char *copy = g_strdup (password);

    g_free (uri->password);
    uri->password = copy;
  }
  return TRUE;
}

gboolean
sipservlet_uri_set_host (SipURI *uri, const char *host, GError **error)
{
  char *stored;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == URI_KIND_SIP, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stored = host_from_text (host);
  if (stored == NULL)
    return sipsv_invalid_arg (error, "invalid host '%s'", host);
  g_free (uri->host);
  uri->host = stored;
  return TRUE;
}

gboolean
sipservlet_uri_set_port (SipURI *uri, gint port, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (port < -1 || port > 65535)
    return sipsv_invalid_arg (error, "invalid port %d", port);
  uri->port = port;
  return TRUE;
}

/* ---- Parameters ------------------------------------------------------- */

const char *
sipservlet_uri_get_parameter (const SipURI *uri, const char *name)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (uri->params, name);
}

gboolean
sipservlet_uri_set_parameter (SipURI *uri, const char *name, const char *value,
                              GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value != NULL && *value == '\0')
    value = NULL;
  if (uri->kind == URI_KIND_OTHER)
    return sipsv_invalid_arg (error, "'%s' URIs have no parameters", uri->scheme);
  if (*name == '\0')
    return sipsv_invalid_arg (error, "empty parameter name");
  if (uri->kind == URI_KIND_TEL)
    {
      const char *problem = tel_param_problem (uri, name, value);

      if (problem != NULL)
        return sipsv_invalid_arg (error, "%s: '%s'", problem, name);
    }
  sipsv_params_set (uri->params, name, value, FALSE);
  return TRUE;
}

void
sipservlet_uri_remove_parameter (SipURI *uri, const char *name)
{
  gboolean removes_required_context;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL);
  removes_required_context = uri->kind == URI_KIND_TEL && uri->number[0] != '+' &&
                             g_ascii_strcasecmp (name, "phone-context") == 0;
  g_return_if_fail (!removes_required_context);
  sipsv_params_remove (uri->params, name);
}

char **
sipservlet_uri_get_parameter_names (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return sipsv_params_names (uri->params);
}

const char *
sipservlet_uri_get_transport_param (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != URI_KIND_SIP)
    return NULL;
  return sipsv_params_get (uri->params, "transport");
}

gboolean
sipservlet_uri_get_lr_param (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == URI_KIND_SIP && sipsv_params_find (uri->params, "lr") != NULL;
}

void
sipservlet_uri_set_lr_param (SipURI *uri, gboolean lr)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind == URI_KIND_SIP);
  if (lr)
    sipsv_params_set (uri->params, "lr", NULL, FALSE);
  else
    sipsv_params_remove (uri->params, "lr");
}

/* ---- Headers ---------------------------------------------------------- */

const char *
sipservlet_uri_get_header (const SipURI *uri, const char *name)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (uri->headers, name);
}

gboolean
sipservlet_uri_set_header (SipURI *uri, const char *name, const char *value, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (uri->kind != URI_KIND_SIP)
    return sipsv_invalid_arg (error, "'%s' URIs have no headers", uri->scheme);
  if (*name == '\0')
    return sipsv_invalid_arg (error, "empty header name");
  sipsv_params_set (uri->headers, name, value, FALSE);
  return TRUE;
}

void
sipservlet_uri_remove_header (SipURI *uri, const char *name)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL);
  sipsv_params_remove (uri->headers, name);
}

char **
sipservlet_uri_get_header_names (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return sipsv_params_names (uri->headers);
}

/* ---- tel -------------------------------------------------------------- */

const char *
sipservlet_uri_get_phone_number (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != URI_KIND_TEL)
    return NULL;
  return uri->number[0] == '+' ? uri->number + 1 : uri->number;
}

gboolean
sipservlet_uri_is_global (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == URI_KIND_TEL && uri->number[0] == '+';
}

const char *
sipservlet_uri_get_phone_context (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != URI_KIND_TEL)
    return NULL;
  return sipsv_params_get (uri->params, "phone-context");
}

/* ---- Comparison ------------------------------------------------------- */

static gboolean
is_strict_param (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sipsv_strict_params); i++)
    if (g_ascii_strcasecmp (name, sipsv_strict_params[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
param_values_equal_ci (const SipsvParam *a, const SipsvParam *b)
{
  return g_ascii_strcasecmp (a->value != NULL ? a->value : "",
                             b->value != NULL ? b->value : "") == 0;
}

/* The n-th header called name, or NULL. */
static const SipsvParam *
nth_header (const GPtrArray *headers, const char *name, guint n)
{
  for (guint i = 0; i < headers->len; i++)
    {
      const SipsvParam *h = g_ptr_array_index (headers, i);

      if (g_ascii_strcasecmp (h->name, name) == 0 && n-- == 0)
        return h;
    }
  return NULL;
}

/* Same headers, in any order between names; repeated headers of one name
 * in the same order; values compared exactly after unescaping. */
static gboolean
headers_equal (const GPtrArray *a, const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const SipsvParam *h = g_ptr_array_index (a, i);
      const SipsvParam *other;
      guint n = 0;

      for (guint j = 0; j < i; j++)
        {
          const SipsvParam *prev = g_ptr_array_index (a, j);

          if (g_ascii_strcasecmp (prev->name, h->name) == 0)
            n++;
        }
      other = nth_header (b, h->name, n);
      if (other == NULL || g_strcmp0 (h->value, other->value) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
sipsv_uris_equal (const SipURI *a, const SipURI *b)
{
  if (strcmp (a->scheme, b->scheme) != 0)
    return FALSE;
  if (g_strcmp0 (a->user, b->user) != 0 || g_strcmp0 (a->password, b->password) != 0)
    return FALSE;
  if (!hosts_equal (a->host, b->host) || a->port != b->port)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (sipsv_strict_params); i++)
    {
      const SipsvParam *pa = sipsv_params_find (a->params, sipsv_strict_params[i]);
      const SipsvParam *pb = sipsv_params_find (b->params, sipsv_strict_params[i]);

      if ((pa == NULL) != (pb == NULL))
        return FALSE;
      if (pa != NULL && !param_values_equal_ci (pa, pb))
        return FALSE;
    }
  for (guint i = 0; i < a->params->len; i++)
    {
      const SipsvParam *pa = g_ptr_array_index (a->params, i);
      const SipsvParam *pb;

      if (is_strict_param (pa->name))
        continue;
      pb = sipsv_params_find (b->params, pa->name);
      if (pb != NULL && !param_values_equal_ci (sipsv_params_find (a->params, pa->name), pb))
        return FALSE;
    }
  return headers_equal (a->headers, b->headers);
}

static gboolean
tel_param_values_equal (const SipsvParam *a, const SipsvParam *b)
{
  const char *va = a->value != NULL ? a->value : "";
  const char *vb = b->value != NULL ? b->value : "";
  gboolean digits = g_ascii_strcasecmp (a->name, "ext") == 0 ||
                    (g_ascii_strcasecmp (a->name, "phone-context") == 0 && va[0] == '+');
  gboolean equal;

  if (!digits)
    return g_ascii_strcasecmp (va, vb) == 0;
  {
    char *na = tel_normalize (va);
    char *nb = tel_normalize (vb);

    equal = strcmp (na, nb) == 0;
    g_free (na);
    g_free (nb);
  }
  return equal;
}

static gboolean
tel_uris_equal (const SipURI *a, const SipURI *b)
{
  char *na, *nb;
  gboolean equal;

  if ((a->number[0] == '+') != (b->number[0] == '+'))
    return FALSE;
  na = tel_normalize (a->number);
  nb = tel_normalize (b->number);
  equal = strcmp (na, nb) == 0;
  g_free (na);
  g_free (nb);
  if (!equal)
    return FALSE;

  for (guint i = 0; i < a->params->len; i++)
    {
      const SipsvParam *pa = g_ptr_array_index (a->params, i);
      const SipsvParam *pb = sipsv_params_find (b->params, pa->name);

      if (pb == NULL || !tel_param_values_equal (sipsv_params_find (a->params, pa->name), pb))
        return FALSE;
    }
  for (guint i = 0; i < b->params->len; i++)
    {
      const SipsvParam *pb = g_ptr_array_index (b->params, i);

      if (sipsv_params_find (a->params, pb->name) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
sipservlet_uri_equal (const SipURI *a, const SipURI *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case URI_KIND_SIP:
      return sipsv_uris_equal (a, b);
    case URI_KIND_TEL:
      return tel_uris_equal (a, b);
    case URI_KIND_OTHER:
    default:
      return strcmp (a->scheme, b->scheme) == 0 &&
             g_ascii_strcasecmp (a->opaque, b->opaque) == 0;
    }
}

static guint
hash_lower (guint h, const char *s)
{
  for (; *s != '\0'; s++)
    h = h * 31 + (guint) g_ascii_tolower (*s);
  return h;
}

guint
sipservlet_uri_hash (const SipURI *uri)
{
  guint h;

  g_return_val_if_fail (uri != NULL, 0);
  h = g_str_hash (uri->scheme);
  switch (uri->kind)
    {
    case URI_KIND_SIP:
      {
        guint8 a[16];

        h = h * 31 + (uri->user != NULL ? g_str_hash (uri->user) : 0);
        if (host_ipv6 (uri->host, a))
          for (gsize i = 0; i < sizeof a; i++)
            h = h * 31 + a[i];
        else
          h = hash_lower (h, uri->host);
        h = h * 31 + (guint) (uri->port + 1);
      }
      break;
    case URI_KIND_TEL:
      {
        char *digits = tel_normalize (uri->number);

        h = hash_lower (h, digits);
        g_free (digits);
      }
      break;
    case URI_KIND_OTHER:
    default:
      h = hash_lower (h, uri->opaque);
      break;
    }
  return h;
}
