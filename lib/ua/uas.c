/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - UAS role: answering incoming requests.
 *
 * The agent runs in proxy mode (NTATAG_UA(0)), so NTA sends a 2xx to
 * INVITE only once and hands the ACK to the message callback; this file
 * retransmits the 2xx itself (RFC 3261 §13.3.1.4: T1 doubling to T2, for
 * 64*T1) and matches the ACK to the session.
 */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

#define SIPSV_T2_MS 4000

static int on_irq_event (nta_incoming_magic_t *magic, nta_incoming_t *irq,
                         sip_t const *sip);
static void begin_transaction (SipServletRequest *request, SipSession *session);
static SipServletRequest *accept_from_hop (SipContainer *container, SipsvHop *hop, msg_t *msg,
                                           SipSession *session, gboolean initial);

/* A response left for the network (metrics.c). */
static void
count_sent (SipServletRequest *request, int status)
{
  sipsv_metrics_response_sent (&sipsv_runtime (request->base.container)->stack.metrics, status);
}

SipServletRequest *
sipsv_uas_accept (SipContainer *container, msg_t *msg, sip_t *sip,
                  SipSession *session, gboolean initial)
{
  /* NTA would copy the request's Record-Route into every response under
   * 300 it makes, its own 100 Trying included; only dialog-creating
   * responses may carry it (RFC 3261 §12.1.1), and
   * sipsv_uas_build_response() adds it to those. Hidden from NTA while it
   * takes its copy of the request's headers. */
  SipsvHop *hop = sipsv_hop_of (sipsv_runtime (container), msg);
  if (hop != NULL)
    return accept_from_hop (container, hop, msg, session, initial);
  sip_record_route_t *record_route = sip->sip_record_route;
  sip->sip_record_route = NULL;
  nta_incoming_t *irq
      = sipsv_stack_server_transaction (&sipsv_runtime (container)->stack, msg, sip);
  sip->sip_record_route = record_route;
  SipServletRequest *request;

  if (irq == NULL)
    {
      g_warning ("cannot create a server transaction for %s",
                 sip->sip_request->rq_method_name);
      sipsv_stack_reply (&sipsv_runtime (container)->stack, msg, 500, "Server Internal Error",
                         NULL);
      return NULL;
    }
  if (sip->sip_to->a_tag == NULL && session != NULL)
    nta_incoming_tag (irq, session->local_tag);

  request = sipsv_request_new (container, nta_incoming_getrequest (irq), TRUE);
  request->irq = irq;
  request->initial = initial;
  if (initial && sip->sip_request->rq_method == sip_method_invite)
    request->received_us = g_get_monotonic_time ();
  sipsv_message_set_source (&request->base, msg);
  request->base.source_tls
      = sipsv_stack_received_over_tls (&sipsv_runtime (container)->stack, msg, irq, NULL);
  sipsv_message_set_session (&request->base, session);
  if (sip->sip_request->rq_method == sip_method_invite)
    nta_incoming_bind (irq, on_irq_event, (nta_incoming_magic_t *) request);
  begin_transaction (request, session);
  return request;
}

/* The session has one more transaction in progress. */
static void
begin_transaction (SipServletRequest *request, SipSession *session)
{
  sip_t const *sip = request->base.sip;

  if (session != NULL)
    {
      sipsv_session_transaction_begin (session);
      if (sip->sip_request->rq_method != sip_method_ack)
        {
          if (session->pending_uas == NULL)
            session->pending_uas = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
          g_ptr_array_add (session->pending_uas, sipservlet_request_ref (request));
        }
      if (sip->sip_request->rq_method == sip_method_invite)
        session->invite_uas_pending = TRUE;
    }
}

/* A request another application of this container sent (lib/runtime/
 * hop.c): no server transaction; its answers go back through the hop. */
static SipServletRequest *
accept_from_hop (SipContainer *container, SipsvHop *hop, msg_t *msg, SipSession *session,
                 gboolean initial)
{
  SipServletRequest *request = sipsv_request_new (container, msg, TRUE);
  request->initial = initial;
  sipsv_hop_attach (hop, request);
  request->base.remote_user = g_strdup (hop->remote_user);
  sipsv_message_set_session (&request->base, session);
  begin_transaction (request, session);
  return request;
}

