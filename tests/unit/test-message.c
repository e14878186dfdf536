/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of SipServletMessage, SipServletRequest and SipServletResponse
 * built from raw SIP text (JSR 289 chapters 4 and 5). */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

#include <sofia-sip/su_alloc_stat.h>

/* Two Via lines (the second one compact, with two comma-separated values),
 * compact From/Call-ID/Contact/Content-Type, repeated unknown headers. */
#define INVITE_TEXT                                                           \
  "INVITE sip:bob@example.com SIP/2.0" CRLF                                   \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1" CRLF                     \
  "v: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bK-2, SIP/2.0/TCP 192.0.2.3;branch=z9hG4bK-3" CRLF \
  "Max-Forwards: 70" CRLF                                                     \
  "f: \"Alice Liddell\" <sip:alice@example.com>;tag=a1" CRLF                  \
  "To: <sip:bob@example.com>" CRLF                                            \
  "i: call-1@192.0.2.1" CRLF                                                  \
  "CSeq: 7 INVITE" CRLF                                                       \
  "m: <sip:alice@192.0.2.1:5060>;expires=30, \"Mobile\" <sip:alice@198.51.100.7>;q=0.5" CRLF \
  "X-Foo: one" CRLF                                                           \
  "X-Bar: zed" CRLF                                                           \
  "x-foo: two" CRLF                                                           \
  "c: application/sdp;charset=utf-8" CRLF                                     \
  "Content-Length: 4" CRLF                                                    \
  CRLF                                                                        \
  "v=0\n"

#define REGISTER_TEXT                                                         \
  "REGISTER sip:example.com SIP/2.0" CRLF                                     \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-r" CRLF                     \
  "From: <sip:alice@example.com>;tag=r1" CRLF                                 \
  "To: <sip:alice@example.com>" CRLF                                          \
  "Call-ID: reg-1" CRLF                                                       \
  "CSeq: 1 REGISTER" CRLF                                                     \
  "Contact: <sip:alice@192.0.2.1>" CRLF                                       \
  "Content-Length: 0" CRLF                                                    \
  CRLF

/* No Content-Length at all (accepted for a datagram). */
#define NO_LENGTH_TEXT                                                        \
  "MESSAGE sip:bob@example.com SIP/2.0" CRLF                                  \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-n" CRLF                     \
  "From: <sip:alice@example.com>;tag=n1" CRLF                                 \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: nolen-1" CRLF                                                     \
  "CSeq: 2 MESSAGE" CRLF                                                      \
  CRLF

/* A request without Max-Forwards, Expires or a body. */
#define OPTIONS_TEXT                                                          \
  "OPTIONS sip:bob@example.com SIP/2.0" CRLF                                  \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-o" CRLF                     \
  "From: <sip:alice@example.com>;tag=o1" CRLF                                 \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: opt-1" CRLF                                                       \
  "CSeq: 3 OPTIONS" CRLF                                                      \
  "Content-Length: 0" CRLF                                                    \
  CRLF

static char *
response_text (guint status, const char *phrase, const char *method)
{
  return g_strdup_printf ("SIP/2.0 %u %s" CRLF
                          "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-s" CRLF
                          "From: <sip:alice@example.com>;tag=a1" CRLF
                          "To: <sip:bob@example.com>;tag=b1" CRLF
                          "Call-ID: resp-1" CRLF
                          "CSeq: 5 %s" CRLF
                          "Contact: <sip:bob@192.0.2.9>" CRLF
                          "Content-Length: 0" CRLF
                          CRLF, status, phrase, method);
}

/* Case-insensitive strstr. */
static gboolean
contains_ci (const char *haystack, const char *needle)
{
  char *h = g_ascii_strdown (haystack, -1);
  char *n = g_ascii_strdown (needle, -1);
  gboolean found = strstr (h, n) != NULL;
  g_free (h);
  g_free (n);
  return found;
}

static SipContainer *container;
/* Messages of the current test, released by the fixture so that a failed
 * assertion does not leak them. */
static GPtrArray *held;

static void
setup (void)
{
  container = unit_container_new ();
  held = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_message_unref);
}

