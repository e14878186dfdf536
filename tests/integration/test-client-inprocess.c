/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of client requests with a callback of their own
 * (sipservlet_request_send_with_callback()): a container with no servlet
 * sends to a fake peer on loopback and the test checks what the callback
 * saw and what went out on the wire: the automatic ACK, CANCEL held until
 * a provisional response (RFC 3261 §9.1), nothing after a 2xx,
 * cancellation from another thread, other forks' 2xx ended with ACK and
 * BYE or shown on request, transport errors and a container dropped
 * mid-request as the outcome's GError. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "peer-checks.h"

static SipContainer *container;
static FakePeer *peer;

/* What the callback saw. */
typedef struct {
  GPtrArray *statuses;          /* guint, one per response shown */
  GPtrArray *sessions;          /* SipSession of each 2xx shown, not owned */
  guint outcomes;
  GError *outcome_error;
  guint destroyed;
  gboolean calls_after_destroy;
  SipServletResponse *last_2xx;   /* a reference, for MANUAL_ACK */
} Seen;

static Seen seen;
static SipServletRequest *sent;   /* the INVITE a test sent, released by the fixture */

static void
on_response (SipServletRequest *request, SipServletResponse *response, const GError *error,
             gpointer user_data)
{
  Seen *s = user_data;
  ck_assert_ptr_nonnull (request);
  if (s->destroyed > 0)
    s->calls_after_destroy = TRUE;
  if (response == NULL)
    {
      s->outcomes++;
      g_clear_error (&s->outcome_error);
      s->outcome_error = error != NULL ? g_error_copy (error) : NULL;
      return;
    }
  ck_assert_ptr_eq (sipservlet_response_get_request (response), request);
  guint status = sipservlet_response_get_status (response);
  g_ptr_array_add (s->statuses, GUINT_TO_POINTER (status));
  if (status >= 200 && status < 300)
    {
      g_ptr_array_add (s->sessions, sipservlet_message_get_session (SIPSERVLET_MESSAGE (response)));
      g_clear_pointer (&s->last_2xx, sipservlet_response_unref);
      s->last_2xx = sipservlet_response_ref (response);
    }
}

static void
on_destroy (gpointer user_data)
{
  ((Seen *) user_data)->destroyed++;
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
  memset (&seen, 0, sizeof seen);
  seen.statuses = g_ptr_array_new ();
  seen.sessions = g_ptr_array_new ();
}

static void
teardown (void)
{
  g_clear_pointer (&seen.last_2xx, sipservlet_response_unref);
  g_clear_pointer (&sent, sipservlet_request_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
  fake_peer_free (peer);
  g_ptr_array_unref (seen.statuses);
  g_ptr_array_unref (seen.sessions);
  g_clear_error (&seen.outcome_error);
}

/* A request from the container to the fake peer (or to @port). */
static SipServletRequest *
new_request (const char *method, guint16 port)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:alice@example.com>", &error);
  g_autofree char *to_text = g_strdup_printf ("<sip:bob@127.0.0.1:%u>", port);
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, &error);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, method, from, to,
                                                                  &error);
  ck_assert_msg (request != NULL, "%s", error ? error->message : "");
  return request;
}

static void
send_to_peer (SipServletRequest *request, SipSendFlags flags, GCancellable *cancellable)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_request_send_with_callback (request, flags, cancellable, on_response,
                                                        &seen, on_destroy, &error),
                 "send: %s", error ? error->message : "");
}

/* Sends an INVITE to the peer; returns it as the peer received it. */
static FakeMessage *
send_invite (SipSendFlags flags, GCancellable *cancellable)
{
  sent = new_request ("INVITE", fake_peer_get_port (peer, FAKE_UDP));
  send_to_peer (sent, flags, cancellable);
  return peer_next_request (peer, "INVITE");
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

static void
peer_answer (const FakeMessage *request, guint status, const char *phrase, const char *to_tag)
{
  char *contact = g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n",
                                   fake_peer_get_port (peer, FAKE_UDP));
  char *text = fake_peer_build_response (request, status, phrase, to_tag, contact);
  peer_send (peer, text);
  g_free (text);
  g_free (contact);
}

static void
assert_statuses (guint n, const guint *expected)
{
  ck_assert_uint_eq (seen.statuses->len, n);
  for (guint i = 0; i < n; i++)
    ck_assert_uint_eq (GPOINTER_TO_UINT (seen.statuses->pdata[i]), expected[i]);
}

static void
assert_nothing_arrives (guint ms)
{
  FakeMessage *m = fake_peer_wait (peer, ms);
  ck_assert_msg (m == NULL, "unexpected:\n%s", m ? m->raw : "");
}

