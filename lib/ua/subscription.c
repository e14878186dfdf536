/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - subscription usages of dialogs (RFC 6665, RFC 5057).
 *
 * A dialog may carry several usages: the INVITE usage of the dialog an
 * INVITE created (until its BYE) and one subscription usage per Event
 * type and id (RFC 5057 §3). The session keeps the least that decides
 * when the dialog ends: whether an INVITE created it (invite_dialog) and
 * the Event (type;id) of each subscription a NOTIFY told it about
 * (subscriptions). A NOTIFY with Subscription-State: terminated, answered
 * 2xx when received or answered 2xx when we sent it, ends its
 * subscription; the dialog ends with the last usage, so a subscription
 * inside a call (REFER's) ends without ending the call.
 *
 * Also here: the NOTIFY that reaches a subscriber before the 2xx to its
 * SUBSCRIBE (or REFER) and so creates the dialog (RFC 6665 §4.1.2.4).
 */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

static char *
event_key (sip_event_t const *event)
{
  if (event == NULL)
    return g_strdup ("");
  return g_strconcat (event->o_type ? event->o_type : "", ";id=", event->o_id ? event->o_id : "",
                      NULL);
}

static gboolean
remove_key (GPtrArray *keys, const char *key)
{
  for (guint i = 0; keys != NULL && i < keys->len; i++)
    if (strcmp (keys->pdata[i], key) == 0)
      {
        g_ptr_array_remove_index (keys, i);
        return TRUE;
      }
  return FALSE;
}

void
sipsv_ua_subscription_notified (SipSession *session, sip_t const *notify)
{
  if (session == NULL || session->proxy || !session->valid
      || session->state == SIPSERVLET_SESSION_STATE_TERMINATED)
    return;
  sip_subscription_state_t const *ss = notify->sip_subscription_state;
  gboolean terminated = ss != NULL && ss->ss_substate != NULL
                        && g_ascii_strcasecmp (ss->ss_substate, "terminated") == 0;
  char *key = event_key (notify->sip_event);

  if (!terminated)
    {
      if (session->subscriptions == NULL)
        session->subscriptions = g_ptr_array_new_with_free_func (g_free);
      remove_key (session->subscriptions, key);      /* listed once */
      g_ptr_array_add (session->subscriptions, key);
      return;
    }
  remove_key (session->subscriptions, key);
  g_free (key);
  /* The last usage gone ends the dialog (RFC 5057 §5.2). */
  if (!session->invite_dialog
      && (session->subscriptions == NULL || session->subscriptions->len == 0))
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
}

SipSession *
sipsv_ua_session_from_notify (SipContainer *container, msg_t *msg, sip_t const *sip)
{
  SipsvSessionManager *manager = &sipsv_runtime (container)->sessions;
  SipSession *session = sipsv_session_lookup (manager, sip->sip_call_id->i_id, sip->sip_to->a_tag,
                                              NULL);

  /* Only a subscriber still waiting for the final response to its
   * SUBSCRIBE or REFER: later NOTIFYs of other forks get 481. */
  if (session == NULL || !session->valid || !session->uac || session->proxy
      || session->state != SIPSERVLET_SESSION_STATE_INITIAL || session->initial_request == NULL
      || session->initial_request->final_status != 0 || sip->sip_from->a_tag == NULL)
    return NULL;
  sip_method_t method = session->initial_request->base.sip->sip_request->rq_method;
  if (method != sip_method_subscribe && method != sip_method_refer)
    return NULL;

  /* We are the NOTIFY's UAS: the route set is its Record-Route in order
   * (RFC 3261 §12.1.1), the remote target its Contact. */
  sipsv_session_set_remote_tag (session, sip->sip_from->a_tag);
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);
  for (sip_record_route_t const *rr = sip->sip_record_route; rr != NULL; rr = rr->r_next)
    g_ptr_array_add (routes, sipsv_header_value_dup ((msg_header_t const *) rr, NULL));
  sipsv_session_set_route_set (session, routes);
  g_ptr_array_unref (routes);
  if (sip->sip_contact != NULL)
    sipsv_session_set_remote_target_url (session, sip->sip_contact->m_url);
  sipsv_session_register_dialog (session);
  sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_CONFIRMED);
  return session;
}
