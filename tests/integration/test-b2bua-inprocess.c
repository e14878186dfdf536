/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process B2BUA test: a servlet using SipB2buaHelper between two fake
 * peers on loopback. Covers the helper rules that need real transactions:
 * get_proxy against get_b2bua_helper, the 483 for Max-Forwards 0, pending
 * messages of live transactions, the other leg as it reaches the wire, a
 * forked far side answered twice (derived sessions on both legs, the
 * extra 2xx made by create_response_to_original_request, sessions linked
 * by hand), and CANCEL with create_cancel. */
#include <sipservlet/sipservlet.h>
#include <string.h>

#include "check-main.h"
#include "peer-checks.h"


typedef enum {
  MODE_RELAY,
  MODE_HELPER_THEN_PROXY,
  MODE_PROXY_THEN_HELPER,
} Mode;

static SipContainer *container;
static FakePeer *caller;
static FakePeer *callee;
static char *target;

/* What the servlet saw; -1 is "no error". */
static struct {
  Mode mode;
  SipB2buaHelper *helper;
  gint proxy_error;
  gint helper_error;
  gint create_error;
  gint cancel_after_final_error;
  guint pending_uas_at_invite;
  guint32 pending_uas_cseq;
  guint pending_uac_at_2xx;
  guint pending_uac_after_ack;
  guint extra_2xx;
  gboolean extra_on_derived;
  guint acks;
  guint cancels;
} seen;

static gint
code_of (GError *error)
{
  gint code = error != NULL ? error->code : -1;
  g_clear_error (&error);
  return code;
}

static SipSession *
session_of (gpointer message)
{
  return sipservlet_message_get_session (SIPSERVLET_MESSAGE (message));
}

static void
reply (SipServletRequest *request, guint status)
{
  GError *error = NULL;
  SipServletResponse *response = sipservlet_request_create_response (request, status, NULL, &error);
  ck_assert_msg (response != NULL, "create_response %u: %s", status, error ? error->message : "");
  ck_assert (sipservlet_response_send (response, &error));
  sipservlet_response_unref (response);
}

static void
send_request (SipServletRequest *request)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_request_send (request, &error), "send: %s",
                 error ? error->message : "");
  sipservlet_request_unref (request);
}

/* ---- the servlet ------------------------------------------------------------ */

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;

  if (seen.mode == MODE_HELPER_THEN_PROXY)
    {
      ck_assert_ptr_nonnull (sipservlet_request_get_b2bua_helper (request, &error));
      ck_assert_ptr_null (sipservlet_request_get_proxy (request, &error));
      seen.proxy_error = code_of (error);
      reply (request, 480);
      return;
    }
  if (seen.mode == MODE_PROXY_THEN_HELPER)
    {
      ck_assert_ptr_nonnull (sipservlet_request_get_proxy (request, &error));
      ck_assert_ptr_null (sipservlet_request_get_b2bua_helper (request, &error));
      seen.helper_error = code_of (error);
      reply (request, 480);
      return;
    }

  SipB2buaHelper *helper = sipservlet_request_get_b2bua_helper (request, &error);
  ck_assert_ptr_nonnull (helper);
  seen.helper = helper;
  GPtrArray *pending = sipservlet_b2bua_get_pending_messages (helper, session_of (request),
                                                              SIPSERVLET_UA_MODE_UAS);
  seen.pending_uas_at_invite = pending->len;
  if (pending->len > 0)
    seen.pending_uas_cseq = sipservlet_message_get_cseq (pending->pdata[0]);
  g_ptr_array_unref (pending);

  SipServletRequest *out = sipservlet_b2bua_create_request (helper, request, TRUE, NULL, &error);
  ck_assert_msg (out != NULL, "create_request: %s", error ? error->message : "");
  SipURI *uri = sipservlet_uri_parse (target, NULL);
  ck_assert (sipservlet_request_set_request_uri (out, uri, &error));
  sipservlet_uri_unref (uri);
  sipservlet_request_defer (request);
  send_request (out);
}

