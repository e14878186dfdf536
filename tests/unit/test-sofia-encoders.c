/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of sofia-sip's encoders of the request line, the status
 * line, CSeq and the numeric headers (Content-Length, Max-Forwards,
 * Expires), which the bundled build writes without snprintf()
 * (subprojects/sofia-sip/patches/0009), and of two that write with
 * MSG_STRING_E(), which the same patch holds to the same contract (Via,
 * a From with a display name), and of the Date header (patches 0012 and
 * 0013, the leap day), Session-Expires, Min-SE and tags (0021). The
 * contract is snprintf()'s, which msg_header_prepare() relies on to
 * grow its buffer: the return
 * value is the length of the whole encoding whatever the buffer's size,
 * nothing is written past the buffer, and when the encoding and its NUL
 * fit, all of it is there. Every buffer size from 0 to two bytes more
 * than needed is tried, so an encoding that fits exactly is covered.
 * Then the parsers of numbers, addresses and header names that patches
 * 0018 and 0019 wrote by hand. */
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/hostdomain.h>
#include <sofia-sip/msg_mclass.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"

#define GUARD 8

static su_home_t *home;

static void
setup (void)
{
  home = su_home_new (sizeof (su_home_t));
}

static void
teardown (void)
{
  su_home_unref (home);
}

/* Encodes @h with its class's encoder into buffers of every size around
 * the length of @expected and checks the contract above. */
static void
check_encoding (const sip_header_t *h, const char *expected)
{
  size_t len = strlen (expected);

  ck_assert_ptr_nonnull (h);
  for (size_t bsiz = 0; bsiz <= len + 2; bsiz++)
    {
      char *buffer = g_malloc (bsiz + GUARD);
      memset (buffer, '#', bsiz + GUARD);

      issize_t n = h->sh_class->hc_print (buffer, (isize_t) bsiz, (msg_header_t *) h, 0);

      ck_assert_msg (n == (issize_t) len, "%s: buffer of %zu: returned %zd, wants %zu",
                     expected, bsiz, (ssize_t) n, len);
      for (size_t i = bsiz; i < bsiz + GUARD; i++)
        ck_assert_msg (buffer[i] == '#', "%s: buffer of %zu: byte %zu written past it",
                       expected, bsiz, i);
      if (bsiz > len)
        {
          ck_assert_msg (memcmp (buffer, expected, len) == 0 && buffer[len] == '\0',
                         "buffer of %zu: '%.*s', wants '%s'", bsiz, (int) len, buffer, expected);
        }
      g_free (buffer);
    }
}

START_TEST (test_request_line)
{
  check_encoding ((sip_header_t *) sip_request_create (home, SIP_METHOD_INVITE,
                    URL_STRING_MAKE ("sip:alice@example.com:5070;transport=udp?subject=x"), NULL),
                  "INVITE sip:alice@example.com:5070;transport=udp?subject=x SIP/2.0\r\n");
  check_encoding ((sip_header_t *) sip_request_create (home, sip_method_unknown, "FROBNICATE",
                    URL_STRING_MAKE ("sips:[2001:db8::1]"), NULL),
                  "FROBNICATE sips:[2001:db8::1] SIP/2.0\r\n");
  check_encoding ((sip_header_t *) sip_request_create (home, SIP_METHOD_OPTIONS,
                    URL_STRING_MAKE ("tel:+15551234567"), NULL),
                  "OPTIONS tel:+15551234567 SIP/2.0\r\n");
  check_encoding ((sip_header_t *) sip_request_make (home, "REGISTER sip:b:pw@h;lr SIP/2.0"),
                  "REGISTER sip:b:pw@h;lr SIP/2.0\r\n");
}
END_TEST

START_TEST (test_status_line)
{
  check_encoding ((sip_header_t *) sip_status_create (home, 183, "Session Progress", NULL),
                  "SIP/2.0 183 Session Progress\r\n");
  check_encoding ((sip_header_t *) sip_status_create (home, 200, "OK", NULL),
                  "SIP/2.0 200 OK\r\n");
  check_encoding ((sip_header_t *) sip_status_create (home, 699, "", NULL),
                  "SIP/2.0 699 \r\n");
  check_encoding ((sip_header_t *) sip_status_make (home, "SIP/2.0 100 Trying"),
                  "SIP/2.0 100 Trying\r\n");
}
END_TEST

