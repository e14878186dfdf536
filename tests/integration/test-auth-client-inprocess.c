/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of logging in to a provider (issue 14, client side): a
 * container with no servlet sends REGISTER and INVITE to a fake registrar
 * or proxy on loopback that challenges them (401 WWW-Authenticate, 407
 * Proxy-Authenticate; MD5, SHA-256 or both offered). The peer checks the
 * credentials it receives with the library's own server-side verifier
 * (lib/auth/, whose arithmetic test-auth.c checks against hashlib
 * vectors): the realm's password is "secret", user alice.
 *
 * Covered: sipservlet_request_add_auth_header() on a new request,
 * sipservlet_request_set_auth_info() with the callback API (the retry has
 * the next CSeq and a new branch, the callback sees only the final
 * response on the same handle), a wrong password (the second 401 is
 * delivered), sipservlet_response_get_challenge_realms(), and the
 * GErrors of bad arguments. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

#include <string.h>

#include <sofia-sip/sip_header.h>

#include "auth/auth-private.h"
#include "session/session-private.h"
#include "check-main.h"
#include "peer-checks.h"

#define REALM "example.com"

/* @error matches the domain and code; it is cleared. */
#define ck_assert_error(error, domain, code)                                       \
  do                                                                               \
    {                                                                              \
      ck_assert_msg (g_error_matches (*(error), domain, code), "got %s",           \
                     *(error) != NULL ? (*(error))->message : "no error");         \
      g_clear_error (error);                                                       \
    }                                                                              \
  while (0)

static SipContainer *container;
static FakePeer *peer;
static SipsvAuthStore *store;
static SipsvAuthVerifier *verifier;
static su_home_t *home;

typedef struct {
  GPtrArray *statuses;            /* guint, one per response shown */
  guint outcomes;
  SipServletResponse *last;       /* a reference on the last response shown */
  SipServletRequest *request;     /* the handle of the last response, not owned */
} Seen;

static Seen seen;
static SipServletRequest *sent;

/* ---- the peer's credential store: alice / secret, every algorithm ---- */

static char *
store_lookup (gpointer data, const char *user, const char *realm, SipsvAuthAlgorithm algorithm)
{
  if (strcmp (user, "alice") != 0)
    return NULL;
  return sipsv_auth_digest_ha1 (algorithm, user, realm, "secret");
}

static guint
store_algorithms (gpointer data)
{
  return SIPSV_AUTH_ALGORITHMS_ALL;
}

static const SipCredentialStoreFuncs store_funcs = {
  .lookup = store_lookup,
  .get_algorithms = store_algorithms,
};

/* ---- fixture ---- */

static void
on_response (SipServletRequest *request, SipServletResponse *response, const GError *error,
             gpointer user_data)
{
  Seen *s = user_data;
  if (response == NULL)
    {
      s->outcomes++;
      return;
    }
  g_ptr_array_add (s->statuses, GUINT_TO_POINTER (sipservlet_response_get_status (response)));
  g_clear_pointer (&s->last, sipservlet_response_unref);
  s->last = sipservlet_response_ref (response);
  s->request = request;
}

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1",
                        sipservlet_container_get_port (container, NULL), &error);
  ck_assert_ptr_nonnull (peer);
  store = sipsv_auth_store_new (&store_funcs, NULL, NULL);
  verifier = sipsv_auth_verifier_new (store);
  home = su_home_new (sizeof (su_home_t));
  memset (&seen, 0, sizeof seen);
  seen.statuses = g_ptr_array_new ();
}

static void
teardown (void)
{
  g_clear_pointer (&seen.last, sipservlet_response_unref);
  g_clear_pointer (&sent, sipservlet_request_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
  fake_peer_free (peer);
  g_ptr_array_unref (seen.statuses);
  su_home_unref (home);
  sipsv_auth_verifier_free (verifier);
  sipsv_auth_store_unref (store);
}

static SipServletRequest *
new_request (const char *method)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:alice@example.com>", &error);
  g_autofree char *to_text = g_strdup_printf ("<sip:%s@127.0.0.1:%u>",
                                              strcmp (method, "REGISTER") == 0 ? "alice" : "bob",
                                              fake_peer_get_port (peer, FAKE_UDP));
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, &error);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, method, from, to,
                                                                  &error);
  ck_assert_msg (request != NULL, "%s", error ? error->message : "");
  return request;
}