/* ---- building and sending responses ----------------------------------------- */

static gboolean
is_dialog_creating (SipServletRequest *request)
{
  sip_method_t m = request->base.sip->sip_request->rq_method;
  return m == sip_method_invite || m == sip_method_subscribe || m == sip_method_refer;
}

SipServletResponse *
sipsv_uas_build_response (SipServletRequest *request, guint status, const char *reason)
{
  SipContainer *container = request->base.container;
  SipsvStack *stack = &sipsv_runtime (container)->stack;
  const char *phrase = reason ? reason : sipsv_status_phrase (status);
  msg_t *msg;

  if (request->hop != NULL)
    {
      msg = sipsv_stack_response_to (stack, request->base.msg, (int) status, phrase);
      if (msg == NULL)
        return NULL;
      /* What NTA's server transaction would add: our dialog's tag. */
      SipSession *session = request->base.session;
      sip_t *sip = sip_object (msg);
      if (status > 100 && sip->sip_to->a_tag == NULL && session != NULL)
        sip_to_tag (msg_home (msg), sip->sip_to, session->local_tag);
    }
  else
    {
      msg = nta_msg_create (stack->agent, 0);
      if (msg == NULL)
        return NULL;
      if (sipsv_stack_complete_response (request->irq, msg, (int) status, phrase) < 0)
        {
          msg_destroy (msg);
          return NULL;
        }
    }
  /* Dialog-creating and target-refresh responses carry our Contact. */
  sip_t const *rsip = request->base.sip;
  if (status > 100 && status < 300
      && (is_dialog_creating (request) || rsip->sip_request->rq_method == sip_method_update))
    {
      char *contact = request->hop != NULL ? sipsv_stack_contact_of (stack, request->hop->primary)
                                           : sipsv_stack_contact_for (stack, request->irq);
      /* A sips request's dialog is sips: so is our Contact (RFC 3261
       * §12.1.1), when the request came over TLS as it should. */
      if (rsip->sip_request->rq_url->url_type == url_sips)
        {
          char *sips = sipsv_stack_contact_as_sips (contact);
          g_free (contact);
          contact = sips;
        }
      sip_contact_t const *m = sipsv_stack_contact_header (stack, contact);
      if (m != NULL)
        msg_header_insert (msg, (msg_pub_t *) sip_object (msg),
                           msg_header_dup_one (msg_home (msg), (msg_header_t const *) m));
      g_free (contact);
    }
  /* A response that creates a dialog copies the request's Record-Route,
   * in order (RFC 3261 §12.1.1); no other response carries it. */
  if (status > 100 && status < 300 && is_dialog_creating (request)
      && rsip->sip_to->a_tag == NULL && rsip->sip_record_route != NULL)
    sip_add_dup (msg, sip_object (msg), (sip_header_t const *) rsip->sip_record_route);
  sipsv_ua_timer_decorate_response (request, msg, status);
  SipServletResponse *response = sipsv_response_new (container, msg, request, FALSE);
  sipsv_message_set_session (&response->base, request->base.session);
  return response;
}

SipServletResponse *
sipservlet_request_create_response (SipServletRequest *request, guint status,
                                    const char *reason, GError **error)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (!request->base.incoming || (request->irq == NULL && request->hop == NULL)
      || request->base.sip->sip_request->rq_method == sip_method_ack)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only incoming requests other than ACK can be answered");
      return NULL;
    }
  if (status < 100 || status > 699)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%u is not a valid status code (100-699)", status);
      return NULL;
    }
  if (request->cancelled)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request was cancelled and has been answered 487");
      return NULL;
    }
  if (request->final_sent)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a final response was already sent");
      return NULL;
    }
  SipServletResponse *response = sipsv_uas_build_response (request, status, reason);
  if (response == NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                 "cannot build a %u response", status);
  return response;
}

/* JSR 289 §6.2.1 rule 4: a UAS session tracks the dialog state; a non-2xx
 * final response ends it. */
