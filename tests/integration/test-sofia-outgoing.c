/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test of sofia-sip's client transactions as the proxy uses
 * them (NTA directly, not a UA: NTATAG_UA(0)), against a fake peer on
 * loopback UDP: what a transaction destroyed by its owner after its
 * final response still holds while it waits for Timer D (32 s) or
 * Timer K (5 s), and that it still does its job there.
 *
 * Covered, on both builds: a retransmitted non-2xx final response to
 * INVITE is ACKed again; a retransmitted 2xx goes to the agent's
 * message callback (RFC 3261 §16.11 stateless forwarding); a
 * retransmitted 200 to MESSAGE is absorbed. On the bundled build the
 * destroyed transaction holds no reference to its last response any
 * more (patch 0014), and one completed by a 2xx to INVITE ends at once,
 * with its request (0015): the test's references are the only ones
 * left. The others keep their request, which they still need. A
 * transport tag given to a transaction still reaches the transport. */
#include "config-private.h"

#include <stdlib.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_glib.h>
#include <sofia-sip/tport_tag.h>

#include "check-main.h"
#include "peer-checks.h"

static su_root_t *root;
static GSource *source;
static nta_agent_t *agent;
static FakePeer *peer;
static guint strays;

/* What the transaction's callback saw last. */
static guint final_status;
static msg_t *final_response;
static msg_t *request_held;

/* The agent's callback for what no transaction takes; here, a 2xx
 * retransmission after the INVITE transaction was destroyed. */
static int
count_stray (nta_agent_magic_t *magic, nta_agent_t *a, msg_t *msg, sip_t *sip)
{
  if (sip != NULL && sip->sip_status != NULL)
    strays++;
  msg_destroy (msg);
  return 0;
}

static int
keep_final (nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
  if (sip != NULL && sip->sip_status->st_status >= 200)
    {
      final_status = sip->sip_status->st_status;
      final_response = nta_outgoing_getresponse (orq);
    }
  return 0;
}

static void
setup (void)
{
  su_init ();
  root = su_glib_root_create (NULL);
  ck_assert_ptr_nonnull (root);
  source = su_glib_root_gsource (root);
  g_source_attach (source, NULL);
  agent = nta_agent_create (root, URL_STRING_MAKE ("sip:127.0.0.1:0;transport=udp"),
                            count_stray, NULL, NTATAG_UA (0), TAG_END ());
  ck_assert_ptr_nonnull (agent);
  const char *port = nta_agent_contact (agent)->m_url->url_port;
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1", (guint16) atoi (port), NULL);
  ck_assert_ptr_nonnull (peer);
  strays = 0;
  final_status = 0;
  final_response = NULL;
  request_held = NULL;
}

static void
teardown (void)
{
  if (final_response != NULL)
    msg_destroy (final_response);
  if (request_held != NULL)
    msg_destroy (request_held);
  nta_agent_destroy (agent);
  g_source_destroy (source);
  su_root_destroy (root);
  fake_peer_free (peer);
  su_deinit ();
}

/* Starts a @method from the agent to the peer, with @tags (may be
 * TAG_END) among the transaction's tags. */
static nta_outgoing_t *
start_request (const char *method, tag_type_t tag, tag_value_t value)
{
  g_autofree char *uri = g_strdup_printf ("sip:peer@127.0.0.1:%u",
                                          fake_peer_get_port (peer, FAKE_UDP));
  g_autofree char *cseq = g_strdup_printf ("1 %s", method);
  g_autofree char *call_id = g_strdup_printf ("outgoing-%s-%u", method, g_random_int ());
  g_autofree char *request_line = g_strdup_printf ("%s %s SIP/2.0", method, uri);
  msg_t *msg = nta_msg_create (agent, 0);
  ck_assert_int_eq (sip_add_tl (msg, sip_object (msg), SIPTAG_REQUEST_STR (request_line),
                                SIPTAG_FROM_STR ("<sip:agent@127.0.0.1>;tag=out1"),
                                SIPTAG_TO_STR ("<sip:peer@127.0.0.1>"),
                                SIPTAG_CALL_ID_STR (call_id), SIPTAG_CSEQ_STR (cseq),
                                SIPTAG_MAX_FORWARDS_STR ("70"), TAG_END ()),
                    0);
  nta_outgoing_t *orq = nta_outgoing_mcreate (agent, keep_final, NULL, NULL, msg, tag, value,
                                              TAG_END ());
  ck_assert_ptr_nonnull (orq);
  request_held = nta_outgoing_getrequest (orq);
  return orq;
}

