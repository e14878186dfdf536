/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the Default Application Router's rules (JSR 289
 * Appendix C): parsing DAR text and stepping through an initial request's
 * applications (lib/application/dar.c). */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

#include "application/application-private.h"

#define INVITE_TEXT                                                           \
  "INVITE sip:bob@example.com SIP/2.0" CRLF                                   \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1" CRLF                     \
  "Max-Forwards: 70" CRLF                                                     \
  "From: \"Alice\" <sip:alice@example.com>;tag=a1" CRLF                       \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: dar-1@192.0.2.1" CRLF                                             \
  "CSeq: 1 INVITE" CRLF                                                       \
  "X-Junk: <<not an address" CRLF                                             \
  "Content-Length: 0" CRLF                                                    \
  CRLF

#define MESSAGE_TEXT                                                          \
  "MESSAGE sip:carol@example.org SIP/2.0" CRLF                                \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-2" CRLF                     \
  "Max-Forwards: 70" CRLF                                                     \
  "From: <sip:dave@example.net>;tag=d1" CRLF                                  \
  "To: <sip:carol@example.org>" CRLF                                          \
  "Call-ID: dar-2@192.0.2.1" CRLF                                             \
  "CSeq: 1 MESSAGE" CRLF                                                      \
  "Content-Length: 0" CRLF                                                    \
  CRLF

/* Its Contact is the wildcard, an address header without a URI. */
#define REGISTER_TEXT                                                         \
  "REGISTER sip:example.com SIP/2.0" CRLF                                     \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-3" CRLF                     \
  "Max-Forwards: 70" CRLF                                                     \
  "From: <sip:alice@example.com>;tag=r1" CRLF                                 \
  "To: <sip:alice@example.com>" CRLF                                          \
  "Call-ID: dar-3@192.0.2.1" CRLF                                             \
  "CSeq: 1 REGISTER" CRLF                                                     \
  "Contact: *" CRLF                                                           \
  "Expires: 0" CRLF                                                           \
  "Content-Length: 0" CRLF                                                    \
  CRLF

/* The example of JSR 289 Appendix C. */
#define SPEC_EXAMPLE                                                          \
  "INVITE: (\"OriginatingCallWaiting\", \"DAR:From\", \"ORIGINATING\", \"\", " \
  "\"NO_ROUTE\", \"0\"), (\"CallForwarding\", \"DAR:To\", \"TERMINATING\", \"\", " \
  "\"NO_ROUTE\", \"1\")\n"

static SipContainer *container;
/* Requests of the current test, released by the fixture so that a failed
 * assertion does not leak them. */
static GPtrArray *held;
/* The router's answer of the current test, cleared by the fixture. */
static SipRouterInfo info;

static void
setup (void)
{
  container = unit_container_new ();
  held = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
  memset (&info, 0, sizeof info);
}

