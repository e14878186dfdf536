/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process tests of call lifetime (issue 13 §2, §3): RFC 4028 session
 * timers as UAS and UAC (422 both ways, refresher choice, refreshes by
 * UPDATE and by re-INVITE with the same SDP, the peer's refreshes answered
 * without the servlet, expiry ending the dialog with BYE) and
 * sipservlet_session_terminate() in every state, against fake peers on
 * loopback. Intervals of a few seconds come from the test-only
 * SIPSERVLET_TEST_SHORT_SESSION_TIMERS setting. */
#include <sipservlet/sipservlet.h>
#include <string.h>

#include "check-main.h"
#include "peer-checks.h"

static SipContainer *container;
static FakePeer *caller;
static FakePeer *callee;

#define OUR_SDP "v=0\r\no=server 5 5 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
#define CALLER_SDP "v=0\r\no=alice 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
#define CALLER_SDP_2 "v=0\r\no=alice 7 8 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"

/* What the servlet and the listeners saw. */
static struct {
  gboolean proxy;                 /* proxy INVITEs to the callee, record-routing */
  gboolean defer_invite;          /* leave the INVITE unanswered */
  gboolean no_ack;                /* UAC: do not acknowledge 2xx */
  SipServletRequest *invite;      /* the INVITE the servlet received, referenced */
  SipServletRequest *sent;        /* the INVITE the servlet sent, referenced */
  SipSession *session;            /* of either, not referenced */
  guint invites, acks, byes, updates;
  guint responses[700];
  guint expired;
} seen;

static void proxy_invite (SipServletRequest *request);

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen.invites++;
  seen.session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (request));
  if (seen.proxy)
    {
      proxy_invite (request);
      return;
    }
  if (seen.defer_invite)
    {
      g_clear_pointer (&seen.invite, sipservlet_request_unref);
      seen.invite = sipservlet_request_ref (request);
      sipservlet_request_defer (request);
      return;
    }
  SipServletResponse *ok = sipservlet_request_create_response (request, 200, NULL, NULL);
  sipservlet_message_set_content (SIPSERVLET_MESSAGE (ok), OUR_SDP, -1, "application/sdp", NULL);
  ck_assert (sipservlet_response_send (ok, NULL));
  sipservlet_response_unref (ok);
}

static void
answer_200 (SipServletRequest *request)
{
  SipServletResponse *ok = sipservlet_request_create_response (request, 200, NULL, NULL);
  ck_assert (sipservlet_response_send (ok, NULL));
  sipservlet_response_unref (ok);
}

static void
on_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen.acks++;
}

static void
on_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen.byes++;
  if (!seen.proxy)
    answer_200 (request);
}

static void
on_update (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  seen.updates++;
  answer_200 (request);
}

static void
on_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  guint status = sipservlet_response_get_status (response);
  seen.responses[status]++;
  if (status >= 200 && status < 300 && !seen.no_ack
      && g_strcmp0 (sipservlet_message_get_method (SIPSERVLET_MESSAGE (response)), "INVITE") == 0)
    {
      GError *error = NULL;
      SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
      if (seen.proxy)
        {
          /* The caller acknowledges a proxied 2xx, not the proxy. */
          ck_assert_ptr_null (ack);
          ck_assert_int_eq (error->code, SIPSERVLET_ERROR_INVALID_STATE);
          g_error_free (error);
          return;
        }
      ck_assert_ptr_nonnull (ack);
      ck_assert (sipservlet_request_send (ack, NULL));
      sipservlet_request_unref (ack);
    }
}

static void
on_session_expired (SipSession *session, gpointer user_data)
{
  seen.expired++;
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_ack = on_ack,
  .do_bye = on_bye,
  .do_update = on_update,
  .do_response = on_response,
};

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .session_expired = on_session_expired,
};

