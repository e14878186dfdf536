/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process proxy test: a record-routing proxy servlet between two fake
 * peers on loopback. Checks what RFC 3261 §16 and JSR 289 chapter 10 ask of
 * the forwarded messages: Max-Forwards, Via, Record-Route with the
 * servlet's parameters, the popped route on subsequent requests, stateless
 * ACK forwarding, loop prevention, and that sessions are released. */
#include <sipservlet/sipservlet.h>

#include <gio/gio.h>
#include <string.h>

#include "check-main.h"
#include "peer-checks.h"


static SipContainer *container;
static guint16 port;
static FakePeer *caller;
static FakePeer *callee;
static FakePeer *callee2;
static char *popped_param;     /* the RR parameter seen on the BYE */
static guint byes;

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  if (strcmp (user_data, "404") == 0)
    {
      /* The servlet answers itself. */
      SipServletResponse *nf = sipservlet_request_create_response (request, 404, NULL, &error);
      ck_assert (nf != NULL && sipservlet_response_send (nf, &error));
      sipservlet_response_unref (nf);
      return;
    }
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_msg (proxy != NULL, "get_proxy: %s", error ? error->message : "");
  ck_assert (sipservlet_proxy_set_record_route (proxy, TRUE, &error));
  SipURI *rr = sipservlet_proxy_get_record_route_uri (proxy, &error);
  ck_assert_ptr_nonnull (rr);
  ck_assert (sipservlet_uri_set_parameter (rr, "app", "42", &error));

  /* user_data: the targets, separated by spaces; the first is tried
   * alone (to check the reserved parameters), the others with it. */
  char **targets = g_strsplit (user_data, " ", -1);
  SipURI *uri = sipservlet_uri_parse (targets[0], &error);
  ck_assert_msg (uri != NULL, "target %s: %s", targets[0], error ? error->message : "");
  /* Reserved Record-Route parameters belong to the container. */
  ck_assert (sipservlet_uri_set_parameter (rr, "maddr", "192.0.2.1", &error));
  ck_assert (!sipservlet_proxy_to (proxy, uri, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  sipservlet_uri_remove_parameter (rr, "maddr");
  GPtrArray *uris = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_uri_unref);
  g_ptr_array_add (uris, uri);
  for (guint i = 1; targets[i] != NULL; i++)
    g_ptr_array_add (uris, sipservlet_uri_parse (targets[i], NULL));
  ck_assert (sipservlet_proxy_to_list (proxy, (const SipURI *const *) uris->pdata, uris->len,
                                       &error));
  g_ptr_array_unref (uris);
  g_strfreev (targets);
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

/* REGISTER is proxied to the first target with a Path of ours. */
static void
on_register (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_msg (proxy != NULL, "get_proxy: %s", error ? error->message : "");
  ck_assert (sipservlet_proxy_set_add_to_path (proxy, TRUE, &error));
  char **targets = g_strsplit (user_data, " ", -1);
  SipURI *uri = sipservlet_uri_parse (targets[0], &error);
  ck_assert (uri != NULL && sipservlet_proxy_to (proxy, uri, &error));
  sipservlet_uri_unref (uri);
  g_strfreev (targets);
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_register = on_register,
  .do_bye = on_bye,
};

static char *target_uri;

/* A servlet that takes the proxy and holds its request, starting nothing:
 * the test drives the proxy itself afterwards. */
static SipServletRequest *held;

static void
on_invite_hold (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  ck_assert_ptr_nonnull (sipservlet_request_get_proxy (request, &error));
  held = sipservlet_request_ref (request);
}

static const SipServletHandlers hold_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite_hold,
};

/* A servlet that defers its INVITE (a lookup first) without a proxy yet. */
static void
on_invite_defer (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  sipservlet_request_defer (request);
  held = sipservlet_request_ref (request);
}

