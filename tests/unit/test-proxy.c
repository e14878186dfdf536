/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the proxy's pure parts: best-response selection (RFC 3261
 * §16.7 step 6, table driven), recognising our own URIs (loop prevention),
 * popping our Route (loose and strict routers), and dialog keys. The
 * network behaviour is covered by the sipp proxy scenarios. */
#include <sipservlet/sipservlet.h>
#include <stdlib.h>
#include <string.h>
#include "check-main.h"
#include "unit-helpers.h"

#include "proxy/proxy-private.h"

typedef struct {
  const char *rule;
  guint statuses[6];   /* 0-terminated, in arrival order */
  gint best;           /* expected index */
} BestCase;

static const BestCase best_cases[] = {
  { "single response", { 486 }, 0 },
  { "6xx wins over everything", { 486, 302, 603 }, 2 },
  { "first 6xx wins", { 600, 603 }, 0 },
  { "6xx wins over 3xx", { 301, 604 }, 1 },
  { "lowest class: 3xx over 4xx", { 404, 302 }, 1 },
  { "lowest class: 4xx over 5xx", { 500, 480 }, 1 },
  { "first of a class", { 404, 486, 480 }, 0 },
  { "401 preferred among 4xx", { 404, 401 }, 1 },
  { "407 preferred among 4xx", { 486, 407, 404 }, 1 },
  { "415 preferred among 4xx", { 480, 415 }, 1 },
  { "420 preferred among 4xx", { 480, 420 }, 1 },
  { "484 preferred among 4xx", { 404, 484 }, 1 },
  { "first preferred 4xx", { 404, 407, 401 }, 1 },
  { "503 least preferred 5xx", { 503, 500 }, 1 },
  { "503 only", { 503 }, 0 },
  { "5xx over 503 regardless of order", { 502, 503 }, 0 },
  { "4xx over 503", { 503, 486 }, 1 },
  { "non-final statuses are ignored", { 180, 486 }, 1 },
};

START_TEST (test_best_response_table)
{
  const BestCase *c = &best_cases[_i];
  gsize n = 0;
  while (n < G_N_ELEMENTS (c->statuses) && c->statuses[n] != 0)
    n++;
  ck_assert_msg (sipsv_best_response (c->statuses, n) == c->best,
                 "%s: got index %d, expected %d", c->rule,
                 sipsv_best_response (c->statuses, n), c->best);
}
END_TEST

START_TEST (test_best_response_none)
{
  ck_assert_int_eq (sipsv_best_response (NULL, 0), -1);
  guint provisional[] = { 180, 183 };
  ck_assert_int_eq (sipsv_best_response (provisional, 2), -1);
}
END_TEST

START_TEST (test_upstream_status)
{
  ck_assert_uint_eq (sipsv_best_response_upstream_status (503), 500);
  ck_assert_uint_eq (sipsv_best_response_upstream_status (500), 500);
  ck_assert_uint_eq (sipsv_best_response_upstream_status (486), 486);
  ck_assert_uint_eq (sipsv_best_response_upstream_status (603), 603);
}
END_TEST

/* ---- our own URIs ---------------------------------------------------------- */

static SipContainer *container;
static guint16 port;

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_ALL,
                                          &error));
  ck_assert (sipservlet_container_listen (container, "::1", 0, SIPSERVLET_TRANSPORT_UDP, &error));
  port = sipservlet_container_get_port (container, "127.0.0.1");
}

static void
teardown (void)
{
  sipservlet_container_unref (container);
  container = NULL;
}

static gboolean
is_self (const char *text)
{
  su_home_t *home = su_home_new (sizeof (su_home_t));
  url_t *url = url_make (home, text);
  gboolean self = sipsv_stack_url_is_self (&container->runtime.stack, url);
  su_home_unref (home);
  return self;
}

START_TEST (test_url_is_self)
{
  guint16 port6 = sipservlet_container_get_port (container, "::1");
  char *ours = g_strdup_printf ("sip:127.0.0.1:%u;lr", port);
  char *user = g_strdup_printf ("sip:alice@127.0.0.1:%u", port);
  char *other_port = g_strdup_printf ("sip:127.0.0.1:%u", port == 65535 ? 1 : port + 1);
  char *v6 = g_strdup_printf ("sip:[::1]:%u", port6);

  ck_assert (is_self (ours));
  ck_assert (is_self (user));
  ck_assert (is_self (v6));
  ck_assert (!is_self (other_port));
  ck_assert (!is_self ("sip:127.0.0.2:5060"));
  ck_assert (!is_self ("sip:example.com"));
  ck_assert (!is_self ("tel:+12015550123"));
  if (port != 5060)
    ck_assert (!is_self ("sip:127.0.0.1"));   /* default port 5060 */
  /* A port that only starts like ours, or is too big, is not ours. */
  char *longer = g_strdup_printf ("sip:127.0.0.1:%u0", port);
  char *wrapped = g_strdup_printf ("sip:127.0.0.1:%u", port + 65536);
  ck_assert (!is_self (longer));
  ck_assert (!is_self (wrapped));
  g_free (longer);
  g_free (wrapped);
  g_free (ours);
  g_free (user);
  g_free (other_port);
  g_free (v6);
}
END_TEST

