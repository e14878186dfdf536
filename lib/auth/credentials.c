/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the strict parser of digest credentials (RFC 7616 §3.4,
 * as used by SIP: RFC 3261 §22.4 and RFC 8760).
 *
 * sofia-sip has split the header at its commas: each parameter arrives as
 * "name=value" with the value as written, quotes and escapes included. */
#include "config-private.h"

#include <stddef.h>
#include <string.h>

#include "auth-private.h"

#define QUOTED SIPSV_AUTH_VALUE_QUOTED
#define TOKEN  SIPSV_AUTH_VALUE_TOKEN

static const struct
{
  const char *name;
  gsize offset; /* of its char * in SipsvAuthCredentials */
  SipsvAuthValueKind kind;
} known[] = {
  { "username", offsetof (SipsvAuthCredentials, username), QUOTED },
  { "realm", offsetof (SipsvAuthCredentials, realm), QUOTED },
  { "nonce", offsetof (SipsvAuthCredentials, nonce), QUOTED },
  { "uri", offsetof (SipsvAuthCredentials, uri), QUOTED },
  { "response", offsetof (SipsvAuthCredentials, response), QUOTED },
  { "cnonce", offsetof (SipsvAuthCredentials, cnonce), QUOTED },
  { "opaque", offsetof (SipsvAuthCredentials, opaque), QUOTED },
  { "qop", offsetof (SipsvAuthCredentials, qop), TOKEN },
  { "nc", offsetof (SipsvAuthCredentials, nc_text), TOKEN },
  { "algorithm", G_MAXSIZE, TOKEN }, /* parsed into ->algorithm */
};

