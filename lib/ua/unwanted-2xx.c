/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - 2xx responses to our INVITEs that nobody wants.
 *
 * Another fork's 2xx creates a dialog (RFC 3261 §13.2.2.4). While the
 * INVITE's session lives, uac.c gives that dialog a derived session. Once
 * the session or its application session is gone, or the INVITE's client
 * transaction with it (the 2xx then reaches the agent's message callback
 * as a stray response), no session may be created: the dialog is
 * acknowledged, as every 2xx must be, and ended with a BYE. The BYE goes
 * once per dialog; the ACK again for each retransmission of the 2xx.
 * Which dialogs got their BYE is remembered 64*T1, the time a UAS
 * retransmits its 2xx.
 */
#include "config-private.h"

#include <stdlib.h>
#include <string.h>

#include "ua/ua-private.h"

/* Was the dialog's BYE sent (and not too long ago to matter)? Remembers
 * it when not. */
static gboolean
bye_already_sent (SipsvRuntime *runtime, sip_t const *sip)
{
  gint64 now = g_get_monotonic_time ();
  char *key = sipsv_dialog_key (NULL, 0, sip->sip_call_id->i_id, sip->sip_from->a_tag,
                                sip->sip_to->a_tag);

  if (runtime->refused_dialogs == NULL)
    runtime->refused_dialogs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gint64 *deadline = g_hash_table_lookup (runtime->refused_dialogs, key);
  if (deadline != NULL && *deadline > now)
    {
      g_free (key);
      return TRUE;
    }
  /* Forget the ones whose 2xx can no longer come back. */
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, runtime->refused_dialogs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (*(gint64 *) value <= now)
      g_hash_table_iter_remove (&iter);
  deadline = g_new (gint64, 1);
  *deadline = now + (gint64) 64 * runtime->t1 * 1000;
  g_hash_table_insert (runtime->refused_dialogs, key, deadline);
  return FALSE;
}

/* method ("ACK" or "BYE") in the dialog of the 2xx msg: to its Contact,
 * along its Record-Route reversed (RFC 3261 §12.1.2). */
static void
send_in_dialog (SipsvRuntime *runtime, msg_t *msg, const char *method, guint32 cseq)
{
  sip_t const *sip = sip_object (msg);
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);
  for (sip_record_route_t const *rr = sip->sip_record_route; rr != NULL; rr = rr->r_next)
    g_ptr_array_insert (routes, 0, sipsv_header_value_dup ((msg_header_t const *) rr, NULL));
  url_t const *target_url = sip->sip_contact != NULL ? sip->sip_contact->m_url
                                                     : sip->sip_to->a_url;
  char *target = url_as_string (NULL, target_url);
  char *from = sipsv_header_value_dup ((msg_header_t const *) sip->sip_from, NULL);
  char *to = sipsv_header_value_dup ((msg_header_t const *) sip->sip_to, NULL);
  msg_t *request = sipsv_message_build_request (&runtime->stack, method, target, from, to,
                                                sip->sip_call_id->i_id, cseq, routes, NULL);
  su_free (NULL, target);
  g_free (from);
  g_free (to);
  g_ptr_array_unref (routes);
  if (request == NULL)
    {
      g_warning ("cannot build the %s that ends an unwanted dialog", method);
      return;
    }
  /* No callback: NTA's default one frees the transaction at its end. */
  nta_outgoing_t *orq = sipsv_stack_client_transaction (&runtime->stack, NULL, NULL, NULL,
                                                        request);
  if (orq == NULL)
    {
      msg_destroy (request);
      g_warning ("cannot send the %s that ends an unwanted dialog", method);
    }
  else if (strcmp (method, "ACK") == 0)
    nta_outgoing_destroy (orq);
}

void
sipsv_uac_refuse_2xx (SipContainer *container, msg_t *msg)
{
  SipsvRuntime *runtime = sipsv_runtime (container);
  sip_t const *sip = sip_object (msg);

  if (sip->sip_to->a_tag == NULL || sip->sip_cseq == NULL)
    return;
  g_debug ("ending the unwanted dialog of a 2xx to INVITE %s (To-tag %s)",
           sip->sip_call_id->i_id, sip->sip_to->a_tag);
  send_in_dialog (runtime, msg, "ACK", sip->sip_cseq->cs_seq);
  if (!bye_already_sent (runtime, sip))
    send_in_dialog (runtime, msg, "BYE", sip->sip_cseq->cs_seq + 1);
}

gboolean
sipsv_uac_stray_2xx (SipContainer *container, msg_t *msg, sip_t const *sip)
{
  SipsvRuntime *runtime = sipsv_runtime (container);
  sip_via_t const *via = sip->sip_via;

  /* A 2xx to an INVITE of ours (our Via alone: no proxy branch), from a
   * dialog no valid session has. */
  if (sip->sip_status == NULL || sip->sip_status->st_status < 200
      || sip->sip_status->st_status >= 300 || sip->sip_cseq == NULL
      || sip->sip_cseq->cs_method != sip_method_invite || via == NULL || via->v_next != NULL
      || sip->sip_from->a_tag == NULL || sip->sip_to->a_tag == NULL
      || !sipsv_stack_host_is_self (&runtime->stack, via->v_host,
                                    via->v_port ? (guint16) strtoul (via->v_port, NULL, 10) : 5060))
    return FALSE;
  SipSession *session = sipsv_session_lookup (&runtime->sessions, sip->sip_call_id->i_id,
                                              sip->sip_from->a_tag, sip->sip_to->a_tag);
  if (session != NULL && session->valid)
    return FALSE;
  sipsv_uac_refuse_2xx (container, msg);
  msg_destroy (msg);
  return TRUE;
}
