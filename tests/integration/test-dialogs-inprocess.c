/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process tests of dialog rules (issue 13, section 4): target refresh
 * by UPDATE and NOTIFY (RFC 3311, RFC 6665), a NOTIFY that creates the
 * subscriber's dialog before the SUBSCRIBE's 2xx (RFC 6665 §4.1.2.4),
 * Subscription-State: terminated ending a subscription usage but not an
 * INVITE dialog (RFC 5057), PRACK transaction counting, proxied sessions
 * that cannot send requests, responses kept past their proxy, and the 2xx
 * of another fork after the application session died (RFC 3261
 * §13.2.2.4).
 *
 * One container on 127.0.0.1 (UDP, port 0) and one fake peer (tests/
 * support/fake-peer.c) on the same GMainContext; the peer plays caller,
 * callee, notifier and every fork, and the checks are on the wire.
 */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "session/session-private.h"
#include "peer-checks.h"

#define SETTLE_MS 5000

static struct {
  GMainContext *context;
  SipContainer *container;
  SipServlet *servlet;
  FakePeer *peer;
  guint16 port;                 /* the container's */
  guint16 peer_port;
  guint sessions_created;
  guint seq;
  /* The servlet's side. */
  SipSession *session;          /* the session of the last initial request or sent request */
  SipServletRequest *sent;      /* a request the test sent */
  SipServletRequest *invite;    /* a received INVITE kept to answer later */
  gboolean proxy;               /* do_invite proxies to the peer */
  gboolean record_route;
  gboolean reliable_183;        /* do_invite sends 183 reliably and waits */
  gboolean invalidate_on_2xx;   /* the 2xx to our INVITE ends the application session */
  SipServletResponse *kept_1xx; /* proxied responses kept past their proxy */
  SipServletResponse *kept_2xx;
  GPtrArray *branches;          /* sipservlet_proxy_get_branches() kept from do_invite */
  guint notifies, updates, successes;
} fx;

/* ---- the servlet ---------------------------------------------------------- */

static void
respond (SipServletRequest *request, guint status)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_request_respond (request, status, NULL, &error), "respond: %s",
                 error ? error->message : "");
}

static void
do_invite (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  GError *error = NULL;
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (request));
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  fx.session = sipservlet_session_ref (session);
  if (fx.proxy)
    {
      SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
      ck_assert_msg (proxy != NULL, "%s", error ? error->message : "");
      ck_assert (sipservlet_proxy_set_record_route (proxy, fx.record_route, &error));
      g_autofree char *target = g_strdup_printf ("sip:callee@127.0.0.1:%u", fx.peer_port);
      g_autoptr (SipURI) uri = sipservlet_uri_parse (target, &error);
      ck_assert (sipservlet_proxy_to (proxy, uri, &error));
      if (fx.record_route)
        fx.branches = sipservlet_proxy_get_branches (proxy);
      return;
    }
  if (fx.reliable_183)
    {
      SipServletResponse *r183 = sipservlet_request_create_response (request, 183, NULL, &error);
      ck_assert_ptr_nonnull (r183);
      ck_assert_msg (sipservlet_response_send_reliably (r183, &error), "%s",
                     error ? error->message : "");
      sipservlet_response_unref (r183);
      sipservlet_request_defer (request);
      fx.invite = sipservlet_request_ref (request);
      return;
    }
  respond (request, 200);
}

static void
do_update (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  fx.updates++;
  respond (request, 200);
}

static void
do_notify (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  fx.notifies++;
  respond (request, 200);
}

static void
do_bye (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  respond (request, 200);
}

static void
do_ack (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
}

static void
do_provisional (SipServlet *servlet, SipServletResponse *response, gpointer data)
{
  if (fx.proxy && sipservlet_response_get_status (response) == 180)
    {
      g_clear_pointer (&fx.kept_1xx, sipservlet_response_unref);
      fx.kept_1xx = sipservlet_response_ref (response);
    }
}