static void
update_session (SipServletRequest *request, SipSession *session, guint status)
{
  sip_t *sip = request->base.sip;
  sip_method_t method = sip->sip_request->rq_method;

  if (session == NULL || session->proxy)
    return;
  if (request->initial && is_dialog_creating (request)
      && (session->state == SIPSERVLET_SESSION_STATE_INITIAL
          || session->state == SIPSERVLET_SESSION_STATE_EARLY))
    {
      if (status > 100 && status < 200)
        sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_EARLY);
      else if (status >= 200 && status < 300)
        sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_CONFIRMED);
      else if (status >= 300)
        sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
    }
  else if (method == sip_method_bye && status >= 200)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
  else if ((method == sip_method_invite || method == sip_method_update
            || method == sip_method_notify || method == sip_method_subscribe)
           && status >= 200 && status < 300 && sip->sip_contact != NULL)
    {
      /* Target refresh (RFC 3261 §12.2.2): re-INVITE, UPDATE (RFC 3311),
       * NOTIFY and SUBSCRIBE (RFC 6665). */
      sipsv_session_set_remote_target_url (session, sip->sip_contact->m_url);
    }
  /* A NOTIFY starts or ends a subscription usage (RFC 5057). */
  if (method == sip_method_notify && status >= 200 && status < 300)
    sipsv_ua_subscription_notified (session, sip);
}

static void stop_retransmission (SipSession *session);

static void
on_retransmit (gpointer data)
{
  SipSession *session = data;
  SipServletResponse *response = session->unacked_2xx;
  SipServletRequest *request = response->request;

  if (g_get_monotonic_time () >= session->retransmit_deadline)
    {
      /* Timer H: no ACK came. */
      sipservlet_session_ref (session);
      session->unacked_2xx = NULL;
      g_debug ("no ACK for %u to %s %s", response->base.sip->sip_status->st_status,
               request->base.sip->sip_request->rq_method_name, session->call_id);
      if (!request->internal)
        SIPSV_NOTIFY (session->manager, session->app->scope, no_ack_received, request, response);
      sipservlet_response_unref (response);
      if (session->terminate_on_ack)
        {
          /* RFC 3261 §15: no ACK came; the BYE goes anyway. */
          session->terminate_on_ack = FALSE;
          sipsv_ua_send_bye (session, NULL);
        }
      sipsv_session_schedule_check (session);
      sipservlet_session_unref (session);
      return;
    }
  if (request->irq != NULL)
    {
      if (nta_incoming_mreply (request->irq, msg_dup (response->base.msg)) == 0)
        count_sent (request, response->base.sip->sip_status->st_status);
    }
  else if (request->hop != NULL)
    sipsv_hop_respond (request->hop, msg_dup (response->base.msg));
  guint interval = session->retransmit_interval;
  session->retransmit_interval = MIN (interval * 2, SIPSV_T2_MS);
  sipsv_timer_start (session->retransmit_timer, session->retransmit_interval);
}

static void
start_retransmission (SipSession *session, SipServletResponse *response)
{
  guint t1 = sipsv_runtime (response->base.container)->t1;

  stop_retransmission (session);
  session->unacked_2xx = sipservlet_response_ref (response);
  session->retransmit_interval = t1;
  session->retransmit_deadline = g_get_monotonic_time () + (gint64) 64 * t1 * 1000;
  if (session->retransmit_timer == NULL)
    session->retransmit_timer = sipsv_timer_new (session->manager->timers, on_retransmit, session);
  sipsv_timer_start (session->retransmit_timer, t1);
}

static void
stop_retransmission (SipSession *session)
{
  if (session->retransmit_timer != NULL)
    sipsv_timer_stop (session->retransmit_timer);
  g_clear_pointer (&session->unacked_2xx, sipservlet_response_unref);
}

/* RFC 3262: a PRACK for one of our reliable provisionals, or (prack NULL)
 * the end of its retransmissions without one. Called once per reliable
 * response; the reference taken when it was sent is dropped here. */