/* The peer answers the CANCEL it receives 200 and the INVITE 487. */
static void
peer_cancelled (const FakeMessage *invite)
{
  FakeMessage *cancel = peer_next_request (peer, "CANCEL");
  char *cancel_ok = fake_peer_build_response (cancel, 200, "OK", NULL, NULL);
  peer_send (peer, cancel_ok);
  g_free (cancel_ok);
  fake_message_free (cancel);
  peer_answer (invite, 487, "Request Terminated", "b1");
  fake_message_free (peer_next_request (peer, "ACK"));
}

START_TEST (test_options_outcome)
{
  g_autoptr (SipServletRequest) options = new_request ("OPTIONS",
                                                       fake_peer_get_port (peer, FAKE_UDP));
  send_to_peer (options, SIPSERVLET_SEND_DEFAULT, NULL);
  FakeMessage *received = peer_next_request (peer, "OPTIONS");
  peer_answer (received, 200, "OK", "b1");
  fake_message_free (received);
  wait_outcome ();
  assert_statuses (1, (const guint[]) { 200 });
  ck_assert_ptr_null (seen.outcome_error);
  ck_assert_uint_eq (seen.destroyed, 1);
  /* Sending twice is refused, and the data given is released. */
  GError *error = NULL;
  guint before = seen.destroyed;
  ck_assert (!sipservlet_request_send_with_callback (options, 0, NULL, on_response, &seen,
                                                     on_destroy, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  ck_assert_uint_eq (seen.destroyed, before + 1);
  ck_assert (!seen.calls_after_destroy);
}
END_TEST

/* 180, 200: both shown, then the outcome; the library sends the ACK. */
START_TEST (test_invite_acked)
{
  FakeMessage *received = send_invite (SIPSERVLET_SEND_DEFAULT, NULL);
  peer_answer (received, 180, "Ringing", "b1");
  peer_answer (received, 200, "OK", "b1");
  fake_message_free (peer_next_request (peer, "ACK"));
  wait_outcome ();
  assert_statuses (2, (const guint[]) { 180, 200 });
  ck_assert_ptr_null (seen.outcome_error);
  /* An INVITE keeps its callback for other forks only when asked to. */
  ck_assert_uint_eq (seen.destroyed, 1);
  /* Cancelling after the 2xx sends nothing. */
  fake_message_free (received);
}
END_TEST

/* The caller gives up before any provisional response: the CANCEL waits
 * for the 100 Trying, then the 487 is shown and the outcome says
 * cancelled. */
START_TEST (test_cancel_waits_for_provisional)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  FakeMessage *received = send_invite (SIPSERVLET_SEND_DEFAULT, cancellable);
  g_cancellable_cancel (cancellable);
  assert_nothing_arrives (300);

  char *trying = fake_peer_build_response (received, 100, "Trying", NULL, NULL);
  peer_send (peer, trying);
  g_free (trying);
  peer_cancelled (received);
  wait_outcome ();
  assert_statuses (1, (const guint[]) { 487 });
  ck_assert (g_error_matches (seen.outcome_error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  ck_assert_uint_eq (seen.destroyed, 1);
  fake_message_free (received);
}
END_TEST

/* Once the 2xx came, cancelling does nothing on the wire. */
START_TEST (test_cancel_after_2xx)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  FakeMessage *received = send_invite (SIPSERVLET_SEND_DEFAULT, cancellable);
  peer_answer (received, 200, "OK", "b1");
  fake_message_free (peer_next_request (peer, "ACK"));
  wait_outcome ();
  g_cancellable_cancel (cancellable);
  assert_nothing_arrives (300);
  ck_assert_ptr_null (seen.outcome_error);
  fake_message_free (received);
}
END_TEST

static gpointer
cancel_from_thread (gpointer data)
{
  g_cancellable_cancel (data);
  return NULL;
}

/* g_cancellable_cancel() in another thread: the CANCEL still goes out
 * from the container's context. */
START_TEST (test_cancel_from_other_thread)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  FakeMessage *received = send_invite (SIPSERVLET_SEND_DEFAULT, cancellable);
  peer_answer (received, 180, "Ringing", "b1");
  fake_peer_run (peer, 100);
  GThread *thread = g_thread_new ("canceller", cancel_from_thread, cancellable);
  g_thread_join (thread);
  peer_cancelled (received);
  wait_outcome ();
  assert_statuses (2, (const guint[]) { 180, 487 });
  ck_assert (g_error_matches (seen.outcome_error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  fake_message_free (received);
}
END_TEST

/* Two forks answer 2xx. By default the second dialog is acknowledged and
 * ended without being shown; with SIPSERVLET_SEND_FORKED_2XX it is shown
 * on its own session, and the callback lives until forks can no longer
 * answer. */
START_TEST (test_forked_2xx)
{
  gboolean show = _i == 1;
  FakeMessage *received = send_invite (show ? SIPSERVLET_SEND_FORKED_2XX : SIPSERVLET_SEND_DEFAULT, NULL);
  peer_answer (received, 200, "OK", "fork1");
  fake_message_free (peer_next_request (peer, "ACK"));
  wait_outcome ();
  peer_answer (received, 200, "OK", "fork2");
  FakeMessage *ack2 = peer_next_request (peer, "ACK");
  char *tag = fake_header_param (fake_message_header (ack2, "To"), "tag");
  ck_assert_str_eq (tag, "fork2");
  g_free (tag);
  fake_message_free (ack2);
  if (show)
    {
      assert_statuses (2, (const guint[]) { 200, 200 });
      ck_assert_ptr_ne (seen.sessions->pdata[0], seen.sessions->pdata[1]);
      ck_assert_uint_eq (seen.destroyed, 0);
      assert_nothing_arrives (300);
    }
  else
    {
      assert_statuses (1, (const guint[]) { 200 });
      FakeMessage *bye = peer_next_request (peer, "BYE");
      char *bye_tag = fake_header_param (fake_message_header (bye, "To"), "tag");
      ck_assert_str_eq (bye_tag, "fork2");
      g_free (bye_tag);
      char *bye_ok = fake_peer_build_response (bye, 200, "OK", NULL, NULL);
      peer_send (peer, bye_ok);
      g_free (bye_ok);
      fake_message_free (bye);
      ck_assert_uint_eq (seen.destroyed, 1);
    }
  ck_assert_uint_eq (seen.outcomes, 1);
  fake_message_free (received);
}
END_TEST

/* With SIPSERVLET_SEND_MANUAL_ACK the ACK is the caller's. */
START_TEST (test_manual_ack)
{
  GError *error = NULL;
  FakeMessage *received = send_invite (SIPSERVLET_SEND_MANUAL_ACK, NULL);
  peer_answer (received, 200, "OK", "b1");
  wait_outcome ();
  assert_nothing_arrives (300);
  ck_assert_ptr_nonnull (seen.last_2xx);
  g_autoptr (SipServletRequest) ack = sipservlet_response_create_ack (seen.last_2xx, &error);
  ck_assert_msg (ack != NULL && sipservlet_request_send (ack, &error), "ack: %s",
                 error ? error->message : "");
  fake_message_free (peer_next_request (peer, "ACK"));
  fake_message_free (received);
}
END_TEST

/* A TCP target that refuses connections: no response is shown, the
 * outcome is a transport error. */
START_TEST (test_transport_error)
{
  guint16 closed = closed_tcp_port ();

  g_autoptr (SipServletRequest) options = new_request ("OPTIONS", closed);
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%u;transport=tcp", closed);
  g_autoptr (SipURI) target = sipservlet_uri_parse (uri, NULL);
  ck_assert (sipservlet_request_set_request_uri (options, target, NULL));
  send_to_peer (options, SIPSERVLET_SEND_DEFAULT, NULL);
  wait_outcome ();
  ck_assert_uint_eq (seen.statuses->len, 0);
  ck_assert_msg (g_error_matches (seen.outcome_error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT),
                 "outcome: %s", seen.outcome_error ? seen.outcome_error->message : "(none)");
  ck_assert_uint_eq (seen.destroyed, 1);
}
END_TEST

/* The host drops its container while the request waits: the outcome says
 * so, the data is released, nothing leaks (the valgrind setup checks). */
START_TEST (test_container_dropped)
{
  SipServletRequest *options = new_request ("OPTIONS", fake_peer_get_port (peer, FAKE_UDP));
  send_to_peer (options, SIPSERVLET_SEND_DEFAULT, NULL);
  fake_message_free (peer_next_request (peer, "OPTIONS"));
  sipservlet_request_unref (options);
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (seen.outcomes, 1);
  ck_assert (g_error_matches (seen.outcome_error, SIPSERVLET_ERROR,
                              SIPSERVLET_ERROR_SHUTTING_DOWN));
  ck_assert_uint_eq (seen.destroyed, 1);
}
END_TEST

static void
on_shut_down (SipContainer *c, gpointer data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* A shutdown with a short deadline does not wait for a peer that never
 * answers: the request gets its outcome when the deadline passes. */
START_TEST (test_shutdown_deadline)
{
  gboolean stopped = FALSE;
  SipServletRequest *options = new_request ("OPTIONS", fake_peer_get_port (peer, FAKE_UDP));
  send_to_peer (options, SIPSERVLET_SEND_DEFAULT, NULL);
  sipservlet_request_unref (options);
  fake_message_free (peer_next_request (peer, "OPTIONS"));
  sipservlet_container_set_shutdown_deadline (container, 200);
  sipservlet_container_shutdown (container, on_shut_down, &stopped);
  ck_assert_msg (fake_peer_run_until (peer, is_true, &stopped, PEER_WAIT_MS),
                 "the shutdown waited past its deadline");
  ck_assert_uint_eq (seen.outcomes, 1);
  ck_assert (g_error_matches (seen.outcome_error, SIPSERVLET_ERROR,
                              SIPSERVLET_ERROR_SHUTTING_DOWN));
  ck_assert_uint_eq (seen.destroyed, 1);
}
END_TEST

/* ACK and CANCEL get no response: refused, the data released. */
START_TEST (test_ack_refused)
{
  GError *error = NULL;
  g_autoptr (SipServletRequest) invite = new_request ("INVITE",
                                                      fake_peer_get_port (peer, FAKE_UDP));
  ck_assert (sipservlet_request_send (invite, &error));
  fake_message_free (peer_next_request (peer, "INVITE"));
  g_autoptr (SipServletRequest) cancel = sipservlet_request_create_cancel (invite, &error);
  ck_assert_ptr_nonnull (cancel);
  ck_assert (!sipservlet_request_send_with_callback (cancel, 0, NULL, on_response, &seen,
                                                     on_destroy, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert_uint_eq (seen.destroyed, 1);
  ck_assert (sipservlet_request_send (cancel, &error));
}
END_TEST

/* Headers the application adds to a CANCEL go out with it: RFC 3326's
 * Reason (here one per protocol), an extension header. Before, the
 * CANCEL was rebuilt from the INVITE alone and they were lost. */
START_TEST (test_cancel_carries_added_headers)
{
  GError *error = NULL;
  g_autoptr (SipServletRequest) invite = new_request ("INVITE",
                                                      fake_peer_get_port (peer, FAKE_UDP));
  ck_assert (sipservlet_request_send (invite, &error));
  FakeMessage *received = peer_next_request (peer, "INVITE");
  peer_answer (received, 180, "Ringing", "b1");
  fake_peer_run (peer, 50);

  g_autoptr (SipServletRequest) cancel = sipservlet_request_create_cancel (invite, &error);
  ck_assert_ptr_nonnull (cancel);
  SipServletMessage *m = SIPSERVLET_MESSAGE (cancel);
  ck_assert (sipservlet_message_add_header (m, "Reason",
                                            "SIP;cause=200;text=\"Call completed elsewhere\"",
                                            &error));
  ck_assert (sipservlet_message_add_header (m, "Reason", "Q.850;cause=16", &error));
  ck_assert (sipservlet_message_add_header (m, "X-Cancelled-By", "operator", &error));
  ck_assert_msg (sipservlet_request_send (cancel, &error), "%s", error ? error->message : "");

  FakeMessage *down = peer_next_request (peer, "CANCEL");
  g_auto (GStrv) reasons = fake_message_header_elements (down, "Reason");
  ck_assert_msg (g_strv_length (reasons) == 2, "%s", down->raw);
  ck_assert_str_eq (reasons[0], "SIP;cause=200;text=\"Call completed elsewhere\"");
  ck_assert_str_eq (reasons[1], "Q.850;cause=16");
  const char *by = fake_message_header (down, "X-Cancelled-By");
  ck_assert_str_eq (by != NULL ? by : "(none)", "operator");
  /* The transaction's own headers are the INVITE's, once each. */
  ck_assert_uint_eq (fake_message_count_headers (down, "Via"), 1);
  ck_assert_uint_eq (fake_message_count_headers (down, "CSeq"), 1);
  ck_assert_uint_eq (fake_message_count_headers (down, "Max-Forwards"), 1);
  ck_assert_uint_eq (fake_message_count_headers (down, "From"), 1);
  ck_assert_str_eq (fake_message_header (down, "Call-ID"),
                    fake_message_header (received, "Call-ID"));
  char *cancel_ok = fake_peer_build_response (down, 200, "OK", NULL, NULL);
  peer_send (peer, cancel_ok);
  g_free (cancel_ok);
  peer_answer (received, 487, "Request Terminated", "b1");
  fake_message_free (peer_next_request (peer, "ACK"));
  fake_message_free (down);
  fake_message_free (received);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("client-inprocess");
  TCase *tc = tcase_create ("client");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_options_outcome);
  tcase_add_test (tc, test_invite_acked);
  tcase_add_test (tc, test_cancel_waits_for_provisional);
  tcase_add_test (tc, test_cancel_after_2xx);
  tcase_add_test (tc, test_cancel_from_other_thread);
  tcase_add_loop_test (tc, test_forked_2xx, 0, 2);
  tcase_add_test (tc, test_manual_ack);
  tcase_add_test (tc, test_transport_error);
  tcase_add_test (tc, test_container_dropped);
  tcase_add_test (tc, test_shutdown_deadline);
  tcase_add_test (tc, test_ack_refused);
  tcase_add_test (tc, test_cancel_carries_added_headers);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
