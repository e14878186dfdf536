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

const url_t *
sipsv_stack_next_hop (msg_t *msg, const url_string_t *route)
{
  sip_t const *sip = sip_object (msg);

  if (route != NULL)
    return url_string_p (route) ? NULL : route->us_url;
  if (sip == NULL)
    return NULL;
  if (sip->sip_route != NULL)
    return sip->sip_route->r_url;
  return sip->sip_request != NULL ? sip->sip_request->rq_url : NULL;
}

/* Every client transaction starts here: from the socket tp, or the one
 * its next hop needs; with pass_100, 100 Trying reaches the callback. */
static nta_outgoing_t *
start_client_transaction (SipsvStack *stack, nta_response_f *callback,
                          nta_outgoing_magic_t *magic, const url_string_t *route, msg_t *msg,
                          tport_t *tp, gboolean pass_100)
{
  const url_t *next = sipsv_stack_next_hop (msg, route);
  SipsvNameLookup *lookup;
  nta_outgoing_t *orq;
  gboolean refused;

  if (tp == NULL)
    tp = sipsv_stack_route_primary (stack, next, NULL);
  /* A host name is resolved by NTA without blocking; the lookup counts
   * until the first response (names.c). */
  lookup = sipsv_stack_name_lookup_begin (stack, msg, next, callback, magic, &refused);
  if (refused)
    return NULL;
  orq = nta_outgoing_mcreate (stack->agent, sipsv_stack_name_lookup_callback (lookup, callback),
                              sipsv_stack_name_lookup_magic (lookup, callback, magic), route, msg,
                              TAG_IF (pass_100, NTATAG_PASS_100 (1)),
                              TAG_IF (tp != NULL, NTATAG_TPORT (tp)), TAG_END ());
  if (orq == NULL)
    sipsv_stack_name_lookup_abandon (lookup);
  return orq;
}

nta_outgoing_t *
sipsv_stack_client_transaction_from (SipsvStack *stack, nta_response_f *callback,
                                     nta_outgoing_magic_t *magic, const url_string_t *route,
                                     msg_t *msg, tport_t *tp)
{
  return start_client_transaction (stack, callback, magic, route, msg, tp, FALSE);
}

nta_outgoing_t *
sipsv_stack_client_transaction (SipsvStack *stack, nta_response_f *callback,
                                nta_outgoing_magic_t *magic, const url_string_t *route,
                                msg_t *msg)
{
  return sipsv_stack_client_transaction_from (stack, callback, magic, route, msg, NULL);
}

nta_outgoing_t *
sipsv_stack_client_transaction_with_100 (SipsvStack *stack, nta_response_f *callback,
                                         nta_outgoing_magic_t *magic, const url_string_t *route,
                                         msg_t *msg, tport_t *tp)
{
  return start_client_transaction (stack, callback, magic, route, msg, tp, TRUE);
}

nta_outgoing_t *
sipsv_stack_cancel_transaction (nta_outgoing_t *orq, const char *reason)
{
  return nta_outgoing_tcancel (orq, NULL, NULL,
                               TAG_IF (reason != NULL, SIPTAG_REASON_STR (reason)), TAG_END ());
}

