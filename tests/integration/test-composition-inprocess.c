/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of application composition (JSR 289 §15): a request an
 * application proxies visits the next application the router names,
 * inside the process, and the dialog's later requests and responses
 * traverse the same applications in order, both ways. What the callee
 * sees is one hop: one Via of ours, a Record-Route per record-routing
 * application. A fake caller and callee on loopback. */
#include <sipservlet/sipservlet.h>

#include <glib/gstdio.h>
#include <string.h>

#include "check-main.h"
#include "listening-container.h"
#include "peer-checks.h"
#include "warning-catcher.h"

static SipContainer *container;
static guint16 port;
static FakePeer *caller;
static FakePeer *callee;
static char *dir;                  /* holds the DAR file */
static GString *seen;              /* "app:METHOD;" per request a servlet saw */
static guint call_number;

static const char *
app_name (SipServletRequest *request)
{
  SipApplicationSession *app = sipservlet_message_get_application_session (
      sipservlet_request_get_message (request));
  return sipservlet_application_session_get_application_name (app);
}

static void
note (SipServletRequest *request)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  g_string_append_printf (seen, "%s:%s;", app_name (request),
                          sipservlet_message_get_method (message));
  /* Every application sees where the request came from, the first
   * application's peer (both peers are on 127.0.0.1). */
  ck_assert_str_eq (sipservlet_message_get_remote_addr (message), "127.0.0.1");
}

/* Proxies initial requests to their Request-URI, record-routed, with an
 * X-Trail header naming the application; the rest the container routes. */
static void
on_proxy (SipServletRequest *request, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SipServletMessage *message = sipservlet_request_get_message (request);

  note (request);
  if (!sipservlet_request_is_initial (request))
    return;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_ptr_nonnull (proxy);
  /* The header names a request lists are the headers it has, after an
   * application in process too (whose message has no fragment chain). */
  g_auto (GStrv) names = sipservlet_message_get_header_names (message);
  ck_assert (g_strv_contains ((const char *const *) names, "From"));
  ck_assert (g_strv_contains ((const char *const *) names, "X-Trail")
             == (sipservlet_message_get_header (message, "X-Trail") != NULL));
  ck_assert (sipservlet_message_add_header (message, "X-Trail", app_name (request), &error));
  ck_assert (sipservlet_proxy_set_record_route (proxy, TRUE, &error));
  ck_assert (sipservlet_proxy_to (proxy, sipservlet_request_get_request_uri (request), &error));
}

/* Answers 200 (an application acting as the dialog's UAS). */
static void
on_answer (SipServletRequest *request, gpointer user_data)
{
  note (request);
  const char *method = sipservlet_message_get_method (sipservlet_request_get_message (request));
  if (g_str_equal (method, "ACK") || g_str_equal (method, "CANCEL"))
    return;
  sipservlet_request_respond (request, 200, NULL, NULL);
}

static void
on_block (SipServletRequest *request, gpointer user_data)
{
  note (request);
  sipservlet_request_respond (request, 403, "Blocked", NULL);
}

static void
deploy (const char *name, SipRequestCallback callback)
{
  GError *error = NULL;
  g_autoptr (SipApplication) application = sipservlet_application_new (name, &error);
  ck_assert_ptr_nonnull (application);
  SipServlet *servlet = sipservlet_servlet_new_with_callback (name, callback, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (application, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (application, name, &error));
  ck_assert_msg (sipservlet_container_deploy (container, application, &error), "%s",
                 error != NULL ? error->message : "");
}

/* ---- a B2BUA application ------------------------------------------------------ */

static SipB2buaHelper *b2b_helper;  /* the container's, from the first INVITE */

static SipSession *
session_of (gconstpointer message)
{
  return sipservlet_message_get_session (SIPSERVLET_MESSAGE (message));
}

static void
b2b_send (SipServletRequest *request)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_request_send (request, &error), "send: %s",
                 error != NULL ? error->message : "");
  sipservlet_request_unref (request);
}

/* Places the other leg to the same Request-URI, linked. */
static void
b2b_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  note (request);
  SipB2buaHelper *helper = sipservlet_request_get_b2bua_helper (request, &error);
  b2b_helper = helper;
  SipServletRequest *out = sipservlet_b2bua_create_request (helper, request, TRUE, NULL, &error);
  ck_assert_msg (out != NULL, "%s", error != NULL ? error->message : "");
  sipservlet_request_defer (request);
  b2b_send (out);
}

static void
b2b_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  note (request);
}