START_TEST (test_cseq)
{
  check_encoding ((sip_header_t *) sip_cseq_create (home, 1, SIP_METHOD_BYE), "1 BYE");
  check_encoding ((sip_header_t *) sip_cseq_create (home, 4294967295U, SIP_METHOD_REGISTER),
                  "4294967295 REGISTER");
  check_encoding ((sip_header_t *) sip_cseq_create (home, 20, sip_method_unknown, "FROBNICATE"),
                  "20 FROBNICATE");
}
END_TEST

START_TEST (test_numeric)
{
  check_encoding ((sip_header_t *) sip_content_length_create (home, 0), "0");
  check_encoding ((sip_header_t *) sip_content_length_create (home, 123456), "123456");
  check_encoding ((sip_header_t *) sip_max_forwards_make (home, "70"), "70");
  check_encoding ((sip_header_t *) sip_expires_make (home, "4294967295"), "4294967295");
  check_encoding ((sip_header_t *) sip_min_expires_make (home, "10"), "10");
}
END_TEST

/* A header whose encoding ends in parameters: these go through
 * MSG_STRING_E(), whose off-by-one the system's sofia-sip still has (see
 * test_string_parts), so that build is held to the text in a buffer with
 * room to spare, and the bundled one to the whole contract. */
static void
check_encoding_with_params (const sip_header_t *h, const char *expected)
{
#if SIPSV_SOFIA_BUNDLED
  check_encoding (h, expected);
#else
  char buffer[256];

  ck_assert_ptr_nonnull (h);
  issize_t n = h->sh_class->hc_print (buffer, (isize_t) sizeof buffer, (msg_header_t *) h, 0);
  ck_assert_int_eq (n, (issize_t) strlen (expected));
  ck_assert_str_eq (buffer, expected);
#endif
}

/* Session-Expires and Min-SE (RFC 4028) have encoders of their own,
 * which the bundled build writes without snprintf() (patch 0021). */
START_TEST (test_session_timer_headers)
{
  check_encoding ((sip_header_t *) sip_session_expires_make (home, "1800"), "1800");
  check_encoding_with_params (
      (sip_header_t *) sip_session_expires_make (home, "1800;refresher=uac"),
      "1800;refresher=uac");
  check_encoding_with_params (
      (sip_header_t *) sip_session_expires_make (home, "4294967295;refresher=uas;x"),
      "4294967295;refresher=uas;x");
  check_encoding ((sip_header_t *) sip_min_se_make (home, "90"), "90");
  check_encoding_with_params ((sip_header_t *) sip_min_se_make (home, "0;x=y"), "0;x=y");
}
END_TEST

/* sip_to_tag() and sip_from_tag(), which patch 0021 joins without
 * su_sprintf(): a bare tag or a "tag=" form, an equal tag kept, another
 * refused. */
START_TEST (test_tags)
{
  sip_to_t *to = sip_to_make (home, "<sip:bob@example.com>;x=1");
  ck_assert_int_eq (sip_to_tag (home, to, "a1b2c3"), 0);
  ck_assert_str_eq (to->a_tag, "a1b2c3");
  check_encoding_with_params ((sip_header_t *) to, "<sip:bob@example.com>;x=1;tag=a1b2c3");
  ck_assert_int_eq (sip_to_tag (home, to, "A1B2C3"), 0);
  ck_assert_int_eq (sip_to_tag (home, to, "other"), -1);
  ck_assert_str_eq (to->a_tag, "a1b2c3");

  sip_from_t *from = sip_from_make (home, "\"Alice\" <sip:alice@example.com>");
  ck_assert_int_eq (sip_from_tag (home, from, "tag=f00"), 0);
  ck_assert_str_eq (from->a_tag, "f00");
  check_encoding_with_params ((sip_header_t *) from,
                              "\"Alice\" <sip:alice@example.com>;tag=f00");
  ck_assert_int_eq (sip_from_tag (home, from, NULL), -1);
}
END_TEST

