/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests: SipURI and SipAddress. */
#include <math.h>
#include <string.h>

#include <sipservlet/sipservlet.h>

#include "check-main.h"
#include "assert-helpers.h"

/* ---- Helpers ---------------------------------------------------------- */

static SipURI *
uri_ok (const char *text)
{
  GError *error = NULL;
  SipURI *uri = sipservlet_uri_parse (text, &error);

  ck_assert_msg (uri != NULL, "'%s' did not parse: %s", text, error ? error->message : "?");
  ck_assert_ptr_null (error);
  return uri;
}

static SipAddress *
address_ok (const char *text)
{
  GError *error = NULL;
  SipAddress *address = sipservlet_address_parse (text, &error);

  ck_assert_msg (address != NULL, "'%s' did not parse: %s", text,
                 error ? error->message : "?");
  ck_assert_ptr_null (error);
  return address;
}

static void
assert_uri_string (const SipURI *uri, const char *expected)
{
  char *s = sipservlet_uri_to_string (uri);

  ck_assert_str_eq (s, expected);
  g_free (s);
}

static void
assert_address_string (const SipAddress *address, const char *expected)
{
  char *s = sipservlet_address_to_string (address);

  ck_assert_str_eq (s, expected);
  g_free (s);
}

/* ---- SipURI: parsing -------------------------------------------------- */

START_TEST (test_uri_parse_sip)
{
  SipURI *uri = uri_ok ("sip:alice@atlanta.com");

  ck_assert_str_eq (sipservlet_uri_get_scheme (uri), "sip");
  ck_assert (sipservlet_uri_is_sip (uri));
  ck_assert (!sipservlet_uri_is_tel (uri));
  ck_assert (!sipservlet_uri_is_secure (uri));
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  ck_assert_ptr_null (sipservlet_uri_get_user_password (uri));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "atlanta.com");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), -1);
  ck_assert_ptr_null (sipservlet_uri_get_transport_param (uri));
  ck_assert (!sipservlet_uri_get_lr_param (uri));
  ck_assert_ptr_null (sipservlet_uri_get_phone_number (uri));
  ck_assert (!sipservlet_uri_is_global (uri));
  assert_strv (sipservlet_uri_get_parameter_names (uri), (const char *const[]) { NULL });
  assert_strv (sipservlet_uri_get_header_names (uri), (const char *const[]) { NULL });
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_parse_full)
{
  SipURI *uri = uri_ok ("SIPS:alice:se%63ret@[2001:db8::1]:5061"
                        ";transport=tcp;lr;X=%41?subject=hi%20there&Priority=urgent");

  ck_assert_str_eq (sipservlet_uri_get_scheme (uri), "sips");
  ck_assert (sipservlet_uri_is_sip (uri));
  ck_assert (sipservlet_uri_is_secure (uri));
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  ck_assert_str_eq (sipservlet_uri_get_user_password (uri), "secret");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[2001:db8::1]");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5061);
  ck_assert_str_eq (sipservlet_uri_get_transport_param (uri), "tcp");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "TRANSPORT"), "tcp");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "lr"), "");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "x"), "A");
  ck_assert_ptr_null (sipservlet_uri_get_parameter (uri, "maddr"));
  ck_assert (sipservlet_uri_get_lr_param (uri));
  ck_assert_str_eq (sipservlet_uri_get_header (uri, "Subject"), "hi there");
  ck_assert_str_eq (sipservlet_uri_get_header (uri, "priority"), "urgent");
  ck_assert_ptr_null (sipservlet_uri_get_header (uri, "to"));
  assert_strv (sipservlet_uri_get_parameter_names (uri),
               (const char *const[]) { "transport", "lr", "X", NULL });
  assert_strv (sipservlet_uri_get_header_names (uri),
               (const char *const[]) { "subject", "Priority", NULL });
  assert_uri_string (uri, "sips:alice:secret@[2001:db8::1]:5061"
                          ";transport=tcp;lr;X=A?subject=hi%20there&Priority=urgent");
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_parse_hosts)
{
  SipURI *uri = uri_ok ("sip:192.0.2.4:5060");

  ck_assert_ptr_null (sipservlet_uri_get_user (uri));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "192.0.2.4");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5060);
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:[::1]");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[::1]");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), -1);
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:bob@[::ffff:192.0.2.1]:0");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[::ffff:192.0.2.1]");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 0);
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:example.com.:65535");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "example.com.");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 65535);
  sipservlet_uri_unref (uri);

  /* RFC 5118 §4.10: the port inside the brackets is part of the address. */
  uri = uri_ok ("sip:[2001:db8::10:5070]");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[2001:db8::10:5070]");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), -1);
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:[2001:db8::10]:5070");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[2001:db8::10]");
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5070);
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_parse_userinfo)
{
  SipURI *uri = uri_ok ("sip:%61lice@atlanta.com");

  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  assert_uri_string (uri, "sip:alice@atlanta.com");
  sipservlet_uri_unref (uri);

  /* user-unreserved characters are part of the user. */
  uri = uri_ok ("sip:alice;day=tuesday@atlanta.com");
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice;day=tuesday");
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "atlanta.com");
  assert_strv (sipservlet_uri_get_parameter_names (uri), (const char *const[]) { NULL });
  sipservlet_uri_unref (uri);

  /* The telephone-subscriber ambiguity: after ':' is the password. */
  uri = uri_ok ("sip:+1-212-555-1212:1234@gateway.com;user=phone");
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "+1-212-555-1212");
  ck_assert_str_eq (sipservlet_uri_get_user_password (uri), "1234");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "user"), "phone");
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:a%20b%25c:p%40ss@h");
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "a b%c");
  ck_assert_str_eq (sipservlet_uri_get_user_password (uri), "p@ss");
  assert_uri_string (uri, "sip:a%20b%25c:p%40ss@h");
  sipservlet_uri_unref (uri);

  uri = uri_ok ("sip:alice:@h");
  ck_assert_str_eq (sipservlet_uri_get_user_password (uri), "");
  assert_uri_string (uri, "sip:alice:@h");
  sipservlet_uri_unref (uri);
}
END_TEST

static const char *const uri_round_trips[] = {
  "sip:alice@atlanta.com",
  "sips:alice:secret@[2001:db8::1]:5061;transport=tcp;lr?subject=hi%20there&priority=urgent",
  "sip:alice;day=tuesday@atlanta.com",
  "sip:+1-212-555-1212:1234@gateway.com;user=phone",
  "sip:192.0.2.4:5060;maddr=239.255.255.1;ttl=15",
  "sip:[::ffff:192.0.2.1]:5070;lr",
  "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
  "sip:atlanta.com;foo=a%20b;bar=[x]/:&+$",
  "sip:a%25b@h",
  "sip:alice@atlanta.com;lr;x=1?h=&k=v",
  "tel:+1-201-555-0123",
  "tel:7042;phone-context=example.com",
  "tel:863-1234;phone-context=+1-914-555;ext=12",
  "tel:+1(201)555.0123;isub=1411;x-vendor=a%20b",
  "mailto:Bob@Example.com",
  "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
  "http://www.example.com/sounds/moo.wav?a=1#frag",
};

START_TEST (test_uri_round_trip)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uri_round_trips); i++)
    {
      SipURI *uri = uri_ok (uri_round_trips[i]);

      assert_uri_string (uri, uri_round_trips[i]);
      sipservlet_uri_unref (uri);
    }
}
END_TEST

static const struct {
  const char *in;
  const char *out;
} uri_normalized[] = {
  { "SIP:%61lice@AtLanTa.CoM;Transport=TCP", "sip:alice@AtLanTa.CoM;Transport=TCP" },
  { "sip:a@b?h", "sip:a@b?h=" },
  { "sip:%41%3b@h", "sip:A;@h" },
  { "sip:alice@h;%6Cr", "sip:alice@h;lr" },
  { "sip:h;x=%5b%5D", "sip:h;x=[]" },
  { "sip:h?subject=a%3fb", "sip:h?subject=a?b" },
  { "Tel:+1234", "tel:+1234" },
  { "URN:x:y", "urn:x:y" },
};

START_TEST (test_uri_normalized_format)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uri_normalized); i++)
    {
      SipURI *uri = uri_ok (uri_normalized[i].in);

      assert_uri_string (uri, uri_normalized[i].out);
      sipservlet_uri_unref (uri);
    }
}
END_TEST

