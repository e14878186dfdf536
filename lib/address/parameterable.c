/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipParameterable: a header value followed by
 * ;parameters (Content-Type, Via, Accept, Event...). */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

struct _SipParameterable {
  char *value;
  GPtrArray *params;
};

static void
parameterable_clear (gpointer data)
{
  SipParameterable *p = data;

  g_free (p->value);
  g_ptr_array_unref (p->params);
}

/* Scans the value part at *pos up to the first ';' that is not inside a
 * quoted string or <...>, or the end. Line folds are dropped, leading and
 * trailing white space trimmed. Returns the value or NULL. */
static char *
scan_value (const char **pos, SipsvParseCtx *ctx)
{
  const char *p = *pos;
  GString *out = g_string_new (NULL);

  sipsv_skip_lws (&p);
  while (*p != '\0' && *p != ';')
    {
      guchar c = (guchar) *p;

      if (c == '"')
        {
          const char *start = p;
          char *content = sipsv_parse_quoted (&p, ctx);

          if (content == NULL)
            goto fail;
          g_free (content);
          g_string_append_len (out, start, p - start);
          continue;
        }
      if (c == '<')
        {
          const char *end = strchr (p, '>');

          if (end == NULL)
            {
              sipsv_parse_fail (ctx, "missing '>'");
              goto fail;
            }
          for (const char *q = p; q <= end; q++)
            if ((guchar) *q < 0x20 || *q == 0x7f)
              {
                sipsv_parse_fail (ctx, "control character");
                goto fail;
              }
          g_string_append_len (out, p, end + 1 - p);
          p = end + 1;
          continue;
        }
      if (c == '\r' || c == '\n')
        {
          const char *q = p;

          sipsv_skip_lws (&q);
          if (q == p)
            {
              sipsv_parse_fail (ctx, "line break");
              goto fail;
            }
          /* Keep the white space, drop the line break. */
          while (*p == '\r' || *p == '\n')
            p++;
          continue;
        }
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        {
          sipsv_parse_fail (ctx, "control character");
          goto fail;
        }
      g_string_append_c (out, (char) c);
      p++;
    }

  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    {
      sipsv_parse_fail (ctx, "empty value");
      goto fail;
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      sipsv_parse_fail (ctx, "invalid UTF-8");
      goto fail;
    }
  *pos = p;
  return g_string_free (out, FALSE);

fail:
  g_string_free (out, TRUE);
  return NULL;
}

SipParameterable *
sipservlet_parameterable_parse (const char *text, GError **error)
{
  SipsvParseCtx ctx = { "header value", text, error };
  const char *p = text;
  SipParameterable *result;
  char *value;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  value = scan_value (&p, &ctx);
  if (value == NULL)
    return NULL;
  result = g_atomic_rc_box_new0 (SipParameterable);
  result->value = value;
  result->params = sipsv_params_new ();
  if (!sipsv_params_parse_generic (result->params, &p, &ctx))
    goto fail;
  sipsv_skip_lws (&p);
  if (*p != '\0')
    {
      sipsv_parse_fail (&ctx, "unexpected character '%c'", *p);
      goto fail;
    }
  return result;

fail:
  sipservlet_parameterable_unref (result);
  return NULL;
}

SipParameterable *
sipservlet_parameterable_ref (SipParameterable *parameterable)
{
  g_return_val_if_fail (parameterable != NULL, NULL);
  return g_atomic_rc_box_acquire (parameterable);
}

void
sipservlet_parameterable_unref (SipParameterable *parameterable)
{
  g_return_if_fail (parameterable != NULL);
  g_atomic_rc_box_release_full (parameterable, parameterable_clear);
}

SipParameterable *
sipservlet_parameterable_clone (const SipParameterable *parameterable)
{
  SipParameterable *copy;

  g_return_val_if_fail (parameterable != NULL, NULL);
  copy = g_atomic_rc_box_new0 (SipParameterable);
  copy->value = g_strdup (parameterable->value);
  copy->params = sipsv_params_copy (parameterable->params);
  return copy;
}

char *
sipservlet_parameterable_to_string (const SipParameterable *parameterable)
{
  GString *out;

  g_return_val_if_fail (parameterable != NULL, NULL);
  out = g_string_new (parameterable->value);
  sipsv_params_format_generic (parameterable->params, out);
  return g_string_free (out, FALSE);
}

const char *
sipservlet_parameterable_get_value (const SipParameterable *parameterable)
{
  g_return_val_if_fail (parameterable != NULL, NULL);
  return parameterable->value;
}

gboolean
sipservlet_parameterable_set_value (SipParameterable *parameterable, const char *value,
                                    GError **error)
{
  GError *local = NULL;
  SipsvParseCtx ctx = { "value", value, &local };
  const char *p = value;
  char *scanned;

  g_return_val_if_fail (parameterable != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strpbrk (value, "\r\n") != NULL)
    return sipsv_invalid_arg (error, "line break in value '%s'", value);
  scanned = scan_value (&p, &ctx);
  if (scanned == NULL)
    {
      sipsv_invalid_arg (error, "%s", local->message);
      g_error_free (local);
      return FALSE;
    }
  if (*p != '\0' || strcmp (scanned, value) != 0)
    {
      g_free (scanned);
      if (*p == ';')
        return sipsv_invalid_arg (error, "';' outside quotes in value '%s'", value);
      return sipsv_invalid_arg (error, "leading or trailing white space in value '%s'", value);
    }
  g_free (parameterable->value);
  parameterable->value = scanned;
  return TRUE;
}

const char *
sipservlet_parameterable_get_parameter (const SipParameterable *parameterable,
                                        const char *name)
{
  g_return_val_if_fail (parameterable != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (parameterable->params, name);
}

gboolean
sipservlet_parameterable_set_parameter (SipParameterable *parameterable, const char *name,
                                        const char *value, GError **error)
{
  g_return_val_if_fail (parameterable != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return sipsv_params_set_generic (parameterable->params, name, value, error);
}

void
sipservlet_parameterable_remove_parameter (SipParameterable *parameterable, const char *name)
{
  g_return_if_fail (parameterable != NULL);
  g_return_if_fail (name != NULL);
  sipsv_params_remove (parameterable->params, name);
}

char **
sipservlet_parameterable_get_parameter_names (const SipParameterable *parameterable)
{
  g_return_val_if_fail (parameterable != NULL, NULL);
  return sipsv_params_names (parameterable->params);
}

gboolean
sipservlet_parameterable_equal (const SipParameterable *a, const SipParameterable *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);
  return g_ascii_strcasecmp (a->value, b->value) == 0 &&
         sipsv_params_equal_generic (a->params, b->params);
}
