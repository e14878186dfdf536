/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of servlet mapping (JSR 289 §16): SipPattern conditions on
 * every variable and operator, their XML form, sip.xml's servlet selection
 * (lib/application/descriptor.c) and the application that uses both. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"
#include "warning-catcher.h"

#include "application/application-private.h"

static SipContainer *container;
static GPtrArray *held;

static void
setup (void)
{
  container = unit_container_new ();
  held = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
}

static void
teardown (void)
{
  catch_warnings_end ();
  unit_defer_flush ();
  g_clear_pointer (&held, g_ptr_array_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
}

/* ---- requests and one-line conditions ------------------------------------ */

/* A request with the given start line and From/To values, held by the
 * fixture. */
static SipServletRequest *
request_full (const char *method, const char *ruri, const char *from, const char *to)
{
  /* Literals end in \r\n, not CRLF: clang-format keeps one header a line. */
  g_autofree char *text = g_strdup_printf ("%s %s SIP/2.0\r\n"
                                           "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-map\r\n"
                                           "Max-Forwards: 70\r\n"
                                           "From: %s\r\n"
                                           "To: %s\r\n"
                                           "Call-ID: mapping-1@192.0.2.1\r\n"
                                           "CSeq: 1 %s\r\n"
                                           "Contact: <sip:alice@192.0.2.1>\r\n"
                                           "Content-Length: 0\r\n"
                                           "\r\n",
                                           method, ruri, from, to, method);
  SipServletRequest *rq = unit_request_new (container, text, TRUE);
  g_ptr_array_add (held, rq);
  return rq;
}

static SipServletRequest *
request_to_uri (const char *ruri)
{
  return request_full ("INVITE", ruri, "\"Alice Liddell\" <sip:alice@example.com>;tag=a1",
                       "<sip:bob@example.com>");
}

/* Whether pattern matches rq; takes pattern, which must have been built. */
static gboolean
matches_once (SipPattern *pattern, SipServletRequest *rq)
{
  ck_assert_ptr_nonnull (pattern);
  gboolean result = sipservlet_pattern_matches (pattern, rq);
  sipservlet_pattern_unref (pattern);
  return result;
}

static gboolean
is_equal (SipServletRequest *rq, const char *variable, const char *value)
{
  return matches_once (sipservlet_pattern_equal (variable, value, FALSE, NULL), rq);
}

static gboolean
is_equal_ic (SipServletRequest *rq, const char *variable, const char *value)
{
  return matches_once (sipservlet_pattern_equal (variable, value, TRUE, NULL), rq);
}

static gboolean
does_contain (SipServletRequest *rq, const char *variable, const char *value, gboolean ignore_case)
{
  return matches_once (sipservlet_pattern_contains (variable, value, ignore_case, NULL), rq);
}

static gboolean
does_exist (SipServletRequest *rq, const char *variable)
{
  return matches_once (sipservlet_pattern_exists (variable, NULL), rq);
}

static gboolean
is_subdomain (SipServletRequest *rq, const char *variable, const char *domain)
{
  return matches_once (sipservlet_pattern_subdomain_of (variable, domain, NULL), rq);
}

/* Asserts that a variable the request lacks fails every test, and that
 * its negation holds. */
static void
assert_missing (SipServletRequest *rq, const char *variable)
{
  ck_assert_msg (!does_exist (rq, variable), "%s exists", variable);
  ck_assert (!is_equal (rq, variable, ""));
  ck_assert (!is_equal_ic (rq, variable, ""));
  ck_assert (!does_contain (rq, variable, "", FALSE));
  ck_assert (!is_subdomain (rq, variable, "example.com"));
  SipPattern *negated = sipservlet_pattern_not (sipservlet_pattern_exists (variable, NULL), NULL);
  ck_assert (matches_once (negated, rq));
}

/* ---- variables ------------------------------------------------------------- */

START_TEST (test_mapping_method)
{
  SipServletRequest *invite = request_to_uri ("sip:bob@example.com");
  SipServletRequest *message = request_full (
      "MESSAGE", "sip:bob@example.com", "<sip:alice@example.com>;tag=1", "<sip:bob@example.com>");

  ck_assert (is_equal (invite, "request.method", "INVITE"));
  ck_assert (!is_equal (invite, "request.method", "invite"));
  ck_assert (is_equal_ic (invite, "request.method", "invite"));
  ck_assert (!is_equal (message, "request.method", "INVITE"));
  ck_assert (is_equal (message, "request.method", "MESSAGE"));
  ck_assert (does_contain (invite, "request.method", "VIT", FALSE));
  ck_assert (!does_contain (invite, "request.method", "vit", FALSE));
  ck_assert (does_contain (invite, "request.method", "vit", TRUE));
  ck_assert (does_exist (invite, "request.method"));
}
END_TEST

START_TEST (test_mapping_request_uri)
{
  SipServletRequest *rq = request_to_uri ("sip:bob@example.com;transport=tcp");
  SipServletRequest *tel = request_to_uri ("tel:+1-212-555-0100");

  ck_assert (is_equal (rq, "request.uri", "sip:bob@example.com;transport=tcp"));
  ck_assert (!is_equal (rq, "request.uri", "sip:bob@example.com"));
  ck_assert (is_equal_ic (rq, "request.uri", "SIP:BOB@EXAMPLE.COM;TRANSPORT=TCP"));
  ck_assert (does_contain (rq, "request.uri", "bob@", FALSE));
  ck_assert (does_exist (rq, "request.uri"));
  ck_assert (is_equal (tel, "request.uri", "tel:+1-212-555-0100"));
}
END_TEST

/* What each part of a Request-URI reads as; NULL: the request lacks it. */
static const struct
{
  const char *ruri;
  const char *variable;
  const char *value;
} uri_values[] = {
  /* The scheme, lowercased whatever the request wrote. */
  { "sip:bob@example.com", "request.uri.scheme", "sip" },
  { "sips:bob@example.com", "request.uri.scheme", "sips" },
  { "tel:+12125550100", "request.uri.scheme", "tel" },
  { "SIP:bob@example.com", "request.uri.scheme", "sip" },
  /* The user, escapes undone; sip URIs only. */
  { "sip:Bob@example.com", "request.uri.user", "Bob" },
  { "sip:bob%20smith@example.com", "request.uri.user", "bob smith" },
  { "sip:example.com", "request.uri.user", NULL },
  { "tel:+12125550100", "request.uri.user", NULL },
  /* The host as written. */
  { "sip:bob@Example.COM:5070", "request.uri.host", "Example.COM" },
  { "sip:bob@[2001:db8::1]", "request.uri.host", "[2001:db8::1]" },
  { "sip:192.0.2.7", "request.uri.host", "192.0.2.7" },
  { "tel:+12125550100", "request.uri.host", NULL },
  /* JSR 289 §16.2.4: the default port of the scheme when none is given. */
  { "sip:bob@example.com:5070", "request.uri.port", "5070" },
  { "sips:bob@example.com:5070", "request.uri.port", "5070" },
  { "sip:bob@example.com", "request.uri.port", "5060" },
  { "sips:bob@example.com", "request.uri.port", "5061" },
  { "tel:+12125550100", "request.uri.port", NULL },
  /* Visual separators and the leading '+' go, for both forms; a local
   * number keeps its digits, its phone-context is not part of it. */
  { "tel:+1-212-555-0100", "request.uri.tel", "12125550100" },
  { "tel:+1.(212).555.0100", "request.uri.tel", "12125550100" },
  { "sip:+1-212-555-0100@gw.example.com;user=phone", "request.uri.tel", "12125550100" },
  { "sips:+1(212)555.0100@gw.example.com;user=phone", "request.uri.tel", "12125550100" },
  { "tel:555-0100;phone-context=example.com", "request.uri.tel", "5550100" },
  { "sip:555-0100;phone-context=example.com@gw.example.com;user=phone", "request.uri.tel",
    "5550100" },
  /* Only a sip URI that says user=phone holds a number. */
  { "sip:+12125550100@gw.example.com", "request.uri.tel", NULL },
  { "sip:+12125550100@gw.example.com;user=ip", "request.uri.tel", NULL },
  { "sip:gw.example.com;user=phone", "request.uri.tel", NULL },
  /* Parameters: names without case, "" for a flag, escapes undone; tel
   * URIs have them too. */
  { "sip:bob@example.com;transport=TCP;lr", "request.uri.param.transport", "TCP" },
  { "sip:bob@example.com;transport=TCP;lr", "request.uri.param.Transport", "TCP" },
  { "sip:bob@example.com;transport=TCP;lr", "request.uri.param.lr", "" },
  { "sip:bob@example.com;x-id=a%20b", "request.uri.param.x-id", "a b" },
  { "sip:bob@example.com;transport=TCP;lr", "request.uri.param.maddr", NULL },
  { "tel:+12125550100;npdi;rn=+12125550000", "request.uri.param.npdi", "" },
  { "tel:+12125550100;npdi;rn=+12125550000", "request.uri.param.rn", "+12125550000" },
  { "tel:+12125550100;npdi", "request.uri.param.transport", NULL },
};

START_TEST (test_mapping_uri_variables)
{
  SipServletRequest *rq = request_to_uri (uri_values[_i].ruri);
  const char *variable = uri_values[_i].variable;
  const char *value = uri_values[_i].value;

  if (value == NULL)
    {
      assert_missing (rq, variable);
      return;
    }
  g_autofree char *longer = g_strconcat (value, "0", NULL);
  ck_assert_msg (is_equal (rq, variable, value), "%s of %s", variable, uri_values[_i].ruri);
  ck_assert (does_exist (rq, variable));
  ck_assert (does_contain (rq, variable, value, FALSE));
  ck_assert (!is_equal (rq, variable, longer));
  ck_assert (!does_contain (rq, variable, longer, FALSE));
}
END_TEST

/* Comparisons on URI parts beyond plain equality. */
START_TEST (test_mapping_uri_compare)
{
  SipServletRequest *rq = request_to_uri ("sip:Bob@Example.COM;transport=TCP");

  ck_assert (!is_equal (rq, "request.uri.user", "bob"));
  ck_assert (is_equal_ic (rq, "request.uri.user", "bob"));
  ck_assert (is_equal_ic (rq, "request.uri.host", "example.com"));
  ck_assert (is_equal_ic (rq, "request.uri.param.transport", "tcp"));
  ck_assert (!is_equal (rq, "request.uri.port", "5061"));
  ck_assert (
      does_contain (request_to_uri ("tel:+1-212-555-0100"), "request.uri.tel", "212555", FALSE));
}
END_TEST

START_TEST (test_mapping_from_to_text)
{
  SipServletRequest *rq
      = request_full ("INVITE", "sip:bob@example.com",
                      "\"Alice Liddell\" <sip:alice@example.com>;tag=a1", "<sip:bob@example.com>");

  /* The header as sipservlet_address_to_string() writes it. */
  ck_assert (is_equal (rq, "request.to", "<sip:bob@example.com>"));
  ck_assert (is_equal (rq, "request.from", "Alice Liddell <sip:alice@example.com>;tag=a1"));
  ck_assert (does_contain (rq, "request.from", "tag=a1", FALSE));
  ck_assert (does_contain (rq, "request.from", "ALICE@", TRUE));
  ck_assert (!does_contain (rq, "request.from", "ALICE@", FALSE));
  ck_assert (does_exist (rq, "request.from"));
  ck_assert (does_exist (rq, "request.to"));
}
END_TEST

START_TEST (test_mapping_from_to_uri)
{
  SipServletRequest *rq = request_full ("INVITE", "sip:bob@example.com",
                                        "<sips:alice@atlanta.example.com;maddr=192.0.2.9>;tag=9",
                                        "<tel:+1-212-555-0100;npdi>");

  ck_assert (is_equal (rq, "request.from.uri", "sips:alice@atlanta.example.com;maddr=192.0.2.9"));
  ck_assert (is_equal (rq, "request.from.uri.scheme", "sips"));
  ck_assert (is_equal (rq, "request.from.uri.user", "alice"));
  ck_assert (is_equal (rq, "request.from.uri.host", "atlanta.example.com"));
  ck_assert (is_subdomain (rq, "request.from.uri.host", "example.com"));
  ck_assert (is_equal (rq, "request.from.uri.port", "5061"));
  ck_assert (is_equal (rq, "request.from.uri.param.maddr", "192.0.2.9"));
  assert_missing (rq, "request.from.uri.tel");
  assert_missing (rq, "request.from.uri.param.tag");

  ck_assert (is_equal (rq, "request.to.uri", "tel:+1-212-555-0100;npdi"));
  ck_assert (is_equal (rq, "request.to.uri.scheme", "tel"));
  ck_assert (is_equal (rq, "request.to.uri.tel", "12125550100"));
  ck_assert (does_exist (rq, "request.to.uri.param.npdi"));
  assert_missing (rq, "request.to.uri.user");
  assert_missing (rq, "request.to.uri.host");
  assert_missing (rq, "request.to.uri.port");

  SipServletRequest *plain = request_to_uri ("sip:bob@example.com");
  ck_assert (is_equal (plain, "request.to.uri.user", "bob"));
  ck_assert (is_equal (plain, "request.to.uri.port", "5060"));
  ck_assert (is_equal (plain, "request.from.uri.host", "example.com"));
}
END_TEST

START_TEST (test_mapping_display_name)
{
  SipServletRequest *rq = request_full (
      "INVITE", "sip:bob@example.com",
      "\"Alice \\\"The\\\" Liddell\" <sip:alice@example.com>;tag=1", "Bob <sip:bob@example.com>");
  SipServletRequest *none = request_to_uri ("sip:bob@example.com");

  /* Unquoted, escapes undone. */
  ck_assert (is_equal (rq, "request.from.display-name", "Alice \"The\" Liddell"));
  ck_assert (does_contain (rq, "request.from.display-name", "\"the\"", TRUE));
  ck_assert (is_equal (rq, "request.to.display-name", "Bob"));
  ck_assert (is_equal_ic (rq, "request.to.display-name", "BOB"));
  ck_assert (does_exist (rq, "request.to.display-name"));
  ck_assert (is_equal (none, "request.from.display-name", "Alice Liddell"));
  /* No display name: the variable is missing. */
  assert_missing (none, "request.to.display-name");
}
END_TEST

/* ---- operators ------------------------------------------------------------- */

START_TEST (test_mapping_ignore_case)
{
  SipServletRequest *rq = request_to_uri ("sip:Bob.Smith@Example.com");

  ck_assert (!is_equal (rq, "request.uri.user", "BOB.SMITH"));
  ck_assert (is_equal_ic (rq, "request.uri.user", "BOB.SMITH"));
  ck_assert (!is_equal_ic (rq, "request.uri.user", "BOB.SMIT"));
  ck_assert (!does_contain (rq, "request.uri.user", "smith", FALSE));
  ck_assert (does_contain (rq, "request.uri.user", "smith", TRUE));
  ck_assert (does_contain (rq, "request.uri.user", "Smith", FALSE));
  ck_assert (does_contain (rq, "request.uri.user", "", FALSE));
  ck_assert (!does_contain (rq, "request.uri.user", "smithy", TRUE));
  /* subdomain-of never cares about case. */
  ck_assert (is_subdomain (rq, "request.uri.host", "EXAMPLE.COM"));
}
END_TEST

START_TEST (test_mapping_subdomain_of)
{
  static const struct
  {
    const char *host;
    const char *domain;
    gboolean expected;
  } cases[] = {
    { "example.com", "example.com", TRUE },
    { "sip.example.com", "example.com", TRUE },
    { "a.b.example.com", "example.com", TRUE },
    { "SIP.Example.Com", "example.com", TRUE },
    { "sip.example.com", "EXAMPLE.COM", TRUE },
    { "example.com", "com", TRUE },
    { "xexample.com", "example.com", FALSE },
    { "example.com.evil.org", "example.com", FALSE },
    { "example.com", "sip.example.com", FALSE },
    { "example.org", "example.com", FALSE },
    { "192.0.2.7", "2.7", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ruri = g_strdup_printf ("sip:bob@%s", cases[i].host);
      SipServletRequest *rq = request_to_uri (ruri);
      ck_assert_msg (is_subdomain (rq, "request.uri.host", cases[i].domain) == cases[i].expected,
                     "%s subdomain-of %s", cases[i].host, cases[i].domain);
    }
  /* Any variable may be tested, as JSR 289 allows. */
  ck_assert (is_subdomain (request_to_uri ("sip:bob@example.com"), "request.from.uri.host",
                           "example.com"));
}
END_TEST

static SipPattern *
must (SipPattern *pattern)
{
  ck_assert_ptr_nonnull (pattern);
  return pattern;
}

START_TEST (test_mapping_and_or_not)
{
  SipServletRequest *invite = request_to_uri ("sip:bob@sip.example.com");
  SipServletRequest *message
      = request_full ("MESSAGE", "sip:carol@example.org", "<sip:alice@example.com>;tag=1",
                      "<sip:carol@example.org>");
  SipPattern *is_invite = must (sipservlet_pattern_equal ("request.method", "INVITE", FALSE, NULL));
  SipPattern *in_domain
      = must (sipservlet_pattern_subdomain_of ("request.uri.host", "example.com", NULL));
  SipPattern *to_carol = must (sipservlet_pattern_equal ("request.uri.user", "carol", FALSE, NULL));
  SipPattern *both, *either, *neither, *nested, *single;

  both = unit_defer (
      must (sipservlet_pattern_and ((SipPattern *[]){ sipservlet_pattern_ref (is_invite),
                                                      sipservlet_pattern_ref (in_domain) },
                                    2, NULL)),
      (GDestroyNotify) sipservlet_pattern_unref);
  either = unit_defer (
      must (sipservlet_pattern_or (
          (SipPattern *[]){ sipservlet_pattern_ref (is_invite), sipservlet_pattern_ref (to_carol) },
          2, NULL)),
      (GDestroyNotify) sipservlet_pattern_unref);
  neither = unit_defer (must (sipservlet_pattern_not (sipservlet_pattern_ref (either), NULL)),
                        (GDestroyNotify) sipservlet_pattern_unref);
  /* (INVITE and in the domain) or not (INVITE or to carol), negated twice. */
  nested = unit_defer (
      must (sipservlet_pattern_not (
          must (sipservlet_pattern_not (
              must (sipservlet_pattern_or ((SipPattern *[]){ sipservlet_pattern_ref (both),
                                                             sipservlet_pattern_ref (neither) },
                                           2, NULL)),
              NULL)),
          NULL)),
      (GDestroyNotify) sipservlet_pattern_unref);
  single = unit_defer (must (sipservlet_pattern_and (&to_carol, 1, NULL)),
                       (GDestroyNotify) sipservlet_pattern_unref);

  ck_assert (sipservlet_pattern_matches (both, invite));
  ck_assert (!sipservlet_pattern_matches (both, message));
  ck_assert (sipservlet_pattern_matches (either, invite));
  ck_assert (sipservlet_pattern_matches (either, message));
  ck_assert (!sipservlet_pattern_matches (neither, invite));
  ck_assert (!sipservlet_pattern_matches (neither, message));
  ck_assert (sipservlet_pattern_matches (nested, invite));
  ck_assert (!sipservlet_pattern_matches (nested, message));
  ck_assert (!sipservlet_pattern_matches (single, invite));
  ck_assert (sipservlet_pattern_matches (single, message));

  sipservlet_pattern_unref (is_invite);
  sipservlet_pattern_unref (in_domain);
}
END_TEST

/* A missing variable inside and/or: only its own condition is false. */
START_TEST (test_mapping_missing_in_logic)
{
  SipServletRequest *rq = request_to_uri ("tel:+12125550100");
  SipPattern *pattern = must (sipservlet_pattern_or (
      (SipPattern *[]){
          sipservlet_pattern_equal ("request.uri.user", "x", FALSE, NULL),
          sipservlet_pattern_not (sipservlet_pattern_exists ("request.uri.host", NULL), NULL) },
      2, NULL));

  ck_assert (matches_once (pattern, rq));
}
END_TEST

/* ---- building errors -------------------------------------------------------- */

static const char *const valid_variables[] = {
  "request.method",
  "request.uri",
  "request.uri.scheme",
  "request.uri.user",
  "request.uri.host",
  "request.uri.port",
  "request.uri.tel",
  "request.uri.param.transport",
  "request.uri.param.x-y.z",
  "request.from",
  "request.from.uri",
  "request.from.uri.scheme",
  "request.from.uri.user",
  "request.from.uri.host",
  "request.from.uri.port",
  "request.from.uri.tel",
  "request.from.uri.param.maddr",
  "request.from.display-name",
  "request.to",
  "request.to.uri",
  "request.to.uri.scheme",
  "request.to.uri.user",
  "request.to.uri.host",
  "request.to.uri.port",
  "request.to.uri.tel",
  "request.to.uri.param.lr",
  "request.to.display-name",
};

static const char *const invalid_variables[] = {
  "",
  "request",
  "request.",
  "Request.method",
  "request.METHOD",
  "request.methods",
  "request.method.x",
  "request.uri.",
  "request.uris",
  "request.uri.foo",
  "request.uri.display-name",
  "request.uri.param",
  "request.uri.param.",
  "request.uri.param.a b",
  "request.uri.tel.x",
  "request.from.",
  "request.from.user",
  "request.from.uri.",
  "request.from.display-name.x",
  "request.fromx",
  "request.to.displayname",
  "request.via",
  "request.route",
};

START_TEST (test_mapping_valid_variables)
{
  const char *variable = valid_variables[_i];
  GError *error = NULL;

  ck_assert (sipsv_pattern_variable_is_valid (variable));
  for (guint kind = 0; kind < 4; kind++)
    {
      SipPattern *p = kind == 0   ? sipservlet_pattern_equal (variable, "v", FALSE, &error)
                      : kind == 1 ? sipservlet_pattern_contains (variable, "v", TRUE, &error)
                      : kind == 2 ? sipservlet_pattern_exists (variable, &error)
                                  : sipservlet_pattern_subdomain_of (variable, "v", &error);
      UNIT_ASSERT_NO_ERROR (error);
      ck_assert_ptr_nonnull (p);
      /* Whatever the request lacks, evaluating never fails. */
      sipservlet_pattern_matches (p, request_to_uri ("tel:+1"));
      sipservlet_pattern_unref (p);
    }
}
END_TEST

START_TEST (test_mapping_invalid_variables)
{
  const char *variable = invalid_variables[_i];
  GError *error = NULL;

  ck_assert (!sipsv_pattern_variable_is_valid (variable));
  for (guint kind = 0; kind < 4; kind++)
    {
      SipPattern *p = kind == 0   ? sipservlet_pattern_equal (variable, "v", FALSE, &error)
                      : kind == 1 ? sipservlet_pattern_contains (variable, "v", TRUE, &error)
                      : kind == 2 ? sipservlet_pattern_exists (variable, &error)
                                  : sipservlet_pattern_subdomain_of (variable, "v", &error);
      ck_assert_ptr_null (p);
      ck_assert_ptr_nonnull (error);
      g_autofree char *quoted = g_strdup_printf ("unknown variable \"%s\"", variable);
      ck_assert_msg (strstr (error->message, quoted) != NULL, "message: %s", error->message);
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
    }
  ck_assert (!sipsv_pattern_variable_is_valid (NULL));
}
END_TEST

START_TEST (test_mapping_logic_errors)
{
  GError *error = NULL;
  SipPattern *child = must (sipservlet_pattern_exists ("request.uri.user", NULL));

  ck_assert_ptr_null (sipservlet_pattern_and (NULL, 0, &error));
  ck_assert_str_eq (error->message, "and needs at least one condition");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_ptr_null (sipservlet_pattern_or (NULL, 0, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  /* The children are taken also on error: valgrind sees the leak if not,
   * and the extra reference shows they were not released twice. */
  sipservlet_pattern_ref (child);
  ck_assert_ptr_null (sipservlet_pattern_and ((SipPattern *[]){ child, NULL }, 2, &error));
  ck_assert_str_eq (error->message, "and: condition 2 is missing (NULL)");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  sipservlet_pattern_ref (child);
  ck_assert_ptr_null (sipservlet_pattern_or ((SipPattern *[]){ NULL, child }, 2, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_ptr_null (sipservlet_pattern_not (NULL, &error));
  ck_assert_str_eq (error->message, "not: condition 1 is missing (NULL)");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* NULL error locations are fine. */
  ck_assert_ptr_null (sipservlet_pattern_not (NULL, NULL));
  ck_assert_ptr_null (sipservlet_pattern_and (&child, 0, NULL));

  /* A child that failed passes its own error on. */
  SipPattern *bad = sipservlet_pattern_equal ("request.nothing", "x", FALSE, &error);
  ck_assert_ptr_null (bad);
  ck_assert_ptr_null (sipservlet_pattern_and ((SipPattern *[]){ child, bad }, 2, &error));
  ck_assert_msg (strstr (error->message, "\"request.nothing\"") != NULL, "%s", error->message);
  ck_assert_ptr_null (sipservlet_pattern_not (NULL, &error));
  ck_assert_msg (strstr (error->message, "\"request.nothing\"") != NULL, "%s", error->message);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
}
END_TEST

/* ---- to_string ------------------------------------------------------------ */

static void
assert_string (SipPattern *pattern, const char *expected)
{
  ck_assert_ptr_nonnull (pattern);
  unit_defer (pattern, (GDestroyNotify) sipservlet_pattern_unref);
  g_autofree char *text = sipservlet_pattern_to_string (pattern);
  ck_assert_str_eq (text, expected);
}

START_TEST (test_mapping_to_string)
{
  assert_string (
      sipservlet_pattern_and (
          (SipPattern *[]){ sipservlet_pattern_equal ("request.method", "INVITE", FALSE, NULL),
                            sipservlet_pattern_exists ("request.uri.user", NULL) },
          2, NULL),
      "and(equal(request.method, \"INVITE\"), exists(request.uri.user))");
  assert_string (
      sipservlet_pattern_or (
          (SipPattern *[]){ sipservlet_pattern_contains ("request.from", "alice", TRUE, NULL),
                            sipservlet_pattern_not (sipservlet_pattern_subdomain_of (
                                                        "request.uri.host", "example.com", NULL),
                                                    NULL) },
          2, NULL),
      "or(contains(request.from, \"alice\", ignore-case), "
      "not(subdomain-of(request.uri.host, \"example.com\")))");
  assert_string (sipservlet_pattern_equal ("request.to.display-name", "a \"b\" \\ c\n", TRUE, NULL),
                 "equal(request.to.display-name, \"a \\\"b\\\" \\\\ c\\x0a\", ignore-case)");
  assert_string (sipservlet_pattern_equal ("request.uri.param.lr", "", FALSE, NULL),
                 "equal(request.uri.param.lr, \"\")");
}
END_TEST

/* ---- sipservlet_pattern_parse_xml() ---------------------------------------- */

static SipPattern *
parse_ok (const char *xml)
{
  GError *error = NULL;
  SipPattern *pattern = sipservlet_pattern_parse_xml (xml, -1, &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (pattern);
  return unit_defer (pattern, (GDestroyNotify) sipservlet_pattern_unref);
}

static void
assert_parses_to (const char *xml, const char *expected)
{
  g_autofree char *text = sipservlet_pattern_to_string (parse_ok (xml));
  ck_assert_str_eq (text, expected);
}

START_TEST (test_mapping_parse_xml)
{
  const char *xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<!-- the example of sipservlet-pattern.h -->\n"
                    "<pattern>\n"
                    "  <and>\n"
                    "    <equal><var>request.method</var><value>INVITE</value></equal>\n"
                    "    <subdomain-of>\n"
                    "      <var> request.uri.host </var>\n"
                    "      <value>example.com</value>\n"
                    "    </subdomain-of>\n"
                    "  </and>\n"
                    "</pattern>\n";
  SipPattern *pattern = parse_ok (xml);
  g_autofree char *text = sipservlet_pattern_to_string (pattern);

  ck_assert_str_eq (text, "and(equal(request.method, \"INVITE\"), "
                          "subdomain-of(request.uri.host, \"example.com\"))");
  ck_assert (sipservlet_pattern_matches (pattern, request_to_uri ("sip:bob@sip.example.com")));
  ck_assert (!sipservlet_pattern_matches (pattern, request_to_uri ("sip:bob@example.org")));

  /* A bare condition, with a length that cuts off trailing garbage. */
  const char *bare = "<exists><var>request.to.display-name</var></exists>GARBAGE";
  GError *error = NULL;
  SipPattern *cut = sipservlet_pattern_parse_xml (bare, (gssize) strlen (bare) - 7, &error);
  UNIT_ASSERT_NO_ERROR (error);
  unit_defer (cut, (GDestroyNotify) sipservlet_pattern_unref);
  g_autofree char *cut_text = sipservlet_pattern_to_string (cut);
  ck_assert_str_eq (cut_text, "exists(request.to.display-name)");
}
END_TEST

START_TEST (test_mapping_parse_xml_forms)
{
  /* Every element, ignore-case in each spelling. */
  assert_parses_to (
      "<or><contains ignore-case=\"true\"><var>request.from</var>"
      "<value>Alice</value></contains>"
      "<equal ignore-case=\"false\"><var>request.to.uri.user</var>"
      "<value>bob</value></equal>"
      "<equal ignore-case=\"1\"><var>request.uri.scheme</var><value>SIP</value></equal>"
      "<not><exists><var>request.uri.param.lr</var></exists></not></or>",
      "or(contains(request.from, \"Alice\", ignore-case), "
      "equal(request.to.uri.user, \"bob\"), "
      "equal(request.uri.scheme, \"SIP\", ignore-case), "
      "not(exists(request.uri.param.lr)))");
  /* Values as xsd:token: outer space dropped, inner runs collapsed;
   * entities, character references and CDATA. */
  assert_parses_to ("<pattern><equal><value>\n  Alice\t  Liddell \n</value>"
                    "<var>request.from.display-name</var></equal></pattern>",
                    "equal(request.from.display-name, \"Alice Liddell\")");
  assert_parses_to ("<contains><var>request.uri</var><value>a&amp;b&#59;<![CDATA[<c>]]></value>"
                    "</contains>",
                    "contains(request.uri, \"a&b;<c>\")");
  assert_parses_to ("<equal><var>request.uri.user</var><value></value></equal>",
                    "equal(request.uri.user, \"\")");
  assert_parses_to ("<equal><var>request.uri.user</var><value/></equal>",
                    "equal(request.uri.user, \"\")");
  /* Namespace prefixes and unrelated attributes are accepted. */
  assert_parses_to ("<s:pattern xmlns:s=\"http://www.jcp.org/xml/ns/sipservlet\" id=\"p1\">"
                    "<s:and><s:equal><s:var>request.method</s:var><s:value>BYE</s:value>"
                    "</s:equal></s:and></s:pattern>",
                    "and(equal(request.method, \"BYE\"))");
  assert_parses_to ("<subdomain-of xmlns=\"http://www.jcp.org/xml/ns/sipservlet\">"
                    "<var>request.uri.host</var><value>Example.COM</value></subdomain-of>",
                    "subdomain-of(request.uri.host, \"Example.COM\")");
}
END_TEST

static const struct
{
  const char *xml;
  const char *message; /* what error->message must start with */
} parse_errors[] = {
  /* Malformed XML, with GMarkup's line. */
  { "<pattern>\n<equal><var>request.method</var>\n<value>INVITE</valu></equal>\n</pattern>",
    "line 3: malformed XML: " },
  { "<pattern>\n  <equal><var>request.method</var><value>INVITE</value></equal>\n",
    "line 3: malformed XML: " },
  { "", "line 1: malformed XML: " },
  { "\n\n<and>&bogus;</and>", "line 3: malformed XML: " },
  /* Unknown elements and variables. */
  { "<pattern>\n  <matches><var>request.method</var><value>I.*</value></matches>\n</pattern>",
    "line 2: unknown element <matches> in <pattern>" },
  { "<and>\n<equal><var>request.method</var><value>I</value><other/></equal></and>",
    "line 2: <equal> holds <var> and <value>, not <other>" },
  { "<exists><var>request.uri.user</var><value>x</value></exists>",
    "line 1: <exists> holds <var>, not <value>" },
  { "<pattern>\n<equal>\n<var>request.uri.nothing</var>\n<value>x</value>\n</equal></pattern>",
    "line 3: unknown variable \"request.uri.nothing\" in equal" },
  { "<pattern><pattern><exists><var>request.uri</var></exists></pattern></pattern>",
    "line 1: unknown element <pattern> in <pattern>" },
  /* Wrong numbers of children. */
  { "<pattern>\n<not>\n<exists><var>request.uri.user</var></exists>\n"
    "<exists><var>request.uri.host</var></exists>\n</not>\n</pattern>",
    "line 4: <not> holds exactly one condition; <exists> is one more" },
  { "<pattern><not>\n</not></pattern>", "line 2: <not> needs one condition" },
  { "<pattern>\n<and></and></pattern>", "line 2: <and> needs at least one condition" },
  { "<or/>", "line 1: <or> needs at least one condition" },
  { "<pattern>\n</pattern>", "line 2: <pattern> holds no condition" },
  { "<pattern><exists><var>request.uri</var></exists>\n<exists><var>request.to</var></exists>"
    "</pattern>",
    "line 2: <pattern> holds exactly one condition; <exists> is one more" },
  { "<equal><var>request.method</var></equal>", "line 1: <equal> needs a <var> and a <value>" },
  { "<exists></exists>", "line 1: <exists> needs a <var>" },
  { "<equal><var>request.method</var><var>request.uri</var><value>x</value></equal>",
    "line 1: <equal> has more than one <var>" },
  { "<equal><value>x</value><var>request.method</var><value>y</value></equal>",
    "line 1: <equal> has more than one <value>" },
  { "<equal><var>request.<b/>method</var><value>y</value></equal>",
    "line 1: <var> holds text, not <b>" },
  { "<exists><var>request.uri</var></exists>\n<exists><var>request.to</var></exists>",
    "line 2: the document holds exactly one condition; <exists> is one more" },
  /* Text and attributes. */
  { "<and>\nINVITE<exists><var>request.uri</var></exists></and>",
    "line 2: unexpected text in <and>" },
  { "<equal ignore-case=\"yes\"><var>request.method</var><value>x</value></equal>",
    "line 1: <equal>: ignore-case is \"yes\", not true or false" },
};

START_TEST (test_mapping_parse_xml_errors)
{
  GError *error = NULL;
  SipPattern *pattern = sipservlet_pattern_parse_xml (parse_errors[_i].xml, -1, &error);

  ck_assert_ptr_null (pattern);
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_str_has_prefix (error->message, parse_errors[_i].message),
                 "case %d: got \"%s\", expected \"%s…\"", _i, error->message,
                 parse_errors[_i].message);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

/* The GMarkup reason follows our prefix, without GMarkup's own position. */
START_TEST (test_mapping_parse_xml_malformed_message)
{
  GError *error = NULL;

  ck_assert_ptr_null (sipservlet_pattern_parse_xml ("<and>\n<or>\n</and>", -1, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_str_has_prefix (error->message, "line 3: malformed XML: "), "%s",
                 error->message);
  ck_assert_msg (strstr (error->message, "Error on line") == NULL, "%s", error->message);
  ck_assert_msg (strstr (error->message, "or") != NULL, "%s", error->message);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

/* ---- sip.xml ------------------------------------------------------------- */

#define SIP_XML_1_1                                                                                \
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                   \
  "<sip-app xmlns=\"http://www.jcp.org/xml/ns/sipservlet\"\n"                                      \
  "         xmlns:javaee=\"http://java.sun.com/xml/ns/javaee\"\n"                                  \
  "         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"                             \
  "         version=\"1.1\">\n"                                                                    \
  "  <app-name>\n    com.example.pbx\n  </app-name>\n" /* lines 6-8 */                             \
  "  <servlet-selection>\n"                                                                        \
  "    <servlet-mapping>\n" /* line 10 */                                                          \
  "      <servlet-name>calls</servlet-name>\n"                                                     \
  "      <pattern>\n"                                                                              \
  "        <equal><var>request.method</var><value>INVITE</value></equal>\n"                        \
  "      </pattern>\n"                                                                             \
  "    </servlet-mapping>\n"                                                                       \
  "    <servlet-mapping>\n" /* line 16 */                                                          \
  "      <servlet-name>presence</servlet-name>\n"                                                  \
  "      <pattern><or>\n"                                                                          \
  "        <equal><var>request.method</var><value>SUBSCRIBE</value></equal>\n"                     \
  "        <equal><var>request.method</var><value>PUBLISH</value></equal>\n"                       \
  "      </or></pattern>\n"                                                                        \
  "    </servlet-mapping>\n"                                                                       \
  "  </servlet-selection>\n"                                                                       \
  "  <servlet>\n"                                                                                  \
  "    <servlet-name>calls</servlet-name>\n"                                                       \
  "  </servlet>\n"                                                                                 \
  "  <servlet><servlet-name> presence </servlet-name></servlet>\n"                                 \
  "</sip-app>\n"

static void
descriptor_ok (SipsvDescriptor *descriptor, const char *xml, const char *filename)
{
  GError *error = NULL;
  gboolean ok = sipsv_descriptor_parse (descriptor, xml, -1, filename, &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (ok);
}

static void
assert_mapping (SipsvDescriptor *descriptor, guint i, const char *servlet, guint line,
                const char *pattern)
{
  ck_assert_uint_gt (descriptor->mappings->len, i);
  SipsvDescriptorMapping *m = descriptor->mappings->pdata[i];
  g_autofree char *text = sipservlet_pattern_to_string (m->pattern);
  ck_assert_str_eq (m->servlet_name, servlet);
  ck_assert_uint_eq (m->line, line);
  ck_assert_str_eq (text, pattern);
}

START_TEST (test_mapping_descriptor_1_1)
{
  SipsvDescriptor d;

  descriptor_ok (&d, SIP_XML_1_1, "pbx/sip.xml");
  ck_assert_str_eq (d.app_name, "com.example.pbx");
  ck_assert_uint_eq (d.app_name_line, 6);
  ck_assert_ptr_null (d.main_servlet);
  ck_assert_uint_eq (d.mappings->len, 2);
  assert_mapping (&d, 0, "calls", 10, "equal(request.method, \"INVITE\")");
  assert_mapping (&d, 1, "presence", 16,
                  "or(equal(request.method, \"SUBSCRIBE\"), "
                  "equal(request.method, \"PUBLISH\"))");
  ck_assert_uint_eq (d.servlet_names->len, 2);
  ck_assert_str_eq (d.servlet_names->pdata[0], "calls");
  ck_assert_str_eq (d.servlet_names->pdata[1], "presence");
  sipsv_descriptor_clear (&d);
  /* Clearing twice is harmless. */
  sipsv_descriptor_clear (&d);
}
END_TEST

START_TEST (test_mapping_descriptor_1_0)
{
  const char *xml
      = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
        "<!DOCTYPE sip-app\n"
        "   PUBLIC \"-//Java Community Process//DTD SIP Application 1.0//EN\"\n"
        "   \"http://www.jcp.org/dtd/sip-app_1_0.dtd\">\n"
        "<sip-app>\n"
        "  <servlet><servlet-name>registrar</servlet-name></servlet>\n"
        "  <servlet-mapping>\n" /* line 7 */
        "    <servlet-name>registrar</servlet-name>\n"
        "    <pattern><and>\n"
        "      <equal><var>request.method</var><value>REGISTER</value></equal>\n"
        "      "
        "<subdomain-of><var>request.to.uri.host</var><value>example.com</value></subdomain-of>\n"
        "    </and></pattern>\n"
        "  </servlet-mapping>\n"
        "</sip-app>";
  SipsvDescriptor d;

  descriptor_ok (&d, xml, NULL);
  ck_assert_ptr_null (d.app_name);
  ck_assert_ptr_null (d.main_servlet);
  assert_mapping (&d, 0, "registrar", 7,
                  "and(equal(request.method, \"REGISTER\"), "
                  "subdomain-of(request.to.uri.host, \"example.com\"))");
  ck_assert_uint_eq (d.servlet_names->len, 1);
  sipsv_descriptor_clear (&d);
}
END_TEST

START_TEST (test_mapping_descriptor_main_servlet)
{
  const char *xml
      = "<javaee:sip-app xmlns:javaee=\"http://www.jcp.org/xml/ns/sipservlet\">\n"
        "  <javaee:app-name>echo</javaee:app-name>\n"
        "  <javaee:servlet-selection>\n"
        "    <javaee:main-servlet>echo-main</javaee:main-servlet>\n"
        "  </javaee:servlet-selection>\n"
        "  <javaee:servlet><javaee:servlet-name>echo-main</javaee:servlet-name></javaee:servlet>\n"
        "</javaee:sip-app>\n";
  SipsvDescriptor d;

  descriptor_ok (&d, xml, "echo.xml");
  ck_assert_str_eq (d.app_name, "echo");
  ck_assert_str_eq (d.main_servlet, "echo-main");
  ck_assert_uint_eq (d.main_servlet_line, 4);
  ck_assert_uint_eq (d.mappings->len, 0);
  ck_assert_uint_eq (d.servlet_names->len, 1);
  sipsv_descriptor_clear (&d);
}
END_TEST

START_TEST (test_mapping_descriptor_ignored)
{
  const char *xml
      = "<sip-app>\n"
        "  <app-name>pbx</app-name>\n"
        "  <display-name>The PBX</display-name>\n" /* 3 */
        "  <listener>\n"                           /* 4 */
        "    <listener-class>com.example.Listener</listener-class>\n"
        "  </listener>\n"
        "  <session-config><session-timeout>5</session-timeout></session-config>\n" /* 7 */
        "  <security-constraint>\n"                                                 /* 8 */
        "    <resource-collection><servlet-name>x</servlet-name>\n"
        "      <pattern><unknown-condition/></pattern>\n"
        "    </resource-collection>\n"
        "  </security-constraint>\n"
        "  <servlet-selection>\n"
        "    <main-servlet>main</main-servlet>\n"
        "    <description>ignored too</description>\n" /* 15 */
        "  </servlet-selection>\n"
        "  <servlet>\n"
        "    <servlet-name>main</servlet-name>\n"
        "    <servlet-class>com.example.Main</servlet-class>\n" /* 19 */
        "    <load-on-startup/>\n"                              /* 20 */
        "  </servlet>\n"
        "</sip-app>\n";
  static const char *const expected[] = {
    "conf/sip.xml:3: <display-name> is ignored",
    "conf/sip.xml:4: <listener> is ignored",
    "conf/sip.xml:7: <session-config> is ignored",
    "conf/sip.xml:8: <security-constraint> is ignored",
    "conf/sip.xml:15: <description> is ignored",
    "conf/sip.xml:19: <servlet-class> is ignored",
    "conf/sip.xml:20: <load-on-startup> is ignored",
  };
  SipsvDescriptor d;

  catch_warnings_begin ();
  descriptor_ok (&d, xml, "conf/sip.xml");
  /* One warning per skipped element, none for what is inside it. */
  ck_assert_uint_eq (catcher.messages->len, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    ck_assert_str_eq (catcher.messages->pdata[i], expected[i]);
  catch_warnings_end ();
  ck_assert_str_eq (d.main_servlet, "main");
  ck_assert_uint_eq (d.servlet_names->len, 1);
  sipsv_descriptor_clear (&d);
}
END_TEST

/* Without a filename, "sip.xml" names the document. */
START_TEST (test_mapping_descriptor_default_name)
{
  SipsvDescriptor d;

  catch_warnings_begin ();
  descriptor_ok (&d, "<sip-app>\n<distributable/>\n</sip-app>", NULL);
  ck_assert_uint_eq (catcher.messages->len, 1);
  ck_assert_str_eq (catcher.messages->pdata[0], "sip.xml:2: <distributable> is ignored");
  catch_warnings_end ();
  sipsv_descriptor_clear (&d);
}
END_TEST

static const struct
{
  const char *xml;
  const char *message; /* what error->message must start with */
} descriptor_errors[] = {
  { "<sip-app>\n<servlet-selection>\n<main-servlet>a</main-servlet>\n"
    "<servlet-mapping><servlet-name>b</servlet-name>\n"
    "<pattern><exists><var>request.uri</var></exists></pattern></servlet-mapping>\n"
    "</servlet-selection></sip-app>",
    "app.xml:4: <main-servlet> and <servlet-mapping> exclude each other" },
  { "<sip-app>\n<servlet-mapping><servlet-name>b</servlet-name>\n"
    "<pattern><exists><var>request.uri</var></exists></pattern></servlet-mapping>\n"
    "<servlet-selection>\n<main-servlet>a</main-servlet>\n</servlet-selection></sip-app>",
    "app.xml:5: <main-servlet> and <servlet-mapping> exclude each other" },
  { "<sip-app>\n<app-name>a</app-name>\n<servlet>\n</sip-app>", "app.xml:4: malformed XML: " },
  { "<sip-app>\n\n<app-name>a</app-name>\n", "app.xml:4: malformed XML: " },
  { "<sip-app><servlet-mapping>\n<servlet-name>b</servlet-name>\n<pattern>\n"
    "<equal><var>request.uri.nope</var><value>x</value></equal>\n</pattern>\n"
    "</servlet-mapping></sip-app>",
    "app.xml:4: unknown variable \"request.uri.nope\"" },
  { "<sip-app><servlet-mapping>\n<servlet-name>b</servlet-name>\n<pattern>\n"
    "<not><exists><var>request.uri</var></exists><exists><var>request.to</var></exists></not>\n"
    "</pattern>\n</servlet-mapping></sip-app>",
    "app.xml:4: <not> holds exactly one condition" },
  { "<sip-app><servlet-mapping>\n<servlet-name>b</servlet-name>\n<pattern>\n</pattern>\n"
    "</servlet-mapping></sip-app>",
    "app.xml:4: <pattern> holds no condition" },
  { "<sip-app><servlet-mapping>\n<pattern><exists><var>request.uri</var></exists></pattern>\n"
    "</servlet-mapping></sip-app>",
    "app.xml:3: <servlet-mapping> needs a <servlet-name> and a <pattern>" },
  { "<sip-app><servlet-mapping><servlet-name>b</servlet-name>\n"
    "<pattern><exists><var>request.uri</var></exists></pattern>\n"
    "<pattern><exists><var>request.uri</var></exists></pattern>\n"
    "</servlet-mapping></sip-app>",
    "app.xml:3: more than one <pattern> in <servlet-mapping>" },
  { "<sip-app>\n<app-name>a</app-name>\n<app-name>b</app-name></sip-app>",
    "app.xml:3: more than one <app-name> in <sip-app>" },
  /* Malformed inside a pattern or a skipped element: their sub-parsers
   * are unwound. */
  { "<sip-app><servlet-mapping><servlet-name>b</servlet-name>\n<pattern><and>\n",
    "app.xml:3: malformed XML: " },
  { "<sip-app>\n<listener>\n<a></b></listener></sip-app>", "app.xml:3: malformed XML: " },
  { "<sip-app>\n<app-name> </app-name></sip-app>", "app.xml:2: <app-name> is empty" },
  { "<sip-app>\n<servlet><servlet-name>a</servlet-name></servlet>\n"
    "<servlet><servlet-name>a</servlet-name></servlet></sip-app>",
    "app.xml:3: servlet \"a\" is declared twice" },
  { "<sip-app>\n<servlet>\n<servlet-class>X</servlet-class>\n</servlet></sip-app>",
    "app.xml:4: <servlet> needs a <servlet-name>" },
  { "<?xml version=\"1.0\"?>\n<web-app>\n</web-app>",
    "app.xml:2: root element <web-app>: sip.xml has one root element, <sip-app>" },
  { "<sip-app>\ntext</sip-app>", "app.xml:2: unexpected text in <sip-app>" },
  { "<sip-app>\n</sip-app>\n<sip-app/>",
    "app.xml:3: another root element <sip-app>: sip.xml has one root element" },
  { "<sip-app>\n</sip-app>\ntext", "app.xml:3: malformed XML: " },
};

START_TEST (test_mapping_descriptor_errors)
{
  SipsvDescriptor d;
  GError *error = NULL;

  /* Skipped elements may warn before the error. */
  catch_warnings_begin ();
  ck_assert (!sipsv_descriptor_parse (&d, descriptor_errors[_i].xml, -1, "app.xml", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (g_str_has_prefix (error->message, descriptor_errors[_i].message),
                 "case %d: got \"%s\", expected \"%s…\"", _i, error->message,
                 descriptor_errors[_i].message);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
  catch_warnings_end ();
  sipsv_descriptor_clear (&d);
}
END_TEST

/* ---- the application that uses them ------------------------------------- */

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
}

static SipServlet *
servlet_new (const char *name)
{
  static const SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT, .do_request = on_request };

  return unit_defer (sipservlet_servlet_new (name, &handlers, NULL, NULL),
                     (GDestroyNotify) sipservlet_servlet_unref);
}

START_TEST (test_mapping_application_selects)
{
  GError *error = NULL;
  SipApplication *app = unit_defer (sipservlet_application_new ("com.example.pbx", &error),
                                    (GDestroyNotify) sipservlet_application_unref);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_application_load_descriptor (app, SIP_XML_1_1, -1, NULL, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_application_add_servlet (app, servlet_new ("calls"), &error));
  ck_assert (sipservlet_application_add_servlet (app, servlet_new ("presence"), &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipsv_app_check_complete (app, &error));
  UNIT_ASSERT_NO_ERROR (error);

  SipServlet *calls = sipsv_app_select_servlet (app, request_to_uri ("sip:bob@example.com"));
  SipServlet *presence = sipsv_app_select_servlet (
      app, request_full ("SUBSCRIBE", "sip:bob@example.com", "<sip:a@example.com>;tag=1",
                         "<sip:bob@example.com>"));
  SipServlet *none = sipsv_app_select_servlet (app, request_full ("MESSAGE", "sip:bob@example.com",
                                                                  "<sip:a@example.com>;tag=1",
                                                                  "<sip:bob@example.com>"));
  ck_assert_str_eq (sipservlet_servlet_get_name (calls), "calls");
  ck_assert_str_eq (sipservlet_servlet_get_name (presence), "presence");
  ck_assert_ptr_null (none);
}
END_TEST

START_TEST (test_mapping_application_name_differs)
{
  GError *error = NULL;
  SipApplication *app = unit_defer (sipservlet_application_new ("other", &error),
                                    (GDestroyNotify) sipservlet_application_unref);

  ck_assert (!sipservlet_application_load_descriptor (app, SIP_XML_1_1, -1, "x/sip.xml", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_str_eq (error->message, "x/sip.xml:6: <app-name> is \"com.example.pbx\", but the "
                                    "application is \"other\"");
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("mapping");
  TCase *tc = tcase_create ("core");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_mapping_method);
  tcase_add_test (tc, test_mapping_request_uri);
  tcase_add_loop_test (tc, test_mapping_uri_variables, 0, G_N_ELEMENTS (uri_values));
  tcase_add_test (tc, test_mapping_uri_compare);
  tcase_add_test (tc, test_mapping_from_to_text);
  tcase_add_test (tc, test_mapping_from_to_uri);
  tcase_add_test (tc, test_mapping_display_name);
  tcase_add_test (tc, test_mapping_ignore_case);
  tcase_add_test (tc, test_mapping_subdomain_of);
  tcase_add_test (tc, test_mapping_and_or_not);
  tcase_add_test (tc, test_mapping_missing_in_logic);
  tcase_add_loop_test (tc, test_mapping_valid_variables, 0, G_N_ELEMENTS (valid_variables));
  tcase_add_loop_test (tc, test_mapping_invalid_variables, 0, G_N_ELEMENTS (invalid_variables));
  tcase_add_test (tc, test_mapping_logic_errors);
  tcase_add_test (tc, test_mapping_to_string);
  tcase_add_test (tc, test_mapping_parse_xml);
  tcase_add_test (tc, test_mapping_parse_xml_forms);
  tcase_add_loop_test (tc, test_mapping_parse_xml_errors, 0, G_N_ELEMENTS (parse_errors));
  tcase_add_test (tc, test_mapping_parse_xml_malformed_message);
  tcase_add_test (tc, test_mapping_descriptor_1_1);
  tcase_add_test (tc, test_mapping_descriptor_1_0);
  tcase_add_test (tc, test_mapping_descriptor_main_servlet);
  tcase_add_test (tc, test_mapping_descriptor_ignored);
  tcase_add_test (tc, test_mapping_descriptor_default_name);
  tcase_add_loop_test (tc, test_mapping_descriptor_errors, 0, G_N_ELEMENTS (descriptor_errors));
  tcase_add_test (tc, test_mapping_application_selects);
  tcase_add_test (tc, test_mapping_application_name_differs);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