static const struct {
  const char *text;
  const char *problem;
} uri_errors[] = {
  { "", "missing scheme" },
  { "alice@example.com", "missing scheme" },
  { "1sip:a@b", "missing scheme" },
  { ":a@b", "missing scheme" },
  { "sip:", "empty host" },
  { "sip:alice@", "empty host" },
  { "sip:alice@;lr", "empty host" },
  { "sip:a@:5060", "empty host" },
  { "sip:@b", "empty user" },
  { "sip::pw@b", "empty user" },
  { "sip:a@b:99999", "invalid port" },
  { "sip:a@b:65536", "invalid port" },
  { "sip:a@b:", "invalid port" },
  { "sip:a@b:12x", "invalid port" },
  { "sip:a@b:-1", "invalid port" },
  { "sip:a@b:0000005060", "invalid port" },
  { "sip:a b@c", "white space" },
  { "sip:a@b ", "white space" },
  { " sip:a@b", "white space" },
  { "sip:a@b\tc", "white space" },
  { "sip:a@b\x01", "control character" },
  { "sip:a@b\r\n", "control character" },
  { "sip:\xc3\xa9@b", "non-ASCII character" },
  { "sip:[::1", "unbalanced brackets" },
  { "sip:a@[::1", "unbalanced brackets" },
  { "sip:a@host]", "unbalanced brackets" },
  { "sip:a@[::1]]", "unbalanced brackets" },
  { "sip:a@ho[st", "unbalanced brackets" },
  { "sip:a@[1:2:3]", "invalid IPv6 address" },
  { "sip:a@[1:2:3:4:5:6:7:8:9]", "invalid IPv6 address" },
  { "sip:a@[1::2::3]", "invalid IPv6 address" },
  { "sip:a@[12345::1]", "invalid IPv6 address" },
  { "sip:a@[::1.2.3.256]", "invalid IPv6 address" },
  { "sip:a@[]", "invalid IPv6 address" },
  { "sip:a@[example.com]", "invalid IPv6 address" },
  { "sip:a@-b.com", "invalid host" },
  { "sip:a@b-.com", "invalid host" },
  { "sip:a@b..com", "invalid host" },
  { "sip:a@.b.com", "invalid host" },
  { "sip:a@1.2.3.256", "invalid host" },
  { "sip:a@1.2.3", "invalid host" },
  { "sip:a@example.123", "invalid host" },
  { "sip:a@b_c.com", "invalid character '_' in host" },
  { "sip:%zzalice@b", "invalid escape sequence in user" },
  { "sip:alice%4@b", "invalid escape sequence in user" },
  { "sip:a:p;w@b", "invalid character in password" },
  { "sip:a:p%g0@b", "invalid escape sequence in password" },
  { "sip:a@b@c", "invalid character '@' in host" },
  { "sip:a@b;=x", "empty parameter name" },
  { "sip:a@b;", "empty parameter name" },
  { "sip:a@b;;lr", "empty parameter name" },
  { "sip:a@b;x=", "empty value for parameter 'x'" },
  { "sip:a@b;x=\"y\"", "empty value for parameter 'x'" },
  { "sip:a@b;x=%4", "invalid escape sequence in parameter 'x'" },
  { "sip:a@b?", "empty headers" },
  { "sip:a@b?=v", "empty header name" },
  { "sip:a@b?x=1&", "empty header name" },
  { "sip:a@b?x=%zz", "invalid escape sequence in header 'x'" },
  { "sip:a@b?x=1;y=2", "unexpected character ';'" },
  { "sip:a@b<", "invalid character '<' in host" },
  { "sip:a@[::1]x", "invalid character 'x' in host" },
  { "tel:", "invalid telephone number" },
  { "tel:+", "invalid telephone number" },
  { "tel:+-", "invalid telephone number" },
  { "tel:+1-abc", "invalid telephone number" },
  { "tel:+1234?x=y", "invalid telephone number" },
  { "tel:5551234", "local number without phone-context" },
  { "tel:5551234;ext=1", "local number without phone-context" },
  { "tel:+1234;phone-context=example.com", "phone-context on a global number" },
  { "tel:1234;phone-context=bad..ctx", "invalid phone-context" },
  { "tel:1234;phone-context=+", "invalid phone-context" },
  { "tel:1234;phone-context", "invalid phone-context" },
  { "tel:+1234;ext=abc", "invalid extension" },
  { "tel:+1234;ext", "invalid extension" },
  { "tel:+1234;isub", "invalid isdn-subaddress" },
  { "tel:+1234;a_b=1", "invalid parameter name" },
  { "tel:+1234;x=", "empty value for parameter 'x'" },
  { "mailto:", "nothing after the scheme" },
  { "http://a b", "white space" },
  { "http://a|b", "invalid character '|'" },
  { "urn:%zz", "invalid escape sequence" },
};

START_TEST (test_uri_parse_errors)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uri_errors); i++)
    {
      GError *error = NULL;
      SipURI *uri = sipservlet_uri_parse (uri_errors[i].text, &error);
      char *expected;

      ck_assert_msg (uri == NULL, "'%s' parsed", uri_errors[i].text);
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE),
                     "'%s': no parse error", uri_errors[i].text);
      expected = g_strdup_printf ("%s in URI '", uri_errors[i].problem);
      ck_assert_msg (g_str_has_prefix (error->message, expected),
                     "'%s': message '%s', expected '%s...'", uri_errors[i].text,
                     error->message, expected);
      g_free (expected);
      g_error_free (error);
    }
}
END_TEST

START_TEST (test_uri_parse_error_message)
{
  GError *error = NULL;

  ck_assert_ptr_null (sipservlet_uri_parse ("sip:a@b:99999", &error));
  ck_assert_str_eq (error->message, "invalid port in URI 'sip:a@b:99999'");
  g_clear_error (&error);

  /* Control characters are shown escaped. */
  ck_assert_ptr_null (sipservlet_uri_parse ("sip:a@b\x01", &error));
  ck_assert_str_eq (error->message, "control character in URI 'sip:a@b\\x01'");
  g_clear_error (&error);

  /* A NULL error location is allowed. */
  ck_assert_ptr_null (sipservlet_uri_parse ("sip:", NULL));
}
END_TEST

/* ---- SipURI: tel and opaque ------------------------------------------- */

START_TEST (test_uri_tel)
{
  SipURI *uri = uri_ok ("tel:+1-201-555-0123");

  ck_assert_str_eq (sipservlet_uri_get_scheme (uri), "tel");
  ck_assert (sipservlet_uri_is_tel (uri));
  ck_assert (!sipservlet_uri_is_sip (uri));
  ck_assert (sipservlet_uri_is_global (uri));
  ck_assert_str_eq (sipservlet_uri_get_phone_number (uri), "1-201-555-0123");
  ck_assert_ptr_null (sipservlet_uri_get_phone_context (uri));
  ck_assert_ptr_null (sipservlet_uri_get_user (uri));
  ck_assert_ptr_null (sipservlet_uri_get_host (uri));
  ck_assert_int_eq (sipservlet_uri_get_port (uri), -1);
  ck_assert_ptr_null (sipservlet_uri_get_transport_param (uri));
  sipservlet_uri_unref (uri);

  uri = uri_ok ("tel:7042;phone-context=example.com");
  ck_assert (!sipservlet_uri_is_global (uri));
  ck_assert_str_eq (sipservlet_uri_get_phone_number (uri), "7042");
  ck_assert_str_eq (sipservlet_uri_get_phone_context (uri), "example.com");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "Phone-Context"), "example.com");
  sipservlet_uri_unref (uri);

  uri = uri_ok ("tel:*67#AB;phone-context=+1-914-555;ext=1-2");
  ck_assert_str_eq (sipservlet_uri_get_phone_number (uri), "*67#AB");
  ck_assert_str_eq (sipservlet_uri_get_phone_context (uri), "+1-914-555");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "ext"), "1-2");
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_tel_setters)
{
  SipURI *uri = uri_ok ("tel:+1234");
  GError *error = NULL;

  ck_assert (sipservlet_uri_set_parameter (uri, "ext", "56", &error));
  ck_assert (sipservlet_uri_set_parameter (uri, "x-flag", NULL, &error));
  assert_uri_string (uri, "tel:+1234;ext=56;x-flag");
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "ext", "5a", &error), &error);
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "a_b", "1", &error), &error);
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "phone-context", "example.com",
                                                         &error), &error);
  assert_invalid_argument (sipservlet_uri_set_header (uri, "x", "y", &error), &error);
  sipservlet_uri_remove_parameter (uri, "EXT");
  assert_uri_string (uri, "tel:+1234;x-flag");
  sipservlet_uri_unref (uri);

  uri = uri_ok ("tel:1234;phone-context=example.com");
  ck_assert (sipservlet_uri_set_parameter (uri, "phone-context", "+33-1", &error));
  assert_uri_string (uri, "tel:1234;phone-context=+33-1");
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "phone-context", "", &error),
                           &error);
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "phone-context", "a..b", &error),
                           &error);
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_opaque)
{
  SipURI *uri = uri_ok ("mailto:Bob@Example.com");
  GError *error = NULL;

  ck_assert_str_eq (sipservlet_uri_get_scheme (uri), "mailto");
  ck_assert (!sipservlet_uri_is_sip (uri));
  ck_assert (!sipservlet_uri_is_tel (uri));
  ck_assert (!sipservlet_uri_is_secure (uri));
  ck_assert_ptr_null (sipservlet_uri_get_host (uri));
  ck_assert_ptr_null (sipservlet_uri_get_parameter (uri, "x"));
  ck_assert_ptr_null (sipservlet_uri_get_header (uri, "x"));
  assert_strv (sipservlet_uri_get_parameter_names (uri), (const char *const[]) { NULL });
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "x", "1", &error), &error);
  assert_invalid_argument (sipservlet_uri_set_header (uri, "x", "1", &error), &error);
  sipservlet_uri_remove_parameter (uri, "x");
  assert_uri_string (uri, "mailto:Bob@Example.com");
  sipservlet_uri_unref (uri);
}
END_TEST