static void
on_options (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipB2buaHelper *helper = sipservlet_request_get_b2bua_helper (request, &error);
  SipServletRequest *out = sipservlet_b2bua_create_request (helper, request, TRUE, NULL, &error);
  seen.create_error = code_of (error);
  if (out != NULL)
    {
      sipservlet_request_unref (out);
      reply (request, 200);
    }
}

static void
on_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen.acks++;
}

static void
on_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipSession *peer = sipservlet_b2bua_get_linked_session (seen.helper, session_of (request));
  if (peer == NULL)
    {
      reply (request, 200);
      return;
    }
  SipServletRequest *out = sipservlet_b2bua_create_request_for_session (seen.helper, peer, request,
                                                                        NULL, &error);
  ck_assert_msg (out != NULL, "create_request_for_session: %s", error ? error->message : "");
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (seen.helper, request), out);
  sipservlet_request_defer (request);
  send_request (out);
}

static void
on_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipSession *peer = sipservlet_b2bua_get_linked_session (seen.helper, session_of (request));
  ck_assert_ptr_nonnull (peer);
  SipServletRequest *cancel = sipservlet_b2bua_create_cancel (seen.helper, peer, &error);
  ck_assert_msg (cancel != NULL, "create_cancel: %s", error ? error->message : "");
  seen.cancels++;
  send_request (cancel);
}

/* A 2xx of the far side: acknowledged at once, relayed to the caller. */
static void
on_invite_2xx (SipServletResponse *response)
{
  GError *error = NULL;
  SipServletRequest *invite = sipservlet_response_get_request (response);
  SipSession *out = session_of (invite);
  SipSession *in = sipservlet_b2bua_get_linked_session (seen.helper, out);
  ck_assert_ptr_nonnull (in);

  SipSession *leg = session_of (response);
  GPtrArray *pending = sipservlet_b2bua_get_pending_messages (seen.helper, leg,
                                                              SIPSERVLET_UA_MODE_UAC);
  if (leg == out)
    seen.pending_uac_at_2xx = pending->len;
  g_ptr_array_unref (pending);
  SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
  ck_assert_ptr_nonnull (ack);
  send_request (ack);
  pending = sipservlet_b2bua_get_pending_messages (seen.helper, leg, SIPSERVLET_UA_MODE_UAC);
  if (leg == out)
    seen.pending_uac_after_ack = pending->len;
  g_ptr_array_unref (pending);

  SipServletResponse *relayed = sipservlet_b2bua_create_response_to_original_request (seen.helper,
                                                                                      in, 200, NULL,
                                                                                      &error);
  ck_assert_msg (relayed != NULL, "create_response_to_original_request: %s",
                 error ? error->message : "");
  if (leg != out)
    {
      /* Another To tag from the far side: a derived session on each leg,
       * linked by hand so that their BYE is relayed too. */
      seen.extra_2xx++;
      seen.extra_on_derived = session_of (relayed) != in;
      ck_assert (sipservlet_b2bua_link_sessions (seen.helper, session_of (relayed), leg, &error));
    }
  ck_assert (sipservlet_response_send (relayed, &error));
  sipservlet_response_unref (relayed);
}

static void
on_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  GError *error = NULL;
  SipServletRequest *request = sipservlet_response_get_request (response);
  guint status = sipservlet_response_get_status (response);
  const char *method = sipservlet_message_get_method (SIPSERVLET_MESSAGE (response));
  SipServletRequest *original = sipservlet_b2bua_get_linked_request (seen.helper, request);

  if (strcmp (method, "INVITE") == 0 && status >= 200 && status < 300)
    {
      on_invite_2xx (response);
      return;
    }
  if (strcmp (method, "INVITE") == 0 && status >= 300)
    {
      /* Final: nothing to cancel any more. */
      ck_assert_ptr_null (sipservlet_b2bua_create_cancel (seen.helper, session_of (request), &error));
      seen.cancel_after_final_error = code_of (error);
    }
  if (original != NULL && !sipservlet_message_is_committed (SIPSERVLET_MESSAGE (original))
      && !sipservlet_request_is_cancelled (original))
    reply (original, status);
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_options = on_options,
  .do_ack = on_ack,
  .do_bye = on_bye,
  .do_cancel = on_cancel,
  .do_response = on_response,
};

