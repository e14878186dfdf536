/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of the container's security policy (issue 14, server
 * side; include/sipservlet/sipservlet-security.h): a container serving
 * example.com with a credential file (alice/secret, bob/hunter2) and a
 * servlet that answers REGISTER, MESSAGE and OPTIONS and proxies INVITE
 * to a second fake peer, the callee. The caller is a fake peer that
 * answers challenges with the library's client-side digest code.
 *
 * Covered: REGISTER challenged 401 with the store's algorithms; a login
 * seen by the servlet as its remote user without the credentials; a wrong
 * password, a replayed (nonce, nc) and a stale nonce challenged again and
 * logged with source and user; a REGISTER for another user's AOR and a
 * spoofed From refused 403; relaying refused 403; requests from foreign
 * domains to ours and keep-alive OPTIONS not challenged; INVITE
 * challenged 407, the ACK of that stateless 407 dropped rather than
 * routed on, our credentials removed before proxying while another
 * realm's go on; trusted sources; malformed credentials 400; SHA-256
 * offered first when every user has it; reloading the credentials; the
 * GErrors of bad arguments. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

#include <glib/gstdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "auth/auth-private.h"
#include "container/container-private.h"
#include "check-main.h"
#include "peer-checks.h"

#define REALM "example.com"

static SipContainer *container;
static FakePeer *caller;
static FakePeer *callee;
static su_home_t *home;
static char *store_path;
static GString *log_text;
static guint log_handler;

typedef struct {
  guint requests;
  char *remote_user;         /* of the last request */
  gboolean had_credentials;  /* the last request still had Authorization */
} Served;

static Served served;

/* ---- credentials ---- */

/* A credential line for @user / @password: MD5, and SHA-256 too when
 * @sha256. */
static char *
credential_line (const char *user, const char *password, gboolean sha256)
{
  g_autofree char *md5 = sipsv_auth_digest_ha1 (SIPSV_AUTH_MD5, user, REALM, password);
  g_autofree char *sha = sha256 ? sipsv_auth_digest_ha1 (SIPSV_AUTH_SHA256, user, REALM, password)
                                : NULL;
  return g_strdup_printf ("%s:%s:%s%s%s\n", user, REALM, md5, sha ? ":" : "", sha ? sha : "");
}

static void
write_store (const char *text)
{
  GError *error = NULL;
  ck_assert_msg (g_file_set_contents (store_path, text, -1, &error), "%s",
                 error ? error->message : "");
}

static void
use_store (gboolean sha256)
{
  GError *error = NULL;
  g_autofree char *alice = credential_line ("alice", "secret", sha256);
  g_autofree char *bob = credential_line ("bob", "hunter2", sha256);
  g_autofree char *text = g_strconcat ("# test users\n", alice, bob, NULL);
  write_store (text);
  g_autoptr (SipCredentialStore) store = sipservlet_credential_store_new_from_file (store_path,
                                                                                   &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (sipservlet_container_set_authentication (container, store, REALM, &error));
}

/* ---- the servlet ---- */

static void
record (SipServletRequest *request)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  served.requests++;
  g_free (served.remote_user);
  served.remote_user = g_strdup (sipservlet_message_get_remote_user (message));
  served.had_credentials = sipservlet_message_get_header (message, "Authorization") != NULL
                           || sipservlet_message_get_header (message, "Proxy-Authorization")
                                  != NULL;
}

static void
answer_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  record (request);
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static void
proxy_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  record (request);
  g_autofree char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u",
                                             fake_peer_get_port (callee, FAKE_UDP));
  g_autoptr (SipURI) uri = sipservlet_uri_parse (target, &error);
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_msg (proxy != NULL && sipservlet_proxy_to (proxy, uri, &error), "%s",
                 error ? error->message : "");
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_register = answer_ok,
  .do_message = answer_ok,
  .do_options = answer_ok,
  .do_invite = proxy_invite,
};

/* ---- the log ---- */

static void
on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  g_string_append_printf (log_text, "%s\n", message);
}

