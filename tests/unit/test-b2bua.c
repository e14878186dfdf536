/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the SipB2buaHelper rules (JSR 289 chapter 12) on messages
 * built from raw SIP text: what the other leg's request copies and what it
 * does not, header overrides, linking and unlinking sessions and requests,
 * pending messages in CSeq order, and the state errors.
 *
 * Requests parsed here have no server transaction, so nothing is sent: the
 * rules that need one (the 483 for Max-Forwards 0, get_proxy against
 * get_b2bua_helper, extra 2xx, CANCEL) are in
 * tests/integration/test-b2bua-inprocess.c. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "assert-helpers.h"
#include "check-main.h"
#include "unit-helpers.h"

/* An initial INVITE as a proxy in front of us would pass it on: two Via,
 * Route and Record-Route, Contact, application headers and a body. */
#define INVITE_TEXT                                                           \
  "INVITE sip:bob@example.com;user=phone SIP/2.0" CRLF                        \
  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-p1" CRLF                   \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-a1" CRLF                    \
  "Max-Forwards: 70" CRLF                                                     \
  "Route: <sip:192.0.2.20;lr>" CRLF                                           \
  "Record-Route: <sip:192.0.2.10;lr>" CRLF                                    \
  "From: \"Alice\" <sip:alice@example.com>;tag=alice-tag" CRLF                \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: leg-a-call@192.0.2.1" CRLF                                        \
  "CSeq: 11 INVITE" CRLF                                                      \
  "Contact: <sip:alice@192.0.2.1:5060>" CRLF                                  \
  "Subject: lunch" CRLF                                                       \
  "X-Foo: one" CRLF                                                           \
  "X-Foo: two" CRLF                                                           \
  "Supported: 100rel" CRLF                                                    \
  "Allow: INVITE, ACK" CRLF                                                   \
  "Supported: timer" CRLF                                                     \
  "Allow: BYE, CANCEL" CRLF                                                   \
  "User-Agent: test-phone/1.0" CRLF                                           \
  "Content-Type: application/sdp" CRLF                                        \
  "Content-Length: 25" CRLF                                                   \
  CRLF                                                                        \
  "v=0\r\no=alice 1 1 IN IP4 x"

#define BODY "v=0\r\no=alice 1 1 IN IP4 x"

static SipContainer *container;
static SipB2buaHelper *helper;
static GPtrArray *held;          /* requests and responses to unref */

static void
setup (void)
{
  container = unit_container_new ();
  helper = &container->runtime.b2bua;
  held = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_message_unref);
}

static void
teardown (void)
{
  g_clear_pointer (&held, g_ptr_array_unref);
  unit_defer_flush ();
  g_clear_pointer (&container, sipservlet_container_unref);
  helper = NULL;
}

static gpointer
hold (gpointer message)
{
  if (message != NULL)
    g_ptr_array_add (held, message);
  return message;
}

static SipApplicationSession *
new_app (void)
{
  SipApplicationSession *app = sipsv_application_session_new (&container->runtime.sessions);
  ck_assert_ptr_nonnull (app);
  return app;
}

/* A UAS session in @app, as dispatch makes for a received initial request. */
static SipSession *
new_uas_session (SipApplicationSession *app, const char *call_id)
{
  char *tag = sipsv_new_tag ();
  SipSession *session = sipsv_session_new (app, FALSE, call_id, tag, NULL, NULL);
  g_free (tag);
  session->dialog_method = TRUE;
  sipservlet_session_unref (session);   /* the application session keeps it */
  return session;
}

/* A received request from @text, initial or not, on @session (a new
 * application session and session when NULL). */
