/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - addressing module: the parameter list that SipURI,
 * SipAddress and SipParameterable keep, and its two syntaxes (escaped URI
 * parameters and headers; generic header parameters). */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

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
