/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - ending a UA dialog in one call (JSR 359 terminate).
 *
 * What ends a dialog depends on where it stands: an INVITE we sent and
 * that has no final response is cancelled, but only once a provisional
 * response has come (RFC 3261 §9.1), and if a 2xx wins the race it is
 * acknowledged and then BYEd; an INVITE we received and have not answered
 * gets 487; a 2xx we sent is awaited until its ACK (or its timeout, §15)
 * before the BYE; a 2xx we received is acknowledged first. The requests
 * and responses involved are the container's: the servlet sees none. A
 * proxied dialog is ended by the proxy (lib/proxy/terminate.c).
 */
#include "config-private.h"

#include "ua/ua-private.h"

static gboolean
send_internal (SipServletRequest *request, GError **error)
{
  request->internal = TRUE;
  gboolean ok = sipservlet_request_send (request, error);
  sipservlet_request_unref (request);
  return ok;
}

gboolean
sipsv_ua_send_bye (SipSession *session, GError **error)
{
  SipServletRequest *bye = sipservlet_session_create_request (session, "BYE", error);
  return bye != NULL && send_internal (bye, error);
}

gboolean
sipsv_ua_send_cancel (SipServletRequest *invite, GError **error)
{
  SipServletRequest *cancel = sipservlet_request_create_cancel (invite, error);
  return cancel != NULL && send_internal (cancel, error);
}

gboolean
sipsv_ua_send_ack (SipServletResponse *response, GError **error)
{
  SipServletRequest *ack = sipservlet_response_create_ack (response, error);
  return ack != NULL && send_internal (ack, error);
}

/* ACK for a 2xx (the servlet has not made one), then BYE. */
gboolean
sipsv_ua_ack_and_bye (SipServletResponse *response, GError **error)
{
  SipSession *session = response->base.session;
  if (!sipsv_ua_send_ack (response, error))
    return FALSE;
  return session == NULL || sipsv_ua_send_bye (session, error);
}

gboolean
sipservlet_session_terminate (SipSession *session, GError **error)
{
  g_return_val_if_fail (session != NULL, FALSE);
  if (!session->valid || session->manager == NULL
      || session->state == SIPSERVLET_SESSION_STATE_TERMINATED)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s is %s", session->id,
                   session->valid ? "already terminated" : "invalidated");
      return FALSE;
    }
  if (session->proxy)
    return sipsv_proxy_terminate (session, error);

  SipServletRequest *initial = session->initial_request;
  gboolean invite = initial != NULL
                    && initial->base.sip->sip_request->rq_method == sip_method_invite;

  if (session->uac && invite && initial->sent && initial->final_status == 0)
    {
      /* Our INVITE is under way; a 2xx that wins the race is BYEd. */
      if (session->terminate_on_2xx)
        return TRUE;
      session->terminate_on_2xx = TRUE;
      if (!initial->provisional_seen)
        {
          session->terminate_on_provisional = TRUE;
          return TRUE;
        }
      return sipsv_ua_send_cancel (initial, error);
    }
  if (!session->uac && invite && !initial->final_sent)
    {
      /* An INVITE we have not answered. */
      if (!sipsv_uas_answer (initial, 487, "Request Terminated"))
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                       "cannot answer the INVITE of session %s", session->id);
          return FALSE;
        }
      return TRUE;
    }
  if (session->state != SIPSERVLET_SESSION_STATE_CONFIRMED)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s has no dialog to end", session->id);
      return FALSE;
    }
  if (session->unacked_2xx != NULL)
    {
      /* RFC 3261 §15: the BYE waits for the ACK of our 2xx, or its timeout. */
      session->terminate_on_ack = TRUE;
      return TRUE;
    }
  if (session->pending_uac != NULL && session->pending_uac->len > 0)
    return sipsv_ua_ack_and_bye (session->pending_uac->pdata[0], error);
  return sipsv_ua_send_bye (session, error);
}
