/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of SipFactory: createRequest (JSR 289 §4.1.2 / RFC 3261
 * §8.1.1), createURI, createAddress, and SipSession.createRequest on a
 * fresh UAC session. Nothing is sent. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

static SipContainer *container;
static SipFactory *factory;
static guint16 port;
static SipApplicationSession *app;
/* Requests made by a test, released by the fixture (before the
 * container). */
static GPtrArray *requests;

static void
setup (void)
{
  GError *error = NULL;

  container = unit_container_new ();
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  UNIT_ASSERT_NO_ERROR (error);
  port = sipservlet_container_get_port (container, "127.0.0.1");
  ck_assert_uint_ne (port, 0);
  factory = sipservlet_container_get_factory (container);
  ck_assert_ptr_nonnull (factory);
  app = sipservlet_factory_create_application_session (factory);
  ck_assert_ptr_nonnull (app);
  requests = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
}

static void
teardown (void)
{
  unit_defer_flush ();
  g_clear_pointer (&requests, g_ptr_array_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
  factory = NULL;
  g_clear_pointer (&app, sipservlet_application_session_unref);
}

static SipAddress *
address (const char *text)
{
  GError *error = NULL;
  SipAddress *a = sipservlet_factory_create_address (factory, text, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (a);
  return a;
}

/* createRequest with text addresses; the fixture keeps the request. */
static SipServletRequest *
create (const char *method, const char *from, const char *to, GError **error)
{
  SipAddress *f = address (from);
  SipAddress *t = address (to);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, method, f, t,
                                                                  error);
  sipservlet_address_unref (f);
  sipservlet_address_unref (t);
  if (request != NULL)
    g_ptr_array_add (requests, request);
  return request;
}

static SipServletRequest *
create_ok (const char *method)
{
  GError *error = NULL;
  SipServletRequest *request = create (method, "\"Alice\" <sip:alice@example.com>",
                                       "<sip:bob@example.org>", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (request);
  return request;
}

static const char *
header (SipServletRequest *request, const char *name)
{
  return sipservlet_message_get_header (SIPSERVLET_MESSAGE (request), name);
}

static char *
from_tag (SipServletRequest *request)
{
  SipAddress *from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (request));
  char *tag = g_strdup (sipservlet_address_get_tag (from));
  sipservlet_address_unref (from);
  return tag;
}

/* ---- createRequest ---------------------------------------------------------- */

START_TEST (test_create_request_headers)
{
  SipServletRequest *rq = create_ok ("INVITE");
  SipServletMessage *m = SIPSERVLET_MESSAGE (rq);

  ck_assert (sipservlet_message_is_request (m));
  ck_assert_str_eq (sipservlet_message_get_method (m), "INVITE");
  ck_assert (sipservlet_request_is_initial (rq));
  ck_assert (!sipservlet_message_is_committed (m));
  ck_assert_uint_eq (sipservlet_message_get_cseq (m), 1);
  ck_assert_str_eq (header (rq, "CSeq"), "1 INVITE");
  ck_assert_int_eq (sipservlet_request_get_max_forwards (rq), 70);
  ck_assert_ptr_nonnull (sipservlet_message_get_call_id (m));
  ck_assert (strlen (sipservlet_message_get_call_id (m)) >= 8);

  /* From: the given address with a fresh tag; To: no tag. */
  SipAddress *from = sipservlet_message_get_from (m);
  ck_assert_str_eq (sipservlet_address_get_display_name (from), "Alice");
  char *uri = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  ck_assert_str_eq (uri, "sip:alice@example.com");
  g_free (uri);
  ck_assert_ptr_nonnull (sipservlet_address_get_tag (from));
  ck_assert (strlen (sipservlet_address_get_tag (from)) > 0);
  sipservlet_address_unref (from);
  SipAddress *to = sipservlet_message_get_to (m);
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  uri = sipservlet_uri_to_string (sipservlet_address_get_uri (to));
  ck_assert_str_eq (uri, "sip:bob@example.org");
  g_free (uri);
  sipservlet_address_unref (to);

  /* Request-URI: the To URI. */
  uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (rq));
  ck_assert_str_eq (uri, "sip:bob@example.org");
  g_free (uri);

  /* A Contact for this container. */
  char *contact = g_strdup_printf ("<sip:127.0.0.1:%u>", port);
  ck_assert_str_eq (header (rq, "Contact"), contact);
  g_free (contact);

  /* Not sent: no Via yet, no body. */
  ck_assert_ptr_null (header (rq, "Via"));
  ck_assert_ptr_null (sipservlet_message_get_content (m, NULL));
}
END_TEST