static void
do_success (SipServlet *servlet, SipServletResponse *response, gpointer data)
{
  GError *error = NULL;
  fx.successes++;
  if (fx.proxy)
    {
      g_clear_pointer (&fx.kept_2xx, sipservlet_response_unref);
      fx.kept_2xx = sipservlet_response_ref (response);
      return;
    }
  SipServletMessage *m = SIPSERVLET_MESSAGE (response);
  if (strcmp (sipservlet_message_get_method (m), "INVITE") != 0)
    return;
  SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert (sipservlet_request_send (ack, &error));
  sipservlet_request_unref (ack);
  if (fx.invalidate_on_2xx)
    ck_assert (sipservlet_application_session_invalidate (
        sipservlet_message_get_application_session (m), &error));
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = do_invite,
  .do_update = do_update,
  .do_notify = do_notify,
  .do_bye = do_bye,
  .do_ack = do_ack,
  .do_provisional_response = do_provisional,
  .do_success_response = do_success,
};

static void
on_session_created (SipSession *session, gpointer data)
{
  fx.sessions_created++;
}

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .session_created = on_session_created,
};

/* ---- fixture -------------------------------------------------------------- */

static void
setup (void)
{
  GError *error = NULL;
  memset (&fx, 0, sizeof fx);
  fx.context = g_main_context_new ();
  g_main_context_push_thread_default (fx.context);
  fx.container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (fx.container);
  ck_assert (sipservlet_container_add_listeners (fx.container, &listeners, NULL, NULL));
  ck_assert (sipservlet_container_listen (fx.container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  fx.port = sipservlet_container_get_port (fx.container, NULL);
  fx.servlet = sipservlet_servlet_new ("dialogs", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (fx.container, fx.servlet, NULL, &error));
  fx.peer = fake_peer_new (fx.context, "127.0.0.1", fx.port, &error);
  ck_assert_ptr_nonnull (fx.peer);
  fx.peer_port = fake_peer_get_port (fx.peer, FAKE_UDP);
}

static void
teardown (void)
{
  g_clear_pointer (&fx.kept_1xx, sipservlet_response_unref);
  g_clear_pointer (&fx.kept_2xx, sipservlet_response_unref);
  g_clear_pointer (&fx.branches, g_ptr_array_unref);
  g_clear_pointer (&fx.invite, sipservlet_request_unref);
  g_clear_pointer (&fx.sent, sipservlet_request_unref);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  g_clear_pointer (&fx.servlet, sipservlet_servlet_unref);
  sipservlet_container_unref (fx.container);
  fake_peer_free (fx.peer);
  while (g_main_context_iteration (fx.context, FALSE))
    ;
  g_main_context_pop_thread_default (fx.context);
  g_main_context_unref (fx.context);
}

/* ---- helpers -------------------------------------------------------------- */

static gboolean
no_sessions (gpointer data)
{
  return sipservlet_container_get_session_count (fx.container) == 0
         && sipservlet_container_get_application_session_count (fx.container) == 0;
}

static void
expect_sessions_settle (void)
{
  ck_assert_msg (fake_peer_run_until (fx.peer, no_sessions, NULL, SETTLE_MS),
                 "sessions not released: %u sessions",
                 sipservlet_container_get_session_count (fx.container));
}

static void
assert_nothing_arrives (guint ms)
{
  FakeMessage *m = fake_peer_wait (fx.peer, ms);
  ck_assert_msg (m == NULL, "unexpected:\n%s", m ? m->raw : "");
}

/* The peer's side of one dialog, as the peer sees it. */
typedef struct {
  char *call_id;
  char *local;        /* the peer's From or To (with its tag) */
  char *remote;       /* the container's */
  char *target;       /* the container's Contact URI */
  guint32 cseq;
} PeerDialog;

static void
peer_dialog_clear (PeerDialog *d)
{
  g_free (d->call_id);
  g_free (d->local);
  g_free (d->remote);
  g_free (d->target);
}

/* A request of the peer within @d. */
static char *
peer_request (PeerDialog *d, const char *method, const char *extra)
{
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-dlg-%u-%08x;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: %s\r\n"
                          "To: %s\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: %u %s\r\n"
                          "%s"
                          "Content-Length: 0\r\n\r\n",
                          method, d->target, fx.peer_port, ++fx.seq, g_random_int (), d->local,
                          d->remote, d->call_id, ++d->cseq, method, extra ? extra : "");
}

/* The container called the peer (@request received): the peer's view of
 * that dialog, with @tag as the peer's tag. */
static void
peer_dialog_from_request (PeerDialog *d, const FakeMessage *request, const char *tag)
{
  memset (d, 0, sizeof *d);
  d->call_id = g_strdup (fake_message_header (request, "Call-ID"));
  d->local = g_strdup_printf ("%s;tag=%s", fake_message_header (request, "To"), tag);
  d->remote = g_strdup (fake_message_header (request, "From"));
  d->target = fake_header_uri (fake_message_header (request, "Contact"));
  d->cseq = 100;
}

static void
peer_answer (const FakeMessage *request, guint status, const char *tag, const char *contact_user,
             const char *extra)
{
  g_autofree char *headers
      = g_strdup_printf ("Contact: <sip:%s@127.0.0.1:%u>\r\n%s", contact_user, fx.peer_port,
                         extra ? extra : "");
  g_autofree char *text = fake_peer_build_response (request, status, NULL, tag, headers);
  peer_send (fx.peer, text);
}

static void
peer_send_and_expect (char *text, guint status, const char *method)
{
  peer_send (fx.peer, text);
  g_free (text);
  fake_message_free (peer_next_response_to (fx.peer, status, method));
}

/* The container sends @method to the peer in a new application session. */
static SipServletRequest *
send_from_container (const char *method, const char *extra_name, const char *extra_value)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (fx.container);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:uac@127.0.0.1>", &error);
  g_autofree char *to_text = g_strdup_printf ("<sip:peer@127.0.0.1:%u>", fx.peer_port);
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, &error);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, method, from, to,
                                                                  &error);
  ck_assert_ptr_nonnull (request);
  if (extra_name != NULL)
    ck_assert (sipservlet_message_set_header (SIPSERVLET_MESSAGE (request), extra_name,
                                              extra_value, &error));
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (request));
  sipservlet_session_set_handler (session, fx.servlet);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  fx.session = sipservlet_session_ref (session);
  ck_assert_msg (sipservlet_request_send (request, &error), "%s", error ? error->message : "");
  return request;
}

