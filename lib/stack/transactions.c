/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - NTA's transaction and sending calls, without tag lists.
 *
 * The roles above (ua/, proxy/) create transactions and send through these
 * so that sofia's tag lists stay in the stack and message layers; each is
 * one NTA call with the options the container always uses.
 */
#include "config-private.h"

#include "stack/stack-private.h"

nta_incoming_t *
sipsv_stack_server_transaction (SipsvStack *stack, msg_t *msg, sip_t *sip)
{
  return nta_incoming_create (stack->agent, NULL, msg, sip, TAG_END ());
}

int
sipsv_stack_complete_response (nta_incoming_t *irq, msg_t *response, int status,
                               const char *phrase)
{
  return nta_incoming_complete_response (irq, response, status, phrase, TAG_END ());
}

nta_outgoing_t *
sipsv_stack_client_transaction (SipsvStack *stack, nta_response_f *callback,
                                nta_outgoing_magic_t *magic, const url_string_t *route,
                                msg_t *msg)
{
  return nta_outgoing_mcreate (stack->agent, callback, magic, route, msg, TAG_END ());
}

nta_outgoing_t *
sipsv_stack_client_transaction_with_100 (SipsvStack *stack, nta_response_f *callback,
                                         nta_outgoing_magic_t *magic, msg_t *msg)
{
  return nta_outgoing_mcreate (stack->agent, callback, magic, NULL, msg, NTATAG_PASS_100 (1),
                               TAG_END ());
}

nta_outgoing_t *
sipsv_stack_cancel_transaction (nta_outgoing_t *orq, const char *reason)
{
  return nta_outgoing_tcancel (orq, NULL, NULL,
                               TAG_IF (reason != NULL, SIPTAG_REASON_STR (reason)), TAG_END ());
}

void
sipsv_stack_cancel (nta_outgoing_t *orq, const char *reason)
{
  /* The CANCEL's own transaction is NTA's business: nobody waits for its
   * 200, the INVITE's 487 is what counts. */
  nta_outgoing_t *cancel = sipsv_stack_cancel_transaction (orq, reason);
  if (cancel != NULL)
    nta_outgoing_destroy (cancel);
}

void
sipsv_stack_forward (SipsvStack *stack, msg_t *msg, const url_string_t *route)
{
  nta_msg_tsend (stack->agent, msg, route, TAG_END ());
}