/* ---- fixture ---- */

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  ck_assert (sipservlet_container_add_domain (container, REALM, &error));
  SipServlet *servlet = sipservlet_servlet_new ("security", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  guint16 port = sipservlet_container_get_port (container, NULL);
  caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  home = su_home_new (sizeof (su_home_t));
  int fd = g_file_open_tmp ("sipsv-users-XXXXXX", &store_path, &error);
  ck_assert_int_ge (fd, 0);
  close (fd);
  use_store (FALSE);
  memset (&served, 0, sizeof served);
  log_text = g_string_new (NULL);
  log_handler = g_log_set_handler ("sipservlet", G_LOG_LEVEL_MESSAGE, on_log, NULL);
}

static void
teardown (void)
{
  g_log_remove_handler ("sipservlet", log_handler);
  g_string_free (log_text, TRUE);
  g_clear_pointer (&container, sipservlet_container_unref);
  fake_peer_free (caller);
  fake_peer_free (callee);
  su_home_unref (home);
  g_unlink (store_path);
  g_free (store_path);
  g_free (served.remote_user);
}

/* ---- requests ---- */

static guint cseq_counter;

/* A request from the caller: @method to @uri, From @from and To @to (URIs),
 * @extra header lines ("Name: value\r\n", or NULL); a new branch each
 * time, the Call-ID @call_id. */
static void
send_request (const char *method, const char *uri, const char *from, const char *to,
              const char *call_id, const char *extra)
{
  guint16 port = fake_peer_get_port (caller, FAKE_UDP);
  guint cseq = ++cseq_counter;
  g_autofree char *text = g_strdup_printf (
      "%s %s SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-sec-%u;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: <%s>;tag=caller\r\n"
      "To: <%s>\r\n"
      "Call-ID: %s\r\n"
      "CSeq: %u %s\r\n"
      "Contact: <sip:caller@127.0.0.1:%u>\r\n"
      "%s"
      "Content-Length: 0\r\n\r\n",
      method, uri, port, cseq, from, to, call_id, cseq, method, port,
      extra ? extra : "");
  peer_send (caller, text);
}

/* The header answering @response's first challenge for @method @uri as
 * @user / @password with nonce count @nc: "Authorization: ...\r\n" or
 * "Proxy-Authorization: ...\r\n". */
static char *
answer_challenge (const FakeMessage *response, const char *method, const char *uri,
                  const char *user, const char *password, guint32 nc)
{
  gboolean www = response->status == 401;
  const char *value = fake_message_header (response, www ? "WWW-Authenticate"
                                                          : "Proxy-Authenticate");
  ck_assert_msg (value != NULL, "no challenge in:\n%s", response->raw);
  msg_auth_t *au = www ? (msg_auth_t *) sip_www_authenticate_make (home, value)
                       : (msg_auth_t *) sip_proxy_authenticate_make (home, value);
  ck_assert_ptr_nonnull (au);
  SipsvAuthChallenge challenge;
  GError *error = NULL;
  ck_assert_msg (sipsv_auth_challenge_parse (&challenge, au, &error), "%s",
                 error ? error->message : "");
  g_autofree char *cnonce = sipsv_auth_random_hex (8);
  g_autofree char *credentials = sipsv_auth_challenge_answer (&challenge, method, uri, user,
                                                              password, cnonce, nc);
  sipsv_auth_challenge_clear (&challenge);
  return g_strdup_printf ("%s: %s\r\n", www ? "Authorization" : "Proxy-Authorization",
                          credentials);
}

static FakeMessage *
final_response (FakePeer *peer)
{
  FakeMessage *response = fake_peer_wait_final_or_provisional (peer, PEER_WAIT_MS);
  while (response != NULL && response->status < 200)
    {
      fake_message_free (response);
      response = fake_peer_wait_final_or_provisional (peer, PEER_WAIT_MS);
    }
  ck_assert_msg (response != NULL, "no final response");
  return response;
}

#define ALICE "sip:alice@" REALM
#define BOB   "sip:bob@" REALM

/* REGISTER for @aor, challenged, then answered as @user / @password:
 * returns the final response to the second REGISTER; @credentials_out
 * (nullable) receives the header sent. */
static FakeMessage *
register_as (const char *aor, const char *user, const char *password, char **credentials_out)
{
  send_request ("REGISTER", "sip:" REALM, aor, aor, "reg-1", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 401);
  char *credentials = answer_challenge (challenge, "REGISTER", "sip:" REALM, user, password, 1);
  send_request ("REGISTER", "sip:" REALM, aor, aor, "reg-1", credentials);
  if (credentials_out != NULL)
    *credentials_out = credentials;
  else
    g_free (credentials);
  return final_response (caller);
}