/* Sends a @method from the agent to the peer and returns the transaction
 * and, in @request, the request as the peer received it. */
static nta_outgoing_t *
send_request (const char *method, FakeMessage **request)
{
  nta_outgoing_t *orq = start_request (method, TAG_END ());
  *request = peer_next_request (peer, method);
  return orq;
}

static gboolean
has_final (gpointer data)
{
  return final_status != 0;
}

/* Answers @request with @status, twice when @again: the second is a
 * retransmission of the same bytes. */
static void
answer (const FakeMessage *request, guint status, gboolean again)
{
  g_autofree char *text = fake_peer_build_response (request, status, "Answer", "in1", NULL);
  peer_send (peer, text);
  if (!again)
    ck_assert (fake_peer_run_until (peer, has_final, NULL, PEER_WAIT_MS));
  ck_assert_uint_eq (final_status, status);
}

/* The owner destroys the transaction, as the container does once the
 * final response is handled. On the bundled build its reference to the
 * response goes with it, not when Timer D or K fires; the request goes
 * too when @request_released (the transaction ended). */
static void
destroy_and_check_released (nta_outgoing_t *orq, gboolean request_released)
{
  ck_assert_ptr_nonnull (final_response);
  nta_outgoing_destroy (orq);
  fake_peer_run (peer, 50);
#if SIPSV_SOFIA_BUNDLED
  ck_assert_uint_eq (su_home_refcount (msg_home (final_response)), 1);
  ck_assert_uint_eq (su_home_refcount (msg_home (request_held)), (request_released ? 1 : 2));
#endif
}

START_TEST (test_invite_non_2xx_released_and_acked_again)
{
  g_autoptr (FakeMessage) invite = NULL;
  nta_outgoing_t *orq = send_request ("INVITE", &invite);

  answer (invite, 486, FALSE);
  g_autoptr (FakeMessage) ack = peer_next_request (peer, "ACK");
  destroy_and_check_released (orq, FALSE);

  /* The ACK is rebuilt from the request and the retransmission, not
   * from the response the transaction let go. */
  answer (invite, 486, TRUE);
  g_autoptr (FakeMessage) ack_again = peer_next_request (peer, "ACK");
  ck_assert_str_eq (fake_message_header (ack_again, "To"), fake_message_header (ack, "To"));
}
END_TEST

/* Sends @method, answers it with @status, destroys the transaction and
 * checks what it let go (@request_released), then sends the answer again
 * and lets it land. */
static void
complete_destroy_and_repeat (const char *method, guint status, gboolean request_released)
{
  g_autoptr (FakeMessage) request = NULL;
  nta_outgoing_t *orq = send_request (method, &request);

  answer (request, status, FALSE);
  destroy_and_check_released (orq, request_released);
  ck_assert_uint_eq (strays, 0);
  answer (request, status, TRUE);
  fake_peer_run (peer, 200);
}

START_TEST (test_invite_2xx_released_and_forwarded_statelessly)
{
  complete_destroy_and_repeat ("INVITE", 200, TRUE);
  ck_assert_uint_eq (strays, 1);
}
END_TEST

START_TEST (test_non_invite_released_and_absorbs)
{
  complete_destroy_and_repeat ("MESSAGE", 200, FALSE);
  ck_assert_uint_eq (strays, 0);
  ck_assert_uint_eq (fake_peer_pending (peer), 0);
}
END_TEST

/* A transport tag given to the transaction reaches the transport
 * (patch 0016 filters them only when there are some): with an MTU
 * below the request's size, the transport refuses to send it and the
 * transaction fails without the peer seeing anything. */
START_TEST (test_transport_tags_reach_the_transport)
{
  nta_outgoing_t *orq = start_request ("MESSAGE", TPTAG_MTU (64));

  /* Well within Check's timeout: a request sent would wait 32 s. */
  ck_assert_msg (fake_peer_run_until (peer, has_final, NULL, 2000),
                 "the request was sent: the MTU did not reach the transport");
  ck_assert_uint_ge (final_status, 500);
  ck_assert_uint_eq (fake_peer_pending (peer), 0);
  nta_outgoing_destroy (orq);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("sofia-outgoing");
  TCase *tc = tcase_create ("destroyed after the final response");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_invite_non_2xx_released_and_acked_again);
  tcase_add_test (tc, test_invite_2xx_released_and_forwarded_statelessly);
  tcase_add_test (tc, test_non_invite_released_and_absorbs);
  tcase_add_test (tc, test_transport_tags_reach_the_transport);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
