/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the sessions of proxied dialogs (JSR 289 §6.2.1): the
 * SipSession follows its dialog's state, a forked INVITE's extra 2xx gets
 * a derived session.
 */
#include "config-private.h"

#include <string.h>

#include "proxy/proxy-private.h"

static SipSession *
dialog_session (SipProxy *proxy, sip_t const *sip)
{
  SipSession *session = proxy->request->base.session;
  const char *to_tag = sip->sip_to->a_tag;

  if (session == NULL || proxy->subsequent || to_tag == NULL)
    return session;
  /* The first dialog is the session's own, whether a 1xx or a 2xx
   * brings it (its remote tag is still the caller's From tag). */
  if (session->remote_tag == NULL || g_strcmp0 (session->remote_tag, to_tag) == 0
      || session->state == SIPSERVLET_SESSION_STATE_INITIAL
      || session->state == SIPSERVLET_SESSION_STATE_EARLY)
    {
      if (g_strcmp0 (session->remote_tag, to_tag) != 0)
        {
          sipsv_session_unregister_dialog (session);
          g_free (session->remote_tag);
          session->remote_tag = g_strdup (to_tag);
        }
      return session;
    }
  /* Another 2xx with another To-tag: a derived session (JSR 289 §6.2.3). */
  char buf[SIPSV_KEY_BUF];
  char *key = sipsv_proxy_dialog_key (buf, sizeof buf, sip->sip_call_id->i_id,
                                      sip->sip_from->a_tag, to_tag, proxy->request->depth);
  SipSession *derived
      = g_hash_table_lookup (sipsv_runtime (proxy->container)->sessions.dialogs, key);
  if (key != buf)
    g_free (key);
  if (derived != NULL)
    return derived;
  derived = sipsv_session_new (session->app, FALSE, session->call_id, session->local_tag,
                               NULL, NULL);
  derived->local_party_text = g_strdup (session->local_party_text);
  derived->remote_party_text = g_strdup (session->remote_party_text);
  if (session->local_party != NULL)
    derived->local_party = sipservlet_address_clone (session->local_party);
  if (session->remote_party != NULL)
    derived->remote_party = sipservlet_address_clone (session->remote_party);
  derived->proxy = TRUE;
  derived->dialog_method = session->dialog_method;
  derived->record_routed = session->record_routed;
  derived->had_transaction = TRUE;
  derived->remote_tag = g_strdup (to_tag);
  if (session->handler != NULL)
    derived->handler = sipservlet_servlet_ref (session->handler);
  sipservlet_session_unref (derived);   /* the application session keeps it */
  return derived;
}

void
sipsv_proxy_update_session (SipProxy *proxy, SipProxyBranch *branch, sip_t const *sip, guint status)
{
  sip_method_t method = proxy->request->base.sip->sip_request->rq_method;
  SipSession *session;

  if (proxy->subsequent)
    {
      session = proxy->request->base.session;
      if (session != NULL && method == sip_method_bye && status >= 200)
        sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
      return;
    }
  if (proxy->request->base.session == NULL || !proxy->request->base.session->dialog_method
      || status < 101 || status >= 300 || sip->sip_to->a_tag == NULL)
    return;
  session = dialog_session (proxy, sip);
  session->record_routed = branch->record_route;
  if (status >= 200)
    {
      /* The ACK of a record-routed INVITE comes through us (dispatch.c). */
      if (branch->record_route && method == sip_method_invite
          && session->state != SIPSERVLET_SESSION_STATE_CONFIRMED)
        session->ack_awaited_since = g_get_monotonic_time ();
      sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_CONFIRMED);
      if (branch->record_route)
        {
          sipsv_proxy_register_session (session, sip->sip_call_id->i_id, sip->sip_from->a_tag,
                                        sip->sip_to->a_tag, proxy->request->depth);
          sipsv_proxy_note_dialog (proxy, session, sip);
        }
    }
  else if (session->state == SIPSERVLET_SESSION_STATE_INITIAL)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_EARLY);
}