static void
send_with_callback (SipServletRequest *request)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_request_send_with_callback (request, SIPSERVLET_SEND_DEFAULT, NULL,
                                                        on_response, &seen, NULL, &error),
                 "send: %s", error ? error->message : "");
}

static gboolean
outcome_given (gpointer data)
{
  return seen.outcomes > 0;
}

static void
wait_outcome (void)
{
  ck_assert_msg (fake_peer_run_until (peer, outcome_given, NULL, PEER_WAIT_MS), "no outcome");
  ck_assert_uint_eq (seen.outcomes, 1);
}

/* The peer challenges @request: @status with one header per algorithm of
 * @algorithms (in that order), from the verifier. */
static void
challenge (const FakeMessage *request, guint status, const SipsvAuthAlgorithm *algorithms,
           guint n)
{
  sipsv_auth_verifier_set_algorithms (verifier, algorithms, n);
  g_auto (GStrv) values = sipsv_auth_verifier_challenge (verifier, REALM, FALSE);
  GString *extra = g_string_new (NULL);
  for (guint i = 0; values[i] != NULL; i++)
    g_string_append_printf (extra, "%s: %s\r\n",
                            status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", values[i]);
  char *text = fake_peer_build_response (request, status,
                                         status == 401 ? "Unauthorized"
                                                       : "Proxy Authentication Required",
                                         "peer", extra->str);
  peer_send (peer, text);
  g_free (text);
  g_string_free (extra, TRUE);
}

/* Checks the credentials @request carries in @header with the peer's
 * verifier; returns the outcome and sets @algorithm. */
static SipsvAuthOutcome
verify (const FakeMessage *request, const char *header, SipsvAuthAlgorithm *algorithm)
{
  const char *value = fake_message_header (request, header);
  ck_assert_msg (value != NULL, "no %s in:\n%s", header, request->raw);
  msg_auth_t *au = (msg_auth_t *) sip_authorization_make (home, value);
  ck_assert_ptr_nonnull (au);
  SipsvAuthResult result;
  SipsvAuthOutcome outcome = sipsv_auth_verifier_verify (verifier, request->method,
                                                         request->request_uri, au, REALM,
                                                         &result);
  ck_assert_msg (outcome != SIPSV_AUTH_MALFORMED, "%s: %s", value, result.error->message);
  if (algorithm != NULL)
    *algorithm = result.algorithm;
  sipsv_auth_result_clear (&result);
  return outcome;
}

static void
peer_ok (const FakeMessage *request)
{
  g_autofree char *contact = g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n",
                                              fake_peer_get_port (peer, FAKE_UDP));
  char *text = fake_peer_build_response (request, 200, "OK", "peer", contact);
  peer_send (peer, text);
  g_free (text);
}

static guint
cseq_number (const FakeMessage *message)
{
  return (guint) g_ascii_strtoull (fake_message_header (message, "CSeq"), NULL, 10);
}

static char *
via_branch (const FakeMessage *message)
{
  return fake_header_param (fake_message_header (message, "Via"), "branch");
}

static SipAuthInfo *
alice_info (guint status, const char *password)
{
  GError *error = NULL;
  SipAuthInfo *info = sipservlet_factory_create_auth_info (sipservlet_container_get_factory (container));
  ck_assert (sipservlet_auth_info_add (info, status, "elsewhere.net", "carol", "x", &error));
  ck_assert (sipservlet_auth_info_add (info, status, REALM, "alice", password, &error));
  return info;
}

static const SipsvAuthAlgorithm MD5_ONLY[] = { SIPSV_AUTH_MD5 };
static const SipsvAuthAlgorithm SHA_ONLY[] = { SIPSV_AUTH_SHA256 };
static const SipsvAuthAlgorithm MD5_THEN_SHA[] = { SIPSV_AUTH_MD5, SIPSV_AUTH_SHA256 };

/* ---- by hand: the 401 reaches the caller, who answers it ---- */

/* Sends a REGISTER, has it challenged with @algorithms, answers in a new
 * REGISTER with add_auth_header; returns the algorithm the peer verified. */