static void
b2b_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  note (request);
  SipB2buaHelper *helper = sipservlet_request_get_b2bua_helper (request, &error);
  SipSession *peer = sipservlet_b2bua_get_linked_session (helper, session_of (request));
  ck_assert_ptr_nonnull (peer);
  SipServletRequest *out = sipservlet_b2bua_create_request_for_session (helper, peer, request,
                                                                        NULL, &error);
  ck_assert_msg (out != NULL, "%s", error != NULL ? error->message : "");
  sipservlet_request_defer (request);
  b2b_send (out);
}

static void
b2b_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  note (request);
  SipB2buaHelper *helper = b2b_helper;
  SipSession *peer = sipservlet_b2bua_get_linked_session (helper, session_of (request));
  ck_assert_ptr_nonnull (peer);
  SipServletRequest *cancel = sipservlet_b2bua_create_cancel (helper, peer, &error);
  ck_assert_msg (cancel != NULL, "%s", error != NULL ? error->message : "");
  b2b_send (cancel);
}

/* The far side's answer: a 2xx is acknowledged and relayed; other
 * answers are relayed while the caller waits. */
static void
b2b_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  GError *error = NULL;
  SipB2buaHelper *helper = b2b_helper;
  SipServletRequest *request = sipservlet_response_get_request (response);
  SipServletRequest *original = sipservlet_b2bua_get_linked_request (helper, request);
  guint status = sipservlet_response_get_status (response);
  const char *method = sipservlet_message_get_method (SIPSERVLET_MESSAGE (response));

  g_string_append_printf (seen, "b2b:%u;", status);
  if (g_str_equal (method, "INVITE") && status >= 200 && status < 300)
    {
      b2b_send (sipservlet_response_create_ack (response, &error));
      SipSession *in = sipservlet_b2bua_get_linked_session (helper, session_of (request));
      SipServletResponse *relayed = sipservlet_b2bua_create_response_to_original_request (
          helper, in, status, NULL, &error);
      ck_assert_msg (relayed != NULL, "%s", error != NULL ? error->message : "");
      ck_assert (sipservlet_response_send (relayed, &error));
      sipservlet_response_unref (relayed);
      return;
    }
  if (status > 100 && original != NULL
      && !sipservlet_message_is_committed (SIPSERVLET_MESSAGE (original))
      && !sipservlet_request_is_cancelled (original))
    sipservlet_request_respond (original, status, NULL, NULL);
}

static const SipServletHandlers b2b_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = b2b_invite,
  .do_ack = b2b_ack,
  .do_bye = b2b_bye,
  .do_cancel = b2b_cancel,
  .do_response = b2b_response,
};