/* ---- SipURI: construction and setters --------------------------------- */

START_TEST (test_uri_new_sip)
{
  SipURI *uri = sipservlet_uri_new_sip ("alice", "example.com", 5060, TRUE);

  assert_uri_string (uri, "sips:alice@example.com:5060");
  ck_assert (sipservlet_uri_is_secure (uri));
  sipservlet_uri_unref (uri);

  uri = sipservlet_uri_new_sip (NULL, "::1", -1, FALSE);
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[::1]");
  assert_uri_string (uri, "sip:[::1]");
  sipservlet_uri_unref (uri);

  uri = sipservlet_uri_new_sip ("a b", "192.0.2.1", 0, FALSE);
  assert_uri_string (uri, "sip:a%20b@192.0.2.1:0");
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_setters)
{
  SipURI *uri = uri_ok ("sip:alice:pw@atlanta.com");
  GError *error = NULL;

  ck_assert (sipservlet_uri_set_user (uri, "bob smith", &error));
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "bob smith");
  assert_uri_string (uri, "sip:bob%20smith:pw@atlanta.com");
  assert_invalid_argument (sipservlet_uri_set_user (uri, "", &error), &error);
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "bob smith");

  ck_assert (sipservlet_uri_set_user_password (uri, "p:w", &error));
  assert_uri_string (uri, "sip:bob%20smith:p%3Aw@atlanta.com");
  ck_assert (sipservlet_uri_set_user_password (uri, NULL, &error));
  assert_uri_string (uri, "sip:bob%20smith@atlanta.com");
  ck_assert (sipservlet_uri_set_user_password (uri, "x", &error));

  /* Removing the user removes the password too. */
  ck_assert (sipservlet_uri_set_user (uri, NULL, &error));
  ck_assert_ptr_null (sipservlet_uri_get_user_password (uri));
  assert_uri_string (uri, "sip:atlanta.com");
  assert_invalid_argument (sipservlet_uri_set_user_password (uri, "x", &error), &error);

  ck_assert (sipservlet_uri_set_host (uri, "Biloxi.example.COM", &error));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "Biloxi.example.COM");
  ck_assert (sipservlet_uri_set_host (uri, "2001:db8::1", &error));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[2001:db8::1]");
  ck_assert (sipservlet_uri_set_host (uri, "[::1]", &error));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "[::1]");
  ck_assert (sipservlet_uri_set_host (uri, "10.0.0.1", &error));
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "10.0.0.1");
  {
    static const char *const bad_hosts[] = { "", "bad host", "a..b", "[::1", "1:2:3",
                                             "[1.2.3.4]", "ex_ample.com", "10.0.0.256" };

    for (gsize i = 0; i < G_N_ELEMENTS (bad_hosts); i++)
      {
        assert_invalid_argument (sipservlet_uri_set_host (uri, bad_hosts[i], &error), &error);
      }
  }
  ck_assert_str_eq (sipservlet_uri_get_host (uri), "10.0.0.1");

  ck_assert (sipservlet_uri_set_port (uri, 5080, &error));
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5080);
  assert_invalid_argument (sipservlet_uri_set_port (uri, 65536, &error), &error);
  assert_invalid_argument (sipservlet_uri_set_port (uri, -2, &error), &error);
  ck_assert_int_eq (sipservlet_uri_get_port (uri), 5080);
  assert_uri_string (uri, "sip:10.0.0.1:5080");
  ck_assert (sipservlet_uri_set_port (uri, -1, &error));
  assert_uri_string (uri, "sip:10.0.0.1");

  sipservlet_uri_set_secure (uri, TRUE);
  ck_assert_str_eq (sipservlet_uri_get_scheme (uri), "sips");
  assert_uri_string (uri, "sips:10.0.0.1");
  sipservlet_uri_set_secure (uri, FALSE);
  assert_uri_string (uri, "sip:10.0.0.1");

  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_parameters)
{
  SipURI *uri = uri_ok ("sip:a@b;x=1;y=2;Z");
  GError *error = NULL;

  ck_assert (sipservlet_uri_set_parameter (uri, "X", "3", &error));
  assert_uri_string (uri, "sip:a@b;x=3;y=2;Z");
  ck_assert (sipservlet_uri_set_parameter (uri, "new", "a b;c=d", &error));
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "NEW"), "a b;c=d");
  assert_uri_string (uri, "sip:a@b;x=3;y=2;Z;new=a%20b%3Bc%3Dd");
  ck_assert (sipservlet_uri_set_parameter (uri, "y", "", &error));
  ck_assert (sipservlet_uri_set_parameter (uri, "z", NULL, &error));
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "y"), "");
  assert_uri_string (uri, "sip:a@b;x=3;y;Z;new=a%20b%3Bc%3Dd");
  assert_strv (sipservlet_uri_get_parameter_names (uri),
               (const char *const[]) { "x", "y", "Z", "new", NULL });
  sipservlet_uri_remove_parameter (uri, "Y");
  sipservlet_uri_remove_parameter (uri, "absent");
  ck_assert_ptr_null (sipservlet_uri_get_parameter (uri, "y"));
  assert_uri_string (uri, "sip:a@b;x=3;Z;new=a%20b%3Bc%3Dd");
  assert_invalid_argument (sipservlet_uri_set_parameter (uri, "", "1", &error), &error);

  /* Setting a parameter to its own current value. */
  ck_assert (sipservlet_uri_set_parameter (uri, "x", sipservlet_uri_get_parameter (uri, "x"),
                                           &error));
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "x"), "3");

  sipservlet_uri_set_lr_param (uri, TRUE);
  ck_assert (sipservlet_uri_get_lr_param (uri));
  assert_uri_string (uri, "sip:a@b;x=3;Z;new=a%20b%3Bc%3Dd;lr");
  sipservlet_uri_set_lr_param (uri, FALSE);
  ck_assert (!sipservlet_uri_get_lr_param (uri));
  ck_assert (sipservlet_uri_set_parameter (uri, "transport", "tls", &error));
  ck_assert_str_eq (sipservlet_uri_get_transport_param (uri), "tls");
  sipservlet_uri_unref (uri);

  /* Duplicates: the first wins; setting drops the others. */
  uri = uri_ok ("sip:a@b;x=1;y;x=2");
  ck_assert_str_eq (sipservlet_uri_get_parameter (uri, "x"), "1");
  assert_strv (sipservlet_uri_get_parameter_names (uri), (const char *const[]) { "x", "y", NULL });
  ck_assert (sipservlet_uri_set_parameter (uri, "x", "9", &error));
  assert_uri_string (uri, "sip:a@b;x=9;y");
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_uri_headers)
{
  SipURI *uri = uri_ok ("sip:a@b?Subject=hi&X=1");
  GError *error = NULL;

  ck_assert (sipservlet_uri_set_header (uri, "subject", "a&b=c d?", &error));
  ck_assert_str_eq (sipservlet_uri_get_header (uri, "SUBJECT"), "a&b=c d?");
  assert_uri_string (uri, "sip:a@b?Subject=a%26b%3Dc%20d?&X=1");
  ck_assert (sipservlet_uri_set_header (uri, "Empty", "", &error));
  assert_uri_string (uri, "sip:a@b?Subject=a%26b%3Dc%20d?&X=1&Empty=");
  assert_strv (sipservlet_uri_get_header_names (uri),
               (const char *const[]) { "Subject", "X", "Empty", NULL });
  assert_invalid_argument (sipservlet_uri_set_header (uri, "", "x", &error), &error);
  sipservlet_uri_remove_header (uri, "x");
  sipservlet_uri_remove_header (uri, "subject");
  sipservlet_uri_remove_header (uri, "empty");
  assert_uri_string (uri, "sip:a@b");
  sipservlet_uri_unref (uri);
}
END_TEST