START_TEST (test_create_request_fresh_ids)
{
  SipServletRequest *a = create_ok ("INVITE");
  SipServletRequest *b = create_ok ("INVITE");
  SipServletRequest *c = create_ok ("OPTIONS");
  char *ta = from_tag (a);
  char *tb = from_tag (b);
  char *tc = from_tag (c);

  ck_assert_str_ne (sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (a)),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (b)));
  ck_assert_str_ne (sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (a)),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (c)));
  ck_assert_str_ne (sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (b)),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (c)));
  ck_assert_str_ne (ta, tb);
  ck_assert_str_ne (ta, tc);
  ck_assert_str_ne (tb, tc);
  /* Each request is a new session of the same application session. */
  ck_assert_ptr_ne (sipservlet_message_get_session (SIPSERVLET_MESSAGE (a)),
                    sipservlet_message_get_session (SIPSERVLET_MESSAGE (b)));
  GPtrArray *sessions = sipservlet_application_session_get_sessions (app);
  ck_assert_uint_eq (sessions->len, 3);
  g_ptr_array_unref (sessions);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 3);
  g_free (ta);
  g_free (tb);
  g_free (tc);
}
END_TEST

START_TEST (test_create_request_replaces_tags)
{
  GError *error = NULL;
  SipServletRequest *rq = create ("MESSAGE", "<sip:alice@example.com>;tag=stale",
                                  "<sip:bob@example.org>;tag=remote-tag", &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (rq);
  char *tag = from_tag (rq);
  ck_assert_str_ne (tag, "stale");
  ck_assert (strlen (tag) > 0);
  SipAddress *to = sipservlet_message_get_to (SIPSERVLET_MESSAGE (rq));
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  ck_assert_ptr_null (sipservlet_address_get_parameter (to, "tag"));
  sipservlet_address_unref (to);
  ck_assert_ptr_null (strstr (header (rq, "To"), "remote-tag"));
  ck_assert_ptr_null (strstr (header (rq, "From"), "stale"));
  ck_assert_str_eq (header (rq, "CSeq"), "1 MESSAGE");

  /* The session carries the same tag, and no remote tag. */
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (rq));
  SipAddress *local = sipservlet_session_get_local_party (session);
  ck_assert_str_eq (sipservlet_address_get_tag (local), tag);
  sipservlet_address_unref (local);
  SipAddress *remote = sipservlet_session_get_remote_party (session);
  ck_assert_ptr_null (sipservlet_address_get_tag (remote));
  sipservlet_address_unref (remote);
  ck_assert_str_eq (sipservlet_session_get_call_id (session),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (rq)));
  g_free (tag);
}
END_TEST

START_TEST (test_create_request_uri_cleanup)
{
  GError *error = NULL;
  SipServletRequest *rq = create ("INVITE", "<sip:alice@example.com>",
                                  "<sip:bob@example.org;transport=tcp;method=REGISTER"
                                  "?Subject=hi&Priority=urgent>", &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (rq);
  /* RFC 3261 Table 1: no method parameter, no headers. */
  char *uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (rq));
  ck_assert_str_eq (uri, "sip:bob@example.org;transport=tcp");
  g_free (uri);
  const SipURI *ruri = sipservlet_request_get_request_uri (rq);
  ck_assert_ptr_null (sipservlet_uri_get_parameter (ruri, "method"));
  char **headers = sipservlet_uri_get_header_names (ruri);
  ck_assert (headers == NULL || headers[0] == NULL);
  g_strfreev (headers);
  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (rq)), "INVITE");
}
END_TEST

static const struct {
  const char *method;
  gboolean contact;
} contact_cases[] = {
  { "INVITE", TRUE },
  { "SUBSCRIBE", TRUE },
  { "REFER", TRUE },
  { "OPTIONS", TRUE },
  { "MESSAGE", TRUE },
  { "INFO", TRUE },
  { "PUBLISH", TRUE },
  { "REGISTER", FALSE },
};

