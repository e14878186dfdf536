/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the digest authentication service (lib/auth/): the
 * arithmetic against known answers, nonces, replays, the credentials
 * parser, the file store and the verifier. No network. */
#include "config-private.h"

#include <glib/gstdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "auth/auth-private.h"
#include "check-main.h"

#define REALM "example.com"
#define RURI  "sip:example.com"
#define T0    ((gint64) 1700000000)

/* Known answers, computed independently with Python's hashlib at
 * development time (H = hashlib.new (alg, s.encode ()).hexdigest ()):
 *   HA1 = H("user:realm:password"), HA2 = H("method:uri"),
 *   response = H(f"{HA1}:{nonce}:{nc}:{cnonce}:auth:{HA2}").
 * The RFC_* ones are RFC 7616 §3.9.1's example (HTTP: GET /dir/index.html),
 * whose responses the RFC prints; the SIP_* ones use REGISTER
 * sip:example.com, user alice, password "secret", nonce "abc123", nc
 * 00000001, cnonce "xyz". BOB_* are bob:example.com:hunter2. */
#define RFC_NONCE        "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC_CNONCE       "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC_MD5_HA1      "3d78807defe7de2157e2b0b6573a855f"
#define RFC_MD5_RESPONSE "8ca523f5e9506fed4657c9700eebdbec"
#define RFC_SHA_HA1      "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232"
#define RFC_SHA_RESPONSE "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
#define ALICE_MD5_HA1    "b1726872c344b6dc8365b774f8fd6412"
#define ALICE_SHA_HA1    "ed8925b20f9a77b8f8f8d5f8e4467fe32b866f7208ab9e4b20595e9821a0fdee"
#define SIP_MD5_RESPONSE "ea0239468dbdc13bdd588e0c24c103cd"
#define SIP_SHA_RESPONSE "54a4de5491fbee92078575d5df9639620c58c74b62088c3cba51d61c0d30644f"
#define BOB_MD5_HA1      "a12787ba78bece5b857ffe9599f9aa87"
#define BOB_SHA_HA1      "067e75f9d6bda1c47720d19b543f2efa87fafc63e33fc28aac060b50492890be"

#define ALICE_LINE "alice:" REALM ":" ALICE_MD5_HA1 ":" ALICE_SHA_HA1 "\n"
#define BOB_LINE   "bob:" REALM ":" BOB_MD5_HA1 ":" BOB_SHA_HA1 "\n"

/* ------------------------------------------------------------------------ */
/* Fixture: a temporary folder, a file store of alice and bob, a verifier   */
/* on a clock the test moves, and a sofia home for parsed headers.          */
/* ------------------------------------------------------------------------ */

static char *dir;
static char *path;
static SipsvAuthStore *store;
static SipsvAuthVerifier *verifier;
static gint64 now;
static su_home_t *home;

static gint64
test_clock (gpointer user_data)
{
  return *(gint64 *) user_data;
}

static void
write_file (const char *file, const char *contents)
{
  GError *error = NULL;

  ck_assert_msg (g_file_set_contents (file, contents, -1, &error), "%s",
                 error != NULL ? error->message : "");
}

static void
setup (void)
{
  GError *error = NULL;

  dir = g_dir_make_tmp ("test-auth-XXXXXX", &error);
  ck_assert_ptr_nonnull (dir);
  path = g_build_filename (dir, "users", NULL);
  write_file (path, "# test users\n" ALICE_LINE BOB_LINE);
  store = sipsv_auth_file_store_new (path, &error);
  ck_assert_msg (store != NULL, "%s", error != NULL ? error->message : "");
  verifier = sipsv_auth_verifier_new (store);
  now = T0;
  sipsv_auth_verifier_set_clock (verifier, test_clock, &now);
  home = su_home_new (sizeof (su_home_t));
}

