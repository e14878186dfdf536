/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the digest verifier: checks the credentials of a request
 * against a credential store, and makes the challenges. No policy: which
 * requests are challenged, and how the outcome is answered, is decided by
 * the caller. */
#include "config-private.h"

#include <string.h>

#include "auth-private.h"

struct _SipsvAuthVerifier
{
  SipsvAuthStore *store;
  SipsvAuthNonces *nonces;
  SipsvAuthReplay *replay;
  guint lifetime;                                    /* seconds */
  SipsvAuthAlgorithm offer[SIPSV_AUTH_N_ALGORITHMS]; /* configured order */
  guint n_offer;                                     /* 0: the store's algorithms */
  SipsvAuthClockFunc clock;
  gpointer clock_data;
};

static gint64
real_clock (gpointer user_data)
{
  (void) user_data;
  return g_get_real_time () / G_USEC_PER_SEC;
}

SipsvAuthVerifier *
sipsv_auth_verifier_new (SipsvAuthStore *store)
{
  SipsvAuthVerifier *verifier;

  g_return_val_if_fail (store != NULL, NULL);

  verifier = g_new0 (SipsvAuthVerifier, 1);
  verifier->store = sipsv_auth_store_ref (store);
  verifier->nonces = sipsv_auth_nonces_new ();
  verifier->replay = sipsv_auth_replay_new (SIPSV_AUTH_REPLAY_CAPACITY);
  verifier->lifetime = SIPSV_AUTH_NONCE_LIFETIME;
  verifier->clock = real_clock;
  return verifier;
}

void
sipsv_auth_verifier_free (SipsvAuthVerifier *verifier)
{
  if (verifier == NULL)
    return;
  sipsv_auth_replay_free (verifier->replay);
  sipsv_auth_nonces_free (verifier->nonces);
  sipsv_auth_store_unref (verifier->store);
  g_free (verifier);
}

void
sipsv_auth_verifier_set_nonce_lifetime (SipsvAuthVerifier *verifier, guint seconds)
{
  g_return_if_fail (verifier != NULL);
  verifier->lifetime = seconds;
}

void
sipsv_auth_verifier_set_replay_capacity (SipsvAuthVerifier *verifier, guint capacity)
{
  g_return_if_fail (verifier != NULL);
  g_return_if_fail (capacity > 0);
  sipsv_auth_replay_free (verifier->replay);
  verifier->replay = sipsv_auth_replay_new (capacity);
}

void
sipsv_auth_verifier_set_algorithms (SipsvAuthVerifier *verifier,
                                    const SipsvAuthAlgorithm *algorithms, guint n)
{
  guint seen = 0;

  g_return_if_fail (verifier != NULL);
  g_return_if_fail (n <= SIPSV_AUTH_N_ALGORITHMS && (n == 0 || algorithms != NULL));
  for (guint i = 0; i < n; i++)
    {
      g_return_if_fail (algorithms[i] < SIPSV_AUTH_N_ALGORITHMS);
      g_return_if_fail (!(seen & SIPSV_AUTH_ALGORITHM_BIT (algorithms[i])));
      seen |= SIPSV_AUTH_ALGORITHM_BIT (algorithms[i]);
    }
  if (n > 0)   /* n = 0 (the default) may come with algorithms NULL */
    memcpy (verifier->offer, algorithms, n * sizeof *algorithms);
  verifier->n_offer = n;
}

guint
sipsv_auth_verifier_get_offer (SipsvAuthVerifier *verifier, SipsvAuthAlgorithm *out)
{
  /* Strongest first: clients take the first they support. */
  static const SipsvAuthAlgorithm preference[] = { SIPSV_AUTH_SHA256, SIPSV_AUTH_MD5 };
  guint available;
  guint n = 0;

  g_return_val_if_fail (verifier != NULL, 0);

  if (verifier->n_offer > 0)
    {
      memcpy (out, verifier->offer, verifier->n_offer * sizeof *out);
      return verifier->n_offer;
    }
  available = sipsv_auth_store_algorithms (verifier->store);
  if (available == 0)
    available = SIPSV_AUTH_ALGORITHM_BIT (SIPSV_AUTH_MD5);
  for (guint i = 0; i < G_N_ELEMENTS (preference); i++)
    {
      if (available & SIPSV_AUTH_ALGORITHM_BIT (preference[i]))
        out[n++] = preference[i];
    }
  return n;
}