/* ---- fixture and helpers ---------------------------------------------------- */

static void
setup (void)
{
  GError *error = NULL;
  memset (&seen, 0, sizeof seen);
  seen.proxy_error = seen.helper_error = seen.create_error = seen.cancel_after_final_error = -1;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  guint16 port = sipservlet_container_get_port (container, NULL);
  caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipServlet *servlet = sipservlet_servlet_new ("b2bua", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
}

static void
teardown (void)
{
  fake_peer_free (caller);
  fake_peer_free (callee);
  sipservlet_container_unref (container);
  g_clear_pointer (&target, g_free);
}

#define SDP "v=0\r\no=alice 7 7 IN IP4 127.0.0.1\r\n"

/* A request from the caller; @branch names its transaction. */
static char *
caller_request (const char *method, const char *ruri, guint cseq, const char *branch,
                const char *to_tag, const char *extra, const char *body)
{
  guint16 p = fake_peer_get_port (caller, FAKE_UDP);
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-alice-%s;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: \"Alice\" <sip:alice@example.com>;tag=alice-tag\r\n"
                          "To: <sip:bob@example.com>%s%s\r\n"
                          "Call-ID: alice-call-id\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "%s"
                          "%s"
                          "Content-Length: %zu\r\n\r\n%s",
                          method, ruri, p, branch, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
                          cseq, method, p, extra ? extra : "",
                          body ? "Content-Type: application/sdp\r\n" : "",
                          body ? strlen (body) : 0, body ? body : "");
}

static char *
tag_of (FakeMessage *message, const char *name)
{
  char *tag = fake_header_param (fake_message_header (message, name), "tag");
  ck_assert_msg (tag != NULL, "no %s tag in:\n%s", name, message->raw);
  return tag;
}

static gboolean
no_sessions (gpointer data)
{
  return sipservlet_container_get_session_count (container) == 0;
}

/* ---- tests ------------------------------------------------------------------------- */

START_TEST (test_helper_then_proxy)
{
  seen.mode = MODE_HELPER_THEN_PROXY;
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, "inv", NULL, NULL, NULL);
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *answer = peer_next_response (caller, 480);
  fake_message_free (answer);
  ck_assert_int_eq (seen.proxy_error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_proxy_then_helper)
{
  seen.mode = MODE_PROXY_THEN_HELPER;
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, "inv", NULL, NULL, NULL);
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *answer = peer_next_response (caller, 480);
  fake_message_free (answer);
  ck_assert_int_eq (seen.helper_error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_max_forwards_zero)
{
  /* The container lets an OPTIONS with Max-Forwards 0 reach the servlet
   * (RFC 3261 §16.3); the other leg cannot be created: 483. */
  char *options = caller_request ("OPTIONS", "sip:bob@example.com", 1, "opt", NULL, NULL, NULL);
  char **parts = g_strsplit (options, "Max-Forwards: 70", 2);
  char *text = g_strjoinv ("Max-Forwards: 0", parts);
  g_strfreev (parts);
  peer_send (caller, text);
  g_free (text);
  g_free (options);
  FakeMessage *answer = peer_next_response (caller, 483);
  fake_message_free (answer);
  ck_assert_int_eq (seen.create_error, SIPSERVLET_ERROR_TOO_MANY_HOPS);
  /* Nothing was sent on another leg. */
  fake_peer_run (callee, 200);
  ck_assert_uint_eq (fake_peer_pending (callee), 0);
}
END_TEST