/* ---- SipURI: comparison ----------------------------------------------- */

/* RFC 3261 §19.1.4, then IPv6 forms (RFC 5118, RFC 5952) and more. */
static const char *const uri_equal_pairs[][2] = {
  { "sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com;security=on" },
  { "sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on" },
  { "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
    "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com" },
  { "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
    "sip:alice@atlanta.com?priority=urgent&subject=project%20x" },
  /* more */
  { "SIP:alice@atlanta.com", "sip:alice@ATLANTA.COM" },
  { "sip:alice:pw@atlanta.com", "sip:alice:%70w@atlanta.com" },
  { "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;maddr=239.255.255.1;ttl=15",
    "sip:alice@atlanta.com;TTL=15;MADDR=239.255.255.1" },
  { "sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com;user=PHONE" },
  { "sip:alice@atlanta.com?Subject=x", "sip:alice@atlanta.com?subject=x" },
  { "sips:alice@atlanta.com:5061", "sips:alice@atlanta.com:5061" },
  /* IPv6 references compare as addresses. */
  { "sip:alice@[2001:db8::10]", "sip:alice@[2001:DB8:0:0:0:0:0:10]" },
  { "sip:alice@[2001:db8::10]", "sip:alice@[2001:db8:0::0:10]" },
  { "sip:[2001:db8::10]:5070", "sip:[2001:0db8:0000:0000:0000:0000:0000:0010]:5070" },
  { "sip:[::ffff:192.0.2.1]", "sip:[::FFFF:c000:201]" },
  { "sip:[::1]", "sip:[0:0:0:0:0:0:0:1]" },
  { "sip:[::]", "sip:[0::0]" },
};

static const char *const uri_unequal_pairs[][2] = {
  { "SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp" },
  { "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp" },
  { "sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting" },
  { "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4" },
  { "sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off" },
  /* more */
  { "sip:alice@atlanta.com", "sips:alice@atlanta.com" },
  { "sip:alice@atlanta.com", "sip:atlanta.com" },
  { "sip:alice:pw@atlanta.com", "sip:alice:PW@atlanta.com" },
  { "sip:alice:pw@atlanta.com", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com;ttl=2" },
  { "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;lr=on" },
  { "sip:alice@atlanta.com?x=1", "sip:alice@atlanta.com?x=1&y=2" },
  { "sip:alice@atlanta.com?x=1&y=2", "sip:alice@atlanta.com?x=1" },
  { "sip:alice@atlanta.com?subject=X", "sip:alice@atlanta.com?subject=x" },
  { "sip:alice@atlanta.com?r=a&r=b", "sip:alice@atlanta.com?r=b&r=a" },
  { "sip:alice@atlanta.com.", "sip:alice@atlanta.com" },
  { "sip:alice@atlanta.com", "tel:+1234" },
  { "sip:alice@atlanta.com", "mailto:alice@atlanta.com" },
  /* IPv6 */
  { "sip:[2001:db8::10]:5070", "sip:[2001:db8::10:5070]" },
  { "sip:[2001:db8::10]", "sip:[2001:db8::11]" },
  { "sip:[2001:db8::10]", "sip:[2001:db8::10]:5060" },
  { "sip:[::ffff:192.0.2.1]", "sip:192.0.2.1" },
};

START_TEST (test_uri_equal_rfc3261)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uri_equal_pairs); i++)
    {
      SipURI *a = uri_ok (uri_equal_pairs[i][0]);
      SipURI *b = uri_ok (uri_equal_pairs[i][1]);

      ck_assert_msg (sipservlet_uri_equal (a, b), "'%s' != '%s'", uri_equal_pairs[i][0],
                     uri_equal_pairs[i][1]);
      ck_assert_msg (sipservlet_uri_equal (b, a), "'%s' != '%s' (reversed)",
                     uri_equal_pairs[i][0], uri_equal_pairs[i][1]);
      ck_assert_msg (sipservlet_uri_hash (a) == sipservlet_uri_hash (b),
                     "hash differs for '%s' and '%s'", uri_equal_pairs[i][0],
                     uri_equal_pairs[i][1]);
      ck_assert (sipservlet_uri_equal (a, a));
      sipservlet_uri_unref (a);
      sipservlet_uri_unref (b);
    }
}
END_TEST

START_TEST (test_uri_unequal_rfc3261)
{
  for (gsize i = 0; i < G_N_ELEMENTS (uri_unequal_pairs); i++)
    {
      SipURI *a = uri_ok (uri_unequal_pairs[i][0]);
      SipURI *b = uri_ok (uri_unequal_pairs[i][1]);

      ck_assert_msg (!sipservlet_uri_equal (a, b), "'%s' == '%s'", uri_unequal_pairs[i][0],
                     uri_unequal_pairs[i][1]);
      ck_assert_msg (!sipservlet_uri_equal (b, a), "'%s' == '%s' (reversed)",
                     uri_unequal_pairs[i][0], uri_unequal_pairs[i][1]);
      sipservlet_uri_unref (a);
      sipservlet_uri_unref (b);
    }
}
END_TEST

static const char *const tel_equal_pairs[][2] = {
  { "tel:+1-201-555-0123", "tel:+12015550123" },
  { "tel:+1(201)555.0123", "tel:+1-201-555-0123" },
  { "tel:7042;phone-context=example.com", "tel:7042;PHONE-CONTEXT=EXAMPLE.COM" },
  { "tel:555;phone-context=+1-914", "tel:5-5-5;phone-context=+1914" },
  { "tel:+1234;ext=5-6", "tel:+1234;ext=56" },
  { "tel:+1234;a=b;c=d", "tel:+1234;c=D;A=b" },
  { "tel:ab12;phone-context=x.com", "tel:AB12;phone-context=x.com" },
  { "tel:+1234;isub=ABC", "tel:+1234;isub=abc" },
  { "TEL:+1234", "tel:+1234" },
};

static const char *const tel_unequal_pairs[][2] = {
  { "tel:+1-201-555-0123", "tel:+1-201-555-0124" },
  { "tel:12015550123;phone-context=+1", "tel:+12015550123" },
  { "tel:+1234;ext=5", "tel:+1234" },
  { "tel:+1234;x=1", "tel:+1234" },
  { "tel:+1234;x=1", "tel:+1234;x=2" },
  { "tel:+1234;x", "tel:+1234;x=1" },
  { "tel:7042;phone-context=example.com", "tel:7042;phone-context=example.net" },
  { "tel:7042;phone-context=+1", "tel:7042;phone-context=+2" },
  { "tel:+1234", "sip:+1234@example.com;user=phone" },
};