static SipServletRequest *
received (const char *text, gboolean initial, SipSession *session)
{
  SipServletRequest *request = hold (unit_request_new (container, text, TRUE));
  request->initial = initial;
  if (session == NULL)
    session = new_uas_session (new_app (), sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
  sipsv_message_set_session (&request->base, session);
  return request;
}

static SipServletRequest *
received_invite (void)
{
  return received (INVITE_TEXT, TRUE, NULL);
}

/* An in-dialog request of @method with CSeq @cseq. */
static char *
with_cseq (const char *method, guint32 cseq)
{
  return g_strdup_printf ("%s sip:bob@192.0.2.2 SIP/2.0" CRLF
                          "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s-%u" CRLF
                          "Max-Forwards: 70" CRLF
                          "From: <sip:alice@example.com>;tag=alice-tag" CRLF
                          "To: <sip:bob@example.com>;tag=bob-tag" CRLF
                          "Call-ID: leg-a-call@192.0.2.1" CRLF
                          "CSeq: %u %s" CRLF
                          "Content-Length: 0" CRLF CRLF,
                          method, method, cseq, cseq, method);
}

static SipSession *
session_of (gpointer message)
{
  return sipservlet_message_get_session (SIPSERVLET_MESSAGE (message));
}

static const char *
header (gpointer message, const char *name)
{
  return sipservlet_message_get_header (SIPSERVLET_MESSAGE (message), name);
}

static SipServletRequest *
create (SipServletRequest *original, gboolean linked, const char *const *overrides,
        GError **error)
{
  return hold (sipservlet_b2bua_create_request (helper, original, linked, overrides, error));
}

/* ---- create_request: what is copied ------------------------------------------ */

START_TEST (test_create_request_copies)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, NULL, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (out);
  SipServletMessage *m = SIPSERVLET_MESSAGE (out);

  ck_assert (!sipservlet_message_is_committed (m));
  ck_assert_str_eq (sipservlet_message_get_method (m), "INVITE");
  char *ruri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (out));
  ck_assert_str_eq (ruri, "sip:bob@example.com;user=phone");
  g_free (ruri);

  /* Body and content type, byte for byte. */
  gsize length = 0;
  gconstpointer body = sipservlet_message_get_content (m, &length);
  ck_assert_uint_eq (length, strlen (BODY));
  ck_assert_int_eq (memcmp (body, BODY, length), 0);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/sdp");
  /* It continues the original for the application router. */
  ck_assert_int_eq (sipservlet_request_get_routing_directive (out), SIPSERVLET_ROUTING_CONTINUE);
  ck_assert_int_eq (sipservlet_request_get_routing_directive (in), SIPSERVLET_ROUTING_NEW);

  /* Non-system headers, every value. */
  ck_assert_str_eq (header (out, "Subject"), "lunch");
  ck_assert_str_eq (header (out, "User-Agent"), "test-phone/1.0");
  char **foo = sipservlet_message_get_headers (m, "X-Foo");
  ck_assert_uint_eq (g_strv_length (foo), 2);
  ck_assert_str_eq (foo[0], "one");
  ck_assert_str_eq (foo[1], "two");
  g_strfreev (foo);
  /* List headers given on several lines: every value, in order. */
  char *text = sipservlet_message_to_string (m);
  ck_assert_msg (g_regex_match_simple ("Supported: 100rel(\r\nSupported:|,) *timer\r\n", text, 0, 0)
                 && g_regex_match_simple ("Allow: INVITE, *ACK(\r\nAllow:|,) *BYE, *CANCEL\r\n",
                                          text, 0, 0),
                 "%s", text);
  g_free (text);
}
END_TEST

START_TEST (test_create_request_new_identity)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, NULL, &error);
  ck_assert_ptr_nonnull (out);
  SipServletMessage *m = SIPSERVLET_MESSAGE (out);

  /* New Call-ID and From tag; the parties themselves are kept. */
  ck_assert_str_ne (sipservlet_message_get_call_id (m), "leg-a-call@192.0.2.1");
  SipAddress *from = sipservlet_message_get_from (m);
  ck_assert_ptr_nonnull (sipservlet_address_get_tag (from));
  ck_assert_str_ne (sipservlet_address_get_tag (from), "alice-tag");
  ck_assert_str_eq (sipservlet_address_get_display_name (from), "Alice");
  char *from_uri = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  ck_assert_str_eq (from_uri, "sip:alice@example.com");
  g_free (from_uri);
  sipservlet_address_unref (from);

  SipAddress *to = sipservlet_message_get_to (m);
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  char *to_uri = sipservlet_uri_to_string (sipservlet_address_get_uri (to));
  ck_assert_str_eq (to_uri, "sip:bob@example.com");
  g_free (to_uri);
  sipservlet_address_unref (to);

  /* Nothing of the first leg's path: no Via, Route or Record-Route, and
   * the container's Contact, not the caller's. */
  ck_assert_ptr_null (header (out, "Via"));
  ck_assert_ptr_null (header (out, "Route"));
  ck_assert_ptr_null (header (out, "Record-Route"));
  ck_assert_ptr_nonnull (header (out, "Contact"));
  ck_assert_ptr_null (strstr (header (out, "Contact"), "alice@192.0.2.1"));
  char *text = sipservlet_message_to_string (m);
  ck_assert_msg (strstr (text, "192.0.2.10") == NULL && strstr (text, "192.0.2.20") == NULL
                 && strstr (text, "leg-a-call") == NULL && strstr (text, "z9hG4bK-") == NULL,
                 "the first leg shows in:\n%s", text);
  g_free (text);

  /* One hop fewer; a new CSeq. */
  ck_assert_int_eq (sipservlet_request_get_max_forwards (out), 69);
  ck_assert_uint_eq (sipservlet_message_get_cseq (m), 1);

  /* A new session in the same application session. */
  ck_assert_ptr_nonnull (session_of (out));
  ck_assert_ptr_ne (session_of (out), session_of (in));
  ck_assert_ptr_eq (sipservlet_message_get_application_session (m),
                    sipservlet_message_get_application_session (SIPSERVLET_MESSAGE (in)));
  ck_assert (sipservlet_request_is_initial (out));
}
END_TEST

