/* In-process proxy test: a record-routing proxy servlet between two fake
 * peers on loopback. Checks what RFC 3261 §16 and JSR 289 chapter 10 ask of
 * the forwarded messages: Max-Forwards, Via, Record-Route with the
 * servlet's parameters, the popped route on subsequent requests, stateless
 * ACK forwarding, loop prevention, and that sessions are released. */
#include <sipservlet/sipservlet.h>
#include <string.h>

#include "check-main.h"
#include "fake-peer.h"

#define WAIT_MS 3000

static SipContainer *container;
static guint16 port;
static FakePeer *caller;
static FakePeer *callee;
static char *popped_param;     /* the RR parameter seen on the BYE */
static guint byes;

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_msg (proxy != NULL, "get_proxy: %s", error ? error->message : "");
  ck_assert (sipservlet_proxy_set_record_route (proxy, TRUE, &error));
  SipURI *rr = sipservlet_proxy_get_record_route_uri (proxy, &error);
  ck_assert_ptr_nonnull (rr);
  ck_assert (sipservlet_uri_set_parameter (rr, "app", "42", &error));

  const char *target = user_data;
  SipURI *uri = sipservlet_uri_parse (target, &error);
  /* Reserved Record-Route parameters belong to the container. */
  ck_assert (sipservlet_uri_set_parameter (rr, "maddr", "192.0.2.1", &error));
  ck_assert (!sipservlet_proxy_to (proxy, uri, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  sipservlet_uri_remove_parameter (rr, "maddr");
  ck_assert (sipservlet_proxy_to (proxy, uri, &error));
  sipservlet_uri_unref (uri);
  /* Once started, the Record-Route can no longer be switched. */
  ck_assert (!sipservlet_proxy_set_record_route (proxy, FALSE, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
}

static void
on_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  const SipURI *popped = sipservlet_request_get_popped_route (request);
  byes++;
  g_free (popped_param);
  popped_param = popped ? g_strdup (sipservlet_uri_get_parameter (popped, "app")) : NULL;
  /* Not answered: the container forwards it along the route set. */
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_bye = on_bye,
};

static char *target_uri;

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  port = sipservlet_container_get_port (container, NULL);
  caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  byes = 0;
}

static void
add_proxy_servlet (const char *target)
{
  GError *error = NULL;
  g_free (target_uri);
  target_uri = g_strdup (target);
  SipServlet *servlet = sipservlet_servlet_new ("proxy", &handlers, target_uri, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
}

static void
teardown (void)
{
  fake_peer_free (caller);
  fake_peer_free (callee);
  sipservlet_container_unref (container);
  g_clear_pointer (&popped_param, g_free);
  g_clear_pointer (&target_uri, g_free);
}

static void
send_from (FakePeer *peer, const char *text)
{
  GError *error = NULL;
  ck_assert_msg (fake_peer_send (peer, FAKE_UDP, text, &error), "send: %s",
                 error ? error->message : "");
}

/* The next message other than 100 Trying. */
static FakeMessage *
next (FakePeer *peer)
{
  FakeMessage *m = fake_peer_wait_final_or_provisional (peer, WAIT_MS);
  ck_assert_msg (m != NULL, "nothing arrived");
  return m;
}

static char *
caller_request (const char *method, const char *ruri, guint cseq, const char *to_tag,
                const char *extra)
{
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=alice1\r\n"
                          "To: <sip:bob@example.com>%s%s\r\n"
                          "Call-ID: proxy-test-call\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "%s"
                          "Content-Length: 0\r\n\r\n",
                          method, ruri, fake_peer_get_port (caller, FAKE_UDP), method, cseq,
                          to_tag ? ";tag=" : "", to_tag ? to_tag : "", cseq,
                          strcmp (method, "ACK") == 0 ? "ACK" : method,
                          fake_peer_get_port (caller, FAKE_UDP), extra ? extra : "");
}

START_TEST (test_record_routed_call)
{
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);

  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  send_from (caller, invite);
  g_free (invite);

  /* What the callee receives. */
  FakeMessage *fwd = next (callee);
  ck_assert_msg (fwd->is_request && strcmp (fwd->method, "INVITE") == 0, "%s", fwd->raw);
  ck_assert_str_eq (fwd->request_uri, target);
  ck_assert_str_eq (fake_message_header (fwd, "Max-Forwards"), "69");
  ck_assert_uint_eq (fake_message_count_headers (fwd, "Via"), 2);
  const char *rr = fake_message_header (fwd, "Record-Route");
  ck_assert_msg (rr != NULL && strstr (rr, "app=42") != NULL && strstr (rr, ";lr") != NULL,
                 "Record-Route: %s", rr ? rr : "(none)");
  char *rr_value = g_strdup (rr);

  char *extra = g_strdup_printf ("Record-Route: %s\r\nContact: <sip:bob@127.0.0.1:%u>\r\n",
                                 rr_value, fake_peer_get_port (callee, FAKE_UDP));
  char *ok = fake_peer_build_response (fwd, 200, "OK", "bob1", extra);
  send_from (callee, ok);
  g_free (ok);
  g_free (extra);
  fake_message_free (fwd);

  FakeMessage *answer = next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 200, "%s", answer->raw);
  ck_assert_uint_eq (fake_message_count_headers (answer, "Via"), 1);
  ck_assert_ptr_nonnull (fake_message_header (answer, "Record-Route"));
  fake_message_free (answer);

  /* ACK and BYE follow the record-route. */
  char *route = g_strdup_printf ("Route: %s\r\n", rr_value);
  char *bob = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  char *ack = caller_request ("ACK", bob, 1, "bob1", route);
  send_from (caller, ack);
  g_free (ack);
  FakeMessage *ack_fwd = next (callee);
  ck_assert_msg (ack_fwd->is_request && strcmp (ack_fwd->method, "ACK") == 0, "%s", ack_fwd->raw);
  ck_assert_str_eq (fake_message_header (ack_fwd, "Max-Forwards"), "69");
  ck_assert_ptr_null (fake_message_header (ack_fwd, "Route"));
  fake_message_free (ack_fwd);

  char *bye = caller_request ("BYE", bob, 2, "bob1", route);
  send_from (caller, bye);
  g_free (bye);
  FakeMessage *bye_fwd = next (callee);
  ck_assert_msg (bye_fwd->is_request && strcmp (bye_fwd->method, "BYE") == 0, "%s", bye_fwd->raw);
  ck_assert_uint_eq (byes, 1);
  ck_assert_str_eq (popped_param, "42");
  char *bye_ok = fake_peer_build_response (bye_fwd, 200, "OK", NULL, NULL);
  send_from (callee, bye_ok);
  g_free (bye_ok);
  fake_message_free (bye_fwd);
  FakeMessage *bye_answer = next (caller);
  ck_assert_msg (!bye_answer->is_request && bye_answer->status == 200, "%s", bye_answer->raw);
  fake_message_free (bye_answer);

  fake_peer_run (caller, 200);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);
  g_free (route);
  g_free (bob);
  g_free (rr_value);
  g_free (target);
}
END_TEST

START_TEST (test_loop_to_self)
{
  /* Proxying to our own address must not send anything: 482. */
  char *self = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
  add_proxy_servlet (self);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  send_from (caller, invite);
  g_free (invite);
  FakeMessage *answer = next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 482, "%s", answer->raw);
  fake_message_free (answer);
  g_free (self);
}
END_TEST

START_TEST (test_503_becomes_500)
{
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  send_from (caller, invite);
  g_free (invite);
  FakeMessage *fwd = next (callee);
  char *busy = fake_peer_build_response (fwd, 503, "Service Unavailable", "bob1", NULL);
  send_from (callee, busy);
  g_free (busy);
  fake_message_free (fwd);
  /* A 503 from the only branch goes upstream as 500 (RFC 3261 §16.7). */
  FakeMessage *answer = next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 500, "%s", answer->raw);
  fake_message_free (answer);
  g_free (target);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("proxy-inprocess");
  TCase *tc = tcase_create ("proxy");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_record_routed_call);
  tcase_add_test (tc, test_loop_to_self);
  tcase_add_test (tc, test_503_becomes_500);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
