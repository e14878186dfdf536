/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of the flood and overload guards (issue 14;
 * include/sipservlet/sipservlet-overload.h): a container whose servlet
 * answers OPTIONS and MESSAGE 200, and a fake peer on loopback that sends
 * bursts of them.
 *
 * Covered: the rate limit per source answering 503 with Retry-After, or
 * dropping; the burst passing; recovery once the source slows down; the
 * log line, once per episode; trusted sources exempt; the transaction
 * guard shedding new requests while a request inside a dialog still goes
 * through; bad arguments. Figures are chosen so that timing cannot decide
 * the outcome: bursts go out in a few milliseconds, against a refill of a
 * few tokens a second. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "peer-checks.h"

static SipContainer *container;
static FakePeer *peer;
static GString *log_text;
static guint log_handler;
static guint sent;

static void
answer_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = answer_ok,
  .do_message = answer_ok,
};

static void
on_log (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  g_string_append_printf (log_text, "%s\n", message);
}

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  SipServlet *servlet = sipservlet_servlet_new ("overload", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1",
                        sipservlet_container_get_port (container, NULL), &error);
  ck_assert_ptr_nonnull (peer);
  log_text = g_string_new (NULL);
  log_handler = g_log_set_handler ("sipservlet", G_LOG_LEVEL_MESSAGE, on_log, NULL);
}

static void
teardown (void)
{
  g_log_remove_handler ("sipservlet", log_handler);
  g_string_free (log_text, TRUE);
  g_clear_pointer (&container, sipservlet_container_unref);
  fake_peer_free (peer);
}

/* A new request (new Call-ID and branch) from the peer; @to_tag makes it
 * look like one inside a dialog. */
static void
send_request (const char *method, const char *to_tag)
{
  guint16 port = fake_peer_get_port (peer, FAKE_UDP);
  guint16 server = sipservlet_container_get_port (container, NULL);
  guint n = ++sent;
  g_autofree char *text = g_strdup_printf (
      "%s sip:service@127.0.0.1:%u SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-flood-%u;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:flood@127.0.0.1>;tag=f%u\r\n"
      "To: <sip:service@127.0.0.1>%s%s\r\nCall-ID: flood-%u\r\nCSeq: 1 %s\r\n"
      "Content-Length: 0\r\n\r\n",
      method, server, port, n, n, to_tag ? ";tag=" : "", to_tag ? to_tag : "", n, method);
  peer_send (peer, text);
}

typedef struct {
  guint ok, limited, other;
  gboolean retry_after;      /* every 503 had Retry-After */
} Counts;

/* Collects the responses that come within @ms. */
static Counts
collect (guint ms)
{
  Counts counts = { 0, 0, 0, TRUE };
  fake_peer_run (peer, ms);
  while (fake_peer_pending (peer) > 0)
    {
      g_autoptr (FakeMessage) m = fake_peer_pop (peer);
      if (m->is_request || m->status < 200)
        continue;
      if (m->status == 200)
        counts.ok++;
      else if (m->status == 503)
        {
          counts.limited++;
          counts.retry_after &= fake_message_header (m, "Retry-After") != NULL;
        }
      else
        counts.other++;
    }
  return counts;
}

static void
burst (const char *method, guint n)
{
  for (guint i = 0; i < n; i++)
    send_request (method, NULL);
}

START_TEST (test_rate_limit_rejects_over_the_burst)
{
  ck_assert (sipservlet_container_set_rate_limit (container, 2, 4, SIPSERVLET_RATE_LIMIT_REJECT,
                                                  NULL));
  burst ("OPTIONS", 20);
  Counts counts = collect (500);
  /* The burst of 4, and at most one token more earned meanwhile. */
  ck_assert_msg (counts.ok >= 4 && counts.ok <= 6, "%u answered", counts.ok);
  ck_assert_uint_eq (counts.ok + counts.limited, 20);
  ck_assert (counts.retry_after);
  /* Logged once for the episode, naming the source. */
  ck_assert_msg (strstr (log_text->str, "rate limit: 127.0.0.1") != NULL, "%s", log_text->str);
  ck_assert_ptr_eq (strstr (log_text->str, "rate limit"),
                    g_strrstr (log_text->str, "rate limit"));

  /* Slower than the rate, it is served again. */
  fake_peer_run (peer, 1200);
  send_request ("OPTIONS", NULL);
  Counts later = collect (300);
  ck_assert_uint_eq (later.ok, 1);
}
END_TEST