static msg_t *
request_with_routes (const char *ruri, const char *routes)
{
  char *text = g_strdup_printf ("BYE %s SIP/2.0" CRLF
                                "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1" CRLF
                                "Max-Forwards: 70" CRLF
                                "From: <sip:a@example.com>;tag=1" CRLF
                                "To: <sip:b@example.com>;tag=2" CRLF
                                "Call-ID: route-test" CRLF
                                "CSeq: 2 BYE" CRLF
                                "%s"
                                "Content-Length: 0" CRLF CRLF, ruri, routes);
  msg_t *msg = unit_parse_msg (text);
  g_free (text);
  return msg;
}

START_TEST (test_pop_loose_route)
{
  char *routes = g_strdup_printf ("Route: <sip:127.0.0.1:%u;lr;dlg=7>, <sip:next.example.com;lr>" CRLF,
                                  port);
  msg_t *msg = request_with_routes ("sip:b@192.0.2.9", routes);
  sip_t *sip = sip_object (msg);
  char *popped = sipsv_proxy_pop_route (container, msg, sip);

  ck_assert_ptr_nonnull (popped);
  ck_assert_ptr_nonnull (strstr (popped, "dlg=7"));
  ck_assert_ptr_nonnull (sip->sip_route);
  ck_assert_str_eq (sip->sip_route->r_url->url_host, "next.example.com");
  ck_assert_ptr_null (sip->sip_route->r_next);
  ck_assert_str_eq (sip->sip_request->rq_url->url_host, "192.0.2.9");
  g_free (popped);
  g_free (routes);
  msg_destroy (msg);
}
END_TEST

START_TEST (test_pop_strict_route)
{
  /* A strict router put our Record-Route URI in the Request-URI and the
   * remote target last in Route (RFC 3261 §16.4). */
  char *ruri = g_strdup_printf ("sip:127.0.0.1:%u;dlg=9", port);
  msg_t *msg = request_with_routes (ruri, "Route: <sip:hop.example.com>, <sip:b@192.0.2.9>" CRLF);
  sip_t *sip = sip_object (msg);
  char *popped = sipsv_proxy_pop_route (container, msg, sip);

  ck_assert_ptr_nonnull (popped);
  ck_assert_ptr_nonnull (strstr (popped, "dlg=9"));
  ck_assert_str_eq (sip->sip_request->rq_url->url_host, "192.0.2.9");
  ck_assert_str_eq (sip->sip_request->rq_url->url_user, "b");
  ck_assert_str_eq (sip->sip_route->r_url->url_host, "hop.example.com");
  ck_assert_ptr_null (sip->sip_route->r_next);
  g_free (popped);
  g_free (ruri);
  msg_destroy (msg);
}
END_TEST

START_TEST (test_pop_foreign_route)
{
  msg_t *msg = request_with_routes ("sip:b@192.0.2.9", "Route: <sip:other.example.com;lr>" CRLF);
  sip_t *sip = sip_object (msg);
  ck_assert_ptr_null (sipsv_proxy_pop_route (container, msg, sip));
  ck_assert_str_eq (sip->sip_route->r_url->url_host, "other.example.com");
  msg_destroy (msg);
}
END_TEST

/* A request forwarded statelessly to a Request-URI NTA cannot route
 * ("[$contact2]", found by tests/fuzz/fuzz-receive): sofia's
 * nta_msg_tsend() then keeps a reference of its own for ever; the stack
 * drops it, so the message goes when its last holder lets go. */
START_TEST (test_forward_unroutable)
{
  msg_t *msg = request_with_routes ("[$contact2]", "");
  msg_t *keep = msg_ref_create (msg);
  sipsv_proxy_forward_stateless (container, msg, sip_object (msg));
  ck_assert_uint_eq (su_home_refcount (msg_home (keep)), 1);
  msg_destroy (keep);
}
END_TEST