START_TEST (test_create_request_contact)
{
  SipServletRequest *rq = create_ok (contact_cases[_i].method);
  char *expected = g_strdup_printf ("<sip:127.0.0.1:%u>", port);

  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (rq)),
                    contact_cases[_i].method);
  if (contact_cases[_i].contact)
    {
      ck_assert_ptr_nonnull (header (rq, "Contact"));
      ck_assert_str_eq (header (rq, "Contact"), expected);
    }
  else
    ck_assert_ptr_null (header (rq, "Contact"));
  char *cseq = g_strdup_printf ("1 %s", contact_cases[_i].method);
  ck_assert_str_eq (header (rq, "CSeq"), cseq);
  g_free (cseq);
  g_free (expected);
}
END_TEST

START_TEST (test_create_request_contact_any_address)
{
  SipContainer *any = unit_container_new ();
  GError *error = NULL;

  ck_assert (sipservlet_container_listen (any, "0.0.0.0", 0, SIPSERVLET_TRANSPORT_UDP, &error));
  UNIT_ASSERT_NO_ERROR (error);
  SipFactory *f = sipservlet_container_get_factory (any);
  SipApplicationSession *a = sipservlet_factory_create_application_session (f);
  SipAddress *from = address ("<sip:alice@example.com>");
  SipAddress *to = address ("<sip:bob@example.org>");
  SipServletRequest *rq = sipservlet_factory_create_request (f, a, "INVITE", from, to, &error);
  UNIT_ASSERT_NO_ERROR (error);
  unit_defer (rq, (GDestroyNotify) sipservlet_request_unref);
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
  /* A wildcard listening address is no place to send to. */
  SipAddress *contact = sipservlet_message_get_address_header (SIPSERVLET_MESSAGE (rq), "Contact",
                                                               &error);
  UNIT_ASSERT_NO_ERROR (error);
  unit_defer (contact, (GDestroyNotify) sipservlet_address_unref);
  const SipURI *uri = sipservlet_address_get_uri (contact);
  ck_assert_str_ne (sipservlet_uri_get_host (uri), "0.0.0.0");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), sipservlet_container_get_port (any, NULL));
  unit_defer_flush ();
  sipservlet_application_session_unref (a);
  sipservlet_container_unref (any);
}
END_TEST

START_TEST (test_create_request_contact_tcp)
{
  SipContainer *tcp = unit_container_new ();
  GError *error = NULL;

  ck_assert (sipservlet_container_listen (tcp, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_TCP, &error));
  UNIT_ASSERT_NO_ERROR (error);
  SipFactory *f = sipservlet_container_get_factory (tcp);
  SipApplicationSession *a = sipservlet_factory_create_application_session (f);
  SipAddress *from = address ("<sip:alice@example.com>");
  SipAddress *to = address ("<sip:bob@example.org>");
  SipServletRequest *rq = sipservlet_factory_create_request (f, a, "INVITE", from, to, &error);
  UNIT_ASSERT_NO_ERROR (error);
  char *expected = g_strdup_printf ("<sip:127.0.0.1:%u;transport=tcp>",
                                    sipservlet_container_get_port (tcp, NULL));
  ck_assert_str_eq (sipservlet_message_get_header (SIPSERVLET_MESSAGE (rq), "Contact"),
                    expected);
  g_free (expected);
  sipservlet_request_unref (rq);
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
  sipservlet_application_session_unref (a);
  sipservlet_container_unref (tcp);
}
END_TEST

static const char *const bad_methods[] = {
  "ACK", "CANCEL", "", "IN VITE", "INVITE\r\nX", "INV:ITE", "<INVITE>",
};

START_TEST (test_create_request_bad_method)
{
  GError *error = NULL;
  guint before = sipservlet_container_get_session_count (container);

  ck_assert_ptr_null (create (bad_methods[_i], "<sip:alice@example.com>",
                              "<sip:bob@example.org>", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* No session was left behind. */
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), before);
}
END_TEST