/* ---- tests ---- */

START_TEST (test_register_challenged_then_served)
{
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-1", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 401);
  /* An htdigest file holds MD5 only: MD5 alone is offered. */
  ck_assert_uint_eq (fake_message_count_headers (challenge, "WWW-Authenticate"), 1);
  const char *value = fake_message_header (challenge, "WWW-Authenticate");
  ck_assert_msg (strstr (value, "realm=\"" REALM "\"") != NULL && strstr (value, "algorithm=MD5")
                     && strstr (value, "qop=\"auth\""),
                 "%s", value);
  ck_assert_uint_eq (served.requests, 0);

  g_autofree char *credentials = answer_challenge (challenge, "REGISTER", "sip:" REALM, "alice",
                                                   "secret", 1);
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-1", credentials);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);
  ck_assert_uint_eq (served.requests, 1);
  ck_assert_str_eq (served.remote_user, "alice");
  ck_assert_msg (!served.had_credentials, "the servlet saw our credentials");
}
END_TEST

/* A phone whose outbound proxy is its registrar (baresip's outbound=):
 * Request-URI and Route both name us; the credentials were computed over
 * the Request-URI, which must reach the check unchanged. */
START_TEST (test_register_with_route_to_us)
{
  guint16 port = sipservlet_container_get_port (container, NULL);
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%u;transport=udp", port);
  g_autofree char *route = g_strdup_printf ("Route: <sip:127.0.0.1:%u;transport=udp;lr>\r\n",
                                            port);
  send_request ("REGISTER", uri, ALICE, ALICE, "reg-r", route);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 401);
  g_autofree char *credentials = answer_challenge (challenge, "REGISTER", uri, "alice", "secret",
                                                   1);
  g_autofree char *extra = g_strconcat (route, credentials, NULL);
  send_request ("REGISTER", uri, ALICE, ALICE, "reg-r", extra);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_msg (ok->status == 200, "%s", ok->raw);
  ck_assert_str_eq (served.remote_user, "alice");
}
END_TEST

START_TEST (test_wrong_password_challenged_and_logged)
{
  g_autoptr (FakeMessage) response = register_as (ALICE, "alice", "guess", NULL);
  ck_assert_uint_eq (response->status, 401);
  ck_assert_uint_eq (served.requests, 0);
  ck_assert_msg (strstr (log_text->str, "user \"alice\"") != NULL
                     && strstr (log_text->str, "127.0.0.1:") != NULL
                     && strstr (log_text->str, "REGISTER") != NULL,
                 "log: %s", log_text->str);
}
END_TEST

START_TEST (test_replay_refused)
{
  g_autofree char *credentials = NULL;
  g_autoptr (FakeMessage) ok = register_as (ALICE, "alice", "secret", &credentials);
  ck_assert_uint_eq (ok->status, 200);
  /* The same credentials again (same nonce and nc), as a new request. */
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-1", credentials);
  g_autoptr (FakeMessage) again = final_response (caller);
  ck_assert_uint_eq (again->status, 401);
  ck_assert_uint_eq (served.requests, 1);
  ck_assert_msg (strstr (log_text->str, "user \"alice\"") != NULL, "log: %s", log_text->str);
}
END_TEST

static gint64
ten_minutes_later (gpointer data)
{
  return g_get_real_time () / G_USEC_PER_SEC + 600;
}

START_TEST (test_stale_nonce)
{
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-1", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  g_autofree char *credentials = answer_challenge (challenge, "REGISTER", "sip:" REALM, "alice",
                                                   "secret", 1);
  sipsv_auth_verifier_set_clock (container->security.verifier, ten_minutes_later, NULL);
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-1", credentials);
  g_autoptr (FakeMessage) stale = final_response (caller);
  ck_assert_uint_eq (stale->status, 401);
  ck_assert_msg (strstr (fake_message_header (stale, "WWW-Authenticate"), "stale=true") != NULL,
                 "%s", stale->raw);
  ck_assert_uint_eq (served.requests, 0);
}
END_TEST