/* The new leg's session knows its parties as the request carries them:
 * From with our tag, To without one until the answer brings it. */
START_TEST (test_create_request_session_parties)
{
  GError *error = NULL;
  SipServletRequest *out = create (received_invite (), TRUE, NULL, &error);
  ck_assert_ptr_nonnull (out);
  SipSession *session = session_of (out);
  SipAddress *from = unit_defer (sipservlet_message_get_from (SIPSERVLET_MESSAGE (out)),
                                 (GDestroyNotify) sipservlet_address_unref);
  SipAddress *local = unit_defer (sipservlet_session_get_local_party (session),
                                  (GDestroyNotify) sipservlet_address_unref);
  SipAddress *remote;

  ck_assert (sipservlet_address_equal (local, from));
  ck_assert_str_eq (sipservlet_address_get_tag (local), session->local_tag);
  ck_assert_str_eq (sipservlet_address_get_display_name (local), "Alice");

  /* The answer's To tag, while the party is still text; then as an
   * address; a failure answer forgets it again. */
  ck_assert_ptr_null (session->remote_party);
  sipsv_session_set_remote_tag (session, "bob-2");
  remote = unit_defer (sipservlet_session_get_remote_party (session),
                       (GDestroyNotify) sipservlet_address_unref);
  ck_assert_str_eq (sipservlet_address_get_tag (remote), "bob-2");
  char *uri = unit_defer (sipservlet_uri_to_string (sipservlet_address_get_uri (remote)), g_free);
  ck_assert_str_eq (uri, "sip:bob@example.com");
  sipsv_session_set_remote_tag (session, NULL);
  remote = unit_defer (sipservlet_session_get_remote_party (session),
                       (GDestroyNotify) sipservlet_address_unref);
  ck_assert_ptr_null (sipservlet_address_get_tag (remote));
  ck_assert_ptr_null (strstr (sipsv_session_remote_party_text (session), "tag="));
  sipsv_session_set_remote_tag (session, "bob-3");
  remote = unit_defer (sipservlet_session_get_remote_party (session),
                       (GDestroyNotify) sipservlet_address_unref);
  ck_assert_str_eq (sipservlet_address_get_tag (remote), "bob-3");
}
END_TEST

/* A caller without a From tag (RFC 2543) still gets a tagged other leg. */
START_TEST (test_create_request_untagged_from)
{
  GError *error = NULL;
  char **parts = g_strsplit (INVITE_TEXT, ";tag=alice-tag", 2);
  char *text = unit_defer (g_strjoinv ("", parts), g_free);
  g_strfreev (parts);
  SipServletRequest *out = create (received (text, TRUE, NULL), TRUE, NULL, &error);
  ck_assert_ptr_nonnull (out);
  SipAddress *from = unit_defer (sipservlet_message_get_from (SIPSERVLET_MESSAGE (out)),
                                 (GDestroyNotify) sipservlet_address_unref);
  ck_assert_str_eq (sipservlet_address_get_tag (from), session_of (out)->local_tag);
}
END_TEST

START_TEST (test_create_request_other_methods)
{
  static const char *const methods[] = { "MESSAGE", "OPTIONS", "SUBSCRIBE", "INFO" };
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      GError *error = NULL;
      char *text = with_cseq (methods[i], 4);
      /* An initial request has no To tag. */
      char **parts = g_strsplit (text, ";tag=bob-tag", 2);
      char *initial = g_strjoinv ("", parts);
      g_strfreev (parts);
      SipServletRequest *in = received (initial, TRUE, NULL);
      SipServletRequest *out = create (in, FALSE, NULL, &error);
      UNIT_ASSERT_NO_ERROR (error);
      ck_assert_ptr_nonnull (out);
      ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (out)), methods[i]);
      char *cseq = g_strdup_printf ("1 %s", methods[i]);
      ck_assert_str_eq (header (out, "CSeq"), cseq);
      g_free (cseq);
      g_free (text);
      g_free (initial);
    }
}
END_TEST

START_TEST (test_create_request_without_max_forwards)
{
  GError *error = NULL;
  char **parts = g_strsplit (INVITE_TEXT, "Max-Forwards: 70" CRLF, 2);
  char *text = g_strjoinv ("", parts);
  g_strfreev (parts);
  SipServletRequest *in = received (text, TRUE, NULL);
  g_free (text);
  ck_assert_int_eq (sipservlet_request_get_max_forwards (in), -1);
  SipServletRequest *out = create (in, TRUE, NULL, &error);
  UNIT_ASSERT_NO_ERROR (error);
  /* The container's default for a request of its own. */
  ck_assert_int_eq (sipservlet_request_get_max_forwards (out), 70);
}
END_TEST