static void
deploy_b2b (void)
{
  GError *error = NULL;
  g_autoptr (SipApplication) application = sipservlet_application_new ("b2b", &error);
  SipServlet *servlet = sipservlet_servlet_new ("b2b", &b2b_handlers, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (application, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (application, "b2b", &error));
  ck_assert (sipservlet_container_deploy (container, application, &error));
}

static void
use_dar (const char *text)
{
  GError *error = NULL;
  g_autofree char *path = g_build_filename (dir, "dar.properties", NULL);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  ck_assert_msg (sipservlet_container_set_dar_file (container, path, &error), "%s",
                 error != NULL ? error->message : "");
}

static void
setup (void)
{
  GError *error = NULL;
  container = listening_container_new (&port);
  caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  dir = g_dir_make_tmp ("sipservlet-compose-XXXXXX", NULL);
  ck_assert_ptr_nonnull (dir);
  seen = g_string_new (NULL);
  deploy ("first", on_proxy);
  deploy ("second", on_proxy);
  deploy ("answer", on_answer);
  deploy ("blocking", on_block);
  deploy_b2b ();
}

static void
teardown (void)
{
  catch_warnings_end ();
  fake_peer_free (caller);
  fake_peer_free (callee);
  g_clear_pointer (&container, sipservlet_container_unref);
  g_autofree char *path = g_build_filename (dir, "dar.properties", NULL);
  g_unlink (path);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
  g_string_free (seen, TRUE);
}

/* ---- the caller's and callee's messages --------------------------------------- */

typedef struct {
  guint n;
  char *call_id;
  char *callee_tag;
  char *callee_contact;      /* the 2xx's Contact URI */
  char **record_routes;      /* of the 2xx, top first */
  guint cseq;
} Call;

static void
call_clear (Call *call)
{
  g_free (call->call_id);
  g_free (call->callee_tag);
  g_free (call->callee_contact);
  g_strfreev (call->record_routes);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Call, call_clear)

static void
call_free (Call *call)
{
  call_clear (call);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static char *
invite_text (Call *call, const char *branch)
{
  return g_strdup_printf ("INVITE sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=alice%u\r\n"
                          "To: <sip:bob@example.com>\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: 1 INVITE\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "Content-Length: 0\r\n\r\n",
                          fake_peer_get_port (callee, FAKE_UDP),
                          fake_peer_get_port (caller, FAKE_UDP), branch, call->n, call->n,
                          call->call_id, fake_peer_get_port (caller, FAKE_UDP));
}

static void
call_start (Call *call)
{
  call->n = ++call_number;
  call->call_id = g_strdup_printf ("compose-%u@test", call->n);
  g_autofree char *invite = invite_text (call, "inv");
  peer_send (caller, invite);
}

/* Values of a header joined with ", " in their order, or NULL for none. */
static char *
joined (char **values, gboolean reversed)
{
  guint n = values != NULL ? g_strv_length (values) : 0;
  if (n == 0)
    return NULL;
  GString *text = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s", i ? ", " : "", values[reversed ? n - 1 - i : i]);
  return g_string_free (text, FALSE);
}

/* The callee answers the INVITE it got with status, its Contact and the
 * Record-Routes copied; the caller gets the response. */
static FakeMessage *
callee_answers (Call *call, FakeMessage *invite, guint status)
{
  g_auto (GStrv) rr = fake_message_header_elements (invite, "Record-Route");
  g_autofree char *rr_text = joined (rr, FALSE);
  g_autofree char *extra
      = g_strdup_printf ("%s%s%sContact: <sip:bob@127.0.0.1:%u>\r\n",
                         rr_text != NULL ? "Record-Route: " : "", rr_text != NULL ? rr_text : "",
                         rr_text != NULL ? "\r\n" : "", fake_peer_get_port (callee, FAKE_UDP));
  g_autofree char *tag = g_strdup_printf ("bob%u", call->n);
  g_autofree char *answer = fake_peer_build_response (invite, status, NULL, tag, extra);
  peer_send (callee, answer);
  FakeMessage *response = peer_next_response (caller, status);
  if (status < 300)
    {
      g_free (call->callee_tag);
      call->callee_tag = g_steal_pointer (&tag);
      g_autofree char *contact_value = g_strdup (fake_message_header (response, "Contact"));
      call->callee_contact = fake_header_uri (contact_value);
      g_strfreev (call->record_routes);
      call->record_routes = fake_message_header_elements (response, "Record-Route");
    }
  return response;
}

/* A request of the caller inside the dialog: its route set is the 2xx's
 * Record-Route reversed (RFC 3261 §12.1.2). */
static char *
caller_request (Call *call, const char *method, guint cseq)
{
  g_autofree char *routes = joined (call->record_routes, TRUE);
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-%u-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "%s%s%s"
                          "From: <sip:alice@example.com>;tag=alice%u\r\n"
                          "To: <sip:bob@example.com>;tag=%s\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: %u %s\r\n"
                          "Content-Length: 0\r\n\r\n",
                          method, call->callee_contact, fake_peer_get_port (caller, FAKE_UDP),
                          method, call->n, cseq, routes ? "Route: " : "", routes ? routes : "",
                          routes ? "\r\n" : "", call->n, call->callee_tag, call->call_id, cseq,
                          method);
}

/* The callee's request inside the dialog: Record-Route in order. */
static char *
callee_request (Call *call, const char *method, guint cseq)
{
  g_autofree char *routes = joined (call->record_routes, FALSE);
  return g_strdup_printf ("%s sip:alice@127.0.0.1:%u SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-%s-b-%u-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "%s%s%s"
                          "From: <sip:bob@example.com>;tag=%s\r\n"
                          "To: <sip:alice@example.com>;tag=alice%u\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: %u %s\r\n"
                          "Content-Length: 0\r\n\r\n",
                          method, fake_peer_get_port (caller, FAKE_UDP),
                          fake_peer_get_port (callee, FAKE_UDP), method, call->n, cseq,
                          routes ? "Route: " : "", routes ? routes : "", routes ? "\r\n" : "",
                          call->callee_tag, call->n, call->call_id, cseq, method);
}

/* The caller hangs up: its BYE reaches the callee (on the Call-ID
 * callee_call_id, or the call's own) after passing the applications that
 * note it in path; the callee's 200 goes back. */
static void
caller_hangs_up (Call *call, const char *path, const char *callee_call_id)
{
  g_string_truncate (seen, 0);
  g_autofree char *bye = caller_request (call, "BYE", 2);
  peer_send (caller, bye);
  g_autoptr (FakeMessage) bye_in = peer_next_request (callee, "BYE");
  ck_assert_str_eq (seen->str, path);
  ck_assert_str_eq (fake_message_header (bye_in, "Call-ID"),
                    callee_call_id != NULL ? callee_call_id : call->call_id);
  ck_assert_uint_eq (fake_message_count_headers (bye_in, "Via"), 2 - (callee_call_id != NULL));
  g_autofree char *bye_ok = fake_peer_build_response (bye_in, 200, NULL, NULL, NULL);
  peer_send (callee, bye_ok);
  fake_message_free (peer_next_response (caller, 200));
}

/* The caller cancels its INVITE (same branch, CSeq 1 CANCEL); NTA
 * answers the CANCEL 200. */
static void
caller_cancels (Call *call)
{
  g_autofree char *cancel = invite_text (call, "inv");
  char *line_end = strstr (cancel, " sip:");
  memcpy (cancel, "CANCEL", 6);
  memmove (cancel + 6, line_end, strlen (line_end) + 1);
  char *cseq = strstr (cancel, "CSeq: 1 INVITE");
  memcpy (cseq + 8, "CANCEL", 6);
  peer_send (caller, cancel);
  fake_message_free (peer_next_response_to (caller, 200, "CANCEL"));
}

static const char two_proxies[] = "INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", "
                                  "\"NO_ROUTE\", \"0\"), (\"second\", \"DAR:To\", "
                                  "\"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n";

/* Two proxies in a row: the callee sees one hop of ours with both
 * applications' work, and the dialog's requests pass both, in order. */
START_TEST (test_two_proxies_call)
{
  use_dar (two_proxies);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "first:INVITE;second:INVITE;");
  /* One Via of ours on top of the caller's. */
  ck_assert_uint_eq (fake_message_count_headers (invite, "Via"), 2);
  g_auto (GStrv) trail = fake_message_header_elements (invite, "X-Trail");
  ck_assert_uint_eq (g_strv_length (trail), 2);
  ck_assert_str_eq (trail[0], "first");
  ck_assert_str_eq (trail[1], "second");
  g_auto (GStrv) rr = fake_message_header_elements (invite, "Record-Route");
  ck_assert_uint_eq (g_strv_length (rr), 2);
  ck_assert_ptr_nonnull (strstr (rr[0], ";sipsv-hop=1"));     /* the second's, on top */
  ck_assert_ptr_null (strstr (rr[1], "sipsv-hop"));
  /* One hop: Max-Forwards goes down once, whatever the applications. */
  ck_assert_str_eq (fake_message_header (invite, "Max-Forwards"), "69");

  g_autoptr (FakeMessage) ok = callee_answers (&call, invite, 200);
  ck_assert_uint_eq (fake_message_count_headers (ok, "Via"), 1);
  ck_assert_uint_eq (g_strv_length (call.record_routes), 2);

  g_string_truncate (seen, 0);
  g_autofree char *ack = caller_request (&call, "ACK", 1);
  peer_send (caller, ack);
  fake_message_free (peer_next_request (callee, "ACK"));

  g_autofree char *bye = caller_request (&call, "BYE", 2);
  peer_send (caller, bye);
  g_autoptr (FakeMessage) bye_in = peer_next_request (callee, "BYE");
  ck_assert_str_eq (seen->str, "first:BYE;second:BYE;");
  ck_assert_uint_eq (fake_message_count_headers (bye_in, "Via"), 2);
  ck_assert_uint_eq (fake_message_count_headers (bye_in, "Route"), 0);
  g_autofree char *bye_ok = fake_peer_build_response (bye_in, 200, NULL, NULL, NULL);
  peer_send (callee, bye_ok);
  g_autoptr (FakeMessage) bye_answer = peer_next_response (caller, 200);
  ck_assert_uint_eq (fake_message_count_headers (bye_answer, "Via"), 1);
}
END_TEST