START_TEST (test_relay_forked_2xx)
{
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, "inv", NULL,
                                 "Subject: b2bua\r\nRecord-Route: <sip:10.0.0.9;lr>\r\n", SDP);
  peer_send (caller, invite);
  g_free (invite);

  /* The other leg, on the wire. */
  FakeMessage *out = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (out->request_uri, target);
  ck_assert_str_ne (fake_message_header (out, "Call-ID"), "alice-call-id");
  char *from_tag = tag_of (out, "From");
  ck_assert_str_ne (from_tag, "alice-tag");
  ck_assert_ptr_null (fake_header_param (fake_message_header (out, "To"), "tag"));
  ck_assert_str_eq (fake_message_header (out, "Max-Forwards"), "69");
  ck_assert_uint_eq (fake_message_count_headers (out, "Via"), 1);
  ck_assert_ptr_null (strstr (fake_message_header (out, "Via"), "alice"));
  ck_assert_ptr_null (fake_message_header (out, "Record-Route"));
  ck_assert_ptr_null (fake_message_header (out, "Route"));
  ck_assert_ptr_null (strstr (fake_message_header (out, "Contact"), "alice"));
  ck_assert_str_eq (fake_message_header (out, "Subject"), "b2bua");
  ck_assert_str_eq (out->body, SDP);
  ck_assert_uint_eq (seen.pending_uas_at_invite, 1);
  ck_assert_uint_eq (seen.pending_uas_cseq, 1);

  /* Two 200s with two To tags. */
  char *bob = g_strdup_printf ("Contact: <%s>\r\n", target);
  char *ok1 = fake_peer_build_response (out, 200, "OK", "bob-1", bob);
  char *ok2 = fake_peer_build_response (out, 200, "OK", "bob-2", bob);
  peer_send (callee, ok1);
  FakeMessage *ack1 = peer_next_request (callee, "ACK");
  char *ack1_tag = tag_of (ack1, "To");
  ck_assert_str_eq (ack1_tag, "bob-1");
  ck_assert_uint_eq (seen.pending_uac_at_2xx, 1);
  ck_assert_uint_eq (seen.pending_uac_after_ack, 0);
  FakeMessage *answer1 = peer_next_response (caller, 200);
  peer_send (callee, ok2);
  FakeMessage *ack2 = peer_next_request (callee, "ACK");
  char *ack2_tag = tag_of (ack2, "To");
  ck_assert_str_eq (ack2_tag, "bob-2");
  FakeMessage *answer2 = peer_next_response (caller, 200);
  ck_assert_uint_eq (seen.extra_2xx, 1);
  ck_assert (seen.extra_on_derived);

  /* The caller sees two dialogs of ours: two To tags, neither the far side's. */
  char *t1 = tag_of (answer1, "To");
  char *t2 = tag_of (answer2, "To");
  ck_assert_str_ne (t1, t2);
  ck_assert (strcmp (t1, "bob-1") != 0 && strcmp (t1, "bob-2") != 0);
  ck_assert (strcmp (t2, "bob-1") != 0 && strcmp (t2, "bob-2") != 0);
  ck_assert_str_eq (fake_message_header (answer1, "Call-ID"), "alice-call-id");
  char *ours = fake_header_uri (fake_message_header (answer1, "Contact"));

  /* The caller acknowledges both, then hangs both up; each BYE reaches the
   * far side's dialog it is linked to. */
  const char *tags[] = { t1, t2 };
  const char *far[] = { "bob-1", "bob-2" };
  for (guint i = 0; i < 2; i++)
    {
      char *branch = g_strdup_printf ("ack%u", i);
      char *ack = caller_request ("ACK", ours, 1, branch, tags[i], NULL, NULL);
      peer_send (caller, ack);
      g_free (ack);
      g_free (branch);
    }
  fake_peer_run (caller, 100);
  ck_assert_uint_eq (seen.acks, 2);
  for (guint i = 0; i < 2; i++)
    {
      char *branch = g_strdup_printf ("bye%u", i);
      char *bye = caller_request ("BYE", ours, 2, branch, tags[i], NULL, NULL);
      peer_send (caller, bye);
      g_free (bye);
      g_free (branch);
      FakeMessage *relayed = peer_next_request (callee, "BYE");
      char *to_tag = tag_of (relayed, "To");
      ck_assert_str_eq (to_tag, far[i]);
      char *bye_from = tag_of (relayed, "From");
      ck_assert_str_eq (bye_from, from_tag);
      ck_assert_str_eq (fake_message_header (relayed, "Call-ID"), fake_message_header (out, "Call-ID"));
      g_free (bye_from);
      g_free (to_tag);
      char *ok = fake_peer_build_response (relayed, 200, "OK", NULL, NULL);
      peer_send (callee, ok);
      g_free (ok);
      fake_message_free (relayed);
      FakeMessage *done = peer_next_response (caller, 200);
      fake_message_free (done);
    }

  /* Every session of both legs ends. */
  ck_assert_msg (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS), "%u sessions left",
                 sipservlet_container_get_session_count (container));

  g_free (ours);
  g_free (t1);
  g_free (t2);
  g_free (ack1_tag);
  g_free (ack2_tag);
  g_free (from_tag);
  g_free (bob);
  g_free (ok1);
  g_free (ok2);
  fake_message_free (ack1);
  fake_message_free (ack2);
  fake_message_free (answer1);
  fake_message_free (answer2);
  fake_message_free (out);
}
END_TEST

