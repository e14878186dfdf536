/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of the addresses a container answers to: every socket
 * of a wildcard listening point, aliases, advertised names
 * (sipservlet_container_is_self()), and what an advertised name does to
 * a proxied call: it is in Via and Record-Route, and a Route naming it is
 * popped. */
#include <sipservlet/sipservlet.h>

#include <gio/gio.h>
#include <string.h>

#include "check-main.h"
#include "peer-checks.h"
#include "record-routing-proxy.h"

static SipContainer *container;

static void
setup (void)
{
  container = sipservlet_container_new (NULL);
  ck_assert_ptr_nonnull (container);
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
}

/* sipservlet_container_is_self() of a URI given as text. */
static gboolean
is_self (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static gboolean
is_self (const char *fmt, ...)
{
  va_list args;
  va_start (args, fmt);
  char *text = g_strdup_vprintf (fmt, args);
  va_end (args);
  SipURI *uri = sipservlet_uri_parse (text, NULL);
  ck_assert_msg (uri != NULL, "cannot parse %s", text);
  gboolean self = sipservlet_container_is_self (container, uri);
  sipservlet_uri_unref (uri);
  g_free (text);
  return self;
}

START_TEST (test_specific_address)
{
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_ALL,
                                          NULL));
  guint16 port = sipservlet_container_get_port (container, NULL);
  ck_assert (is_self ("sip:127.0.0.1:%u", port));
  ck_assert (is_self ("sip:bob@127.0.0.1:%u;transport=tcp", port));
  ck_assert (!is_self ("sip:127.0.0.1:%u", port == 65535 ? 1 : port + 1));
  ck_assert (!is_self ("sip:127.0.0.2:%u", port));
  ck_assert (!is_self ("sip:[::1]:%u", port));
  ck_assert (!is_self ("tel:+15551234"));
}
END_TEST

START_TEST (test_wildcard_ipv4)
{
  /* The reproduction: on 0.0.0.0, 127.0.0.1 is us. */
  ck_assert (sipservlet_container_listen (container, "0.0.0.0", 0, SIPSERVLET_TRANSPORT_ALL,
                                          NULL));
  guint16 port = sipservlet_container_get_port (container, NULL);
  ck_assert (is_self ("sip:127.0.0.1:%u", port));
  ck_assert (!is_self ("sip:0.0.0.0:%u", port));
  ck_assert (!is_self ("sip:127.0.0.1:%u", port == 65535 ? 1 : port + 1));
}
END_TEST

START_TEST (test_wildcard_ipv6)
{
  GError *error = NULL;
  if (!sipservlet_container_listen (container, "::", 0, SIPSERVLET_TRANSPORT_ALL, &error))
    {
      /* A host without IPv6 cannot run this. */
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_BIND), "%s",
                     error->message);
      g_error_free (error);
      return;
    }
  guint16 port = sipservlet_container_get_port (container, NULL);
  ck_assert (is_self ("sip:[::1]:%u", port));
  /* Compared by value, not by text. */
  ck_assert (is_self ("sip:[0:0:0::1]:%u", port));
  ck_assert (!is_self ("sip:127.0.0.1:%u", port));
}
END_TEST

START_TEST (test_aliases)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          NULL));
  ck_assert (sipservlet_container_add_alias (container, "PBX.example.com", &error));
  ck_assert (sipservlet_container_add_alias (container, "lb.example.com:5070", &error));
  ck_assert (sipservlet_container_add_alias (container, "[2001:db8::7]:5080", &error));
  ck_assert (sipservlet_container_add_alias (container, "192.0.2.33", &error));
  /* Without a port: at any port; names ignore case. */
  ck_assert (is_self ("sip:bob@pbx.example.com"));
  ck_assert (is_self ("sip:bob@pbx.EXAMPLE.com:1234"));
  ck_assert (is_self ("sip:192.0.2.33:9"));
  /* With one: at that port only (5060 when the URI has none). */
  ck_assert (is_self ("sip:lb.example.com:5070"));
  ck_assert (!is_self ("sip:lb.example.com"));
  ck_assert (is_self ("sip:[2001:db8:0::7]:5080"));
  ck_assert (!is_self ("sip:[2001:db8::7]"));
  ck_assert (!is_self ("sip:example.com"));

  const char *bad[] = { "", "a b", "host:99999", "[::1", "under_score.example" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_msg (!sipservlet_container_add_alias (container, bad[i], &error), "%s", bad[i]);
      ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
      g_clear_error (&error);
    }
}
END_TEST

