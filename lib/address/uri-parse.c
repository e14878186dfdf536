/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - parsing SipURI text: sip/sips (RFC 3261 §19.1), tel
 * (RFC 3966) and other absolute URIs kept opaque, and the syntax rules of
 * their parts (hosts, telephone numbers) that uri.c also uses. */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

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
char *
sipsv_uri_tel_normalize (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    if (!is_visual_separator (*s))
      g_string_append_c (out, g_ascii_tolower (*s));
  return g_string_free (out, FALSE);
}

/* Checks one tel parameter; returns a problem or NULL. */
const char *
sipsv_uri_tel_param_problem (const SipURI *uri, const char *name, const char *value)
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

gboolean
sipsv_uri_host_ipv6 (const char *host, guint8 out[16])
{
  gsize len = strlen (host);

  return len >= 2 && host[0] == '[' && host[len - 1] == ']' &&
         sipsv_ipv6_parse (host + 1, len - 2, out);
}

/* Host text for keys: lowercased, IPv6 in RFC 5952 form. */
void
sipsv_uri_host_canonical_append (GString *out, const char *host)
{
  guint8 a[16];

  if (sipsv_uri_host_ipv6 (host, a))
    {
      g_string_append_c (out, '[');
      ipv6_format_append (out, a);
      g_string_append_c (out, ']');
      return;
    }
  for (; *host != '\0'; host++)
    g_string_append_c (out, g_ascii_tolower (*host));
}

gboolean
sipsv_uri_hosts_equal (const char *a, const char *b)
{
  guint8 va[16], vb[16];

  if (sipsv_uri_host_ipv6 (a, va) && sipsv_uri_host_ipv6 (b, vb))
    return memcmp (va, vb, sizeof va) == 0;
  return g_ascii_strcasecmp (a, b) == 0;
}

/* Returns the host to store, or NULL if text is no host. A bare IPv6
 * address gets brackets. */
char *
sipsv_uri_host_from_text (const char *text)
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
      const char *problem = sipsv_uri_tel_param_problem (uri, param->name, param->value);

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
  const char *scheme;
  char *lowered = NULL;
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
  /* The schemes met in nearly every URI need no lowercased copy. */
  gsize scheme_len = (gsize) (p - text);
  SipsvUriKind kind = SIPSV_URI_KIND_SIP;
  if (scheme_len == 3 && g_ascii_strncasecmp (text, "sip", 3) == 0)
    scheme = "sip";
  else if (scheme_len == 4 && g_ascii_strncasecmp (text, "sips", 4) == 0)
    scheme = "sips";
  else
    {
      scheme = lowered = g_ascii_strdown (text, (gssize) scheme_len);
      kind = strcmp (scheme, "tel") == 0 ? SIPSV_URI_KIND_TEL : SIPSV_URI_KIND_OTHER;
    }
  p++;

  uri = sipsv_uri_alloc (kind, scheme);
  if (kind == SIPSV_URI_KIND_SIP)
    ok = parse_sip (uri, p, &ctx);
  else if (kind == SIPSV_URI_KIND_TEL)
    ok = parse_tel (uri, p, &ctx);
  else
    ok = parse_opaque (uri, p, &ctx);
  g_free (lowered);
  if (!ok)
    {
      sipservlet_uri_unref (uri);
      return NULL;
    }
  return uri;
}
