/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - stack glue: requests delivered inside the process.
 *
 * Application composition (JSR 289 §15) hands a request one application
 * proxies to the next one without a socket (lib/runtime/hop.c): it enters
 * the agent's message callback as if it had been received, with no server
 * transaction behind it. While it is being delivered, whatever would
 * answer it statelessly (sipsv_stack_reply()) answers through the
 * deliverer's reply function instead, and the layers above recognise it by
 * sipsv_stack_local_data().
 */
#include "config-private.h"

#include <string.h>

#include "stack/stack-private.h"

void
sipsv_stack_deliver_local (SipsvStack *stack, msg_t *msg, SipsvLocalReply reply, gpointer data)
{
  SipsvLocalDelivery saved = stack->local;
  sip_t *sip = sip_object (msg);

  g_return_if_fail (sip != NULL && sip->sip_request != NULL);
  stack->local.msg = msg;
  stack->local.reply = reply;
  stack->local.data = data;
  stack->on_message (stack->on_message_magic, stack->agent, msg, sip);
  stack->local = saved;
}

gpointer
sipsv_stack_local_data (SipsvStack *stack, msg_t *msg)
{
  return msg != NULL && msg == stack->local.msg ? stack->local.data : NULL;
}

msg_t *
sipsv_stack_response_to (SipsvStack *stack, msg_t *request, int status, const char *phrase)
{
  sip_t const *rq = sip_object (request);
  msg_t *msg = nta_msg_create (stack->agent, 0);
  sip_t *sip = sip_object (msg);
  su_home_t *home = msg_home (msg);

  if (msg == NULL)
    return NULL;
  /* What RFC 3261 §8.2.6.2 copies from a request into its response. */
  if (msg_header_insert (msg, (msg_pub_t *) sip,
                         (msg_header_t *) sip_status_create (home, status, phrase, NULL)) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_via) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_from) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_to) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_call_id) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_cseq) < 0
      || (rq->sip_timestamp != NULL
          && sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_timestamp) < 0))
    {
      msg_destroy (msg);
      return NULL;
    }
  return msg;
}

msg_t *
sipsv_stack_cancel_for (SipsvStack *stack, msg_t *invite, const char *reason)
{
  sip_t const *rq = sip_object (invite);
  msg_t *msg = nta_msg_create (stack->agent, 0);
  sip_t *sip = sip_object (msg);
  su_home_t *home = msg_home (msg);

  if (msg == NULL)
    return NULL;
  /* RFC 3261 §9.1: the INVITE's Request-URI, top Via, From, To, Call-ID
   * and Route, its CSeq number with the method CANCEL. (An INVITE an
   * application created has no Via inside the process.) */
  sip_request_t *line = sip_request_create (home, sip_method_cancel, "CANCEL",
                                            (url_string_t const *) rq->sip_request->rq_url, NULL);
  sip_cseq_t *cseq = sip_cseq_create (home, rq->sip_cseq->cs_seq, sip_method_cancel, "CANCEL");
  if (line == NULL || cseq == NULL
      || msg_header_insert (msg, (msg_pub_t *) sip, (msg_header_t *) line) < 0
      || (rq->sip_via != NULL
          && msg_header_insert (msg, (msg_pub_t *) sip,
                                msg_header_dup_one (home, (msg_header_t const *) rq->sip_via)) < 0)
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_from) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_to) < 0
      || sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_call_id) < 0
      || msg_header_insert (msg, (msg_pub_t *) sip, (msg_header_t *) cseq) < 0
      || (rq->sip_route != NULL && sip_add_dup (msg, sip, (sip_header_t const *) rq->sip_route) < 0)
      || msg_header_insert (msg, (msg_pub_t *) sip,
                            (msg_header_t *) sipsv_max_forwards_new (home, 70)) < 0
      || (reason != NULL && sip_add_make (msg, sip, sip_reason_class, reason) < 0))
    {
      msg_destroy (msg);
      return NULL;
    }
  return msg;
}