START_TEST (test_register_other_users_aor_forbidden)
{
  g_autoptr (FakeMessage) response = register_as (BOB, "alice", "secret", NULL);
  ck_assert_uint_eq (response->status, 403);
  ck_assert_uint_eq (served.requests, 0);
  ck_assert_msg (strstr (log_text->str, "user \"alice\"") != NULL, "log: %s", log_text->str);
}
END_TEST

/* An INVITE from @from to bob, challenged 407, then sent again with
 * credentials of @user (and @more headers); returns the callee's INVITE
 * or NULL, and the caller's final response in @final (when no INVITE
 * reached the callee). */
static FakeMessage *
invite_as (const char *from, const char *user, const char *password, const char *more)
{
  const char *uri = "sip:bob@" REALM;
  send_request ("INVITE", uri, from, uri, "inv-1", more);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 407);
  ck_assert_uint_ge (fake_message_count_headers (challenge, "Proxy-Authenticate"), 1);
  g_autofree char *credentials = answer_challenge (challenge, "INVITE", uri, user, password, 1);
  g_autofree char *extra = g_strconcat (credentials, more, NULL);
  send_request ("INVITE", uri, from, uri, "inv-1", extra);
  return fake_peer_wait_final_or_provisional (callee, 1000);
}

START_TEST (test_spoofed_from_forbidden)
{
  g_autoptr (FakeMessage) reached = invite_as (BOB, "alice", "secret", NULL);
  ck_assert_msg (reached == NULL, "the callee got:\n%s", reached ? reached->raw : "");
  g_autoptr (FakeMessage) refused = final_response (caller);
  ck_assert_uint_eq (refused->status, 403);
  ck_assert_uint_eq (served.requests, 0);
}
END_TEST

START_TEST (test_invite_proxied_without_our_credentials)
{
  const char *upstream = "Proxy-Authorization: Digest username=\"alice\", realm=\"upstream.net\", "
                         "nonce=\"abc\", uri=\"sip:bob@" REALM "\", response=\"0123\"\r\n";
  g_autoptr (FakeMessage) reached = invite_as (ALICE, "alice", "secret", upstream);
  ck_assert_msg (reached != NULL && reached->is_request, "the INVITE did not reach the callee");
  ck_assert_str_eq (served.remote_user, "alice");
  /* Ours were removed; the upstream realm's go on. */
  ck_assert_uint_eq (fake_message_count_headers (reached, "Proxy-Authorization"), 1);
  ck_assert_msg (strstr (fake_message_header (reached, "Proxy-Authorization"), "upstream.net"),
                 "%s", reached->raw);
  g_autofree char *busy = fake_peer_build_response (reached, 486, "Busy Here", "callee", NULL);
  peer_send (callee, busy);
  g_autoptr (FakeMessage) final = final_response (caller);
  ck_assert_uint_eq (final->status, 486);
}
END_TEST

START_TEST (test_ack_of_challenge_not_routed_on)
{
  guint16 port = sipservlet_container_get_port (container, NULL);
  g_autofree char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u",
                                             fake_peer_get_port (callee, FAKE_UDP));
  g_autofree char *route = g_strdup_printf ("Route: <sip:127.0.0.1:%u;lr>\r\n", port);
  send_request ("INVITE", target, ALICE, target, "inv-ack", route);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 407);
  g_autofree char *tag = fake_header_param (fake_message_header (challenge, "To"), "tag");
  ck_assert_msg (tag != NULL, "a stateless answer to INVITE needs a To-tag:\n%s", challenge->raw);

  /* The ACK (RFC 3261 §17.1.1.3: same branch, the response's To). */
  const char *via = fake_message_header (challenge, "Via");
  g_autofree char *ack = g_strdup_printf (
      "ACK %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n%sFrom: <" ALICE ">;tag=caller\r\n"
      "To: %s\r\nCall-ID: inv-ack\r\nCSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
      target, via, route, fake_message_header (challenge, "To"), cseq_counter);
  peer_send (caller, ack);
  g_autoptr (FakeMessage) leaked = fake_peer_wait (callee, 500);
  ck_assert_msg (leaked == NULL, "the ACK was routed on:\n%s", leaked ? leaked->raw : "");
}
END_TEST