START_TEST (test_uri_equal_tel)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tel_equal_pairs); i++)
    {
      SipURI *a = uri_ok (tel_equal_pairs[i][0]);
      SipURI *b = uri_ok (tel_equal_pairs[i][1]);

      ck_assert_msg (sipservlet_uri_equal (a, b), "'%s' != '%s'", tel_equal_pairs[i][0],
                     tel_equal_pairs[i][1]);
      ck_assert_msg (sipservlet_uri_equal (b, a), "'%s' != '%s' (reversed)",
                     tel_equal_pairs[i][0], tel_equal_pairs[i][1]);
      ck_assert_msg (sipservlet_uri_hash (a) == sipservlet_uri_hash (b),
                     "hash differs for '%s' and '%s'", tel_equal_pairs[i][0],
                     tel_equal_pairs[i][1]);
      sipservlet_uri_unref (a);
      sipservlet_uri_unref (b);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (tel_unequal_pairs); i++)
    {
      SipURI *a = uri_ok (tel_unequal_pairs[i][0]);
      SipURI *b = uri_ok (tel_unequal_pairs[i][1]);

      ck_assert_msg (!sipservlet_uri_equal (a, b), "'%s' == '%s'", tel_unequal_pairs[i][0],
                     tel_unequal_pairs[i][1]);
      ck_assert_msg (!sipservlet_uri_equal (b, a), "'%s' == '%s' (reversed)",
                     tel_unequal_pairs[i][0], tel_unequal_pairs[i][1]);
      sipservlet_uri_unref (a);
      sipservlet_uri_unref (b);
    }
}
END_TEST

START_TEST (test_uri_equal_opaque)
{
  SipURI *a = uri_ok ("mailto:Bob@Example.com");
  SipURI *b = uri_ok ("MAILTO:bob@example.COM");
  SipURI *c = uri_ok ("mailto:bob@example.org");

  ck_assert (sipservlet_uri_equal (a, b));
  ck_assert_uint_eq (sipservlet_uri_hash (a), sipservlet_uri_hash (b));
  ck_assert (!sipservlet_uri_equal (a, c));
  sipservlet_uri_unref (a);
  sipservlet_uri_unref (b);
  sipservlet_uri_unref (c);
}
END_TEST

static const struct {
  const char *in;
  const char *key;
} canonical_keys[] = {
  { "sip:%61lice:pw@AtLanTa.CoM:5060;transport=tcp?x=y", "sip:alice@atlanta.com:5060" },
  { "sips:Bob@[2001:DB8:0:0:0:0:0:1]", "sips:Bob@[2001:db8::1]" },
  { "sip:[2001:db8:0:0:1:0:0:1]", "sip:[2001:db8::1:0:0:1]" },
  { "sip:[0:0:0:0:0:0:0:0]:5", "sip:[::]:5" },
  { "sip:[2001:db8:1:1:1:1:1:0]", "sip:[2001:db8:1:1:1:1:1:0]" },
  { "sip:a%20b@H", "sip:a%20b@h" },
  { "sip:a%3bb@h;lr", "sip:a;b@h" },
  { "SIP:example.com", "sip:example.com" },
  { "tel:+1-201-555-0123;ext=1", "tel:+12015550123" },
  { "tel:70-42;phone-context=Example.COM", "tel:7042;phone-context=example.com" },
  { "tel:AB;phone-context=+1-914", "tel:ab;phone-context=+1914" },
  { "urn:UUID:ABC", "urn:uuid:abc" },
};

START_TEST (test_uri_canonical_string)
{
  for (gsize i = 0; i < G_N_ELEMENTS (canonical_keys); i++)
    {
      SipURI *uri = uri_ok (canonical_keys[i].in);
      char *key = sipservlet_uri_to_canonical_string (uri);

      ck_assert_str_eq (key, canonical_keys[i].key);
      g_free (key);
      sipservlet_uri_unref (uri);
    }
}
END_TEST

/* ---- SipURI: life cycle ----------------------------------------------- */

START_TEST (test_uri_clone_and_ref)
{
  SipURI *uri = uri_ok ("sip:alice:pw@atlanta.com:5060;transport=tcp?subject=x");
  SipURI *copy = sipservlet_uri_clone (uri);
  GError *error = NULL;

  ck_assert_ptr_ne (copy, uri);
  ck_assert (sipservlet_uri_equal (uri, copy));
  ck_assert (sipservlet_uri_set_user (copy, "bob", &error));
  ck_assert (sipservlet_uri_set_parameter (copy, "transport", "udp", &error));
  ck_assert (sipservlet_uri_set_header (copy, "subject", "y", &error));
  ck_assert (sipservlet_uri_set_port (copy, 1, &error));
  assert_uri_string (uri, "sip:alice:pw@atlanta.com:5060;transport=tcp?subject=x");
  assert_uri_string (copy, "sip:bob:pw@atlanta.com:1;transport=udp?subject=y");
  ck_assert (!sipservlet_uri_equal (uri, copy));

  ck_assert_ptr_eq (sipservlet_uri_ref (uri), uri);
  sipservlet_uri_unref (uri);
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  sipservlet_uri_unref (uri);
  sipservlet_uri_unref (copy);

  uri = uri_ok ("tel:7042;phone-context=example.com");
  copy = sipservlet_uri_clone (uri);
  ck_assert (sipservlet_uri_equal (uri, copy));
  ck_assert (sipservlet_uri_set_parameter (copy, "phone-context", "example.net", &error));
  ck_assert_str_eq (sipservlet_uri_get_phone_context (uri), "example.com");
  sipservlet_uri_unref (uri);
  sipservlet_uri_unref (copy);

  uri = uri_ok ("urn:a:b");
  copy = sipservlet_uri_clone (uri);
  assert_uri_string (copy, "urn:a:b");
  sipservlet_uri_unref (uri);
  sipservlet_uri_unref (copy);
}
END_TEST

START_TEST (test_uri_hash_table)
{
  GHashTable *table = g_hash_table_new_full ((GHashFunc) sipservlet_uri_hash,
                                             (GEqualFunc) sipservlet_uri_equal,
                                             (GDestroyNotify) sipservlet_uri_unref, NULL);
  SipURI *probe;

  g_hash_table_add (table, uri_ok ("sip:alice@atlanta.com"));
  g_hash_table_add (table, uri_ok ("tel:+1-201-555-0123"));
  probe = uri_ok ("sip:%61lice@ATLANTA.com;foo=bar");
  ck_assert (g_hash_table_contains (table, probe));
  sipservlet_uri_unref (probe);
  probe = uri_ok ("tel:+12015550123");
  ck_assert (g_hash_table_contains (table, probe));
  sipservlet_uri_unref (probe);
  probe = uri_ok ("sip:alice@atlanta.com:5060");
  ck_assert (!g_hash_table_contains (table, probe));
  sipservlet_uri_unref (probe);
  g_hash_table_unref (table);
}
END_TEST

/* ---- SipAddress ------------------------------------------------------- */