START_TEST (test_cancel)
{
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, "inv", NULL, NULL, SDP);
  peer_send (caller, invite);
  g_free (invite);

  FakeMessage *out = peer_next_request (callee, "INVITE");
  char *bob = g_strdup_printf ("Contact: <%s>\r\n", target);
  char *ringing = fake_peer_build_response (out, 180, "Ringing", "bob-1", bob);
  peer_send (callee, ringing);
  g_free (ringing);
  FakeMessage *relayed_180 = peer_next_response (caller, 180);
  fake_message_free (relayed_180);

  /* The caller cancels: 200 for the CANCEL and 487 come from the container. */
  char *cancel = caller_request ("CANCEL", "sip:bob@example.com", 1, "inv", NULL, NULL, NULL);
  peer_send (caller, cancel);
  g_free (cancel);
  gboolean got_200 = FALSE, got_487 = FALSE;
  for (guint i = 0; i < 2; i++)
    {
      FakeMessage *m = peer_next (caller);
      ck_assert_msg (!m->is_request, "%s", m->raw);
      got_200 |= m->status == 200 && strstr (fake_message_header (m, "CSeq"), "CANCEL") != NULL;
      got_487 |= m->status == 487;
      fake_message_free (m);
    }
  ck_assert (got_200 && got_487);
  ck_assert_uint_eq (seen.cancels, 1);

  /* The other leg is cancelled: same transaction as its INVITE. */
  FakeMessage *cancel_out = peer_next_request (callee, "CANCEL");
  ck_assert_str_eq (fake_message_header (cancel_out, "Call-ID"), fake_message_header (out, "Call-ID"));
  ck_assert_str_eq (fake_message_header (cancel_out, "Via"), fake_message_header (out, "Via"));
  ck_assert_str_eq (fake_message_header (cancel_out, "CSeq"), "1 CANCEL");
  char *cancel_ok = fake_peer_build_response (cancel_out, 200, "OK", "bob-1", NULL);
  peer_send (callee, cancel_ok);
  g_free (cancel_ok);
  char *terminated = fake_peer_build_response (out, 487, "Request Terminated", "bob-1", NULL);
  peer_send (callee, terminated);
  g_free (terminated);
  FakeMessage *ack = peer_next_request (callee, "ACK");
  fake_message_free (ack);
  ck_assert_int_eq (seen.cancel_after_final_error, SIPSERVLET_ERROR_INVALID_STATE);

  ck_assert_msg (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS), "%u sessions left",
                 sipservlet_container_get_session_count (container));
  fake_message_free (cancel_out);
  fake_message_free (out);
  g_free (bob);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("b2bua-inprocess");
  TCase *tc = tcase_create ("b2bua");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_helper_then_proxy);
  tcase_add_test (tc, test_proxy_then_helper);
  tcase_add_test (tc, test_max_forwards_zero);
  tcase_add_test (tc, test_relay_forked_2xx);
  tcase_add_test (tc, test_cancel);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