static void
teardown (void)
{
  su_home_unref (home);
  sipsv_auth_verifier_free (verifier);
  sipsv_auth_store_unref (store);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* The value of parameter @name (quoted) in challenge @value. */
static char *
challenge_param (const char *value, const char *name)
{
  g_autofree char *prefix = g_strdup_printf (" %s=\"", name);
  const char *start = strstr (value, prefix);
  const char *end;

  ck_assert_ptr_nonnull (start);
  start += strlen (prefix);
  end = strchr (start, '"');
  ck_assert_ptr_nonnull (end);
  return g_strndup (start, (gsize) (end - start));
}

/* What a client answers to a challenge. */
typedef struct
{
  const char *user;
  const char *password;
  SipsvAuthAlgorithm algorithm;
  const char *method;
  const char *uri; /* the digest uri; the Request-URI is RURI */
  char *nonce;
  char *opaque;
  const char *nc;
} Answer;

/* A fresh challenge (stale=false) and an answer to it as alice with her
 * password, by @algorithm, REGISTER RURI, nc 1. Free with answer_clear(). */
static Answer
answer_challenge (SipsvAuthAlgorithm algorithm)
{
  GStrv values = sipsv_auth_verifier_challenge (verifier, REALM, FALSE);
  Answer answer = {
    .user = "alice",
    .password = "secret",
    .algorithm = algorithm,
    .method = "REGISTER",
    .uri = RURI,
    .nc = "00000001",
  };

  ck_assert_ptr_nonnull (values[0]);
  answer.nonce = challenge_param (values[0], "nonce");
  answer.opaque = challenge_param (values[0], "opaque");
  g_strfreev (values);
  return answer;
}

static void
answer_clear (Answer *answer)
{
  g_free (answer->nonce);
  g_free (answer->opaque);
}

/* The Authorization header @answer makes, parsed by sofia. */
static msg_auth_t *
authorization (const Answer *answer)
{
  g_autofree char *ha1
      = sipsv_auth_digest_ha1 (answer->algorithm, answer->user, REALM, answer->password);
  g_autofree char *response
      = sipsv_auth_digest_response (answer->algorithm, ha1, answer->nonce, answer->nc, "c0ffee",
                                    "auth", answer->method, answer->uri);
  g_autofree char *text = g_strdup_printf (
      "Digest username=\"%s\", realm=\"" REALM "\", nonce=\"%s\", uri=\"%s\", response=\"%s\", "
      "algorithm=%s, cnonce=\"c0ffee\", opaque=\"%s\", qop=auth, nc=%s",
      answer->user, answer->nonce, answer->uri, response,
      sipsv_auth_algorithm_name (answer->algorithm), answer->opaque, answer->nc);
  msg_auth_t *au = (msg_auth_t *) sip_authorization_make (home, text);

  ck_assert_msg (au != NULL, "sofia refused %s", text);
  return au;
}

/* Verifies @answer for REGISTER RURI; returns the outcome, checks the
 * explanation (NULL: not checked) and clears the result. */
static SipsvAuthOutcome
verify_answer (const Answer *answer, const char *why)
{
  SipsvAuthResult result;
  SipsvAuthOutcome outcome = sipsv_auth_verifier_verify (verifier, answer->method, RURI,
                                                         authorization (answer), REALM, &result);

  ck_assert_int_eq (outcome, result.outcome);
  if (why != NULL)
    ck_assert_str_eq (result.why, why);
  if (outcome == SIPSV_AUTH_OK)
    {
      ck_assert_str_eq (result.user, answer->user);
      ck_assert_int_eq (result.algorithm, answer->algorithm);
      ck_assert_ptr_null (result.why);
    }
  ck_assert ((outcome == SIPSV_AUTH_MALFORMED) == (result.error != NULL));
  sipsv_auth_result_clear (&result);
  return outcome;
}

/* ------------------------------------------------------------------------ */
/* Arithmetic                                                                */
/* ------------------------------------------------------------------------ */

START_TEST (test_rfc7616_vectors)
{
  char *ha1
      = sipsv_auth_digest_ha1 (SIPSV_AUTH_MD5, "Mufasa", "http-auth@example.org", "Circle of Life");
  char *response;

  ck_assert_str_eq (ha1, RFC_MD5_HA1);
  response = sipsv_auth_digest_response (SIPSV_AUTH_MD5, ha1, RFC_NONCE, "00000001", RFC_CNONCE,
                                         "auth", "GET", "/dir/index.html");
  ck_assert_str_eq (response, RFC_MD5_RESPONSE);
  g_free (ha1);
  g_free (response);

  ha1 = sipsv_auth_digest_ha1 (SIPSV_AUTH_SHA256, "Mufasa", "http-auth@example.org",
                               "Circle of Life");
  ck_assert_str_eq (ha1, RFC_SHA_HA1);
  response = sipsv_auth_digest_response (SIPSV_AUTH_SHA256, ha1, RFC_NONCE, "00000001", RFC_CNONCE,
                                         "auth", "GET", "/dir/index.html");
  ck_assert_str_eq (response, RFC_SHA_RESPONSE);
  g_free (ha1);
  g_free (response);
}
END_TEST

START_TEST (test_sip_vectors)
{
  static const struct
  {
    SipsvAuthAlgorithm algorithm;
    const char *ha1;
    const char *response;
  } cases[] = {
    { SIPSV_AUTH_MD5, ALICE_MD5_HA1, SIP_MD5_RESPONSE },
    { SIPSV_AUTH_SHA256, ALICE_SHA_HA1, SIP_SHA_RESPONSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char *ha1 = sipsv_auth_digest_ha1 (cases[i].algorithm, "alice", REALM, "secret");
      char *response = sipsv_auth_digest_response (cases[i].algorithm, ha1, "abc123", "00000001",
                                                   "xyz", "auth", "REGISTER", RURI);

      ck_assert_str_eq (ha1, cases[i].ha1);
      ck_assert_str_eq (response, cases[i].response);
      ck_assert_uint_eq (strlen (response), sipsv_auth_algorithm_hex_length (cases[i].algorithm));
      g_free (ha1);
      g_free (response);
    }
}
END_TEST

START_TEST (test_helpers)
{
  SipsvAuthAlgorithm algorithm;

  ck_assert (sipsv_auth_equal_constant_time ("abcdef", "abcdef", 6));
  ck_assert (!sipsv_auth_equal_constant_time ("abcdef", "abcdeF", 6));
  ck_assert (!sipsv_auth_equal_constant_time ("xbcdef", "abcdef", 6));
  ck_assert (sipsv_auth_is_hex ("00aAfF99", 8));
  ck_assert (!sipsv_auth_is_hex ("00aAfF9", 8));
  ck_assert (!sipsv_auth_is_hex ("00aAfF990", 8));
  ck_assert (!sipsv_auth_is_hex ("00aAfF9g", 8));
  ck_assert (sipsv_auth_algorithm_from_name ("sha-256", &algorithm));
  ck_assert_int_eq (algorithm, SIPSV_AUTH_SHA256);
  ck_assert (sipsv_auth_algorithm_from_name ("MD5", &algorithm));
  ck_assert_int_eq (algorithm, SIPSV_AUTH_MD5);
  ck_assert (!sipsv_auth_algorithm_from_name ("MD5-sess", &algorithm));
  ck_assert (!sipsv_auth_algorithm_from_name ("SHA-512-256", &algorithm));
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The verifier                                                              */
/* ------------------------------------------------------------------------ */

START_TEST (test_md5_success)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);

  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_sha256_success)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  /* Another method and Request-URI, same nonce, next nc. */
  answer.nc = "00000002";
  answer.method = "INVITE";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_wrong_password)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  answer.password = "guess";
  ck_assert_int_eq (verify_answer (&answer, "wrong response"), SIPSV_AUTH_CHALLENGE);
  answer.user = "mallory";
  ck_assert_int_eq (verify_answer (&answer, "unknown user"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_wrong_uri)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);
  SipsvAuthResult result;

  answer.uri = "sip:other.example.com";
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, authorization (&answer),
                                                REALM, &result),
                    SIPSV_AUTH_MALFORMED);
  ck_assert (g_error_matches (result.error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_URI_MISMATCH));
  ck_assert_str_eq (result.user, "alice");
  sipsv_auth_result_clear (&result);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_missing_qop)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);
  g_autofree char *text = g_strdup_printf ("Digest username=\"alice\", realm=\"" REALM
                                           "\", nonce=\"%s\", uri=\"" RURI "\", "
                                           "response=\"" SIP_MD5_RESPONSE "\", opaque=\"%s\"",
                                           answer.nonce, answer.opaque);
  SipsvAuthResult result;

  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI,
                                                sip_authorization_make (home, text), REALM,
                                                &result),
                    SIPSV_AUTH_MALFORMED);
  ck_assert (g_error_matches (result.error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_MISSING));
  ck_assert_ptr_nonnull (strstr (result.error->message, "qop"));
  sipsv_auth_result_clear (&result);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_stale_nonce)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  /* Valid up to and including the lifetime. */
  now = T0 + SIPSV_AUTH_NONCE_LIFETIME;
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  now++;
  answer.nc = "00000002";
  ck_assert_int_eq (verify_answer (&answer, "nonce expired"), SIPSV_AUTH_STALE);
  /* Stale only for a correct response. */
  answer.password = "guess";
  ck_assert_int_eq (verify_answer (&answer, "wrong response"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);

  /* The lifetime is configurable. */
  sipsv_auth_verifier_set_nonce_lifetime (verifier, 10);
  answer = answer_challenge (SIPSV_AUTH_MD5);
  now += 11;
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_STALE);
  answer_clear (&answer);
}
END_TEST

