/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipAddress: name-addr / addr-spec with header
 * parameters (From, To, Contact, Route... values), RFC 3261 §20.10. */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"

struct _SipAddress {
  gboolean wildcard;
  char *display_name;  /* unquoted; NULL when absent */
  SipURI *uri;         /* NULL for the wildcard */
  GPtrArray *params;   /* header parameters */
};

static void
address_clear (gpointer data)
{
  SipAddress *address = data;

  g_free (address->display_name);
  g_clear_pointer (&address->uri, sipservlet_uri_unref);
  g_ptr_array_unref (address->params);
}

static SipAddress *
address_alloc (void)
{
  SipAddress *address = g_atomic_rc_box_new0 (SipAddress);

  address->params = sipsv_params_new ();
  return address;
}

/* ---- Parsing ---------------------------------------------------------- */

/* A display name written as *(token LWS): token characters, and UTF-8
 * text as sent by some user agents. */
static gboolean
is_display_word_char (int c)
{
  return sipsv_char_is_token (c) || c >= 0x80;
}

/* Parses *(token LWS) "<" at *pos. Returns TRUE with *pos on '<' and
 * *display set (NULL when there are no words), FALSE if the text does not
 * have that shape. */
static gboolean
parse_token_display_name (const char **pos, char **display)
{
  const char *p = *pos;
  GString *name = NULL;       /* made at the first word: most have none */

  for (;;)
    {
      const char *start = p;

      while (is_display_word_char ((guchar) *p))
        p++;
      if (p == start)
        break;
      if (name == NULL)
        name = g_string_new (NULL);
      else
        g_string_append_c (name, ' ');
      g_string_append_len (name, start, p - start);
      sipsv_skip_lws (&p);
    }
  if (*p != '<')
    {
      if (name != NULL)
        g_string_free (name, TRUE);
      return FALSE;
    }
  *pos = p;
  *display = name != NULL ? g_string_free (name, FALSE) : NULL;
  return TRUE;
}

SipAddress *
sipservlet_address_parse (const char *text, GError **error)
{
  SipsvParseCtx ctx = { "address", text, error };
  const char *p = text;
  SipAddress *address;
  char *uri_text;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sipsv_skip_lws (&p);
  if (*p == '*')
    {
      const char *q = p + 1;

      sipsv_skip_lws (&q);
      if (*q == '\0')
        return sipservlet_address_new_wildcard ();
    }

  address = address_alloc ();
  if (*p == '"')
    {
      address->display_name = sipsv_parse_quoted (&p, &ctx);
      if (address->display_name == NULL)
        goto fail;
      sipsv_skip_lws (&p);
      if (*p != '<')
        {
          sipsv_parse_fail (&ctx, "missing '<' after the display name");
          goto fail;
        }
    }
  else if (parse_token_display_name (&p, &address->display_name) &&
           address->display_name != NULL &&
           !g_utf8_validate (address->display_name, -1, NULL))
    {
      sipsv_parse_fail (&ctx, "invalid UTF-8 in the display name");
      goto fail;
    }

  if (*p == '<')
    {
      const char *end = strchr (p, '>');

      if (end == NULL)
        {
          sipsv_parse_fail (&ctx, "missing '>'");
          goto fail;
        }
      uri_text = g_strndup (p + 1, (gsize) (end - p - 1));
      p = end + 1;
    }
  else
    {
      /* addr-spec: the parameters after the URI belong to the header. */
      const char *start = p;

      while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t' && *p != '\r' &&
             *p != '\n' && *p != ',')
        p++;
      if (p == start)
        {
          sipsv_parse_fail (&ctx, *p == '\0' ? "empty address" : "missing URI");
          goto fail;
        }
      uri_text = g_strndup (start, (gsize) (p - start));
    }
  address->uri = sipservlet_uri_parse (uri_text, error);
  g_free (uri_text);
  if (address->uri == NULL)
    goto fail;

  if (!sipsv_params_parse_generic (address->params, &p, &ctx))
    goto fail;
  sipsv_skip_lws (&p);
  if (*p != '\0')
    {
      sipsv_parse_fail (&ctx, "unexpected character '%c'", *p);
      goto fail;
    }
  return address;