START_TEST (test_address_parse_name_addr)
{
  SipAddress *address = address_ok ("\"Alice\" <sip:alice@atlanta.com>;tag=1928301774");
  SipURI *uri = sipservlet_address_get_uri (address);

  ck_assert (!sipservlet_address_is_wildcard (address));
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Alice");
  ck_assert_str_eq (sipservlet_uri_get_user (uri), "alice");
  ck_assert_str_eq (sipservlet_address_get_tag (address), "1928301774");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "TAG"), "1928301774");
  assert_address_string (address, "Alice <sip:alice@atlanta.com>;tag=1928301774");
  sipservlet_address_unref (address);

  address = address_ok ("Alice \t Smith  <sip:a@b>");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Alice Smith");
  ck_assert_ptr_null (sipservlet_address_get_tag (address));
  assert_address_string (address, "Alice Smith <sip:a@b>");
  sipservlet_address_unref (address);

  address = address_ok ("<sip:a@b>;expires=60");
  ck_assert_ptr_null (sipservlet_address_get_display_name (address));
  ck_assert_int_eq (sipservlet_address_get_expires (address), 60);
  assert_address_string (address, "<sip:a@b>;expires=60");
  sipservlet_address_unref (address);

  address = address_ok ("<sip:a@b;lr>;x=y");
  uri = sipservlet_address_get_uri (address);
  ck_assert (sipservlet_uri_get_lr_param (uri));
  ck_assert_ptr_null (sipservlet_uri_get_parameter (uri, "x"));
  ck_assert_ptr_null (sipservlet_address_get_parameter (address, "lr"));
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "x"), "y");
  assert_address_string (address, "<sip:a@b;lr>;x=y");
  sipservlet_address_unref (address);

  address = address_ok ("<tel:+1-201-555-0123>");
  ck_assert (sipservlet_uri_is_tel (sipservlet_address_get_uri (address)));
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_parse_addr_spec)
{
  SipAddress *address = address_ok ("sip:a@b;tag=x;lr");
  SipURI *uri = sipservlet_address_get_uri (address);

  ck_assert_ptr_null (sipservlet_address_get_display_name (address));
  assert_strv (sipservlet_uri_get_parameter_names (uri), (const char *const[]) { NULL });
  ck_assert_str_eq (sipservlet_address_get_tag (address), "x");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "lr"), "");
  assert_address_string (address, "<sip:a@b>;tag=x;lr");
  sipservlet_address_unref (address);

  address = address_ok ("  tel:+1234 ; tag = y  ");
  uri = sipservlet_address_get_uri (address);
  assert_uri_string (uri, "tel:+1234");
  ck_assert_str_eq (sipservlet_address_get_tag (address), "y");
  assert_address_string (address, "<tel:+1234>;tag=y");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_display_names)
{
  SipAddress *address = address_ok ("\"Al \\\"the pal\\\" \\\\ice\" <sip:a@b>");

  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Al \"the pal\" \\ice");
  assert_address_string (address, "\"Al \\\"the pal\\\" \\\\ice\" <sip:a@b>");

  sipservlet_address_set_display_name (address, "Bob");
  assert_address_string (address, "Bob <sip:a@b>");
  sipservlet_address_set_display_name (address, "Bob  Smith");
  assert_address_string (address, "\"Bob  Smith\" <sip:a@b>");
  sipservlet_address_set_display_name (address, "Bob <boss>");
  assert_address_string (address, "\"Bob <boss>\" <sip:a@b>");
  sipservlet_address_set_display_name (address, "Jos\xc3\xa9");
  assert_address_string (address, "\"Jos\xc3\xa9\" <sip:a@b>");
  sipservlet_address_set_display_name (address, "");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "");
  assert_address_string (address, "\"\" <sip:a@b>");
  sipservlet_address_set_display_name (address, NULL);
  ck_assert_ptr_null (sipservlet_address_get_display_name (address));
  assert_address_string (address, "<sip:a@b>");
  sipservlet_address_unref (address);

  address = address_ok ("\"\" <sip:a@b>");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "");
  sipservlet_address_unref (address);

  /* A quoted name with ';' and '<' inside, and a line fold before '<'. */
  address = address_ok ("\"a;b<c>\"\r\n <sip:a@b>;tag=1");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "a;b<c>");
  assert_address_string (address, "\"a;b<c>\" <sip:a@b>;tag=1");
  sipservlet_address_unref (address);

  address = address_ok ("Jos\xc3\xa9 <sip:a@b>");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Jos\xc3\xa9");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_lws)
{
  SipAddress *address = address_ok ("  \"Alice\"   <sip:a@b>  ;  tag = x ;\tq=0.5  ");

  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Alice");
  ck_assert_str_eq (sipservlet_address_get_tag (address), "x");
  ck_assert (sipservlet_address_get_q (address) == 0.5);
  assert_address_string (address, "Alice <sip:a@b>;tag=x;q=0.5");
  sipservlet_address_unref (address);

  address = address_ok ("Alice\r\n <sip:a@b>\r\n\t;tag=x");
  ck_assert_str_eq (sipservlet_address_get_display_name (address), "Alice");
  assert_address_string (address, "Alice <sip:a@b>;tag=x");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_quoted_params)
{
  static const char *const text =
    "<sip:alice@192.0.2.1:5060;transport=tcp>"
    ";+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1;expires=3600";
  SipAddress *address = address_ok (text);
  GError *error = NULL;

  ck_assert_str_eq (sipservlet_address_get_parameter (address, "+sip.instance"),
                    "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "reg-id"), "1");
  ck_assert_int_eq (sipservlet_address_get_expires (address), 3600);
  assert_address_string (address, text);
  assert_strv (sipservlet_address_get_parameter_names (address),
               (const char *const[]) { "+sip.instance", "reg-id", "expires", NULL });

  /* Quoted values keep their quotes, even when a token would do. */
  sipservlet_address_unref (address);
  address = address_ok ("<sip:a@b>;x=\"tok\";y=\"a \\\"b\\\"\";z=\"\"");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "x"), "tok");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "y"), "a \"b\"");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "z"), "");
  assert_address_string (address, "<sip:a@b>;x=\"tok\";y=\"a \\\"b\\\"\";z=\"\"");

  /* Setters: explicit quotes, values that need quotes, hosts. */
  ck_assert (sipservlet_address_set_parameter (address, "x", "plain", &error));
  ck_assert (sipservlet_address_set_parameter (address, "+sip.instance",
                                               "\"<urn:uuid:1>\"", &error));
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "+sip.instance"), "<urn:uuid:1>");
  ck_assert (sipservlet_address_set_parameter (address, "w", "a b", &error));
  ck_assert (sipservlet_address_set_parameter (address, "received", "2001:db8::1", &error));
  ck_assert (sipservlet_address_set_parameter (address, "maddr", "[::1]", &error));
  ck_assert (sipservlet_address_set_parameter (address, "q2", "\"", &error));
  sipservlet_address_remove_parameter (address, "y");
  sipservlet_address_remove_parameter (address, "Z");
  assert_address_string (address, "<sip:a@b>;x=plain;+sip.instance=\"<urn:uuid:1>\";w=\"a b\""
                                  ";received=2001:db8::1;maddr=[::1];q2=\"\\\"\"");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_parameters)
{
  SipAddress *address = address_ok ("<sip:a@b>;a=1;B=2;c");
  GError *error = NULL;

  ck_assert_str_eq (sipservlet_address_get_parameter (address, "b"), "2");
  ck_assert_str_eq (sipservlet_address_get_parameter (address, "C"), "");
  ck_assert_ptr_null (sipservlet_address_get_parameter (address, "d"));
  ck_assert (sipservlet_address_set_parameter (address, "a", "9", &error));
  ck_assert (sipservlet_address_set_parameter (address, "d", NULL, &error));
  ck_assert (sipservlet_address_set_parameter (address, "e", "", &error));
  assert_address_string (address, "<sip:a@b>;a=9;B=2;c;d;e");
  assert_strv (sipservlet_address_get_parameter_names (address),
               (const char *const[]) { "a", "B", "c", "d", "e", NULL });
  sipservlet_address_remove_parameter (address, "b");
  assert_address_string (address, "<sip:a@b>;a=9;c;d;e");

  {
    static const char *const bad_names[] = { "", "a b", "a;b", "a=b", "\"a\"", "a,b" };

    for (gsize i = 0; i < G_N_ELEMENTS (bad_names); i++)
      {
        assert_invalid_argument (sipservlet_address_set_parameter (address, bad_names[i], "1",
                                                                   &error), &error);
      }
  }
  assert_invalid_argument (sipservlet_address_set_parameter (address, "x", "a\r\nb", &error),
                           &error);
  assert_invalid_argument (sipservlet_address_set_parameter (address, "x", "\xff", &error),
                           &error);
  assert_address_string (address, "<sip:a@b>;a=9;c;d;e");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_q)
{
  static const struct {
    const char *text;
    gdouble q;
  } q_values[] = {
    { "<sip:a@b>", -1.0 },
    { "<sip:a@b>;q=0.7", 0.7 },
    { "<sip:a@b>;q=1.0", 1.0 },
    { "<sip:a@b>;q=1", 1.0 },
    { "<sip:a@b>;q=0", 0.0 },
    { "<sip:a@b>;q=0.", 0.0 },
    { "<sip:a@b>;q=0.123", 0.123 },
    { "<sip:a@b>;Q=0.25", 0.25 },
    { "<sip:a@b>;q=0.1234", -1.0 },
    { "<sip:a@b>;q=1.5", -1.0 },
    { "<sip:a@b>;q=1.001", -1.0 },
    { "<sip:a@b>;q=2", -1.0 },
    { "<sip:a@b>;q=abc", -1.0 },
    { "<sip:a@b>;q", -1.0 },
    { "<sip:a@b>;q=.5", -1.0 },
  };
  SipAddress *address;
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (q_values); i++)
    {
      address = address_ok (q_values[i].text);
      ck_assert_msg (sipservlet_address_get_q (address) == q_values[i].q,
                     "'%s': q %f", q_values[i].text, sipservlet_address_get_q (address));
      sipservlet_address_unref (address);
    }

  address = address_ok ("<sip:a@b>;q=0.1;x=1");
  ck_assert (sipservlet_address_set_q (address, 0.5, &error));
  assert_address_string (address, "<sip:a@b>;q=0.5;x=1");
  ck_assert (sipservlet_address_set_q (address, 1.0, &error));
  assert_address_string (address, "<sip:a@b>;q=1;x=1");
  ck_assert (sipservlet_address_set_q (address, 0.0, &error));
  assert_address_string (address, "<sip:a@b>;q=0;x=1");
  ck_assert (sipservlet_address_set_q (address, 0.1234, &error));
  assert_address_string (address, "<sip:a@b>;q=0.123;x=1");
  ck_assert (sipservlet_address_get_q (address) == 0.123);
  assert_invalid_argument (sipservlet_address_set_q (address, 1.5, &error), &error);
  assert_invalid_argument (sipservlet_address_set_q (address, -0.5, &error), &error);
  assert_invalid_argument (sipservlet_address_set_q (address, NAN, &error), &error);
  assert_address_string (address, "<sip:a@b>;q=0.123;x=1");
  ck_assert (sipservlet_address_set_q (address, -1.0, &error));
  ck_assert (sipservlet_address_get_q (address) == -1.0);
  assert_address_string (address, "<sip:a@b>;x=1");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_expires_and_tag)
{
  static const struct {
    const char *text;
    gint expires;
  } values[] = {
    { "<sip:a@b>", -1 },
    { "<sip:a@b>;expires=0", 0 },
    { "<sip:a@b>;expires=3600", 3600 },
    { "<sip:a@b>;EXPIRES=7", 7 },
    { "<sip:a@b>;expires=99999999999", G_MAXINT },
    { "<sip:a@b>;expires=abc", -1 },
    { "<sip:a@b>;expires=-5", -1 },
    { "<sip:a@b>;expires=1a", -1 },
    { "<sip:a@b>;expires", -1 },
  };
  SipAddress *address;

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      address = address_ok (values[i].text);
      ck_assert_msg (sipservlet_address_get_expires (address) == values[i].expires,
                     "'%s': expires %d", values[i].text,
                     sipservlet_address_get_expires (address));
      sipservlet_address_unref (address);
    }

  address = address_ok ("<sip:a@b>;tag=abc");
  sipservlet_address_set_expires (address, 0);
  assert_address_string (address, "<sip:a@b>;tag=abc;expires=0");
  sipservlet_address_set_expires (address, 120);
  ck_assert_int_eq (sipservlet_address_get_expires (address), 120);
  assert_address_string (address, "<sip:a@b>;tag=abc;expires=120");
  sipservlet_address_set_expires (address, -1);
  assert_address_string (address, "<sip:a@b>;tag=abc");
  ck_assert_str_eq (sipservlet_address_get_tag (address), "abc");
  sipservlet_address_remove_parameter (address, "tag");
  ck_assert_ptr_null (sipservlet_address_get_tag (address));
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_wildcard)
{
  SipAddress *parsed = address_ok ("  *  ");
  SipAddress *made = sipservlet_address_new_wildcard ();
  SipAddress *normal = address_ok ("<sip:a@b>");
  SipAddress *copy;
  GError *error = NULL;

  ck_assert (sipservlet_address_is_wildcard (parsed));
  ck_assert (sipservlet_address_is_wildcard (made));
  ck_assert_ptr_null (sipservlet_address_get_uri (parsed));
  ck_assert_ptr_null (sipservlet_address_get_display_name (parsed));
  ck_assert_ptr_null (sipservlet_address_get_parameter (parsed, "expires"));
  ck_assert_int_eq (sipservlet_address_get_expires (parsed), -1);
  ck_assert (sipservlet_address_get_q (parsed) == -1.0);
  assert_strv (sipservlet_address_get_parameter_names (parsed), (const char *const[]) { NULL });
  assert_address_string (parsed, "*");
  assert_address_string (made, "*");
  ck_assert (sipservlet_address_equal (parsed, made));
  ck_assert (!sipservlet_address_equal (parsed, normal));
  ck_assert (!sipservlet_address_equal (normal, parsed));
  assert_invalid_argument (sipservlet_address_set_parameter (made, "expires", "0", &error),
                           &error);
  assert_invalid_argument (sipservlet_address_set_q (made, 0.5, &error), &error);
  sipservlet_address_set_expires (made, -1);
  copy = sipservlet_address_clone (made);
  ck_assert (sipservlet_address_is_wildcard (copy));
  assert_address_string (copy, "*");
  sipservlet_address_unref (copy);
  sipservlet_address_unref (parsed);
  sipservlet_address_unref (made);
  sipservlet_address_unref (normal);
}
END_TEST