START_TEST (test_max_forwards_zero)
{
  GError *error = NULL;
  char **parts = g_strsplit (INVITE_TEXT, "Max-Forwards: 70", 2);
  char *text = g_strjoinv ("Max-Forwards: 0", parts);
  g_strfreev (parts);
  SipServletRequest *in = received (text, TRUE, NULL);
  g_free (text);
  guint sessions = sipservlet_container_get_session_count (container);

  /* Here the request has no transaction to answer 483 on: the container
   * warns that it cannot; the in-process test checks the 483 itself. */
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  SipServletRequest *out = sipservlet_b2bua_create_request (helper, in, TRUE, NULL, &error);
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (out);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_TOO_MANY_HOPS);
  ck_assert_uint_eq (catcher.criticals, 0);
  /* No new session and no link was left behind. */
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), sessions);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (in)));
}
END_TEST

START_TEST (test_create_request_needs_received_initial)
{
  GError *error = NULL;
  char *text = with_cseq ("INFO", 5);

  /* A subsequent request. */
  SipServletRequest *subsequent = received (text, FALSE, NULL);
  ck_assert_ptr_null (create (subsequent, TRUE, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* A request of our own. */
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, FALSE, NULL, &error);
  ck_assert_ptr_nonnull (out);
  ck_assert_ptr_null (create (out, TRUE, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* A received initial request without a session. */
  SipServletRequest *bare = hold (unit_request_new (container, INVITE_TEXT, TRUE));
  bare->initial = TRUE;
  ck_assert_ptr_null (create (bare, TRUE, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  g_free (text);
}
END_TEST

/* ---- linking through create_request ---------------------------------------------- */

START_TEST (test_create_request_links)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, NULL, &error);
  ck_assert_ptr_nonnull (out);

  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, session_of (in)), session_of (out));
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, session_of (out)), session_of (in));
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, out), in);

  /* Linked already: a second linked leg is refused, an unlinked one is not. */
  ck_assert_ptr_null (create (in, TRUE, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  SipServletRequest *other = create (in, FALSE, NULL, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (other);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, other));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (other)));
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
}
END_TEST

START_TEST (test_create_request_unlinked)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, FALSE, NULL, &error);
  ck_assert_ptr_nonnull (out);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (in)));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, in));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, out));

  /* Linking it afterwards is still possible. */
  SipServletRequest *linked = create (in, TRUE, NULL, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), linked);
}
END_TEST

START_TEST (test_linked_request_forgotten_when_freed)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = sipservlet_b2bua_create_request (helper, in, TRUE, NULL, &error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
  /* The new session keeps the request that created it (for
   * create_cancel): the link lasts until the session is invalidated. */
  SipSession *session = session_of (out);
  sipservlet_request_unref (out);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
  ck_assert (sipservlet_session_invalidate (session, &error));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, in));
}
END_TEST

/* ---- overrides ---------------------------------------------------------------------- */

START_TEST (test_override_from_to)
{
  GError *error = NULL;
  const char *const overrides[] = {
    "From", "\"IVR\" <sip:ivr@example.net>;tag=forged;x=1",
    "To", "<sip:carol@example.org>;tag=forged-too",
    NULL
  };
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, overrides, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (out);

  SipAddress *from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (out));
  ck_assert_str_eq (sipservlet_address_get_display_name (from), "IVR");
  char *uri = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  ck_assert_str_eq (uri, "sip:ivr@example.net");
  g_free (uri);
  ck_assert_str_eq (sipservlet_address_get_parameter (from, "x"), "1");
  /* The tag is the container's, never the override's. */
  ck_assert_ptr_nonnull (sipservlet_address_get_tag (from));
  ck_assert_str_ne (sipservlet_address_get_tag (from), "forged");
  ck_assert_str_ne (sipservlet_address_get_tag (from), "alice-tag");
  sipservlet_address_unref (from);

  SipAddress *to = sipservlet_message_get_to (SIPSERVLET_MESSAGE (out));
  uri = sipservlet_uri_to_string (sipservlet_address_get_uri (to));
  ck_assert_str_eq (uri, "sip:carol@example.org");
  g_free (uri);
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  sipservlet_address_unref (to);

  /* The Request-URI is still the original's. */
  uri = sipservlet_uri_to_string (sipservlet_request_get_request_uri (out));
  ck_assert_str_eq (uri, "sip:bob@example.com;user=phone");
  g_free (uri);
}
END_TEST

START_TEST (test_override_bad_address)
{
  GError *error = NULL;
  const char *const overrides[] = { "From", "<not an address", NULL };
  SipServletRequest *in = received_invite ();
  ck_assert_ptr_null (create (in, TRUE, overrides, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (in)));
}
END_TEST

/* The outcome cannot depend on whether the caller asked for the error. */
START_TEST (test_override_bad_address_without_error)
{
  const char *const from[] = { "From", "<not an address", NULL };
  const char *const to[] = { "To", "<not an address", NULL };
  SipServletRequest *in = received_invite ();
  ck_assert_msg (create (in, TRUE, from, NULL) == NULL,
                 "a From override that does not parse is ignored when error is NULL");
  ck_assert_msg (create (in, TRUE, to, NULL) == NULL,
                 "a To override that does not parse is ignored when error is NULL");
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (in)));
}
END_TEST