START_TEST (test_relaying_denied)
{
  send_request ("INVITE", "sip:someone@other.org", "sip:mallory@foreign.net",
                "sip:someone@other.org", "relay-1", NULL);
  g_autoptr (FakeMessage) refused = final_response (caller);
  ck_assert_uint_eq (refused->status, 403);
  ck_assert_str_eq (refused->reason, "Relaying Denied");
  ck_assert_uint_eq (served.requests, 0);
  ck_assert_msg (strstr (log_text->str, "Relaying") != NULL || strstr (log_text->str, "domains"),
                 "log: %s", log_text->str);
}
END_TEST

START_TEST (test_foreign_caller_to_us_not_challenged)
{
  send_request ("MESSAGE", ALICE, "sip:carol@foreign.net", ALICE, "msg-1", NULL);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);
  ck_assert_uint_eq (served.requests, 1);
  ck_assert_ptr_null (served.remote_user);
}
END_TEST

START_TEST (test_keepalive_options_not_challenged)
{
  g_autofree char *uri = g_strdup_printf ("sip:127.0.0.1:%u",
                                          sipservlet_container_get_port (container, NULL));
  send_request ("OPTIONS", uri, ALICE, uri, "opt-1", NULL);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);
  /* A MESSAGE from our domain is. */
  send_request ("MESSAGE", BOB, ALICE, BOB, "msg-2", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 407);
}
END_TEST

START_TEST (test_trusted_source)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_add_trusted_source (container, "127.0.0.0/8", &error));
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-t", NULL);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);
  ck_assert_ptr_null (served.remote_user);
  /* Even relaying: the trusted source answers for it. */
  send_request ("MESSAGE", "sip:x@127.0.0.1:9", "sip:a@foreign.net", "sip:x@127.0.0.1:9",
                "msg-t", NULL);
  g_autoptr (FakeMessage) served_too = final_response (caller);
  ck_assert_uint_eq (served_too->status, 200);
}
END_TEST

START_TEST (test_single_address_trusted)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_add_trusted_source (container, "127.0.0.2", &error));
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-u", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 401);
}
END_TEST

START_TEST (test_malformed_credentials)
{
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-m",
                "Authorization: Digest username=\"alice\", realm=\"" REALM "\", nonce=\"x\", "
                "uri=\"sip:" REALM "\", response=\"00\", qop=auth, nc=zz, cnonce=\"c\"\r\n");
  g_autoptr (FakeMessage) bad = final_response (caller);
  ck_assert_uint_eq (bad->status, 400);
  ck_assert_uint_eq (served.requests, 0);
}
END_TEST

START_TEST (test_sha256_offered_first)
{
  use_store (TRUE);
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-s", NULL);
  g_autoptr (FakeMessage) challenge = final_response (caller);
  ck_assert_uint_eq (challenge->status, 401);
  ck_assert_uint_eq (fake_message_count_headers (challenge, "WWW-Authenticate"), 2);
  ck_assert_msg (strstr (fake_message_header (challenge, "WWW-Authenticate"), "SHA-256") != NULL,
                 "%s", challenge->raw);
  g_autofree char *credentials = answer_challenge (challenge, "REGISTER", "sip:" REALM, "alice",
                                                   "secret", 1);
  ck_assert (strstr (credentials, "SHA-256") != NULL);
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-s", credentials);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);

  /* MD5 alone, by configuration. */
  const SipDigestAlgorithm md5 = SIPSERVLET_DIGEST_MD5;
  ck_assert (sipservlet_container_set_auth_algorithms (container, &md5, 1, NULL));
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-s", NULL);
  g_autoptr (FakeMessage) md5_only = final_response (caller);
  ck_assert_uint_eq (fake_message_count_headers (md5_only, "WWW-Authenticate"), 1);
  ck_assert (strstr (fake_message_header (md5_only, "WWW-Authenticate"), "MD5") != NULL);
}
END_TEST