/* The callee hangs up: its BYE passes the applications in reverse. */
START_TEST (test_two_proxies_callee_hangs_up)
{
  use_dar (two_proxies);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  fake_message_free (callee_answers (&call, invite, 200));
  g_autofree char *ack = caller_request (&call, "ACK", 1);
  peer_send (caller, ack);
  fake_message_free (peer_next_request (callee, "ACK"));

  g_string_truncate (seen, 0);
  g_autofree char *bye = callee_request (&call, "BYE", 1);
  peer_send (callee, bye);
  g_autoptr (FakeMessage) bye_in = peer_next_request (caller, "BYE");
  ck_assert_str_eq (seen->str, "second:BYE;first:BYE;");
  ck_assert_uint_eq (fake_message_count_headers (bye_in, "Via"), 2);
  g_autofree char *bye_ok = fake_peer_build_response (bye_in, 200, NULL, NULL, NULL);
  peer_send (caller, bye_ok);
  fake_message_free (peer_next_response (callee, 200));
}
END_TEST

/* A failure unwinds through the chain to the caller. */
START_TEST (test_two_proxies_busy)
{
  use_dar (two_proxies);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  g_autoptr (FakeMessage) busy = callee_answers (&call, invite, 486);
  ck_assert_uint_eq (fake_message_count_headers (busy, "Via"), 1);
  /* The callee gets its ACK from the proxy next to it. */
  fake_message_free (peer_next_request (callee, "ACK"));
}
END_TEST

