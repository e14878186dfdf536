/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - client requests with a callback of their own
 * (sipservlet_request_send_with_callback()).
 *
 * The call state hangs off its request as a role (message-private.h):
 * the request frees it when it goes, which for an INVITE answered 2xx is
 * after uac.c stops waiting for retransmissions and other forks' 2xx.
 * The state is reference counted because a GCancellable may fire on any
 * thread: its handler only queues an idle source on the container's
 * context holding a reference, and that source finds the call detached
 * if the request went meanwhile. A container dropped with calls in flight
 * gives each its outcome (SHUTTING_DOWN) when uac.c lets the request go.
 */
#include "config-private.h"

#include "ua/ua-private.h"

struct _SipsvClientCall {
  SipServletRequest *request;       /* not owned (it owns the call); NULL once detached */
  SipContainer *container;
  SipSendFlags flags;
  SipResponseCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
  GCancellable *cancellable;        /* owned */
  gulong cancelled_id;
  GMainContext *context;            /* owned: cancellation is carried here */
  gboolean invite;
  gboolean provisional_seen;        /* a CANCEL may go out (RFC 3261 §9.1) */
  gboolean cancel_wanted;
  gboolean cancel_sent;
  gboolean outcome_given;
  gboolean finished;                /* user_data released, no more calls */
};

static void
call_release (gpointer data)
{
  SipsvClientCall *call = data;
  g_rc_box_release_full (call, NULL);
}

/* No call to the callback will follow: release what the caller gave. */
static void
finish (SipsvClientCall *call)
{
  if (call->finished)
    return;
  call->finished = TRUE;
  if (call->cancellable != NULL && call->cancelled_id != 0)
    g_cancellable_disconnect (call->cancellable, call->cancelled_id);
  call->cancelled_id = 0;
  g_clear_object (&call->cancellable);
  g_clear_pointer (&call->context, g_main_context_unref);
  if (call->destroy != NULL)
    call->destroy (call->user_data);
  call->destroy = NULL;
  call->callback = NULL;
}

static void
give_outcome (SipsvClientCall *call, const GError *error)
{
  if (call->outcome_given)
    return;
  call->outcome_given = TRUE;
  if (call->callback != NULL)
    call->callback (call->request, NULL, error, call->user_data);
  /* Other forks may still answer an INVITE: only if the caller wants
   * them is the callback kept for them. */
  gboolean forks_follow = call->invite && (call->flags & SIPSERVLET_SEND_FORKED_2XX)
                          && call->request != NULL && call->request->final_status >= 200
                          && call->request->final_status < 300;
  if (!forks_follow)
    finish (call);
}

/* ---- the request's role ------------------------------------------------ */

static void
role_finalize (gpointer role)
{
  SipsvClientCall *call = role;
  call->request = NULL;
  finish (call);
  call_release (call);
}

static const SipsvRequestRole client_role = {
  .finalize = role_finalize,
};

/* The container goes away first: nothing more will come. */
void
sipsv_client_call_abandon (SipServletRequest *request)
{
  SipsvClientCall *call = request->client;
  GError *error = g_error_new_literal (SIPSERVLET_ERROR, SIPSERVLET_ERROR_SHUTTING_DOWN,
                                       "the container was dropped before a final response");
  give_outcome (call, error);
  g_error_free (error);
  finish (call);
}

/* ---- cancelling -------------------------------------------------------- */

static void
send_cancel (SipsvClientCall *call)
{
  GError *error = NULL;
  call->cancel_sent = TRUE;
  SipServletRequest *cancel = sipservlet_request_create_cancel (call->request, &error);
  if (cancel == NULL || !sipservlet_request_send (cancel, &error))
    {
      g_warning ("cannot cancel %s: %s", sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (call->request)),
                 error->message);
      g_error_free (error);
    }
  g_clear_pointer (&cancel, sipservlet_request_unref);
}

/* In the container's context. */
static gboolean
cancel_in_context (gpointer data)
{
  SipsvClientCall *call = data;
  if (call->request == NULL || call->outcome_given || call->cancel_wanted)
    return G_SOURCE_REMOVE;
  call->cancel_wanted = TRUE;
  if (call->invite && call->provisional_seen && call->request->final_status == 0)
    send_cancel (call);
  return G_SOURCE_REMOVE;
}

/* In whichever thread called g_cancellable_cancel(): only queue the work,
 * always through a source so that it never runs inside the caller. */
static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  SipsvClientCall *call = data;
  GSource *source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, cancel_in_context, g_rc_box_acquire (call), call_release);
  g_source_set_static_name (source, "sipservlet cancel request");
  g_source_attach (source, call->context);
  g_source_unref (source);
}

/* ---- responses (called by uac.c) -------------------------------------------- */

