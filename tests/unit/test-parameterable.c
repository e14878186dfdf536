/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: SipParameterable. */
#include <string.h>

#include <sipservlet/sipservlet.h>

#include "check-main.h"
#include "assert-helpers.h"

static SipParameterable *
parse_ok (const char *text)
{
  GError *error = NULL;
  SipParameterable *p = sipservlet_parameterable_parse (text, &error);

  ck_assert_msg (p != NULL, "'%s' did not parse: %s", text, error ? error->message : "?");
  ck_assert_ptr_null (error);
  return p;
}

static void
assert_string (const SipParameterable *p, const char *expected)
{
  char *s = sipservlet_parameterable_to_string (p);

  ck_assert_str_eq (s, expected);
  g_free (s);
}

static void
assert_names (const SipParameterable *p, const char *const *expected)
{
  assert_strv (sipservlet_parameterable_get_parameter_names (p), expected);
}

START_TEST (test_parse_content_type)
{
  SipParameterable *p = parse_ok ("application/sdp;charset=utf-8");

  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "application/sdp");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "charset"), "utf-8");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "CHARSET"), "utf-8");
  ck_assert_ptr_null (sipservlet_parameterable_get_parameter (p, "boundary"));
  assert_names (p, (const char *const[]) { "charset", NULL });
  assert_string (p, "application/sdp;charset=utf-8");
  sipservlet_parameterable_unref (p);

  p = parse_ok ("text/plain");
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "text/plain");
  assert_names (p, (const char *const[]) { NULL });
  assert_string (p, "text/plain");
  sipservlet_parameterable_unref (p);
}
END_TEST

START_TEST (test_parse_via)
{
  SipParameterable *p = parse_ok ("SIP/2.0/UDP host:5060;branch=z9hG4bK1;rport");

  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "SIP/2.0/UDP host:5060");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "branch"), "z9hG4bK1");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "rport"), "");
  assert_names (p, (const char *const[]) { "branch", "rport", NULL });
  assert_string (p, "SIP/2.0/UDP host:5060;branch=z9hG4bK1;rport");
  sipservlet_parameterable_unref (p);

  p = parse_ok ("SIP/2.0/TCP [2001:db8::1]:5060;received=2001:db8::9;maddr=[::1];branch=z9hG4bK2");
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "SIP/2.0/TCP [2001:db8::1]:5060");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "received"), "2001:db8::9");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "maddr"), "[::1]");
  assert_string (p, "SIP/2.0/TCP [2001:db8::1]:5060;received=2001:db8::9;maddr=[::1]"
                    ";branch=z9hG4bK2");
  sipservlet_parameterable_unref (p);
}
END_TEST

static const char *const round_trips[] = {
  "presence;id=1234",
  "multipart/mixed;boundary=unique-boundary-1",
  "*;+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";require;explicit",
  "<http://www.example.com/sounds/moo.wav;x=1>;appearance=2",
  "\"quoted;value\";x=\"a \\\"b\\\" \\\\ c\"",
  "message/sipfrag;version=2.0",
  "active;expires=3600;retry-after=5",
  "icid-value=1234bc9876e;icid-generated-at=192.0.6.8;orig-ioi=home1.net",
  "x;empty=\"\"",
};

START_TEST (test_round_trip)
{
  for (gsize i = 0; i < G_N_ELEMENTS (round_trips); i++)
    {
      SipParameterable *p = parse_ok (round_trips[i]);

      assert_string (p, round_trips[i]);
      sipservlet_parameterable_unref (p);
    }
}
END_TEST

START_TEST (test_values_with_delimiters)
{
  SipParameterable *p = parse_ok ("<http://example.com/a;b>;appearance=2");

  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "<http://example.com/a;b>");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "appearance"), "2");
  sipservlet_parameterable_unref (p);

  p = parse_ok ("\"a;b\" x;y=1");
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "\"a;b\" x");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "y"), "1");
  sipservlet_parameterable_unref (p);

  p = parse_ok ("*;+sip.instance=\"<urn:uuid:1>\"");
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "*");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "+sip.instance"), "<urn:uuid:1>");
  sipservlet_parameterable_unref (p);
}
END_TEST

START_TEST (test_lws)
{
  SipParameterable *p = parse_ok ("  text/plain ; charset = \"utf-8\" ;\tformat=flowed  ");

  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "text/plain");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "charset"), "utf-8");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "format"), "flowed");
  assert_string (p, "text/plain;charset=\"utf-8\";format=flowed");
  sipservlet_parameterable_unref (p);

  /* A line fold inside the value keeps its white space only. */
  p = parse_ok ("SIP/2.0/UDP\r\n host;branch=x\r\n ;rport");
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "SIP/2.0/UDP host");
  assert_string (p, "SIP/2.0/UDP host;branch=x;rport");
  sipservlet_parameterable_unref (p);
}
END_TEST