static SipsvAuthAlgorithm
register_by_hand (const SipsvAuthAlgorithm *algorithms, guint n)
{
  GError *error = NULL;
  sent = new_request ("REGISTER");
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  ck_assert_ptr_null (fake_message_header (first, "Authorization"));
  challenge (first, 401, algorithms, n);
  wait_outcome ();
  ck_assert_uint_eq (sipservlet_response_get_status (seen.last), 401);

  g_auto (GStrv) realms = sipservlet_response_get_challenge_realms (seen.last);
  ck_assert_uint_eq (g_strv_length (realms), 1);
  ck_assert_str_eq (realms[0], REALM);

  g_autoptr (SipAuthInfo) info = alice_info (401, "secret");
  g_autoptr (SipServletRequest) second = new_request ("REGISTER");
  ck_assert_msg (sipservlet_request_add_auth_header (second, seen.last, info, &error), "%s",
                 error ? error->message : "");
  seen.outcomes = 0;
  send_with_callback (second);
  g_autoptr (FakeMessage) answered = peer_next_request (peer, "REGISTER");
  SipsvAuthAlgorithm algorithm;
  ck_assert_int_eq (verify (answered, "Authorization", &algorithm), SIPSV_AUTH_OK);
  peer_ok (answered);
  wait_outcome ();
  ck_assert_uint_eq (sipservlet_response_get_status (seen.last), 200);
  return algorithm;
}

START_TEST (test_register_md5)
{
  ck_assert_int_eq (register_by_hand (MD5_ONLY, 1), SIPSV_AUTH_MD5);
}
END_TEST

START_TEST (test_register_sha256)
{
  ck_assert_int_eq (register_by_hand (SHA_ONLY, 1), SIPSV_AUTH_SHA256);
}
END_TEST

/* Both offered, MD5 first: SHA-256 is taken all the same. */
START_TEST (test_register_both_offered)
{
  ck_assert_int_eq (register_by_hand (MD5_THEN_SHA, 2), SIPSV_AUTH_SHA256);
}
END_TEST

/* The username/password variant, and nc counting in a SipAuthInfo. */
START_TEST (test_add_auth_header_for_and_nc)
{
  GError *error = NULL;
  sent = new_request ("REGISTER");
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  challenge (first, 401, MD5_ONLY, 1);
  wait_outcome ();

  g_autoptr (SipServletRequest) plain = new_request ("REGISTER");
  ck_assert (sipservlet_request_add_auth_header_for (plain, seen.last, "alice", "secret", &error));
  const char *value = sipservlet_message_get_header (SIPSERVLET_MESSAGE (plain),
                                                   "Authorization");
  ck_assert_msg (strstr (value, "nc=00000001") != NULL, "%s", strstr (value, "qop"));

  g_autoptr (SipAuthInfo) info = alice_info (401, "secret");
  for (guint i = 1; i <= 2; i++)
    {
      g_autoptr (SipServletRequest) again = new_request ("REGISTER");
      ck_assert (sipservlet_request_add_auth_header (again, seen.last, info, &error));
      /* Twice on the same request: replaced, not added. */
      if (i == 2)
        ck_assert (sipservlet_request_add_auth_header (again, seen.last, info, &error));
      const char *text = sipservlet_message_get_header (SIPSERVLET_MESSAGE (again),
                                                        "Authorization");
      g_autofree char *nc = g_strdup_printf ("nc=%08x", i == 1 ? 1 : 3);
      ck_assert_msg (strstr (text, nc) != NULL, "%s lacks %s", text, nc);
      g_auto (GStrv) all = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (again),
                                                           "Authorization");
      ck_assert_uint_eq (g_strv_length (all), 1);
    }
}
END_TEST

/* ---- automatic retry with the callback API ---- */