void
sipsv_client_call_saw_provisional (SipServletRequest *request)
{
  SipsvClientCall *call = request->client;
  call->provisional_seen = TRUE;
  if (call->cancel_wanted && !call->cancel_sent && request->final_status == 0)
    send_cancel (call);
}

static void
send_ack (SipServletResponse *response)
{
  GError *error = NULL;
  SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
  if (ack == NULL || !sipservlet_request_send (ack, &error))
    {
      g_warning ("cannot acknowledge the %u: %s", sipservlet_response_get_status (response),
                 error->message);
      g_error_free (error);
    }
  g_clear_pointer (&ack, sipservlet_request_unref);
}

/* The dialog of a 2xx nobody wants: ACK it (RFC 3261 §13.2.2.4), then end it. */
static void
end_dialog (SipServletResponse *response)
{
  GError *error = NULL;
  if (!response->acked)
    send_ack (response);
  SipServletRequest *bye = sipservlet_session_create_request (response->base.session, "BYE",
                                                              &error);
  if (bye == NULL || !sipservlet_request_send (bye, &error))
    {
      g_warning ("cannot end an unwanted dialog: %s", error->message);
      g_error_free (error);
    }
  g_clear_pointer (&bye, sipservlet_request_unref);
}

static GError *
outcome_error (SipsvClientCall *call, guint status, gboolean made_locally)
{
  if (call->cancel_wanted && status >= 300)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the request was cancelled");
  if (!made_locally)
    return NULL;
  if (status == 408)
    return g_error_new_literal (SIPSERVLET_ERROR, SIPSERVLET_ERROR_TIMEOUT,
                                "no final response came in time");
  return g_error_new (SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                      "the request could not be delivered (%u)", status);
}

void
sipsv_client_call_on_response (SipServletRequest *request, SipServletResponse *response,
                               guint status)
{
  SipsvClientCall *call = request->client;
  if (call->outcome_given)
    return;                           /* the container was dropped meanwhile */
  gboolean made_locally = sipsv_stack_made_response (response->base.sip);
  if (status < 200)
    {
      sipsv_client_call_saw_provisional (request);
      call->callback (request, response, NULL, call->user_data);
      return;
    }
  if (!made_locally)
    call->callback (request, response, NULL, call->user_data);
  if (call->invite && status < 300 && !(call->flags & SIPSERVLET_SEND_MANUAL_ACK))
    {
      if (call->cancel_wanted)
        end_dialog (response);        /* answered after all: the caller gave up */
      else if (!response->acked)
        send_ack (response);
    }
  GError *error = outcome_error (call, status, made_locally);
  give_outcome (call, error);
  g_clear_error (&error);
}

void
sipsv_client_call_on_forked_2xx (SipServletRequest *request, SipServletResponse *response)
{
  SipsvClientCall *call = request->client;
  if (call->finished || !(call->flags & SIPSERVLET_SEND_FORKED_2XX))
    {
      end_dialog (response);
      return;
    }
  call->callback (request, response, NULL, call->user_data);
  if (!(call->flags & SIPSERVLET_SEND_MANUAL_ACK) && !response->acked)
    send_ack (response);
}

/* ---- sending ----------------------------------------------------------------- */

gboolean
sipservlet_request_send_with_callback (SipServletRequest *request, SipSendFlags flags,
                                       GCancellable *cancellable, SipResponseCallback callback,
                                       gpointer user_data, GDestroyNotify destroy,
                                       GError **error)
{
  g_return_val_if_fail (request != NULL && callback != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  sip_method_t method = request->base.sip->sip_request->rq_method;
  gboolean refused = FALSE;
  if (method == sip_method_ack || method == sip_method_cancel)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s gets no response: send it with sipservlet_request_send()",
                   request->base.sip->sip_request->rq_method_name);
      refused = TRUE;
    }
  else if (request->client != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request was already sent");
      refused = TRUE;
    }
  if (refused)
    {
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }

  SipsvClientCall *call = g_rc_box_new0 (SipsvClientCall);
  call->request = request;
  call->container = request->base.container;
  call->flags = flags;
  call->callback = callback;
  call->user_data = user_data;
  call->destroy = destroy;
  call->invite = method == sip_method_invite;
  request->client = call;                   /* the request's reference */
  request->client_role = &client_role;
  if (!sipservlet_request_send (request, error))
    {
      call->outcome_given = TRUE;             /* no call at all, only the destroy */
      finish (call);
      request->client = NULL;
      call_release (call);
      return FALSE;
    }
  if (cancellable != NULL)
    {
      call->context = g_main_context_ref (sipsv_runtime (call->container)->context);
      call->cancellable = g_object_ref (cancellable);
      /* Runs at once when it is already cancelled: through a source still. */
      call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                  g_rc_box_acquire (call), call_release);
    }
  return TRUE;
}