START_TEST (test_parameters)
{
  SipParameterable *p = parse_ok ("a;x=1;Y=2;x=3;flag");
  GError *error = NULL;

  /* Duplicates: the first wins, names are listed once. */
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "X"), "1");
  assert_names (p, (const char *const[]) { "x", "Y", "flag", NULL });
  ck_assert (sipservlet_parameterable_set_parameter (p, "x", "9", &error));
  assert_string (p, "a;x=9;Y=2;flag");
  ck_assert (sipservlet_parameterable_set_parameter (p, "y", NULL, &error));
  ck_assert (sipservlet_parameterable_set_parameter (p, "new", "", &error));
  ck_assert (sipservlet_parameterable_set_parameter (p, "q", "\"Quoted\"", &error));
  ck_assert (sipservlet_parameterable_set_parameter (p, "sp", "two words", &error));
  ck_assert (sipservlet_parameterable_set_parameter (p, "semi", "a;b", &error));
  ck_assert (sipservlet_parameterable_set_parameter (p, "bs", "back\\slash", &error));
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "q"), "Quoted");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (p, "Y"), "");
  assert_string (p, "a;x=9;Y;flag;new;q=\"Quoted\";sp=\"two words\";semi=\"a;b\""
                    ";bs=\"back\\\\slash\"");
  sipservlet_parameterable_remove_parameter (p, "FLAG");
  sipservlet_parameterable_remove_parameter (p, "absent");
  sipservlet_parameterable_remove_parameter (p, "sp");
  sipservlet_parameterable_remove_parameter (p, "semi");
  sipservlet_parameterable_remove_parameter (p, "bs");
  assert_string (p, "a;x=9;Y;new;q=\"Quoted\"");

  {
    static const char *const bad_names[] = { "", "a b", "a;b", "a=b", "a\"", "(x)", "a\r\n" };

    for (gsize i = 0; i < G_N_ELEMENTS (bad_names); i++)
      assert_invalid_argument (sipservlet_parameterable_set_parameter (p, bad_names[i], "1",
                                                                       &error), &error);
  }
  assert_invalid_argument (sipservlet_parameterable_set_parameter (p, "x", "a\nb", &error),
                           &error);
  assert_invalid_argument (sipservlet_parameterable_set_parameter (p, "x", "a\rb", &error),
                           &error);
  assert_invalid_argument (sipservlet_parameterable_set_parameter (p, "x", "\xc3", &error),
                           &error);
  assert_string (p, "a;x=9;Y;new;q=\"Quoted\"");
  sipservlet_parameterable_unref (p);
}
END_TEST

START_TEST (test_set_value)
{
  SipParameterable *p = parse_ok ("text/plain;charset=utf-8");
  GError *error = NULL;
  static const char *const bad_values[] = {
    "", " ", " text/html", "text/html ", "a;b", "a\r\nb", "a\nb", "a\x01", "\"open",
    "<abc", "\xff",
  };

  ck_assert (sipservlet_parameterable_set_value (p, "text/html", &error));
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "text/html");
  assert_string (p, "text/html;charset=utf-8");
  ck_assert (sipservlet_parameterable_set_value (p, "<sip:a;b>", &error));
  ck_assert (sipservlet_parameterable_set_value (p, "\"x;y\" z", &error));
  assert_string (p, "\"x;y\" z;charset=utf-8");

  for (gsize i = 0; i < G_N_ELEMENTS (bad_values); i++)
    assert_invalid_argument (sipservlet_parameterable_set_value (p, bad_values[i], &error),
                             &error);
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "\"x;y\" z");

  /* Setting the value to itself. */
  ck_assert (sipservlet_parameterable_set_value (p, sipservlet_parameterable_get_value (p),
                                                 &error));
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "\"x;y\" z");
  sipservlet_parameterable_unref (p);
}
END_TEST

static const char *const equal_pairs[][2] = {
  { "application/sdp;charset=utf-8", "Application/SDP;CHARSET=UTF-8" },
  { "a;x=1;y=2", "a;y=2;x=1" },
  { "a;x=\"Q\"", "a; x = \"Q\"" },
  { "a;flag", "a;FLAG" },
  { "SIP/2.0/UDP host:5060;branch=z9hG4bK1", "sip/2.0/udp HOST:5060;branch=Z9HG4BK1" },
};

static const char *const unequal_pairs[][2] = {
  { "application/sdp", "application/pidf+xml" },
  { "a;x=1", "a" },
  { "a;x=1", "a;x=2" },
  { "a;x=\"Q\"", "a;x=\"q\"" },
  { "a;x=\"Q\"", "a;x=q" },
  { "a;x", "a;x=1" },
  { "a;x=1", "a;x=1;y" },
};