/* Answers a fresh challenge of the fixture's verifier with @nonce (taken
 * over) instead of its own; asserts that the nonce is refused. */
static void
assert_nonce_refused (char *nonce)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  g_free (answer.nonce);
  answer.nonce = nonce;
  ck_assert_int_eq (verify_answer (&answer, "nonce not ours"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);
}

/* The nonce of a challenge by @by for @realm. */
static char *
nonce_of (SipsvAuthVerifier *by, const char *realm)
{
  GStrv values = sipsv_auth_verifier_challenge (by, realm, FALSE);
  char *nonce = challenge_param (values[0], "nonce");

  g_strfreev (values);
  return nonce;
}

START_TEST (test_forged_nonce)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);
  SipsvAuthVerifier *other = sipsv_auth_verifier_new (store);
  char *last = answer.nonce + strlen (answer.nonce) - 1;
  char original = *last;

  /* One digit of the MAC changed. */
  *last = original == '0' ? '1' : '0';
  ck_assert_int_eq (verify_answer (&answer, "nonce not ours"), SIPSV_AUTH_CHALLENGE);
  /* A later timestamp with the right MAC for the old one. */
  *last = original;
  answer.nonce[15] = answer.nonce[15] == '0' ? '1' : '0';
  ck_assert_int_eq (verify_answer (&answer, "nonce not ours"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);

  /* A nonce made by another verifier (another secret), one made for
   * another realm, and not even the shape of a nonce. */
  assert_nonce_refused (nonce_of (other, REALM));
  assert_nonce_refused (nonce_of (verifier, "other.example.com"));
  assert_nonce_refused (g_strdup ("abc123"));
  sipsv_auth_verifier_free (other);
}
END_TEST

START_TEST (test_wrong_opaque)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);

  answer.opaque[0] = answer.opaque[0] == '0' ? '1' : '0';
  ck_assert_int_eq (verify_answer (&answer, "wrong opaque"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_replay)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  ck_assert_int_eq (verify_answer (&answer, "nonce count already used"), SIPSV_AUTH_REPLAY);
  /* A replay with a wrong response is just a wrong response. */
  answer.password = "guess";
  ck_assert_int_eq (verify_answer (&answer, "wrong response"), SIPSV_AUTH_CHALLENGE);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_out_of_order_nc)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);
  static const char *const order[] = { "00000003", "00000001", "00000002", "00000050", "00000020" };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      answer.nc = order[i];
      ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
    }
  answer.nc = "00000002";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_REPLAY);
  answer.nc = "00000020";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_REPLAY);
  /* Further behind the highest (0x50) than the window: cannot be told
   * apart from a replay. */
  answer.nc = "0000000f";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_REPLAY);
  /* A jump past the whole window forgets it. */
  answer.nc = "00001000";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer.nc = "00000fc1";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer.nc = "00000fc0";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_REPLAY);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_replay_table_full)
{
  Answer first, second, third;

  sipsv_auth_verifier_set_replay_capacity (verifier, 2);
  first = answer_challenge (SIPSV_AUTH_MD5);
  second = answer_challenge (SIPSV_AUTH_MD5);
  third = answer_challenge (SIPSV_AUTH_MD5);
  ck_assert_int_eq (verify_answer (&first, NULL), SIPSV_AUTH_OK);
  ck_assert_int_eq (verify_answer (&second, NULL), SIPSV_AUTH_OK);
  ck_assert_int_eq (verify_answer (&third, "replay table full"), SIPSV_AUTH_CHALLENGE);
  /* Nonces already in the table go on working. */
  first.nc = "00000002";
  ck_assert_int_eq (verify_answer (&first, NULL), SIPSV_AUTH_OK);
  answer_clear (&first);
  answer_clear (&second);
  answer_clear (&third);

  /* Once the old nonces expired, their entries make room. */
  now += SIPSV_AUTH_NONCE_LIFETIME + 1;
  third = answer_challenge (SIPSV_AUTH_MD5);
  ck_assert_int_eq (verify_answer (&third, NULL), SIPSV_AUTH_OK);
  answer_clear (&third);
}
END_TEST

START_TEST (test_replay_table)
{
  SipsvAuthReplay *replay = sipsv_auth_replay_new (1);

  ck_assert_int_eq (sipsv_auth_replay_check (replay, "n1", 1, T0 + 10, T0),
                    SIPSV_AUTH_REPLAY_FRESH);
  ck_assert_int_eq (sipsv_auth_replay_check (replay, "n1", 1, T0 + 10, T0), SIPSV_AUTH_REPLAY_SEEN);
  ck_assert_int_eq (sipsv_auth_replay_check (replay, "n2", 1, T0 + 20, T0 + 10),
                    SIPSV_AUTH_REPLAY_FULL);
  ck_assert_uint_eq (sipsv_auth_replay_size (replay), 1);
  ck_assert_int_eq (sipsv_auth_replay_check (replay, "n2", 1, T0 + 20, T0 + 11),
                    SIPSV_AUTH_REPLAY_FRESH);
  ck_assert_uint_eq (sipsv_auth_replay_size (replay), 1);
  sipsv_auth_replay_free (replay);
}
END_TEST