/* The container sends @method in fx.session; the peer receives it. */
static FakeMessage *
send_in_session (const char *method)
{
  GError *error = NULL;
  g_autoptr (SipServletRequest) request = sipservlet_session_create_request (fx.session, method,
                                                                             &error);
  ck_assert_msg (request != NULL, "%s", error ? error->message : "");
  ck_assert_msg (sipservlet_request_send (request, &error), "%s", error ? error->message : "");
  return peer_next_request (fx.peer, method);
}

/* The peer calls the container: INVITE, 200, ACK. */
static void
peer_calls_in (PeerDialog *d)
{
  memset (d, 0, sizeof *d);
  d->call_id = g_strdup_printf ("dlg-%u-%08x@127.0.0.1", ++fx.seq, g_random_int ());
  d->local = g_strdup_printf ("<sip:peer@127.0.0.1:%u>;tag=p%u", fx.peer_port, fx.seq);
  d->remote = g_strdup_printf ("<sip:uas@127.0.0.1:%u>", fx.port);
  d->target = g_strdup_printf ("sip:uas@127.0.0.1:%u", fx.port);
  g_autofree char *contact = g_strdup_printf ("Contact: <sip:peer@127.0.0.1:%u>\r\n",
                                              fx.peer_port);
  g_autofree char *invite = peer_request (d, "INVITE", contact);
  peer_send (fx.peer, invite);
  FakeMessage *ok = peer_next_response_to (fx.peer, 200, "INVITE");
  g_free (d->remote);
  d->remote = g_strdup (fake_message_header (ok, "To"));
  g_free (d->target);
  d->target = fake_header_uri (fake_message_header (ok, "Contact"));
  fake_message_free (ok);
  guint32 cseq = d->cseq--;
  g_autofree char *ack = peer_request (d, "ACK", NULL);
  d->cseq = cseq;
  peer_send (fx.peer, ack);
  fake_peer_run (fx.peer, 50);
}