/* From and To by their compact names are still From and To: applied like
 * the long names (or refused), never silently dropped. */
START_TEST (test_override_compact_from_to)
{
  GError *error = NULL;
  const char *const overrides[] = {
    "f", "<sip:ivr@example.net>",
    "t", "<sip:carol@example.org>",
    NULL
  };
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, overrides, &error);
  if (out == NULL)
    {
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
      return;
    }
  SipAddress *from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (out));
  SipAddress *to = sipservlet_message_get_to (SIPSERVLET_MESSAGE (out));
  char *from_uri = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  char *to_uri = sipservlet_uri_to_string (sipservlet_address_get_uri (to));
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
  unit_defer (from_uri, g_free);
  unit_defer (to_uri, g_free);
  ck_assert_str_eq (from_uri, "sip:ivr@example.net");
  ck_assert_str_eq (to_uri, "sip:carol@example.org");
}
END_TEST

static const char *const system_overrides[] = {
  "Call-ID", "i", "CSeq", "Via", "v", "Record-Route", "Max-Forwards", "Content-Length",
  "RSeq", "RAck", "Path",
};

START_TEST (test_override_system_header)
{
  GError *error = NULL;
  const char *name = system_overrides[_i];
  const char *const overrides[] = { "X-Fine", "yes", name, "1 INVITE", NULL };
  SipServletRequest *in = received_invite ();
  guint sessions = sipservlet_container_get_session_count (container);

  ck_assert_ptr_null (create (in, TRUE, overrides, &error));
  ck_assert_msg (error != NULL && g_error_matches (error, SIPSERVLET_ERROR,
                                                   SIPSERVLET_ERROR_INVALID_ARGUMENT),
                 "%s: expected INVALID_ARGUMENT, got %s", name, error ? error->message : "none");
  g_clear_error (&error);
  /* Nothing left behind: the session made for the refused leg is gone
   * and the original is not linked, so a corrected retry works. */
  unit_drain ();
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), sessions);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (in)));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, in));
  const char *const fine[] = { "X-Fine", "yes", NULL };
  ck_assert_ptr_nonnull (create (in, TRUE, fine, &error));
  UNIT_ASSERT_NO_ERROR (error);
}
END_TEST

START_TEST (test_override_replaces_header)
{
  GError *error = NULL;
  const char *const overrides[] = {
    "Subject", "dinner",
    "x-foo", "three",     /* any case */
    "X-Foo", "four",      /* a second value of the same override */
    "X-New", "fresh",
    NULL
  };
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, overrides, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (out);

  char **subject = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (out), "Subject");
  ck_assert_uint_eq (g_strv_length (subject), 1);
  ck_assert_str_eq (subject[0], "dinner");
  g_strfreev (subject);
  char **foo = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (out), "X-Foo");
  ck_assert_uint_eq (g_strv_length (foo), 2);
  ck_assert_str_eq (foo[0], "three");
  ck_assert_str_eq (foo[1], "four");
  g_strfreev (foo);
  ck_assert_str_eq (header (out, "X-New"), "fresh");
  /* Untouched headers are copied as usual. */
  ck_assert_str_eq (header (out, "User-Agent"), "test-phone/1.0");
  /* The original is not changed. */
  ck_assert_str_eq (header (in, "Subject"), "lunch");
}
END_TEST

START_TEST (test_override_without_value)
{
  GError *error = NULL;
  const char *const overrides[] = { "X-Foo", NULL };
  SipServletRequest *in = received_invite ();
  ck_assert_ptr_null (create (in, TRUE, overrides, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
}
END_TEST

START_TEST (test_override_contact_and_route)
{
  GError *error = NULL;
  const char *const overrides[] = {
    "Contact", "\"Desk\" <sip:desk@198.51.100.1:7000;transport=tcp;line=2>;expires=60",
    "Route", "<sip:outbound.example.com;lr>",
    NULL
  };
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, overrides, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (out);

  SipAddress *contact = sipservlet_message_get_address_header (SIPSERVLET_MESSAGE (out), "Contact",
                                                               &error);
  UNIT_ASSERT_NO_ERROR (error);
  const SipURI *uri = sipservlet_address_get_uri (contact);
  /* The user part, display name and free parameters are taken; the host,
   * port and transport stay the container's. */
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "desk");
  ck_assert_str_ne (sipservlet_uri_get_host (uri), "198.51.100.1");
  ck_assert_int_ne (sipservlet_uri_get_port (uri), 7000);
  ck_assert_ptr_null (sipservlet_uri_get_transport_param (uri));
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "line"), "2");
  ck_assert_str_eq (sipservlet_address_get_display_name (contact), "Desk");
  ck_assert_str_eq (sipservlet_address_get_parameter (contact, "expires"), "60");
  sipservlet_address_unref (contact);

  ck_assert_str_eq (header (out, "Route"), "<sip:outbound.example.com;lr>");
}
END_TEST