START_TEST (test_no_usable_credentials)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);
  SipsvAuthResult result;
  msg_auth_t *au;

  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, NULL, REALM, &result),
                    SIPSV_AUTH_CHALLENGE);
  ck_assert_str_eq (result.why, "no credentials");
  ck_assert_ptr_null (result.user);
  sipsv_auth_result_clear (&result);

  au = sip_authorization_make (home, "Basic YWxpY2U6c2VjcmV0");
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, au, REALM, &result),
                    SIPSV_AUTH_CHALLENGE);
  ck_assert_str_eq (result.why, "no credentials for the realm");
  sipsv_auth_result_clear (&result);

  /* Credentials for another realm are for another server. */
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, authorization (&answer),
                                                "other.example.com", &result),
                    SIPSV_AUTH_CHALLENGE);
  ck_assert_str_eq (result.why, "no credentials for the realm");
  sipsv_auth_result_clear (&result);

  /* ... and those for our realm are found behind them. */
  au = sip_authorization_make (home, "Digest username=\"x\", realm=\"upstream\", nonce=\"1\", "
                                     "uri=\"" RURI "\", response=\"00\", qop=auth, nc=00000001, "
                                     "cnonce=\"1\"");
  ck_assert_ptr_nonnull (au);
  au->au_next = authorization (&answer);
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, au, REALM, &result),
                    SIPSV_AUTH_OK);
  sipsv_auth_result_clear (&result);
  answer_clear (&answer);
}
END_TEST

START_TEST (test_algorithm_not_offered)
{
  static const SipsvAuthAlgorithm md5_only[] = { SIPSV_AUTH_MD5 };
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);

  sipsv_auth_verifier_set_algorithms (verifier, md5_only, 1);
  ck_assert_int_eq (verify_answer (&answer, "algorithm not offered"), SIPSV_AUTH_CHALLENGE);
  answer.algorithm = SIPSV_AUTH_MD5;
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer_clear (&answer);
}
END_TEST

/* Credentials without algorithm are MD5 (RFC 7616 §3.4). */
START_TEST (test_algorithm_absent_is_md5)
{
  Answer answer = answer_challenge (SIPSV_AUTH_MD5);
  g_autofree char *ha1 = sipsv_auth_digest_ha1 (SIPSV_AUTH_MD5, "alice", REALM, "secret");
  g_autofree char *response = sipsv_auth_digest_response (
      SIPSV_AUTH_MD5, ha1, answer.nonce, "00000001", "c0ffee", "auth", "REGISTER", RURI);
  g_autofree char *upper = g_ascii_strup (response, -1);
  g_autofree char *text = g_strdup_printf (
      "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"%s\", uri=\"" RURI "\", "
      "response=\"%s\", cnonce=\"c0ffee\", opaque=\"%s\", qop=\"auth\", nc=00000001",
      answer.nonce, upper, answer.opaque);
  SipsvAuthResult result;

  /* (also: an uppercase response and a quoted qop are accepted) */
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI,
                                                sip_authorization_make (home, text), REALM,
                                                &result),
                    SIPSV_AUTH_OK);
  ck_assert_int_eq (result.algorithm, SIPSV_AUTH_MD5);
  sipsv_auth_result_clear (&result);
  answer_clear (&answer);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The credentials parser                                                    */
/* ------------------------------------------------------------------------ */

#define P_USER   "username=\"alice\""
#define P_REALM  "realm=\"" REALM "\""
#define P_NONCE  "nonce=\"n\""
#define P_URI    "uri=\"" RURI "\""
#define P_RESP   "response=\"" SIP_MD5_RESPONSE "\""
#define P_CNONCE "cnonce=\"c\""
#define P_QOP    "qop=auth"
#define P_NC     "nc=00000001"

START_TEST (test_parse_good)
{
  const char *params[]
      = { "Username=\"al\\\"ice\"", P_REALM,          P_NONCE,        P_URI,
          "response=\"ABCDEF\"",    P_CNONCE,         "QOP=auth",     "nc=0000000A",
          "algorithm=sha-256",      "userhash=false", "opaque=\"o\"", NULL };
  SipsvAuthCredentials credentials = { 0 };
  GError *error = NULL;

  ck_assert (sipsv_auth_credentials_parse (&credentials, params, &error));
  ck_assert_ptr_null (error);
  ck_assert_str_eq (credentials.username, "al\"ice");
  ck_assert_str_eq (credentials.realm, REALM);
  ck_assert_str_eq (credentials.response, "abcdef");
  ck_assert_str_eq (credentials.nc_text, "0000000A");
  ck_assert_uint_eq (credentials.nc, 10);
  ck_assert_str_eq (credentials.opaque, "o");
  ck_assert_int_eq (credentials.algorithm, SIPSV_AUTH_SHA256);
  sipsv_auth_credentials_clear (&credentials);
}
END_TEST

