/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - ending a dialog the proxy is in (JSR 359 proxy
 * termination, what Kamailio's dlg_end_dlg does): a BYE to each side.
 *
 * A record-routing proxy is on the path of every request of the dialog,
 * so it knows enough to speak for either party: their targets (the
 * INVITE's and the 2xx's Contact), the Record-Route entries on each side
 * of its own, and the highest CSeq each side has used, so that each BYE
 * is in sequence for the party that receives it.
 */
#include "config-private.h"

#include "proxy/proxy-private.h"

static char *
header_text (sip_header_t const *h)
{
  char *su = sip_header_as_string (NULL, h);
  char *text = g_strdup (su);
  su_free (NULL, su);
  return text;
}

void
sipsv_proxy_note_dialog (SipProxy *proxy, SipSession *session, sip_t const *response)
{
  sip_t const *invite = proxy->request->base.sip;
  SipsvStack *stack = &sipsv_runtime (proxy->container)->stack;

  if (session->proxied != NULL || invite->sip_request->rq_method != sip_method_invite
      || invite->sip_contact == NULL || response->sip_contact == NULL)
    return;

  /* Record-Route lists the callee's side first; ours (one or two
   * entries, RFC 5658) separate the sides. */
  GPtrArray *entries = g_ptr_array_new ();
  gint first_ours = -1, last_ours = -1;
  for (sip_record_route_t const *rr = response->sip_record_route; rr != NULL; rr = rr->r_next)
    {
      if (sipsv_stack_url_is_self (stack, rr->r_url))
        {
          if (first_ours < 0)
            first_ours = (gint) entries->len;
          last_ours = (gint) entries->len;
        }
      g_ptr_array_add (entries, (gpointer) rr);
    }
  if (first_ours < 0)
    {
      g_ptr_array_unref (entries);
      return;
    }

  SipsvProxiedDialog *dialog = g_new0 (SipsvProxiedDialog, 1);
  dialog->caller_route = g_ptr_array_new_with_free_func (g_free);
  dialog->callee_route = g_ptr_array_new_with_free_func (g_free);
  for (gint i = first_ours - 1; i >= 0; i--)
    g_ptr_array_add (dialog->callee_route, header_text (entries->pdata[i]));
  for (guint i = (guint) last_ours + 1; i < entries->len; i++)
    g_ptr_array_add (dialog->caller_route, header_text (entries->pdata[i]));
  g_ptr_array_unref (entries);
  dialog->caller_target = sipsv_stack_url_text (invite->sip_contact->m_url);
  dialog->callee_target = sipsv_stack_url_text (response->sip_contact->m_url);
  dialog->caller_party = header_text ((sip_header_t const *) invite->sip_from);
  dialog->callee_party = header_text ((sip_header_t const *) response->sip_to);
  dialog->caller_cseq = invite->sip_cseq->cs_seq;
  session->proxied = dialog;
}

void
sipsv_proxy_note_request (SipSession *session, sip_t const *sip)
{
  SipsvProxiedDialog *dialog = session != NULL ? session->proxied : NULL;
  if (dialog == NULL || sip->sip_cseq == NULL || sip->sip_request->rq_method == sip_method_ack
      || sip->sip_request->rq_method == sip_method_cancel)
    return;
  /* The callee's requests carry its tag in From. */
  gboolean from_callee = sip->sip_from->a_tag != NULL
                         && g_strcmp0 (sip->sip_from->a_tag, session->remote_tag) == 0;
  guint32 *cseq = from_callee ? &dialog->callee_cseq : &dialog->caller_cseq;
  *cseq = MAX (*cseq, sip->sip_cseq->cs_seq);
}

static gboolean
send_bye (SipSession *session, const char *target, GPtrArray *route, const char *from,
          const char *to, guint32 cseq, GError **error)
{
  SipContainer *container = session->manager->container;
  msg_t *msg = sipsv_message_build_request (&sipsv_runtime (container)->stack, "BYE", target,
                                            from, to, session->call_id, cseq, route, NULL);
  if (msg == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot build a BYE to %s", target);
      return FALSE;
    }
  SipServletRequest *bye = sipsv_uac_new_request (container, session, msg);
  bye->internal = TRUE;
  gboolean ok = sipservlet_request_send (bye, error);
  sipservlet_request_unref (bye);
  return ok;
}

gboolean
sipsv_proxy_terminate (SipSession *session, GError **error)
{
  SipServletRequest *initial = session->initial_request;

  if (session->state != SIPSERVLET_SESSION_STATE_CONFIRMED && initial != NULL
      && initial->proxy != NULL && !initial->final_sent)
    return sipservlet_proxy_cancel (initial->proxy, NULL, error);
  SipsvProxiedDialog *dialog = session->proxied;
  if (session->state != SIPSERVLET_SESSION_STATE_CONFIRMED || dialog == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s: the proxy is not in a confirmed dialog (record-routed)",
                   session->id);
      return FALSE;
    }
  /* To the callee, as if from the caller, and the other way round. */
  gboolean ok = send_bye (session, dialog->callee_target, dialog->callee_route,
                          dialog->caller_party, dialog->callee_party, ++dialog->caller_cseq,
                          error);
  if (ok)
    ok = send_bye (session, dialog->caller_target, dialog->caller_route, dialog->callee_party,
                   dialog->caller_party, ++dialog->callee_cseq, error);
  return ok;
}