/* The Date header's RFC 1123 form, which the bundled build writes without
 * snprintf() (patch 0012): the day of the week comes from the date, so
 * each one here is right. The last day of a year, the Unix epoch and a
 * date of this era. */
START_TEST (test_date)
{
  static const char *const dates[] = {
    "Mon, 07 Dec 2026 05:44:08 GMT",
    "Sun, 31 Dec 2034 12:00:09 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
  };
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    check_encoding ((sip_header_t *) sip_date_make (home, dates[i]), dates[i]);
}
END_TEST

/* Seconds since 1900 (sofia's epoch) of a Unix time. */
#define SOFIA_TIME(unix_time) ((sip_time_t) ((unix_time) + 2208988800u))

/* Leap years (patch 0013): the system's sofia-sip reads 29 February and
 * 1 March as the same second and writes a clock's 29 February as
 * "01 Mar", 31 March as "32 Mar". */
#if SIPSV_SOFIA_BUNDLED
START_TEST (test_date_leap_year)
{
  check_encoding ((sip_header_t *) sip_date_make (home, "Thu, 29 Feb 2024 23:59:59 GMT"),
                  "Thu, 29 Feb 2024 23:59:59 GMT");
  ck_assert_uint_eq (sip_date_make (home, "Thu, 29 Feb 2024 00:00:00 GMT")->d_time,
                     SOFIA_TIME (1709164800));
  ck_assert_uint_eq (sip_date_make (home, "Fri, 01 Mar 2024 00:00:00 GMT")->d_time,
                     SOFIA_TIME (1709251200));
  check_encoding ((sip_header_t *) sip_date_create (home, SOFIA_TIME (1709251200)),
                  "Fri, 01 Mar 2024 00:00:00 GMT");
  check_encoding ((sip_header_t *) sip_date_create (home, SOFIA_TIME (1711886400)),
                  "Sun, 31 Mar 2024 12:00:00 GMT");
  check_encoding ((sip_header_t *) sip_date_create (home, SOFIA_TIME (1711929600)),
                  "Mon, 01 Apr 2024 00:00:00 GMT");
}
END_TEST
#endif

/* The system's sofia-sip (-Dsofia=system) still has MSG_STRING_E()'s
 * off-by-one: doc/sofia-build.md lists it among what that build lacks. */
#if SIPSV_SOFIA_BUNDLED
START_TEST (test_string_parts)
{
  check_encoding ((sip_header_t *) sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776"),
                  "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776");
  check_encoding ((sip_header_t *) sip_via_make (home, "SIP/2.0/TCP host.example.com"),
                  "SIP/2.0/TCP host.example.com");
  check_encoding ((sip_header_t *) sip_from_make (home, "Alice <sip:alice@example.com>;tag=1928"),
                  "Alice <sip:alice@example.com>;tag=1928");
}
END_TEST
#endif

/* The parsers of numbers and names on every message (patches 0018 and
 * 0019 wrote them by hand in place of strtoul(), inet_pton() and
 * su_casenmatch()) keep what they accepted and refused. */