void
sipsv_auth_verifier_set_clock (SipsvAuthVerifier *verifier, SipsvAuthClockFunc func,
                               gpointer user_data)
{
  g_return_if_fail (verifier != NULL);
  verifier->clock = func != NULL ? func : real_clock;
  verifier->clock_data = func != NULL ? user_data : NULL;
}

void
sipsv_auth_result_clear (SipsvAuthResult *result)
{
  g_free (result->user);
  g_clear_error (&result->error);
  memset (result, 0, sizeof *result);
}

static SipsvAuthOutcome
conclude (SipsvAuthResult *result, SipsvAuthOutcome outcome, const char *why)
{
  result->outcome = outcome;
  result->why = why;
  return outcome;
}

static gboolean
is_offered (SipsvAuthVerifier *verifier, SipsvAuthAlgorithm algorithm)
{
  SipsvAuthAlgorithm offer[SIPSV_AUTH_N_ALGORITHMS];
  guint n = sipsv_auth_verifier_get_offer (verifier, offer);

  for (guint i = 0; i < n; i++)
    {
      if (offer[i] == algorithm)
        return TRUE;
    }
  return FALSE;
}

/* The correct response for @credentials, if the store knows the user; NULL
 * with @why set otherwise. */
static char *
expected_response (SipsvAuthVerifier *verifier, const char *method,
                   const SipsvAuthCredentials *credentials, const char **why)
{
  SipsvAuthAlgorithm algorithm = credentials->algorithm;
  char *ha1 = sipsv_auth_store_lookup (verifier->store, credentials->username, credentials->realm,
                                       algorithm);
  char *expected;

  if (ha1 == NULL)
    {
      *why = "unknown user";
      return NULL;
    }
  if (!sipsv_auth_is_hex (ha1, sipsv_auth_algorithm_hex_length (algorithm)))
    {
      *why = "the credential store's hash is malformed";
      sipsv_auth_free_secret (ha1);
      return NULL;
    }
  for (char *p = ha1; *p != '\0'; p++)
    *p = g_ascii_tolower (*p);
  expected = sipsv_auth_digest_response (algorithm, ha1, credentials->nonce, credentials->nc_text,
                                         credentials->cnonce, credentials->qop, method,
                                         credentials->uri);
  sipsv_auth_free_secret (ha1);
  return expected;
}

/* Every check after parsing, in the order auth-private.h gives. */
static SipsvAuthOutcome
check_credentials (SipsvAuthVerifier *verifier, const char *method, const char *request_uri,
                   const SipsvAuthCredentials *credentials, const char *realm,
                   SipsvAuthResult *result)
{
  gint64 now = verifier->clock (verifier->clock_data);
  g_autofree char *opaque = NULL;
  SipsvAuthNonceCheck nonce;
  gint64 issued_at = 0;
  const char *why = NULL;
  char *expected;
  gboolean correct;

  if (strcmp (credentials->uri, request_uri) != 0)
    {
      g_set_error (&result->error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_URI_MISMATCH,
                   "Digest uri '%s' is not the Request-URI '%s'", credentials->uri, request_uri);
      return conclude (result, SIPSV_AUTH_MALFORMED, "uri is not the Request-URI");
    }
  if (!is_offered (verifier, credentials->algorithm))
    return conclude (result, SIPSV_AUTH_CHALLENGE, "algorithm not offered");
  opaque = sipsv_auth_nonces_opaque (verifier->nonces, realm);
  if (credentials->opaque == NULL || strcmp (credentials->opaque, opaque) != 0)
    return conclude (result, SIPSV_AUTH_CHALLENGE, "wrong opaque");
  nonce = sipsv_auth_nonces_check (verifier->nonces, credentials->nonce, realm, now,
                                   verifier->lifetime, &issued_at);
  if (nonce == SIPSV_AUTH_NONCE_INVALID)
    return conclude (result, SIPSV_AUTH_CHALLENGE, "nonce not ours");

  expected = expected_response (verifier, method, credentials, &why);
  if (expected == NULL)
    return conclude (result, SIPSV_AUTH_CHALLENGE, why);
  correct = strlen (credentials->response) == strlen (expected)
            && sipsv_auth_equal_constant_time (credentials->response, expected, strlen (expected));
  g_free (expected);
  if (!correct)
    return conclude (result, SIPSV_AUTH_CHALLENGE, "wrong response");

  /* Stale only now: RFC 7616 §3.3 says stale=true when the response was
   * right for the old nonce, so the client need not ask for a password. */
  if (nonce == SIPSV_AUTH_NONCE_EXPIRED)
    return conclude (result, SIPSV_AUTH_STALE, "nonce expired");
  switch (sipsv_auth_replay_check (verifier->replay, credentials->nonce, credentials->nc,
                                   MAX (issued_at, now) + verifier->lifetime, now))
    {
      case SIPSV_AUTH_REPLAY_SEEN:
        return conclude (result, SIPSV_AUTH_REPLAY, "nonce count already used");
      case SIPSV_AUTH_REPLAY_FULL:
        return conclude (result, SIPSV_AUTH_CHALLENGE, "replay table full");
      case SIPSV_AUTH_REPLAY_FRESH:
        break;
    }
  return conclude (result, SIPSV_AUTH_OK, NULL);
}