static void
setup_with (guint session_expires, guint min_se)
{
  GError *error = NULL;
  memset (&seen, 0, sizeof seen);
  g_setenv ("SIPSERVLET_TEST_SHORT_SESSION_TIMERS", "1", TRUE);
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  ck_assert_msg (sipservlet_container_set_session_timers (container, session_expires, min_se,
                                                         &error),
                 "%s", error ? error->message : "");
  ck_assert (sipservlet_container_add_listeners (container, &listeners, NULL, NULL));
  guint16 port = sipservlet_container_get_port (container, NULL);
  caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  SipServlet *servlet = sipservlet_servlet_new ("timers", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
}

static void
setup (void)
{
  setup_with (4, 2);
}

static void
teardown (void)
{
  g_clear_pointer (&seen.invite, sipservlet_request_unref);
  g_clear_pointer (&seen.sent, sipservlet_request_unref);
  fake_peer_free (caller);
  fake_peer_free (callee);
  sipservlet_container_unref (container);
  g_unsetenv ("SIPSERVLET_TEST_SHORT_SESSION_TIMERS");
}

/* ---- the caller's side (we are UAS) ----------------------------------------------------- */

static char *
caller_request (const char *method, guint cseq, const char *branch, const char *to_tag,
                const char *extra, const char *body)
{
  guint16 p = fake_peer_get_port (caller, FAKE_UDP);
  guint16 server = sipservlet_container_get_port (container, NULL);
  return g_strdup_printf ("%s sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-alice-%s;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=alice-tag\r\n"
                          "To: <sip:bob@example.com>%s%s\r\n"
                          "Call-ID: timers-call-id\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "%s%s"
                          "Content-Length: %zu\r\n\r\n%s",
                          method, server, p, branch, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
                          cseq, method, p, extra ? extra : "",
                          body ? "Content-Type: application/sdp\r\n" : "",
                          body ? strlen (body) : 0, body ? body : "");
}

static void
caller_send (const char *method, guint cseq, const char *branch, const char *to_tag,
             const char *extra, const char *body)
{
  char *text = caller_request (method, cseq, branch, to_tag, extra, body);
  peer_send (caller, text);
  g_free (text);
}

/* Sends the INVITE, takes the 2xx, ACKs it; returns our To-tag. */
static char *
caller_call (const char *extra, FakeMessage **ok_out)
{
  caller_send ("INVITE", 1, "inv", NULL, extra, CALLER_SDP);
  FakeMessage *ok = peer_next_response (caller, 200);
  char *tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  ck_assert_ptr_nonnull (tag);
  caller_send ("ACK", 1, "ack", tag, NULL, NULL);
  *ok_out = ok;
  return tag;
}

/* The next request from us to a peer, skipping retransmitted 2xx. */
static FakeMessage *
next_request_to (FakePeer *peer, const char *method, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (g_get_monotonic_time () < end)
    {
      FakeMessage *m = fake_peer_wait (peer, (guint) MAX (1, (end - g_get_monotonic_time ()) / 1000));
      if (m == NULL)
        return NULL;
      if (m->is_request && strcmp (m->method, method) == 0)
        return m;
      fake_message_free (m);
    }
  return NULL;
}

static void
answer (FakePeer *peer, FakeMessage *request, guint status, const char *extra)
{
  char *text = fake_peer_build_response (request, status, NULL, NULL, extra);
  peer_send (peer, text);
  g_free (text);
}

static gboolean
no_sessions (gpointer data)
{
  return sipservlet_container_get_session_count (container) == 0;
}

START_TEST (test_uas_422_below_min_se)
{
  caller_send ("INVITE", 1, "short", NULL, "Supported: timer\r\nSession-Expires: 1\r\n",
               CALLER_SDP);
  g_autoptr (FakeMessage) refused = peer_next_response (caller, 422);
  ck_assert_str_eq (fake_message_header (refused, "Min-SE"), "2");
  ck_assert_uint_eq (seen.invites, 0);
}
END_TEST

/* The caller supports timers: it refreshes (UPDATE), the container
 * answers without the servlet; when it stops, the container sends BYE. */
START_TEST (test_uas_caller_refreshes_then_stops)
{
  FakeMessage *ok;
  g_autofree char *tag = caller_call ("Supported: timer\r\nSession-Expires: 3\r\n", &ok);
  ck_assert_str_eq (fake_message_header (ok, "Session-Expires"), "3;refresher=uac");
  g_autofree char *require = g_strdup (fake_message_header (ok, "Require"));
  fake_message_free (ok);
  ck_assert_str_eq (require, "timer");

  /* A refresh after 1.5 s: answered by the container with the interval. */
  fake_peer_run (caller, 1500);
  caller_send ("UPDATE", 2, "upd", tag, "Supported: timer\r\nSession-Expires: 3;refresher=uac\r\n",
               NULL);
  g_autoptr (FakeMessage) updated = peer_next_response_to (caller, 200, "UPDATE");
  ck_assert_str_eq (fake_message_header (updated, "Session-Expires"), "3;refresher=uac");
  ck_assert_uint_eq (seen.updates, 0);

  /* No more refreshes: BYE once 2 s (3 - 1) have passed since. */
  gint64 refreshed = g_get_monotonic_time ();
  g_autoptr (FakeMessage) bye = next_request_to (caller, "BYE", 5000);
  ck_assert_msg (bye != NULL, "no BYE after the session expired");
  gint64 waited_ms = (g_get_monotonic_time () - refreshed) / 1000;
  ck_assert_msg (waited_ms >= 1500, "BYE after %" G_GINT64_FORMAT " ms, before expiry", waited_ms);
  ck_assert_uint_eq (seen.expired, 1);
  answer (caller, bye, 200, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
  ck_assert_uint_eq (seen.acks, 1);
}
END_TEST

/* The caller does not do timers and does not allow UPDATE: we refresh
 * with a re-INVITE carrying our SDP unchanged; the caller's own re-INVITE
 * with an unchanged SDP is a refresh the servlet does not see, a changed
 * one reaches it. */
START_TEST (test_uas_refreshes_with_reinvite)
{
  FakeMessage *ok;
  g_autofree char *tag = caller_call ("Allow: INVITE, ACK, BYE, CANCEL\r\n", &ok);
  ck_assert_str_eq (fake_message_header (ok, "Session-Expires"), "4;refresher=uas");
  ck_assert_ptr_null (fake_message_header (ok, "Require"));
  fake_message_free (ok);

  g_autoptr (FakeMessage) reinvite = next_request_to (caller, "INVITE", 4000);
  ck_assert_msg (reinvite != NULL, "no refresh re-INVITE");
  ck_assert_str_eq (reinvite->body, OUR_SDP);
  ck_assert_str_eq (fake_message_header (reinvite, "Session-Expires"), "4;refresher=uac");
  char *with_sdp = g_strdup_printf ("Contact: <sip:alice@127.0.0.1:%u>\r\n"
                                    "Content-Type: application/sdp\r\n",
                                    fake_peer_get_port (caller, FAKE_UDP));
  /* fake_peer_build_response has no body: answer with one by hand. */
  char *text = fake_peer_build_response (reinvite, 200, NULL, NULL, with_sdp);
  g_free (with_sdp);
  char *cut = strstr (text, "Content-Length: 0\r\n\r\n");
  ck_assert_ptr_nonnull (cut);
  *cut = '\0';
  char *full = g_strdup_printf ("%sContent-Length: %zu\r\n\r\n%s", text, strlen (CALLER_SDP),
                                CALLER_SDP);
  peer_send (caller, full);
  g_free (full);
  g_free (text);
  g_autoptr (FakeMessage) ack = next_request_to (caller, "ACK", 2000);
  ck_assert_msg (ack != NULL, "the refresh 2xx was not acknowledged");
  ck_assert_uint_eq (seen.responses[200], 0);

  /* The caller's refresh: same SDP version. */
  caller_send ("INVITE", 2, "refresh", tag, NULL, CALLER_SDP);
  g_autoptr (FakeMessage) refreshed = peer_next_response_to (caller, 200, "INVITE");
  ck_assert_str_eq (refreshed->body, OUR_SDP);
  caller_send ("ACK", 2, "ack2", tag, NULL, NULL);
  fake_peer_run (caller, 200);
  ck_assert_uint_eq (seen.invites, 1);
  ck_assert_uint_eq (seen.acks, 1);

  /* A new SDP version is the servlet's. */
  caller_send ("INVITE", 3, "change", tag, NULL, CALLER_SDP_2);
  g_autoptr (FakeMessage) changed = peer_next_response_to (caller, 200, "INVITE");
  caller_send ("ACK", 3, "ack3", tag, NULL, NULL);
  fake_peer_run (caller, 200);
  ck_assert_uint_eq (seen.invites, 2);
  ck_assert_uint_eq (seen.expired, 0);

  caller_send ("BYE", 4, "bye", tag, NULL, NULL);
  g_autoptr (FakeMessage) bye_ok = peer_next_response_to (caller, 200, "BYE");
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* The caller allows UPDATE: the refresh is an UPDATE without a body. */
START_TEST (test_uas_refreshes_with_update)
{
  FakeMessage *ok;
  g_autofree char *tag = caller_call ("Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n", &ok);
  fake_message_free (ok);
  g_autoptr (FakeMessage) update = next_request_to (caller, "UPDATE", 4000);
  ck_assert_msg (update != NULL, "no refresh UPDATE");
  ck_assert_uint_eq (update->body_length, 0);
  ck_assert_str_eq (fake_message_header (update, "Session-Expires"), "4;refresher=uac");
  answer (caller, update, 200, "Session-Expires: 4;refresher=uac\r\n");
  /* And again, so the first answer restarted the interval. */
  g_autoptr (FakeMessage) again = next_request_to (caller, "UPDATE", 4000);
  ck_assert_msg (again != NULL, "no second refresh");
  /* Our refresh times out as 481: the dialog is over. */
  answer (caller, again, 481, NULL);
  g_autoptr (FakeMessage) bye = next_request_to (caller, "BYE", 3000);
  ck_assert_msg (bye != NULL, "no BYE after a refresh answered 481");
  ck_assert_uint_eq (seen.expired, 1);
  answer (caller, bye, 481, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* ---- the callee's side (we are UAC) ----------------------------------------------------- */

static void
start_call (void)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  SipApplicationSession *app = sipservlet_factory_create_application_session (factory);
  SipAddress *from = sipservlet_address_parse ("<sip:server@example.com>", NULL);
  char *to_text = g_strdup_printf ("<sip:bob@127.0.0.1:%u>", fake_peer_get_port (callee, FAKE_UDP));
  SipAddress *to = sipservlet_address_parse (to_text, NULL);
  SipServletRequest *invite = sipservlet_factory_create_request (factory, app, "INVITE", from, to,
                                                                 &error);
  ck_assert_ptr_nonnull (invite);
  sipservlet_message_set_content (SIPSERVLET_MESSAGE (invite), OUR_SDP, -1, "application/sdp",
                                  NULL);
  ck_assert (sipservlet_request_send (invite, &error));
  seen.sent = invite;
  seen.session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (invite));
  g_free (to_text);
  sipservlet_application_session_unref (app);
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
}

static char *
contact_header (FakePeer *peer)
{
  return g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n", fake_peer_get_port (peer, FAKE_UDP));
}

/* 422 from the callee: the INVITE goes again with its Min-SE, and the
 * servlet sees only the 200. The callee's refresher=uac makes us refresh;
 * a refresh answered 408 ends the call. */
START_TEST (test_uac_retries_422_and_refreshes)
{
  start_call ();
  g_autoptr (FakeMessage) first = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  ck_assert_str_eq (fake_message_header (first, "Session-Expires"), "4");
  ck_assert_str_eq (fake_message_header (first, "Min-SE"), "2");
  g_auto (GStrv) supported = fake_message_header_elements (first, "Supported");
  ck_assert (g_strv_contains ((const char *const *) supported, "timer"));
  answer (callee, first, 422, "Min-SE: 6\r\n");

  g_autoptr (FakeMessage) second = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  ck_assert_str_eq (fake_message_header (second, "Session-Expires"), "6");
  ck_assert_str_eq (fake_message_header (second, "Min-SE"), "6");
  ck_assert_str_eq (fake_message_header (second, "CSeq"), "2 INVITE");
  ck_assert_str_eq (second->body, OUR_SDP);
  g_autofree char *contact = contact_header (callee);
  g_autofree char *extra = g_strconcat (contact, "Require: timer\r\nSession-Expires: 6;refresher=uac\r\n"
                                        "Allow: INVITE, ACK, BYE, UPDATE\r\n", NULL);
  char *ok = fake_peer_build_response (second, 200, NULL, "bob-tag", extra);
  peer_send (callee, ok);
  g_free (ok);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  ck_assert_uint_eq (seen.responses[422], 0);
  ck_assert_uint_eq (seen.responses[200], 1);

  g_autoptr (FakeMessage) update = next_request_to (callee, "UPDATE", 5000);
  ck_assert_msg (update != NULL, "no refresh UPDATE");
  ck_assert_str_eq (fake_message_header (update, "Session-Expires"), "6;refresher=uac");
  answer (callee, update, 408, NULL);
  g_autoptr (FakeMessage) bye = next_request_to (callee, "BYE", 3000);
  ck_assert_msg (bye != NULL, "no BYE after a refresh answered 408");
  ck_assert_uint_eq (seen.expired, 1);
  ck_assert_uint_eq (seen.responses[408], 0);
  answer (callee, bye, 200, NULL);
  ck_assert (fake_peer_run_until (callee, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

static void
on_callback (SipServletRequest *request, SipServletResponse *response, const GError *error,
             gpointer user_data)
{
  if (response != NULL)
    seen.responses[sipservlet_response_get_status (response)]++;
}

/* The same with a request sent with a callback: the callback sees only
 * the 200, and the library's ACK goes out for it. */
START_TEST (test_uac_callback_retries_422)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  SipApplicationSession *app = sipservlet_factory_create_application_session (factory);
  SipAddress *from = sipservlet_address_parse ("<sip:server@example.com>", NULL);
  g_autofree char *to_text = g_strdup_printf ("<sip:bob@127.0.0.1:%u>",
                                              fake_peer_get_port (callee, FAKE_UDP));
  SipAddress *to = sipservlet_address_parse (to_text, NULL);
  SipServletRequest *invite = sipservlet_factory_create_request (factory, app, "INVITE", from, to,
                                                                 &error);
  sipservlet_application_session_unref (app);
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
  ck_assert (sipservlet_request_send_with_callback (invite, SIPSERVLET_SEND_DEFAULT, NULL,
                                                    on_callback, NULL, NULL, &error));
  sipservlet_request_unref (invite);

  g_autoptr (FakeMessage) first = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  answer (callee, first, 422, "Min-SE: 5\r\n");
  g_autoptr (FakeMessage) second = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  ck_assert_msg (second != NULL, "the INVITE was not sent again after 422");
  ck_assert_str_eq (fake_message_header (second, "Session-Expires"), "5");
  g_autofree char *contact = contact_header (callee);
  char *ok = fake_peer_build_response (second, 200, NULL, "bob-tag", contact);
  peer_send (callee, ok);
  g_free (ok);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  ck_assert_msg (ack != NULL, "no ACK");
  ck_assert_str_eq (fake_message_header (ack, "CSeq"), "2 ACK");
  ck_assert_uint_eq (seen.responses[422], 0);
  ck_assert_uint_eq (seen.responses[200], 1);
}
END_TEST

/* The callee refreshes (refresher=uas) but never does: BYE. */
START_TEST (test_uac_peer_stops_refreshing)
{
  start_call ();
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  g_autofree char *contact = contact_header (callee);
  g_autofree char *extra = g_strconcat (contact, "Session-Expires: 3;refresher=uas\r\n", NULL);
  char *ok = fake_peer_build_response (invite, 200, NULL, "bob-tag", extra);
  peer_send (callee, ok);
  g_free (ok);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  g_autoptr (FakeMessage) bye = next_request_to (callee, "BYE", 4000);
  ck_assert_msg (bye != NULL, "no BYE when the refresher went quiet");
  ck_assert_uint_eq (seen.expired, 1);
  answer (callee, bye, 200, NULL);
  ck_assert (fake_peer_run_until (callee, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* A 2xx without Session-Expires: no timer (RFC 4028 §7.2). */
START_TEST (test_uac_no_timer_without_session_expires)
{
  start_call ();
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  g_autofree char *contact = contact_header (callee);
  char *ok = fake_peer_build_response (invite, 200, NULL, "bob-tag", contact);
  peer_send (callee, ok);
  g_free (ok);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  g_autoptr (FakeMessage) nothing = next_request_to (callee, "BYE", 5000);
  ck_assert_ptr_null (nothing);
  ck_assert_uint_eq (seen.expired, 0);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) bye = next_request_to (callee, "BYE", PEER_WAIT_MS);
  answer (callee, bye, 200, NULL);
  ck_assert (fake_peer_run_until (callee, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* ---- sipservlet_session_terminate() ----------------------------------------------------- */

static void
setup_off (void)
{
  setup_with (0, 0);
}

/* Early, as UAC, before any provisional: the CANCEL waits for one. */
START_TEST (test_terminate_uac_waits_for_provisional)
{
  start_call ();
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) early = next_request_to (callee, "CANCEL", 1000);
  ck_assert_ptr_null (early);
  g_autofree char *contact = contact_header (callee);
  char *ringing = fake_peer_build_response (invite, 180, NULL, "bob-tag", contact);
  peer_send (callee, ringing);
  g_free (ringing);
  g_autoptr (FakeMessage) cancel = next_request_to (callee, "CANCEL", PEER_WAIT_MS);
  ck_assert_msg (cancel != NULL, "no CANCEL after the provisional");
  answer (callee, cancel, 200, NULL);
  char *terminated = fake_peer_build_response (invite, 487, NULL, "bob-tag", NULL);
  peer_send (callee, terminated);
  g_free (terminated);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  ck_assert_uint_eq (seen.responses[487], 1);
}
END_TEST

/* Early, as UAC, and the callee answers 2xx anyway: ACK, then BYE. */
START_TEST (test_terminate_uac_2xx_wins_race)
{
  start_call ();
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  g_autofree char *contact = contact_header (callee);
  char *ringing = fake_peer_build_response (invite, 180, NULL, "bob-tag", contact);
  peer_send (callee, ringing);
  g_free (ringing);
  fake_peer_run (callee, 200);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) cancel = next_request_to (callee, "CANCEL", PEER_WAIT_MS);
  ck_assert_msg (cancel != NULL, "no CANCEL");
  char *ok = fake_peer_build_response (invite, 200, NULL, "bob-tag", contact);
  peer_send (callee, ok);
  g_free (ok);
  answer (callee, cancel, 200, NULL);
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  ck_assert_msg (ack != NULL, "the 2xx was not acknowledged");
  g_autoptr (FakeMessage) bye = next_request_to (callee, "BYE", PEER_WAIT_MS);
  ck_assert_msg (bye != NULL, "the 2xx that won the race was not BYEd");
  ck_assert_uint_eq (seen.responses[200], 0);
  answer (callee, bye, 200, NULL);
  ck_assert (fake_peer_run_until (callee, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* A 2xx we received and the servlet has not acknowledged: ACK, BYE. */
START_TEST (test_terminate_uac_unacknowledged_2xx)
{
  seen.no_ack = TRUE;
  start_call ();
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  g_autofree char *contact = contact_header (callee);
  char *ok = fake_peer_build_response (invite, 200, NULL, "bob-tag", contact);
  peer_send (callee, ok);
  g_free (ok);
  fake_peer_run (callee, 300);
  ck_assert_uint_eq (seen.responses[200], 1);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) ack = next_request_to (callee, "ACK", PEER_WAIT_MS);
  ck_assert_msg (ack != NULL, "no ACK before the BYE");
  g_autoptr (FakeMessage) bye = next_request_to (callee, "BYE", PEER_WAIT_MS);
  ck_assert_msg (bye != NULL, "no BYE");
  answer (callee, bye, 200, NULL);
  ck_assert (fake_peer_run_until (callee, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* Early, as UAS: the INVITE is answered 487. */
START_TEST (test_terminate_uas_early)
{
  seen.defer_invite = TRUE;
  caller_send ("INVITE", 1, "inv", NULL, NULL, CALLER_SDP);
  fake_peer_run (caller, 300);
  ck_assert_uint_eq (seen.invites, 1);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) refused = peer_next_response (caller, 487);
  g_autofree char *tag = fake_header_param (fake_message_header (refused, "To"), "tag");
  caller_send ("ACK", 1, "inv", tag, NULL, NULL);
  g_clear_pointer (&seen.invite, sipservlet_request_unref);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* Our 2xx is not acknowledged yet: the BYE waits for the ACK. */
START_TEST (test_terminate_uas_waits_for_ack)
{
  caller_send ("INVITE", 1, "inv", NULL, NULL, CALLER_SDP);
  g_autoptr (FakeMessage) ok = peer_next_response (caller, 200);
  g_autofree char *tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  g_autoptr (FakeMessage) early = next_request_to (caller, "BYE", 1200);
  ck_assert_ptr_null (early);
  caller_send ("ACK", 1, "ack", tag, NULL, NULL);
  g_autoptr (FakeMessage) bye = next_request_to (caller, "BYE", PEER_WAIT_MS);
  ck_assert_msg (bye != NULL, "no BYE after the ACK");
  ck_assert_uint_eq (seen.acks, 1);
  answer (caller, bye, 200, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* Our 2xx is never acknowledged: the BYE goes after the ACK's timeout
 * (64*T1, RFC 3261 §15), and the servlet's no_ack_received runs. */
START_TEST (test_terminate_uas_ack_never_comes)
{
  caller_send ("INVITE", 1, "inv", NULL, NULL, CALLER_SDP);
  g_autoptr (FakeMessage) ok = peer_next_response (caller, 200);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));
  gint64 start = g_get_monotonic_time ();
  g_autoptr (FakeMessage) bye = next_request_to (caller, "BYE", 45000);
  ck_assert_msg (bye != NULL, "no BYE after the ACK timed out");
  ck_assert_msg (g_get_monotonic_time () - start >= 25 * G_USEC_PER_SEC,
                 "the BYE did not wait for the ACK's timeout");
  answer (caller, bye, 200, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
}
END_TEST

/* Confirmed: BYE, and the session ends when it is answered. */
START_TEST (test_terminate_confirmed)
{
  FakeMessage *ok;
  g_autofree char *tag = caller_call (NULL, &ok);
  fake_message_free (ok);
  fake_peer_run (caller, 200);
  SipSession *session = sipservlet_session_ref (seen.session);
  ck_assert (sipservlet_session_terminate (session, NULL));
  g_autoptr (FakeMessage) bye = next_request_to (caller, "BYE", PEER_WAIT_MS);
  ck_assert_msg (bye != NULL, "no BYE");
  g_autofree char *method = fake_cseq_method (bye);
  ck_assert_str_eq (method, "BYE");
  answer (caller, bye, 200, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
  ck_assert_int_eq (sipservlet_session_get_state (session), SIPSERVLET_SESSION_STATE_TERMINATED);
  GError *error = NULL;
  ck_assert (!sipservlet_session_terminate (session, &error));
  ck_assert_int_eq (error->code, SIPSERVLET_ERROR_INVALID_STATE);
  g_clear_error (&error);
  sipservlet_session_unref (session);
}
END_TEST

/* ---- the proxy ------------------------------------------------------------------------ */

static void
proxy_invite (SipServletRequest *request)
{
  GError *error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_ptr_nonnull (proxy);
  ck_assert (sipservlet_proxy_set_record_route (proxy, TRUE, &error));
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipURI *uri = sipservlet_uri_parse (target, NULL);
  ck_assert (sipservlet_proxy_to (proxy, uri, &error));
  sipservlet_uri_unref (uri);
  g_free (target);
}

static void
setup_proxy (void)
{
  setup_with (4, 2);
  seen.proxy = TRUE;
}

START_TEST (test_proxy_422_below_min_se)
{
  caller_send ("INVITE", 1, "short", NULL, "Supported: timer\r\nSession-Expires: 1\r\n",
               CALLER_SDP);
  g_autoptr (FakeMessage) refused = peer_next_response (caller, 422);
  ck_assert_str_eq (fake_message_header (refused, "Min-SE"), "2");
  g_autoptr (FakeMessage) nothing = next_request_to (callee, "INVITE", 500);
  ck_assert_ptr_null (nothing);
}
END_TEST

/* A caller that supports timers, a callee that does not: the proxy asks
 * for its interval and raises Min-SE downstream, and puts the timer into
 * the 2xx for the caller to refresh. Then the proxy ends the call: a BYE
 * to each side, in sequence for each. */
START_TEST (test_proxy_session_timer_and_terminate)
{
  caller_send ("INVITE", 5, "inv", NULL, "Supported: timer\r\nMin-SE: 1\r\n", CALLER_SDP);
  g_autoptr (FakeMessage) invite = next_request_to (callee, "INVITE", PEER_WAIT_MS);
  ck_assert_msg (invite != NULL, "the INVITE was not proxied");
  ck_assert_str_eq (fake_message_header (invite, "Session-Expires"), "4");
  ck_assert_str_eq (fake_message_header (invite, "Min-SE"), "2");
  const char *rr = fake_message_header (invite, "Record-Route");
  ck_assert_ptr_nonnull (rr);
  g_autofree char *contact = contact_header (callee);
  g_autofree char *extra = g_strdup_printf ("%sRecord-Route: %s\r\n", contact, rr);
  char *ok = fake_peer_build_response (invite, 200, NULL, "bob-tag", extra);
  peer_send (callee, ok);
  g_free (ok);
  g_autoptr (FakeMessage) relayed = peer_next_response (caller, 200);
  ck_assert_str_eq (fake_message_header (relayed, "Session-Expires"), "4;refresher=uac");
  ck_assert_str_eq (fake_message_header (relayed, "Require"), "timer");
  fake_peer_run (caller, 200);

  ck_assert_ptr_nonnull (seen.session);
  ck_assert_int_eq (sipservlet_session_get_state (seen.session), SIPSERVLET_SESSION_STATE_CONFIRMED);
  ck_assert (sipservlet_session_terminate (seen.session, NULL));

  g_autoptr (FakeMessage) to_callee = next_request_to (callee, "BYE", PEER_WAIT_MS);
  ck_assert_msg (to_callee != NULL, "no BYE to the callee");
  g_autofree char *callee_ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u",
                                                  fake_peer_get_port (callee, FAKE_UDP));
  ck_assert_str_eq (to_callee->request_uri, callee_ruri);
  ck_assert_str_eq (fake_message_header (to_callee, "CSeq"), "6 BYE");
  g_autofree char *from_tag = fake_header_param (fake_message_header (to_callee, "From"), "tag");
  g_autofree char *to_tag = fake_header_param (fake_message_header (to_callee, "To"), "tag");
  ck_assert_str_eq (from_tag, "alice-tag");
  ck_assert_str_eq (to_tag, "bob-tag");

  g_autoptr (FakeMessage) to_caller = next_request_to (caller, "BYE", PEER_WAIT_MS);
  ck_assert_msg (to_caller != NULL, "no BYE to the caller");
  g_autofree char *caller_ruri = g_strdup_printf ("sip:alice@127.0.0.1:%u",
                                                  fake_peer_get_port (caller, FAKE_UDP));
  ck_assert_str_eq (to_caller->request_uri, caller_ruri);
  g_autofree char *from_tag2 = fake_header_param (fake_message_header (to_caller, "From"), "tag");
  g_autofree char *to_tag2 = fake_header_param (fake_message_header (to_caller, "To"), "tag");
  ck_assert_str_eq (from_tag2, "bob-tag");
  ck_assert_str_eq (to_tag2, "alice-tag");
  ck_assert_ptr_null (fake_message_header (to_caller, "Route"));

  answer (callee, to_callee, 200, NULL);
  answer (caller, to_caller, 200, NULL);
  ck_assert (fake_peer_run_until (caller, no_sessions, NULL, PEER_WAIT_MS));
  ck_assert_uint_eq (seen.byes, 0);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("session-timers");
  TCase *tc = tcase_create ("timers");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_uas_422_below_min_se);
  tcase_add_test (tc, test_uas_caller_refreshes_then_stops);
  tcase_add_test (tc, test_uas_refreshes_with_reinvite);
  tcase_add_test (tc, test_uas_refreshes_with_update);
  tcase_add_test (tc, test_uac_retries_422_and_refreshes);
  tcase_add_test (tc, test_uac_callback_retries_422);
  tcase_add_test (tc, test_uac_peer_stops_refreshing);
  tcase_add_test (tc, test_uac_no_timer_without_session_expires);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("terminate");
  tcase_set_timeout (tc, 90);
  tcase_add_checked_fixture (tc, setup_off, teardown);
  tcase_add_test (tc, test_terminate_uac_waits_for_provisional);
  tcase_add_test (tc, test_terminate_uac_2xx_wins_race);
  tcase_add_test (tc, test_terminate_uac_unacknowledged_2xx);
  tcase_add_test (tc, test_terminate_uas_early);
  tcase_add_test (tc, test_terminate_uas_waits_for_ack);
  tcase_add_test (tc, test_terminate_confirmed);
  tcase_add_test (tc, test_terminate_uas_ack_never_comes);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("proxy");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup_proxy, teardown);
  tcase_add_test (tc, test_proxy_422_below_min_se);
  tcase_add_test (tc, test_proxy_session_timer_and_terminate);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
