/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of applications and the application router (JSR 289
 * chapters 15 and 16) for initial requests from the network: the DAR
 * chooses the application, its mappings the servlet; the router's errors;
 * the implicit application; undeploying with a call up; an application's
 * own listeners; its security constraint. A fake caller and callee on
 * loopback. */
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
static GString *seen;              /* "app:servlet:region:subscriber;" per request */
static guint destroyed;            /* servlet destroy handlers run */
static guint app_sessions_created; /* by the "blocking" application's own listener */
static SipServletRequest *held;

static void
note (SipServletRequest *request, const char *servlet)
{
  SipApplicationSession *app = sipservlet_message_get_application_session (
      sipservlet_request_get_message (request));
  const SipURI *subscriber = sipservlet_request_get_subscriber_uri (request);
  g_autofree char *text = subscriber != NULL ? sipservlet_uri_to_string (subscriber) : NULL;
  static const char *const regions[] = { "neutral", "originating", "terminating" };
  g_string_append_printf (seen, "%s:%s:%s:%s;",
                          sipservlet_application_session_get_application_name (app), servlet,
                          regions[sipservlet_request_get_routing_region (request)],
                          text != NULL ? text : "-");
}

/* Answers 403 (the blocking application's verdict). */
static void
on_block (SipServletRequest *request, gpointer user_data)
{
  note (request, "block");
  sipservlet_request_respond (request, 403, "Blocked", NULL);
}

/* Proxies to the callee, record-routed. */
static void
on_proxy (SipServletRequest *request, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SipServletMessage *message = sipservlet_request_get_message (request);
  const char *method = sipservlet_message_get_method (message);

  note (request, user_data);
  if (!sipservlet_request_is_initial (request) || g_str_equal (method, "ACK"))
    return;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert_ptr_nonnull (proxy);
  sipservlet_proxy_set_record_route (proxy, TRUE, NULL);
  g_autofree char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u",
                                             fake_peer_get_port (callee, FAKE_UDP));
  g_autoptr (SipURI) uri = sipservlet_uri_parse (target, NULL);
  ck_assert (sipservlet_proxy_to (proxy, uri, &error));
}

static void
on_answer (SipServletRequest *request, gpointer user_data)
{
  note (request, user_data);
  if (g_str_equal (sipservlet_message_get_method (sipservlet_request_get_message (request)),
                   "ACK"))
    return;
  sipservlet_request_respond (request, 200, NULL, NULL);
}

static SipServlet *
servlet_new (const char *name, SipRequestCallback callback)
{
  return sipservlet_servlet_new_with_callback (name, callback, g_strdup (name), g_free);
}

static void
on_app_session_created (SipApplicationSession *app_session, gpointer user_data)
{
  ck_assert_str_eq (sipservlet_application_session_get_application_name (app_session),
                    "blocking");
  app_sessions_created++;
}

static void
on_servlet_destroy (SipServlet *servlet, gpointer user_data)
{
  destroyed++;
}

static void
on_answer_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  sipservlet_request_respond (request, 200, NULL, NULL);
}

/* Answers INVITE and BYE; counts its destroy. */
static const SipServletHandlers answer_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_answer_request,
  .do_bye = on_answer_request,
  .destroy = on_servlet_destroy,
};

/* "blocking": mappings; INVITE from a user named "mallory" gets 403,
 * others are proxied. "forwarding": one main servlet that proxies. */