START_TEST (test_equal)
{
  for (gsize i = 0; i < G_N_ELEMENTS (equal_pairs); i++)
    {
      SipParameterable *a = parse_ok (equal_pairs[i][0]);
      SipParameterable *b = parse_ok (equal_pairs[i][1]);

      ck_assert_msg (sipservlet_parameterable_equal (a, b), "'%s' != '%s'", equal_pairs[i][0],
                     equal_pairs[i][1]);
      ck_assert_msg (sipservlet_parameterable_equal (b, a), "'%s' != '%s' (reversed)",
                     equal_pairs[i][0], equal_pairs[i][1]);
      sipservlet_parameterable_unref (a);
      sipservlet_parameterable_unref (b);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (unequal_pairs); i++)
    {
      SipParameterable *a = parse_ok (unequal_pairs[i][0]);
      SipParameterable *b = parse_ok (unequal_pairs[i][1]);

      ck_assert_msg (!sipservlet_parameterable_equal (a, b), "'%s' == '%s'",
                     unequal_pairs[i][0], unequal_pairs[i][1]);
      ck_assert_msg (!sipservlet_parameterable_equal (b, a), "'%s' == '%s' (reversed)",
                     unequal_pairs[i][0], unequal_pairs[i][1]);
      sipservlet_parameterable_unref (a);
      sipservlet_parameterable_unref (b);
    }
}
END_TEST

static const struct {
  const char *text;
  const char *problem;
} parse_errors[] = {
  { "", "empty value" },
  { "   ", "empty value" },
  { ";x=1", "empty value" },
  { " ;x=1", "empty value" },
  { "a;", "empty parameter name" },
  { "a;=1", "empty parameter name" },
  { "a; ;b", "empty parameter name" },
  { "a;x=", "missing value for parameter 'x'" },
  { "a;x= ;y", "missing value for parameter 'x'" },
  { "a;x=\"open", "unterminated quoted string" },
  { "\"open;x=1", "unterminated quoted string" },
  { "a;x=\"\\\x80\"", "invalid escape in quoted string" },
  { "a;x=1 junk", "unexpected character 'j'" },
  { "a;x=1,b", "unexpected character ','" },
  { "a;x=a/b", "unexpected character '/'" },
  { "a;x=1\"q\"", "unexpected character '\"'" },
  { "a;(x)=1", "invalid character '(' in parameter name" },
  { "<abc;x=1", "missing '>'" },
  { "<a\x01>", "control character" },
  { "a\x01b", "control character" },
  { "a\x7f", "control character" },
  { "a\r\nb", "line break" },
  { "a\rb", "line break" },
  { "\xff", "invalid UTF-8" },
  { "a;x=\"\xff\"", "invalid UTF-8 in quoted string" },
};

START_TEST (test_parse_errors)
{
  for (gsize i = 0; i < G_N_ELEMENTS (parse_errors); i++)
    {
      GError *error = NULL;
      SipParameterable *p = sipservlet_parameterable_parse (parse_errors[i].text, &error);
      char *expected;

      ck_assert_msg (p == NULL, "'%s' parsed", parse_errors[i].text);
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE),
                     "'%s': no parse error", parse_errors[i].text);
      expected = g_strdup_printf ("%s in header value '", parse_errors[i].problem);
      ck_assert_msg (g_str_has_prefix (error->message, expected),
                     "'%s': message '%s', expected '%s...'", parse_errors[i].text,
                     error->message, expected);
      g_free (expected);
      g_error_free (error);
    }
  ck_assert_ptr_null (sipservlet_parameterable_parse ("", NULL));
}
END_TEST

START_TEST (test_parse_error_message)
{
  GError *error = NULL;

  ck_assert_ptr_null (sipservlet_parameterable_parse ("text/plain;charset=", &error));
  ck_assert_str_eq (error->message,
                    "missing value for parameter 'charset' in header value 'text/plain;charset='");
  g_error_free (error);
}
END_TEST

START_TEST (test_clone_and_ref)
{
  SipParameterable *p = parse_ok ("application/sdp;charset=utf-8;x=\"Y\"");
  SipParameterable *copy = sipservlet_parameterable_clone (p);
  GError *error = NULL;

  ck_assert_ptr_ne (copy, p);
  ck_assert (sipservlet_parameterable_equal (p, copy));
  assert_string (copy, "application/sdp;charset=utf-8;x=\"Y\"");
  ck_assert (sipservlet_parameterable_set_value (copy, "text/plain", &error));
  ck_assert (sipservlet_parameterable_set_parameter (copy, "charset", "latin1", &error));
  sipservlet_parameterable_remove_parameter (copy, "x");
  assert_string (p, "application/sdp;charset=utf-8;x=\"Y\"");
  assert_string (copy, "text/plain;charset=latin1");
  ck_assert (!sipservlet_parameterable_equal (p, copy));

  ck_assert_ptr_eq (sipservlet_parameterable_ref (p), p);
  sipservlet_parameterable_unref (p);
  ck_assert_str_eq (sipservlet_parameterable_get_value (p), "application/sdp");
  sipservlet_parameterable_unref (p);
  sipservlet_parameterable_unref (copy);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("parameterable");
  TCase *tc = tcase_create ("parameterable");

  tcase_add_test (tc, test_parse_content_type);
  tcase_add_test (tc, test_parse_via);
  tcase_add_test (tc, test_round_trip);
  tcase_add_test (tc, test_values_with_delimiters);
  tcase_add_test (tc, test_lws);
  tcase_add_test (tc, test_parameters);
  tcase_add_test (tc, test_set_value);
  tcase_add_test (tc, test_equal);
  tcase_add_test (tc, test_parse_errors);
  tcase_add_test (tc, test_parse_error_message);
  tcase_add_test (tc, test_clone_and_ref);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