/* The callee rings, the caller cancels: the CANCEL reaches the callee
 * through the applications of dar, the callee's 487 (ACKed by the
 * application next to it) comes back to the caller. */
static void
ringing_call_cancelled (const char *dar)
{
  use_dar (dar);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  g_autofree char *ringing = fake_peer_build_response (invite, 180, NULL, "bob-ring", NULL);
  peer_send (callee, ringing);
  fake_message_free (peer_next_response (caller, 180));

  caller_cancels (&call);
  g_autoptr (FakeMessage) cancel_in = peer_next_request (callee, "CANCEL");
  g_autofree char *cancel_ok = fake_peer_build_response (cancel_in, 200, NULL, NULL, NULL);
  peer_send (callee, cancel_ok);
  g_autofree char *terminated = fake_peer_build_response (invite, 487, NULL, "bob-ring", NULL);
  peer_send (callee, terminated);
  fake_message_free (peer_next_request (callee, "ACK"));
  fake_message_free (peer_next_response (caller, 487));
}

START_TEST (test_two_proxies_cancel)
{
  ringing_call_cancelled (two_proxies);
}
END_TEST

/* A proxy, then an application that answers: the caller's BYE passes the
 * proxy, then reaches the answering application's session. */
START_TEST (test_proxy_then_uas)
{
  use_dar ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
           "(\"answer\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n"
           "BYE: (\"answer\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) ok = peer_next_response (caller, 200);
  ck_assert_str_eq (seen->str, "first:INVITE;answer:INVITE;");
  ck_assert_uint_eq (fake_message_count_headers (ok, "Record-Route"), 1);
  ck_assert_uint_eq (fake_message_count_headers (ok, "Via"), 1);
  call.callee_tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  call.callee_contact = fake_header_uri (fake_message_header (ok, "Contact"));
  call.record_routes = fake_message_header_elements (ok, "Record-Route");

  g_string_truncate (seen, 0);
  g_autofree char *ack = caller_request (&call, "ACK", 1);
  peer_send (caller, ack);
  fake_peer_run (caller, 100);
  ck_assert_str_eq (seen->str, "answer:ACK;");

  g_string_truncate (seen, 0);
  g_autofree char *bye = caller_request (&call, "BYE", 2);
  peer_send (caller, bye);
  fake_message_free (peer_next_response (caller, 200));
  ck_assert_str_eq (seen->str, "first:BYE;answer:BYE;");
  ck_assert_uint_eq (fake_peer_pending (callee), 0);
}
END_TEST

/* An application further along refuses: the refusal goes back through
 * the proxy before it. */
START_TEST (test_proxy_then_refusal)
{
  use_dar ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
           "(\"blocking\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) refused = peer_next_response (caller, 403);
  ck_assert_str_eq (refused->reason, "Blocked");
  ck_assert_str_eq (seen->str, "first:INVITE;blocking:INVITE;");
  ck_assert_uint_eq (fake_peer_pending (callee), 0);
}
END_TEST

/* The router names an application nobody deployed for the second step:
 * 500 through the first. */
START_TEST (test_continue_to_undeployed_application)
{
  use_dar ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
           "(\"voicemail\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
  catch_warnings_begin ();
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) failed = peer_next_response (caller, 500);
  ck_assert_str_eq (failed->reason, "Application Not Deployed");
  ck_assert (caught_warning ("'voicemail'"));
}
END_TEST

/* A router that names the same application again and again: the chain
 * ends with a 500 and a log line, long before Max-Forwards would. */