/* ---- link and unlink ------------------------------------------------------------------ */

START_TEST (test_link_rules)
{
  GError *error = NULL;
  SipApplicationSession *app = new_app ();
  SipSession *a = new_uas_session (app, "link-a");
  SipSession *b = new_uas_session (app, "link-b");
  SipSession *c = new_uas_session (app, "link-c");
  SipSession *elsewhere = new_uas_session (new_app (), "link-d");

  ck_assert (sipservlet_b2bua_link_sessions (helper, a, b, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, a), b);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, b), a);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, c));

  /* The same pair again, either way round. */
  ck_assert (sipservlet_b2bua_link_sessions (helper, a, b, &error));
  ck_assert (sipservlet_b2bua_link_sessions (helper, b, a, &error));
  UNIT_ASSERT_NO_ERROR (error);

  /* One to one: a third session cannot join either. */
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, a, c, &error), &error);
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, c, b, &error), &error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, a), b);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, c));

  /* Not with itself, not across application sessions. */
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, c, c, &error), &error);
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, c, elsewhere, &error), &error);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, elsewhere));

  /* Unlinking frees both for other partners. */
  ck_assert (sipservlet_b2bua_unlink_sessions (helper, b, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, a));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, b));
  assert_invalid_argument (sipservlet_b2bua_unlink_sessions (helper, a, &error), &error);
  assert_invalid_argument (sipservlet_b2bua_unlink_sessions (helper, c, &error), &error);
  ck_assert (sipservlet_b2bua_link_sessions (helper, a, c, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, c), a);
}
END_TEST

START_TEST (test_link_dead_sessions)
{
  GError *error = NULL;
  SipApplicationSession *app = new_app ();
  SipSession *a = new_uas_session (app, "dead-a");
  SipSession *b = new_uas_session (app, "dead-b");
  SipSession *gone = sipservlet_session_ref (new_uas_session (app, "dead-c"));
  unit_defer (gone, (GDestroyNotify) sipservlet_session_unref);
  SipSession *ended = new_uas_session (app, "dead-d");

  ck_assert (sipservlet_session_invalidate (gone, &error));
  sipsv_session_set_state (ended, SIPSERVLET_SESSION_STATE_TERMINATED);
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, a, gone, &error), &error);
  assert_invalid_argument (sipservlet_b2bua_link_sessions (helper, ended, a, &error), &error);

  /* Invalidating a linked session unlinks its partner. */
  SipSession *kept = sipservlet_session_ref (b);
  unit_defer (kept, (GDestroyNotify) sipservlet_session_unref);
  ck_assert (sipservlet_b2bua_link_sessions (helper, a, b, &error));
  ck_assert (sipservlet_session_invalidate (b, &error));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, a));
  assert_invalid_argument (sipservlet_b2bua_unlink_sessions (helper, a, &error), &error);
}
END_TEST

START_TEST (test_unlink_unlinks_pending_requests)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipSession *session = session_of (in);
  /* As the UAS layer keeps a received request until its final response. */
  session->pending_uas = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
  g_ptr_array_add (session->pending_uas, sipservlet_request_ref (in));

  SipServletRequest *out = create (in, TRUE, NULL, &error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
  ck_assert (sipservlet_b2bua_unlink_sessions (helper, session_of (out), &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, in));
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_request (helper, out));
}
END_TEST

/* sipservlet-b2bua.h: unlinking a session unlinks "their linked requests"
 * too, not only those still waiting for a final response. */
START_TEST (test_unlink_unlinks_answered_requests)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();   /* not pending: as once answered */
  SipServletRequest *out = create (in, TRUE, NULL, &error);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, in), out);
  ck_assert (sipservlet_b2bua_unlink_sessions (helper, session_of (in), &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_b2bua_get_linked_session (helper, session_of (out)));
  ck_assert_msg (sipservlet_b2bua_get_linked_request (helper, in) == NULL
                 && sipservlet_b2bua_get_linked_request (helper, out) == NULL,
                 "the sessions are unlinked but their requests are still linked");
}
END_TEST

/* ---- create_request_for_session --------------------------------------------------------- */