START_TEST (test_register_auto_retry)
{
  sent = new_request ("REGISTER");
  g_autoptr (SipAuthInfo) info = alice_info (401, "secret");
  sipservlet_request_set_auth_info (sent, info);
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  challenge (first, 401, MD5_THEN_SHA, 2);
  g_autoptr (FakeMessage) second = peer_next_request (peer, "REGISTER");
  SipsvAuthAlgorithm algorithm;
  ck_assert_int_eq (verify (second, "Authorization", &algorithm), SIPSV_AUTH_OK);
  ck_assert_int_eq (algorithm, SIPSV_AUTH_SHA256);
  ck_assert_uint_eq (cseq_number (second), cseq_number (first) + 1);
  ck_assert_str_eq (fake_message_header (second, "Call-ID"), fake_message_header (first, "Call-ID"));
  g_autofree char *b1 = via_branch (first);
  g_autofree char *b2 = via_branch (second);
  ck_assert_str_ne (b1, b2);
  peer_ok (second);
  wait_outcome ();
  /* The callback saw the 200 only, on the handle it was given. */
  ck_assert_uint_eq (seen.statuses->len, 1);
  ck_assert_uint_eq (GPOINTER_TO_UINT (seen.statuses->pdata[0]), 200);
  ck_assert_ptr_eq (seen.request, sent);
  ck_assert_ptr_eq (sipservlet_response_get_request (seen.last), sent);
}
END_TEST

/* A proxy's 407 to an INVITE: Proxy-Authorization on the retry, which the
 * 200 answers and the library acknowledges. */
START_TEST (test_invite_407_auto_retry)
{
  sent = new_request ("INVITE");
  g_autoptr (SipAuthInfo) info = alice_info (407, "secret");
  sipservlet_request_set_auth_info (sent, info);
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "INVITE");
  challenge (first, 407, MD5_ONLY, 1);
  g_autoptr (FakeMessage) ack = peer_next_request (peer, "ACK");   /* the transaction's */
  g_autoptr (FakeMessage) second = peer_next_request (peer, "INVITE");
  SipsvAuthAlgorithm algorithm;
  ck_assert_ptr_null (fake_message_header (second, "Authorization"));
  ck_assert_int_eq (verify (second, "Proxy-Authorization", &algorithm), SIPSV_AUTH_OK);
  ck_assert_int_eq (algorithm, SIPSV_AUTH_MD5);
  ck_assert_uint_eq (cseq_number (second), cseq_number (first) + 1);
  peer_ok (second);
  g_autoptr (FakeMessage) ack2 = peer_next_request (peer, "ACK");
  ck_assert_uint_eq (cseq_number (ack2), cseq_number (second));
  wait_outcome ();
  ck_assert_uint_eq (seen.statuses->len, 1);
  ck_assert_uint_eq (GPOINTER_TO_UINT (seen.statuses->pdata[0]), 200);
  ck_assert_ptr_eq (seen.request, sent);
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (seen.last));
  ck_assert (sipservlet_session_terminate (session, NULL));
  g_autoptr (FakeMessage) bye = peer_next_request (peer, "BYE");
  ck_assert_uint_gt (cseq_number (bye), cseq_number (second));
  peer_ok (bye);
  fake_peer_run (peer, 100);
}
END_TEST

/* A wrong password: the retry is challenged again, and that 401 is what
 * the callback gets; no third request. */
START_TEST (test_wrong_password)
{
  sent = new_request ("REGISTER");
  g_autoptr (SipAuthInfo) info = alice_info (401, "wrong");
  sipservlet_request_set_auth_info (sent, info);
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  challenge (first, 401, MD5_ONLY, 1);
  g_autoptr (FakeMessage) second = peer_next_request (peer, "REGISTER");
  ck_assert_int_eq (verify (second, "Authorization", NULL), SIPSV_AUTH_CHALLENGE);
  challenge (second, 401, MD5_ONLY, 1);
  wait_outcome ();
  ck_assert_uint_eq (seen.statuses->len, 1);
  ck_assert_uint_eq (GPOINTER_TO_UINT (seen.statuses->pdata[0]), 401);
  ck_assert_ptr_eq (seen.request, sent);
  fake_peer_run (peer, 200);
  ck_assert_uint_eq (fake_peer_pending (peer), 0);
}
END_TEST

/* Credentials for another realm only: the 401 is delivered as is. */
START_TEST (test_auto_retry_other_realm)
{
  GError *error = NULL;
  sent = new_request ("REGISTER");
  g_autoptr (SipAuthInfo) info = sipservlet_auth_info_new ();
  ck_assert (sipservlet_auth_info_add (info, 401, "elsewhere.net", "alice", "secret", &error));
  ck_assert (sipservlet_auth_info_add (info, 407, REALM, "alice", "secret", &error));
  sipservlet_request_set_auth_info (sent, info);
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  challenge (first, 401, MD5_ONLY, 1);
  wait_outcome ();
  ck_assert_uint_eq (sipservlet_response_get_status (seen.last), 401);
  /* No retry was sent, so no CSeq was used up. */
  ck_assert_uint_eq (sent->base.session->local_cseq,
                     sipservlet_message_get_cseq (SIPSERVLET_MESSAGE (sent)));
}
END_TEST