START_TEST (test_status_code)
{
  const char *good[] = { "SIP/2.0 200 OK", "SIP/2.0 180 Ringing", "SIP/2.0 999 Nine" };
  const char *bad[] = { "SIP/2.0 2x0 OK", "SIP/2.0 -200 OK", "SIP/2.0 99999999999 Big",
                        "SIP/2.0 OK" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      sip_status_t *st = sip_status_make (home, good[i]);
      ck_assert_msg (st != NULL, "%s refused", good[i]);
      ck_assert_int_eq (st->st_status, atoi (good[i] + 8));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    ck_assert_msg (sip_status_make (home, bad[i]) == NULL, "%s accepted", bad[i]);
}
END_TEST

START_TEST (test_host_port)
{
  sip_via_t *v = sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1");

  ck_assert_ptr_nonnull (v);
  ck_assert_str_eq (v->v_host, "192.0.2.1");
  ck_assert_str_eq (v->v_port, "5060");
  v = sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:0065535");
  ck_assert_ptr_nonnull (v);
  ck_assert_str_eq (v->v_port, "0065535");
  ck_assert_ptr_null (sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:65536"));
  ck_assert_ptr_null (sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:99999999999999999999"));
  ck_assert_ptr_null (sip_via_make (home, "SIP/2.0/UDP 192.0.2.1:x"));
}
END_TEST

START_TEST (test_header_name_case)
{
  msg_mclass_t const *mc = sip_default_mclass ();
  isize_t start;

  ck_assert_ptr_eq (msg_find_hclass (mc, "cONTENT-lENGTH: 0", &start)->hr_class,
                    sip_content_length_class);
  ck_assert_int_eq (start, 15);
  ck_assert_ptr_eq (msg_find_hclass (mc, "call-id: x", &start)->hr_class, sip_call_id_class);
  ck_assert_ptr_eq (msg_find_hclass (mc, "Call-Id: x", NULL)->hr_class, sip_call_id_class);
  /* Same length, one character apart in its case-folded form only. */
  ck_assert_ptr_eq (msg_find_hclass (mc, "Call_ID: x", NULL), mc->mc_unknown);
  ck_assert_ptr_eq (msg_find_hclass (mc, "Call-IE: x", NULL), mc->mc_unknown);
}
END_TEST

START_TEST (test_host_compare)
{
  ck_assert_int_eq (host_cmp ("192.0.2.1", "192.0.2.1"), 0);
  ck_assert_int_eq (host_cmp ("192.0.2.1", "192.0.2.01"), 0);   /* canonized */
  ck_assert_int_eq (host_cmp ("::ffff:192.0.2.1", "192.0.2.1"), 0);
  ck_assert_int_lt (host_cmp ("192.0.2.1", "192.0.2.2"), 0);
  ck_assert_int_gt (host_cmp ("10.0.0.1", "9.255.255.255"), 0);
  /* Not addresses: compared as names. */
  ck_assert_int_ne (host_cmp ("192.0.2.256", "192.0.2.0"), 0);
  ck_assert_int_eq (host_cmp ("Example.COM", "example.com"), 0);
}
END_TEST

#if SIPSV_SOFIA_BUNDLED
START_TEST (test_ip4_pton)
{
  const char *good[] = { "0.0.0.0", "127.0.0.1", "255.255.255.255", "10.100.9.0", "1.22.133.4" };
  const char *bad[] = { "", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "01.2.3.4", "1.2.3.256",
                        "1..3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.4x", "a.b.c.d",
                        "1.2.3.0004", "999.1.1.1" };
  guint8 ours[4], libc[4];

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      ck_assert_msg (host_ip4_pton (good[i], ours) == 1, "%s refused", good[i]);
      ck_assert_int_eq (inet_pton (AF_INET, good[i], libc), 1);
      ck_assert_msg (memcmp (ours, libc, 4) == 0, "%s: other bytes than inet_pton()", good[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_msg (host_ip4_pton (bad[i], ours) == 0, "%s accepted", bad[i]);
      ck_assert_msg (inet_pton (AF_INET, bad[i], libc) != 1, "%s: inet_pton() accepts it", bad[i]);
    }
}
END_TEST
#endif

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("sofia-encoders");
  TCase *tc = tcase_create ("encoders");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_request_line);
  tcase_add_test (tc, test_status_line);
  tcase_add_test (tc, test_cseq);
  tcase_add_test (tc, test_numeric);
  tcase_add_test (tc, test_session_timer_headers);
  tcase_add_test (tc, test_tags);
  tcase_add_test (tc, test_date);
  tcase_add_test (tc, test_status_code);
  tcase_add_test (tc, test_host_port);
  tcase_add_test (tc, test_header_name_case);
  tcase_add_test (tc, test_host_compare);
#if SIPSV_SOFIA_BUNDLED
  tcase_add_test (tc, test_ip4_pton);
  tcase_add_test (tc, test_string_parts);
  tcase_add_test (tc, test_date_leap_year);
#endif
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