static int
on_prack (nta_reliable_magic_t *magic, nta_reliable_t *rel, nta_incoming_t *prack,
          sip_t const *sip)
{
  SipServletResponse *response = (SipServletResponse *) magic;
  SipServletRequest *invite = response->request;
  SipSession *session = invite->base.session;

  if (prack == NULL)
    {
      if (!invite->final_sent && session != NULL)
        {
          /* No PRACK: NTA answers the INVITE 503 after this returns. */
          SIPSV_NOTIFY (session->manager, session->app->scope, no_prack_received, invite, response);
          invite->final_sent = TRUE;
          invite->base.committed = TRUE;
          invite->final_status = 503;
          sipsv_uas_request_done (invite);
        }
      sipservlet_response_unref (response);
      return 0;
    }

  SipServletRequest *request = sipsv_request_new (response->base.container,
                                                  nta_incoming_getrequest (prack), TRUE);
  request->irq = prack;
  sipsv_message_set_source (&request->base, request->base.msg);
  request->base.source_tls = sipsv_stack_received_over_tls (
      &sipsv_runtime (response->base.container)->stack, request->base.msg, prack, NULL);
  sipsv_message_set_session (&request->base, session);
  if (session != NULL)
    sipsv_session_transaction_begin (session);
  if (session != NULL && session->handler != NULL)
    sipsv_servlet_dispatch_request (session->handler, request);
  /* A UA acknowledges a PRACK: 200 unless the servlet answered. Sending
   * the final response ended the transaction (send_response()). */
  if (!request->final_sent && !request->deferred)
    sipsv_uas_answer (request, 200, NULL);
  sipservlet_request_unref (request);
  sipservlet_response_unref (response);
  return 0;
}

static gboolean
send_response (SipServletResponse *response, GError **error)
{
  SipServletRequest *request = response->request;
  sip_t *sip = response->base.sip;
  guint status = sip->sip_status->st_status;

  /* A status changed after creation may now need the dialog's tag. */
  if (status > 100 && sip->sip_to != NULL && sip->sip_to->a_tag == NULL
      && request->base.session != NULL)
    sip_to_tag (msg_home (response->base.msg), sip->sip_to, request->base.session->local_tag);

  sip_t const *rsip = request->base.sip;
  if (request->hop != NULL)
    {
      /* Inside the process nothing is lost: a reliable provisional goes
       * as a plain one (its PRACK, if any, is an ordinary request). */
      msg_t *copy = msg_dup (response->base.msg);
      if (copy == NULL)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                       "cannot copy the %u response", status);
          return FALSE;
        }
      sipsv_hop_respond (request->hop, copy);
    }
  else if (status > 100 && status < 200 && rsip->sip_request->rq_method == sip_method_invite
      && (response->reliable || sipsv_lists_option ((msg_list_t *) rsip->sip_require, "100rel")))
    {
      response->reliable = TRUE;
      sipservlet_response_ref (response);    /* dropped in on_prack */
      if (nta_reliable_mreply (request->irq, on_prack, (nta_reliable_magic_t *) response,
                               msg_ref_create (response->base.msg)) == NULL)
        {
          sipservlet_response_unref (response);
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                       "cannot send the reliable %u response", status);
          return FALSE;
        }
    }
  else if (nta_incoming_mreply (request->irq, msg_ref_create (response->base.msg)) < 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                   "cannot send the %u response", status);
      return FALSE;
    }
  if (request->hop == NULL)
    {
      count_sent (request, status);
      if (status >= 200 && status < 300 && request->linked != NULL && !request->final_sent)
        sipsv_metrics_observe_setup (&sipsv_runtime (request->base.container)->stack.metrics,
                                     SIPSV_SETUP_B2BUA, request->received_us);
    }
  response->sent = TRUE;
  response->base.committed = TRUE;
  SipSession *session = response->base.session;
  update_session (request, session, status);
  if (status > 100)
    sipsv_ua_timer_response_sent (request, response, status);
  if (status >= 200 && response->extra_2xx)
    {
      /* Another 2xx of a forked far side, on a derived session. */
      if (session != NULL)
        start_retransmission (session, response);
    }
  else if (status >= 200)
    {
      request->final_sent = TRUE;
      request->base.committed = TRUE;
      request->final_status = status;
      sipsv_uas_request_done (request);
      if (session != NULL && status < 300
          && request->base.sip->sip_request->rq_method == sip_method_invite)
        start_retransmission (session, response);
    }
  return TRUE;
}

gboolean
sipservlet_response_send_reliably (SipServletResponse *response, GError **error)
{
  g_return_val_if_fail (response != NULL, FALSE);
  SipServletRequest *request = response->request;
  guint status = response->base.sip->sip_status->st_status;

  if (request == NULL || !request->base.incoming
      || request->base.sip->sip_request->rq_method != sip_method_invite
      || status <= 100 || status >= 200)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only a 101..199 response to a received INVITE can be sent reliably");
      return FALSE;
    }
  sip_t const *sip = request->base.sip;
  if (!sipsv_lists_option ((msg_list_t *) sip->sip_supported, "100rel")
      && !sipsv_lists_option ((msg_list_t *) sip->sip_require, "100rel"))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the caller does not support 100rel");
      return FALSE;
    }
  response->reliable = TRUE;
  return sipservlet_response_send (response, error);
}