static void
deploy_examples (void)
{
  GError *error = NULL;
  g_autoptr (SipApplication) blocking = sipservlet_application_new ("blocking", &error);
  ck_assert_ptr_nonnull (blocking);
  SipServlet *block = servlet_new ("block", on_block);
  SipServlet *pass = servlet_new ("pass", on_proxy);
  ck_assert (sipservlet_application_add_servlet (blocking, block, &error));
  ck_assert (sipservlet_application_add_servlet (blocking, pass, &error));
  sipservlet_servlet_unref (block);
  sipservlet_servlet_unref (pass);
  static const char descriptor[] =
      "<sip-app xmlns=\"http://www.jcp.org/xml/ns/sipservlet\">\n"
      "  <app-name>blocking</app-name>\n"
      "  <servlet-selection>\n"
      "    <servlet-mapping><servlet-name>block</servlet-name>\n"
      "      <pattern><equal><var>request.from.uri.user</var><value>mallory</value></equal>"
      "</pattern>\n"
      "    </servlet-mapping>\n"
      "    <servlet-mapping><servlet-name>pass</servlet-name>\n"
      "      <pattern><exists><var>request.method</var></exists></pattern>\n"
      "    </servlet-mapping>\n"
      "  </servlet-selection>\n"
      "</sip-app>\n";
  ck_assert (sipservlet_application_load_descriptor (blocking, descriptor, -1, "blocking.xml",
                                                     &error));
  static const SipServletListeners listeners = {
    SIPSERVLET_LISTENERS_INIT,
    .application_session_created = on_app_session_created,
  };
  ck_assert (sipservlet_application_add_listeners (blocking, &listeners, NULL, NULL));
  ck_assert (sipservlet_container_deploy (container, blocking, &error));

  g_autoptr (SipApplication) forwarding = sipservlet_application_new ("forwarding", &error);
  SipServlet *forward = sipservlet_servlet_new ("forward", &answer_handlers, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (forwarding, forward, &error));
  sipservlet_servlet_unref (forward);
  ck_assert (sipservlet_application_set_main_servlet (forwarding, "forward", &error));
  ck_assert (sipservlet_container_deploy (container, forwarding, &error));
  ck_assert_ptr_null (error);
}