START_TEST (test_dialog_key_symmetric)
{
  char *ab = sipsv_proxy_dialog_key (NULL, 0, "cid", "a", "b", 0);
  char *ba = sipsv_proxy_dialog_key (NULL, 0, "cid", "b", "a", 0);
  char *other = sipsv_proxy_dialog_key (NULL, 0, "cid", "a", "c", 0);
  /* Applications composed in one container proxy the same dialog: each
   * position in the chain has its own key, in both directions. */
  char *second = sipsv_proxy_dialog_key (NULL, 0, "cid", "a", "b", 1);
  char *second_back = sipsv_proxy_dialog_key (NULL, 0, "cid", "b", "a", 1);
  ck_assert_str_eq (ab, ba);
  ck_assert_str_eq (ab, "proxy\ncid\na\nb");
  ck_assert_str_ne (ab, other);
  ck_assert_str_ne (ab, second);
  ck_assert_str_eq (second, second_back);
  ck_assert_str_eq (second, "proxy\ncid\na\nb\n1");

  /* A lookup's key goes into its buffer when it fits, else on the heap:
   * the same text either way. A missing tag counts as empty. */
  char buf[32];
  char *in_buf = sipsv_proxy_dialog_key (buf, sizeof buf, "cid", "b", "a", 1);
  ck_assert_ptr_eq (in_buf, buf);
  ck_assert_str_eq (in_buf, second);
  char exact[sizeof "proxy\ncid\na\nb"];
  ck_assert_ptr_eq (sipsv_proxy_dialog_key (exact, sizeof exact, "cid", "a", "b", 0), exact);
  ck_assert_str_eq (exact, ab);
  char small[sizeof "proxy\ncid\na\nb" - 1];
  char *too_long = sipsv_proxy_dialog_key (small, sizeof small, "cid", "a", "b", 0);
  ck_assert_ptr_ne (too_long, small);
  ck_assert_str_eq (too_long, ab);
  g_free (too_long);
  char *untagged = sipsv_proxy_dialog_key (buf, sizeof buf, "cid", NULL, "a", 0);
  ck_assert_str_eq (untagged, "proxy\ncid\n\na");
  g_free (ab);
  g_free (ba);
  g_free (other);
  g_free (second);
  g_free (second_back);
}
END_TEST

/* Our Contact headers, parsed once per text: the same text gives the same
 * parsed header, another text another one, a bad text none; a cache grown
 * past its bound starts afresh and still answers. */
START_TEST (test_contact_header_cache)
{
  SipsvStack *stack = &container->runtime.stack;
  char *ours = sipsv_stack_contact (stack);
  sip_contact_t const *m = sipsv_stack_contact_header (stack, ours);

  ck_assert_ptr_nonnull (m);
  ck_assert_ptr_eq (sipsv_stack_contact_header (stack, ours), m);
  ck_assert_str_eq (m->m_url->url_host, "127.0.0.1");
  sip_contact_t const *tls = sipsv_stack_contact_header (stack, "<sip:192.0.2.1:5061;transport=tls>");
  ck_assert_ptr_nonnull (tls);
  ck_assert_ptr_ne (tls, m);
  ck_assert_str_eq (tls->m_url->url_host, "192.0.2.1");
  ck_assert_ptr_null (sipsv_stack_contact_header (stack, "<sip:"));
  for (guint i = 0; i < 200; i++)
    {
      char *text = g_strdup_printf ("<sip:192.0.2.1:%u>", 1000 + i);
      sip_contact_t const *h = sipsv_stack_contact_header (stack, text);
      ck_assert_ptr_nonnull (h);
      ck_assert_uint_eq (strtoul (h->m_url->url_port, NULL, 10), 1000 + i);
      g_free (text);
    }
  m = sipsv_stack_contact_header (stack, ours);
  ck_assert_ptr_nonnull (m);
  ck_assert_str_eq (m->m_url->url_host, "127.0.0.1");
  g_free (ours);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("proxy");
  TCase *best = tcase_create ("best-response");
  tcase_add_loop_test (best, test_best_response_table, 0, G_N_ELEMENTS (best_cases));
  tcase_add_test (best, test_best_response_none);
  tcase_add_test (best, test_upstream_status);
  suite_add_tcase (suite, best);

  TCase *routing = tcase_create ("routing");
  tcase_add_checked_fixture (routing, setup, teardown);
  tcase_add_test (routing, test_url_is_self);
  tcase_add_test (routing, test_contact_header_cache);
  tcase_add_test (routing, test_pop_loose_route);
  tcase_add_test (routing, test_pop_strict_route);
  tcase_add_test (routing, test_pop_foreign_route);
  tcase_add_test (routing, test_dialog_key_symmetric);
  tcase_add_test (routing, test_forward_unroutable);
  suite_add_tcase (suite, routing);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
