/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - addressing module: the syntax helpers that SipURI,
 * SipAddress and SipParameterable share (parse errors, RFC 3261 character
 * classes and escaping, white space and quoted strings, host names). */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

/* ---- Parse errors ----------------------------------------------------- */

/* The input as shown in a message: control characters escaped, long
 * inputs cut. */
static char *
printable_input (const char *text)
{
  GString *s = g_string_new (NULL);
  gsize n = 0;

  for (const char *p = text; *p != '\0'; p++, n++)
    {
      guchar c = (guchar) *p;

      if (n >= 200)
        {
          g_string_append (s, "...");
          break;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (s, "\\x%02x", c);
      else
        g_string_append_c (s, (char) c);
    }
  return g_string_free (s, FALSE);
}

gboolean
sipsv_parse_fail (SipsvParseCtx *ctx, const char *format, ...)
{
  va_list args;
  char *raw;
  char *problem;
  char *shown;

  if (ctx->error == NULL)
    return FALSE;
  va_start (args, format);
  raw = g_strdup_vprintf (format, args);
  va_end (args);
  /* The problem may quote a control character from the input. */
  problem = printable_input (raw);
  shown = printable_input (ctx->text);
  g_set_error (ctx->error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE,
               "%s in %s '%s'", problem, ctx->kind, shown);
  g_free (shown);
  g_free (problem);
  g_free (raw);
  return FALSE;
}

gboolean
sipsv_invalid_arg (GError **error, const char *format, ...)
{
  va_list args;
  char *message;

  if (error == NULL)
    return FALSE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT, message);
  g_free (message);
  return FALSE;
}

/* ---- Character classes ------------------------------------------------ */

#define BOTH (SIPSV_CHAR_UNRESERVED | SIPSV_CHAR_TOKEN)

/* unreserved = alphanum / "-" "_" "." "!" "~" "*" "'" "(" ")";
 * token = alphanum / "-" "." "!" "%" "*" "_" "+" "`" "'" "~". */
const guint8 sipsv_char_classes[128] = {
  ['0' ... '9'] = BOTH, ['A' ... 'Z'] = BOTH, ['a' ... 'z'] = BOTH,
  ['-'] = BOTH, ['_'] = BOTH, ['.'] = BOTH, ['!'] = BOTH, ['~'] = BOTH,
  ['*'] = BOTH, ['\''] = BOTH,
  ['('] = SIPSV_CHAR_UNRESERVED, [')'] = SIPSV_CHAR_UNRESERVED,
  ['%'] = SIPSV_CHAR_TOKEN, ['+'] = SIPSV_CHAR_TOKEN, ['`'] = SIPSV_CHAR_TOKEN,
};

#undef BOTH

gboolean
sipsv_str_is_token (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!sipsv_char_is_token ((guchar) *s))
      return FALSE;
  return TRUE;
}

void
sipsv_escape_append (GString *out, const char *s, const char *extra)
{
  static const char hex[] = "0123456789ABCDEF";

  for (; *s != '\0'; s++)
    {
      guchar c = (guchar) *s;

      if (c == '%' && s[1] == '0' && s[2] == '0')
        {
          /* An escaped NUL kept as written (see sipsv_unescape). */
          g_string_append (out, "%00");
          s += 2;
        }
      else if (sipsv_char_in_set (c, extra))
        g_string_append_c (out, (char) c);
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
        }
    }
}

char *
sipsv_unescape (const char *start, gsize len, const char *extra, const char **problem)
{
  gsize plain = 0;

  /* Most components have nothing to unescape: copied at once. */
  while (plain < len && sipsv_char_in_set ((guchar) start[plain], extra))
    plain++;
  if (plain == len)
    return g_strndup (start, len);

  GString *out = g_string_sized_new (len);
  g_string_append_len (out, start, (gssize) plain);
  for (gsize i = plain; i < len; i++)
    {
      guchar c = (guchar) start[i];

      if (c == '%')
        {
          int hi, lo;

          if (i + 2 >= len)
            hi = lo = -1;
          else
            {
              hi = g_ascii_xdigit_value (start[i + 1]);
              lo = hi < 0 ? -1 : g_ascii_xdigit_value (start[i + 2]);
            }
          if (hi < 0 || lo < 0)
            {
              *problem = "invalid escape sequence";
              g_string_free (out, TRUE);
              return NULL;
            }
          if (hi == 0 && lo == 0)
            /* RFC 4475 escnull: %00 is legal but cannot live in a C
             * string; it stays escaped, and sipsv_escape_append() writes it
             * back as it came. */
            g_string_append (out, "%00");
          else
            g_string_append_c (out, (char) (hi << 4 | lo));
          i += 2;
        }
      else if (sipsv_char_in_set (c, extra))
        g_string_append_c (out, (char) c);
      else
        {
          *problem = "invalid character";
          g_string_free (out, TRUE);
          return NULL;
        }
    }
  return g_string_free (out, FALSE);
}

/* ---- White space and quoted strings ----------------------------------- */

static gboolean
is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

void
sipsv_skip_lws (const char **pos)
{
  const char *p = *pos;

  for (;;)
    {
      if (is_wsp (*p))
        p++;
      else if (p[0] == '\r' && p[1] == '\n' && is_wsp (p[2]))
        p += 3;
      else if (p[0] == '\n' && is_wsp (p[1]))
        p += 2;
      else
        break;
    }
  *pos = p;
}