static gboolean
endless_next (SipServletRequest *request, SipRoutingRegion region, SipRoutingDirective directive,
              SipTargetedRequestType targeted_type, const char *targeted, GVariant *state,
              SipRouterInfo *info, gpointer user_data, GError **error)
{
  sipservlet_router_info_set_application (info, "first", NULL, SIPSERVLET_REGION_NEUTRAL);
  return TRUE;
}

/* Fails on CONTINUE: the branch of the application before fails. */
static gboolean
failing_next (SipServletRequest *request, SipRoutingRegion region, SipRoutingDirective directive,
              SipTargetedRequestType targeted_type, const char *targeted, GVariant *state,
              SipRouterInfo *info, gpointer user_data, GError **error)
{
  if (directive == SIPSERVLET_ROUTING_CONTINUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no second step today");
      return FALSE;
    }
  sipservlet_router_info_set_application (info, "first", NULL, SIPSERVLET_REGION_NEUTRAL);
  return TRUE;
}

/* With a router of the test's own, a call that fails with 500 and a
 * warning that says warning. */
static void
call_fails_with_router (const SipApplicationRouterFuncs *funcs, const char *warning)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_set_application_router (container, funcs, NULL, NULL, &error));
  catch_warnings_begin ();
  g_auto (Call) call = { 0 };
  call_start (&call);
  fake_message_free (peer_next_response (caller, 500));
  ck_assert (caught_warning (warning));
}

START_TEST (test_endless_router_is_bounded)
{
  static const SipApplicationRouterFuncs endless = {
    SIPSERVLET_APPLICATION_ROUTER_INIT,
    .get_next_application = endless_next,
  };
  call_fails_with_router (&endless, "passed 16 applications");
  ck_assert_uint_eq (fake_peer_pending (callee), 0);
}
END_TEST

START_TEST (test_router_failure_on_continue)
{
  static const SipApplicationRouterFuncs failing = {
    SIPSERVLET_APPLICATION_ROUTER_INIT,
    .get_next_application = failing_next,
  };
  call_fails_with_router (&failing, "no second step today");
  ck_assert_str_eq (seen->str, "first:INVITE;");
}
END_TEST

/* A B2BUA's other leg continues to the next application (a proxy) in
 * process: the callee sees a new call with one Via of ours and the
 * proxy's Record-Route; the dialog of that leg, ACK and BYE included,
 * stays inside the container up to the proxy. */