fail:
  sipservlet_address_unref (address);
  return NULL;
}

/* ---- Life cycle ------------------------------------------------------- */

SipAddress *
sipservlet_address_new (SipURI *uri, const char *display_name)
{
  SipAddress *address;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (display_name == NULL || sipsv_str_is_quotable (display_name), NULL);

  address = address_alloc ();
  address->uri = sipservlet_uri_clone (uri);
  address->display_name = g_strdup (display_name);
  return address;
}

SipAddress *
sipservlet_address_new_wildcard (void)
{
  SipAddress *address = address_alloc ();

  address->wildcard = TRUE;
  return address;
}

SipAddress *
sipservlet_address_ref (SipAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return g_atomic_rc_box_acquire (address);
}

void
sipservlet_address_unref (SipAddress *address)
{
  g_return_if_fail (address != NULL);
  g_atomic_rc_box_release_full (address, address_clear);
}

SipAddress *
sipservlet_address_clone (const SipAddress *address)
{
  SipAddress *copy;

  g_return_val_if_fail (address != NULL, NULL);
  copy = g_atomic_rc_box_new0 (SipAddress);
  copy->wildcard = address->wildcard;
  copy->display_name = g_strdup (address->display_name);
  copy->uri = address->uri != NULL ? sipservlet_uri_clone (address->uri) : NULL;
  copy->params = sipsv_params_copy (address->params);
  return copy;
}

/* ---- Formatting ------------------------------------------------------- */

/* Words of token characters separated by single spaces. */
static gboolean
display_name_is_plain (const char *s)
{
  gboolean word = FALSE;

  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    {
      if (*s == ' ')
        {
          if (!word)
            return FALSE;
          word = FALSE;
        }
      else if (sipsv_char_is_token ((guchar) *s))
        word = TRUE;
      else
        return FALSE;
    }
  return word;
}

char *
sipservlet_address_to_string (const SipAddress *address)
{
  GString *out;
  char *uri;

  g_return_val_if_fail (address != NULL, NULL);
  if (address->wildcard)
    return g_strdup ("*");

  out = g_string_new (NULL);
  if (address->display_name != NULL)
    {
      if (display_name_is_plain (address->display_name))
        g_string_append (out, address->display_name);
      else
        sipsv_quote_append (out, address->display_name);
      g_string_append_c (out, ' ');
    }
  uri = sipservlet_uri_to_string (address->uri);
  g_string_append_c (out, '<');
  g_string_append (out, uri);
  g_string_append_c (out, '>');
  g_free (uri);
  sipsv_params_format_generic (address->params, out);
  return g_string_free (out, FALSE);
}

/* ---- Accessors -------------------------------------------------------- */

const char *
sipservlet_address_get_display_name (const SipAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return address->display_name;
}

void
sipservlet_address_set_display_name (SipAddress *address, const char *display_name)
{
  char *copy;

  g_return_if_fail (address != NULL);
  g_return_if_fail (!address->wildcard);
  g_return_if_fail (display_name == NULL || sipsv_str_is_quotable (display_name));

  copy = g_strdup (display_name);
  g_free (address->display_name);
  address->display_name = copy;
}

SipURI *
sipservlet_address_get_uri (const SipAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return address->uri;
}

void
sipservlet_address_set_uri (SipAddress *address, SipURI *uri)
{
  SipURI *copy;

  g_return_if_fail (address != NULL);
  g_return_if_fail (!address->wildcard);
  g_return_if_fail (uri != NULL);

  copy = sipservlet_uri_clone (uri);
  sipservlet_uri_unref (address->uri);
  address->uri = copy;
}