START_TEST (test_listen_address_advertise_syntax)
{
  GError *error = NULL;
  ck_assert (!sipservlet_container_listen_address (container, "127.0.0.1:0 advertise",
                                                   SIPSERVLET_TRANSPORT_UDP, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert (!sipservlet_container_listen_address (container, "127.0.0.1:5999 advertise x:6000",
                                                   SIPSERVLET_TRANSPORT_UDP, &error));
  ck_assert_msg (strstr (error->message, "listening port") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!sipservlet_container_listen_advertised (container, "127.0.0.1", 0,
                                                      SIPSERVLET_TRANSPORT_UDP, "bad host!",
                                                      &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert (sipservlet_container_listen_address (container,
                                                  "127.0.0.1:0  advertise  sbc.example.net",
                                                  SIPSERVLET_TRANSPORT_UDP, &error));
  guint16 port = sipservlet_container_get_port (container, NULL);
  ck_assert (is_self ("sip:sbc.example.net:%u", port));
  ck_assert (is_self ("sip:127.0.0.1:%u", port));
  ck_assert (!is_self ("sip:sbc.example.net"));
}
END_TEST

START_TEST (test_set_destination_arguments)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:alice@example.com>", NULL);
  g_autoptr (SipAddress) to = sipservlet_address_parse ("<sip:bob@example.com>", NULL);
  g_autoptr (SipApplicationSession) app
      = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipServletRequest) request
      = sipservlet_factory_create_request (factory, app, "OPTIONS", from, to, &error);
  ck_assert_ptr_nonnull (request);

  const char *good[] = { "udp:192.0.2.1:5060", "tcp:[2001:db8::1]:5062", "UDP:127.0.0.1:1" };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    ck_assert_msg (sipservlet_request_set_destination (request, good[i],
                                                       SIPSERVLET_DESTINATION_DEFAULT, &error),
                   "%s: %s", good[i], error ? error->message : "");
  const char *bad[] = { "", "192.0.2.1:5060", "sctp:192.0.2.1:5060", "udp:host.example:5060",
                        "udp:2001:db8::1:5060", "udp:192.0.2.1", "udp:192.0.2.1:0",
                        "tcp:[::1]:70000" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_msg (!sipservlet_request_set_destination (request, bad[i],
                                                          SIPSERVLET_DESTINATION_DEFAULT, &error),
                     "%s accepted", bad[i]);
      ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
      g_clear_error (&error);
    }
}
END_TEST

static void
on_invite_outcome (SipServletRequest *request, SipServletResponse *response,
                   const GError *error, gpointer user_data)
{
  if (response == NULL)
    *(gboolean *) user_data = TRUE;
}

START_TEST (test_uac_contact_names_its_socket)
{
  /* Listening on IPv4 first and IPv6 second: an INVITE to an IPv6 peer
   * leaves from the IPv6 socket, and its Contact says so (it named the
   * first listening point, an address the peer cannot reach). */
  GError *error = NULL;
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          NULL));
  if (!sipservlet_container_listen (container, "::1", 0, SIPSERVLET_TRANSPORT_UDP, &error))
    {
      g_clear_error (&error);   /* no IPv6 on this host */
      return;
    }
  guint16 v6_port = sipservlet_container_get_port (container, "::1");
  FakePeer *peer = fake_peer_new (g_main_context_default (), "::1", v6_port, &error);
  ck_assert_msg (peer != NULL, "%s", error ? error->message : "");
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:alice@example.com>", NULL);
  char *to_text = g_strdup_printf ("<sip:bob@[::1]:%u>", fake_peer_get_port (peer, FAKE_UDP));
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, NULL);
  g_autoptr (SipApplicationSession) app
      = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipServletRequest) invite
      = sipservlet_factory_create_request (factory, app, "INVITE", from, to, &error);
  ck_assert_ptr_nonnull (invite);
  gboolean done = FALSE;
  ck_assert (sipservlet_request_send_with_callback (invite, SIPSERVLET_SEND_DEFAULT, NULL,
                                                    on_invite_outcome, &done, NULL, &error));
  FakeMessage *got = peer_next_request (peer, "INVITE");
  char *expected = g_strdup_printf ("<sip:[::1]:%u>", v6_port);
  ck_assert_str_eq (fake_message_header (got, "Contact"), expected);
  char *expected_via = g_strdup_printf ("SIP/2.0/UDP [::1]:%u;", v6_port);
  ck_assert (g_str_has_prefix (fake_message_header (got, "Via"), expected_via));
  char *busy = fake_peer_build_response (got, 486, "Busy Here", "bob1", NULL);
  peer_send (peer, busy);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_free (busy);
  g_free (expected_via);
  g_free (expected);
  g_free (to_text);
  fake_message_free (got);
  fake_peer_free (peer);
}
END_TEST