/* ---- errors ---- */

START_TEST (test_bad_arguments)
{
  GError *error = NULL;
  g_autoptr (SipAuthInfo) info = sipservlet_auth_info_new ();
  ck_assert (!sipservlet_auth_info_add (info, 403, REALM, "alice", "secret", &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_auth_info_add (info, 401, "", "alice", "secret", &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_auth_info_add (info, 401, REALM, "alice", NULL, &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (sipservlet_auth_info_add (info, 401, "elsewhere.net", "alice", "secret", &error));

  /* A challenge offering only what we do not support, and one for a realm
   * we have no credentials for. */
  sent = new_request ("REGISTER");
  send_with_callback (sent);
  g_autoptr (FakeMessage) first = peer_next_request (peer, "REGISTER");
  char *text = fake_peer_build_response (
      first, 401, "Unauthorized", "peer",
      "WWW-Authenticate: Digest realm=\"elsewhere.net\", nonce=\"n\", algorithm=SHA-512-256, "
      "qop=\"auth\"\r\n"
      "WWW-Authenticate: Basic realm=\"basic.net\"\r\n"
      "WWW-Authenticate: Digest realm=\"" REALM "\", nonce=\"n\", qop=\"auth\"\r\n");
  peer_send (peer, text);
  g_free (text);
  wait_outcome ();
  SipServletResponse *challenged = seen.last;
  g_auto (GStrv) realms = sipservlet_response_get_challenge_realms (challenged);
  ck_assert_uint_eq (g_strv_length (realms), 3);
  ck_assert_str_eq (realms[0], "elsewhere.net");
  ck_assert_str_eq (realms[1], "basic.net");
  ck_assert_str_eq (realms[2], REALM);

  g_autoptr (SipServletRequest) next = new_request ("REGISTER");
  ck_assert (!sipservlet_request_add_auth_header (next, challenged, info, &error));
  ck_assert_msg (error != NULL && strstr (error->message, "SHA-512-256") != NULL, "%s",
                 error != NULL ? error->message : "no error");
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_NOT_SUPPORTED);

  g_autoptr (SipAuthInfo) other = sipservlet_auth_info_new ();
  ck_assert (sipservlet_auth_info_add (other, 401, "nowhere.org", "alice", "secret", &error));
  ck_assert (sipservlet_auth_info_add (other, 407, REALM, "alice", "secret", &error));
  ck_assert (!sipservlet_request_add_auth_header (next, challenged, other, &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_NO_CREDENTIALS);
  ck_assert_ptr_null (sipservlet_message_get_header (SIPSERVLET_MESSAGE (next), "Authorization"));

  /* Already sent: the request cannot change. */
  ck_assert (!sipservlet_request_add_auth_header_for (sent, challenged, "alice", "secret", &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE);

  /* Not a challenge. */
  g_autoptr (SipServletRequest) ok_request = new_request ("REGISTER");
  seen.outcomes = 0;
  send_with_callback (ok_request);
  g_autoptr (FakeMessage) plain = peer_next_request (peer, "REGISTER");
  peer_ok (plain);
  wait_outcome ();
  g_auto (GStrv) none = sipservlet_response_get_challenge_realms (seen.last);
  ck_assert_ptr_nonnull (none);
  ck_assert_uint_eq (g_strv_length (none), 0);
  ck_assert (!sipservlet_request_add_auth_header_for (next, seen.last, "alice", "secret", &error));
  ck_assert_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("auth-client");
  TCase *tc = tcase_create ("auth-client");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_register_md5);
  tcase_add_test (tc, test_register_sha256);
  tcase_add_test (tc, test_register_both_offered);
  tcase_add_test (tc, test_add_auth_header_for_and_nc);
  tcase_add_test (tc, test_register_auto_retry);
  tcase_add_test (tc, test_invite_407_auto_retry);
  tcase_add_test (tc, test_wrong_password);
  tcase_add_test (tc, test_auto_retry_other_realm);
  tcase_add_test (tc, test_bad_arguments);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