static const SipServletHandlers defer_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite_defer,
};

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
  callee2 = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL && callee2 != NULL);
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
  fake_peer_free (callee2);
  /* Messages go before their container (sipservlet_container_unref()). */
  g_clear_pointer (&held, sipservlet_request_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
  g_clear_pointer (&popped_param, g_free);
  g_clear_pointer (&target_uri, g_free);
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

/* The proxy servlet sends the caller's INVITE to the callee alone;
 * returns it as the callee received it, and its text in *invite_text
 * when asked. */
static FakeMessage *
invite_callee (char **invite_text)
{
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  g_free (target);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  if (invite_text != NULL)
    *invite_text = invite;
  else
    g_free (invite);
  return peer_next (callee);
}

/* The callee rings: its 180 reaches the caller. */
static void
ring (const FakeMessage *fwd)
{
  char *ringing = fake_peer_build_response (fwd, 180, "Ringing", "bob1", NULL);
  peer_send (callee, ringing);
  g_free (ringing);
  fake_message_free (peer_next_response (caller, 180));
}

/* A callee receives the proxy's CANCEL with the given Reason, answers it
 * and its INVITE (fwd, with its To tag) with 487. */
static void
callee_cancelled (FakePeer *peer, const FakeMessage *fwd, const char *to_tag,
                  const char *expected_reason)
{
  FakeMessage *down = peer_next_request (peer, "CANCEL");
  const char *reason = fake_message_header (down, "Reason");
  ck_assert_str_eq (reason ? reason : "(none)", expected_reason);
  char *cancel_ok = fake_peer_build_response (down, 200, "OK", NULL, NULL);
  peer_send (peer, cancel_ok);
  g_free (cancel_ok);
  char *terminated = fake_peer_build_response (fwd, 487, "Request Terminated", to_tag, NULL);
  peer_send (peer, terminated);
  g_free (terminated);
  fake_message_free (down);
}

START_TEST (test_record_routed_call)
{
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);

  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  g_free (invite);

  /* What the callee receives. */
  FakeMessage *fwd = peer_next (callee);
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
  peer_send (callee, ok);
  g_free (ok);
  g_free (extra);
  fake_message_free (fwd);

  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 200, "%s", answer->raw);
  ck_assert_uint_eq (fake_message_count_headers (answer, "Via"), 1);
  ck_assert_ptr_nonnull (fake_message_header (answer, "Record-Route"));
  fake_message_free (answer);

  /* ACK and BYE follow the record-route. */
  char *route = g_strdup_printf ("Route: %s\r\n", rr_value);
  char *bob = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  char *ack = caller_request ("ACK", bob, 1, "bob1", route);
  peer_send (caller, ack);
  g_free (ack);
  FakeMessage *ack_fwd = peer_next (callee);
  ck_assert_msg (ack_fwd->is_request && strcmp (ack_fwd->method, "ACK") == 0, "%s", ack_fwd->raw);
  ck_assert_str_eq (fake_message_header (ack_fwd, "Max-Forwards"), "69");
  ck_assert_ptr_null (fake_message_header (ack_fwd, "Route"));
  fake_message_free (ack_fwd);

  char *bye = caller_request ("BYE", bob, 2, "bob1", route);
  peer_send (caller, bye);
  g_free (bye);
  FakeMessage *bye_fwd = peer_next (callee);
  ck_assert_msg (bye_fwd->is_request && strcmp (bye_fwd->method, "BYE") == 0, "%s", bye_fwd->raw);
  ck_assert_uint_eq (byes, 1);
  ck_assert_str_eq (popped_param, "42");
  char *bye_ok = fake_peer_build_response (bye_fwd, 200, "OK", NULL, NULL);
  peer_send (callee, bye_ok);
  g_free (bye_ok);
  fake_message_free (bye_fwd);
  FakeMessage *bye_answer = peer_next (caller);
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
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 482, "%s", answer->raw);
  fake_message_free (answer);
  g_free (self);
}
END_TEST

START_TEST (test_503_becomes_500)
{
  FakeMessage *fwd = invite_callee (NULL);
  char *busy = fake_peer_build_response (fwd, 503, "Service Unavailable", "bob1", NULL);
  peer_send (callee, busy);
  g_free (busy);
  fake_message_free (fwd);
  /* A 503 from the only branch goes upstream as 500 (RFC 3261 §16.7). */
  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (!answer->is_request && answer->status == 500, "%s", answer->raw);
  fake_message_free (answer);
}
END_TEST

/* Record-Route values of an edge proxy in front of us, on two lines. */
#define EDGE_RECORD_ROUTES                                                    \
  "Record-Route: <sip:192.0.2.10;lr>, <sip:192.0.2.11;lr;edge=1>\r\n"        \
  "Record-Route: <sip:192.0.2.12;lr>\r\n"

static void
assert_no_header (const FakeMessage *m, const char *name)
{
  ck_assert_msg (fake_message_header (m, name) == NULL, "%s in:\n%s", name, m->raw);
}

/* RFC 3261 §16.6 step 4: our Record-Route goes on top and the ones
 * already there keep their order; a 100 Trying creates no dialog and
 * carries none of them (§8.2.6.1 copies only Via, From, To, Call-ID,
 * CSeq); the 2xx travels back with the list as the callee sent it. */
START_TEST (test_record_route_order)
{
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, EDGE_RECORD_ROUTES);
  peer_send (caller, invite);
  g_free (invite);

  FakeMessage *fwd = peer_next (callee);
  g_auto (GStrv) rr = fake_message_header_elements (fwd, "Record-Route");
  ck_assert_msg (g_strv_length (rr) == 4, "%s", fwd->raw);
  ck_assert_msg (strstr (rr[0], "app=42") != NULL, "ours is not first:\n%s", fwd->raw);
  ck_assert_str_eq (rr[1], "<sip:192.0.2.10;lr>");
  ck_assert_str_eq (rr[2], "<sip:192.0.2.11;lr;edge=1>");
  ck_assert_str_eq (rr[3], "<sip:192.0.2.12;lr>");

  /* NTA answers 100 Trying after 200 ms without an answer. */
  FakeMessage *trying = fake_peer_wait (caller, 2000);
  ck_assert_msg (trying != NULL && !trying->is_request && trying->status == 100,
                 "no 100 Trying: %s", trying ? trying->raw : "(nothing)");
  assert_no_header (trying, "Record-Route");
  fake_message_free (trying);

  GString *extra = g_string_new (NULL);
  for (guint i = 0; rr[i] != NULL; i++)
    g_string_append_printf (extra, "Record-Route: %s\r\n", rr[i]);
  g_string_append_printf (extra, "Contact: <sip:bob@127.0.0.1:%u>\r\n",
                          fake_peer_get_port (callee, FAKE_UDP));
  char *ok = fake_peer_build_response (fwd, 200, "OK", "bob1", extra->str);
  peer_send (callee, ok);
  g_free (ok);
  g_string_free (extra, TRUE);
  fake_message_free (fwd);

  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (answer->status == 200, "%s", answer->raw);
  g_auto (GStrv) back = fake_message_header_elements (answer, "Record-Route");
  ck_assert_uint_eq (g_strv_length (back), 4);
  for (guint i = 0; i < 4; i++)
    ck_assert_str_eq (back[i], rr[i]);
  fake_message_free (answer);
  g_free (target);
}
END_TEST

