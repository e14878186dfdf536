/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - building new requests: from text parts (a UAC's new
 * request), and within the transaction of another message (ACK, CANCEL).
 *
 * The roles above hand text and parsed headers; sofia's tag lists stay
 * here.
 */
#include "config-private.h"

#include "message/message-private.h"

/* Our Contact, parsed once by the stack (a NULL tag value adds nothing). */
static sip_contact_t const *
our_contact (SipsvStack *stack, const char *contact)
{
  return contact != NULL ? sipsv_stack_contact_header (stack, contact) : NULL;
}

msg_t *
sipsv_message_build_request (SipsvStack *stack, const char *method, const char *ruri,
                             const char *from, const char *to, const char *call_id,
                             guint32 cseq, GPtrArray *routes, const char *contact)
{
  msg_t *msg = nta_msg_create (stack->agent, 0);
  sip_t *sip = sip_object (msg);
  su_home_t *home = msg_home (msg);
  sip_method_t code = sip_method_code (method);
  int rc;

  rc = sip_add_tl (msg, sip,
                   SIPTAG_REQUEST (sip_request_create (home, code, method,
                                                       URL_STRING_MAKE (ruri), NULL)),
                   SIPTAG_FROM_STR (from),
                   SIPTAG_TO_STR (to),
                   SIPTAG_CALL_ID_STR (call_id),
                   SIPTAG_CSEQ (sip_cseq_create (home, cseq, code, method)),
                   SIPTAG_MAX_FORWARDS_STR ("70"),
                   SIPTAG_CONTACT (our_contact (stack, contact)),
                   TAG_END ());
  for (guint i = 0; rc == 0 && routes != NULL && i < routes->len; i++)
    rc = sip_add_make (msg, sip, sip_route_class, routes->pdata[i]);
  if (rc < 0 || sip->sip_request == NULL || sip->sip_from == NULL || sip->sip_to == NULL
      || sip->sip_cseq == NULL)
    {
      msg_destroy (msg);
      return NULL;
    }
  return msg;
}

msg_t *
sipsv_message_build_in_transaction (SipsvStack *stack, sip_t const *of, sip_method_t method,
                                    const char *method_name, const url_string_t *ruri,
                                    gboolean with_route)
{
  msg_t *msg = nta_msg_create (stack->agent, 0);
  sip_t *sip = sip_object (msg);
  su_home_t *home = msg_home (msg);

  sip_add_tl (msg, sip,
              SIPTAG_REQUEST (sip_request_create (home, method, method_name, ruri, NULL)),
              SIPTAG_FROM (of->sip_from),
              SIPTAG_TO (of->sip_to),
              SIPTAG_CALL_ID (of->sip_call_id),
              SIPTAG_CSEQ (sip_cseq_create (home, of->sip_cseq->cs_seq, method, method_name)),
              TAG_IF (with_route, SIPTAG_ROUTE (of->sip_route)),
              SIPTAG_MAX_FORWARDS_STR ("70"),
              TAG_END ());
  return msg;
}

msg_t *
sipsv_message_build_leg (SipsvStack *stack, sip_t const *original, const char *call_id,
                         const char *tag, const char *contact)
{
  msg_t *msg = nta_msg_create (stack->agent, 0);
  sip_t *sip = sip_object (msg);
  su_home_t *home = msg_home (msg);
  sip_request_t const *rq = original->sip_request;

  int rc = sip_add_tl (msg, sip,
                       SIPTAG_REQUEST (rq),
                       SIPTAG_FROM (original->sip_from),
                       SIPTAG_TO (original->sip_to),
                       SIPTAG_CALL_ID_STR (call_id),
                       SIPTAG_CSEQ (sip_cseq_create (home, 1, rq->rq_method, rq->rq_method_name)),
                       SIPTAG_MAX_FORWARDS_STR ("70"),
                       SIPTAG_CONTACT (our_contact (stack, contact)),
                       TAG_END ());
  if (rc < 0 || sip->sip_request == NULL || sip->sip_from == NULL || sip->sip_to == NULL
      || sip->sip_cseq == NULL
      || msg_header_replace_param (home, sip->sip_from->a_common, su_strcat (home, "tag=", tag)) < 0)
    {
      msg_destroy (msg);
      return NULL;
    }
  msg_header_remove_param (sip->sip_to->a_common, "tag");
  return msg;
}
