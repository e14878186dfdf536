/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - addressing module: shared syntax helpers and the
 * parameter list used by SipURI, SipAddress and SipParameterable. */
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

gboolean
sipsv_char_is_unreserved (int c)
{
  return c > 0 && c < 0x80 && (g_ascii_isalnum (c) || strchr ("-_.!~*'()", c) != NULL);
}

gboolean
sipsv_char_is_token (int c)
{
  return c > 0 && c < 0x80 && (g_ascii_isalnum (c) || strchr ("-.!%*_+`'~", c) != NULL);
}

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

gboolean
sipsv_char_in_set (int c, const char *extra)
{
  if (c <= 0 || c >= 0x80)
    return FALSE;
  return sipsv_char_is_unreserved (c) || (extra != NULL && strchr (extra, c) != NULL);
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
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
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

/* ---- Parameter lists -------------------------------------------------- */

static void
param_free (gpointer data)
{
  SipsvParam *param = data;

  g_free (param->name);
  g_free (param->value);
  g_free (param);
}

GPtrArray *
sipsv_params_new (void)
{
  return g_ptr_array_new_with_free_func (param_free);
}

GPtrArray *
sipsv_params_copy (const GPtrArray *params)
{
  GPtrArray *copy = sipsv_params_new ();

  for (guint i = 0; i < params->len; i++)
    {
      const SipsvParam *p = g_ptr_array_index (params, i);

      sipsv_params_append (copy, g_strdup (p->name), g_strdup (p->value), p->quoted);
    }
  return copy;
}

SipsvParam *
sipsv_params_find (const GPtrArray *params, const char *name)
{
  for (guint i = 0; i < params->len; i++)
    {
      SipsvParam *p = g_ptr_array_index (params, i);

      if (g_ascii_strcasecmp (p->name, name) == 0)
        return p;
    }
  return NULL;
}

const char *
sipsv_params_get (const GPtrArray *params, const char *name)
{
  const SipsvParam *p = sipsv_params_find (params, name);

  if (p == NULL)
    return NULL;
  return p->value != NULL ? p->value : "";
}

void
sipsv_params_append (GPtrArray *params, char *name, char *value, gboolean quoted)
{
  SipsvParam *p = g_new0 (SipsvParam, 1);

  p->name = name;
  p->value = value;
  p->quoted = quoted;
  g_ptr_array_add (params, p);
}

void
sipsv_params_set (GPtrArray *params, const char *name, const char *value, gboolean quoted)
{
  SipsvParam *found = NULL;
  guint i = 0;

  while (i < params->len)
    {
      SipsvParam *p = g_ptr_array_index (params, i);

      if (g_ascii_strcasecmp (p->name, name) != 0)
        {
          i++;
          continue;
        }
      if (found != NULL)
        {
          g_ptr_array_remove_index (params, i);
          continue;
        }
      found = p;
      i++;
    }

  if (found == NULL)
    {
      sipsv_params_append (params, g_strdup (name), g_strdup (value), quoted);
      return;
    }
  /* value may point into found->value's owner; copy before freeing. */
  {
    char *copy = g_strdup (value);

    g_free (found->value);
    found->value = copy;
    found->quoted = quoted;
  }
}

void
sipsv_params_remove (GPtrArray *params, const char *name)
{
  guint i = 0;

  while (i < params->len)
    {
      SipsvParam *p = g_ptr_array_index (params, i);

      if (g_ascii_strcasecmp (p->name, name) == 0)
        g_ptr_array_remove_index (params, i);
      else
        i++;
    }
}

char **
sipsv_params_names (const GPtrArray *params)
{
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < params->len; i++)
    {
      const SipsvParam *p = g_ptr_array_index (params, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < i && !seen; j++)
        {
          const SipsvParam *q = g_ptr_array_index (params, j);

          seen = g_ascii_strcasecmp (p->name, q->name) == 0;
        }
      if (!seen)
        g_ptr_array_add (names, g_strdup (p->name));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

/* ---- Escaped lists (URI parameters and headers) ---------------------- */

gboolean
sipsv_params_parse_escaped (GPtrArray *params, const char **pos,
                          char first_sep, char sep, const char *extra,
                          gboolean value_required, const char *what,
                          SipsvParseCtx *ctx)
{
  const char *p = *pos;
  char expected = first_sep;

  while (*p == expected)
    {
      const char *start;
      const char *problem = NULL;
      char *name;
      char *value = NULL;

      expected = sep;
      p++;
      start = p;
      while (*p == '%' || sipsv_char_in_set ((guchar) *p, extra))
        p++;
      if (p == start)
        return sipsv_parse_fail (ctx, "empty %s name", what);
      name = sipsv_unescape (start, (gsize) (p - start), extra, &problem);
      if (name == NULL)
        return sipsv_parse_fail (ctx, "%s in %s name", problem, what);
      if (*p == '=')
        {
          p++;
          start = p;
          while (*p == '%' || sipsv_char_in_set ((guchar) *p, extra))
            p++;
          if (p == start && value_required)
            {
              sipsv_parse_fail (ctx, "empty value for %s '%s'", what, name);
              g_free (name);
              return FALSE;
            }
          value = sipsv_unescape (start, (gsize) (p - start), extra, &problem);
          if (value == NULL)
            {
              sipsv_parse_fail (ctx, "%s in %s '%s'", problem, what, name);
              g_free (name);
              return FALSE;
            }
        }
      else if (!value_required)
        value = g_strdup ("");
      sipsv_params_append (params, name, value, FALSE);
    }
  *pos = p;
  return TRUE;
}

void
sipsv_params_format_escaped (const GPtrArray *params, GString *out,
                           char first_sep, char sep, const char *extra,
                           gboolean always_equals)
{
  for (guint i = 0; i < params->len; i++)
    {
      const SipsvParam *p = g_ptr_array_index (params, i);

      g_string_append_c (out, i == 0 ? first_sep : sep);
      sipsv_escape_append (out, p->name, extra);
      if (p->value != NULL && (*p->value != '\0' || always_equals))
        {
          g_string_append_c (out, '=');
          sipsv_escape_append (out, p->value, extra);
        }
      else if (always_equals)
        g_string_append_c (out, '=');
    }
}

/* ---- Generic parameters (header parameters) --------------------------- */

static gboolean
is_gen_value_char (int c)
{
  return sipsv_char_is_token (c) || (c > 0 && strchr (SIP_GEN_VALUE_EXTRA, c) != NULL);
}

gboolean
sipsv_params_parse_generic (GPtrArray *params, const char **pos, SipsvParseCtx *ctx)
{
  const char *p = *pos;

  for (;;)
    {
      const char *q = p;
      const char *start;
      char *name;
      char *value = NULL;
      gboolean quoted = FALSE;

      sipsv_skip_lws (&q);
      if (*q != ';')
        break;
      q++;
      sipsv_skip_lws (&q);
      start = q;
      while (sipsv_char_is_token ((guchar) *q))
        q++;
      if (q == start)
        {
          if (*q == '\0' || *q == ';' || *q == ' ' || *q == '\t' || *q == '=')
            return sipsv_parse_fail (ctx, "empty parameter name");
          return sipsv_parse_fail (ctx, "invalid character '%c' in parameter name", *q);
        }
      name = g_strndup (start, (gsize) (q - start));
      p = q;
      sipsv_skip_lws (&q);
      if (*q == '=')
        {
          q++;
          sipsv_skip_lws (&q);
          if (*q == '"')
            {
              value = sipsv_parse_quoted (&q, ctx);
              if (value == NULL)
                {
                  g_free (name);
                  return FALSE;
                }
              quoted = TRUE;
            }
          else
            {
              start = q;
              while (is_gen_value_char ((guchar) *q))
                q++;
              if (q == start)
                {
                  sipsv_parse_fail (ctx, "missing value for parameter '%s'", name);
                  g_free (name);
                  return FALSE;
                }
              value = g_strndup (start, (gsize) (q - start));
            }
          p = q;
        }
      sipsv_params_append (params, name, value, quoted);
    }
  *pos = p;
  return TRUE;
}

static gboolean
gen_value_needs_quotes (const char *value)
{
  if (*value == '\0')
    return TRUE;
  for (; *value != '\0'; value++)
    if (!is_gen_value_char ((guchar) *value))
      return TRUE;
  return FALSE;
}

void
sipsv_params_format_generic (const GPtrArray *params, GString *out)
{
  for (guint i = 0; i < params->len; i++)
    {
      const SipsvParam *p = g_ptr_array_index (params, i);

      g_string_append_c (out, ';');
      g_string_append (out, p->name);
      if (p->value == NULL)
        continue;
      if (!p->quoted && *p->value == '\0')
        continue;
      g_string_append_c (out, '=');
      if (p->quoted || gen_value_needs_quotes (p->value))
        sipsv_quote_append (out, p->value);
      else
        g_string_append (out, p->value);
    }
}

gboolean
sipsv_params_set_generic (GPtrArray *params, const char *name, const char *value,
                        GError **error)
{
  gsize len;

  if (!sipsv_str_is_token (name))
    return sipsv_invalid_arg (error, "invalid parameter name '%s'", name);
  if (value == NULL || *value == '\0')
    {
      sipsv_params_set (params, name, NULL, FALSE);
      return TRUE;
    }
  if (!sipsv_str_is_quotable (value))
    return sipsv_invalid_arg (error, "invalid value for parameter '%s'", name);

  len = strlen (value);
  if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
    {
      /* An explicit quoted-string: store the content, keep the quotes. */
      SipsvParseCtx ctx = { "parameter value", value, NULL };
      const char *p = value;
      char *content = sipsv_parse_quoted (&p, &ctx);

      if (content != NULL && *p == '\0')
        {
          sipsv_params_set (params, name, content, TRUE);
          g_free (content);
          return TRUE;
        }
      g_free (content);
    }
  sipsv_params_set (params, name, value, FALSE);
  return TRUE;
}

static gboolean
gen_values_equal (const SipsvParam *a, const SipsvParam *b)
{
  const char *va = a->value != NULL ? a->value : "";
  const char *vb = b->value != NULL ? b->value : "";

  if (a->quoted || b->quoted)
    return strcmp (va, vb) == 0;
  return g_ascii_strcasecmp (va, vb) == 0;
}

gboolean
sipsv_params_equal_generic (const GPtrArray *a, const GPtrArray *b)
{
  for (guint i = 0; i < a->len; i++)
    {
      const SipsvParam *pa = g_ptr_array_index (a, i);
      const SipsvParam *pb = sipsv_params_find (b, pa->name);

      if (pb == NULL || !gen_values_equal (sipsv_params_find (a, pa->name), pb))
        return FALSE;
    }
  for (guint i = 0; i < b->len; i++)
    {
      const SipsvParam *pb = g_ptr_array_index (b, i);

      if (sipsv_params_find (a, pb->name) == NULL)
        return FALSE;
    }
  return TRUE;
}