/* Responses the container makes itself and that create no dialog carry
 * no Record-Route: the servlet's 404, the stateless 483, and the error a
 * branch gets from the transaction layer when its target cannot be
 * reached (a 483 that ended a loop carried 70 of them). */
START_TEST (test_local_responses_without_record_route)
{
  add_proxy_servlet ("404");
  char *invite = caller_request ("INVITE", "sip:nobody@example.com", 1, NULL, EDGE_RECORD_ROUTES);
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *nf = peer_next (caller);
  ck_assert_msg (nf->status == 404, "%s", nf->raw);
  assert_no_header (nf, "Record-Route");
  fake_message_free (nf);

  char *looped = caller_request ("INVITE", "sip:nobody@example.com", 2, NULL, EDGE_RECORD_ROUTES);
  char *hop = strstr (looped, "Max-Forwards: 70");
  memcpy (hop, "Max-Forwards:  0", 16);
  peer_send (caller, looped);
  g_free (looped);
  FakeMessage *hops = peer_next (caller);
  ck_assert_msg (hops->status == 483, "%s", hops->raw);
  assert_no_header (hops, "Record-Route");
  fake_message_free (hops);
}
END_TEST

START_TEST (test_unreachable_branch_without_record_route)
{
  /* A TCP port that refuses connections: the branch fails in NTA. */
  guint16 closed = closed_tcp_port ();

  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u;transport=tcp", closed);
  add_proxy_servlet (target);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, EDGE_RECORD_ROUTES);
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *failed = peer_next (caller);
  ck_assert_msg (failed->status >= 400, "%s", failed->raw);
  assert_no_header (failed, "Record-Route");
  fake_message_free (failed);
  g_free (target);
}
END_TEST

/* RFC 3326: the branches cancelled because another one answered (200) or
 * declined everywhere (603) learn why, so phones list no missed call. */
static const struct {
  guint status;
  const char *phrase;
  const char *reason;
} completed_elsewhere[] = {
  { 200, "OK", "SIP;cause=200;text=\"Call completed elsewhere\"" },
  { 603, "Decline", "SIP;cause=603;text=\"Decline\"" },
};

START_TEST (test_cancel_reason)
{
  char *targets = g_strdup_printf ("sip:bob@127.0.0.1:%u sip:bob@127.0.0.1:%u",
                                   fake_peer_get_port (callee, FAKE_UDP),
                                   fake_peer_get_port (callee2, FAKE_UDP));
  add_proxy_servlet (targets);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  g_free (invite);

  FakeMessage *to_answer = peer_next (callee);
  FakeMessage *to_ring = peer_next (callee2);
  char *ringing = fake_peer_build_response (to_ring, 180, "Ringing", "ring2", NULL);
  peer_send (callee2, ringing);
  g_free (ringing);
  FakeMessage *relayed = peer_next (caller);
  ck_assert_msg (relayed->status == 180, "%s", relayed->raw);
  fake_message_free (relayed);

  char *contact = g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n",
                                   fake_peer_get_port (callee, FAKE_UDP));
  char *final = fake_peer_build_response (to_answer, completed_elsewhere[_i].status,
                                          completed_elsewhere[_i].phrase, "bob1", contact);
  peer_send (callee, final);
  g_free (final);
  g_free (contact);
  if (completed_elsewhere[_i].status >= 300)
    {
      FakeMessage *ack = peer_next (callee);
      ck_assert_msg (ack->is_request && strcmp (ack->method, "ACK") == 0, "%s", ack->raw);
      fake_message_free (ack);
    }

  callee_cancelled (callee2, to_ring, "ring2", completed_elsewhere[_i].reason);
  fake_message_free (peer_next_request (callee2, "ACK"));

  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (answer->status == completed_elsewhere[_i].status, "%s", answer->raw);
  fake_message_free (answer);
  fake_message_free (to_answer);
  fake_message_free (to_ring);
  g_free (targets);
}
END_TEST

/* RFC 3326: the Reason of the caller's CANCEL (an upstream fork whose
 * other branch answered) reaches the callee with our CANCEL. */
