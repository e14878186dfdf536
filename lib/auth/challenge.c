/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - digest authentication, client side: the strict parser
 * of WWW-Authenticate / Proxy-Authenticate challenges (RFC 7616 §3.3,
 * RFC 8760) and the credentials that answer them (§3.4).
 *
 * sofia-sip has split the header at its commas, except inside quotes: a
 * qop list "auth,auth-int" arrives as one parameter. */
#include "config-private.h"

#include <string.h>

#include "auth-private.h"

enum
{
  P_REALM,
  P_NONCE,
  P_OPAQUE,
  P_ALGORITHM,
  P_QOP,
  P_STALE,
  P_DOMAIN,
  N_PARAMS
};

static const struct
{
  const char *name;
  SipsvAuthValueKind kind;
} known[N_PARAMS] = {
  [P_REALM] = { "realm", SIPSV_AUTH_VALUE_QUOTED },
  [P_NONCE] = { "nonce", SIPSV_AUTH_VALUE_QUOTED },
  [P_OPAQUE] = { "opaque", SIPSV_AUTH_VALUE_QUOTED },
  [P_ALGORITHM] = { "algorithm", SIPSV_AUTH_VALUE_TOKEN },
  [P_QOP] = { "qop", SIPSV_AUTH_VALUE_TOKEN },
  [P_STALE] = { "stale", SIPSV_AUTH_VALUE_TOKEN },
  [P_DOMAIN] = { "domain", SIPSV_AUTH_VALUE_QUOTED },
};

/* TRUE when the comma-separated list @qop has "auth". */
static gboolean
qop_has_auth (const char *qop)
{
  g_auto (GStrv) options = g_strsplit (qop, ",", -1);

  for (guint i = 0; options[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (g_strstrip (options[i]), "auth") == 0)
        return TRUE;
    }
  return FALSE;
}

/* The values of @header's known parameters, unquoted, into @values. */
static gboolean
split_params (const msg_auth_t *header, char **values, GError **error)
{
  for (const char *const *p = header->au_params; p != NULL && *p != NULL; p++)
    {
      const char *eq = strchr (*p, '=');

      if (eq == NULL || eq == *p)
        {
          g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_BAD_VALUE,
                       "challenge parameter '%s' has no name or no '='", *p);
          return FALSE;
        }
      for (guint i = 0; i < N_PARAMS; i++)
        {
          gsize length = strlen (known[i].name);

          if ((gsize) (eq - *p) != length || g_ascii_strncasecmp (*p, known[i].name, length) != 0)
            continue;
          if (values[i] != NULL)
            {
              g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_DUPLICATE,
                           "challenge parameter '%s' appears twice", known[i].name);
              return FALSE;
            }
          values[i] = sipsv_auth_param_value (known[i].name, eq + 1, known[i].kind, error);
          if (values[i] == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
fill (SipsvAuthChallenge *challenge, char **values, GError **error)
{
  if (values[P_REALM] == NULL || values[P_NONCE] == NULL)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_MISSING,
                   "the challenge has no %s", values[P_REALM] == NULL ? "realm" : "nonce");
      return FALSE;
    }
  challenge->algorithm = SIPSV_AUTH_MD5;
  if (values[P_ALGORITHM] != NULL
      && !sipsv_auth_algorithm_from_name (values[P_ALGORITHM], &challenge->algorithm))
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_UNSUPPORTED,
                   "unsupported digest algorithm '%s' (MD5 and SHA-256 are)", values[P_ALGORITHM]);
      return FALSE;
    }
  if (values[P_QOP] == NULL || !qop_has_auth (values[P_QOP]))
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_UNSUPPORTED,
                   values[P_QOP] == NULL
                       ? "the challenge offers no qop (only qop=auth is supported)%s"
                       : "unsupported qop '%s' (only auth is)",
                   values[P_QOP] == NULL ? "" : values[P_QOP]);
      return FALSE;
    }
  challenge->stale = values[P_STALE] != NULL && g_ascii_strcasecmp (values[P_STALE], "true") == 0;
  challenge->realm = g_steal_pointer (&values[P_REALM]);
  challenge->nonce = g_steal_pointer (&values[P_NONCE]);
  challenge->opaque = g_steal_pointer (&values[P_OPAQUE]);
  return TRUE;
}

gboolean
sipsv_auth_challenge_parse (SipsvAuthChallenge *challenge, const msg_auth_t *header,
                            GError **error)
{
  char *values[N_PARAMS] = { NULL };
  gboolean ok;

  g_return_val_if_fail (challenge != NULL && header != NULL, FALSE);
  memset (challenge, 0, sizeof *challenge);
  if (header->au_scheme == NULL || g_ascii_strcasecmp (header->au_scheme, "Digest") != 0)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_UNSUPPORTED,
                   "unsupported authentication scheme '%s' (Digest is)",
                   header->au_scheme != NULL ? header->au_scheme : "");
      return FALSE;
    }
  ok = split_params (header, values, error) && fill (challenge, values, error);
  for (guint i = 0; i < N_PARAMS; i++)
    g_free (values[i]);
  if (!ok)
    sipsv_auth_challenge_clear (challenge);
  return ok;
}

void
sipsv_auth_challenge_clear (SipsvAuthChallenge *challenge)
{
  g_free (challenge->realm);
  g_free (challenge->nonce);
  g_free (challenge->opaque);
  memset (challenge, 0, sizeof *challenge);
}

char *
sipsv_auth_challenge_realm (const msg_auth_t *header)
{
  for (const char *const *p = header->au_params; p != NULL && *p != NULL; p++)
    {
      if (g_ascii_strncasecmp (*p, "realm=", 6) == 0)
        return sipsv_auth_param_value ("realm", *p + 6, SIPSV_AUTH_VALUE_QUOTED, NULL);
    }
  return NULL;
}

/* @text as a quoted-string (RFC 3261 §25.1). */
static void
append_quoted (GString *out, const char *name, const char *text)
{
  g_string_append_printf (out, "%s%s=\"", out->len > 0 ? ", " : "Digest ", name);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
sipsv_auth_challenge_answer (const SipsvAuthChallenge *challenge, const char *method,
                             const char *uri, const char *username, const char *password,
                             const char *cnonce, guint32 nc)
{
  char nc_text[9];
  char *ha1;
  char *response;
  GString *out;

  g_return_val_if_fail (challenge != NULL && nc > 0, NULL);
  g_snprintf (nc_text, sizeof nc_text, "%08x", nc);
  ha1 = sipsv_auth_digest_ha1 (challenge->algorithm, username, challenge->realm, password);
  response = sipsv_auth_digest_response (challenge->algorithm, ha1, challenge->nonce, nc_text,
                                         cnonce, "auth", method, uri);
  sipsv_auth_free_secret (ha1);

  out = g_string_new (NULL);
  append_quoted (out, "username", username); /* first: starts with "Digest " */
  append_quoted (out, "realm", challenge->realm);
  append_quoted (out, "nonce", challenge->nonce);
  append_quoted (out, "uri", uri);
  append_quoted (out, "response", response);
  g_string_append_printf (out, ", algorithm=%s", sipsv_auth_algorithm_name (challenge->algorithm));
  append_quoted (out, "cnonce", cnonce);
  if (challenge->opaque != NULL)
    append_quoted (out, "opaque", challenge->opaque);
  g_string_append_printf (out, ", qop=auth, nc=%s", nc_text);
  g_free (response);
  return g_string_free (out, FALSE);
}