/* RFC 3261 §25.1 token characters besides alphanumerics. */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-.!%*_+`'~", c) != NULL);
}

/* The content of the quoted-string @value (quotes removed, quoted-pairs
 * resolved), or NULL when @value is not exactly one quoted-string. */
static char *
unquote (const char *value)
{
  gsize length = strlen (value);
  GString *text;

  if (length < 2 || value[0] != '"')
    return NULL;
  text = g_string_sized_new (length);
  for (gsize i = 1; i < length; i++)
    {
      char c = value[i];

      if (c == '"')
        {
          if (i == length - 1)
            return g_string_free (text, FALSE);
          break; /* a quote before the end */
        }
      if (c == '\\')
        {
          if (i + 1 >= length - 1)
            break; /* escapes the closing quote, or nothing */
          c = value[++i];
        }
      if (((guchar) c < 0x20 && c != '\t') || c == 0x7f)
        break;
      g_string_append_c (text, c);
    }
  g_string_free (text, TRUE);
  return NULL;
}

char *
sipsv_auth_param_value (const char *name, const char *value, SipsvAuthValueKind kind,
                        GError **error)
{
  char *text;

  if (value[0] == '"')
    {
      text = unquote (value);
      if (text == NULL)
        g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_QUOTING,
                     "Digest parameter '%s' has a broken quoted string", name);
      return text;
    }
  if (kind == QUOTED)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_QUOTING,
                   "Digest parameter '%s' must be a quoted string", name);
      return NULL;
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!is_token_char (*p))
        {
          g_set_error (error, SIPSV_AUTH_ERROR,
                       *p == '"' || *p == '\\' ? SIPSV_AUTH_ERROR_QUOTING
                                               : SIPSV_AUTH_ERROR_BAD_VALUE,
                       "Digest parameter '%s' is not a token", name);
          return NULL;
        }
    }
  if (value[0] == '\0')
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                   "Digest parameter '%s' is empty", name);
      return NULL;
    }
  return g_strdup (value);
}

/* Stores parameter @index's @text (taken over); FALSE with @error set on
 * a duplicate or a bad algorithm. */
static gboolean
store_value (SipsvAuthCredentials *credentials, guint index, char *text, gboolean *seen,
             GError **error)
{
  const char *name = known[index].name;

  if (seen[index])
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_DUPLICATE,
                   "Digest parameter '%s' appears twice", name);
      g_free (text);
      return FALSE;
    }
  seen[index] = TRUE;
  if (known[index].offset == G_MAXSIZE)
    {
      gboolean ok = sipsv_auth_algorithm_from_name (text, &credentials->algorithm);

      if (!ok)
        g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_UNSUPPORTED,
                     "Digest algorithm '%s' is not supported", text);
      g_free (text);
      return ok;
    }
  *(char **) ((char *) credentials + known[index].offset) = text;
  return TRUE;
}

static gboolean
parse_param (SipsvAuthCredentials *credentials, const char *param, gboolean *seen, GError **error)
{
  const char *equals = strchr (param, '=');
  g_autofree char *name
      = g_strstrip (g_strndup (param, equals != NULL ? (gsize) (equals - param) : strlen (param)));
  g_autofree char *value = NULL;
  char *text;

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      if (g_ascii_strcasecmp (name, known[i].name) != 0)
        continue;
      if (equals == NULL)
        {
          g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                       "Digest parameter '%s' has no value", known[i].name);
          return FALSE;
        }
      value = g_strstrip (g_strdup (equals + 1));
      text = sipsv_auth_param_value (known[i].name, value, known[i].kind, error);
      return text != NULL && store_value (credentials, i, text, seen, error);
    }
  if (name[0] == '\0')
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                   "Digest parameter without a name");
      return FALSE;
    }
  return TRUE; /* an extension parameter (userhash, charset...): ignored */
}

/* The checks that need every parameter. */
static gboolean
check_complete (SipsvAuthCredentials *credentials, GError **error)
{
  static const char *const mandatory[]
      = { "username", "realm", "nonce", "uri", "response", "qop", "cnonce", "nc" };

  for (guint i = 0; i < G_N_ELEMENTS (mandatory); i++)
    {
      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        {
          if (strcmp (known[k].name, mandatory[i]) == 0
              && *(char **) ((char *) credentials + known[k].offset) == NULL)
            {
              g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_MISSING,
                           "Digest parameter '%s' missing%s", mandatory[i],
                           strcmp (mandatory[i], "qop") == 0 ? ": only qop=auth is accepted" : "");
              return FALSE;
            }
        }
    }
  if (g_ascii_strcasecmp (credentials->qop, "auth") != 0)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_UNSUPPORTED,
                   "Digest qop '%s' is not supported: only qop=auth is accepted", credentials->qop);
      return FALSE;
    }
  if (!sipsv_auth_is_hex (credentials->nc_text, 8)
      || (credentials->nc = (guint32) g_ascii_strtoull (credentials->nc_text, NULL, 16)) == 0)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                   "Digest parameter 'nc' must be 8 hex digits, not 0");
      return FALSE;
    }
  if (!sipsv_auth_is_hex (credentials->response, strlen (credentials->response))
      || credentials->response[0] == '\0')
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                   "Digest parameter 'response' is not hex");
      return FALSE;
    }
  for (char *p = credentials->response; *p != '\0'; p++)
    *p = g_ascii_tolower (*p);
  return TRUE;
}

gboolean
sipsv_auth_credentials_parse (SipsvAuthCredentials *credentials, const char *const *params,
                              GError **error)
{
  gboolean seen[G_N_ELEMENTS (known)] = { FALSE };

  g_return_val_if_fail (credentials != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (credentials, 0, sizeof *credentials);
  credentials->algorithm = SIPSV_AUTH_MD5;
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    {
      if (!parse_param (credentials, params[i], seen, error))
        {
          sipsv_auth_credentials_clear (credentials);
          return FALSE;
        }
    }
  if (!check_complete (credentials, error))
    {
      sipsv_auth_credentials_clear (credentials);
      return FALSE;
    }
  return TRUE;
}

void
sipsv_auth_credentials_clear (SipsvAuthCredentials *credentials)
{
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      if (known[i].offset != G_MAXSIZE)
        g_free (*(char **) ((char *) credentials + known[i].offset));
    }
  memset (credentials, 0, sizeof *credentials);
}