static const char *const address_equal_pairs[][2] = {
  { "\"A\" <sip:a@b>;tag=1", "<sip:a@b>;TAG=1" },
  { "<sip:%61@B>", "sip:a@b" },
  { "<sip:a@b>;tag=ABC", "<sip:a@b>;tag=abc" },
  { "<sip:a@b>;x=1;y=2", "<sip:a@b>;y=2;x=1" },
  { "<sip:a@b>;x=\"Q\"", "<sip:a@b>;x=\"Q\"" },
  { "<sip:a@b;newparam=1>", "<sip:a@b>" },
  { "*", " * " },
};

static const char *const address_unequal_pairs[][2] = {
  { "<sip:a@b>;tag=1", "<sip:a@b>" },
  { "<sip:a@b>;tag=1", "<sip:a@b>;tag=2" },
  { "<sip:a@b>;x=\"Q\"", "<sip:a@b>;x=\"q\"" },
  { "<sip:a@b>;x", "<sip:a@b>;x=1" },
  { "<sip:a@b>", "<sip:a@c>" },
  { "<sip:a@b;transport=tcp>", "<sip:a@b>" },
  { "<sip:a@b>;transport=tcp", "<sip:a@b;transport=tcp>" },
  { "<sip:a@b>", "*" },
};

START_TEST (test_address_equal)
{
  for (gsize i = 0; i < G_N_ELEMENTS (address_equal_pairs); i++)
    {
      SipAddress *a = address_ok (address_equal_pairs[i][0]);
      SipAddress *b = address_ok (address_equal_pairs[i][1]);

      ck_assert_msg (sipservlet_address_equal (a, b), "'%s' != '%s'",
                     address_equal_pairs[i][0], address_equal_pairs[i][1]);
      ck_assert_msg (sipservlet_address_equal (b, a), "'%s' != '%s' (reversed)",
                     address_equal_pairs[i][0], address_equal_pairs[i][1]);
      sipservlet_address_unref (a);
      sipservlet_address_unref (b);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (address_unequal_pairs); i++)
    {
      SipAddress *a = address_ok (address_unequal_pairs[i][0]);
      SipAddress *b = address_ok (address_unequal_pairs[i][1]);

      ck_assert_msg (!sipservlet_address_equal (a, b), "'%s' == '%s'",
                     address_unequal_pairs[i][0], address_unequal_pairs[i][1]);
      ck_assert_msg (!sipservlet_address_equal (b, a), "'%s' == '%s' (reversed)",
                     address_unequal_pairs[i][0], address_unequal_pairs[i][1]);
      sipservlet_address_unref (a);
      sipservlet_address_unref (b);
    }
}
END_TEST