START_TEST (test_upstream_cancel_reason)
{
  char *invite = NULL;
  FakeMessage *fwd = invite_callee (&invite);
  ring (fwd);

  /* The CANCEL: the INVITE's first line, Via and CSeq number. */
  GString *cancel = g_string_new (invite);
  g_string_replace (cancel, "INVITE sip:", "CANCEL sip:", 1);
  g_string_replace (cancel, "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1);
  g_string_replace (cancel, "Content-Length: 0\r\n",
                    "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"
                    "Content-Length: 0\r\n", 1);
  peer_send (caller, cancel->str);
  g_string_free (cancel, TRUE);
  g_free (invite);

  callee_cancelled (callee, fwd, "bob1", "SIP;cause=200;text=\"Call completed elsewhere\"");
  fake_message_free (fwd);
}
END_TEST

/* RFC 3327 §4.3: a proxy's Path goes on top of those already there. */
START_TEST (test_path_order)
{
  char *target = g_strdup_printf ("sip:127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  char *reg = g_strdup_printf ("REGISTER sip:registrar.example.net SIP/2.0\r\n"
                               "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-reg-path\r\n"
                               "Max-Forwards: 70\r\n"
                               "Path: <sip:192.0.2.10;lr>, <sip:192.0.2.11;lr>\r\n"
                               "Path: <sip:192.0.2.12;lr>\r\n"
                               "Supported: path\r\n"
                               "From: <sip:alice@example.net>;tag=r1\r\n"
                               "To: <sip:alice@example.net>\r\n"
                               "Call-ID: path-order\r\n"
                               "CSeq: 1 REGISTER\r\n"
                               "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                               "Content-Length: 0\r\n\r\n",
                               fake_peer_get_port (caller, FAKE_UDP),
                               fake_peer_get_port (caller, FAKE_UDP));
  peer_send (caller, reg);
  g_free (reg);
  FakeMessage *fwd = peer_next (callee);
  g_auto (GStrv) path = fake_message_header_elements (fwd, "Path");
  ck_assert_msg (g_strv_length (path) == 4, "%s", fwd->raw);
  char *ours = g_strdup_printf ("127.0.0.1:%u", port);
  ck_assert_msg (strstr (path[0], ours) != NULL, "ours is not first:\n%s", fwd->raw);
  g_free (ours);
  ck_assert_str_eq (path[1], "<sip:192.0.2.10;lr>");
  ck_assert_str_eq (path[2], "<sip:192.0.2.11;lr>");
  ck_assert_str_eq (path[3], "<sip:192.0.2.12;lr>");
  char *ok = fake_peer_build_response (fwd, 200, "OK", "reg1", NULL);
  peer_send (callee, ok);
  g_free (ok);
  fake_message_free (fwd);
  FakeMessage *answer = peer_next (caller);
  ck_assert_msg (answer->status == 200, "%s", answer->raw);
  fake_message_free (answer);
  g_free (target);
}
END_TEST

/* The host drops its container while a proxied INVITE still rings: the
 * caller is answered (503, the container is going away) and nothing
 * leaks (the valgrind setup checks it). */
START_TEST (test_container_destroyed_while_proxying)
{
  FakeMessage *fwd = invite_callee (NULL);
  ring (fwd);
  fake_message_free (fwd);

  g_clear_pointer (&container, sipservlet_container_unref);
  FakeMessage *gone = peer_next_response (caller, 503);
  fake_message_free (gone);
}
END_TEST

/* The caller's INVITE reaches the holding servlet; returns its proxy, not
 * started, and the INVITE's text in *invite_text when asked. */
static SipProxy *
hold_invite (char **invite_text)
{
  GError *error = NULL;
  SipServlet *servlet = sipservlet_servlet_new ("hold", &hold_handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  fake_peer_run (caller, 50);
  ck_assert_ptr_nonnull (held);
  if (invite_text != NULL)
    *invite_text = invite;
  else
    g_free (invite);
  return sipservlet_request_get_proxy (held, NULL);
}

/* The caller's CANCEL reached the proxy before the servlet started it:
 * the caller has its 487 and the proxy is over, so a late proxy_to() is
 * refused instead of ringing the callee for a call nobody makes. */
START_TEST (test_upstream_cancel_before_start)
{
  GError *error = NULL;
  char *invite = NULL;
  SipProxy *proxy = hold_invite (&invite);

  GString *cancel = g_string_new (invite);
  g_string_replace (cancel, "INVITE sip:", "CANCEL sip:", 1);
  g_string_replace (cancel, "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1);
  peer_send (caller, cancel->str);
  g_string_free (cancel, TRUE);
  g_free (invite);
  fake_message_free (peer_next_response (caller, 200));     /* to the CANCEL */
  fake_message_free (peer_next_response (caller, 487));

  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipURI *uri = sipservlet_uri_parse (target, &error);
  ck_assert (!sipservlet_proxy_to (proxy, uri, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  ck_assert (!sipservlet_proxy_cancel (proxy, NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  FakeMessage *nothing = fake_peer_wait (callee, 300);
  ck_assert_msg (nothing == NULL, "the callee got:\n%s", nothing ? nothing->raw : "");
  sipservlet_uri_unref (uri);
  g_free (target);
}
END_TEST

/* sipservlet_proxy_cancel() before any branch was sent has nothing to
 * cancel: an error, and the servlet still owns the request (it answers). */
START_TEST (test_cancel_before_start)
{
  GError *error = NULL;
  SipProxy *proxy = hold_invite (NULL);
  ck_assert (!sipservlet_proxy_cancel (proxy, NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  SipServletResponse *busy = sipservlet_request_create_response (held, 486, NULL, &error);
  ck_assert (busy != NULL && sipservlet_response_send (busy, &error));
  sipservlet_response_unref (busy);
  fake_message_free (peer_next_response (caller, 486));
}
END_TEST

/* The servlet cancels a proxy that rings (JSR 289 Proxy.cancel()): the
 * branch gets a CANCEL with the servlet's Reason, its 487 goes upstream. */
START_TEST (test_servlet_cancels_ringing_proxy)
{
  GError *error = NULL;
  SipProxy *proxy = hold_invite (NULL);
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipURI *uri = sipservlet_uri_parse (target, &error);
  ck_assert (sipservlet_proxy_to (proxy, uri, &error));
  sipservlet_uri_unref (uri);
  g_free (target);
  FakeMessage *fwd = peer_next_request (callee, "INVITE");
  ring (fwd);

  ck_assert (sipservlet_proxy_cancel (proxy, "SIP;cause=480;text=\"Screened\"", &error));
  callee_cancelled (callee, fwd, "bob1", "SIP;cause=480;text=\"Screened\"");
  fake_message_free (peer_next_request (callee, "ACK"));
  fake_message_free (peer_next_response (caller, 487));
  /* A second cancel finds the proxy completed. */
  ck_assert (!sipservlet_proxy_cancel (proxy, NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  fake_message_free (fwd);
}
END_TEST

/* The caller's CANCEL for the INVITE text it sent (its first line, Via
 * and CSeq number), with @extra headers ("Name: value\r\n") or NULL. */
static void
caller_cancels (const char *invite, const char *extra)
{
  GString *cancel = g_string_new (invite);
  g_string_replace (cancel, "INVITE sip:", "CANCEL sip:", 1);
  g_string_replace (cancel, "CSeq: 1 INVITE", "CSeq: 1 CANCEL", 1);
  if (extra != NULL)
    {
      char *with = g_strconcat (extra, "Content-Length: 0\r\n", NULL);
      g_string_replace (cancel, "Content-Length: 0\r\n", with, 1);
      g_free (with);
    }
  peer_send (caller, cancel->str);
  g_string_free (cancel, TRUE);
}

/* The held request's proxy sends to @peer (with a branch timeout of
 * @timeout_s, 0 for the default); returns the INVITE as @peer received
 * it, after its 180 (To-tag @tag) reached the caller. */
static FakeMessage *
start_ringing_branch (SipProxy *proxy, FakePeer *peer, guint timeout_s, const char *tag)
{
  GError *error = NULL;
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (peer, FAKE_UDP));
  SipURI *uri = sipservlet_uri_parse (target, &error);
  SipProxyBranch *branch = sipservlet_proxy_create_branch (proxy, uri, &error);
  ck_assert_msg (branch != NULL, "create_branch: %s", error ? error->message : "");
  if (timeout_s > 0)
    ck_assert (sipservlet_proxy_branch_set_timeout (branch, timeout_s, &error));
  ck_assert (sipservlet_proxy_start (proxy, &error));
  sipservlet_proxy_branch_unref (branch);
  sipservlet_uri_unref (uri);
  g_free (target);
  FakeMessage *fwd = peer_next_request (peer, "INVITE");
  char *ringing = fake_peer_build_response (fwd, 180, "Ringing", tag, NULL);
  peer_send (peer, ringing);
  g_free (ringing);
  fake_message_free (peer_next_response (caller, 180));
  return fwd;
}

/* The callee answers the INVITE it received (fwd) 200 with To-tag @tag
 * although the proxy cancelled it (cancel, as the callee received it):
 * the CANCEL gets its 200, the INVITE a 2xx (RFC 3261 §9.2: a 2xx can
 * always cross a CANCEL). */
static void
callee_answers_despite_cancel (FakePeer *peer, const FakeMessage *fwd, FakeMessage *cancel,
                               const char *tag)
{
  char *cancel_ok = fake_peer_build_response (cancel, 200, "OK", NULL, NULL);
  peer_send (peer, cancel_ok);
  g_free (cancel_ok);
  fake_message_free (cancel);
  char *contact = g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n",
                                   fake_peer_get_port (peer, FAKE_UDP));
  char *ok = fake_peer_build_response (fwd, 200, "OK", tag, contact);
  peer_send (peer, ok);
  g_free (ok);
  g_free (contact);
}

/* The caller's ACK for a non-2xx final response to the INVITE text it
 * sent: the INVITE's Via and CSeq number, the response's To. */
static void
caller_acks_failure (const char *invite, const FakeMessage *final)
{
  GString *ack = g_string_new (invite);
  g_string_replace (ack, "INVITE sip:", "ACK sip:", 1);
  g_string_replace (ack, "CSeq: 1 INVITE", "CSeq: 1 ACK", 1);
  char *to = g_strdup_printf ("To: %s\r\n", fake_message_header (final, "To"));
  g_string_replace (ack, "To: <sip:bob@example.com>\r\n", to, 1);
  g_free (to);
  peer_send (caller, ack->str);
  g_string_free (ack, TRUE);
}

/* RFC 3261 §16.7 step 5: every 2xx to an INVITE goes upstream, even one
 * that comes after the caller already has a non-2xx final response: the
 * branch had timed out (CANCEL down, 408 up), the servlet answered
 * itself, or the caller cancelled and got the 487 while a timed-out
 * branch still ran. Before, the late 2xx was dropped: the callee had a
 * call nobody was on. */
enum { LATE_AFTER_408, LATE_AFTER_SERVLET_486, LATE_AFTER_487 };

START_TEST (test_late_2xx_goes_upstream)
{
  GError *error = NULL;
  char *invite = NULL;
  SipProxy *proxy = hold_invite (&invite);
  FakeMessage *fwd = start_ringing_branch (proxy, callee, _i == LATE_AFTER_SERVLET_486 ? 0 : 1,
                                           "bob1");
  FakeMessage *final = NULL;
  FakeMessage *cancel = NULL;

  switch (_i)
    {
    case LATE_AFTER_408:
      /* Timer C (1 s) fires: CANCEL downstream, 408 upstream. */
      cancel = peer_next_request (callee, "CANCEL");
      final = peer_next_response (caller, 408);
      break;
    case LATE_AFTER_SERVLET_486:
      {
        SipServletResponse *busy = sipservlet_request_create_response (held, 486, NULL, &error);
        ck_assert (busy != NULL && sipservlet_response_send (busy, &error));
        sipservlet_response_unref (busy);
        final = peer_next_response (caller, 486);
        cancel = peer_next_request (callee, "CANCEL");
      }
      break;
    case LATE_AFTER_487:
      {
        /* A second branch rings; the first times out (1 s); then the
         * caller cancels, the second branch ends 487 and the caller has
         * its final response while the first still runs. */
        FakeMessage *fwd2 = start_ringing_branch (proxy, callee2, 0, "bob2");
        cancel = peer_next_request (callee, "CANCEL");
        caller_cancels (invite, NULL);
        fake_message_free (peer_next_response_to (caller, 200, "CANCEL"));
        callee_cancelled (callee2, fwd2, "bob2", "(none)");
        fake_message_free (peer_next_request (callee2, "ACK"));
        fake_message_free (fwd2);
        final = peer_next (caller);
        ck_assert_msg (!final->is_request && final->status >= 400, "%s", final->raw);
      }
      break;
    }

  caller_acks_failure (invite, final);
  callee_answers_despite_cancel (callee, fwd, cancel, "bob1");
  FakeMessage *ok = peer_next (caller);
  while (!ok->is_request && ok->status == final->status)
    {
      /* the failure's retransmission, sent before our ACK arrived */
      fake_message_free (ok);
      ok = peer_next (caller);
    }
  ck_assert_msg (!ok->is_request && ok->status == 200, "expected the 2xx, got:\n%s", ok->raw);
  char *tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  ck_assert_str_eq (tag, "bob1");
  g_free (tag);
  fake_message_free (ok);
  caller_acks_failure (invite, final);

  /* The caller acknowledges the 2xx at the callee's Contact: the ACK
   * goes on to the callee; the ACK for the failure went nowhere. */
  char *contact = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  char *ack = caller_request ("ACK", contact, 1, "bob1", NULL);
  peer_send (caller, ack);
  FakeMessage *acked = peer_next_request (callee, "ACK");
  ck_assert_str_eq (fake_message_header (acked, "Call-ID"), "proxy-test-call");
  fake_message_free (acked);
  FakeMessage *nothing = fake_peer_wait (callee, 300);
  ck_assert_msg (nothing == NULL, "the callee got:\n%s", nothing ? nothing->raw : "");
  nothing = fake_peer_wait (caller, 300);
  ck_assert_msg (nothing == NULL, "the caller got:\n%s", nothing ? nothing->raw : "");
  g_free (ack);
  g_free (contact);
  fake_message_free (final);
  fake_message_free (fwd);
  g_free (invite);
}
END_TEST

/* RFC 3326 on every path that cancels a branch with a reason: the
 * caller's CANCEL with one Reason per protocol (both go on), and
 * sipservlet_proxy_branch_cancel() with the servlet's. */
START_TEST (test_cancel_reasons_reach_the_callee)
{
  GError *error = NULL;
  char *invite = NULL;
  SipProxy *proxy = hold_invite (&invite);
  FakeMessage *fwd = start_ringing_branch (proxy, callee, 0, "bob1");
  FakeMessage *down;

  if (_i == 0)
    {
      caller_cancels (invite, "Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"
                              "Reason: Q.850;cause=16\r\n");
      fake_message_free (peer_next_response_to (caller, 200, "CANCEL"));
      down = peer_next_request (callee, "CANCEL");
      g_auto (GStrv) reasons = fake_message_header_elements (down, "Reason");
      ck_assert_msg (g_strv_length (reasons) == 2, "%s", down->raw);
      ck_assert_str_eq (reasons[0], "SIP;cause=200;text=\"Call completed elsewhere\"");
      ck_assert_str_eq (reasons[1], "Q.850;cause=16");
    }
  else
    {
      GPtrArray *branches = sipservlet_proxy_get_branches (proxy);
      ck_assert_uint_eq (branches->len, 1);
      ck_assert (sipservlet_proxy_branch_cancel (branches->pdata[0],
                                                 "SIP;cause=480;text=\"Screened\"", &error));
      g_ptr_array_unref (branches);
      down = peer_next_request (callee, "CANCEL");
      const char *reason = fake_message_header (down, "Reason");
      ck_assert_str_eq (reason != NULL ? reason : "(none)", "SIP;cause=480;text=\"Screened\"");
    }
  char *cancel_ok = fake_peer_build_response (down, 200, "OK", NULL, NULL);
  peer_send (callee, cancel_ok);
  g_free (cancel_ok);
  char *terminated = fake_peer_build_response (fwd, 487, "Request Terminated", "bob1", NULL);
  peer_send (callee, terminated);
  g_free (terminated);
  fake_message_free (peer_next_request (callee, "ACK"));
  fake_message_free (peer_next_response_to (caller, 487, "INVITE"));
  fake_message_free (down);
  fake_message_free (fwd);
  g_free (invite);
}
END_TEST

/* A CANCEL that comes while an asynchronous servlet still looks the
 * callee up gets its 487, and every way of proxying afterwards is
 * refused with nothing sent: getting the proxy (case 0), starting
 * branches created before the CANCEL (case 1), proxying to a list
 * (case 2). */
START_TEST (test_upstream_cancel_before_any_proxy_call)
{
  GError *error = NULL;
  SipServlet *servlet = sipservlet_servlet_new ("defer", &defer_handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  fake_peer_run (caller, 50);
  ck_assert_ptr_nonnull (held);
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipURI *uri = sipservlet_uri_parse (target, &error);
  SipProxy *proxy = NULL;
  SipProxyBranch *branch = NULL;
  if (_i > 0)
    {
      proxy = sipservlet_request_get_proxy (held, &error);
      ck_assert_ptr_nonnull (proxy);
      if (_i == 1)
        branch = sipservlet_proxy_create_branch (proxy, uri, &error);
    }

  caller_cancels (invite, NULL);
  fake_message_free (peer_next_response_to (caller, 200, "CANCEL"));
  FakeMessage *terminated = peer_next_response_to (caller, 487, "INVITE");
  caller_acks_failure (invite, terminated);
  fake_message_free (terminated);
  ck_assert (sipservlet_request_is_cancelled (held));

  switch (_i)
    {
    case 0:
      ck_assert_ptr_null (sipservlet_request_get_proxy (held, &error));
      break;
    case 1:
      ck_assert (!sipservlet_proxy_start (proxy, &error));
      break;
    case 2:
      ck_assert (!sipservlet_proxy_to_list (proxy, (const SipURI *const *) &uri, 1, &error));
      break;
    }
  ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE),
                 "%s", error ? error->message : "no error");
  g_clear_error (&error);
  if (proxy != NULL)
    {
      ck_assert_ptr_null (sipservlet_proxy_create_branch (proxy, uri, &error));
      ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
      g_clear_error (&error);
    }
  FakeMessage *nothing = fake_peer_wait (callee, 300);
  ck_assert_msg (nothing == NULL, "the callee got:\n%s", nothing ? nothing->raw : "");
  while ((nothing = fake_peer_wait (caller, 300)) != NULL && nothing->status == 487)
    fake_message_free (nothing);    /* sent before our ACK arrived */
  ck_assert_msg (nothing == NULL, "the caller got:\n%s", nothing ? nothing->raw : "");
  if (branch != NULL)
    sipservlet_proxy_branch_unref (branch);
  sipservlet_uri_unref (uri);
  g_free (target);
  g_free (invite);
}
END_TEST

/* A request inside a dialog the container does not know is refused only
 * when it is addressed to the container itself; one for somebody else is
 * routed on (tests/sipp: sipp-proxy-builtin-rr-off). */
START_TEST (test_unknown_dialog_addressed_to_us)
{
  char *us = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
  char *bye = caller_request ("BYE", us, 2, "nobody", NULL);
  peer_send (caller, bye);
  fake_message_free (peer_next_response (caller, 481));
  g_free (bye);
  g_free (us);

  char *elsewhere = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  bye = caller_request ("BYE", elsewhere, 3, "nobody", NULL);
  peer_send (caller, bye);
  FakeMessage *fwd = peer_next_request (callee, "BYE");
  ck_assert_str_eq (fake_message_header (fwd, "Max-Forwards"), "69");
  char *ok = fake_peer_build_response (fwd, 200, "OK", NULL, NULL);
  peer_send (callee, ok);
  fake_message_free (peer_next_response (caller, 200));
  g_free (ok);
  fake_message_free (fwd);
  g_free (bye);
  g_free (elsewhere);
}
END_TEST

START_TEST (test_rfc2543_invite_without_contact_is_proxied)
{
  /* An RFC 2543 UA may leave out Contact: refused (400) only when the
   * container would be its UAS; addressed elsewhere, it is proxied. */
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  char *contact = strstr (invite, "Contact: ");
  ck_assert_ptr_nonnull (contact);
  char *end = strstr (contact, "\r\n") + 2;
  memmove (contact, end, strlen (end) + 1);
  FakeMessage *fwd = NULL;
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  peer_send (caller, invite);
  fwd = peer_next_request (callee, "INVITE");
  ck_assert_ptr_null (fake_message_header (fwd, "Contact"));
  char *busy = fake_peer_build_response (fwd, 486, "Busy Here", "bob1", NULL);
  peer_send (callee, busy);
  fake_message_free (peer_next_response (caller, 486));
  g_free (busy);
  fake_message_free (fwd);
  g_free (target);
  g_free (invite);
}
END_TEST

/* A request with a header that may occur once given twice (found by
 * tests/fuzz/fuzz-receive): sofia's msg_copy() of it, the branch's
 * request, failed an assertion when sent (sofia-sip 1.12.11). The second
 * copy is dropped on arrival; the request goes on with the first. */
START_TEST (test_repeated_single_header_is_proxied)
{
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL,
                                 "User-Agent: one\r\nUser-Agent: two\r\n");
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  add_proxy_servlet (target);
  peer_send (caller, invite);
  FakeMessage *fwd = peer_next_request (callee, "INVITE");
  ck_assert_uint_eq (fake_message_count_headers (fwd, "User-Agent"), 1);
  ck_assert_str_eq (fake_message_header (fwd, "User-Agent"), "one");
  char *busy = fake_peer_build_response (fwd, 486, "Busy Here", "bob1", NULL);
  peer_send (callee, busy);
  fake_message_free (peer_next_response (caller, 486));
  g_free (busy);
  fake_message_free (fwd);
  g_free (target);
  g_free (invite);
}
END_TEST

/* A target whose last URI parameter starts with a name sofia looks up
 * but is longer ("transportx"; found by tests/fuzz/fuzz-receive):
 * sofia-sip's url_param() stepped past the end of the parameter string
 * looking for the next one, reading beyond the allocation holding the
 * Request-URI (valgrind and ASan see it). The request goes out with the
 * parameter as given. */
static const char *const lookalike_params[] = { "transportx", "maddrx", "compx", "lrx",
                                                "methodx", "transport-x=1" };

START_TEST (test_lookalike_uri_parameter_is_proxied)
{
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u;%s",
                                  fake_peer_get_port (callee, FAKE_UDP), lookalike_params[_i]);
  add_proxy_servlet (target);
  peer_send (caller, invite);
  FakeMessage *fwd = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (fwd->request_uri, target);
  char *busy = fake_peer_build_response (fwd, 486, "Busy Here", "bob1", NULL);
  peer_send (callee, busy);
  fake_message_free (peer_next_response (caller, 486));
  g_free (busy);
  fake_message_free (fwd);
  g_free (target);
  g_free (invite);
}
END_TEST

/* The same where no socket of ours fits the target (IPv6): the request
 * cannot go out, and the caller gets the proxy's final answer. */
START_TEST (test_lookalike_uri_parameter_unreachable)
{
  char *invite = caller_request ("INVITE", "sip:bob@example.com", 1, NULL, NULL);
  char *target = g_strdup_printf ("sip:bob@[::1]:9;%s", lookalike_params[_i]);
  add_proxy_servlet (target);
  peer_send (caller, invite);
  FakeMessage *final = fake_peer_wait_final_or_provisional (caller, 5000);
  while (final != NULL && final->status < 200)
    {
      fake_message_free (final);
      final = fake_peer_wait_final_or_provisional (caller, 5000);
    }
  ck_assert_ptr_nonnull (final);
  ck_assert_uint_ge (final->status, 400);
  fake_message_free (final);
  g_free (target);
  g_free (invite);
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
  tcase_add_test (tc, test_record_route_order);
  tcase_add_test (tc, test_local_responses_without_record_route);
  tcase_add_test (tc, test_unreachable_branch_without_record_route);
  tcase_add_loop_test (tc, test_cancel_reason, 0, G_N_ELEMENTS (completed_elsewhere));
  tcase_add_test (tc, test_upstream_cancel_reason);
  tcase_add_test (tc, test_path_order);
  tcase_add_test (tc, test_container_destroyed_while_proxying);
  tcase_add_test (tc, test_upstream_cancel_before_start);
  tcase_add_test (tc, test_cancel_before_start);
  tcase_add_test (tc, test_servlet_cancels_ringing_proxy);
  tcase_add_test (tc, test_unknown_dialog_addressed_to_us);
  tcase_add_test (tc, test_rfc2543_invite_without_contact_is_proxied);
  tcase_add_test (tc, test_repeated_single_header_is_proxied);
  tcase_add_loop_test (tc, test_lookalike_uri_parameter_is_proxied, 0,
                       G_N_ELEMENTS (lookalike_params));
  tcase_add_loop_test (tc, test_lookalike_uri_parameter_unreachable, 0,
                       G_N_ELEMENTS (lookalike_params));
  tcase_add_loop_test (tc, test_late_2xx_goes_upstream, LATE_AFTER_408, LATE_AFTER_487 + 1);
  tcase_add_loop_test (tc, test_cancel_reasons_reach_the_callee, 0, 2);
  tcase_add_loop_test (tc, test_upstream_cancel_before_any_proxy_call, 0, 3);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