/* ---- a proxied call through an advertised listening point --------------- */

static char *
request_text (FakePeer *from, const char *method, const char *ruri, guint cseq,
              const char *to_tag, const char *extra)
{
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-adv-%s-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=alice1\r\n"
                          "To: <sip:bob@example.com>%s%s\r\n"
                          "Call-ID: advertise-test\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "%s"
                          "Content-Length: 0\r\n\r\n",
                          method, ruri, fake_peer_get_port (from, FAKE_UDP), method, cseq,
                          to_tag ? ";tag=" : "", to_tag ? to_tag : "", cseq, method,
                          fake_peer_get_port (from, FAKE_UDP), extra ? extra : "");
}

START_TEST (test_advertised_proxy)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_listen_advertised (container, "127.0.0.1", 0,
                                                     SIPSERVLET_TRANSPORT_UDP,
                                                     "proxy.example.net", &error));
  guint16 port = sipservlet_container_get_port (container, NULL);
  FakePeer *caller = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  FakePeer *callee = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert (caller != NULL && callee != NULL);
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipServlet *servlet = sipservlet_servlet_new ("proxy", &record_routing_proxy, target, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);

  char *invite = request_text (caller, "INVITE", "sip:bob@example.com", 1, NULL, NULL);
  peer_send (caller, invite);
  g_free (invite);
  FakeMessage *fwd = peer_next_request (callee, "INVITE");
  char *expected_via = g_strdup_printf ("SIP/2.0/UDP proxy.example.net:%u;", port);
  const char *via = fake_message_header (fwd, "Via");
  ck_assert_msg (g_str_has_prefix (via, expected_via), "Via: %s", via);
  char *expected_rr = g_strdup_printf ("<sip:proxy.example.net:%u;lr>", port);
  ck_assert_str_eq (fake_message_header (fwd, "Record-Route"), expected_rr);

  char *extra = g_strdup_printf ("Record-Route: %s\r\nContact: <%s>\r\n", expected_rr, target);
  char *ok = fake_peer_build_response (fwd, 200, "OK", "bob1", extra);
  peer_send (callee, ok);
  g_free (ok);
  g_free (extra);
  fake_message_free (fwd);
  fake_message_free (peer_next_response (caller, 200));

  /* The caller's BYE names the advertised address in its Route: ours,
   * popped, and the BYE goes on to the callee without it. */
  char *route = g_strdup_printf ("Route: %s\r\n", expected_rr);
  char *bye = request_text (caller, "BYE", target, 2, "bob1", route);
  peer_send (caller, bye);
  g_free (bye);
  FakeMessage *bye_fwd = peer_next_request (callee, "BYE");
  ck_assert_ptr_null (fake_message_header (bye_fwd, "Route"));
  char *bye_ok = fake_peer_build_response (bye_fwd, 200, "OK", NULL, NULL);
  peer_send (callee, bye_ok);
  g_free (bye_ok);
  fake_message_free (bye_fwd);
  fake_message_free (peer_next_response (caller, 200));

  g_free (route);
  g_free (expected_rr);
  g_free (expected_via);
  g_free (target);
  fake_peer_free (caller);
  fake_peer_free (callee);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("addresses-inprocess");
  TCase *tc = tcase_create ("addresses");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_specific_address);
  tcase_add_test (tc, test_wildcard_ipv4);
  tcase_add_test (tc, test_wildcard_ipv6);
  tcase_add_test (tc, test_aliases);
  tcase_add_test (tc, test_listen_address_advertise_syntax);
  tcase_add_test (tc, test_advertised_proxy);
  tcase_add_test (tc, test_set_destination_arguments);
  tcase_add_test (tc, test_uac_contact_names_its_socket);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