START_TEST (test_create_request_null_method)
{
  GError *error = NULL;
  SipAddress *f = address ("<sip:alice@example.com>");
  SipAddress *t = address ("<sip:bob@example.org>");

  ck_assert_ptr_null (sipservlet_factory_create_request (factory, app, NULL, f, t, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  sipservlet_address_unref (f);
  sipservlet_address_unref (t);
}
END_TEST

START_TEST (test_create_request_wildcard)
{
  GError *error = NULL;

  ck_assert_ptr_null (create ("INVITE", "*", "<sip:bob@example.org>", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_ptr_null (create ("INVITE", "<sip:alice@example.com>", "*", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);
}
END_TEST

START_TEST (test_create_request_invalid_app_session)
{
  GError *error = NULL;

  sipservlet_application_session_ref (app);
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_ptr_null (create ("INVITE", "<sip:alice@example.com>", "<sip:bob@example.org>",
                              &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);
  sipservlet_application_session_unref (app);
}
END_TEST

START_TEST (test_created_session)
{
  SipServletRequest *rq = create_ok ("INVITE");
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (rq));

  ck_assert_ptr_nonnull (session);
  ck_assert_ptr_eq (sipservlet_message_get_application_session (SIPSERVLET_MESSAGE (rq)), app);
  ck_assert_ptr_eq (sipservlet_session_get_application_session (session), app);
  ck_assert_int_eq (sipservlet_session_get_state (session), SIPSERVLET_SESSION_STATE_INITIAL);
  ck_assert (sipservlet_session_is_valid (session));
  ck_assert (session->uac);
  ck_assert (session->dialog_method);
  ck_assert_uint_eq (session->active_transactions, 0);
  /* Not ready: it has not run a transaction yet. */
  ck_assert (!sipservlet_session_is_ready_to_invalidate (session));
  ck_assert_str_eq (sipservlet_session_get_call_id (session),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (rq)));
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 1);

  /* A MESSAGE session creates no dialog. */
  SipServletRequest *msg = create_ok ("MESSAGE");
  SipSession *msg_session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (msg));
  ck_assert (!msg_session->dialog_method);
  ck_assert (msg_session->uac);

  /* The created sessions survive a main loop turn. */
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (session));
  ck_assert (sipservlet_session_is_valid (msg_session));
}
END_TEST

/* ---- SipSession.createRequest on the fresh session ------------------------------ */

START_TEST (test_session_create_request_initial)
{
  SipServletRequest *rq = create_ok ("REGISTER");
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (rq));
  GError *error = NULL;
  char *tag = from_tag (rq);

  /* No transaction yet: allowed, same Call-ID and From tag, next CSeq. */
  SipServletRequest *again = sipservlet_session_create_request (session, "REGISTER", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (again);
  g_ptr_array_add (requests, again);
  ck_assert_str_eq (sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (again)),
                    sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (rq)));
  char *tag2 = from_tag (again);
  ck_assert_str_eq (tag2, tag);
  g_free (tag2);
  ck_assert_uint_eq (sipservlet_message_get_cseq (SIPSERVLET_MESSAGE (again)), 2);
  ck_assert_str_eq (header (again, "CSeq"), "2 REGISTER");
  ck_assert_ptr_eq (sipservlet_message_get_session (SIPSERVLET_MESSAGE (again)), session);
  ck_assert (sipservlet_request_is_initial (again));
  SipAddress *to = sipservlet_message_get_to (SIPSERVLET_MESSAGE (again));
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  sipservlet_address_unref (to);
  char *uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (again));
  ck_assert_str_eq (uri, "sip:bob@example.org");
  g_free (uri);
  ck_assert_int_eq (sipservlet_request_get_max_forwards (again), 70);

  /* With a transaction in progress: refused. */
  sipservlet_session_set_invalidate_when_ready (session, FALSE);
  sipsv_session_transaction_begin (session);
  ck_assert_ptr_null (sipservlet_session_create_request (session, "REGISTER", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  /* Once it ended (e.g. a 401): allowed again, CSeq keeps counting. */
  sipsv_session_transaction_end (session);
  again = sipservlet_session_create_request (session, "REGISTER", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (again);
  g_ptr_array_add (requests, again);
  ck_assert_uint_eq (sipservlet_message_get_cseq (SIPSERVLET_MESSAGE (again)), 3);
  g_free (tag);
}
END_TEST

START_TEST (test_session_create_request_errors)
{
  SipServletRequest *rq = create_ok ("INVITE");
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (rq));
  GError *error = NULL;

  ck_assert_ptr_null (sipservlet_session_create_request (session, "ACK", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_ptr_null (sipservlet_session_create_request (session, "CANCEL", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_ptr_null (sipservlet_session_create_request (session, "BAD METHOD", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* The refused calls did not use up CSeq numbers. */
  SipServletRequest *next = sipservlet_session_create_request (session, "INVITE", &error);
  UNIT_ASSERT_NO_ERROR (error);
  g_ptr_array_add (requests, next);
  ck_assert_uint_eq (sipservlet_message_get_cseq (SIPSERVLET_MESSAGE (next)), 2);

  /* Terminated, then invalidated. */
  sipservlet_session_set_invalidate_when_ready (session, FALSE);
  sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
  ck_assert_ptr_null (sipservlet_session_create_request (session, "BYE", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (sipservlet_session_invalidate (session, NULL));
  ck_assert_ptr_null (sipservlet_session_create_request (session, "INVITE", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_session_create_request_uas_initial)
{
  /* A UAS session with no dialog yet cannot originate requests. */
  SipAddress *local = address ("<sip:bob@example.org>;tag=b1");
  SipAddress *remote = address ("<sip:alice@example.com>;tag=a1");
  SipSession *session = sipsv_session_new (app, FALSE, "uas-call", "b1", local, remote);
  GError *error = NULL;

  ck_assert_ptr_null (sipservlet_session_create_request (session, "INFO", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  sipservlet_session_unref (session);
}
END_TEST

/* A UAC session whose dialog was established by a 2xx: what uac.c's
 * response handling records, set through the internal API. */
static SipSession *
confirmed_session (const char *first_route, const char *second_route)
{
  SipServletRequest *invite = create_ok ("INVITE");
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (invite));
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);

  sipservlet_session_set_invalidate_when_ready (session, FALSE);
  sipsv_session_set_remote_tag (session, "bob-tag");
  if (first_route != NULL)
    g_ptr_array_add (routes, g_strdup (first_route));
  if (second_route != NULL)
    g_ptr_array_add (routes, g_strdup (second_route));
  sipsv_session_set_route_set (session, routes);
  g_ptr_array_unref (routes);
  sipsv_session_set_remote_target (session, "sip:bob@192.0.2.50:5080");
  sipsv_session_register_dialog (session);
  sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_CONFIRMED);
  return session;
}

START_TEST (test_session_create_request_in_dialog)
{
  SipSession *session = confirmed_session ("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>");
  GError *error = NULL;
  SipAddress *local = sipservlet_session_get_local_party (session);

  SipServletRequest *bye = sipservlet_session_create_request (session, "BYE", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (bye);
  g_ptr_array_add (requests, bye);
  SipServletMessage *m = SIPSERVLET_MESSAGE (bye);

  ck_assert (!sipservlet_request_is_initial (bye));
  ck_assert_ptr_eq (sipservlet_message_get_session (m), session);
  ck_assert_str_eq (sipservlet_message_get_call_id (m), sipservlet_session_get_call_id (session));
  ck_assert_str_eq (header (bye, "CSeq"), "2 BYE");
  /* Request-URI: the remote target; Route: the route set in order. */
  char *uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (bye));
  ck_assert_str_eq (uri, "sip:bob@192.0.2.50:5080");
  g_free (uri);
  char **routes = sipservlet_message_get_headers (m, "Route");
  ck_assert_uint_eq (g_strv_length (routes), 2);
  ck_assert_str_eq (routes[0], "<sip:p1.example.com;lr>");
  ck_assert_str_eq (routes[1], "<sip:p2.example.com;lr>");
  g_strfreev (routes);
  /* Dialog tags on both sides. */
  SipAddress *to = sipservlet_message_get_to (m);
  ck_assert_str_eq (sipservlet_address_get_tag (to), "bob-tag");
  sipservlet_address_unref (to);
  SipAddress *from = sipservlet_message_get_from (m);
  ck_assert_str_eq (sipservlet_address_get_tag (from), sipservlet_address_get_tag (local));
  sipservlet_address_unref (from);
  /* A BYE needs no Contact; a re-INVITE does. */
  ck_assert_ptr_null (header (bye, "Contact"));

  SipServletRequest *reinvite = sipservlet_session_create_request (session, "INVITE", &error);
  UNIT_ASSERT_NO_ERROR (error);
  g_ptr_array_add (requests, reinvite);
  ck_assert_str_eq (header (reinvite, "CSeq"), "3 INVITE");
  char *contact = g_strdup_printf ("<sip:127.0.0.1:%u>", port);
  ck_assert_str_eq (header (reinvite, "Contact"), contact);
  g_free (contact);
  ck_assert (!sipservlet_request_is_initial (reinvite));

  sipservlet_address_unref (local);
}
END_TEST

START_TEST (test_session_create_request_strict_route)
{
  /* RFC 3261 §12.2.1.1: a first route without lr is a strict router. */
  SipSession *session = confirmed_session ("<sip:strict.example.com>", "<sip:p2.example.com;lr>");
  GError *error = NULL;

  SipServletRequest *info = sipservlet_session_create_request (session, "INFO", &error);
  UNIT_ASSERT_NO_ERROR (error);
  g_ptr_array_add (requests, info);
  char *uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (info));
  ck_assert_str_eq (uri, "sip:strict.example.com");
  g_free (uri);
  char **routes = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (info), "Route");
  ck_assert_uint_eq (g_strv_length (routes), 2);
  ck_assert_str_eq (routes[0], "<sip:p2.example.com;lr>");
  ck_assert_str_eq (routes[1], "<sip:bob@192.0.2.50:5080>");
  g_strfreev (routes);
}
END_TEST

START_TEST (test_session_create_request_early)
{
  SipSession *session = confirmed_session (NULL, NULL);
  GError *error = NULL;

  /* Early dialog: in-dialog requests (PRACK, UPDATE) are allowed. */
  sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_EARLY);
  SipServletRequest *update = sipservlet_session_create_request (session, "UPDATE", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (update);
  g_ptr_array_add (requests, update);
  ck_assert_ptr_null (header (update, "Route"));
  char *uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (update));
  ck_assert_str_eq (uri, "sip:bob@192.0.2.50:5080");
  g_free (uri);
  ck_assert_str_eq (header (update, "CSeq"), "2 UPDATE");
}
END_TEST

/* ---- createURI / createAddress -------------------------------------------------- */

START_TEST (test_create_uri)
{
  GError *error = NULL;
  SipURI *uri = sipservlet_factory_create_uri (factory, "sip:alice@example.com:5070;transport=tcp",
                                               &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (uri);
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "example.com");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5070);
  sipservlet_uri_unref (uri);

  uri = sipservlet_factory_create_uri (factory, "tel:+15551234567", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_uri_is_tel (uri));
  sipservlet_uri_unref (uri);

  const char *const bad[] = { "", "not a uri", "sip:", "alice@example.com", "sip:alice@" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_msg (sipservlet_factory_create_uri (factory, bad[i], &error) == NULL,
                     "'%s' parsed as a URI", bad[i]);
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
    }
}
END_TEST

START_TEST (test_create_address)
{
  GError *error = NULL;
  SipAddress *a = sipservlet_factory_create_address (factory,
                                                     "\"Bob B.\" <sip:bob@example.org>;tag=x;q=0.7",
                                                     &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_address_get_display_name (a), "Bob B.");
  ck_assert_str_eq (sipservlet_address_get_tag (a), "x");
  ck_assert_double_eq_tol (sipservlet_address_get_q (a), 0.7, 1e-9);
  sipservlet_address_unref (a);

  a = sipservlet_factory_create_address (factory, "*", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_address_is_wildcard (a));
  sipservlet_address_unref (a);

  const char *const bad[] = {
    "", "<sip:alice@example.com", "\"unterminated <sip:alice@example.com>",
    "not an address", "<>",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_msg (sipservlet_factory_create_address (factory, bad[i], &error) == NULL,
                     "'%s' parsed as an address", bad[i]);
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
    }
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("factory");
  TCase *tc = tcase_create ("factory");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_create_request_headers);
  tcase_add_test (tc, test_create_request_fresh_ids);
  tcase_add_test (tc, test_create_request_replaces_tags);
  tcase_add_test (tc, test_create_request_uri_cleanup);
  tcase_add_loop_test (tc, test_create_request_contact, 0, G_N_ELEMENTS (contact_cases));
  tcase_add_test (tc, test_create_request_contact_any_address);
  tcase_add_test (tc, test_create_request_contact_tcp);
  tcase_add_loop_test (tc, test_create_request_bad_method, 0, G_N_ELEMENTS (bad_methods));
  tcase_add_test (tc, test_create_request_null_method);
  tcase_add_test (tc, test_create_request_wildcard);
  tcase_add_test (tc, test_create_request_invalid_app_session);
  tcase_add_test (tc, test_created_session);
  tcase_add_test (tc, test_session_create_request_initial);
  tcase_add_test (tc, test_session_create_request_errors);
  tcase_add_test (tc, test_session_create_request_uas_initial);
  tcase_add_test (tc, test_session_create_request_in_dialog);
  tcase_add_test (tc, test_session_create_request_strict_route);
  tcase_add_test (tc, test_session_create_request_early);
  tcase_add_test (tc, test_create_uri);
  tcase_add_test (tc, test_create_address);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