nta_outgoing_t *
sipsv_stack_cancel_transaction_as (nta_outgoing_t *orq, msg_t *cancel)
{
  /* NTA makes the CANCEL from the INVITE: Request-URI, the top Via,
   * From, To, Call-ID, CSeq number, Route, Max-Forwards (and drops such
   * headers from the tags). Every other header of the application's
   * CANCEL is passed on, each kind once: a SIPTAG_HEADER copies the
   * header with the values that follow it in its list. A CANCEL has no
   * body, so no Content-Type either. */
  static msg_hclass_t *const ntas[] = {
    sip_request_class, sip_via_class, sip_from_class, sip_to_class, sip_call_id_class,
    sip_cseq_class, sip_route_class, sip_max_forwards_class, sip_content_length_class,
    sip_content_type_class, sip_separator_class, sip_payload_class, sip_error_class,
  };
  sip_t *sip = sip_object (cancel);
  GArray *tags = g_array_new (TRUE, TRUE, sizeof (tagi_t));
  /* A message built here has no fragment chain until serialized. */
  msg_header_t **head = sip != NULL && msg_serialize (cancel, (msg_pub_t *) sip) == 0
                            ? msg_chain_head (cancel) : NULL;

  for (msg_header_t *h = head != NULL ? *head : NULL; h != NULL; h = h->sh_succ)
    {
      gboolean theirs = FALSE;
      for (gsize i = 0; i < G_N_ELEMENTS (ntas) && !theirs; i++)
        theirs = h->sh_class == ntas[i];
      msg_header_t **slot = (msg_header_t **) msg_hclass_offset (msg_mclass (cancel),
                                                                (msg_pub_t *) sip, h->sh_class);
      if (theirs || slot == NULL || *slot != h)
        continue;               /* NTA's, or not the first of its list */
      tagi_t tag = { siptag_header, (tag_value_t) h };
      g_array_append_val (tags, tag);
    }
  /* The array's zeroed terminator is TAG_END. */
  nta_outgoing_t *orq_cancel
      = nta_outgoing_tcancel (orq, NULL, NULL, TAG_NEXT ((tagi_t *) tags->data));
  g_array_unref (tags);
  return orq_cancel;
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
  const url_t *next = sipsv_stack_next_hop (msg, route);
  tport_t *tp = sipsv_stack_route_primary (stack, next, NULL);
  gboolean refused;

  /* Counted until sofia lets go of the message: a stateless send has no
   * transaction to answer it. */
  sipsv_stack_name_lookup_begin (stack, msg, next, NULL, NULL, &refused);
  if (refused)
    {
      msg_destroy (msg);
      return;
    }
  /* nta_msg_tsend() hands a request to its transaction code with a
   * reference of its own, which that code takes only on success: when it
   * cannot make the transaction (a Request-URI it cannot route, found by
   * tests/fuzz/), the reference stays and the message is never freed
   * (sofia-sip 1.12.11, still so in 1.13). A send takes one reference;
   * when a failed one took none, the stray one is dropped here. */
  msg_t *held = msg_ref_create (msg);
  gsize before = su_home_refcount (msg_home (held));
  if (nta_msg_tsend (stack->agent, msg, route, TAG_IF (tp != NULL, NTATAG_TPORT (tp)),
                     TAG_END ()) < 0
      && su_home_refcount (msg_home (held)) >= before)
    msg_destroy (held);
  msg_destroy (held);
}

gboolean
sipsv_stack_has_connection (SipsvStack *stack, const url_t *dest)
{
  char port[8], transport[8] = "";
  tp_name_t tpn = { 0 };
  tport_t *primary;

  sipsv_stack_url_param (dest, "transport", transport, sizeof transport);
  if (g_ascii_strcasecmp (transport, "tcp") != 0 && !sipsv_stack_url_is_tls (dest))
    return TRUE;                /* datagrams need no connection */
  primary = sipsv_stack_route_primary (stack, dest, NULL);
  if (primary == NULL || dest->url_host == NULL)
    return FALSE;
  g_snprintf (port, sizeof port, "%s", dest->url_port != NULL ? dest->url_port
                                      : sipsv_stack_url_is_tls (dest) ? "5061" : "5060");
  tpn.tpn_proto = tport_name (primary)->tpn_proto;
  tpn.tpn_host = dest->url_host;
  tpn.tpn_canon = dest->url_host;
  tpn.tpn_port = port;
  /* A connection to that address, or the primary itself when none. */
  tport_t *tp = tport_by_name (primary, &tpn);
  return tp != NULL && tp != primary && tport_is_secondary (tp);
}