gboolean
sipservlet_address_is_wildcard (const SipAddress *address)
{
  g_return_val_if_fail (address != NULL, FALSE);
  return address->wildcard;
}

const char *
sipservlet_address_get_parameter (const SipAddress *address, const char *name)
{
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (address->params, name);
}

gboolean
sipservlet_address_set_parameter (SipAddress *address, const char *name, const char *value,
                                  GError **error)
{
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (address->wildcard)
    return sipsv_invalid_arg (error, "the wildcard address has no parameters");
  return sipsv_params_set_generic (address->params, name, value, error);
}

void
sipservlet_address_remove_parameter (SipAddress *address, const char *name)
{
  g_return_if_fail (address != NULL);
  g_return_if_fail (name != NULL);
  sipsv_params_remove (address->params, name);
}

char **
sipservlet_address_get_parameter_names (const SipAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return sipsv_params_names (address->params);
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static gboolean
qvalue_is_valid (const char *s)
{
  char first = s[0];
  int decimals = 0;

  if (first != '0' && first != '1')
    return FALSE;
  s++;
  if (*s == '\0')
    return TRUE;
  if (*s != '.')
    return FALSE;
  for (s++; *s != '\0'; s++, decimals++)
    {
      if (decimals == 3 || !g_ascii_isdigit (*s) || (first == '1' && *s != '0'))
        return FALSE;
    }
  return TRUE;
}

gdouble
sipservlet_address_get_q (const SipAddress *address)
{
  const char *q;

  g_return_val_if_fail (address != NULL, -1.0);
  q = sipsv_params_get (address->params, "q");
  if (q == NULL || !qvalue_is_valid (q))
    return -1.0;
  return g_ascii_strtod (q, NULL);
}

gboolean
sipservlet_address_set_q (SipAddress *address, gdouble q, GError **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (q == -1.0)
    {
      sipsv_params_remove (address->params, "q");
      return TRUE;
    }
  if (!(q >= 0.0 && q <= 1.0))
    return sipsv_invalid_arg (error, "q must be between 0 and 1 (or -1 to remove it)");
  if (address->wildcard)
    return sipsv_invalid_arg (error, "the wildcard address has no parameters");

  g_ascii_formatd (buf, sizeof buf, "%.3f", q);
  len = strlen (buf);
  while (len > 1 && buf[len - 1] == '0')
    buf[--len] = '\0';
  if (buf[len - 1] == '.')
    buf[--len] = '\0';
  sipsv_params_set (address->params, "q", buf, FALSE);
  return TRUE;
}

gint
sipservlet_address_get_expires (const SipAddress *address)
{
  const char *value;
  gint64 seconds = 0;

  g_return_val_if_fail (address != NULL, -1);
  value = sipsv_params_get (address->params, "expires");
  if (value == NULL || *value == '\0')
    return -1;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return -1;
      if (seconds < G_MAXINT)
        seconds = seconds * 10 + (*p - '0');
    }
  return seconds > G_MAXINT ? G_MAXINT : (gint) seconds;
}

void
sipservlet_address_set_expires (SipAddress *address, gint seconds)
{
  char buf[16];

  g_return_if_fail (address != NULL);
  if (seconds < 0)
    {
      sipsv_params_remove (address->params, "expires");
      return;
    }
  g_return_if_fail (!address->wildcard);
  g_snprintf (buf, sizeof buf, "%d", seconds);
  sipsv_params_set (address->params, "expires", buf, FALSE);
}

const char *
sipservlet_address_get_tag (const SipAddress *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return sipsv_params_get (address->params, "tag");
}

gboolean
sipservlet_address_equal (const SipAddress *a, const SipAddress *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->wildcard || b->wildcard)
    return a->wildcard && b->wildcard;
  return sipservlet_uri_equal (a->uri, b->uri) &&
         sipsv_params_equal_generic (a->params, b->params);
}