START_TEST (test_b2bua_then_proxy)
{
  use_dar ("INVITE: (\"b2b\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
           "(\"second\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "b2b:INVITE;second:INVITE;");
  ck_assert_str_ne (fake_message_header (invite, "Call-ID"), call.call_id);
  ck_assert_uint_eq (fake_message_count_headers (invite, "Via"), 1);
  g_auto (GStrv) rr = fake_message_header_elements (invite, "Record-Route");
  ck_assert_uint_eq (g_strv_length (rr), 1);
  ck_assert_ptr_nonnull (strstr (rr[0], ";sipsv-hop=1"));

  g_string_truncate (seen, 0);
  g_autoptr (Call) leg = g_new0 (Call, 1);
  leg->n = 1000 + call.n;
  leg->call_id = g_strdup (fake_message_header (invite, "Call-ID"));
  g_autofree char *tag = g_strdup_printf ("bob%u", leg->n);
  g_autofree char *extra = g_strdup_printf ("Record-Route: %s\r\nContact: <sip:bob@127.0.0.1:%u>\r\n",
                                            rr[0], fake_peer_get_port (callee, FAKE_UDP));
  g_autofree char *answer = fake_peer_build_response (invite, 200, NULL, tag, extra);
  peer_send (callee, answer);
  /* The B2BUA's ACK reaches the callee through the proxy. */
  g_autoptr (FakeMessage) ack_in = peer_next_request (callee, "ACK");
  ck_assert_uint_eq (fake_message_count_headers (ack_in, "Via"), 1);
  g_autoptr (FakeMessage) ok = peer_next_response (caller, 200);
  ck_assert_str_eq (seen->str, "b2b:200;");
  ck_assert_uint_eq (fake_message_count_headers (ok, "Record-Route"), 0);
  call.callee_tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  call.callee_contact = fake_header_uri (fake_message_header (ok, "Contact"));

  g_string_truncate (seen, 0);
  g_autofree char *caller_ack = caller_request (&call, "ACK", 1);
  peer_send (caller, caller_ack);
  fake_peer_run (caller, 50);
  ck_assert_str_eq (seen->str, "b2b:ACK;");
  caller_hangs_up (&call, "b2b:BYE;second:BYE;", leg->call_id);
}
END_TEST

/* A proxy, then a B2BUA whose other leg goes out (the router has no
 * application left): the caller's BYE passes the proxy, then the B2BUA. */
START_TEST (test_proxy_then_b2bua)
{
  use_dar ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
           "(\"b2b\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "first:INVITE;b2b:INVITE;");
  ck_assert_uint_eq (fake_message_count_headers (invite, "Via"), 1);
  ck_assert_uint_eq (fake_message_count_headers (invite, "Record-Route"), 0);
  /* The other leg copies the headers the request arrived with (JSR 289
   * §12.2), those of the application before included. */
  ck_assert_str_eq (fake_message_header (invite, "X-Trail"), "first");
  g_autofree char *leg_call_id = g_strdup (fake_message_header (invite, "Call-ID"));
  g_autofree char *extra = g_strdup_printf ("Contact: <sip:bob@127.0.0.1:%u>\r\n",
                                            fake_peer_get_port (callee, FAKE_UDP));
  g_autofree char *answer = fake_peer_build_response (invite, 200, NULL, "bob-leg", extra);
  peer_send (callee, answer);
  fake_message_free (peer_next_request (callee, "ACK"));
  g_autoptr (FakeMessage) ok = peer_next_response (caller, 200);
  ck_assert_uint_eq (fake_message_count_headers (ok, "Record-Route"), 1);
  call.callee_tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  call.callee_contact = fake_header_uri (fake_message_header (ok, "Contact"));
  call.record_routes = fake_message_header_elements (ok, "Record-Route");

  g_string_truncate (seen, 0);
  g_autofree char *caller_ack = caller_request (&call, "ACK", 1);
  peer_send (caller, caller_ack);
  fake_peer_run (caller, 50);
  ck_assert_str_eq (seen->str, "b2b:ACK;");
  caller_hangs_up (&call, "first:BYE;b2b:BYE;", leg_call_id);
}
END_TEST

/* The caller cancels while a B2BUA's leg rings through a proxy: the CANCEL
 * goes down the chain, the 487 comes back up. */
START_TEST (test_b2bua_then_proxy_cancel)
{
  ringing_call_cancelled ("INVITE: (\"b2b\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
                          "(\"second\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n");
}
END_TEST

/* The "external proxy" (the callee's peer) sends a request it got from
 * the container back to the Route left under its own, as a proxy would:
 * its Via on top, its own Route popped. tamper changes the fifth
 * character of the Route's state (not the last: its low bits may be
 * base64 padding that decodes to the same bytes). */
static void
send_back (FakeMessage *request, gboolean tamper)
{
  g_auto (GStrv) vias = fake_message_header_elements (request, "Via");
  g_auto (GStrv) routes = fake_message_header_elements (request, "Route");
  ck_assert_uint_eq (g_strv_length (routes), 2);
  g_autofree char *via = joined (vias, FALSE);
  g_autofree char *back = g_strdup (routes[1]);
  if (tamper)
    {
      char *state = strstr (back, "sipsv-ar=") + strlen ("sipsv-ar=");
      state[4] = state[4] == 'A' ? 'g' : 'A';
    }
  g_autofree char *text = g_strdup_printf (
      "INVITE %s SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-external-%s;rport\r\n"
      "Via: %s\r\n"
      "Max-Forwards: 60\r\n"
      "Route: %s\r\n"
      "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\nContact: %s\r\n"
      "Content-Length: 0\r\n\r\n",
      request->request_uri, fake_peer_get_port (callee, FAKE_UDP), tamper ? "t" : "ok", via,
      back, fake_message_header (request, "From"), fake_message_header (request, "To"),
      fake_message_header (request, "Call-ID"), fake_message_header (request, "CSeq"),
      fake_message_header (request, "Contact"));
  peer_send (callee, text);
}

static char *
route_back_dar (void)
{
  return g_strdup_printf ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", "
                          "\"sip:127.0.0.1:%u;lr\", \"ROUTE_BACK\", \"0\"), "
                          "(\"second\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n",
                          fake_peer_get_port (callee, FAKE_UDP));
}

/* ROUTE_BACK: out through the router's route, over a signed Route of
 * ours; back, routing goes on with the next application of the DAR. */