static void
teardown (void)
{
  sipsv_router_info_clear (&info);
  unit_defer_flush ();
  g_clear_pointer (&held, g_ptr_array_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
}

static SipServletRequest *
request (const char *text)
{
  SipServletRequest *rq = unit_request_new (container, text, TRUE);
  g_ptr_array_add (held, rq);
  return rq;
}

/* Parses text that must be valid; the fixture frees the rules. */
static SipsvDar *
parse_ok (const char *text)
{
  GError *error = NULL;
  SipsvDar *dar = sipsv_dar_parse (text, -1, NULL, &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (dar);
  return unit_defer (dar, (GDestroyNotify) sipsv_dar_free);
}

/* Asks for the next application into the fixture's info (cleared first);
 * state may be info.state itself, or a floating reference, which is
 * consumed. */
static void
step (SipsvDar *dar, SipServletRequest *rq, SipRoutingDirective directive, GVariant *state)
{
  GError *error = NULL;
  GVariant *previous = state != NULL ? g_variant_ref_sink (state) : NULL;

  sipsv_router_info_clear (&info);
  gboolean ok = sipsv_dar_next (dar, rq, directive, previous, &info, &error);
  if (previous != NULL)
    g_variant_unref (previous);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (ok);
}

/* The answer names application for subscriber in region, with state
 * index and no routes. */
static void
assert_app (const char *application, const char *subscriber, SipRoutingRegion region, gint32 index)
{
  ck_assert_str_eq (info.application, application);
  ck_assert_pstr_eq (info.subscriber_uri, subscriber);
  ck_assert_int_eq (info.region, region);
  ck_assert_ptr_nonnull (info.state);
  ck_assert (g_variant_is_of_type (info.state, G_VARIANT_TYPE_INT32));
  ck_assert_int_eq (g_variant_get_int32 (info.state), index);
}

static void
assert_no_routes (void)
{
  ck_assert_ptr_null (info.routes);
  ck_assert_int_eq (info.modifier, SIPSERVLET_ROUTE_NO_ROUTE);
}

/* The answer is "no further application". */
static void
assert_empty (void)
{
  ck_assert_ptr_null (info.application);
  ck_assert_ptr_null (info.subscriber_uri);
  ck_assert_ptr_null (info.routes);
  ck_assert_ptr_null (info.state);
}

/* A one-tuple INVITE line for application with the given fields. */
static char *
invite_line (const char *subscriber, const char *region, const char *route, const char *modifier)
{
  return g_strdup_printf ("INVITE: (\"app\", \"%s\", \"%s\", \"%s\", \"%s\", \"0\")\n", subscriber,
                          region, route, modifier);
}

START_TEST (test_dar_spec_example)
{
  SipsvDar *dar = parse_ok (SPEC_EXAMPLE);
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("OriginatingCallWaiting", "sip:alice@example.com", SIPSERVLET_REGION_ORIGINATING, 0);
  assert_no_routes ();

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("CallForwarding", "sip:bob@example.com", SIPSERVLET_REGION_TERMINATING, 1);
  assert_no_routes ();

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_several_methods)
{
  SipsvDar *dar = parse_ok ("INVITE: (\"inv\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n"
                            "message: (\"msg\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n"
                            "Register: (\"reg\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")");

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("inv", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  /* Keys are case-insensitive, and the last line needs no newline. */
  step (dar, request (MESSAGE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("msg", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, request (REGISTER_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("reg", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
}
END_TEST

START_TEST (test_dar_method_without_line)
{
  SipsvDar *dar = parse_ok (SPEC_EXAMPLE);

  step (dar, request (MESSAGE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_all)
{
  SipsvDar *dar
      = parse_ok ("ALL: (\"any\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\"), "
                  "(\"any2\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\n"
                  "INVITE: (\"inv\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n");
  SipServletRequest *rq = request (MESSAGE_TEXT);

  /* A method with its own line does not use ALL. */
  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("inv", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (0));
  assert_empty ();

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("any", "sip:dave@example.net", SIPSERVLET_REGION_ORIGINATING, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("any2", "sip:carol@example.org", SIPSERVLET_REGION_TERMINATING, 1);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_continuation)
{
  /* CRLF line ends, blanks after the backslash, indented continuations. */
  SipsvDar *dar
      = parse_ok ("INVITE: (\"first\", \"DAR:From\", \"ORIGINATING\", \"\", \\\r\n"
                  "           \"NO_ROUTE\", \"0\"), \\  \r\n"
                  "\t(\"second\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\")\r\n"
                  "MESSAGE: (\"msg\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\r\n");
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("first", "sip:alice@example.com", SIPSERVLET_REGION_ORIGINATING, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("second", "sip:bob@example.com", SIPSERVLET_REGION_TERMINATING, 1);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_empty ();
  step (dar, request (MESSAGE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("msg", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
}
END_TEST

START_TEST (test_dar_continuation_at_end)
{
  /* A backslash on the last line continues into nothing. */
  SipsvDar *dar = parse_ok ("INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\") \\\n");

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
}
END_TEST

START_TEST (test_dar_comments)
{
  SipsvDar *dar = parse_ok ("# The default router's rules\n"
                            "\n"
                            "   # an indented comment \\\n"
                            "  \t \n"
                            "INVITE: (\"inv\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n"
                            "#MESSAGE: (\"msg\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n");

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("inv", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, request (MESSAGE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_empty)
{
  SipsvDar *dar = parse_ok ("");

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_empty ();
  dar = parse_ok ("# nothing but a comment\n\n");
  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_whitespace)
{
  SipsvDar *dar
      = parse_ok ("  INVITE\t :(\t\" app \" ,\"  DAR: From \",\"originating\",\"\","
                  "\"no_route\",\"7\"  )  ,(\"b\",\"\",\"NEUTRAL\",\"\",\"NO_ROUTE\",\"\")  ");
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("app", "sip:alice@example.com", SIPSERVLET_REGION_ORIGINATING, 0);
  assert_no_routes ();
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("b", NULL, SIPSERVLET_REGION_NEUTRAL, 1);
}
END_TEST

START_TEST (test_dar_routes)
{
  SipsvDar *dar = parse_ok (
      "INVITE: "
      "(\"a\", \"\", \"NEUTRAL\", \"sip:as1.example.com;lr\", \"ROUTE\", \"0\"), "
      "(\"b\", \"\", \"NEUTRAL\", \" sip:p1.example.com;lr , <sip:p2.example.com;lr>\", "
      "\"ROUTE_BACK\", \"1\"), "
      "(\"c\", \"\", \"NEUTRAL\", \"sip:ignored.example.com\", \"NO_ROUTE\", \"2\"), "
      "(\"d\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"3\")");
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  ck_assert_ptr_nonnull (info.routes);
  ck_assert_uint_eq (g_strv_length (info.routes), 1);
  ck_assert_str_eq (info.routes[0], "sip:as1.example.com;lr");
  ck_assert_int_eq (info.modifier, SIPSERVLET_ROUTE_ROUTE);

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("b", NULL, SIPSERVLET_REGION_NEUTRAL, 1);
  ck_assert_ptr_nonnull (info.routes);
  ck_assert_uint_eq (g_strv_length (info.routes), 2);
  ck_assert_str_eq (info.routes[0], "sip:p1.example.com;lr");
  ck_assert_str_eq (info.routes[1], "<sip:p2.example.com;lr>");
  ck_assert_int_eq (info.modifier, SIPSERVLET_ROUTE_ROUTE_BACK);

  /* NO_ROUTE with a route: given, and the container ignores it. */
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("c", NULL, SIPSERVLET_REGION_NEUTRAL, 2);
  ck_assert_ptr_nonnull (info.routes);
  ck_assert_str_eq (info.routes[0], "sip:ignored.example.com");
  ck_assert_int_eq (info.modifier, SIPSERVLET_ROUTE_NO_ROUTE);

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("d", NULL, SIPSERVLET_REGION_NEUTRAL, 3);
  assert_no_routes ();
}
END_TEST

static const struct {
  const char *text;
  SipRoutingRegion region;
} region_cases[] = {
  { "ORIGINATING", SIPSERVLET_REGION_ORIGINATING },
  { "TERMINATING", SIPSERVLET_REGION_TERMINATING },
  { "NEUTRAL", SIPSERVLET_REGION_NEUTRAL },
  { "terminating", SIPSERVLET_REGION_TERMINATING },
  { " Originating ", SIPSERVLET_REGION_ORIGINATING },
};

START_TEST (test_dar_regions)
{
  char *text = invite_line ("", region_cases[_i].text, "", "NO_ROUTE");
  SipsvDar *dar = parse_ok (unit_defer (text, g_free));

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("app", NULL, region_cases[_i].region, 0);
}
END_TEST

static const struct {
  const char *field;
  const char *uri;
} subscriber_cases[] = {
  { "DAR:From", "sip:alice@example.com" },
  { "DAR:To", "sip:bob@example.com" },
  { "dar:from", "sip:alice@example.com" },
  { "DAR: to ", "sip:bob@example.com" },
  { "DAR:f", "sip:alice@example.com" },
  { "sip:carol@example.org", "sip:carol@example.org" },
  { "tel:+15551234", "tel:+15551234" },
  { "", NULL },
};

START_TEST (test_dar_subscriber)
{
  char *text = invite_line (subscriber_cases[_i].field, "ORIGINATING", "", "NO_ROUTE");
  SipsvDar *dar = parse_ok (unit_defer (text, g_free));

  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("app", subscriber_cases[_i].uri, SIPSERVLET_REGION_ORIGINATING, 0);
}
END_TEST

/* The subscriber header cannot give a URI: an error naming it and the
 * application, and an empty answer. */
static void
assert_subscriber_error (const char *header, const char *text, SipError code)
{
  char *line = g_strdup_printf ("ALL: (\"app\", \"DAR:%s\", \"ORIGINATING\", \"\", "
                                "\"NO_ROUTE\", \"0\")",
                                header);
  SipsvDar *dar = parse_ok (unit_defer (line, g_free));
  GError *error = NULL;

  ck_assert (!sipsv_dar_next (dar, request (text), SIPSERVLET_ROUTING_NEW, NULL, &info, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, header) != NULL && strstr (error->message, "\"app\""),
                 "the error does not name %s and the application: %s", header, error->message);
  UNIT_ASSERT_ERROR (error, code);
  assert_empty ();
}

START_TEST (test_dar_subscriber_missing)
{
  assert_subscriber_error ("P-Asserted-Identity", INVITE_TEXT, SIPSERVLET_ERROR_FAILED);
}
END_TEST

START_TEST (test_dar_subscriber_not_address)
{
  assert_subscriber_error ("X-Junk", INVITE_TEXT, SIPSERVLET_ERROR_PARSE);
}
END_TEST

START_TEST (test_dar_subscriber_wildcard)
{
  assert_subscriber_error ("Contact", REGISTER_TEXT, SIPSERVLET_ERROR_FAILED);
}
END_TEST

#define THREE_APPS                                                            \
  "INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\"), "           \
  "(\"b\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"1\"), "                   \
  "(\"c\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"2\")"

START_TEST (test_dar_state_chain)
{
  SipsvDar *dar = parse_ok (THREE_APPS);
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("b", NULL, SIPSERVLET_REGION_NEUTRAL, 1);
  /* REVERSE goes on like CONTINUE. */
  step (dar, rq, SIPSERVLET_ROUTING_REVERSE, info.state);
  assert_app ("c", NULL, SIPSERVLET_REGION_NEUTRAL, 2);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_empty ();
}
END_TEST

START_TEST (test_dar_new_restarts)
{
  SipsvDar *dar = parse_ok (THREE_APPS);
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, g_variant_new_int32 (1));
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  /* Without state, CONTINUE starts at the first too. */
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, NULL);
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (1));
  assert_app ("c", NULL, SIPSERVLET_REGION_NEUTRAL, 2);
}
END_TEST

START_TEST (test_dar_state_other_type)
{
  SipsvDar *dar = parse_ok (THREE_APPS);
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_string ("1"));
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int64 (1));
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new ("(i)", 1));
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  /* A negative index is no tuple of ours either. */
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (-7));
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
}
END_TEST

START_TEST (test_dar_past_end)
{
  SipsvDar *dar = parse_ok (THREE_APPS);
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (2));
  assert_empty ();
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (3));
  assert_empty ();
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, g_variant_new_int32 (G_MAXINT32));
  assert_empty ();
}
END_TEST

/* The state info field is kept as text; any text will do. */
START_TEST (test_dar_state_info_text)
{
  SipsvDar *dar = parse_ok ("INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"x y\"), "
                            "(\"b\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"\")");
  SipServletRequest *rq = request (INVITE_TEXT);

  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", NULL, SIPSERVLET_REGION_NEUTRAL, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("b", NULL, SIPSERVLET_REGION_NEUTRAL, 1);
}
END_TEST

#define TUPLE(app, sub, region, route, mod) \
  "(\"" app "\", \"" sub "\", \"" region "\", \"" route "\", \"" mod "\", \"0\")"
#define GOOD TUPLE ("a", "DAR:From", "ORIGINATING", "", "NO_ROUTE")

static const struct {
  const char *text;
  guint line;
  const char *message;
} error_cases[] = {
  { "INVITE " GOOD, 1, "expected ':' after the method INVITE, found '('" },
  { "\n: " GOOD, 2, "expected a method name, found ':'" },
  { "INVITE: \"a\"", 1, "expected '(' after ':', found '\"'" },
  { "INVITE:", 1, "expected '(' after ':', found the end of the line" },
  { "INVITE: " GOOD ", \"b\"", 1, "expected '(' after ','" },
  { "INVITE: " GOOD ",", 1, "expected '(' after ',', found the end of the line" },
  { "INVITE: " GOOD " x", 1, "expected ',' or the end of the line after ')', found 'x'" },
  { "INVITE: (a, \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")", 1,
    "expected '\"' after '(', found 'a'" },
  { "INVITE: (\"a\", DAR:From, \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")", 1,
    "expected '\"' after ',', found 'D'" },
  { "INVITE: (\"a\" \"b\")", 1, "expected ',' or ')' after a quoted field, found '\"'" },
  { "INVITE: (\"a\", \"b", 1, "unterminated quoted field" },
  { "INVITE: (\"a\", \"\", \"NEUTRAL\", \"\")", 1, "6 quoted fields needed, found 4" },
  { "INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\", \"\", \"\")", 1,
    "at most 7 quoted fields allowed, found 8" },
  { "INVITE: " TUPLE ("", "", "NEUTRAL", "", "NO_ROUTE"), 1, "empty application name" },
  { "INVITE: " TUPLE ("  ", "", "NEUTRAL", "", "NO_ROUTE"), 1, "empty application name" },
  { "INVITE: " TUPLE ("a", "", "ORIG", "", "NO_ROUTE"), 1, "unknown region \"ORIG\"" },
  { "INVITE: " TUPLE ("a", "", "", "", "NO_ROUTE"), 1, "unknown region \"\"" },
  { "INVITE: " TUPLE ("a", "", "NEUTRAL", "", "BACK"), 1, "unknown route modifier \"BACK\"" },
  { "INVITE: " TUPLE ("a", "", "NEUTRAL", "", "ROUTE"), 1,
    "ROUTE needs a route, but the route field is empty" },
  { "INVITE: " TUPLE ("a", "", "NEUTRAL", "", "ROUTE_BACK"), 1, "ROUTE_BACK needs a route" },
  { "INVITE: " TUPLE ("a", "", "NEUTRAL", "sip:x,,sip:y", "ROUTE"), 1,
    "empty route in \"sip:x,,sip:y\"" },
  { "INVITE: " TUPLE ("a", "DAR: ", "NEUTRAL", "", "NO_ROUTE"), 1,
    "no header name after \"DAR:\" for \"a\"" },
  { "INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\", \"DIRECTION\")", 1,
    "expected KEY=VALUE in the options of \"a\", found \"DIRECTION\"" },
  { "INVITE: (\"a\", \"\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\", \"=x\")", 1,
    "expected KEY=VALUE in the options of \"a\", found \"=x\"" },
  { "INVITE: " GOOD "\nMESSAGE: " GOOD "\nINVITE: " GOOD, 3,
    "INVITE listed twice (first at line 1)" },
  { "ALL: " GOOD "\n\nall: " GOOD, 3, "ALL listed twice (first at line 1)" },
  { "invite: " GOOD "\nINVITE: " GOOD, 2, "INVITE listed twice (first at line 1)" },
  /* Lines are counted through comments, blanks and continuations, and an
   * error names the physical line it is on. */
  { "# comment\n\n  # another\nINVITE: " TUPLE ("a", "", "ORIG", "", "NO_ROUTE"), 4,
    "unknown region \"ORIG\"" },
  { "INVITE: " GOOD ", \\\n  " GOOD ", \\\n  " TUPLE ("b", "", "NEUTRAL", "", "ROUTE"), 3,
    "ROUTE needs a route" },
  { "INVITE: (\"a\", \"\", \\\n\"NEUTRAL\", \"\",\\\r\n \"NO_ROUTE\", \"0\") x\r\n", 3,
    "expected ',' or the end of the line after ')', found 'x'" },
  { "INVITE: " GOOD "\n" "MESSAGE: " GOOD " \\\n" "\n" "INFO " GOOD, 4,
    "expected ':' after the method INFO" },
  { "INVITE: " GOOD "\n\x01", 2, "expected a method name, found byte 0x01" },
};

START_TEST (test_dar_parse_errors)
{
  GError *error = NULL;
  SipsvDar *dar = sipsv_dar_parse (error_cases[_i].text, -1, NULL, &error);
  char *prefix = g_strdup_printf ("DAR:%u: ", error_cases[_i].line);

  unit_defer (prefix, g_free);
  ck_assert_ptr_null (dar);
  ck_assert_msg (error != NULL, "no error for: %s", error_cases[_i].text);
  ck_assert_msg (g_str_has_prefix (error->message, prefix)
                     && strstr (error->message, error_cases[_i].message) != NULL,
                 "for: %s\nexpected: %s...%s\ngot: %s", error_cases[_i].text, prefix,
                 error_cases[_i].message, error->message);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

START_TEST (test_dar_error_names_file)
{
  GError *error = NULL;

  ck_assert_ptr_null (sipsv_dar_parse ("\nINVITE: " TUPLE ("a", "", "ORIG", "", "NO_ROUTE"), -1,
                                       "/etc/sip/dar.properties", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_str_eq (error->message, "/etc/sip/dar.properties:2: unknown region \"ORIG\" "
                                    "(ORIGINATING, TERMINATING or NEUTRAL)");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

START_TEST (test_dar_length)
{
  static const char text[] = "INVITE: " GOOD "\nMESSAGE: garbage";
  GError *error = NULL;
  SipsvDar *dar;

  /* Only the first length bytes count. */
  dar = sipsv_dar_parse (text, strchr (text, '\n') - text, NULL, &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (dar);
  unit_defer (dar, (GDestroyNotify) sipsv_dar_free);
  step (dar, request (INVITE_TEXT), SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", "sip:alice@example.com", SIPSERVLET_REGION_ORIGINATING, 0);

  /* A NUL byte inside the given length is refused. */
  static const char nul[] = "INVITE: " GOOD "\nMESSAGE:\0 " GOOD;
  ck_assert_ptr_null (sipsv_dar_parse (nul, sizeof nul - 1, "nul.dar", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_str_eq (error->message, "nul.dar:2: unexpected NUL byte");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

START_TEST (test_dar_options)
{
  UnitLogCatcher catcher;
  SipsvDar *dar;
  GError *error = NULL;

  unit_log_catcher_begin (&catcher);
  dar = sipsv_dar_parse (
      "# options\n"
      "INVITE: (\"a\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", \"0\", "
      "\"DIRECTION=INBOUND  REGEX=From:.*alice.*\"), \\\n"
      "  (\"b\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"1\", \"\")\n",
      -1, "opt.dar", &error);
  guint warnings = catcher.warnings;
  char *last = g_strdup (catcher.last_message);
  unit_log_catcher_end (&catcher);
  unit_defer (last, g_free);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (dar);
  unit_defer (dar, (GDestroyNotify) sipsv_dar_free);

  /* One warning per option, naming file, line and option; none for the
   * empty options field. */
  ck_assert_uint_eq (warnings, 2);
  ck_assert_ptr_nonnull (last);
  ck_assert_msg (g_str_has_prefix (last, "opt.dar:2: ") && strstr (last, "REGEX") != NULL,
                 "unexpected warning: %s", last);

  SipServletRequest *rq = request (INVITE_TEXT);
  step (dar, rq, SIPSERVLET_ROUTING_NEW, NULL);
  assert_app ("a", "sip:alice@example.com", SIPSERVLET_REGION_ORIGINATING, 0);
  step (dar, rq, SIPSERVLET_ROUTING_CONTINUE, info.state);
  assert_app ("b", "sip:bob@example.com", SIPSERVLET_REGION_TERMINATING, 1);
}
END_TEST

START_TEST (test_dar_free_null)
{
  sipsv_dar_free (NULL);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("router-dar");
  TCase *tc = tcase_create ("dar");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_dar_spec_example);
  tcase_add_test (tc, test_dar_several_methods);
  tcase_add_test (tc, test_dar_method_without_line);
  tcase_add_test (tc, test_dar_all);
  tcase_add_test (tc, test_dar_continuation);
  tcase_add_test (tc, test_dar_continuation_at_end);
  tcase_add_test (tc, test_dar_comments);
  tcase_add_test (tc, test_dar_empty);
  tcase_add_test (tc, test_dar_whitespace);
  tcase_add_test (tc, test_dar_routes);
  tcase_add_loop_test (tc, test_dar_regions, 0, G_N_ELEMENTS (region_cases));
  tcase_add_loop_test (tc, test_dar_subscriber, 0, G_N_ELEMENTS (subscriber_cases));
  tcase_add_test (tc, test_dar_subscriber_missing);
  tcase_add_test (tc, test_dar_subscriber_not_address);
  tcase_add_test (tc, test_dar_subscriber_wildcard);
  tcase_add_test (tc, test_dar_state_chain);
  tcase_add_test (tc, test_dar_new_restarts);
  tcase_add_test (tc, test_dar_state_other_type);
  tcase_add_test (tc, test_dar_past_end);
  tcase_add_test (tc, test_dar_state_info_text);
  tcase_add_loop_test (tc, test_dar_parse_errors, 0, G_N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_dar_error_names_file);
  tcase_add_test (tc, test_dar_length);
  tcase_add_test (tc, test_dar_options);
  tcase_add_test (tc, test_dar_free_null);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
