/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - digest arithmetic (RFC 7616 §3.4.1 with qop=auth, RFC
 * 8760 for SIP): the algorithms, HA1, the request-digest, and the
 * constant-time comparison the verifier uses. */
#include "config-private.h"

#include <string.h>

#include "auth-private.h"

G_DEFINE_QUARK (sipsv-auth-error-quark, sipsv_auth_error)

static const struct
{
  const char *name;
  GChecksumType checksum;
} algorithms[SIPSV_AUTH_N_ALGORITHMS] = {
  [SIPSV_AUTH_MD5] = { "MD5", G_CHECKSUM_MD5 },
  [SIPSV_AUTH_SHA256] = { "SHA-256", G_CHECKSUM_SHA256 },
};

const char *
sipsv_auth_algorithm_name (SipsvAuthAlgorithm algorithm)
{
  g_return_val_if_fail (algorithm < SIPSV_AUTH_N_ALGORITHMS, NULL);
  return algorithms[algorithm].name;
}

gboolean
sipsv_auth_algorithm_from_name (const char *name, SipsvAuthAlgorithm *algorithm)
{
  for (guint i = 0; i < SIPSV_AUTH_N_ALGORITHMS; i++)
    {
      if (g_ascii_strcasecmp (name, algorithms[i].name) == 0)
        {
          *algorithm = i;
          return TRUE;
        }
    }
  return FALSE;
}

gsize
sipsv_auth_algorithm_hex_length (SipsvAuthAlgorithm algorithm)
{
  g_return_val_if_fail (algorithm < SIPSV_AUTH_N_ALGORITHMS, 0);
  return 2 * (gsize) g_checksum_type_get_length (algorithms[algorithm].checksum);
}

/* H(parts[0]:parts[1]:...), lowercase hex. */
static char *
hash_joined (SipsvAuthAlgorithm algorithm, const char *const *parts, guint n)
{
  GChecksum *checksum = g_checksum_new (algorithms[algorithm].checksum);
  char *hex;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_checksum_update (checksum, (const guchar *) ":", 1);
      g_checksum_update (checksum, (const guchar *) parts[i], -1);
    }
  hex = g_strdup (g_checksum_get_string (checksum));
  g_checksum_free (checksum);
  return hex;
}

char *
sipsv_auth_digest_ha1 (SipsvAuthAlgorithm algorithm, const char *user, const char *realm,
                       const char *password)
{
  const char *parts[] = { user, realm, password };

  g_return_val_if_fail (algorithm < SIPSV_AUTH_N_ALGORITHMS, NULL);
  return hash_joined (algorithm, parts, G_N_ELEMENTS (parts));
}

char *
sipsv_auth_digest_response (SipsvAuthAlgorithm algorithm, const char *ha1, const char *nonce,
                            const char *nc, const char *cnonce, const char *qop, const char *method,
                            const char *uri)
{
  const char *a2[] = { method, uri };
  char *ha2;
  char *response;

  g_return_val_if_fail (algorithm < SIPSV_AUTH_N_ALGORITHMS, NULL);
  ha2 = hash_joined (algorithm, a2, G_N_ELEMENTS (a2));
  {
    const char *parts[] = { ha1, nonce, nc, cnonce, qop, ha2 };

    response = hash_joined (algorithm, parts, G_N_ELEMENTS (parts));
  }
  g_free (ha2);
  return response;
}

gboolean
sipsv_auth_equal_constant_time (const char *a, const char *b, gsize length)
{
  /* Volatile so that the compiler keeps every iteration. */
  volatile guchar diff = 0;

  for (gsize i = 0; i < length; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i];
  return diff == 0;
}

gboolean
sipsv_auth_is_hex (const char *text, gsize length)
{
  gsize i;

  for (i = 0; i < length && text[i] != '\0'; i++)
    {
      if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return i == length && text[i] == '\0';
}

void
sipsv_auth_free_secret (char *text)
{
  if (text == NULL)
    return;
  explicit_bzero (text, strlen (text));
  g_free (text);
}