START_TEST (test_route_back)
{
  g_autofree char *dar = route_back_dar ();
  use_dar (dar);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) out = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "");
  g_auto (GStrv) routes = fake_message_header_elements (out, "Route");
  ck_assert_uint_eq (g_strv_length (routes), 2);
  ck_assert_ptr_nonnull (strstr (routes[1], ";sipsv-ar="));

  send_back (out, FALSE);
  g_autoptr (FakeMessage) again = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "second:INVITE;");
  ck_assert_str_eq (fake_message_header (again, "X-Trail"), "second");
  ck_assert_uint_eq (fake_message_count_headers (again, "Route"), 0);
  g_autofree char *busy = fake_peer_build_response (again, 486, NULL, "bob-busy", NULL);
  peer_send (callee, busy);
  fake_message_free (peer_next_request (callee, "ACK"));
  /* The 486 goes back to the external proxy, on the Via it added. */
  fake_message_free (peer_next_response (callee, 486));
}
END_TEST

/* A Route whose state was altered outside is not trusted: the request is
 * routed from the start, as new (out through the router's route again). */
START_TEST (test_route_back_tampered)
{
  g_autofree char *dar = route_back_dar ();
  use_dar (dar);
  g_auto (Call) call = { 0 };
  call_start (&call);
  g_autoptr (FakeMessage) out = peer_next_request (callee, "INVITE");
  send_back (out, TRUE);
  g_autoptr (FakeMessage) again = peer_next_request (callee, "INVITE");
  ck_assert_str_eq (seen->str, "");
  ck_assert_uint_eq (fake_message_count_headers (again, "Route"), 2);
}
END_TEST

/* Sets up a call through the two proxies; the callee's 200 is ACKed. */
static void
two_proxy_call_up (Call *call)
{
  use_dar (two_proxies);
  call_start (call);
  g_autoptr (FakeMessage) invite = peer_next_request (callee, "INVITE");
  fake_message_free (callee_answers (call, invite, 200));
  g_autofree char *ack = caller_request (call, "ACK", 1);
  peer_send (caller, ack);
  fake_message_free (peer_next_request (callee, "ACK"));
}


/* New rules apply to new calls; a call up keeps the applications it has. */
START_TEST (test_reload_with_call_up)
{
  g_auto (Call) call = { 0 };
  two_proxy_call_up (&call);

  GError *error = NULL;
  g_autofree char *path = g_build_filename (dir, "dar.properties", NULL);
  ck_assert (g_file_set_contents (
      path, "INVITE: (\"answer\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n", -1,
      NULL));
  ck_assert_msg (sipservlet_container_reload_application_router (container, &error), "%s",
                 error != NULL ? error->message : "");

  g_string_truncate (seen, 0);
  g_auto (Call) next = { 0 };
  call_start (&next);
  fake_message_free (peer_next_response (caller, 200));
  ck_assert_str_eq (seen->str, "answer:INVITE;");

  caller_hangs_up (&call, "first:BYE;second:BYE;", NULL);
}
END_TEST

/* An application undeployed while a call passes it: the call's requests
 * still reach it; a new call the router sends there gets 500. */
START_TEST (test_undeploy_in_chain_with_call_up)
{
  g_auto (Call) call = { 0 };
  two_proxy_call_up (&call);
  GError *error = NULL;
  ck_assert (sipservlet_container_undeploy (container, "second", &error));

  catch_warnings_begin ();
  g_auto (Call) next = { 0 };
  call_start (&next);
  g_autoptr (FakeMessage) failed = peer_next_response (caller, 500);
  ck_assert_str_eq (failed->reason, "Application Not Deployed");
  ck_assert (caught_warning ("'second'"));

  caller_hangs_up (&call, "first:BYE;second:BYE;", NULL);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("composition-inprocess");
  TCase *tc = tcase_create ("composition");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_two_proxies_call);
  tcase_add_test (tc, test_two_proxies_callee_hangs_up);
  tcase_add_test (tc, test_two_proxies_busy);
  tcase_add_test (tc, test_two_proxies_cancel);
  tcase_add_test (tc, test_proxy_then_uas);
  tcase_add_test (tc, test_proxy_then_refusal);
  tcase_add_test (tc, test_continue_to_undeployed_application);
  tcase_add_test (tc, test_endless_router_is_bounded);
  tcase_add_test (tc, test_router_failure_on_continue);
  tcase_add_test (tc, test_b2bua_then_proxy);
  tcase_add_test (tc, test_proxy_then_b2bua);
  tcase_add_test (tc, test_b2bua_then_proxy_cancel);
  tcase_add_test (tc, test_route_back);
  tcase_add_test (tc, test_route_back_tampered);
  tcase_add_test (tc, test_reload_with_call_up);
  tcase_add_test (tc, test_undeploy_in_chain_with_call_up);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