static char *
write_dar (const char *text)
{
  char *path = g_build_filename (dir, "dar.properties", NULL);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static void
use_dar (const char *text)
{
  GError *error = NULL;
  g_autofree char *path = write_dar (text);
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
  dir = g_dir_make_tmp ("sipservlet-apps-XXXXXX", NULL);
  ck_assert_ptr_nonnull (dir);
  seen = g_string_new (NULL);
  destroyed = 0;
  app_sessions_created = 0;
}

static void
teardown (void)
{
  catch_warnings_end ();
  g_clear_pointer (&held, sipservlet_request_unref);
  fake_peer_free (caller);
  fake_peer_free (callee);
  g_clear_pointer (&container, sipservlet_container_unref);
  g_autofree char *path = g_build_filename (dir, "dar.properties", NULL);
  g_unlink (path);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
  g_string_free (seen, TRUE);
}

static char *
invite_from (const char *user, const char *ruri, guint n)
{
  return g_strdup_printf ("INVITE %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-%s-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:%s@example.com>;tag=from%u\r\n"
                          "To: <sip:bob@example.com>\r\n"
                          "Call-ID: apps-%s-%u@test\r\n"
                          "CSeq: 1 INVITE\r\n"
                          "Contact: <sip:%s@127.0.0.1:%u>\r\n"
                          "Content-Length: 0\r\n\r\n",
                          ruri, fake_peer_get_port (caller, FAKE_UDP), user, n, user, n, user, n,
                          user, fake_peer_get_port (caller, FAKE_UDP));
}

static const char example_dar[]
    = "# call blocking for the caller, then forwarding for the callee\n"
      "INVITE: (\"blocking\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), \\\n"
      "        (\"forwarding\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n";

/* The DAR's first application gets the request; its mapping chooses the
 * servlet; region and subscriber are the DAR's. */
START_TEST (test_router_dar_chooses_application_and_servlet)
{
  deploy_examples ();
  use_dar (example_dar);
  g_autofree char *invite = invite_from ("mallory", "sip:bob@example.com", 1);
  peer_send (caller, invite);
  fake_message_free (peer_next_response (caller, 403));
  ck_assert_str_eq (seen->str, "blocking:block:originating:sip:mallory@example.com;");
  ck_assert_uint_eq (app_sessions_created, 1);

  /* Passed on, the request goes to the DAR's next application in process
   * (composition), whose main servlet answers it: the callee sees nothing. */
  g_string_truncate (seen, 0);
  g_autofree char *good = invite_from ("alice", "sip:bob@example.com", 2);
  peer_send (caller, good);
  g_autoptr (FakeMessage) answer = peer_next_response (caller, 200);
  ck_assert_str_eq (seen->str, "blocking:pass:originating:sip:alice@example.com;");
  ck_assert_uint_eq (fake_message_count_headers (answer, "Record-Route"), 1);
  fake_peer_run (callee, 100);
  ck_assert_uint_eq (fake_peer_pending (callee), 0);
}
END_TEST

/* A router that names an application nobody deployed: 500. */
START_TEST (test_router_undeployed_application_is_500)
{
  deploy_examples ();
  use_dar ("INVITE: (\"voicemail\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n");
  g_autofree char *invite = invite_from ("alice", "sip:bob@example.com", 3);
  catch_warnings_begin ();
  peer_send (caller, invite);
  FakeMessage *answer = peer_next_response (caller, 500);
  ck_assert_str_eq (answer->reason, "Application Not Deployed");
  fake_message_free (answer);
  ck_assert (caught_warning ("'voicemail'"));
  ck_assert_str_eq (seen->str, "");
}
END_TEST

/* No application for the method, no implicit servlet, addressed to us
 * without a Route: 404. */
START_TEST (test_router_no_application_for_us_is_404)
{
  deploy_examples ();
  use_dar (example_dar);
  g_autofree char *ruri = g_strdup_printf ("sip:127.0.0.1:%u", port);
  g_autofree char *options
      = g_strdup_printf ("OPTIONS %s SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-options\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@example.com>;tag=o1\r\n"
                         "To: <%s>\r\n"
                         "Call-ID: apps-options@test\r\n"
                         "CSeq: 1 OPTIONS\r\n"
                         "Content-Length: 0\r\n\r\n",
                         ruri, fake_peer_get_port (caller, FAKE_UDP), ruri);
  peer_send (caller, options);
  fake_message_free (peer_next_response (caller, 404));
}
END_TEST

/* Servlets added the old way form the implicit application: it gets what
 * the router leaves. */
START_TEST (test_router_leaves_request_to_implicit_application)
{
  GError *error = NULL;
  deploy_examples ();
  use_dar (example_dar);
  SipServlet *old = servlet_new ("options", on_answer);
  ck_assert (sipservlet_container_add_servlet (container, old, "OPTIONS", &error));
  sipservlet_servlet_unref (old);
  g_autofree char *options
      = g_strdup_printf ("OPTIONS sip:bob@example.com SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-opt2\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@example.com>;tag=o2\r\n"
                         "To: <sip:bob@example.com>\r\n"
                         "Call-ID: apps-options2@test\r\n"
                         "CSeq: 1 OPTIONS\r\n"
                         "Content-Length: 0\r\n\r\n",
                         fake_peer_get_port (caller, FAKE_UDP));
  peer_send (caller, options);
  fake_message_free (peer_next_response (caller, 200));
  ck_assert_str_eq (seen->str, SIPSERVLET_IMPLICIT_APPLICATION ":options:neutral:-;");
}
END_TEST

/* An application whose mappings match nothing: 404. */
START_TEST (test_mapping_no_match_is_404)
{
  GError *error = NULL;
  g_autoptr (SipApplication) app = sipservlet_application_new ("picky", &error);
  SipServlet *servlet = servlet_new ("only-bob", on_answer);
  ck_assert (sipservlet_application_add_servlet (app, servlet, &error));
  sipservlet_servlet_unref (servlet);
  SipPattern *pattern = sipservlet_pattern_equal ("request.from.uri.user", "bob", FALSE, &error);
  ck_assert (sipservlet_application_add_mapping (app, "only-bob", pattern, &error));
  sipservlet_pattern_unref (pattern);
  ck_assert (sipservlet_container_deploy (container, app, &error));
  use_dar ("INVITE: (\"picky\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n");
  g_autofree char *invite = invite_from ("alice", "sip:bob@example.com", 4);
  peer_send (caller, invite);
  fake_message_free (peer_next_response (caller, 404));
}
END_TEST

/* A ROUTE with an external first route: the request goes there, with the
 * routes pushed, and no application sees it. */
START_TEST (test_router_external_route)
{
  deploy_examples ();
  g_autofree char *dar = g_strdup_printf (
      "INVITE: (\"forwarding\", \"DAR:To\", \"TERMINATING\", "
      "\"sip:127.0.0.1:%u;lr\", \"ROUTE\", \"0\")\n",
      fake_peer_get_port (callee, FAKE_UDP));
  use_dar (dar);
  g_autofree char *invite = invite_from ("alice", "sip:bob@example.com", 5);
  peer_send (caller, invite);
  FakeMessage *fwd = peer_next_request (callee, "INVITE");
  g_autofree char *expected = g_strdup_printf ("<sip:127.0.0.1:%u;lr>",
                                               fake_peer_get_port (callee, FAKE_UDP));
  ck_assert_str_eq (fake_message_header (fwd, "Route"), expected);
  ck_assert_str_eq (seen->str, "");
  char *busy = fake_peer_build_response (fwd, 486, "Busy Here", "bob1", NULL);
  peer_send (callee, busy);
  fake_message_free (peer_next_response (caller, 486));
  g_free (busy);
  fake_message_free (fwd);
}
END_TEST

/* Undeploying with a call up: the call's BYE still reaches the
 * application; new INVITEs get 500 (the DAR still names it); its servlet
 * is destroyed when the call's application session goes. */
START_TEST (test_undeploy_while_call_is_up)
{
  GError *error = NULL;
  deploy_examples ();
  use_dar ("INVITE: (\"forwarding\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n");
  g_autofree char *invite = invite_from ("alice", "sip:bob@example.com", 6);
  peer_send (caller, invite);
  FakeMessage *ok = peer_next_response (caller, 200);
  const char *to = fake_message_header (ok, "To");
  const char *tag = strstr (to, "tag=") + 4;
  g_autofree char *ack
      = g_strdup_printf ("ACK sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-ack\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@example.com>;tag=from6\r\n"
                         "To: <sip:bob@example.com>;tag=%s\r\n"
                         "Call-ID: apps-alice-6@test\r\n"
                         "CSeq: 1 ACK\r\n"
                         "Content-Length: 0\r\n\r\n",
                         port, fake_peer_get_port (caller, FAKE_UDP), tag);
  peer_send (caller, ack);

  ck_assert (sipservlet_container_undeploy (container, "forwarding", &error));
  ck_assert_uint_eq (destroyed, 0);
  ck_assert_ptr_null (sipservlet_container_get_application (container, "forwarding"));
  g_autofree char *again = invite_from ("alice", "sip:bob@example.com", 7);
  catch_warnings_begin ();
  peer_send (caller, again);
  fake_message_free (peer_next_response (caller, 500));
  ck_assert (caught_warning ("'forwarding'"));

  g_autofree char *bye
      = g_strdup_printf ("BYE sip:bob@127.0.0.1:%u SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-bye\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@example.com>;tag=from6\r\n"
                         "To: <sip:bob@example.com>;tag=%s\r\n"
                         "Call-ID: apps-alice-6@test\r\n"
                         "CSeq: 2 BYE\r\n"
                         "Content-Length: 0\r\n\r\n",
                         port, fake_peer_get_port (caller, FAKE_UDP), tag);
  peer_send (caller, bye);
  fake_message_free (peer_next_response (caller, 200));
  fake_message_free (ok);
  ck_assert_str_eq (seen->str, "");      /* "forward" has handlers, not callbacks */
  /* The application session ends with its dialog. */
  for (int i = 0; i < 50 && destroyed == 0; i++)
    fake_peer_run (caller, 20);
  ck_assert_uint_eq (destroyed, 1);
}
END_TEST

/* A security constraint on INVITE: with the container's credentials but a
 * policy that challenges nothing itself, the application's INVITEs are
 * challenged (407: not addressed to us) and its OPTIONS are not. */
START_TEST (test_application_security_constraint)
{
  GError *error = NULL;
  g_autofree char *ha1 = g_compute_checksum_for_string (G_CHECKSUM_MD5,
                                                        "alice:example.com:secret", -1);
  g_autofree char *line = g_strdup_printf ("alice:example.com:%s\n", ha1);
  g_autofree char *path = g_build_filename (dir, "users", NULL);
  ck_assert (g_file_set_contents (path, line, -1, NULL));
  g_autoptr (SipCredentialStore) store = sipservlet_credential_store_new_from_file (path, &error);
  ck_assert_ptr_nonnull (store);
  ck_assert (sipservlet_container_set_authentication (container, store, "example.com", &error));
  ck_assert (sipservlet_container_add_domain (container, "example.com", &error));
  sipservlet_container_set_auth_policy (container, 0);

  g_autoptr (SipApplication) app = sipservlet_application_new ("secure", &error);
  SipServlet *servlet = servlet_new ("answer", on_answer);
  ck_assert (sipservlet_application_add_servlet (app, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (app, "answer", &error));
  static const char *const methods[] = { "INVITE", NULL };
  sipservlet_application_require_authentication (app, methods);
  ck_assert (sipservlet_container_deploy (container, app, &error));
  use_dar ("ALL: (\"secure\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\")\n");

  g_autofree char *invite = invite_from ("alice", "sip:bob@example.com", 40);
  peer_send (caller, invite);
  FakeMessage *challenge = peer_next_response (caller, 407);
  ck_assert_ptr_nonnull (fake_message_header (challenge, "Proxy-Authenticate"));
  fake_message_free (challenge);
  ck_assert_str_eq (seen->str, "");

  g_autofree char *options
      = g_strdup_printf ("OPTIONS sip:bob@example.com SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-apps-opt40\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@example.com>;tag=o40\r\n"
                         "To: <sip:bob@example.com>\r\n"
                         "Call-ID: apps-options40@test\r\n"
                         "CSeq: 1 OPTIONS\r\n"
                         "Content-Length: 0\r\n\r\n",
                         fake_peer_get_port (caller, FAKE_UDP));
  peer_send (caller, options);
  fake_message_free (peer_next_response (caller, 200));
  ck_assert_str_eq (seen->str, "secure:answer:originating:sip:alice@example.com;");
  g_unlink (path);
}
END_TEST

/* ---- targeted requests (JSR 289 §15.11) ----------------------------------- */

static GPtrArray *app_session_ids;     /* of each INVITE "recorder" got */
static char *encoded;                  /* the first one's encoded URI */
static gboolean had_corresponding;     /* a Replaces named a session of ours */

/* Answers INVITE 200 and notes its application session; the first one
 * also encodes a URI that leads back to it. */
static void
on_record (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  SipApplicationSession *app = sipservlet_message_get_application_session (message);
  SipSession *session = sipservlet_message_get_session (message);

  g_ptr_array_add (app_session_ids, g_strdup (sipservlet_application_session_get_id (app)));
  if (sipservlet_session_get_corresponding_session (session, "Replaces") != NULL)
    had_corresponding = TRUE;
  if (encoded == NULL)
    {
      g_autoptr (SipURI) uri = sipservlet_uri_parse ("sip:back@127.0.0.1", NULL);
      g_autoptr (SipURI) back = sipservlet_application_session_encode_uri (app, uri);
      encoded = sipservlet_uri_to_string (back);
    }
  sipservlet_request_respond (request, 200, NULL, NULL);
}

static char *
key_from_user (SipServletRequest *request, gpointer user_data)
{
  g_autoptr (SipAddress) from = sipservlet_message_get_from (
      sipservlet_request_get_message (request));
  return g_strdup (sipservlet_uri_get_user (sipservlet_address_get_uri (from)));
}

static const SipServletHandlers record_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_record,
  .do_bye = on_answer_request,
};

/* "recorder", keyed by the From user when keyed; the DAR sends INVITE
 * to it. */
static void
deploy_recorder (gboolean keyed)
{
  GError *error = NULL;
  g_autoptr (SipApplication) app = sipservlet_application_new ("recorder", &error);
  SipServlet *servlet = sipservlet_servlet_new ("record", &record_handlers, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (app, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (app, "record", &error));
  if (keyed)
    sipservlet_application_set_key_func (app, key_from_user, NULL, NULL);
  ck_assert (sipservlet_container_deploy (container, app, &error));
  use_dar ("INVITE: (\"recorder\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n");
  app_session_ids = g_ptr_array_new_with_free_func (g_free);
  had_corresponding = FALSE;
}

static void
forget_recorder (void)
{
  g_clear_pointer (&app_session_ids, g_ptr_array_unref);
  g_clear_pointer (&encoded, g_free);
}

/* An INVITE from user (Call-ID "t-n") with extra headers; returns the
 * To tag of its 200 (g_free()). */
static char *
call (const char *user, const char *ruri, guint n, const char *extra, guint expect)
{
  g_autofree char *invite
      = g_strdup_printf ("INVITE %s SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-t-%u;rport\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:%s@example.com>;tag=f%u\r\n"
                         "To: <sip:bob@example.com>\r\n"
                         "Call-ID: t-%u@test\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Contact: <sip:%s@127.0.0.1:%u>\r\n"
                         "%s"
                         "Content-Length: 0\r\n\r\n",
                         ruri, fake_peer_get_port (caller, FAKE_UDP), n, user, n, n, user,
                         fake_peer_get_port (caller, FAKE_UDP), extra != NULL ? extra : "");
  peer_send (caller, invite);
  FakeMessage *answer = peer_next_response (caller, expect);
  const char *to = fake_message_header (answer, "To");
  const char *tag = strstr (to, "tag=");
  char *result = g_strdup (tag != NULL ? tag + 4 : "");
  fake_message_free (answer);
  return result;
}

START_TEST (test_targeting_join_and_replaces_errors)
{
  deploy_recorder (FALSE);
  g_free (call ("alice", "sip:bob@example.com", 1,
                "Join: x@test;to-tag=a;from-tag=b\r\nReplaces: x@test;to-tag=a;from-tag=b\r\n",
                400));
  /* A dialog we do not have, the request addressed to us: 481. */
  g_autofree char *ours = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
  g_free (call ("alice", ours, 2, "Replaces: nobody@test;to-tag=a;from-tag=b\r\n", 481));
  g_free (call ("alice", ours, 3, "Replaces: broken;;\r\n", 400));
  ck_assert_uint_eq (app_session_ids->len, 0);
  forget_recorder ();
}
END_TEST

/* A Replaces naming our confirmed dialog joins its application session,
 * and the new session knows the one it replaces. */
START_TEST (test_targeting_replaces_joins_application_session)
{
  deploy_recorder (FALSE);
  g_autofree char *ours = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
  g_autofree char *tag = call ("alice", ours, 10, NULL, 200);
  g_autofree char *replaces = g_strdup_printf ("Replaces: t-10@test;to-tag=%s;from-tag=f10\r\n",
                                               tag);
  g_free (call ("carol", ours, 11, replaces, 200));
  ck_assert_uint_eq (app_session_ids->len, 2);
  ck_assert_str_eq (app_session_ids->pdata[0], app_session_ids->pdata[1]);
  ck_assert (had_corresponding);
  forget_recorder ();
}
END_TEST

/* The key function: the same From user joins the same application
 * session, another user gets another. */
START_TEST (test_targeting_session_key)
{
  deploy_recorder (TRUE);
  g_free (call ("alice", "sip:bob@example.com", 20, NULL, 200));
  g_free (call ("alice", "sip:bob@example.com", 21, NULL, 200));
  g_free (call ("carol", "sip:bob@example.com", 22, NULL, 200));
  ck_assert_uint_eq (app_session_ids->len, 3);
  ck_assert_str_eq (app_session_ids->pdata[0], app_session_ids->pdata[1]);
  ck_assert_str_ne (app_session_ids->pdata[0], app_session_ids->pdata[2]);
  forget_recorder ();
}
END_TEST

/* A Request-URI made by encode_uri: back to the same application session
 * (a forged one is an ordinary initial request). */
START_TEST (test_targeting_encoded_uri)
{
  deploy_recorder (FALSE);
  g_free (call ("alice", "sip:bob@example.com", 30, NULL, 200));
  ck_assert_ptr_nonnull (encoded);
  g_free (call ("dave", encoded, 31, NULL, 200));
  g_free (call ("erin", "sip:back@127.0.0.1;sipsv-as=as-0000000000000000-1", 32, NULL, 200));
  ck_assert_uint_eq (app_session_ids->len, 3);
  ck_assert_str_eq (app_session_ids->pdata[0], app_session_ids->pdata[1]);
  ck_assert_str_ne (app_session_ids->pdata[0], app_session_ids->pdata[2]);
  forget_recorder ();
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("applications-inprocess");
  TCase *tc = tcase_create ("applications");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_router_dar_chooses_application_and_servlet);
  tcase_add_test (tc, test_router_undeployed_application_is_500);
  tcase_add_test (tc, test_router_no_application_for_us_is_404);
  tcase_add_test (tc, test_router_leaves_request_to_implicit_application);
  tcase_add_test (tc, test_mapping_no_match_is_404);
  tcase_add_test (tc, test_router_external_route);
  tcase_add_test (tc, test_undeploy_while_call_is_up);
  tcase_add_test (tc, test_application_security_constraint);
  tcase_add_test (tc, test_targeting_join_and_replaces_errors);
  tcase_add_test (tc, test_targeting_replaces_joins_application_session);
  tcase_add_test (tc, test_targeting_session_key);
  tcase_add_test (tc, test_targeting_encoded_uri);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