gboolean
sipservlet_response_send (SipServletResponse *response, GError **error)
{
  g_return_val_if_fail (response != NULL, FALSE);
  SipServletRequest *request = response->request;

  if (response->base.incoming || request == NULL
      || (request->irq == NULL && request->hop == NULL))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a received response cannot be sent");
      return FALSE;
    }
  if (response->sent)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the response was already sent");
      return FALSE;
    }
  if (request->cancelled)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request was cancelled and has been answered 487");
      return FALSE;
    }
  if (request->final_sent && !response->extra_2xx)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a final response was already sent for this request");
      return FALSE;
    }
  return send_response (response, error);
}

/* A received request got its final response: it stops being pending. */
void
sipsv_uas_request_done (SipServletRequest *request)
{
  SipSession *session = request->base.session;
  if (request->proxy != NULL)
    request->proxy_role->on_final_sent (request->proxy);
  if (session == NULL)
    return;
  if (request->base.sip->sip_request->rq_method == sip_method_invite)
    session->invite_uas_pending = FALSE;
  sipservlet_request_ref (request);
  if (session->pending_uas != NULL)
    g_ptr_array_remove (session->pending_uas, request);
  sipsv_session_transaction_end (session);
  sipservlet_request_unref (request);
}

gboolean
sipsv_uas_send_relayed (SipServletRequest *request, msg_t *msg, guint status)
{
  if (request->hop != NULL)
    sipsv_hop_respond (request->hop, msg);
  else if (nta_incoming_mreply (request->irq, msg) < 0)
    return FALSE;
  else
    {
      count_sent (request, status);
      if (status >= 200 && status < 300 && !request->final_sent)
        sipsv_metrics_observe_setup (&sipsv_runtime (request->base.container)->stack.metrics,
                                     SIPSV_SETUP_PROXY, request->received_us);
    }
  if (status >= 200 && !request->final_sent)
    {
      request->final_sent = TRUE;
      request->base.committed = TRUE;
      request->final_status = status;
      sipsv_uas_request_done (request);
    }
  return TRUE;
}

gboolean
sipsv_uas_answer (SipServletRequest *request, guint status, const char *reason)
{
  GError *error = NULL;
  SipServletResponse *response = sipsv_uas_build_response (request, status, reason);
  gboolean ok = response != NULL && send_response (response, &error);

  if (!ok)
    g_warning ("cannot answer %s with %u: %s", request->base.sip->sip_request->rq_method_name,
               status, error ? error->message : "cannot build the response");
  g_clear_error (&error);
  if (response != NULL)
    sipservlet_response_unref (response);
  return ok;
}

void
sipsv_uas_apply_default (SipServletRequest *request)
{
  sip_method_t method = request->base.sip->sip_request->rq_method;

  /* JSR 289 defaults: ACK and CANCEL are notifications; MESSAGE, NOTIFY,
   * SUBSCRIBE, PUBLISH and unknown methods get 501; the rest 500. */
  if (method == sip_method_ack || method == sip_method_cancel || request->final_sent)
    return;
  if (method == sip_method_prack)
    {
      /* A PRACK the servlet ignores is still a valid acknowledgement. */
      sipsv_uas_answer (request, 200, NULL);
      return;
    }
  if (method == sip_method_message || method == sip_method_notify
      || method == sip_method_subscribe || method == sip_method_publish
      || method == sip_method_unknown)
    sipsv_uas_answer (request, 501, "Not Implemented");
  else
    sipsv_uas_answer (request, 500, "Request not handled by application");
}

/* CANCEL matched to our INVITE: NTA already answered it 200. JSR 289
 * §11.2.3: answer the INVITE 487, then tell the servlet. */