START_TEST (test_create_request_for_session)
{
  GError *error = NULL;
  SipServletRequest *invite = received_invite ();
  SipServletRequest *out = create (invite, TRUE, NULL, &error);
  SipSession *in_session = session_of (invite);
  SipSession *out_session = session_of (out);

  /* An INFO received on the first leg, relayed on the second. */
  char *text = g_strdup_printf ("INFO sip:b2bua@192.0.2.99 SIP/2.0" CRLF
                                "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-info" CRLF
                                "Max-Forwards: 70" CRLF
                                "From: \"Alice\" <sip:alice@example.com>;tag=alice-tag" CRLF
                                "To: <sip:bob@example.com>;tag=%s" CRLF
                                "Call-ID: leg-a-call@192.0.2.1" CRLF
                                "CSeq: 12 INFO" CRLF
                                "X-Digit: 5" CRLF
                                "Content-Type: application/dtmf-relay" CRLF
                                "Content-Length: 8" CRLF CRLF
                                "Signal=5", in_session->local_tag);
  SipServletRequest *info = received (text, FALSE, in_session);
  g_free (text);

  /* From and To come from the session, never from overrides. */
  const char *const from[] = { "From", "<sip:x@example.com>", NULL };
  ck_assert_ptr_null (hold (sipservlet_b2bua_create_request_for_session (helper, out_session, info,
                                                                          from, &error)));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  const char *const call_id[] = { "Call-ID", "x", NULL };
  ck_assert_ptr_null (hold (sipservlet_b2bua_create_request_for_session (helper, out_session, info,
                                                                          call_id, &error)));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  const char *const extra[] = { "X-Relayed", "1", NULL };
  SipServletRequest *relayed = hold (sipservlet_b2bua_create_request_for_session (helper, out_session,
                                                                                  info, extra, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (relayed);
  SipServletMessage *m = SIPSERVLET_MESSAGE (relayed);
  ck_assert_str_eq (sipservlet_message_get_method (m), "INFO");
  ck_assert_ptr_eq (session_of (relayed), out_session);
  ck_assert_str_eq (sipservlet_message_get_call_id (m), sipservlet_session_get_call_id (out_session));
  ck_assert_str_eq (header (relayed, "X-Digit"), "5");
  ck_assert_str_eq (header (relayed, "X-Relayed"), "1");
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/dtmf-relay");
  gsize length = 0;
  gconstpointer body = sipservlet_message_get_content (m, &length);
  ck_assert_uint_eq (length, 8);
  ck_assert_int_eq (memcmp (body, "Signal=5", 8), 0);
  ck_assert_ptr_null (header (relayed, "Via"));
  char *all = sipservlet_message_to_string (m);
  ck_assert_msg (strstr (all, "leg-a-call") == NULL && strstr (all, "alice-tag") == NULL,
                 "the first leg shows in:\n%s", all);
  g_free (all);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, info), relayed);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_request (helper, relayed), info);
  ck_assert_ptr_eq (sipservlet_b2bua_get_linked_session (helper, out_session), in_session);
}
END_TEST

START_TEST (test_create_request_for_session_errors)
{
  GError *error = NULL;
  SipServletRequest *invite = received_invite ();
  SipServletRequest *out = create (invite, TRUE, NULL, &error);
  SipSession *out_session = session_of (out);

  /* The original must be a received request. */
  ck_assert_ptr_null (hold (sipservlet_b2bua_create_request_for_session (helper, out_session, out,
                                                                          NULL, &error)));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* Sessions linked elsewhere. */
  SipServletRequest *third = received (INVITE_TEXT, TRUE,
                                       new_uas_session (sipservlet_message_get_application_session (SIPSERVLET_MESSAGE (invite)),
                                                        "third"));
  ck_assert_ptr_null (hold (sipservlet_b2bua_create_request_for_session (helper, out_session, third,
                                                                          NULL, &error)));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  /* A terminated or invalidated session carries no more requests. */
  sipsv_session_set_state (out_session, SIPSERVLET_SESSION_STATE_TERMINATED);
  ck_assert_ptr_null (hold (sipservlet_b2bua_create_request_for_session (helper, out_session, invite,
                                                                          NULL, &error)));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

/* ---- pending messages ---------------------------------------------------------------------- */

START_TEST (test_pending_messages_order)
{
  SipServletRequest *invite = received_invite ();
  SipSession *session = session_of (invite);

  GPtrArray *none = sipservlet_b2bua_get_pending_messages (helper, session, SIPSERVLET_UA_MODE_UAS);
  ck_assert_ptr_nonnull (none);
  ck_assert_uint_eq (none->len, 0);
  g_ptr_array_unref (none);
  none = sipservlet_b2bua_get_pending_messages (helper, session, SIPSERVLET_UA_MODE_UAC);
  ck_assert_uint_eq (none->len, 0);
  g_ptr_array_unref (none);

  /* Received requests without a final response, added out of order. */
  static const guint32 cseqs[] = { 7, 3, 12, 5 };
  session->pending_uas = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (cseqs); i++)
    {
      char *text = with_cseq (i % 2 ? "INFO" : "UPDATE", cseqs[i]);
      SipServletRequest *r = received (text, FALSE, session);
      g_ptr_array_add (session->pending_uas, sipservlet_request_ref (r));
      g_free (text);
    }
  GPtrArray *pending = sipservlet_b2bua_get_pending_messages (helper, session, SIPSERVLET_UA_MODE_UAS);
  static const guint32 sorted[] = { 3, 5, 7, 12 };
  ck_assert_uint_eq (pending->len, G_N_ELEMENTS (sorted));
  for (guint i = 0; i < pending->len; i++)
    ck_assert_uint_eq (sipservlet_message_get_cseq (pending->pdata[i]), sorted[i]);
  /* The array is the caller's, the messages are not. */
  g_ptr_array_unref (pending);
  ck_assert_uint_eq (session->pending_uas->len, G_N_ELEMENTS (cseqs));

  /* Received 2xx to INVITE not acknowledged (the UAC side). */
  static const guint32 ok_cseqs[] = { 4, 2 };
  session->pending_uac = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_response_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (ok_cseqs); i++)
    {
      char *text = g_strdup_printf ("SIP/2.0 200 OK" CRLF
                                    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-ok%u" CRLF
                                    "From: <sip:alice@example.com>;tag=a" CRLF
                                    "To: <sip:bob@example.com>;tag=b" CRLF
                                    "Call-ID: ok-call" CRLF
                                    "CSeq: %u INVITE" CRLF
                                    "Content-Length: 0" CRLF CRLF, ok_cseqs[i], ok_cseqs[i]);
      SipServletResponse *r = hold (unit_response_new (container, text, TRUE));
      g_ptr_array_add (session->pending_uac, sipservlet_response_ref (r));
      g_free (text);
    }
  pending = sipservlet_b2bua_get_pending_messages (helper, session, SIPSERVLET_UA_MODE_UAC);
  ck_assert_uint_eq (pending->len, 2);
  ck_assert_uint_eq (sipservlet_message_get_cseq (pending->pdata[0]), 2);
  ck_assert_uint_eq (sipservlet_message_get_cseq (pending->pdata[1]), 4);
  ck_assert (!sipservlet_message_is_request (pending->pdata[0]));
  g_ptr_array_unref (pending);
}
END_TEST