char *
sipsv_parse_quoted (const char **pos, SipsvParseCtx *ctx)
{
  const char *p = *pos;
  GString *out = g_string_new (NULL);

  g_assert (*p == '"');
  p++;
  for (;;)
    {
      guchar c = (guchar) *p;

      if (c == '\0')
        {
          sipsv_parse_fail (ctx, "unterminated quoted string");
          goto fail;
        }
      if (c == '"')
        {
          p++;
          break;
        }
      if (c == '\\')
        {
          guchar e = (guchar) p[1];

          if (e == '\0' || e == '\r' || e == '\n' || e >= 0x80)
            {
              sipsv_parse_fail (ctx, "invalid escape in quoted string");
              goto fail;
            }
          g_string_append_c (out, (char) e);
          p += 2;
          continue;
        }
      if (c == '\r' || c == '\n')
        {
          /* A line fold inside the string stands for its white space. */
          const char *q = p;

          if (q[0] == '\r' && q[1] == '\n')
            q += 2;
          else if (q[0] == '\n')
            q += 1;
          if (q == p || !is_wsp (*q))
            {
              sipsv_parse_fail (ctx, "line break in quoted string");
              goto fail;
            }
          p = q;
          continue;
        }
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        {
          sipsv_parse_fail (ctx, "control character in quoted string");
          goto fail;
        }
      g_string_append_c (out, (char) c);
      p++;
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      sipsv_parse_fail (ctx, "invalid UTF-8 in quoted string");
      goto fail;
    }
  *pos = p;
  return g_string_free (out, FALSE);

fail:
  g_string_free (out, TRUE);
  return NULL;
}

void
sipsv_quote_append (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      guchar c = (guchar) *s;

      if (c == '"' || c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f)
        g_string_append_c (out, '\\');
      g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

gboolean
sipsv_str_is_quotable (const char *s)
{
  return strpbrk (s, "\r\n") == NULL && g_utf8_validate (s, -1, NULL);
}

/* ---- Hosts ------------------------------------------------------------ */

static gboolean
parse_ipv4 (const char *s, gsize len, guint8 out[4])
{
  gsize i = 0;

  for (int part = 0; part < 4; part++)
    {
      guint v = 0;
      gsize digits = 0;

      if (part > 0)
        {
          if (i >= len || s[i] != '.')
            return FALSE;
          i++;
        }
      while (i < len && g_ascii_isdigit (s[i]) && digits < 3)
        {
          v = v * 10 + (guint) (s[i] - '0');
          i++;
          digits++;
        }
      if (digits == 0 || v > 255)
        return FALSE;
      out[part] = (guint8) v;
    }
  return i == len;
}

gboolean
sipsv_ipv4_is_valid (const char *s, gsize len)
{
  guint8 bytes[4];

  return parse_ipv4 (s, len, bytes);
}

gboolean
sipsv_ipv6_parse (const char *s, gsize len, guint8 out[16])
{
  guint16 groups[8] = { 0 };
  int n = 0;          /* groups written */
  int gap = -1;       /* index where "::" was */
  gsize i = 0;

  if (len >= 2 && s[0] == ':' && s[1] == ':')
    {
      gap = 0;
      i = 2;
    }
  else if (len >= 1 && s[0] == ':')
    return FALSE;

  while (i < len)
    {
      gsize start = i;
      guint v = 0;
      gsize digits = 0;

      while (i < len && g_ascii_isxdigit (s[i]) && digits < 5)
        {
          v = v * 16 + (guint) g_ascii_xdigit_value (s[i]);
          i++;
          digits++;
        }
      if (i < len && s[i] == '.')
        {
          /* Trailing dotted IPv4 takes two groups. */
          guint8 v4[4];

          if (n > 6 || !parse_ipv4 (s + start, len - start, v4))
            return FALSE;
          groups[n++] = (guint16) (v4[0] << 8 | v4[1]);
          groups[n++] = (guint16) (v4[2] << 8 | v4[3]);
          i = len;
          break;
        }
      if (digits == 0 || digits > 4 || n >= 8)
        return FALSE;
      groups[n++] = (guint16) v;
      if (i == len)
        break;
      if (s[i] != ':')
        return FALSE;
      i++;
      if (i < len && s[i] == ':')
        {
          if (gap >= 0)
            return FALSE;
          gap = n;
          i++;
        }
      else if (i == len)
        return FALSE;  /* trailing single ':' */
    }

  if (gap >= 0)
    {
      int tail = n - gap;

      if (n >= 8)
        return FALSE;
      memmove (groups + 8 - tail, groups + gap, (gsize) tail * sizeof groups[0]);
      for (int k = gap; k < 8 - tail; k++)
        groups[k] = 0;
    }
  else if (n != 8)
    return FALSE;

  for (int k = 0; k < 8; k++)
    {
      out[2 * k] = (guint8) (groups[k] >> 8);
      out[2 * k + 1] = (guint8) (groups[k] & 0xff);
    }
  return TRUE;
}

gboolean
sipsv_hostname_is_valid (const char *s, gsize len)
{
  gsize i = 0;
  gsize label_start;
  gsize last_label_start = 0;

  if (len > 0 && s[len - 1] == '.')
    len--;
  if (len == 0)
    return FALSE;
  while (i < len)
    {
      label_start = i;
      while (i < len && (g_ascii_isalnum (s[i]) || s[i] == '-'))
        i++;
      if (i == label_start || s[label_start] == '-' || s[i - 1] == '-')
        return FALSE;
      last_label_start = label_start;
      if (i < len)
        {
          if (s[i] != '.')
            return FALSE;
          i++;
          if (i == len)
            return FALSE;
        }
    }
  return g_ascii_isalpha (s[last_label_start]);
}