static int
on_irq_event (nta_incoming_magic_t *magic, nta_incoming_t *irq, sip_t const *sip)
{
  SipServletRequest *request = (SipServletRequest *) magic;

  /* A CANCEL, or the ACK of a non-2xx final, that NTA matched. */
  sipsv_metrics_request_received (&sipsv_runtime (request->base.container)->stack.metrics, sip);
  /* NTA answered that CANCEL 200 itself, before calling us: a response
   * sent all the same. */
  if (sip != NULL && sip->sip_request != NULL && sip->sip_request->rq_method == sip_method_cancel)
    count_sent (request, 200);
  if (sip == NULL || sip->sip_request == NULL
      || sip->sip_request->rq_method != sip_method_cancel || request->final_sent)
    return 0;
  sipsv_uas_cancelled (request, nta_incoming_getrequest_ackcancel (irq));
  return 0;
}

void
sipsv_uas_cancelled (SipServletRequest *request, msg_t *cancel_msg)
{
  SipSession *session = request->base.session;
  sip_t const *sip = cancel_msg != NULL ? sip_object (cancel_msg) : NULL;

  if (request->final_sent || request->cancelled)
    {
      if (cancel_msg != NULL)
        msg_destroy (cancel_msg);
      return;
    }
  sipservlet_request_ref (request);
  /* A proxied INVITE: the proxy fans the CANCEL out, the 487s come back
   * up through it. */
  if (request->proxy == NULL || !request->proxy_role->on_cancel (request->proxy, sip))
    sipsv_uas_answer (request, 487, "Request Terminated");
  request->cancelled = TRUE;

  if (cancel_msg != NULL)
    {
      SipServletRequest *cancel = sipsv_request_new (request->base.container, cancel_msg, TRUE);
      cancel->base.committed = TRUE;
      cancel->invite = sipservlet_request_ref (request);
      if (request->hop != NULL)
        {
          /* From the application before, in process: its INVITE's source. */
          cancel->base.source = request->base.source;
          cancel->base.has_source = request->base.has_source;
          cancel->base.source_tcp = request->base.source_tcp;
          cancel->base.source_tls = request->base.source_tls;
        }
      else
        {
          sipsv_message_set_source (&cancel->base, cancel_msg);
          cancel->base.source_tls = sipsv_stack_received_over_tls (
              &sipsv_runtime (request->base.container)->stack, cancel_msg, NULL, NULL);
        }
      sipsv_message_set_session (&cancel->base, session);
      if (session != NULL && session->handler != NULL)
        sipsv_servlet_dispatch_request (session->handler, cancel);
      sipservlet_request_unref (cancel);
    }
  sipservlet_request_unref (request);
}

void
sipsv_uas_receive_ack (SipContainer *container, SipSession *session, msg_t *msg)
{
  sip_t *sip = sip_object (msg);
  SipServletResponse *pending = session->unacked_2xx;

  /* Only the first ACK for an outstanding 2xx reaches the servlet;
   * retransmitted ACKs are absorbed. */
  if (pending == NULL || sip->sip_cseq == NULL
      || sip->sip_cseq->cs_seq != pending->base.sip->sip_cseq->cs_seq)
    {
      msg_destroy (msg);
      return;
    }

  SipServletRequest *ack = sipsv_request_new (container, msg, TRUE);
  ack->base.committed = TRUE;
  ack->invite = sipservlet_request_ref (pending->request);
  sipsv_message_set_source (&ack->base, msg);
  ack->base.source_tls
      = sipsv_stack_received_over_tls (&sipsv_runtime (container)->stack, msg, NULL, NULL);
  sipsv_message_set_session (&ack->base, session);
  stop_retransmission (session);
  sipsv_application_session_touch (session->app);
  sipsv_ua_timer_note_sdp (session, sip, FALSE);
  /* The ACK of a 2xx the container sent itself is its own too. */
  if (session->handler != NULL && !ack->invite->internal)
    sipsv_servlet_dispatch_request (session->handler, ack);
  if (session->terminate_on_ack && session->valid)
    {
      session->terminate_on_ack = FALSE;
      sipsv_ua_send_bye (session, NULL);
    }
  sipsv_session_schedule_check (session);
  sipservlet_request_unref (ack);
}

void
sipservlet_request_defer (SipServletRequest *request)
{
  g_return_if_fail (request != NULL);
  request->deferred = TRUE;
}

gboolean
sipservlet_request_is_cancelled (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, FALSE);
  return request->cancelled;
}