/* ---- state errors ---------------------------------------------------------------------------- */

START_TEST (test_response_to_original_needs_received_request)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, NULL, &error);

  /* The UAC leg's session was not created by a received request. */
  ck_assert_ptr_null (sipservlet_b2bua_create_response_to_original_request (helper, session_of (out),
                                                                            200, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  /* Nor is a session that has no initial request recorded. */
  ck_assert_ptr_null (sipservlet_b2bua_create_response_to_original_request (helper, session_of (in),
                                                                            200, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_cancel_needs_our_invite)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipServletRequest *out = create (in, TRUE, NULL, &error);

  /* The UAS leg has no INVITE of ours; the UAC leg's is not sent yet. */
  ck_assert_ptr_null (sipservlet_b2bua_create_cancel (helper, session_of (in), &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_null (sipservlet_b2bua_create_cancel (helper, session_of (out), &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_helper_marks_request)
{
  GError *error = NULL;
  SipServletRequest *in = received_invite ();
  SipB2buaHelper *h = sipservlet_request_get_b2bua_helper (in, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (h, helper);
  ck_assert (in->b2bua);
  /* One helper per container. */
  SipServletRequest *other = received_invite ();
  ck_assert_ptr_eq (sipservlet_request_get_b2bua_helper (other, &error), h);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("b2bua");
  TCase *tc = tcase_create ("b2bua");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_create_request_copies);
  tcase_add_test (tc, test_create_request_new_identity);
  tcase_add_test (tc, test_create_request_session_parties);
  tcase_add_test (tc, test_create_request_untagged_from);
  tcase_add_test (tc, test_create_request_other_methods);
  tcase_add_test (tc, test_create_request_without_max_forwards);
  tcase_add_test (tc, test_max_forwards_zero);
  tcase_add_test (tc, test_create_request_needs_received_initial);
  tcase_add_test (tc, test_create_request_links);
  tcase_add_test (tc, test_create_request_unlinked);
  tcase_add_test (tc, test_linked_request_forgotten_when_freed);
  tcase_add_test (tc, test_override_from_to);
  tcase_add_test (tc, test_override_bad_address);
  tcase_add_test (tc, test_override_bad_address_without_error);
  tcase_add_test (tc, test_override_compact_from_to);
  tcase_add_loop_test (tc, test_override_system_header, 0, G_N_ELEMENTS (system_overrides));
  tcase_add_test (tc, test_override_replaces_header);
  tcase_add_test (tc, test_override_without_value);
  tcase_add_test (tc, test_override_contact_and_route);
  tcase_add_test (tc, test_link_rules);
  tcase_add_test (tc, test_link_dead_sessions);
  tcase_add_test (tc, test_unlink_unlinks_pending_requests);
  tcase_add_test (tc, test_unlink_unlinks_answered_requests);
  tcase_add_test (tc, test_create_request_for_session);
  tcase_add_test (tc, test_create_request_for_session_errors);
  tcase_add_test (tc, test_pending_messages_order);
  tcase_add_test (tc, test_response_to_original_needs_received_request);
  tcase_add_test (tc, test_cancel_needs_our_invite);
  tcase_add_test (tc, test_helper_marks_request);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
