/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of timer J (sipservlet_container_set_timer_j(), sofia
 * patch 0011): a container whose servlet answers MESSAGE 200 and counts
 * the requests it sees, and a fake peer on loopback that sends a request
 * and then the very same text again, as a client retransmitting it.
 *
 * Covered: by default (64*T1) the retransmission is answered by the
 * transaction with the same response and never reaches the servlet; with
 * timer J 0 it reaches the servlet again; with a short timer J, one
 * retransmitted before the timer fires is absorbed and one after it is
 * not; an argument over a day is refused. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "listening-container.h"
#include "peer-checks.h"

static SipContainer *container;
static FakePeer *peer;
static guint seen;

static void
answer_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen++;
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_message = answer_ok,
};

static void
setup (void)
{
  guint16 port;
  container = listening_container_new (&port);
  SipServlet *servlet = sipservlet_servlet_new ("timer-j", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, NULL));
  sipservlet_servlet_unref (servlet);
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1", port, NULL);
  ck_assert_ptr_nonnull (peer);
  seen = 0;
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
  fake_peer_free (peer);
}

/* One MESSAGE; each call with the same @n sends the same bytes, so the
 * server takes the second for a retransmission of the first. */
static char *
message_text (guint n)
{
  return g_strdup_printf (
      "MESSAGE sip:service@127.0.0.1:%u SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-timer-j-%u\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:peer@127.0.0.1>;tag=tj%u\r\n"
      "To: <sip:service@127.0.0.1>\r\nCall-ID: timer-j-%u\r\nCSeq: 1 MESSAGE\r\n"
      "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi",
      sipservlet_container_get_port (container, NULL), fake_peer_get_port (peer, FAKE_UDP),
      n, n, n);
}

/* Sends request @n and waits for its 200; returns the 200's To tag, which
 * tells a response the transaction retransmitted (the same tag) from one
 * the servlet made again (a new tag). g_free() it. */
static char *
send_and_answer (guint n)
{
  g_autofree char *text = message_text (n);
  peer_send (peer, text);
  g_autoptr (FakeMessage) ok = peer_next_response (peer, 200);
  return fake_header_param (fake_message_header (ok, "To"), "tag");
}

/* Sends request @n twice; checks whether the copy was @absorbed by the
 * transaction (the same To tag, the servlet saw one request) or handed
 * to the servlet as a new request. */
static void
check_copy (guint n, gboolean absorbed)
{
  guint before = seen;
  g_autofree char *first = send_and_answer (n);
  g_autofree char *again = send_and_answer (n);
  ck_assert_uint_eq (seen - before, absorbed ? 1 : 2);
  ck_assert_int_eq (strcmp (again, first) == 0, absorbed);
}

START_TEST (test_default_absorbs_retransmission)
{
  check_copy (1, TRUE);
}
END_TEST

START_TEST (test_zero_hands_retransmission_over)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_container_set_timer_j (container, 0, &error), "%s",
                 error != NULL ? error->message : "");
  check_copy (2, FALSE);
}
END_TEST

START_TEST (test_short_timer_j_fires)
{
  GError *error = NULL;
  /* Set before and after a transaction is waiting: both take effect. */
  ck_assert (sipservlet_container_set_timer_j (container, 60000, &error));
  g_autofree char *first = send_and_answer (3);
  ck_assert (sipservlet_container_set_timer_j (container, 300, &error));
  g_autofree char *absorbed = send_and_answer (3);
  ck_assert_uint_eq (seen, 1);
  ck_assert_str_eq (absorbed, first);

  /* Timer J started with the first 200; 300 ms and NTA's timer grid
   * later the transaction is gone. */
  fake_peer_run (peer, 1500);
  g_autofree char *handled = send_and_answer (3);
  ck_assert_uint_eq (seen, 2);
  ck_assert_str_ne (handled, first);
}
END_TEST

START_TEST (test_bad_argument)
{
  GError *error = NULL;
  ck_assert (!sipservlet_container_set_timer_j (container, 24 * 3600 * 1000 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  /* The refused value changed nothing. */
  check_copy (4, TRUE);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("timer-j");
  TCase *tc = tcase_create ("timer-j");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_default_absorbs_retransmission);
  tcase_add_test (tc, test_zero_hands_retransmission_over);
  tcase_add_test (tc, test_short_timer_j_fires);
  tcase_add_test (tc, test_bad_argument);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