static void
teardown (void)
{
  unit_defer_flush ();
  g_clear_pointer (&held, g_ptr_array_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
}

/* A request from text, held by the fixture. */
static SipServletRequest *
request (const char *text, gboolean incoming)
{
  SipServletRequest *rq = unit_request_new (container, text, incoming);
  g_ptr_array_add (held, rq);
  return rq;
}

static SipServletMessage *
message (const char *text, gboolean incoming)
{
  return SIPSERVLET_MESSAGE (request (text, incoming));
}

static SipServletMessage *
new_invite (void)
{
  return message (INVITE_TEXT, TRUE);
}

static SipServletMessage *
new_response (guint status, const char *phrase, const char *method, gboolean incoming)
{
  char *text = response_text (status, phrase, method);
  SipServletResponse *response = unit_response_new (container, text, incoming);
  g_free (text);
  g_ptr_array_add (held, response);
  return SIPSERVLET_MESSAGE (response);
}

static guint
strv_len0 (char **v)
{
  return v != NULL ? g_strv_length (v) : 0;
}

/* ---- basic accessors ------------------------------------------------------ */

START_TEST (test_basic_accessors)
{
  SipServletMessage *m = new_invite ();
  SipServletMessage *r = new_response (486, "Busy Here", "INVITE", TRUE);

  ck_assert (sipservlet_message_is_request (m));
  ck_assert_str_eq (sipservlet_message_get_method (m), "INVITE");
  ck_assert_str_eq (sipservlet_message_get_call_id (m), "call-1@192.0.2.1");
  ck_assert_uint_eq (sipservlet_message_get_cseq (m), 7);
  ck_assert (!sipservlet_message_is_committed (m));
  ck_assert_ptr_null (sipservlet_message_get_session (m));
  ck_assert_ptr_null (sipservlet_message_get_application_session (m));
  /* Not received through a transport. */
  ck_assert_ptr_null (sipservlet_message_get_transport (m));
  ck_assert_ptr_null (sipservlet_message_get_remote_addr (m));
  ck_assert_int_eq (sipservlet_message_get_remote_port (m), -1);

  ck_assert (!sipservlet_message_is_request (r));
  /* A response's method is the one of its CSeq. */
  ck_assert_str_eq (sipservlet_message_get_method (r), "INVITE");
  ck_assert_uint_eq (sipservlet_message_get_cseq (r), 5);
  ck_assert_uint_eq (sipservlet_response_get_status (SIPSV_RESPONSE (r)), 486);
  ck_assert_str_eq (sipservlet_response_get_reason_phrase (SIPSV_RESPONSE (r)), "Busy Here");
  /* A received response is read-only. */
  ck_assert (sipservlet_message_is_committed (r));
  ck_assert_ptr_null (sipservlet_response_get_request (SIPSV_RESPONSE (r)));

  /* References. */
  ck_assert_ptr_eq (sipservlet_message_ref (m), m);
  sipservlet_message_unref (m);
  ck_assert_str_eq (sipservlet_message_get_method (m), "INVITE");
}
END_TEST

/* ---- header lookup -------------------------------------------------------- */

/* Issue 13 (I): reading a header again does not allocate again. The
 * strings are owned by the message and live as long as it, so each call
 * used to format a new copy into the message's memory: a servlet reading
 * a header in a loop grew its message without bound. */
START_TEST (test_header_reads_do_not_grow)
{
  SipServletMessage *m = new_invite ();
  SipServletRequest *rq = sipservlet_message_as_request (m);
  su_home_t *home = msg_home (rq->base.msg);
  su_home_stat_t before, after;

  /* Counting starts now; the first read of each header may allocate. */
  su_home_init_stats (home);
  const char *via = sipservlet_message_get_header (m, "Via");
  const char *from = sipservlet_message_get_header (m, "f");
  const char *type = sipservlet_message_get_content_type (m);
  g_strfreev (sipservlet_message_get_headers (m, "Contact"));
  ck_assert_str_eq (via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  memset (&before, 0, sizeof before);
  before.hs_size = sizeof before;
  su_home_get_stats (home, 0, &before, sizeof before);

  for (guint i = 0; i < 1000; i++)
    {
      ck_assert_ptr_eq (sipservlet_message_get_header (m, "Via"), via);
      ck_assert_ptr_eq (sipservlet_message_get_header (m, "From"), from);
      ck_assert_ptr_eq (sipservlet_message_get_content_type (m), type);
      g_strfreev (sipservlet_message_get_headers (m, "Contact"));
      g_autoptr (SipAddress) address = sipservlet_message_get_from (m);
    }
  memset (&after, 0, sizeof after);
  after.hs_size = sizeof after;
  su_home_get_stats (home, 0, &after, sizeof after);
  ck_assert_uint_eq (after.hs_allocs.hsa_number, before.hs_allocs.hsa_number);

  /* A value changed in place (a To-tag added when answering) reads as
   * changed; the string returned before stays valid and unchanged. */
  const char *to = sipservlet_message_get_header (m, "To");
  char *to_copy = g_strdup (to);
  sip_t *sip = rq->base.sip;
  ck_assert_int_eq (sip_to_tag (home, sip->sip_to, "other"), 0);
  ck_assert_str_eq (to, to_copy);
  ck_assert_str_eq (sipservlet_message_get_header (m, "To"), "<sip:bob@example.com>;tag=other");
  g_free (to_copy);
}
END_TEST

START_TEST (test_header_long_and_compact)
{
  SipServletMessage *m = new_invite ();

  /* Via / v */
  ck_assert_str_eq (sipservlet_message_get_header (m, "Via"),
                    "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "v"),
                    "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  /* Contact / m: the first value. */
  ck_assert_str_eq (sipservlet_message_get_header (m, "Contact"),
                    "<sip:alice@192.0.2.1:5060>;expires=30");
  ck_assert_str_eq (sipservlet_message_get_header (m, "m"),
                    "<sip:alice@192.0.2.1:5060>;expires=30");
  /* From / f */
  ck_assert_str_eq (sipservlet_message_get_header (m, "From"),
                    "\"Alice Liddell\" <sip:alice@example.com>;tag=a1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "f"),
                    "\"Alice Liddell\" <sip:alice@example.com>;tag=a1");
  /* Call-ID / i */
  ck_assert_str_eq (sipservlet_message_get_header (m, "Call-ID"), "call-1@192.0.2.1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "i"), "call-1@192.0.2.1");
  /* Content-Type / c */
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Type"),
                    "application/sdp;charset=utf-8");
  ck_assert_str_eq (sipservlet_message_get_header (m, "c"), "application/sdp;charset=utf-8");
  /* Long form of a header written compact in the message, and the
   * reverse: To was written long, t is its compact form. */
  ck_assert_str_eq (sipservlet_message_get_header (m, "t"), "<sip:bob@example.com>");
  ck_assert_str_eq (sipservlet_message_get_header (m, "CSeq"), "7 INVITE");
  ck_assert_str_eq (sipservlet_message_get_header (m, "Max-Forwards"), "70");

  /* Absent headers. */
  ck_assert_ptr_null (sipservlet_message_get_header (m, "Subject"));
  ck_assert_ptr_null (sipservlet_message_get_header (m, "s"));
  ck_assert_ptr_null (sipservlet_message_get_header (m, "X-Absent"));
}
END_TEST

/* A value longer than the 256-byte buffer header reads start with comes
 * back whole, also for headers whose sofia encoder stops at the end of the
 * buffer (parameter lists such as Authorization's). */
START_TEST (test_header_long_value)
{
  GError *error = NULL;
  SipServletMessage *m = new_invite ();
  g_autofree char *nonce = g_strnfill (200, 'a');
  g_autofree char *value = g_strdup_printf (
      "Digest username=\"alice\", realm=\"example.com\", nonce=\"%s\", uri=\"sip:x\", "
      "response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=00000001", nonce);

  ck_assert (sipservlet_message_add_header (m, "Authorization", value, &error));
  ck_assert_str_eq (sipservlet_message_get_header (m, "Authorization"), value);
}
END_TEST

START_TEST (test_header_case_insensitive)
{
  SipServletMessage *m = new_invite ();

  ck_assert_str_eq (sipservlet_message_get_header (m, "VIA"),
                    "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "via"),
                    "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "V"),
                    "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "call-id"), "call-1@192.0.2.1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "CALL-ID"), "call-1@192.0.2.1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "I"), "call-1@192.0.2.1");
  ck_assert_str_eq (sipservlet_message_get_header (m, "content-TYPE"),
                    "application/sdp;charset=utf-8");
  /* Unknown headers too, whatever the case they were written in. */
  ck_assert_str_eq (sipservlet_message_get_header (m, "X-FOO"), "one");
  ck_assert_str_eq (sipservlet_message_get_header (m, "x-bar"), "zed");
}
END_TEST

START_TEST (test_multi_valued_headers)
{
  SipServletMessage *m = new_invite ();
  char **vias = sipservlet_message_get_headers (m, "Via");
  char **compact = sipservlet_message_get_headers (m, "v");
  char **contacts = sipservlet_message_get_headers (m, "Contact");

  /* One Via line plus a line with two comma-separated values. */
  ck_assert_uint_eq (strv_len0 (vias), 3);
  ck_assert_str_eq (vias[0], "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1");
  ck_assert_str_eq (vias[1], "SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bK-2");
  ck_assert_str_eq (vias[2], "SIP/2.0/TCP 192.0.2.3;branch=z9hG4bK-3");
  ck_assert_ptr_null (vias[3]);
  ck_assert (g_strv_equal ((const char *const *) vias, (const char *const *) compact));

  ck_assert_uint_eq (strv_len0 (contacts), 2);
  ck_assert_str_eq (contacts[0], "<sip:alice@192.0.2.1:5060>;expires=30");
  ck_assert_str_eq (contacts[1], "\"Mobile\" <sip:alice@198.51.100.7>;q=0.5");

  /* A single-valued header gives one element; an absent one none. */
  char **call_id = sipservlet_message_get_headers (m, "i");
  ck_assert_uint_eq (strv_len0 (call_id), 1);
  ck_assert_str_eq (call_id[0], "call-1@192.0.2.1");
  char **absent = sipservlet_message_get_headers (m, "Subject");
  ck_assert_ptr_nonnull (absent);
  ck_assert_ptr_null (absent[0]);
  char **absent_unknown = sipservlet_message_get_headers (m, "X-Nothing");
  ck_assert_ptr_nonnull (absent_unknown);
  ck_assert_ptr_null (absent_unknown[0]);

  g_strfreev (vias);
  g_strfreev (compact);
  g_strfreev (contacts);
  g_strfreev (call_id);
  g_strfreev (absent);
  g_strfreev (absent_unknown);
}
END_TEST

/* Option tags over several lines, compact form, any case; a known list
 * header (Supported) and an unknown one parsed by us alike. */
START_TEST (test_has_option_tag)
{
  SipServletMessage *m = message ("OPTIONS sip:bob@example.com SIP/2.0" CRLF
                                  "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-o" CRLF
                                  "From: <sip:alice@example.com>;tag=o1" CRLF
                                  "To: <sip:bob@example.com>" CRLF
                                  "Call-ID: opt-1" CRLF
                                  "CSeq: 1 OPTIONS" CRLF
                                  "k: 100rel,  timer" CRLF
                                  "Supported: Path" CRLF
                                  "Proxy-Require: sec-agree" CRLF
                                  "X-Tags: alpha, beta" CRLF
                                  "Content-Length: 0" CRLF CRLF, TRUE);
  ck_assert (sipservlet_message_has_option_tag (m, "Supported", "100rel"));
  ck_assert (sipservlet_message_has_option_tag (m, "supported", "timer"));
  ck_assert (sipservlet_message_has_option_tag (m, "k", "path"));
  ck_assert (sipservlet_message_has_option_tag (m, "Proxy-Require", "sec-agree"));
  ck_assert (sipservlet_message_has_option_tag (m, "X-Tags", "beta"));
  ck_assert (!sipservlet_message_has_option_tag (m, "Supported", "time"));
  ck_assert (!sipservlet_message_has_option_tag (m, "Require", "100rel"));
  ck_assert (!sipservlet_message_has_option_tag (m, "X-Tags", "alpha, beta"));
}
END_TEST

/* SIPSERVLET_MESSAGE() on an untyped pointer checks it at run time; the
 * way back to a request or a response says which it is. */
START_TEST (test_checked_casts)
{
  SipServletRequest *rq = request (INVITE_TEXT, TRUE);
  gpointer untyped = rq;
  ck_assert_ptr_eq (SIPSERVLET_MESSAGE (untyped), (SipServletMessage *) rq);
  ck_assert_ptr_eq (SIPSERVLET_REQUEST (untyped), rq);
  ck_assert_ptr_null (SIPSERVLET_RESPONSE (rq));
  SipServletMessage *rs = new_response (180, "Ringing", "INVITE", TRUE);
  ck_assert_ptr_eq (SIPSERVLET_RESPONSE (rs), (SipServletResponse *) rs);
  ck_assert_ptr_null (SIPSERVLET_REQUEST (rs));
  ck_assert_ptr_null (sipservlet_message_as_request (NULL));

  SipURI *uri = sipservlet_uri_parse ("sip:bob@example.com", NULL);
  gpointer not_a_message = uri;
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  SipServletMessage *wrong = SIPSERVLET_MESSAGE (not_a_message);
  guint criticals = catcher.criticals;
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (wrong);
  ck_assert_uint_eq (criticals, 1);
  sipservlet_uri_unref (uri);
}
END_TEST

START_TEST (test_unknown_headers)
{
  SipServletMessage *m = new_invite ();
  char **foo = sipservlet_message_get_headers (m, "X-Foo");
  char **foo_lower = sipservlet_message_get_headers (m, "x-foo");
  char **bar = sipservlet_message_get_headers (m, "X-Bar");

  /* Both X-Foo lines, not X-Bar, in message order. */
  ck_assert_uint_eq (strv_len0 (foo), 2);
  ck_assert_str_eq (foo[0], "one");
  ck_assert_str_eq (foo[1], "two");
  ck_assert (g_strv_equal ((const char *const *) foo, (const char *const *) foo_lower));
  ck_assert_uint_eq (strv_len0 (bar), 1);
  ck_assert_str_eq (bar[0], "zed");

  g_strfreev (foo);
  g_strfreev (foo_lower);
  g_strfreev (bar);
}
END_TEST

START_TEST (test_header_names)
{
  SipServletMessage *m = new_invite ();
  char **names = sipservlet_message_get_header_names (m);
  const char *const expected[] = {
    "Via", "Max-Forwards", "From", "To", "Call-ID", "CSeq", "Contact",
    "X-Foo", "X-Bar", "Content-Type", "Content-Length", NULL,
  };

  ck_assert_uint_eq (strv_len0 (names), G_N_ELEMENTS (expected) - 1);
  for (guint i = 0; expected[i] != NULL; i++)
    ck_assert_str_eq (names[i], expected[i]);
  g_strfreev (names);
}
END_TEST

/* Each name once, in order of first appearance: repeats of a known header
 * (also in compact form) and of an unknown one in any case count once. */
START_TEST (test_header_names_once_each)
{
  SipServletMessage *m = message ("OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                                  "X-Trace: a\r\n"
                                  "v: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK-2\r\n"
                                  "Max-Forwards: 70\r\n"
                                  "f: <sip:alice@example.com>;tag=1\r\n"
                                  "To: <sip:bob@example.com>\r\n"
                                  "Call-ID: names-1@192.0.2.1\r\n"
                                  "CSeq: 1 OPTIONS\r\n"
                                  "x-trace: b\r\n"
                                  "Record-Route: <sip:p1.example.com;lr>\r\n"
                                  "X-TRACE: c\r\n"
                                  "Record-Route: <sip:p2.example.com;lr>\r\n"
                                  "X-Other: d\r\n"
                                  "Content-Length: 0\r\n\r\n",
                                  TRUE);
  char **names = unit_defer (sipservlet_message_get_header_names (m), (GDestroyNotify) g_strfreev);
  const char *const expected[] = {
    "Via", "X-Trace", "Max-Forwards", "From", "To", "Call-ID", "CSeq", "Record-Route",
    "X-Other", "Content-Length", NULL,
  };

  ck_assert_uint_eq (strv_len0 (names), G_N_ELEMENTS (expected) - 1);
  for (guint i = 0; expected[i] != NULL; i++)
    ck_assert_str_eq (names[i], expected[i]);
}
END_TEST

/* More distinct names than the lookup's list holds on the stack (32). */
START_TEST (test_header_names_many)
{
  GString *text = g_string_new ("OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                                "Max-Forwards: 70\r\n"
                                "From: <sip:alice@example.com>;tag=1\r\n"
                                "To: <sip:bob@example.com>\r\n"
                                "Call-ID: names-2@192.0.2.1\r\n"
                                "CSeq: 1 OPTIONS\r\n");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, "X-H%u: %u\r\nx-h%u: again\r\n", i, i, i);
  g_string_append (text, "Content-Length: 0\r\n\r\n");
  SipServletMessage *m = message (text->str, TRUE);
  g_string_free (text, TRUE);
  char **names = unit_defer (sipservlet_message_get_header_names (m), (GDestroyNotify) g_strfreev);

  ck_assert_uint_eq (strv_len0 (names), 6 + 40 + 1);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *expected = g_strdup_printf ("X-H%u", i);
      ck_assert_str_eq (names[6 + i], expected);
    }
  ck_assert_str_eq (names[46], "Content-Length");
}
END_TEST

/* A header's value as a new string, with a tag for a session's own
 * party: known, unknown and long (past the stack buffer) headers. */
START_TEST (test_header_value_dup)
{
  GString *long_to = g_string_new ("To: <sip:bob@example.com;x=");
  for (guint i = 0; i < 300; i++)
    g_string_append_c (long_to, 'a' + i % 26);
  g_string_append (long_to, ">\r\n");
  g_autofree char *text = g_strconcat ("OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                       "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                                       "From: \"Alice\" <sip:alice@example.com>;tag=1\r\n",
                                       long_to->str,
                                       "Call-ID: dup-1@192.0.2.1\r\n"
                                       "CSeq: 1 OPTIONS\r\n"
                                       "X-Thing: some  value\r\n"
                                       "Content-Length: 0\r\n\r\n",
                                       NULL);
  msg_t *msg = unit_parse_msg (text);
  sip_t *sip = sip_object (msg);

  g_autofree char *from = sipsv_header_value_dup ((msg_header_t *) sip->sip_from, NULL);
  ck_assert_str_eq (from, "\"Alice\" <sip:alice@example.com>;tag=1");
  g_autofree char *own = sipsv_header_value_dup ((msg_header_t *) sip->sip_from, "xyz");
  ck_assert_str_eq (own, "\"Alice\" <sip:alice@example.com>;tag=1;tag=xyz");

  g_autofree char *to = sipsv_header_value_dup ((msg_header_t *) sip->sip_to, "t9");
  g_autofree char *expected_to = g_strconcat (long_to->str + 4, NULL);
  expected_to[strlen (expected_to) - 2] = '\0';           /* no CRLF */
  g_autofree char *expected = g_strconcat (expected_to, ";tag=t9", NULL);
  ck_assert_uint_gt (strlen (to), 300);
  ck_assert_str_eq (to, expected);

  g_autofree char *unknown = sipsv_header_value_dup ((msg_header_t *) sip->sip_unknown, NULL);
  ck_assert_str_eq (unknown, "some  value");
  g_autofree char *unknown_tag = sipsv_header_value_dup ((msg_header_t *) sip->sip_unknown, "u");
  ck_assert_str_eq (unknown_tag, "some  value;tag=u");

  g_string_free (long_to, TRUE);
  msg_destroy (msg);
}
END_TEST

/* ---- mutation ------------------------------------------------------------ */

START_TEST (test_add_set_remove_unknown)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  char **values;
  char *text;

  ck_assert (sipservlet_message_add_header (m, "X-Foo", "three", &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = sipservlet_message_get_headers (m, "X-Foo");
  ck_assert_uint_eq (strv_len0 (values), 3);
  ck_assert_str_eq (values[0], "one");
  ck_assert_str_eq (values[1], "two");
  ck_assert_str_eq (values[2], "three");
  g_strfreev (values);

  /* set replaces every value, and leaves other unknown headers alone. */
  ck_assert (sipservlet_message_set_header (m, "x-FOO", "only", &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = sipservlet_message_get_headers (m, "X-Foo");
  ck_assert_uint_eq (strv_len0 (values), 1);
  ck_assert_str_eq (values[0], "only");
  g_strfreev (values);
  ck_assert_str_eq (sipservlet_message_get_header (m, "X-Bar"), "zed");

  text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "\r\nx-FOO: only\r\n"));
  ck_assert_ptr_null (strstr (text, "one\r\n"));
  ck_assert_ptr_null (strstr (text, "two\r\n"));
  ck_assert_ptr_nonnull (strstr (text, "\r\nX-Bar: zed\r\n"));
  g_free (text);

  ck_assert (sipservlet_message_remove_header (m, "X-Foo", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_message_get_header (m, "X-Foo"));
  values = sipservlet_message_get_headers (m, "X-Foo");
  ck_assert_ptr_null (values[0]);
  g_strfreev (values);
  char **names = unit_defer (sipservlet_message_get_header_names (m), (GDestroyNotify) g_strfreev);
  for (char **n = names; *n != NULL; n++)
    ck_assert_int_ne (g_ascii_strcasecmp (*n, "X-Foo"), 0);
  ck_assert (g_strv_contains ((const char *const *) names, "X-Bar"));
  text = sipservlet_message_to_string (m);
  ck_assert (!contains_ci (text, "x-foo"));
  ck_assert_ptr_nonnull (strstr (text, "\r\nX-Bar: zed\r\n"));
  g_free (text);

  /* Removing an absent header is not an error. */
  ck_assert (sipservlet_message_remove_header (m, "X-Foo", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_message_remove_header (m, "Subject", &error));
  UNIT_ASSERT_NO_ERROR (error);
}
END_TEST

START_TEST (test_add_set_remove_known)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  char **values;
  char *text;

  /* Subject, by its compact name. */
  ck_assert (sipservlet_message_set_header (m, "s", "lunch?", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_message_get_header (m, "Subject"), "lunch?");
  text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "\r\nSubject: lunch?\r\n"));
  g_free (text);
  ck_assert (sipservlet_message_set_header (m, "Subject", "dinner", &error));
  values = sipservlet_message_get_headers (m, "Subject");
  ck_assert_uint_eq (strv_len0 (values), 1);
  ck_assert_str_eq (values[0], "dinner");
  g_strfreev (values);

  /* A multi-valued known header. */
  ck_assert (sipservlet_message_add_header (m, "Allow", "INVITE, ACK", &error));
  ck_assert (sipservlet_message_add_header (m, "Allow", "BYE", &error));
  UNIT_ASSERT_NO_ERROR (error);
  text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "INVITE"));
  ck_assert_ptr_nonnull (strstr (text, "BYE"));
  g_free (text);

  ck_assert (sipservlet_message_remove_header (m, "Subject", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_message_get_header (m, "s"));
  text = sipservlet_message_to_string (m);
  ck_assert_ptr_null (strstr (text, "Subject"));
  g_free (text);

  /* A value that does not parse as the header. */
  ck_assert (!sipservlet_message_set_header (m, "Max-Forwards", "many", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_str_eq (sipservlet_message_get_header (m, "Max-Forwards"), "70");
  /* Header injection through the value. */
  ck_assert (!sipservlet_message_add_header (m, "X-Foo", "a\r\nBYE sip:x SIP/2.0", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* Names that are no header names. */
  ck_assert (!sipservlet_message_add_header (m, "X Foo", "a", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_add_header (m, "X-Foo:", "a", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_add_header (m, "", "a", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  values = sipservlet_message_get_headers (m, "X-Foo");
  ck_assert_uint_eq (strv_len0 (values), 2);
  g_strfreev (values);
}
END_TEST

static const char *const system_headers[][2] = {
  { "From", "<sip:mallory@example.com>;tag=m" },
  { "f", "<sip:mallory@example.com>;tag=m" },
  { "To", "<sip:mallory@example.com>" },
  { "t", "<sip:mallory@example.com>" },
  { "Call-ID", "forged@example.com" },
  { "i", "forged@example.com" },
  { "CSeq", "99 INVITE" },
  { "Via", "SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-x" },
  { "v", "SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK-x" },
  { "Route", "<sip:proxy.example.com;lr>" },
  { "Record-Route", "<sip:proxy.example.com;lr>" },
  { "Contact", "<sip:mallory@203.0.113.1>" },
  { "m", "<sip:mallory@203.0.113.1>" },
  { "Path", "<sip:proxy.example.com;lr>" },
  { "RSeq", "1" },
  { "RAck", "1 7 INVITE" },
};

START_TEST (test_system_headers_protected)
{
  SipServletMessage *m = new_invite ();
  char *before = sipservlet_message_to_string (m);
  const char *name = system_headers[_i][0];
  const char *value = system_headers[_i][1];
  GError *error = NULL;

  ck_assert_msg (!sipservlet_message_add_header (m, name, value, &error), "add %s", name);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_msg (!sipservlet_message_set_header (m, name, value, &error), "set %s", name);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_msg (!sipservlet_message_remove_header (m, name, &error), "remove %s", name);
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  /* The message did not change. */
  char *after = sipservlet_message_to_string (m);
  ck_assert_str_eq (after, before);
  g_free (before);
  g_free (after);
}
END_TEST

START_TEST (test_system_address_headers_protected)
{
  SipServletMessage *m = new_invite ();
  SipAddress *address = sipservlet_address_parse ("<sip:mallory@example.com>", NULL);
  GError *error = NULL;

  ck_assert (!sipservlet_message_set_address_header (m, "From", address, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_add_address_header (m, "Route", address, TRUE, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_add_address_header (m, "Contact", address, FALSE, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_set_address_header (m, "t", address, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_str_eq (sipservlet_message_get_header (m, "From"),
                    "\"Alice Liddell\" <sip:alice@example.com>;tag=a1");
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_contact_allowed_on_register)
{
  SipServletMessage *m = message (REGISTER_TEXT, TRUE);
  GError *error = NULL;
  char **values;

  ck_assert (sipservlet_message_add_header (m, "Contact", "<sip:alice@192.0.2.2>;expires=60",
                                            &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = sipservlet_message_get_headers (m, "m");
  ck_assert_uint_eq (strv_len0 (values), 2);
  ck_assert_str_eq (values[0], "<sip:alice@192.0.2.1>");
  ck_assert_str_eq (values[1], "<sip:alice@192.0.2.2>;expires=60");
  g_strfreev (values);

  ck_assert (sipservlet_message_set_header (m, "m", "*", &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = sipservlet_message_get_headers (m, "Contact");
  ck_assert_uint_eq (strv_len0 (values), 1);
  ck_assert_str_eq (values[0], "*");
  g_strfreev (values);

  ck_assert (sipservlet_message_remove_header (m, "Contact", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_message_get_header (m, "Contact"));

  /* Other system headers stay protected on REGISTER. */
  ck_assert (!sipservlet_message_set_header (m, "To", "<sip:bob@example.com>", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
}
END_TEST

static const struct {
  guint status;
  const char *phrase;
  const char *method;
  gboolean contact_allowed;
} contact_cases[] = {
  { 300, "Multiple Choices", "INVITE", TRUE },
  { 301, "Moved Permanently", "INVITE", TRUE },
  { 302, "Moved Temporarily", "INVITE", TRUE },
  { 380, "Alternative Service", "INVITE", TRUE },
  { 485, "Ambiguous", "INVITE", TRUE },
  { 200, "OK", "OPTIONS", TRUE },
  { 200, "OK", "REGISTER", TRUE },
  { 200, "OK", "INVITE", FALSE },
  { 180, "Ringing", "INVITE", FALSE },
  { 486, "Busy Here", "INVITE", FALSE },
  { 484, "Address Incomplete", "INVITE", FALSE },
  { 400, "Bad Request", "OPTIONS", FALSE },
};

START_TEST (test_contact_on_responses)
{
  SipServletMessage *r = new_response (contact_cases[_i].status, contact_cases[_i].phrase,
                                       contact_cases[_i].method, FALSE);
  GError *error = NULL;
  gboolean ok;

  ck_assert (!sipservlet_message_is_committed (r));
  ok = sipservlet_message_set_header (r, "Contact", "<sip:carol@192.0.2.20>", &error);
  if (contact_cases[_i].contact_allowed)
    {
      ck_assert_msg (ok, "Contact refused on %u to %s", contact_cases[_i].status,
                     contact_cases[_i].method);
      UNIT_ASSERT_NO_ERROR (error);
      ck_assert_str_eq (sipservlet_message_get_header (r, "Contact"), "<sip:carol@192.0.2.20>");
    }
  else
    {
      ck_assert_msg (!ok, "Contact allowed on %u to %s", contact_cases[_i].status,
                     contact_cases[_i].method);
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
      ck_assert_str_eq (sipservlet_message_get_header (r, "Contact"), "<sip:bob@192.0.2.9>");
    }
}
END_TEST

START_TEST (test_committed_message_immutable)
{
  SipServletMessage *m = new_invite ();
  SipServletMessage *r = new_response (302, "Moved Temporarily", "INVITE", FALSE);
  SipAddress *address = sipservlet_address_parse ("<sip:carol@example.com>", NULL);
  SipParameterable *p = sipservlet_parameterable_parse ("text/plain", NULL);
  SipURI *uri = sipservlet_uri_parse ("sip:carol@example.com", NULL);
  GError *error = NULL;
  char *before;
  char *after;

  ck_assert_ptr_nonnull (address);
  ck_assert_ptr_nonnull (p);
  ck_assert_ptr_nonnull (uri);
  m->committed = TRUE;
  r->committed = TRUE;
  ck_assert (sipservlet_message_is_committed (m));
  before = sipservlet_message_to_string (m);

  ck_assert (!sipservlet_message_add_header (m, "X-Foo", "x", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_header (m, "X-Foo", "x", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_remove_header (m, "X-Foo", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_address_header (m, "Reply-To", address, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_add_address_header (m, "Reply-To", address, TRUE, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_parameterable_header (m, "Accept", p, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_expires (m, 60, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_expires (m, -1, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_content (m, "hi", -1, "text/plain", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_content (m, NULL, 0, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_request_set_request_uri (SIPSV_REQUEST (m), uri, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_request_set_max_forwards (SIPSV_REQUEST (m), 10, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_request_push_route (SIPSV_REQUEST (m), address, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  after = sipservlet_message_to_string (m);
  ck_assert_str_eq (after, before);
  g_free (before);
  g_free (after);

  /* A committed response: status and Contact (allowed on a 302) too. */
  ck_assert (!sipservlet_response_set_status (SIPSV_RESPONSE (r), 301, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_message_set_header (r, "Contact", "<sip:x@192.0.2.30>", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (sipservlet_response_get_status (SIPSV_RESPONSE (r)), 302);

  /* Attributes are not part of the message: still allowed. */
  sipservlet_message_set_attribute (m, "k", (gpointer) "v", NULL);
  ck_assert_str_eq (sipservlet_message_get_attribute (m, "k"), "v");

  sipservlet_uri_unref (uri);
  sipservlet_parameterable_unref (p);
  sipservlet_address_unref (address);
}
END_TEST

START_TEST (test_received_response_committed)
{
  SipServletMessage *r = new_response (200, "OK", "INVITE", TRUE);
  GError *error = NULL;

  ck_assert (sipservlet_message_is_committed (r));
  ck_assert (!sipservlet_message_add_header (r, "X-Foo", "x", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_response_set_status (SIPSV_RESPONSE (r), 202, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

/* ---- address and parameterable headers ------------------------------------ */

START_TEST (test_address_headers)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  SipAddress *from = sipservlet_message_get_from (m);
  SipAddress *from2 = sipservlet_message_get_address_header (m, "f", &error);
  SipAddress *to = sipservlet_message_get_to (m);
  char *uri;

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (from);
  ck_assert_str_eq (sipservlet_address_get_display_name (from), "Alice Liddell");
  ck_assert_str_eq (sipservlet_address_get_tag (from), "a1");
  ck_assert_str_eq (sipservlet_address_get_parameter (from, "tag"), "a1");
  uri = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  ck_assert_str_eq (uri, "sip:alice@example.com");
  g_free (uri);
  ck_assert (sipservlet_address_equal (from, from2));

  ck_assert_ptr_nonnull (to);
  ck_assert_ptr_null (sipservlet_address_get_tag (to));
  ck_assert_ptr_null (sipservlet_address_get_display_name (to));

  /* A copy: changing it does not change the message. */
  sipservlet_address_set_display_name (from, "Mallory");
  ck_assert_str_eq (sipservlet_message_get_header (m, "From"),
                    "\"Alice Liddell\" <sip:alice@example.com>;tag=a1");

  /* Contact list. */
  GPtrArray *contacts = sipservlet_message_get_address_headers (m, "Contact", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (contacts);
  ck_assert_uint_eq (contacts->len, 2);
  SipAddress *c0 = g_ptr_array_index (contacts, 0);
  SipAddress *c1 = g_ptr_array_index (contacts, 1);
  uri = sipservlet_uri_to_string (sipservlet_address_get_uri (c0));
  ck_assert_str_eq (uri, "sip:alice@192.0.2.1:5060");
  g_free (uri);
  ck_assert_int_eq (sipservlet_address_get_expires (c0), 30);
  ck_assert_str_eq (sipservlet_address_get_display_name (c1), "Mobile");
  ck_assert_double_eq_tol (sipservlet_address_get_q (c1), 0.5, 1e-9);
  uri = sipservlet_uri_to_string (sipservlet_address_get_uri (c1));
  ck_assert_str_eq (uri, "sip:alice@198.51.100.7");
  g_free (uri);
  g_ptr_array_unref (contacts);

  /* A value longer than the formatter's stack buffer (256 bytes). */
  g_autofree char *user = g_strnfill (300, 'u');
  g_autofree char *long_address = g_strdup_printf ("<sip:%s@192.0.2.9>;x=60", user);
  ck_assert (sipservlet_message_add_header (m, "Reply-To", long_address, &error));
  contacts = sipservlet_message_get_address_headers (m, "Reply-To", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (contacts->len, 1);
  ck_assert_str_eq (sipservlet_uri_get_user (sipservlet_address_get_uri (contacts->pdata[0])), user);
  ck_assert_str_eq (sipservlet_address_get_parameter (contacts->pdata[0], "x"), "60");
  g_ptr_array_unref (contacts);
  ck_assert (sipservlet_message_remove_header (m, "Reply-To", &error));

  /* Absent: NULL and no error; empty list. */
  ck_assert_ptr_null (sipservlet_message_get_address_header (m, "Reply-To", &error));
  UNIT_ASSERT_NO_ERROR (error);
  contacts = sipservlet_message_get_address_headers (m, "Record-Route", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (contacts);
  ck_assert_uint_eq (contacts->len, 0);
  g_ptr_array_unref (contacts);

  /* Not an address. */
  ck_assert_ptr_null (sipservlet_message_get_address_header (m, "CSeq", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
  ck_assert_ptr_null (sipservlet_message_get_address_headers (m, "CSeq", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);

  sipservlet_address_unref (from);
  sipservlet_address_unref (from2);
  sipservlet_address_unref (to);
}
END_TEST

START_TEST (test_set_address_headers)
{
  SipServletMessage *m = new_invite ();
  SipAddress *a1 = sipservlet_address_parse ("\"Help Desk\" <sip:help@example.com>", NULL);
  SipAddress *a2 = sipservlet_address_parse ("<sip:boss@example.com>", NULL);
  GError *error = NULL;

  ck_assert (sipservlet_message_set_address_header (m, "Reply-To", a1, &error));
  UNIT_ASSERT_NO_ERROR (error);
  SipAddress *back = sipservlet_message_get_address_header (m, "Reply-To", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_address_equal (back, a1));
  ck_assert_str_eq (sipservlet_address_get_display_name (back), "Help Desk");
  sipservlet_address_unref (back);

  /* add, at the end then first: order is a2-first, a1, a2-last. */
  ck_assert (sipservlet_message_add_address_header (m, "P-Asserted-Identity", a1, FALSE, &error));
  ck_assert (sipservlet_message_add_address_header (m, "P-Asserted-Identity", a2, TRUE, &error));
  UNIT_ASSERT_NO_ERROR (error);
  GPtrArray *list = sipservlet_message_get_address_headers (m, "P-Asserted-Identity", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (list->len, 2);
  ck_assert (sipservlet_address_equal (g_ptr_array_index (list, 0), a2));
  ck_assert (sipservlet_address_equal (g_ptr_array_index (list, 1), a1));
  g_ptr_array_unref (list);

  /* The address is copied: changing it afterwards changes nothing. */
  sipservlet_address_set_display_name (a1, "Changed");
  back = sipservlet_message_get_address_header (m, "Reply-To", &error);
  ck_assert_str_eq (sipservlet_address_get_display_name (back), "Help Desk");
  sipservlet_address_unref (back);

  sipservlet_address_unref (a1);
  sipservlet_address_unref (a2);
}
END_TEST

/* add_address_header (first = TRUE) with two values already present, on
 * a known header (Contact of a REGISTER) and on an unknown one. */
START_TEST (test_add_address_header_first)
{
  SipServletMessage *m = message (REGISTER_TEXT, TRUE);
  SipAddress *second = unit_defer (sipservlet_address_parse ("<sip:alice@192.0.2.2>", NULL),
                                   (GDestroyNotify) sipservlet_address_unref);
  SipAddress *top = unit_defer (sipservlet_address_parse ("<sip:alice@192.0.2.3>;q=0.9", NULL),
                                (GDestroyNotify) sipservlet_address_unref);
  GError *error = NULL;
  char **values;

  ck_assert (sipservlet_message_add_address_header (m, "Contact", second, FALSE, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_message_add_address_header (m, "Contact", top, TRUE, &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = unit_defer (sipservlet_message_get_headers (m, "Contact"), (GDestroyNotify) g_strfreev);
  ck_assert_uint_eq (strv_len0 (values), 3);
  ck_assert_str_eq (values[0], "<sip:alice@192.0.2.3>;q=0.9");
  ck_assert_str_eq (values[1], "<sip:alice@192.0.2.1>");
  ck_assert_str_eq (values[2], "<sip:alice@192.0.2.2>");

  ck_assert (sipservlet_message_add_header (m, "X-Hops", "<sip:a.example.com>", &error));
  ck_assert (sipservlet_message_add_header (m, "X-Hops", "<sip:b.example.com>", &error));
  ck_assert (sipservlet_message_add_address_header (m, "X-Hops", top, TRUE, &error));
  UNIT_ASSERT_NO_ERROR (error);
  values = unit_defer (sipservlet_message_get_headers (m, "X-Hops"), (GDestroyNotify) g_strfreev);
  ck_assert_uint_eq (strv_len0 (values), 3);
  ck_assert_str_eq (values[0], "<sip:alice@192.0.2.3>;q=0.9");
  ck_assert_str_eq (values[1], "<sip:a.example.com>");
  ck_assert_str_eq (values[2], "<sip:b.example.com>");
}
END_TEST

START_TEST (test_parameterable_header)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  SipParameterable *ct = sipservlet_message_get_parameterable_header (m, "Content-Type", &error);
  SipParameterable *ct2 = sipservlet_message_get_parameterable_header (m, "c", &error);

  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (ct);
  ck_assert_str_eq (sipservlet_parameterable_get_value (ct), "application/sdp");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (ct, "charset"), "utf-8");
  ck_assert_ptr_null (sipservlet_parameterable_get_parameter (ct, "boundary"));
  ck_assert (sipservlet_parameterable_equal (ct, ct2));

  /* Via is parameterable too. */
  SipParameterable *via = sipservlet_message_get_parameterable_header (m, "v", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_parameterable_get_value (via), "SIP/2.0/UDP 192.0.2.1:5060");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (via, "branch"), "z9hG4bK-1");
  sipservlet_parameterable_unref (via);

  ck_assert_ptr_null (sipservlet_message_get_parameterable_header (m, "Event", &error));
  UNIT_ASSERT_NO_ERROR (error);

  /* Set a non-system parameterable header. */
  SipParameterable *event = sipservlet_parameterable_parse ("presence;id=7", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_message_set_parameterable_header (m, "Event", event, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_message_get_header (m, "Event"), "presence;id=7");
  SipParameterable *back = sipservlet_message_get_parameterable_header (m, "o", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_parameterable_get_value (back), "presence");
  ck_assert_str_eq (sipservlet_parameterable_get_parameter (back, "id"), "7");
  sipservlet_parameterable_unref (back);

  /* Not on a system header. */
  ck_assert (!sipservlet_message_set_parameterable_header (m, "Via", event, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  sipservlet_parameterable_unref (event);
  sipservlet_parameterable_unref (ct);
  sipservlet_parameterable_unref (ct2);
}
END_TEST

/* ---- body ------------------------------------------------------------------ */

START_TEST (test_body_get)
{
  SipServletMessage *m = new_invite ();
  SipServletMessage *o = message (OPTIONS_TEXT, TRUE);
  gsize length = 99;

  const char *body = sipservlet_message_get_content (m, &length);
  ck_assert_uint_eq (length, 4);
  ck_assert_mem_eq (body, "v=0\n", 4);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/sdp;charset=utf-8");
  ck_assert_ptr_nonnull (sipservlet_message_get_content (m, NULL));

  length = 99;
  ck_assert_ptr_null (sipservlet_message_get_content (o, &length));
  ck_assert_uint_eq (length, 0);
  ck_assert_ptr_null (sipservlet_message_get_content_type (o));
}
END_TEST

START_TEST (test_body_set)
{
  SipServletMessage *m = message (OPTIONS_TEXT, TRUE);
  GError *error = NULL;
  gsize length = 0;
  char *text;

  ck_assert (sipservlet_message_set_content (m, "hello", -1, "text/plain", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_mem_eq (sipservlet_message_get_content (m, &length), "hello", 5);
  ck_assert_uint_eq (length, 5);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "text/plain");
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), "5");
  text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "\r\nContent-Type: text/plain\r\n"));
  ck_assert_ptr_nonnull (strstr (text, "\r\nContent-Length: 5\r\n"));
  ck_assert (g_str_has_suffix (text, "\r\n\r\nhello"));
  /* Exactly one Content-Length. */
  ck_assert_ptr_null (strstr (strstr (text, "Content-Length") + 1, "Content-Length"));
  g_free (text);

  /* Binary body with a NUL, explicit length, replaces the old one. */
  ck_assert (sipservlet_message_set_content (m, "a\0bc", 4, "application/octet-stream", &error));
  UNIT_ASSERT_NO_ERROR (error);
  const char *body = sipservlet_message_get_content (m, &length);
  ck_assert_uint_eq (length, 4);
  ck_assert_mem_eq (body, "a\0bc", 4);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/octet-stream");
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), "4");
  char **types = sipservlet_message_get_headers (m, "Content-Type");
  ck_assert_uint_eq (strv_len0 (types), 1);
  g_strfreev (types);

  /* Remove the body: no Content-Type, Content-Length 0. */
  ck_assert (sipservlet_message_set_content (m, NULL, 0, NULL, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_message_get_content (m, &length));
  ck_assert_uint_eq (length, 0);
  ck_assert_ptr_null (sipservlet_message_get_content_type (m));
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), "0");
  text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "\r\nContent-Length: 0\r\n"));
  ck_assert (g_str_has_suffix (text, "\r\n\r\n"));
  g_free (text);
}
END_TEST

/* copy_content: the body and its type, parameters included, or none. */
START_TEST (test_body_copy)
{
  SipServletMessage *from = new_invite ();
  SipServletMessage *to = message (OPTIONS_TEXT, TRUE);
  SipServletMessage *empty = message (REGISTER_TEXT, TRUE);
  GError *error = NULL;
  gsize length = 0;

  ck_assert (sipservlet_message_copy_content (to, from, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_mem_eq (sipservlet_message_get_content (to, &length), "v=0\n", 4);
  ck_assert_uint_eq (length, 4);
  ck_assert_str_eq (sipservlet_message_get_content_type (to), "application/sdp;charset=utf-8");
  ck_assert_str_eq (sipservlet_message_get_header (to, "Content-Length"), "4");
  char *text = unit_defer (sipservlet_message_to_string (to), g_free);
  ck_assert (g_str_has_suffix (text, "\r\n\r\nv=0\n"));
  ck_assert_ptr_null (strstr (strstr (text, "Content-Length") + 1, "Content-Length"));

  /* From a message without a body: none left. */
  ck_assert (sipservlet_message_copy_content (to, empty, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_null (sipservlet_message_get_content (to, &length));
  ck_assert_ptr_null (sipservlet_message_get_content_type (to));
  ck_assert_str_eq (sipservlet_message_get_header (to, "Content-Length"), "0");

  /* A body without a Content-Type is not copied; a committed message
   * cannot change. */
  SipServletMessage *untyped = message ("MESSAGE sip:bob@example.com SIP/2.0\r\n"
                                        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-u\r\n"
                                        "From: <sip:alice@example.com>;tag=u1\r\n"
                                        "To: <sip:bob@example.com>\r\n"
                                        "Call-ID: untyped-1\r\n"
                                        "CSeq: 1 MESSAGE\r\n"
                                        "Content-Length: 1\r\n\r\nx",
                                        TRUE);
  ck_assert_ptr_nonnull (sipservlet_message_get_content (untyped, NULL));
  ck_assert_ptr_null (sipservlet_message_get_content_type (untyped));
  ck_assert (!sipservlet_message_copy_content (to, untyped, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  to->committed = TRUE;
  ck_assert (!sipservlet_message_copy_content (to, from, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_null (sipservlet_message_get_content (to, &length));
}
END_TEST

START_TEST (test_body_replace_parsed)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  gsize length = 0;
  const char *sdp = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";

  ck_assert (sipservlet_message_set_content (m, sdp, -1, "application/sdp", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_mem_eq (sipservlet_message_get_content (m, &length), sdp, strlen (sdp));
  ck_assert_uint_eq (length, strlen (sdp));
  char *expected = g_strdup_printf ("%zu", strlen (sdp));
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), expected);
  g_free (expected);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/sdp");

  /* The serialised message parses back to the same body. */
  char *text = sipservlet_message_to_string (m);
  msg_t *msg = unit_parse_msg (text);
  sip_t *sip = sip_object (msg);
  ck_assert_ptr_nonnull (sip->sip_payload);
  ck_assert_uint_eq (sip->sip_payload->pl_len, strlen (sdp));
  ck_assert_mem_eq (sip->sip_payload->pl_data, sdp, strlen (sdp));
  ck_assert_uint_eq (sip->sip_content_length->l_length, strlen (sdp));
  msg_destroy (msg);
  g_free (text);
}
END_TEST

START_TEST (test_body_set_without_content_length)
{
  SipServletMessage *m = message (NO_LENGTH_TEXT, FALSE);
  GError *error = NULL;
  gsize length = 0;

  ck_assert_ptr_null (sipservlet_message_get_header (m, "Content-Length"));
  ck_assert (sipservlet_message_set_content (m, "hello", -1, "text/plain", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), "5");
  ck_assert_mem_eq (sipservlet_message_get_content (m, &length), "hello", 5);
  ck_assert_uint_eq (length, 5);
  char *text = sipservlet_message_to_string (m);
  ck_assert_ptr_nonnull (strstr (text, "\r\nContent-Length: 5\r\n"));
  ck_assert (g_str_has_suffix (text, "\r\n\r\nhello"));
  g_free (text);
}
END_TEST

START_TEST (test_body_errors)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;
  gsize length = 0;

  /* A body needs a type. */
  ck_assert (!sipservlet_message_set_content (m, "hello", -1, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_message_set_content (m, "hello", 5, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* A type that does not parse. */
  ck_assert (!sipservlet_message_set_content (m, "hello", -1, "no slash here", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);

  /* The old body is untouched. */
  ck_assert_mem_eq (sipservlet_message_get_content (m, &length), "v=0\n", 4);
  ck_assert_uint_eq (length, 4);
  ck_assert_str_eq (sipservlet_message_get_content_type (m), "application/sdp;charset=utf-8");
  ck_assert_str_eq (sipservlet_message_get_header (m, "Content-Length"), "4");
}
END_TEST

/* ---- attributes ----------------------------------------------------------- */

START_TEST (test_attributes_destroy_once)
{
  /* Not held by the fixture: this test frees it. */
  SipServletMessage *m = SIPSERVLET_MESSAGE (unit_request_new (container, INVITE_TEXT, TRUE));
  guint c1 = 0, c2 = 0, c3 = 0, c4 = 0;

  ck_assert_ptr_null (sipservlet_message_get_attribute (m, "a"));
  sipservlet_message_set_attribute (m, "a", &c1, unit_count_destroy);
  ck_assert_ptr_eq (sipservlet_message_get_attribute (m, "a"), &c1);
  ck_assert_uint_eq (c1, 0);

  /* Replace: the old value is destroyed once. */
  sipservlet_message_set_attribute (m, "a", &c2, unit_count_destroy);
  ck_assert_uint_eq (c1, 1);
  ck_assert_uint_eq (c2, 0);
  ck_assert_ptr_eq (sipservlet_message_get_attribute (m, "a"), &c2);

  /* Remove with NULL. */
  sipservlet_message_set_attribute (m, "a", NULL, NULL);
  ck_assert_uint_eq (c2, 1);
  ck_assert_ptr_null (sipservlet_message_get_attribute (m, "a"));
  /* Removing again is harmless. */
  sipservlet_message_set_attribute (m, "a", NULL, NULL);
  ck_assert_uint_eq (c2, 1);

  /* Freed with the message, each once. */
  sipservlet_message_set_attribute (m, "b", &c3, unit_count_destroy);
  sipservlet_message_set_attribute (m, "c", &c4, unit_count_destroy);
  ck_assert_ptr_eq (sipservlet_message_get_attribute (m, "b"), &c3);
  sipservlet_message_ref (m);
  sipservlet_message_unref (m);
  ck_assert_uint_eq (c3, 0);
  sipservlet_message_unref (m);
  ck_assert_uint_eq (c1, 1);
  ck_assert_uint_eq (c2, 1);
  ck_assert_uint_eq (c3, 1);
  ck_assert_uint_eq (c4, 1);
}
END_TEST

/* ---- request specifics ---------------------------------------------------- */

START_TEST (test_request_uri)
{
  SipServletRequest *rq = request (INVITE_TEXT, FALSE);
  GError *error = NULL;
  char *text;

  const SipURI *uri = sipservlet_request_get_request_uri (rq);
  ck_assert_ptr_nonnull (uri);
  text = sipservlet_uri_to_string (uri);
  ck_assert_str_eq (text, "sip:bob@example.com");
  g_free (text);
  /* Stable while unchanged. */
  ck_assert_ptr_eq (sipservlet_request_get_request_uri (rq), uri);

  SipURI *carol = sipservlet_uri_parse ("sip:carol@example.org;transport=tcp", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_request_set_request_uri (rq, carol, &error));
  UNIT_ASSERT_NO_ERROR (error);
  sipservlet_uri_unref (carol);   /* copied */
  text = sipservlet_uri_to_string (sipservlet_request_get_request_uri (rq));
  ck_assert_str_eq (text, "sip:carol@example.org;transport=tcp");
  g_free (text);
  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (rq)), "INVITE");
  text = sipservlet_message_to_string (SIPSERVLET_MESSAGE (rq));
  ck_assert (g_str_has_prefix (text, "INVITE sip:carol@example.org;transport=tcp SIP/2.0\r\n"));
  g_free (text);
}
END_TEST

/* Asserts that each needle occurs in text, after the previous one. */
static void
assert_in_order (const char *text, const char *const *needles)
{
  const char *from = text;
  for (guint i = 0; needles[i] != NULL; i++)
    {
      const char *at = strstr (from, needles[i]);
      ck_assert_msg (at != NULL, "'%s' missing or out of order in:\n%s", needles[i], text);
      from = at + strlen (needles[i]);
    }
}

static void
assert_values (SipServletMessage *m, const char *name, const char *const *expected)
{
  g_auto (GStrv) values = sipservlet_message_get_headers (m, name);
  ck_assert_uint_eq (strv_len0 (values), g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    ck_assert_str_eq (values[i], expected[i]);
  g_autofree char *text = sipservlet_message_to_string (m);
  assert_in_order (text, expected);
}

/* Headers of a list keep their order whatever kind sofia gives them:
 * adding one puts it after those already there, inserting one first puts
 * it before them (Via, Record-Route and Path are "prepend" headers in
 * sofia, which msg_header_insert() puts on top). */
START_TEST (test_header_order_kept)
{
  GError *error = NULL;
  SipServletMessage *ok = new_response (200, "OK", "REGISTER", FALSE);
  const char *const paths[] = { "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>",
                                "<sip:p3.example.com;lr>", NULL };
  for (guint i = 0; paths[i] != NULL; i++)
    ck_assert (sipservlet_message_add_header (ok, "Path", paths[i], &error));
  UNIT_ASSERT_NO_ERROR (error);
  assert_values (ok, "Path", paths);

  const char *const contacts[] = { "<sip:alice@192.0.2.1>;expires=60",
                                   "<sip:alice@192.0.2.2>;expires=30", NULL };
  ck_assert (sipservlet_message_remove_header (ok, "Contact", &error));
  for (guint i = 0; contacts[i] != NULL; i++)
    ck_assert (sipservlet_message_add_header (ok, "Contact", contacts[i], &error));
  UNIT_ASSERT_NO_ERROR (error);
  assert_values (ok, "Contact", contacts);

  /* A list header gains values, in order. */
  ck_assert (sipservlet_message_add_header (ok, "Supported", "path", &error));
  ck_assert (sipservlet_message_add_header (ok, "Supported", "outbound", &error));
  UNIT_ASSERT_NO_ERROR (error);
  g_autofree char *text = sipservlet_message_to_string (ok);
  const char *const supported[] = { "path", "outbound", NULL };
  assert_in_order (strstr (text, "Supported"), supported);
  SipServletMessage *two = message ("OPTIONS sip:bob@example.com SIP/2.0" CRLF
                                    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-sup" CRLF
                                    "From: <sip:alice@example.com>;tag=s1" CRLF
                                    "To: <sip:bob@example.com>" CRLF
                                    "Call-ID: sup-1" CRLF
                                    "CSeq: 1 OPTIONS" CRLF
                                    "Supported: 100rel" CRLF
                                    "Supported: timer, replaces" CRLF
                                    "Content-Length: 0" CRLF CRLF, FALSE);
  ck_assert (sipservlet_message_add_header (two, "Supported", "path", &error));
  UNIT_ASSERT_NO_ERROR (error);
  g_autofree char *two_text = sipservlet_message_to_string (two);
  const char *const all[] = { "Supported: 100rel", "timer", "replaces", "path", NULL };
  assert_in_order (two_text, all);
  const char *joined = strstr (two_text, "Supported: ");
  ck_assert_msg (joined != NULL && strstr (joined + 1, "Supported") == NULL, "%s", two_text);

  /* What a proxy does: its Record-Route on top of those received, which
   * keep their order (two on one line, one on the next). */
  SipServletMessage *in = message ("INVITE sip:bob@example.com SIP/2.0" CRLF
                                   "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-rr" CRLF
                                   "Record-Route: <sip:e1.example.net;lr>, <sip:e2.example.net;lr>" CRLF
                                   "Record-Route: <sip:e3.example.net;lr>" CRLF
                                   "From: <sip:alice@example.com>;tag=a1" CRLF
                                   "To: <sip:bob@example.com>" CRLF
                                   "Call-ID: rr-order" CRLF
                                   "CSeq: 1 INVITE" CRLF
                                   "Content-Length: 0" CRLF CRLF, TRUE);
  msg_t *msg = in->msg;
  sipsv_message_insert_first (in, msg_header_make (msg_home (msg), sip_record_route_class,
                                                   "<sip:ours.example.org;lr>"));
  const char *const rr[] = { "<sip:ours.example.org;lr>", "<sip:e1.example.net;lr>",
                             "<sip:e2.example.net;lr>", "<sip:e3.example.net;lr>", NULL };
  assert_values (in, "Record-Route", rr);
}
END_TEST

START_TEST (test_push_route)
{
  SipServletRequest *rq = request (OPTIONS_TEXT, FALSE);
  SipServletRequest *incoming = request (OPTIONS_TEXT, TRUE);
  SipServletRequest *subsequent = request (OPTIONS_TEXT, FALSE);
  SipAddress *p1 = sipservlet_address_parse ("<sip:p1.example.com;lr>", NULL);
  SipAddress *p2 = sipservlet_address_parse ("<sip:p2.example.com;lr>", NULL);
  GError *error = NULL;
  char **routes;

  rq->initial = TRUE;
  incoming->initial = TRUE;
  ck_assert (sipservlet_request_push_route (rq, p1, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (sipservlet_request_push_route (rq, p2, &error));
  UNIT_ASSERT_NO_ERROR (error);
  /* The last pushed is the first hop. */
  routes = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (rq), "Route");
  ck_assert_uint_eq (strv_len0 (routes), 2);
  ck_assert_str_eq (routes[0], "<sip:p2.example.com;lr>");
  ck_assert_str_eq (routes[1], "<sip:p1.example.com;lr>");
  assert_values (SIPSERVLET_MESSAGE (rq), "Route", (const char *const *) routes);
  g_strfreev (routes);

  /* Only on outgoing initial requests. */
  ck_assert (!sipservlet_request_push_route (incoming, p1, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_request_push_route (subsequent, p1, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_null (sipservlet_message_get_header (SIPSERVLET_MESSAGE (incoming), "Route"));
  ck_assert_ptr_null (sipservlet_message_get_header (SIPSERVLET_MESSAGE (subsequent), "Route"));

  sipservlet_address_unref (p1);
  sipservlet_address_unref (p2);
}
END_TEST

START_TEST (test_max_forwards)
{
  SipServletRequest *rq = request (INVITE_TEXT, FALSE);
  SipServletRequest *opt = request (OPTIONS_TEXT, FALSE);
  GError *error = NULL;

  ck_assert_int_eq (sipservlet_request_get_max_forwards (rq), 70);
  ck_assert_int_eq (sipservlet_request_get_max_forwards (opt), -1);

  ck_assert (sipservlet_request_set_max_forwards (rq, 0, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_int_eq (sipservlet_request_get_max_forwards (rq), 0);
  ck_assert (sipservlet_request_set_max_forwards (rq, 255, &error));
  ck_assert_int_eq (sipservlet_request_get_max_forwards (rq), 255);
  ck_assert_str_eq (sipservlet_message_get_header (SIPSERVLET_MESSAGE (rq), "Max-Forwards"),
                    "255");

  ck_assert (!sipservlet_request_set_max_forwards (rq, -1, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_request_set_max_forwards (rq, 256, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_request_set_max_forwards (rq, G_MAXINT, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_int_eq (sipservlet_request_get_max_forwards (rq), 255);

  /* Added where absent, once. */
  ck_assert (sipservlet_request_set_max_forwards (opt, 10, &error));
  ck_assert_int_eq (sipservlet_request_get_max_forwards (opt), 10);
  char **values = sipservlet_message_get_headers (SIPSERVLET_MESSAGE (opt), "Max-Forwards");
  ck_assert_uint_eq (strv_len0 (values), 1);
  g_strfreev (values);
}
END_TEST

START_TEST (test_expires)
{
  SipServletMessage *m = message (REGISTER_TEXT, FALSE);
  GError *error = NULL;

  ck_assert_int_eq (sipservlet_message_get_expires (m), -1);
  ck_assert (sipservlet_message_set_expires (m, 3600, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_int_eq (sipservlet_message_get_expires (m), 3600);
  ck_assert_str_eq (sipservlet_message_get_header (m, "Expires"), "3600");
  ck_assert (sipservlet_message_set_expires (m, 0, &error));
  ck_assert_int_eq (sipservlet_message_get_expires (m), 0);
  char **values = sipservlet_message_get_headers (m, "Expires");
  ck_assert_uint_eq (strv_len0 (values), 1);
  g_strfreev (values);

  /* -1 removes it. */
  ck_assert (sipservlet_message_set_expires (m, -1, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_int_eq (sipservlet_message_get_expires (m), -1);
  ck_assert_ptr_null (sipservlet_message_get_header (m, "Expires"));
}
END_TEST

START_TEST (test_response_status)
{
  SipServletResponse *r = SIPSV_RESPONSE (new_response (180, "Ringing", "INVITE", FALSE));
  GError *error = NULL;

  ck_assert (sipservlet_response_set_status (r, 486, NULL, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (sipservlet_response_get_status (r), 486);
  ck_assert_str_eq (sipservlet_response_get_reason_phrase (r), "Busy Here");
  ck_assert (sipservlet_response_set_status (r, 600, "Nope", &error));
  ck_assert_uint_eq (sipservlet_response_get_status (r), 600);
  ck_assert_str_eq (sipservlet_response_get_reason_phrase (r), "Nope");

  ck_assert (!sipservlet_response_set_status (r, 99, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_response_set_status (r, 700, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_uint_eq (sipservlet_response_get_status (r), 600);

  char *text = sipservlet_message_to_string (SIPSERVLET_MESSAGE (r));
  ck_assert (g_str_has_prefix (text, "SIP/2.0 600 Nope\r\n"));
  g_free (text);
}
END_TEST

/* ---- serialisation ----------------------------------------------------------- */

START_TEST (test_to_string_round_trip)
{
  SipServletMessage *m = new_invite ();
  GError *error = NULL;

  ck_assert (sipservlet_message_add_header (m, "X-Added", "yes", &error));
  UNIT_ASSERT_NO_ERROR (error);
  char *text = sipservlet_message_to_string (m);
  ck_assert (g_str_has_prefix (text, "INVITE sip:bob@example.com SIP/2.0\r\n"));
  ck_assert (g_str_has_suffix (text, "\r\n\r\nv=0\n"));

  SipServletMessage *again = message (text, TRUE);
  char *text2 = sipservlet_message_to_string (again);
  ck_assert_str_eq (text2, text);

  ck_assert_str_eq (sipservlet_message_get_call_id (again), "call-1@192.0.2.1");
  ck_assert_uint_eq (sipservlet_message_get_cseq (again), 7);
  ck_assert_str_eq (sipservlet_message_get_header (again, "X-Added"), "yes");
  char **vias = sipservlet_message_get_headers (again, "Via");
  ck_assert_uint_eq (strv_len0 (vias), 3);
  g_strfreev (vias);
  char **foo = sipservlet_message_get_headers (again, "X-Foo");
  ck_assert_uint_eq (strv_len0 (foo), 2);
  g_strfreev (foo);
  gsize length = 0;
  ck_assert_mem_eq (sipservlet_message_get_content (again, &length), "v=0\n", 4);
  ck_assert_uint_eq (length, 4);

  /* to_string does not change the message itself. */
  char *text3 = sipservlet_message_to_string (m);
  ck_assert_str_eq (text3, text);

  g_free (text);
  g_free (text2);
  g_free (text3);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("message");
  TCase *tc = tcase_create ("message");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_basic_accessors);
  tcase_add_test (tc, test_header_long_and_compact);
  tcase_add_test (tc, test_header_long_value);
  tcase_add_test (tc, test_header_reads_do_not_grow);
  tcase_add_test (tc, test_header_case_insensitive);
  tcase_add_test (tc, test_multi_valued_headers);
  tcase_add_test (tc, test_unknown_headers);
  tcase_add_test (tc, test_has_option_tag);
  tcase_add_test (tc, test_checked_casts);
  tcase_add_test (tc, test_header_names);
  tcase_add_test (tc, test_header_names_once_each);
  tcase_add_test (tc, test_header_names_many);
  tcase_add_test (tc, test_header_value_dup);
  tcase_add_test (tc, test_add_set_remove_unknown);
  tcase_add_test (tc, test_add_set_remove_known);
  tcase_add_loop_test (tc, test_system_headers_protected, 0, G_N_ELEMENTS (system_headers));
  tcase_add_test (tc, test_system_address_headers_protected);
  tcase_add_test (tc, test_contact_allowed_on_register);
  tcase_add_loop_test (tc, test_contact_on_responses, 0, G_N_ELEMENTS (contact_cases));
  tcase_add_test (tc, test_committed_message_immutable);
  tcase_add_test (tc, test_received_response_committed);
  tcase_add_test (tc, test_address_headers);
  tcase_add_test (tc, test_set_address_headers);
  tcase_add_test (tc, test_add_address_header_first);
  tcase_add_test (tc, test_parameterable_header);
  tcase_add_test (tc, test_body_get);
  tcase_add_test (tc, test_body_set);
  tcase_add_test (tc, test_body_copy);
  tcase_add_test (tc, test_body_replace_parsed);
  tcase_add_test (tc, test_body_set_without_content_length);
  tcase_add_test (tc, test_body_errors);
  tcase_add_test (tc, test_attributes_destroy_once);
  tcase_add_test (tc, test_request_uri);
  tcase_add_test (tc, test_header_order_kept);
  tcase_add_test (tc, test_push_route);
  tcase_add_test (tc, test_max_forwards);
  tcase_add_test (tc, test_expires);
  tcase_add_test (tc, test_response_status);
  tcase_add_test (tc, test_to_string_round_trip);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