SipsvAuthOutcome
sipsv_auth_verifier_verify (SipsvAuthVerifier *verifier, const char *method,
                            const char *request_uri, const msg_auth_t *credentials,
                            const char *realm, SipsvAuthResult *result)
{
  SipsvAuthCredentials parsed = { 0 };
  GError *first_error = NULL;
  gboolean found = FALSE;
  SipsvAuthOutcome outcome;

  g_return_val_if_fail (verifier != NULL && method != NULL && request_uri != NULL && realm != NULL
                            && result != NULL,
                        SIPSV_AUTH_MALFORMED);

  memset (result, 0, sizeof *result);
  for (const msg_auth_t *au = credentials; au != NULL && !found; au = au->au_next)
    {
      GError *error = NULL;

      if (au->au_scheme == NULL || g_ascii_strcasecmp (au->au_scheme, "Digest") != 0)
        continue;
      if (!sipsv_auth_credentials_parse (&parsed, au->au_params, &error))
        {
          /* Another server's credentials may follow rules of their own
           * (RFC 2069 without qop): only ours must be well-formed. */
          g_autofree char *their_realm = sipsv_auth_challenge_realm (au);
          if (first_error == NULL && g_strcmp0 (their_realm, realm) == 0)
            first_error = g_steal_pointer (&error);
          g_clear_error (&error);
          continue;
        }
      found = strcmp (parsed.realm, realm) == 0;
      if (!found)
        sipsv_auth_credentials_clear (&parsed);
    }
  if (!found)
    {
      if (first_error != NULL)
        {
          result->error = first_error;
          return conclude (result, SIPSV_AUTH_MALFORMED, "malformed credentials");
        }
      return conclude (result, SIPSV_AUTH_CHALLENGE,
                       credentials == NULL ? "no credentials" : "no credentials for the realm");
    }
  g_clear_error (&first_error);
  result->user = g_strdup (parsed.username);
  result->algorithm = parsed.algorithm;
  outcome = check_credentials (verifier, method, request_uri, &parsed, realm, result);
  sipsv_auth_credentials_clear (&parsed);
  return outcome;
}

/* @text as a quoted-string (RFC 3261 §25.1). */
static void
append_quoted (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

GStrv
sipsv_auth_verifier_challenge (SipsvAuthVerifier *verifier, const char *realm, gboolean stale)
{
  SipsvAuthAlgorithm offer[SIPSV_AUTH_N_ALGORITHMS];
  guint n;
  g_autofree char *nonce = NULL;
  g_autofree char *opaque = NULL;
  GStrv values;

  g_return_val_if_fail (verifier != NULL && realm != NULL, NULL);

  n = sipsv_auth_verifier_get_offer (verifier, offer);
  nonce = sipsv_auth_nonces_make (verifier->nonces, realm, verifier->clock (verifier->clock_data));
  opaque = sipsv_auth_nonces_opaque (verifier->nonces, realm);
  values = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      GString *value = g_string_new ("Digest realm=");

      append_quoted (value, realm);
      g_string_append_printf (value, ", nonce=\"%s\", opaque=\"%s\", algorithm=%s, qop=\"auth\"",
                              nonce, opaque, sipsv_auth_algorithm_name (offer[i]));
      if (stale)
        g_string_append (value, ", stale=true");
      values[i] = g_string_free (value, FALSE);
    }
  return values;
}