/* ---- A: UPDATE and NOTIFY are target refresh requests --------------------- */

static const char *const refreshers[] = { "UPDATE", "NOTIFY" };

/* RFC 3311 §5.2, RFC 6665 §4.1.2.4 (RFC 3261 §12.2.2): the Contact of an
 * UPDATE or NOTIFY received in a dialog replaces its remote target. */
START_TEST (test_received_refresh_moves_target)
{
  PeerDialog d;
  peer_calls_in (&d);
  ck_assert_ptr_nonnull (fx.session);
  g_autofree char *extra
      = g_strdup_printf ("Contact: <sip:moved@127.0.0.1:%u>\r\n"
                         "Event: dialog\r\nSubscription-State: active;expires=60\r\n",
                         fx.peer_port);
  peer_send_and_expect (peer_request (&d, refreshers[_i], extra), 200, refreshers[_i]);

  FakeMessage *bye = send_in_session ("BYE");
  g_autofree char *expected = g_strdup_printf ("sip:moved@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (bye->request_uri, expected);
  peer_answer (bye, 200, NULL, "moved", NULL);
  fake_message_free (bye);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
  peer_dialog_clear (&d);
}
END_TEST

/* RFC 3311 §5.1: the Contact of a 2xx to our UPDATE replaces the target. */
START_TEST (test_update_2xx_moves_target)
{
  fx.sent = send_from_container ("INVITE", NULL, NULL);
  FakeMessage *invite = peer_next_request (fx.peer, "INVITE");
  peer_answer (invite, 200, "b1", "first", NULL);
  fake_message_free (invite);
  fake_message_free (peer_next_request (fx.peer, "ACK"));

  FakeMessage *update = send_in_session ("UPDATE");
  g_autofree char *first = g_strdup_printf ("sip:first@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (update->request_uri, first);
  peer_answer (update, 200, NULL, "second", NULL);
  fake_message_free (update);
  fake_peer_run (fx.peer, 100);

  FakeMessage *bye = send_in_session ("BYE");
  g_autofree char *second = g_strdup_printf ("sip:second@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (bye->request_uri, second);
  peer_answer (bye, 200, NULL, "second", NULL);
  fake_message_free (bye);
  g_clear_pointer (&fx.sent, sipservlet_request_unref);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
}
END_TEST

/* ---- B and C: subscriptions ------------------------------------------------- */

/* RFC 6665 §4.1.2.4: a NOTIFY may overtake the SUBSCRIBE's 2xx (or come
 * from a fork whose 2xx never reaches us); it creates the dialog: remote
 * tag from its From, route set from its Record-Route in order, remote
 * target from its Contact. Then (C) Subscription-State: terminated ends
 * the only usage, so the dialog and its session end. */
START_TEST (test_notify_creates_subscription_dialog)
{
  fx.sent = send_from_container ("SUBSCRIBE", "Event", "presence");
  FakeMessage *subscribe = peer_next_request (fx.peer, "SUBSCRIBE");
  PeerDialog d;
  peer_dialog_from_request (&d, subscribe, "n1");
  g_autofree char *extra = g_strdup_printf (
      "Contact: <sip:notifier@127.0.0.1:%u>\r\n"
      "Record-Route: <sip:127.0.0.1:%u;lr>, <sip:p2.invalid;lr>\r\n"
      "Event: presence\r\nSubscription-State: active;expires=60\r\n",
      fx.peer_port, fx.peer_port);
  peer_send_and_expect (peer_request (&d, "NOTIFY", extra), 200, "NOTIFY");
  ck_assert_uint_eq (fx.notifies, 1);
  ck_assert_int_eq (sipservlet_session_get_state (fx.session), SIPSERVLET_SESSION_STATE_CONFIRMED);

  /* The 2xx comes after: same dialog, nothing changes. */
  peer_answer (subscribe, 200, "n1", "notifier", "Expires: 60\r\n");
  fake_message_free (subscribe);
  fake_peer_run (fx.peer, 100);
  ck_assert_uint_eq (fx.successes, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 1);

  /* A refresh goes to the NOTIFY's Contact along its Record-Route. */
  FakeMessage *refresh = send_in_session ("SUBSCRIBE");
  g_autofree char *target = g_strdup_printf ("sip:notifier@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (refresh->request_uri, target);
  g_auto (GStrv) routes = fake_message_header_elements (refresh, "Route");
  ck_assert_uint_eq (g_strv_length (routes), 2);
  g_autofree char *first = g_strdup_printf ("<sip:127.0.0.1:%u;lr>", fx.peer_port);
  ck_assert_str_eq (routes[0], first);
  ck_assert_str_eq (routes[1], "<sip:p2.invalid;lr>");
  g_autofree char *to_tag = fake_header_param (fake_message_header (refresh, "To"), "tag");
  ck_assert_str_eq (to_tag, "n1");
  peer_answer (refresh, 200, NULL, "notifier", "Expires: 60\r\n");
  fake_message_free (refresh);
  fake_peer_run (fx.peer, 100);

  /* C: the subscription ends, and the dialog with it. */
  peer_send_and_expect (peer_request (&d, "NOTIFY",
                                      "Event: presence\r\n"
                                      "Subscription-State: terminated;reason=timeout\r\n"),
                        200, "NOTIFY");
  ck_assert_int_eq (sipservlet_session_get_state (fx.session), SIPSERVLET_SESSION_STATE_TERMINATED);
  g_clear_pointer (&fx.sent, sipservlet_request_unref);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
  peer_dialog_clear (&d);
}
END_TEST

/* C, RFC 5057 §5.2: a dialog shared by an INVITE usage and a
 * subscription stays up when the subscription ends. */
START_TEST (test_terminated_notify_keeps_invite_dialog)
{
  PeerDialog d;
  peer_calls_in (&d);
  peer_send_and_expect (peer_request (&d, "NOTIFY",
                                      "Event: refer\r\nSubscription-State: active\r\n"
                                      "Content-Type: message/sipfrag\r\n"),
                        200, "NOTIFY");
  peer_send_and_expect (peer_request (&d, "NOTIFY",
                                      "Event: refer\r\n"
                                      "Subscription-State: terminated;reason=noresource\r\n"),
                        200, "NOTIFY");
  fake_peer_run (fx.peer, 100);
  ck_assert_int_eq (sipservlet_session_get_state (fx.session), SIPSERVLET_SESSION_STATE_CONFIRMED);
  ck_assert (sipservlet_session_is_valid (fx.session));
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 1);

  /* The call goes on until its BYE. */
  peer_send_and_expect (peer_request (&d, "BYE", NULL), 200, "BYE");
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
  peer_dialog_clear (&d);
}
END_TEST

/* ---- D: a PRACK is one transaction ----------------------------------------- */

START_TEST (test_prack_counts_once)
{
  fx.reliable_183 = TRUE;
  PeerDialog d;
  memset (&d, 0, sizeof d);
  d.call_id = g_strdup_printf ("prack-%08x@127.0.0.1", g_random_int ());
  d.local = g_strdup_printf ("<sip:peer@127.0.0.1:%u>;tag=pr1", fx.peer_port);
  d.remote = g_strdup_printf ("<sip:uas@127.0.0.1:%u>", fx.port);
  d.target = g_strdup_printf ("sip:uas@127.0.0.1:%u", fx.port);
  g_autofree char *contact
      = g_strdup_printf ("Contact: <sip:peer@127.0.0.1:%u>\r\nSupported: 100rel\r\n", fx.peer_port);
  g_autofree char *invite_text = peer_request (&d, "INVITE", contact);
  peer_send (fx.peer, invite_text);
  FakeMessage *r183 = peer_next_response_to (fx.peer, 183, "INVITE");
  const char *rseq = fake_message_header (r183, "RSeq");
  ck_assert_ptr_nonnull (rseq);
  g_free (d.remote);
  d.remote = g_strdup (fake_message_header (r183, "To"));
  g_free (d.target);
  d.target = fake_header_uri (fake_message_header (r183, "Contact"));
  g_autofree char *rack = g_strdup_printf ("RAck: %s %u INVITE\r\n", rseq, d.cseq);
  fake_message_free (r183);
  ck_assert_uint_eq (fx.session->active_transactions, 1);     /* the INVITE */

  peer_send_and_expect (peer_request (&d, "PRACK", rack), 200, "PRACK");
  /* The PRACK came and went; the INVITE is still pending. */
  ck_assert_uint_eq (fx.session->active_transactions, 1);

  respond (fx.invite, 486);
  g_clear_pointer (&fx.invite, sipservlet_request_unref);
  FakeMessage *busy = peer_next_response_to (fx.peer, 486, "INVITE");
  fake_message_free (busy);
  ck_assert_uint_eq (fx.session->active_transactions, 0);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
  peer_dialog_clear (&d);
}
END_TEST

/* ---- E, F: proxied sessions and responses ---------------------------------- */

/* The peer calls the container, which proxies to the peer (as callee):
 * 180 and 200 come back and are relayed. */
static void
proxied_call (void)
{
  PeerDialog d;
  memset (&d, 0, sizeof d);
  d.call_id = g_strdup_printf ("proxied-%08x@127.0.0.1", g_random_int ());
  d.local = g_strdup_printf ("<sip:peer@127.0.0.1:%u>;tag=c1", fx.peer_port);
  d.remote = g_strdup_printf ("<sip:callee@127.0.0.1:%u>", fx.port);
  d.target = g_strdup_printf ("sip:callee@127.0.0.1:%u", fx.port);
  g_autofree char *contact = g_strdup_printf ("Contact: <sip:peer@127.0.0.1:%u>\r\n",
                                              fx.peer_port);
  g_autofree char *invite_text = peer_request (&d, "INVITE", contact);
  peer_send (fx.peer, invite_text);
  FakeMessage *forwarded = peer_next_request (fx.peer, "INVITE");
  peer_answer (forwarded, 180, "callee1", "callee", NULL);
  fake_message_free (peer_next_response_to (fx.peer, 180, "INVITE"));
  peer_answer (forwarded, 200, "callee1", "callee", NULL);
  fake_message_free (forwarded);
  fake_message_free (peer_next_response_to (fx.peer, 200, "INVITE"));
  peer_dialog_clear (&d);
}

START_TEST (test_proxied_session_creates_no_request)
{
  fx.proxy = TRUE;
  fx.record_route = TRUE;
  proxied_call ();
  /* The session of the proxied dialog: the confirmed one. */
  g_autoptr (GPtrArray) sessions = sipservlet_application_session_get_sessions (
      sipservlet_session_get_application_session (fx.session));
  SipSession *session = NULL;
  for (guint i = 0; i < sessions->len; i++)
    if (sipservlet_session_get_state (sessions->pdata[i]) == SIPSERVLET_SESSION_STATE_CONFIRMED)
      session = sessions->pdata[i];
  ck_assert_ptr_nonnull (session);
  ck_assert (sipservlet_session_is_valid (session));
  GError *error = NULL;
  SipServletRequest *request = sipservlet_session_create_request (session, "INFO", &error);
  ck_assert_ptr_null (request);
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);

  /* G: the branches array kept from do_invite holds its branches (and so
   * the proxy) past the end of every session. Run under valgrind. */
  ck_assert (sipservlet_application_session_invalidate (
      sipservlet_session_get_application_session (fx.session), &error));
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  g_clear_pointer (&sessions, g_ptr_array_unref);
  g_clear_pointer (&fx.kept_1xx, sipservlet_response_unref);
  g_clear_pointer (&fx.kept_2xx, sipservlet_response_unref);
  expect_sessions_settle ();
  fake_peer_run (fx.peer, 100);
  ck_assert_uint_eq (fx.branches->len, 1);
  g_autofree char *uri = sipservlet_uri_to_string (
      sipservlet_proxy_branch_get_uri (fx.branches->pdata[0]));
  g_autofree char *expected = g_strdup_printf ("sip:callee@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (uri, expected);
  ck_assert_uint_eq (sipservlet_response_get_status (
      sipservlet_proxy_branch_get_response (fx.branches->pdata[0])), 200);
  g_clear_pointer (&fx.branches, g_ptr_array_unref);
}
END_TEST

/* A response the servlet keeps after its proxy is gone: its branch is
 * either still reachable (a provisional the branch had let go of keeps
 * the proxy alive) or reported gone, never a dangling pointer. Run under
 * valgrind. */
START_TEST (test_kept_response_outlives_proxy)
{
  fx.proxy = TRUE;
  fx.record_route = FALSE;
  proxied_call ();
  ck_assert_ptr_nonnull (fx.kept_1xx);
  ck_assert_ptr_nonnull (fx.kept_2xx);
  /* The call is over for the servlet: its sessions, and with them the
   * request the proxy belongs to, go. */
  GError *error = NULL;
  SipApplicationSession *app = sipservlet_session_get_application_session (fx.session);
  if (sipservlet_application_session_is_valid (app))
    ck_assert (sipservlet_application_session_invalidate (app, &error));
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  expect_sessions_settle ();
  fake_peer_run (fx.peer, 100);

  SipProxyBranch *branch = sipservlet_response_get_proxy_branch (fx.kept_1xx);
  ck_assert_ptr_nonnull (branch);
  g_autofree char *uri = sipservlet_uri_to_string (sipservlet_proxy_branch_get_uri (branch));
  g_autofree char *expected = g_strdup_printf ("sip:callee@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (uri, expected);
  ck_assert_ptr_eq (sipservlet_proxy_branch_get_response (branch), fx.kept_2xx);
  g_clear_pointer (&fx.kept_1xx, sipservlet_response_unref);
  /* The proxy went with the last provisional: the final response it
   * owned no longer names a branch. */
  ck_assert_ptr_null (sipservlet_response_get_proxy_branch (fx.kept_2xx));
  ck_assert_uint_eq (sipservlet_response_get_status (fx.kept_2xx), 200);
}
END_TEST

/* ---- H: another fork's 2xx after the application session died -------------- */

/* RFC 3261 §13.2.2.4: a UAC that does not want the dialog of another
 * fork's 2xx acknowledges it, then ends it with BYE. With _i 1 the test
 * keeps its INVITE (its transaction still lives); with 0 it does not. */
START_TEST (test_fork_2xx_after_application_session_died)
{
  fx.invalidate_on_2xx = TRUE;
  fx.sent = send_from_container ("INVITE", NULL, NULL);
  FakeMessage *invite = peer_next_request (fx.peer, "INVITE");
  peer_answer (invite, 200, "fork1", "fork1", NULL);
  FakeMessage *ack1 = peer_next_request (fx.peer, "ACK");
  fake_message_free (ack1);
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  if (_i == 0)
    g_clear_pointer (&fx.sent, sipservlet_request_unref);
  expect_sessions_settle ();
  guint created = fx.sessions_created;

  peer_answer (invite, 200, "fork2", "fork2", NULL);
  FakeMessage *ack = peer_next_request (fx.peer, "ACK");
  g_autofree char *ack_tag = fake_header_param (fake_message_header (ack, "To"), "tag");
  ck_assert_str_eq (ack_tag, "fork2");
  g_autofree char *fork2 = g_strdup_printf ("sip:fork2@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (ack->request_uri, fork2);
  ck_assert_str_eq (fake_message_header (ack, "Call-ID"), fake_message_header (invite, "Call-ID"));
  fake_message_free (ack);
  FakeMessage *bye = peer_next_request (fx.peer, "BYE");
  g_autofree char *bye_tag = fake_header_param (fake_message_header (bye, "To"), "tag");
  ck_assert_str_eq (bye_tag, "fork2");
  ck_assert_str_eq (bye->request_uri, fork2);
  ck_assert_str_eq (fake_message_header (bye, "Call-ID"), fake_message_header (invite, "Call-ID"));
  g_autofree char *ok = fake_peer_build_response (bye, 200, "OK", NULL, NULL);
  peer_send (fx.peer, ok);
  fake_message_free (bye);

  /* The 2xx retransmitted: acknowledged again, no second BYE. */
  peer_answer (invite, 200, "fork2", "fork2", NULL);
  fake_message_free (invite);
  FakeMessage *again = peer_next_request (fx.peer, "ACK");
  fake_message_free (again);
  assert_nothing_arrives (300);

  ck_assert_uint_eq (fx.sessions_created, created);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 0);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (fx.container), 0);
  g_clear_pointer (&fx.sent, sipservlet_request_unref);
}
END_TEST

/* The same for the first 2xx, when the application session died while
 * the INVITE was pending: no session takes the dialog, so it is
 * acknowledged and ended. */
START_TEST (test_2xx_after_application_session_died)
{
  GError *error = NULL;
  fx.sent = send_from_container ("INVITE", NULL, NULL);
  FakeMessage *invite = peer_next_request (fx.peer, "INVITE");
  ck_assert (sipservlet_application_session_invalidate (
      sipservlet_session_get_application_session (fx.session), &error));
  g_clear_pointer (&fx.session, sipservlet_session_unref);
  if (_i == 0)
    g_clear_pointer (&fx.sent, sipservlet_request_unref);
  guint created = fx.sessions_created;

  peer_answer (invite, 200, "late", "late", NULL);
  fake_message_free (invite);
  FakeMessage *ack = peer_next_request (fx.peer, "ACK");
  g_autofree char *late = g_strdup_printf ("sip:late@127.0.0.1:%u", fx.peer_port);
  ck_assert_str_eq (ack->request_uri, late);
  fake_message_free (ack);
  FakeMessage *bye = peer_next_request (fx.peer, "BYE");
  g_autofree char *tag = fake_header_param (fake_message_header (bye, "To"), "tag");
  ck_assert_str_eq (tag, "late");
  g_autofree char *ok = fake_peer_build_response (bye, 200, "OK", NULL, NULL);
  peer_send (fx.peer, ok);
  fake_message_free (bye);
  assert_nothing_arrives (300);
  ck_assert_uint_eq (fx.successes, 0);
  ck_assert_uint_eq (fx.sessions_created, created);
  expect_sessions_settle ();
  g_clear_pointer (&fx.sent, sipservlet_request_unref);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("dialogs");
  TCase *tc = tcase_create ("dialogs");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_loop_test (tc, test_received_refresh_moves_target, 0, G_N_ELEMENTS (refreshers));
  tcase_add_test (tc, test_update_2xx_moves_target);
  tcase_add_test (tc, test_notify_creates_subscription_dialog);
  tcase_add_test (tc, test_terminated_notify_keeps_invite_dialog);
  tcase_add_test (tc, test_prack_counts_once);
  tcase_add_test (tc, test_proxied_session_creates_no_request);
  tcase_add_test (tc, test_kept_response_outlives_proxy);
  tcase_add_loop_test (tc, test_fork_2xx_after_application_session_died, 0, 2);
  tcase_add_loop_test (tc, test_2xx_after_application_session_died, 0, 2);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