/* Each case replaces or adds one parameter of a good set. */
static const struct
{
  const char *param; /* replaces the parameter of that name, or is added */
  const char *drop;  /* a parameter name to leave out, or NULL */
  SipsvAuthError code;
  const char *names; /* what the message must name */
} parse_errors[] = {
  { "nonce=\"m\"", NULL, SIPSV_AUTH_ERROR_DUPLICATE, "'nonce'" },
  { "NC=00000002", NULL, SIPSV_AUTH_ERROR_DUPLICATE, "'nc'" },
  { NULL, "username", SIPSV_AUTH_ERROR_MISSING, "'username'" },
  { NULL, "realm", SIPSV_AUTH_ERROR_MISSING, "'realm'" },
  { NULL, "nonce", SIPSV_AUTH_ERROR_MISSING, "'nonce'" },
  { NULL, "uri", SIPSV_AUTH_ERROR_MISSING, "'uri'" },
  { NULL, "response", SIPSV_AUTH_ERROR_MISSING, "'response'" },
  { NULL, "qop", SIPSV_AUTH_ERROR_MISSING, "'qop'" },
  { NULL, "cnonce", SIPSV_AUTH_ERROR_MISSING, "'cnonce'" },
  { NULL, "nc", SIPSV_AUTH_ERROR_MISSING, "'nc'" },
  { "nc=0000000g", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'nc'" },
  { "nc=1", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'nc'" },
  { "nc=000000001", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'nc'" },
  { "nc=00000000", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'nc'" },
  { "response=\"xyz\"", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'response'" },
  { "response=\"\"", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'response'" },
  { "nonce", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'nonce'" },
  { "qop=", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "'qop'" },
  { "username=alice", NULL, SIPSV_AUTH_ERROR_QUOTING, "'username'" },
  { "nonce=\"abc", NULL, SIPSV_AUTH_ERROR_QUOTING, "'nonce'" },
  { "nonce=\"a\"bc\"", NULL, SIPSV_AUTH_ERROR_QUOTING, "'nonce'" },
  { "nonce=\"abc\\\"", NULL, SIPSV_AUTH_ERROR_QUOTING, "'nonce'" },
  { "nonce=\"", NULL, SIPSV_AUTH_ERROR_QUOTING, "'nonce'" },
  { "uri=\"sip:a\rb\"", NULL, SIPSV_AUTH_ERROR_QUOTING, "'uri'" },
  { "qop=au\"th", NULL, SIPSV_AUTH_ERROR_QUOTING, "'qop'" },
  { "qop=auth-int", NULL, SIPSV_AUTH_ERROR_UNSUPPORTED, "'auth-int'" },
  { "algorithm=MD5-sess", NULL, SIPSV_AUTH_ERROR_UNSUPPORTED, "'MD5-sess'" },
  { "=x", NULL, SIPSV_AUTH_ERROR_BAD_VALUE, "without a name" },
};

START_TEST (test_parse_errors)
{
  static const char *const good[]
      = { P_USER, P_REALM, P_NONCE, P_URI, P_RESP, P_CNONCE, P_QOP, P_NC };
  const char *params[G_N_ELEMENTS (good) + 2];
  SipsvAuthCredentials credentials = { 0 };
  GError *error = NULL;
  guint n = 0;
  gboolean replaced = FALSE;
  g_autofree char *name = NULL;

  if (parse_errors[_i].param != NULL)
    name = g_strndup (parse_errors[_i].param, strcspn (parse_errors[_i].param, "="));
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      gsize length = strcspn (good[i], "=");

      if (parse_errors[_i].drop != NULL && strncmp (good[i], parse_errors[_i].drop, length) == 0
          && parse_errors[_i].drop[length] == '\0')
        continue;
      /* Replace the parameter of that name unless the case is a duplicate. */
      if (name != NULL && parse_errors[_i].code != SIPSV_AUTH_ERROR_DUPLICATE
          && strlen (name) == length && strncmp (good[i], name, length) == 0)
        {
          params[n++] = parse_errors[_i].param;
          replaced = TRUE;
          continue;
        }
      params[n++] = good[i];
    }
  if (parse_errors[_i].param != NULL && !replaced)
    params[n++] = parse_errors[_i].param;
  params[n] = NULL;

  ck_assert (!sipsv_auth_credentials_parse (&credentials, params, &error));
  ck_assert_msg (g_error_matches (error, SIPSV_AUTH_ERROR, parse_errors[_i].code), "case %d: %s",
                 _i, error->message);
  ck_assert_msg (strstr (error->message, parse_errors[_i].names) != NULL, "case %d: %s", _i,
                 error->message);
  ck_assert_ptr_null (credentials.username);
  g_error_free (error);
}
END_TEST

/* A malformed header through the verifier, as sofia parses it. */
START_TEST (test_malformed_header)
{
  SipsvAuthResult result;
  msg_auth_t *au = sip_authorization_make (
      home, "Digest username=\"alice\", username=\"bob\", realm=\"" REALM "\", nonce=\"n\", "
            "uri=\"" RURI "\", response=\"00\", qop=auth, nc=00000001, cnonce=\"c\"");

  ck_assert_ptr_nonnull (au);
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, au, REALM, &result),
                    SIPSV_AUTH_MALFORMED);
  ck_assert (g_error_matches (result.error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_DUPLICATE));
  ck_assert_str_eq (result.why, "malformed credentials");
  sipsv_auth_result_clear (&result);
}
END_TEST

/* Another realm's credentials, in a form we would refuse (no qop), are
 * not ours to judge: no 400, a challenge for ours. */
START_TEST (test_other_realm_malformed_ignored)
{
  SipsvAuthResult result;
  msg_auth_t *au = sip_authorization_make (
      home, "Digest username=\"alice\", realm=\"upstream.net\", nonce=\"n\", uri=\"" RURI
            "\", response=\"0123\"");

  ck_assert_ptr_nonnull (au);
  ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, au, REALM, &result),
                    SIPSV_AUTH_CHALLENGE);
  ck_assert_ptr_null (result.error);
  sipsv_auth_result_clear (&result);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Challenges and the offer                                                  */
/* ------------------------------------------------------------------------ */

START_TEST (test_challenge_text)
{
  GStrv values = sipsv_auth_verifier_challenge (verifier, REALM, FALSE);
  GStrv stale;
  g_autofree char *nonce = challenge_param (values[0], "nonce");
  g_autofree char *opaque = challenge_param (values[0], "opaque");
  g_autofree char *expected = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", "
                                               "opaque=\"%s\", algorithm=SHA-256, qop=\"auth\"",
                                               nonce, opaque);
  g_autofree char *expected_md5 = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", "
                                                   "opaque=\"%s\", algorithm=MD5, qop=\"auth\"",
                                                   nonce, opaque);

  ck_assert_uint_eq (g_strv_length (values), 2);
  ck_assert_str_eq (values[0], expected);
  ck_assert_str_eq (values[1], expected_md5);
  ck_assert_uint_eq (strlen (nonce), 64);

  /* Every challenge has a new nonce; stale=true on request; sofia parses
   * the value. */
  stale = sipsv_auth_verifier_challenge (verifier, REALM, TRUE);
  ck_assert_str_ne (stale[0], values[0]);
  ck_assert (g_str_has_suffix (stale[0], ", stale=true"));
  ck_assert_ptr_nonnull (sip_www_authenticate_make (home, stale[0]));
  ck_assert_ptr_nonnull (sip_proxy_authenticate_make (home, values[1]));
  g_strfreev (stale);
  g_strfreev (values);

  /* A realm that needs escaping. */
  values = sipsv_auth_verifier_challenge (verifier, "a \"quoted\\\" realm", FALSE);
  ck_assert (g_str_has_prefix (values[0], "Digest realm=\"a \\\"quoted\\\\\\\" realm\", "));
  g_strfreev (values);
}
END_TEST

/* The default algorithms of a file store reading @contents. */
static guint
file_algorithms (const char *contents)
{
  SipsvAuthStore *file_store;
  GError *error = NULL;
  guint algorithms;

  write_file (path, contents);
  file_store = sipsv_auth_file_store_new (path, &error);
  ck_assert_msg (file_store != NULL, "%s", error != NULL ? error->message : "");
  algorithms = sipsv_auth_store_algorithms (file_store);
  sipsv_auth_store_unref (file_store);
  return algorithms;
}

START_TEST (test_offer_order)
{
  static const SipsvAuthAlgorithm md5_first[] = { SIPSV_AUTH_MD5, SIPSV_AUTH_SHA256 };
  SipsvAuthAlgorithm offer[SIPSV_AUTH_N_ALGORITHMS];
  SipsvAuthVerifier *md5_verifier;
  SipsvAuthStore *md5_store;
  GError *error = NULL;
  GStrv values;

  /* Every entry has both hashes: SHA-256 first. */
  ck_assert_uint_eq (sipsv_auth_verifier_get_offer (verifier, offer), 2);
  ck_assert_int_eq (offer[0], SIPSV_AUTH_SHA256);
  ck_assert_int_eq (offer[1], SIPSV_AUTH_MD5);

  /* Configured. */
  sipsv_auth_verifier_set_algorithms (verifier, md5_first, 2);
  ck_assert_uint_eq (sipsv_auth_verifier_get_offer (verifier, offer), 2);
  ck_assert_int_eq (offer[0], SIPSV_AUTH_MD5);
  sipsv_auth_verifier_set_algorithms (verifier, NULL, 0);
  ck_assert_uint_eq (sipsv_auth_verifier_get_offer (verifier, offer), 2);
  ck_assert_int_eq (offer[0], SIPSV_AUTH_SHA256);

  /* A plain htdigest file, or one entry without SHA-256: MD5 only. */
  write_file (path, "alice:" REALM ":" ALICE_MD5_HA1 "\n" BOB_LINE);
  md5_store = sipsv_auth_file_store_new (path, &error);
  ck_assert_ptr_nonnull (md5_store);
  md5_verifier = sipsv_auth_verifier_new (md5_store);
  ck_assert_uint_eq (sipsv_auth_verifier_get_offer (md5_verifier, offer), 1);
  ck_assert_int_eq (offer[0], SIPSV_AUTH_MD5);
  values = sipsv_auth_verifier_challenge (md5_verifier, REALM, FALSE);
  ck_assert_uint_eq (g_strv_length (values), 1);
  ck_assert_ptr_nonnull (strstr (values[0], "algorithm=MD5,"));
  g_strfreev (values);
  sipsv_auth_verifier_free (md5_verifier);
  sipsv_auth_store_unref (md5_store);

  /* SHA-256 only for everyone (empty MD5 fields); no algorithm common to
   * all: those any entry has; an empty file: MD5. */
  ck_assert_uint_eq (file_algorithms ("alice:" REALM "::" ALICE_SHA_HA1 "\n"),
                     SIPSV_AUTH_ALGORITHM_BIT (SIPSV_AUTH_SHA256));
  ck_assert_uint_eq (file_algorithms ("alice:" REALM "::" ALICE_SHA_HA1 "\n"
                                      "bob:" REALM ":" BOB_MD5_HA1 "\n"),
                     SIPSV_AUTH_ALGORITHMS_ALL);
  ck_assert_uint_eq (file_algorithms ("# nobody\n"), SIPSV_AUTH_ALGORITHM_BIT (SIPSV_AUTH_MD5));
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The file store                                                            */
/* ------------------------------------------------------------------------ */

START_TEST (test_file_store_lookup)
{
  char *ha1;

  write_file (path, "# users\r\n\r\n   \n  # indented comment\n"
                    "  carol:" REALM ":"
                    "A12787BA78BECE5B857FFE9599F9AA87  \r\n" ALICE_LINE "dave:" REALM
                    "::" BOB_SHA_HA1 "\n");
  ck_assert (sipsv_auth_store_reload (store, NULL));
  ha1 = sipsv_auth_store_lookup (store, "carol", REALM, SIPSV_AUTH_MD5);
  ck_assert_str_eq (ha1, BOB_MD5_HA1); /* lowercased */
  sipsv_auth_free_secret (ha1);
  ck_assert_ptr_null (sipsv_auth_store_lookup (store, "carol", REALM, SIPSV_AUTH_SHA256));
  ck_assert_ptr_null (sipsv_auth_store_lookup (store, "carol", "other", SIPSV_AUTH_MD5));
  ck_assert_ptr_null (sipsv_auth_store_lookup (store, "bob", REALM, SIPSV_AUTH_MD5));
  ha1 = sipsv_auth_store_lookup (store, "alice", REALM, SIPSV_AUTH_SHA256);
  ck_assert_str_eq (ha1, ALICE_SHA_HA1);
  sipsv_auth_free_secret (ha1);
  ck_assert_ptr_null (sipsv_auth_store_lookup (store, "dave", REALM, SIPSV_AUTH_MD5));
  ha1 = sipsv_auth_store_lookup (store, "dave", REALM, SIPSV_AUTH_SHA256);
  ck_assert_str_eq (ha1, BOB_SHA_HA1);
  sipsv_auth_free_secret (ha1);
}
END_TEST

static const struct
{
  const char *contents;
  const char *message; /* after "PATH:" */
} file_errors[] = {
  { "# one\nalice:" REALM "\n", "2: expected user:realm:MD5-HA1[:SHA-256-HA1], found 2 fields" },
  { ALICE_LINE "bob:" REALM ":a:b:c\n",
    "2: expected user:realm:MD5-HA1[:SHA-256-HA1], found 5 fields" },
  { "\n\nalice:" REALM ":1234\n", "3: the MD5 hash must be 32 hex digits" },
  { "alice:" REALM ":" ALICE_MD5_HA1 ":" ALICE_MD5_HA1 "\n",
    "1: the SHA-256 hash must be 64 hex digits" },
  { "alice:" REALM ":"
    "g1726872c344b6dc8365b774f8fd6412\n",
    "1: the MD5 hash must be 32 hex digits" },
  { ":" REALM ":" ALICE_MD5_HA1 "\n", "1: empty user" },
  { "alice::" ALICE_MD5_HA1 "\n", "1: empty realm" },
  { "alice:" REALM "::\n", "1: no hash" },
  { ALICE_LINE "# again\n" ALICE_LINE,
    "3: user 'alice' of realm 'example.com' is already on line 1" },
};

START_TEST (test_file_store_errors)
{
  g_autofree char *expected = NULL;
  GError *error = NULL;

  write_file (path, file_errors[_i].contents);
  ck_assert_ptr_null (sipsv_auth_file_store_new (path, &error));
  ck_assert (g_error_matches (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE));
  expected = g_strdup_printf ("%s:%s", path, file_errors[_i].message);
  ck_assert_str_eq (error->message, expected);
  g_error_free (error);
}
END_TEST

START_TEST (test_file_store_missing)
{
  g_autofree char *missing = g_build_filename (dir, "nope", NULL);
  GError *error = NULL;

  ck_assert_ptr_null (sipsv_auth_file_store_new (missing, &error));
  ck_assert (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  ck_assert_ptr_nonnull (strstr (error->message, missing));
  g_error_free (error);
}
END_TEST

START_TEST (test_file_store_reload)
{
  Answer answer = answer_challenge (SIPSV_AUTH_SHA256);
  g_autofree char *new_ha1 = sipsv_auth_digest_ha1 (SIPSV_AUTH_MD5, "alice", REALM, "hunter2");
  g_autofree char *new_file = g_strdup_printf ("alice:" REALM ":%s\n", new_ha1);
  GError *error = NULL;
  char *ha1;

  /* A bad file: the error names it, the old contents stay. */
  write_file (path, BOB_LINE "carol:" REALM ":bad\n");
  ck_assert (!sipsv_auth_store_reload (store, &error));
  ck_assert (g_error_matches (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE));
  ck_assert (g_str_has_suffix (error->message, ":2: the MD5 hash must be 32 hex digits"));
  g_clear_error (&error);
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  ck_assert_uint_eq (sipsv_auth_store_algorithms (store), SIPSV_AUTH_ALGORITHMS_ALL);

  /* A vanished file: the same. */
  g_unlink (path);
  ck_assert (!sipsv_auth_store_reload (store, &error));
  ck_assert (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  g_clear_error (&error);
  answer.nc = "00000002";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);

  /* A good file replaces everything; alice changed her password. */
  write_file (path, new_file);
  ck_assert (sipsv_auth_store_reload (store, &error));
  ck_assert_ptr_null (error);
  ck_assert_ptr_null (sipsv_auth_store_lookup (store, "bob", REALM, SIPSV_AUTH_MD5));
  ha1 = sipsv_auth_store_lookup (store, "alice", REALM, SIPSV_AUTH_MD5);
  ck_assert_str_eq (ha1, new_ha1);
  sipsv_auth_free_secret (ha1);
  ck_assert_uint_eq (sipsv_auth_store_algorithms (store),
                     SIPSV_AUTH_ALGORITHM_BIT (SIPSV_AUTH_MD5));
  answer.nc = "00000003";
  ck_assert_int_eq (verify_answer (&answer, "algorithm not offered"), SIPSV_AUTH_CHALLENGE);
  answer.algorithm = SIPSV_AUTH_MD5;
  ck_assert_int_eq (verify_answer (&answer, "wrong response"), SIPSV_AUTH_CHALLENGE);
  answer.password = "hunter2";
  ck_assert_int_eq (verify_answer (&answer, NULL), SIPSV_AUTH_OK);
  answer_clear (&answer);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Client side: challenges and the credentials answering them               */
/* ------------------------------------------------------------------------ */

static msg_auth_t *
www_authenticate (const char *text)
{
  msg_auth_t *au = (msg_auth_t *) sip_www_authenticate_make (home, text);

  ck_assert_msg (au != NULL, "sofia refused %s", text);
  return au;
}

/* The SIP_* vectors, answered by the client code. */
START_TEST (test_client_answer_vectors)
{
  static const struct
  {
    const char *algorithm;
    const char *response;
  } cases[] = { { "MD5", SIP_MD5_RESPONSE }, { "SHA-256", SIP_SHA_RESPONSE } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      SipsvAuthChallenge challenge;
      g_autofree char *text = g_strdup_printf (
          "Digest realm=\"" REALM "\", nonce=\"abc123\", algorithm=%s, qop=\"auth,auth-int\"",
          cases[i].algorithm);
      g_autofree char *answer = NULL;
      g_autofree char *expected = NULL;

      ck_assert_msg (sipsv_auth_challenge_parse (&challenge, www_authenticate (text), &error),
                     "%s", error != NULL ? error->message : "");
      ck_assert_str_eq (challenge.realm, REALM);
      ck_assert_str_eq (challenge.nonce, "abc123");
      ck_assert_ptr_null (challenge.opaque);
      ck_assert (!challenge.stale);
      answer = sipsv_auth_challenge_answer (&challenge, "REGISTER", RURI, "alice", "secret",
                                            "xyz", 1);
      expected = g_strdup_printf ("Digest username=\"alice\", realm=\"" REALM "\", "
                                  "nonce=\"abc123\", uri=\"" RURI "\", response=\"%s\", "
                                  "algorithm=%s, cnonce=\"xyz\", qop=auth, nc=00000001",
                                  cases[i].response, cases[i].algorithm);
      ck_assert_str_eq (answer, expected);
      sipsv_auth_challenge_clear (&challenge);
    }
}
END_TEST

/* Our own verifier accepts what the client code answers to its
 * challenges, for each algorithm, and each further use of the nonce
 * (the challenges share one nonce, so nc goes on counting across them);
 * quotes in the username are escaped. */
START_TEST (test_client_round_trip)
{
  GStrv values = sipsv_auth_verifier_challenge (verifier, REALM, FALSE);
  guint32 nc = 0;

  ck_assert_uint_eq (g_strv_length (values), 2);
  for (guint i = 0; values[i] != NULL; i++)
    {
      GError *error = NULL;
      SipsvAuthChallenge challenge;

      ck_assert_msg (sipsv_auth_challenge_parse (&challenge, www_authenticate (values[i]), &error),
                     "%s", error != NULL ? error->message : "");
      ck_assert_ptr_nonnull (challenge.opaque);
      for (guint use = 0; use < 2; use++)
        {
          g_autofree char *cnonce = sipsv_auth_random_hex (16);
          g_autofree char *answer = sipsv_auth_challenge_answer (&challenge, "REGISTER", RURI,
                                                                 "alice", "secret", cnonce, ++nc);
          msg_auth_t *au = (msg_auth_t *) sip_authorization_make (home, answer);
          SipsvAuthResult result;

          ck_assert_uint_eq (strlen (cnonce), 32);
          ck_assert_ptr_nonnull (au);
          ck_assert_int_eq (sipsv_auth_verifier_verify (verifier, "REGISTER", RURI, au, REALM,
                                                        &result),
                            SIPSV_AUTH_OK);
          ck_assert_int_eq (result.algorithm, challenge.algorithm);
          sipsv_auth_result_clear (&result);
        }
      sipsv_auth_challenge_clear (&challenge);
    }
  g_strfreev (values);

  {
    SipsvAuthChallenge challenge = { .realm = (char *) "r", .nonce = (char *) "n" };
    g_autofree char *answer = sipsv_auth_challenge_answer (&challenge, "REGISTER", RURI,
                                                           "a\"b\\c", "p", "c", 1);
    ck_assert_ptr_nonnull (strstr (answer, "username=\"a\\\"b\\\\c\""));
  }
}
END_TEST

START_TEST (test_challenge_stale_and_realm)
{
  SipsvAuthChallenge challenge;
  msg_auth_t *au = www_authenticate ("Digest realm=\"a\\\"b\", nonce=\"n\", opaque=\"o\", "
                                     "stale=TRUE, qop=auth, domain=\"sip:x\"");
  g_autofree char *realm = sipsv_auth_challenge_realm (au);
  g_autofree char *basic = sipsv_auth_challenge_realm (www_authenticate ("Basic realm=\"b\""));

  ck_assert (sipsv_auth_challenge_parse (&challenge, au, NULL));
  ck_assert_str_eq (challenge.realm, "a\"b");
  ck_assert_str_eq (challenge.opaque, "o");
  ck_assert (challenge.stale);
  ck_assert_int_eq (challenge.algorithm, SIPSV_AUTH_MD5);
  ck_assert_str_eq (realm, "a\"b");
  ck_assert_str_eq (basic, "b");
  sipsv_auth_challenge_clear (&challenge);
}
END_TEST

static const struct
{
  const char *text;
  SipsvAuthError code;
} challenge_errors[] = {
  { "Basic realm=\"r\"", SIPSV_AUTH_ERROR_UNSUPPORTED },
  { "Digest nonce=\"n\", qop=\"auth\"", SIPSV_AUTH_ERROR_MISSING },
  { "Digest realm=\"r\", qop=\"auth\"", SIPSV_AUTH_ERROR_MISSING },
  { "Digest realm=\"r\", nonce=\"n\"", SIPSV_AUTH_ERROR_UNSUPPORTED },
  { "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", SIPSV_AUTH_ERROR_UNSUPPORTED },
  { "Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=MD5-sess", SIPSV_AUTH_ERROR_UNSUPPORTED },
  { "Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=SHA-512-256", SIPSV_AUTH_ERROR_UNSUPPORTED },
  { "Digest realm=r, nonce=\"n\", qop=auth", SIPSV_AUTH_ERROR_QUOTING },
  { "Digest realm=\"r\", realm=\"s\", nonce=\"n\", qop=auth", SIPSV_AUTH_ERROR_DUPLICATE },
  { "Digest realm=\"r\", nonce=\"n\", nonce=\"m\", qop=auth", SIPSV_AUTH_ERROR_DUPLICATE },
  { "Digest realm=\"r\", nonce=\"n\", qop=auth, algorithm=\"MD5", SIPSV_AUTH_ERROR_QUOTING },
};

START_TEST (test_challenge_errors)
{
  GError *error = NULL;
  SipsvAuthChallenge challenge;
  msg_auth_t *au = (msg_auth_t *) sip_www_authenticate_make (home, challenge_errors[_i].text);

  if (au == NULL)
    return; /* sofia refuses it already */
  ck_assert_msg (!sipsv_auth_challenge_parse (&challenge, au, &error), "accepted %s",
                 challenge_errors[_i].text);
  ck_assert_msg (g_error_matches (error, SIPSV_AUTH_ERROR, (gint) challenge_errors[_i].code),
                 "%s: %s", challenge_errors[_i].text, error->message);
  ck_assert_ptr_null (challenge.realm);
  g_error_free (error);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("auth");
  TCase *digest = tcase_create ("digest");
  TCase *verify = tcase_create ("verify");
  TCase *parse = tcase_create ("parse");
  TCase *file = tcase_create ("file-store");
  TCase *client = tcase_create ("client");

  tcase_add_test (digest, test_rfc7616_vectors);
  tcase_add_test (digest, test_sip_vectors);
  tcase_add_test (digest, test_helpers);
  tcase_add_test (digest, test_replay_table);
  suite_add_tcase (suite, digest);

  tcase_add_checked_fixture (verify, setup, teardown);
  tcase_add_test (verify, test_md5_success);
  tcase_add_test (verify, test_sha256_success);
  tcase_add_test (verify, test_wrong_password);
  tcase_add_test (verify, test_wrong_uri);
  tcase_add_test (verify, test_missing_qop);
  tcase_add_test (verify, test_stale_nonce);
  tcase_add_test (verify, test_forged_nonce);
  tcase_add_test (verify, test_wrong_opaque);
  tcase_add_test (verify, test_replay);
  tcase_add_test (verify, test_out_of_order_nc);
  tcase_add_test (verify, test_replay_table_full);
  tcase_add_test (verify, test_no_usable_credentials);
  tcase_add_test (verify, test_algorithm_not_offered);
  tcase_add_test (verify, test_algorithm_absent_is_md5);
  tcase_add_test (verify, test_malformed_header);
  tcase_add_test (verify, test_other_realm_malformed_ignored);
  tcase_add_test (verify, test_challenge_text);
  tcase_add_test (verify, test_offer_order);
  suite_add_tcase (suite, verify);

  tcase_add_test (parse, test_parse_good);
  tcase_add_loop_test (parse, test_parse_errors, 0, G_N_ELEMENTS (parse_errors));
  suite_add_tcase (suite, parse);

  tcase_add_checked_fixture (file, setup, teardown);
  tcase_add_test (file, test_file_store_lookup);
  tcase_add_loop_test (file, test_file_store_errors, 0, G_N_ELEMENTS (file_errors));
  tcase_add_test (file, test_file_store_missing);
  tcase_add_test (file, test_file_store_reload);
  suite_add_tcase (suite, file);

  tcase_add_checked_fixture (client, setup, teardown);
  tcase_add_test (client, test_client_answer_vectors);
  tcase_add_test (client, test_client_round_trip);
  tcase_add_test (client, test_challenge_stale_and_realm);
  tcase_add_loop_test (client, test_challenge_errors, 0, G_N_ELEMENTS (challenge_errors));
  suite_add_tcase (suite, client);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
