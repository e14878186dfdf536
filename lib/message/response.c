/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServletResponse accessors (sending lives with the UAS
 * role in lib/ua/uas.c, ACK creation with the UAC role). */
#include "config-private.h"

#include "message/message-private.h"

SipServletResponse *
sipservlet_response_ref (SipServletResponse *response)
{
  return (SipServletResponse *) sipservlet_message_ref (SIPSERVLET_MESSAGE (response));
}

void
sipservlet_response_unref (SipServletResponse *response)
{
  sipservlet_message_unref (SIPSERVLET_MESSAGE (response));
}

guint
sipservlet_response_get_status (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, 0);
  return response->base.sip->sip_status->st_status;
}

const char *
sipservlet_response_get_reason_phrase (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return response->base.sip->sip_status->st_phrase;
}

gboolean
sipservlet_response_set_status (SipServletResponse *response, guint status,
                                const char *reason, GError **error)
{
  g_return_val_if_fail (response != NULL, FALSE);
  if (response->base.committed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the response is committed and can no longer be modified");
      return FALSE;
    }
  if (status < 100 || status > 699)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%u is not a valid status code (100-699)", status);
      return FALSE;
    }
  msg_t *msg = response->base.msg;
  sip_t *sip = response->base.sip;
  sip_status_t *st = sip_status_create (msg_home (msg), status,
                                        reason ? reason : sipsv_status_phrase (status), NULL);
  msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_status,
                      (msg_header_t *) st);
  return TRUE;
}

SipServletRequest *
sipservlet_response_get_request (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return response->request;
}