static const struct {
  const char *text;
  const char *problem;
  const char *kind;
} address_errors[] = {
  { "", "empty address", "address" },
  { "   ", "empty address", "address" },
  { "\"Alice <sip:a@b>", "unterminated quoted string", "address" },
  { "\"Alice\" sip:a@b", "missing '<' after the display name", "address" },
  { "\"Alice\"", "missing '<' after the display name", "address" },
  { "\"A\\\rb\" <sip:a@b>", "invalid escape in quoted string", "address" },
  { "\"A\x01\" <sip:a@b>", "control character in quoted string", "address" },
  { "\"A\r\nB\" <sip:a@b>", "line break in quoted string", "address" },
  { "\"\xff\" <sip:a@b>", "invalid UTF-8 in quoted string", "address" },
  { "\xff <sip:a@b>", "invalid UTF-8 in the display name", "address" },
  { "<sip:a@b", "missing '>'", "address" },
  { "Alice <sip:a@b", "missing '>'", "address" },
  { "<sip:a@b>;", "empty parameter name", "address" },
  { "<sip:a@b>;=1", "empty parameter name", "address" },
  { "<sip:a@b>;tag=", "missing value for parameter 'tag'", "address" },
  { "<sip:a@b>;tag=a;", "empty parameter name", "address" },
  { "<sip:a@b>;x=a/b", "unexpected character '/'", "address" },
  { "<sip:a@b>;x=a b", "unexpected character 'b'", "address" },
  { "<sip:a@b>;x=\"open", "unterminated quoted string", "address" },
  { "<sip:a@b>;(x)=1", "invalid character '(' in parameter name", "address" },
  { "<sip:a@b> junk", "unexpected character 'j'", "address" },
  { "<sip:a@b>\r\n;tag=1", "unexpected character '\\x0d'", "address" },
  { "<sip:a@b>, <sip:c@d>", "unexpected character ','", "address" },
  { "sip:a@b, sip:c@d", "unexpected character ','", "address" },
  { "*;q=1", "missing scheme", "URI" },
  { "**", "missing scheme", "URI" },
  { "Alice", "missing scheme", "URI" },
  { "Bob@home <sip:a@b>", "missing scheme", "URI" },
  { "<>", "missing scheme", "URI" },
  { "<sip:a@b:99999>", "invalid port", "URI" },
  { "< sip:a@b>", "white space", "URI" },
  { "sip:a@b:99999;tag=1", "invalid port", "URI" },
};

START_TEST (test_address_parse_errors)
{
  for (gsize i = 0; i < G_N_ELEMENTS (address_errors); i++)
    {
      GError *error = NULL;
      SipAddress *address = sipservlet_address_parse (address_errors[i].text, &error);
      char *expected;

      ck_assert_msg (address == NULL, "'%s' parsed", address_errors[i].text);
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE),
                     "'%s': no parse error", address_errors[i].text);
      expected = g_strdup_printf ("%s in %s '", address_errors[i].problem,
                                  address_errors[i].kind);
      ck_assert_msg (g_str_has_prefix (error->message, expected),
                     "'%s': message '%s', expected '%s...'", address_errors[i].text,
                     error->message, expected);
      g_free (expected);
      g_error_free (error);
    }
  ck_assert_ptr_null (sipservlet_address_parse ("<", NULL));
}
END_TEST

START_TEST (test_address_new_and_uri)
{
  SipURI *uri = uri_ok ("sip:alice@atlanta.com");
  SipAddress *address = sipservlet_address_new (uri, "Alice A.");
  SipURI *inner;
  GError *error = NULL;

  /* The address keeps its own copy. */
  ck_assert_ptr_ne (sipservlet_address_get_uri (address), uri);
  ck_assert (sipservlet_uri_set_user (uri, "mallory", &error));
  assert_address_string (address, "Alice A. <sip:alice@atlanta.com>");

  /* The returned URI is the address's own, changed in place. */
  inner = sipservlet_address_get_uri (address);
  ck_assert (sipservlet_uri_set_port (inner, 5062, &error));
  assert_address_string (address, "Alice A. <sip:alice@atlanta.com:5062>");

  sipservlet_address_set_uri (address, uri);
  ck_assert (sipservlet_uri_set_user (uri, "eve", &error));
  assert_address_string (address, "Alice A. <sip:mallory@atlanta.com>");
  sipservlet_uri_unref (uri);

  /* URI parameters stay inside the brackets; header ones go after. */
  ck_assert (sipservlet_uri_set_parameter (sipservlet_address_get_uri (address), "lr", NULL,
                                           &error));
  ck_assert (sipservlet_address_set_parameter (address, "tag", "t1", &error));
  assert_address_string (address, "Alice A. <sip:mallory@atlanta.com;lr>;tag=t1");
  sipservlet_address_unref (address);

  uri = uri_ok ("sip:a@b?subject=x");
  address = sipservlet_address_new (uri, NULL);
  assert_address_string (address, "<sip:a@b?subject=x>");
  sipservlet_uri_unref (uri);
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_address_clone_and_ref)
{
  SipAddress *address = address_ok ("\"Alice\" <sip:alice@atlanta.com;lr>;tag=1;q=0.5");
  SipAddress *copy = sipservlet_address_clone (address);
  GError *error = NULL;

  ck_assert_ptr_ne (copy, address);
  ck_assert_ptr_ne (sipservlet_address_get_uri (copy), sipservlet_address_get_uri (address));
  ck_assert (sipservlet_address_equal (address, copy));
  sipservlet_address_set_display_name (copy, "Bob");
  ck_assert (sipservlet_uri_set_user (sipservlet_address_get_uri (copy), "bob", &error));
  ck_assert (sipservlet_address_set_parameter (copy, "tag", "2", &error));
  ck_assert (sipservlet_address_set_q (copy, 1.0, &error));
  assert_address_string (address, "Alice <sip:alice@atlanta.com;lr>;tag=1;q=0.5");
  assert_address_string (copy, "Bob <sip:bob@atlanta.com;lr>;tag=2;q=1");
  ck_assert (!sipservlet_address_equal (address, copy));

  ck_assert_ptr_eq (sipservlet_address_ref (address), address);
  sipservlet_address_unref (address);
  ck_assert_str_eq (sipservlet_address_get_tag (address), "1");
  sipservlet_address_unref (address);
  sipservlet_address_unref (copy);
}
END_TEST

/* RFC 4475 escnull: %00 is legal in a user part and must survive a round
 * trip unchanged. */
START_TEST (test_uri_escaped_nul)
{
  SipURI *uri = uri_ok ("sip:null-%00-null@example.com");
  char *text = sipservlet_uri_to_string (uri);
  ck_assert_str_eq (text, "sip:null-%00-null@example.com");
  g_free (text);
  sipservlet_uri_unref (uri);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("address");
  TCase *uri = tcase_create ("uri");
  TCase *address = tcase_create ("address");

  tcase_add_test (uri, test_uri_parse_sip);
  tcase_add_test (uri, test_uri_escaped_nul);
  tcase_add_test (uri, test_uri_parse_full);
  tcase_add_test (uri, test_uri_parse_hosts);
  tcase_add_test (uri, test_uri_parse_userinfo);
  tcase_add_test (uri, test_uri_round_trip);
  tcase_add_test (uri, test_uri_normalized_format);
  tcase_add_test (uri, test_uri_parse_errors);
  tcase_add_test (uri, test_uri_parse_error_message);
  tcase_add_test (uri, test_uri_tel);
  tcase_add_test (uri, test_uri_tel_setters);
  tcase_add_test (uri, test_uri_opaque);
  tcase_add_test (uri, test_uri_new_sip);
  tcase_add_test (uri, test_uri_setters);
  tcase_add_test (uri, test_uri_parameters);
  tcase_add_test (uri, test_uri_headers);
  tcase_add_test (uri, test_uri_equal_rfc3261);
  tcase_add_test (uri, test_uri_unequal_rfc3261);
  tcase_add_test (uri, test_uri_equal_tel);
  tcase_add_test (uri, test_uri_equal_opaque);
  tcase_add_test (uri, test_uri_canonical_string);
  tcase_add_test (uri, test_uri_clone_and_ref);
  tcase_add_test (uri, test_uri_hash_table);
  suite_add_tcase (suite, uri);

  tcase_add_test (address, test_address_parse_name_addr);
  tcase_add_test (address, test_address_parse_addr_spec);
  tcase_add_test (address, test_address_display_names);
  tcase_add_test (address, test_address_lws);
  tcase_add_test (address, test_address_quoted_params);
  tcase_add_test (address, test_address_parameters);
  tcase_add_test (address, test_address_q);
  tcase_add_test (address, test_address_expires_and_tag);
  tcase_add_test (address, test_address_wildcard);
  tcase_add_test (address, test_address_equal);
  tcase_add_test (address, test_address_parse_errors);
  tcase_add_test (address, test_address_new_and_uri);
  tcase_add_test (address, test_address_clone_and_ref);
  suite_add_tcase (suite, address);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