START_TEST (test_reload_credentials)
{
  GError *error = NULL;
  g_autofree char *carol = credential_line ("carol", "pw", FALSE);
  write_store (carol);
  ck_assert (sipservlet_container_reload_credentials (container, &error));
  g_autoptr (FakeMessage) gone = register_as (ALICE, "alice", "secret", NULL);
  ck_assert_uint_eq (gone->status, 401);
  g_autoptr (FakeMessage) ok = register_as ("sip:carol@" REALM, "carol", "pw", NULL);
  ck_assert_uint_eq (ok->status, 200);

  /* A broken file is refused, naming the file and line; carol stays. */
  write_store ("# fine\nnot a line\n");
  ck_assert (!sipservlet_container_reload_credentials (container, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_autofree char *where = g_strdup_printf ("%s:2:", store_path);
  ck_assert_msg (g_str_has_prefix (error->message, where), "%s", error->message);
  g_clear_error (&error);
  g_autoptr (FakeMessage) still = register_as ("sip:carol@" REALM, "carol", "pw", NULL);
  ck_assert_uint_eq (still->status, 200);
}
END_TEST

START_TEST (test_bad_arguments)
{
  GError *error = NULL;
  g_autoptr (SipCredentialStore) store = sipservlet_credential_store_new_from_file (store_path,
                                                                                   &error);
  ck_assert_ptr_nonnull (store);
  const char *bad_realms[] = { NULL, "", "a\"b", "a\\b", "a\nb" };
  for (guint i = 0; i < G_N_ELEMENTS (bad_realms); i++)
    {
      ck_assert (!sipservlet_container_set_authentication (container, store, bad_realms[i],
                                                           &error));
      ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
      g_clear_error (&error);
    }
  ck_assert (!sipservlet_container_add_domain (container, "bad domain", &error));
  g_clear_error (&error);
  ck_assert (!sipservlet_container_add_trusted_source (container, "10.0.0.0/99", &error));
  g_clear_error (&error);
  ck_assert (!sipservlet_container_add_trusted_source (container, "nowhere", &error));
  g_clear_error (&error);
  const SipDigestAlgorithm twice[] = { SIPSERVLET_DIGEST_MD5, SIPSERVLET_DIGEST_MD5 };
  ck_assert (!sipservlet_container_set_auth_algorithms (container, twice, 2, &error));
  g_clear_error (&error);
  const SipDigestAlgorithm unknown = (SipDigestAlgorithm) 7;
  ck_assert (!sipservlet_container_set_auth_algorithms (container, &unknown, 1, &error));
  g_clear_error (&error);
  ck_assert (sipservlet_container_set_authentication (container, NULL, NULL, &error));
  ck_assert (!sipservlet_container_set_auth_algorithms (container, twice, 1, &error));
  g_clear_error (&error);
  ck_assert (sipservlet_container_reload_credentials (container, &error));
  /* Off: a REGISTER goes straight to the servlet. */
  send_request ("REGISTER", "sip:" REALM, ALICE, ALICE, "reg-off", NULL);
  g_autoptr (FakeMessage) ok = final_response (caller);
  ck_assert_uint_eq (ok->status, 200);

  ck_assert_ptr_null (sipservlet_credential_store_new_from_file ("/nonexistent/users", &error));
  ck_assert (error != NULL && error->domain == G_FILE_ERROR);
  g_clear_error (&error);

  g_autoptr (SipURI) ours = sipservlet_uri_parse ("sip:x@EXAMPLE.com:5080", &error);
  g_autoptr (SipURI) theirs = sipservlet_uri_parse ("sip:x@example.org", &error);
  ck_assert (sipservlet_container_is_our_domain (container, ours));
  ck_assert (!sipservlet_container_is_our_domain (container, theirs));
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("security");
  TCase *tc = tcase_create ("security");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_register_challenged_then_served);
  tcase_add_test (tc, test_register_with_route_to_us);
  tcase_add_test (tc, test_wrong_password_challenged_and_logged);
  tcase_add_test (tc, test_replay_refused);
  tcase_add_test (tc, test_stale_nonce);
  tcase_add_test (tc, test_register_other_users_aor_forbidden);
  tcase_add_test (tc, test_spoofed_from_forbidden);
  tcase_add_test (tc, test_invite_proxied_without_our_credentials);
  tcase_add_test (tc, test_ack_of_challenge_not_routed_on);
  tcase_add_test (tc, test_relaying_denied);
  tcase_add_test (tc, test_foreign_caller_to_us_not_challenged);
  tcase_add_test (tc, test_keepalive_options_not_challenged);
  tcase_add_test (tc, test_trusted_source);
  tcase_add_test (tc, test_single_address_trusted);
  tcase_add_test (tc, test_malformed_credentials);
  tcase_add_test (tc, test_sha256_offered_first);
  tcase_add_test (tc, test_reload_credentials);
  tcase_add_test (tc, test_bad_arguments);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