START_TEST (test_rate_limit_drops)
{
  ck_assert (sipservlet_container_set_rate_limit (container, 2, 3, SIPSERVLET_RATE_LIMIT_DROP,
                                                  NULL));
  burst ("MESSAGE", 15);
  Counts counts = collect (800);
  ck_assert_msg (counts.ok >= 3 && counts.ok <= 5, "%u answered", counts.ok);
  ck_assert_uint_eq (counts.limited, 0);
}
END_TEST

START_TEST (test_trusted_source_not_limited)
{
  ck_assert (sipservlet_container_add_trusted_source (container, "127.0.0.1", NULL));
  ck_assert (sipservlet_container_set_rate_limit (container, 1, 1, SIPSERVLET_RATE_LIMIT_REJECT,
                                                  NULL));
  burst ("OPTIONS", 10);
  Counts counts = collect (500);
  ck_assert_uint_eq (counts.ok, 10);
}
END_TEST

START_TEST (test_rate_limit_off)
{
  ck_assert (sipservlet_container_set_rate_limit (container, 1, 1, SIPSERVLET_RATE_LIMIT_REJECT,
                                                  NULL));
  ck_assert (sipservlet_container_set_rate_limit (container, 0, 0, SIPSERVLET_RATE_LIMIT_REJECT,
                                                  NULL));
  burst ("OPTIONS", 10);
  Counts counts = collect (500);
  ck_assert_uint_eq (counts.ok, 10);
}
END_TEST

START_TEST (test_transaction_guard)
{
  /* Each answered MESSAGE keeps its transaction for Timer J (32 s). */
  sipservlet_container_set_max_transactions (container, 3);
  for (guint i = 0; i < 6; i++)
    {
      send_request ("MESSAGE", NULL);
      fake_peer_run (peer, 50);
    }
  Counts counts = collect (300);
  ck_assert_uint_eq (counts.ok, 3);
  ck_assert_uint_eq (counts.limited, 3);
  ck_assert (counts.retry_after);
  ck_assert_msg (strstr (log_text->str, "overload: 3 transactions") != NULL, "%s", log_text->str);

  /* A request inside a dialog is not new work: it gets its real answer. */
  send_request ("BYE", "no-such-dialog");
  g_autoptr (FakeMessage) answer = fake_peer_wait_final_or_provisional (peer, PEER_WAIT_MS);
  ck_assert_ptr_nonnull (answer);
  ck_assert_uint_eq (answer->status, 481);

  sipservlet_container_set_max_transactions (container, 0);
  send_request ("MESSAGE", NULL);
  Counts off = collect (300);
  ck_assert_uint_eq (off.ok, 1);
}
END_TEST

START_TEST (test_bad_arguments)
{
  GError *error = NULL;
  ck_assert (!sipservlet_container_set_rate_limit (container, 10, 0, SIPSERVLET_RATE_LIMIT_DROP,
                                                   &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert (!sipservlet_container_set_rate_limit (container, 10, 5, (SipRateLimitAction) 9,
                                                   &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("overload");
  TCase *tc = tcase_create ("overload");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_rate_limit_rejects_over_the_burst);
  tcase_add_test (tc, test_rate_limit_drops);
  tcase_add_test (tc, test_trusted_source_not_limited);
  tcase_add_test (tc, test_rate_limit_off);
  tcase_add_test (tc, test_transaction_guard);
  tcase_add_test (tc, test_bad_arguments);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
