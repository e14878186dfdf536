/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - UAC role: building and sending requests, delivering
 * their responses, ACK and CANCEL.
 *
 * A sent request is referenced by its client transaction until the final
 * response (the "transaction reference"). For an INVITE answered 2xx the
 * session keeps the request 64*T1 more, because in proxy mode NTA hands
 * 2xx retransmissions to the same callback and we must ACK them again.
 */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

static void on_hop_response (gpointer client, msg_t *response);
static int on_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
                        sip_t const *sip);

static gboolean
method_is_token (const char *method)
{
  if (method == NULL || method[0] == '\0')
    return FALSE;
  for (const char *p = method; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-.!%*_+`'~", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
check_method (const char *method, GError **error)
{
  if (!method_is_token (method))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a valid SIP method", method ? method : "(null)");
      return FALSE;
    }
  if (strcmp (method, "ACK") == 0 || strcmp (method, "CANCEL") == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s cannot be created this way: use create_ack or create_cancel",
                   method);
      return FALSE;
    }
  return TRUE;
}

static gboolean
method_has_contact (const char *method)
{
  return strcmp (method, "INVITE") == 0 || strcmp (method, "UPDATE") == 0
    || strcmp (method, "SUBSCRIBE") == 0 || strcmp (method, "REFER") == 0
    || strcmp (method, "NOTIFY") == 0;
}

/* A new request with our Contact when it wants one. */
static msg_t *
build_request (SipContainer *container, const char *method, const char *ruri,
               const char *from, const char *to, const char *call_id, guint32 cseq,
               GPtrArray *routes, gboolean with_contact)
{
  char *contact = with_contact ? sipsv_stack_contact (&sipsv_runtime (container)->stack) : NULL;
  msg_t *msg = sipsv_message_build_request (&sipsv_runtime (container)->stack, method, ruri, from,
                                            to, call_id, cseq, routes, contact);
  g_free (contact);
  return msg;
}

SipServletRequest *
sipsv_uac_new_request (SipContainer *container, SipSession *session, msg_t *msg)
{
  SipServletRequest *request = sipsv_request_new (container, msg, FALSE);
  sipsv_message_set_session (&request->base, session);
  return request;
}

/* ---- SipFactory.createRequest ------------------------------------------------ */

/* Whether @app may start a UAC session with a @method request. */
static gboolean
can_start_session (SipApplicationSession *app, const char *method, GError **error)
{
  if (!check_method (method, error))
    return FALSE;
  if (!sipservlet_application_session_is_valid (app))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the application session is invalidated");
      return FALSE;
    }
  return TRUE;
}

/* A new UAC session for the first request of a dialog, msg (taken), whose
 * parties are @local and @remote (taken, may be NULL) or their header
 * texts (taken, kept for the next requests of the dialog). */
static SipServletRequest *
start_session (SipContainer *container, SipApplicationSession *app, const char *method,
               msg_t *msg, const char *call_id, const char *tag, SipAddress *local,
               SipAddress *remote, char *local_text, char *remote_text)
{
  SipSession *session = sipsv_session_new (app, TRUE, call_id, tag, local, remote);
  SipServletRequest *request;

  session->local_party_text = local_text;
  session->remote_party_text = remote_text;
  session->local_cseq = 1;
  session->dialog_method = sipsv_method_creates_dialog (method);
  session->invite_dialog = strcmp (method, "INVITE") == 0;
  request = sipsv_uac_new_request (container, session, msg);
  request->initial = TRUE;
  sipservlet_session_unref (session);   /* the application session keeps it */
  return request;
}

SipServletRequest *
sipservlet_factory_create_request (SipFactory *factory, SipApplicationSession *app,
                                   const char *method, const SipAddress *from,
                                   const SipAddress *to, GError **error)
{
  g_return_val_if_fail (factory != NULL && app != NULL && from != NULL && to != NULL, NULL);
  SipContainer *container = factory->container;

  if (!can_start_session (app, method, error))
    return NULL;
  if (sipservlet_address_is_wildcard (from) || sipservlet_address_is_wildcard (to))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "From and To cannot be the wildcard address");
      return NULL;
    }

  char *tag = sipsv_random_token (6);
  char *call_id = sipsv_random_token (12);
  SipAddress *local = sipservlet_address_clone (from);
  SipAddress *remote = sipservlet_address_clone (to);
  sipservlet_address_set_parameter (local, "tag", tag, NULL);
  sipservlet_address_remove_parameter (remote, "tag");

  /* RFC 3261 Table 1: no method parameter or headers in a Request-URI. */
  SipURI *ruri = sipservlet_uri_clone (sipservlet_address_get_uri (remote));
  sipservlet_uri_remove_parameter (ruri, "method");
  char **headers = sipservlet_uri_get_header_names (ruri);
  for (char **h = headers; h && *h; h++)
    sipservlet_uri_remove_header (ruri, *h);
  g_strfreev (headers);

  char *ruri_text = sipservlet_uri_to_string (ruri);
  char *from_text = sipservlet_address_to_string (local);
  char *to_text = sipservlet_address_to_string (remote);
  msg_t *msg = build_request (container, method, ruri_text, from_text, to_text, call_id, 1,
                              NULL, strcmp (method, "REGISTER") != 0);
  SipServletRequest *request = NULL;

  if (msg == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "cannot build a %s request from '%s' to '%s'", method, from_text, to_text);
      sipservlet_address_unref (local);
      sipservlet_address_unref (remote);
    }
  else
    request = start_session (container, app, method, msg, call_id, tag, local, remote,
                             g_steal_pointer (&from_text), g_steal_pointer (&to_text));
  g_free (ruri_text);
  g_free (from_text);
  g_free (to_text);
  sipservlet_uri_unref (ruri);
  g_free (tag);
  g_free (call_id);
  return request;
}

SipServletRequest *
sipsv_uac_create_leg (SipContainer *container, SipApplicationSession *app,
                      sip_t const *original, GError **error)
{
  const char *method = original->sip_request->rq_method_name;

  if (!can_start_session (app, method, error))
    return NULL;

  SipsvStack *stack = &sipsv_runtime (container)->stack;
  char *tag = sipsv_random_token (6);
  char *call_id = sipsv_random_token (12);
  char *contact = strcmp (method, "REGISTER") != 0 ? sipsv_stack_contact (stack) : NULL;
  msg_t *msg = sipsv_message_build_leg (stack, original, call_id, tag, contact);

  g_free (contact);
  if (msg == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot build a %s request from the original one", method);
      g_free (tag);
      g_free (call_id);
      return NULL;
    }
  sip_t *sip = sip_object (msg);

  /* The parties stay text until someone asks for them, as a received
   * session's do. */
  SipServletRequest *request
    = start_session (container, app, method, msg, call_id, tag, NULL, NULL,
                     sipsv_header_value_dup ((msg_header_t *) sip->sip_from, NULL),
                     sipsv_header_value_dup ((msg_header_t *) sip->sip_to, NULL));
  g_free (tag);
  g_free (call_id);
  return request;
}

/* ---- SipSession.createRequest --------------------------------------------------- */

SipServletRequest *
sipservlet_session_create_request (SipSession *session, const char *method, GError **error)
{
  g_return_val_if_fail (session != NULL, NULL);
  if (!check_method (method, error))
    return NULL;
  if (!session->valid || session->state == SIPSERVLET_SESSION_STATE_TERMINATED
      || session->manager == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s is %s", session->id,
                   session->valid ? "terminated" : "invalidated");
      return NULL;
    }
  if (session->proxy)
    {
      /* The dialog is the endpoints': a proxy sends no request in it
       * (JSR 289's createRequest throws IllegalStateException). */
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s follows a proxied dialog: a proxy cannot send requests in it",
                   session->id);
      return NULL;
    }
  gboolean initial = session->state == SIPSERVLET_SESSION_STATE_INITIAL;
  if (initial && (!session->uac || session->active_transactions > 0))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s has no dialog to send a request in", session->id);
      return NULL;
    }

  SipContainer *container = session->manager->container;
  /* The remote party as an address only when its URI is the target. */
  gboolean to_party = initial || session->remote_target == NULL;
  SipAddress *remote = to_party ? sipsv_session_remote_party (session) : NULL;
  char *initial_to = NULL;
  if (initial)
    {
      /* No dialog yet: To carries no tag. */
      remote = sipservlet_address_clone (remote);
      sipservlet_address_remove_parameter (remote, "tag");
      initial_to = sipservlet_address_to_string (remote);
    }
  const char *from_text = sipsv_session_local_party_text (session);
  const char *to_text = initial ? initial_to : sipsv_session_remote_party_text (session);
  char *ruri = to_party ? sipservlet_uri_to_string (sipservlet_address_get_uri (remote))
                        : g_strdup (session->remote_target);
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);

  if (!initial && session->route_set->len > 0)
    {
      SipAddress *first = sipservlet_address_parse (session->route_set->pdata[0], NULL);
      gboolean loose = first != NULL
        && sipservlet_uri_get_lr_param (sipservlet_address_get_uri (first));
      guint start = 0;
      if (first != NULL && !loose)
        {
          /* RFC 3261 §12.2.1.1: a strict router gets the Request-URI, the
           * remote target goes last in Route. */
          g_free (ruri);
          ruri = sipservlet_uri_to_string (sipservlet_address_get_uri (first));
          start = 1;
        }
      for (guint i = start; i < session->route_set->len; i++)
        g_ptr_array_add (routes, g_strdup (session->route_set->pdata[i]));
      if (first != NULL && !loose)
        g_ptr_array_add (routes, g_strdup_printf ("<%s>", session->remote_target));
      g_clear_pointer (&first, sipservlet_address_unref);
    }

  msg_t *msg = build_request (container, method, ruri, from_text, to_text,
                              session->call_id, ++session->local_cseq, routes,
                              method_has_contact (method));
  SipServletRequest *request = NULL;
  if (msg == NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                 "cannot build a %s request in session %s", method, session->id);
  else
    {
      request = sipsv_uac_new_request (container, session, msg);
      request->initial = initial;
    }
  g_ptr_array_unref (routes);
  g_free (ruri);
  if (initial)
    {
      g_free (initial_to);
      sipservlet_address_unref (remote);
    }
  return request;
}

/* ---- sending ------------------------------------------------------------------------ */

/* Whether a request inside a dialog goes to an application of this
 * container: its next hop is ours (a Record-Route of a composed chain, or
 * the Contact of an application acting as the dialog's UAS). */
static gboolean
next_hop_is_ours (SipServletRequest *request, msg_t *msg)
{
  SipsvStack *stack = &sipsv_runtime (request->base.container)->stack;
  sip_t const *sip = sip_object (msg);
  return request->destination == NULL && sip->sip_to->a_tag != NULL
         && sipsv_stack_url_is_self (stack, sipsv_stack_next_hop (msg, NULL));
}

/* An ACK to an application of this container: delivered in process, as
 * a proxy forwards it (it has no response). Takes msg. */
static void
deliver_ack (SipServletRequest *ack, msg_t *msg)
{
  sipsv_stack_deliver_local (&sipsv_runtime (ack->base.container)->stack, msg, NULL, NULL);
}

static gboolean
send_ack (SipServletRequest *ack, GError **error)
{
  SipContainer *container = ack->base.container;
  if (next_hop_is_ours (ack, ack->base.msg))
    {
      msg_t *copy = msg_dup (ack->base.msg);
      if (copy == NULL)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "cannot copy the ACK");
          return FALSE;
        }
      deliver_ack (ack, copy);
      return TRUE;
    }
  nta_outgoing_t *orq = sipsv_stack_client_transaction (&sipsv_runtime (container)->stack, NULL,
                                                        NULL, NULL, msg_ref_create (ack->base.msg));
  if (orq == NULL)
    {
      msg_destroy (ack->base.msg);   /* the reference mcreate did not take */
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT, "cannot send the ACK");
      return FALSE;
    }
  ack->orq = orq;
  return TRUE;
}

/* The container goes away before the final response: the transaction
 * and its reference on the request go now. */
static void
abandon (gpointer data)
{
  SipServletRequest *request = data;
  if (request->client != NULL)
    sipsv_client_call_abandon (request);
  if (request->orq != NULL)
    {
      nta_outgoing_destroy (request->orq);
      request->orq = NULL;
    }
  if (request->hop_out != NULL)
    sipsv_hop_close (g_steal_pointer (&request->hop_out));
  sipservlet_request_unref (request);      /* the transaction reference */
}

/* A client transaction for msg (a reference is taken), out of socket tp;
 * an INVITE sent with a callback reports 100 Trying to its call state. */
static nta_outgoing_t *
start_transaction (SipServletRequest *request, msg_t *msg, tport_t *tp)
{
  SipsvStack *stack = &sipsv_runtime (request->base.container)->stack;
  const url_string_t *route = (const url_string_t *) request->destination;
  nta_outgoing_magic_t *magic = (nta_outgoing_magic_t *) request;

  if (request->client != NULL && sip_object (msg)->sip_request->rq_method == sip_method_invite)
    return sipsv_stack_client_transaction_with_100 (stack, on_response, magic, route,
                                                    msg_ref_create (msg), tp);
  return sipsv_stack_client_transaction_from (stack, on_response, magic, route,
                                              msg_ref_create (msg), tp);
}

/* Asks the application router where an initial request goes (JSR 289
 * §15.4.1), with the directive, region and state the application set
 * (sipservlet_request_set_routing_directive(); a B2BUA's other leg
 * continues the original). */
static SipsvOnward
route_onward (SipServletRequest *request, msg_t *msg, gpointer *routing,
              GDestroyNotify *routing_free)
{
  SipsvRuntime *runtime = sipsv_runtime (request->base.container);

  if (request->initial && request->destination == NULL && runtime->route_onward != NULL)
    {
      SipsvOnward where = runtime->route_onward (request->base.container, request,
                                                 request->directive, request->region,
                                                 request->router_state, request->depth, routing,
                                                 routing_free);
      if (where != SIPSV_ONWARD_OUT)
        return where;
    }
  return next_hop_is_ours (request, msg) ? SIPSV_ONWARD_APPLICATION : SIPSV_ONWARD_OUT;
}

/* Hands msg (taken) to the next application of this container (lib/
 * runtime/hop.c) in place of a client transaction. */
static void
send_in_process (SipServletRequest *request, msg_t *msg, gpointer routing,
                 GDestroyNotify routing_free)
{
  SipsvRuntime *runtime = sipsv_runtime (request->base.container);

  if (request->hop_out != NULL)
    sipsv_hop_close (request->hop_out);
  request->hop_out = sipsv_hop_new (runtime, request->linked, request->depth + 1, NULL,
                                    on_hop_response, request);
  request->hop_out_role = &sipsv_hop_upstream_role;
  sipsv_hop_set_routing (request->hop_out, routing, routing_free);
  sipsv_hop_send (request->hop_out, msg);
}

/* Sends msg (not taken) for request: to another application in process,
 * or in a client transaction from the socket it leaves from. */
static gboolean
send_message (SipServletRequest *request, msg_t *msg, GError **error)
{
  SipsvStack *stack = &sipsv_runtime (request->base.container)->stack;
  gpointer routing = NULL;
  GDestroyNotify routing_free = NULL;

  switch (route_onward (request, msg, &routing, &routing_free))
    {
    case SIPSV_ONWARD_FAILED:
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "the application router failed for this request (see the log)");
      return FALSE;
    case SIPSV_ONWARD_APPLICATION:
      {
        msg_t *copy = msg_dup (msg);
        if (copy == NULL)
          {
            if (routing_free != NULL)
              routing_free (routing);
            g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                         "cannot copy the request");
            return FALSE;
          }
        send_in_process (request, copy, routing, routing_free);
        return TRUE;
      }
    case SIPSV_ONWARD_OUT:
      break;
    }
  const url_string_t *route = (const url_string_t *) request->destination;
  /* Chosen once: our Contact names the socket the request leaves from. */
  tport_t *tp = sipsv_stack_route_primary (stack, sipsv_stack_next_hop (msg, route), NULL);
  sipsv_stack_contact_follow (stack, msg, tp);
  if (request->destination != NULL && request->destination_existing
      && !sipsv_stack_has_connection (stack, request->destination))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                   "no connection to the destination is open any more");
      return FALSE;
    }
  nta_outgoing_t *orq = start_transaction (request, msg, tp);
  if (orq == NULL)
    {
      msg_destroy (msg);   /* the reference the transaction did not take */
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                   "cannot send the %s request", request->base.sip->sip_request->rq_method_name);
      return FALSE;
    }
  if (request->orq != NULL)
    {
      /* A re-send: the old transaction is ending inside its own callback. */
      sipsv_runtime_defer (sipsv_runtime (request->base.container),
                           (SipsvWorkFunc) nta_outgoing_destroy, request->orq);
    }
  request->orq = orq;
  return TRUE;
}

gboolean
sipservlet_request_send (SipServletRequest *request, GError **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  SipContainer *container = request->base.container;
  SipSession *session = request->base.session;
  sip_method_t method = request->base.sip->sip_request->rq_method;

  if (request->base.incoming || request->sent)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   request->sent ? "the request was already sent"
                                 : "a received request cannot be sent");
      return FALSE;
    }
  if (sipsv_runtime (container)->shutting_down)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_SHUTTING_DOWN,
                   "the container is shutting down");
      return FALSE;
    }
  if (session != NULL && !session->valid)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request's session is invalidated");
      return FALSE;
    }

  if (method != sip_method_cancel)
    sipsv_ua_timer_decorate_request (request);
  if (method == sip_method_ack)
    {
      if (!send_ack (request, error))
        return FALSE;
      if (session != NULL)
        {
          g_clear_pointer (&session->uac_ack, sipservlet_request_unref);
          session->uac_ack = sipservlet_request_ref (request);
        }
    }
  else if (method == sip_method_cancel)
    {
      SipServletRequest *invite = request->invite;
      if (invite == NULL || (invite->orq == NULL && invite->hop_out == NULL)
          || invite->final_status != 0)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                       "the INVITE has completed and can no longer be cancelled");
          return FALSE;
        }
      /* With the headers the application added (RFC 3326 Reason...). */
      if (invite->hop_out != NULL)
        {
          sip_reason_t *reason = request->base.sip->sip_reason;
          sipsv_hop_cancel (invite->hop_out,
                            reason != NULL ? sipsv_header_value (request->base.msg,
                                                                 (msg_header_t *) reason)
                                           : NULL);
        }
      else
        request->orq = sipsv_stack_cancel_transaction_as (invite->orq, request->base.msg);
      if (request->orq == NULL && invite->hop_out == NULL)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                       "cannot send the CANCEL");
          return FALSE;
        }
    }
  else
    {
      if (!send_message (request, request->base.msg, error))
        return FALSE;
      sipservlet_request_ref (request);      /* the transaction reference */
      sipsv_runtime_keep (sipsv_runtime (container), &request->kept, request, abandon);
      if (session != NULL)
        {
          sipsv_session_transaction_begin (session);
          if (method == sip_method_invite)
            session->invite_uac_pending = TRUE;
          if (request->initial && session->initial_request == NULL)
            session->initial_request = sipservlet_request_ref (request);
          /* A NOTIFY may come before the final response and establish the
           * dialog (lib/ua/subscription.c): findable without remote tag. */
          if (request->initial && (method == sip_method_subscribe || method == sip_method_refer)
              && session->state == SIPSERVLET_SESSION_STATE_INITIAL)
            sipsv_session_register_dialog (session);
        }
    }
  request->sent = TRUE;
  request->base.committed = TRUE;
  return TRUE;
}

msg_t *
sipsv_uac_next_copy (SipServletRequest *request)
{
  SipSession *session = request->base.session;
  msg_t *copy = msg_dup (request->base.msg);
  sip_t *csip = sip_object (copy);

  if (csip->sip_via != NULL)
    msg_header_remove_all (copy, (msg_pub_t *) csip, (msg_header_t *) csip->sip_via);
  guint32 cseq = session != NULL ? ++session->local_cseq : csip->sip_cseq->cs_seq + 1;
  msg_header_replace (copy, (msg_pub_t *) csip, (msg_header_t *) csip->sip_cseq,
                      (msg_header_t *) sip_cseq_create (msg_home (copy), cseq,
                                                        csip->sip_request->rq_method,
                                                        csip->sip_request->rq_method_name));
  return copy;
}

gboolean
sipsv_uac_resend (SipServletRequest *request, msg_t *msg)
{
  if (!send_message (request, msg, NULL))
    {
      msg_destroy (msg);
      return FALSE;
    }
  msg_destroy (request->base.msg);
  request->base.msg = msg;
  request->base.sip = sip_object (msg);
  return TRUE;
}

/* ---- responses ------------------------------------------------------------------------- */

static void
learn_dialog (SipSession *session, sip_t const *sip)
{
  GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);

  sipsv_session_set_remote_tag (session, sip->sip_to->a_tag);
  /* UAC route set: Record-Route in reverse order (RFC 3261 §12.1.2). */
  for (sip_record_route_t const *rr = sip->sip_record_route; rr; rr = rr->r_next)
    g_ptr_array_insert (routes, 0, sip_header_as_string (NULL, (sip_header_t const *) rr));
  for (guint i = 0; i < routes->len; i++)
    {
      char *su = routes->pdata[i];
      routes->pdata[i] = g_strdup (su);
      su_free (NULL, su);
    }
  sipsv_session_set_route_set (session, routes);
  g_ptr_array_unref (routes);
  if (sip->sip_contact != NULL)
    sipsv_session_set_remote_target_url (session, sip->sip_contact->m_url);
  sipsv_session_register_dialog (session);
}

/* JSR 289 §6.2.1 rule 3: a UAC session tracks the dialog, but a non-2xx
 * final response in INITIAL or EARLY returns it to INITIAL. */
static void
update_session (SipServletRequest *request, sip_t const *sip, guint status)
{
  SipSession *session = request->base.session;
  sip_method_t method = request->base.sip->sip_request->rq_method;

  if (session == NULL)
    return;
  if (request->initial && session->dialog_method
      && (session->state == SIPSERVLET_SESSION_STATE_INITIAL
          || session->state == SIPSERVLET_SESSION_STATE_EARLY))
    {
      if (status > 100 && status < 300 && sip->sip_to->a_tag != NULL)
        {
          /* The first early dialog wins; a 2xx fixes the dialog. */
          if (session->state == SIPSERVLET_SESSION_STATE_INITIAL || status >= 200)
            learn_dialog (session, sip);
          sipsv_session_set_state (session, status >= 200 ? SIPSERVLET_SESSION_STATE_CONFIRMED
                                                          : SIPSERVLET_SESSION_STATE_EARLY);
        }
      else if (status >= 300)
        {
          sipsv_session_set_remote_tag (session, NULL);
          sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_INITIAL);
        }
    }
  else if (method == sip_method_bye && status >= 200)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_TERMINATED);
  else if ((method == sip_method_invite || method == sip_method_update
            || method == sip_method_subscribe)
           && status >= 200 && status < 300 && sip->sip_contact
           && g_strcmp0 (sip->sip_to->a_tag, session->remote_tag) == 0)
    {
      /* The 2xx to a target refresh request (RFC 3261 §12.2.1.2): a
       * re-INVITE, UPDATE (RFC 3311) or SUBSCRIBE (RFC 6665). */
      sipsv_session_set_remote_target_url (session, sip->sip_contact->m_url);
    }
  /* Our NOTIFY starts or ends a subscription usage (RFC 5057). */
  if (method == sip_method_notify && status >= 200 && status < 300)
    sipsv_ua_subscription_notified (session, request->base.sip);
}

static void
resend_ack (SipSession *session, sip_t const *sip)
{
  /* The 2xx may come from a fork: its dialog is a derived session. */
  if (g_strcmp0 (sip->sip_to->a_tag, session->remote_tag) != 0 && session->manager != NULL)
    session = sipsv_session_lookup (session->manager, session->call_id, session->local_tag,
                                    sip->sip_to->a_tag);
  SipServletRequest *ack = session != NULL ? session->uac_ack : NULL;
  if (ack == NULL)
    return;
  /* Same ACK again, without the Via NTA added the first time. */
  msg_t *copy = msg_dup (ack->base.msg);
  sip_t *csip = sip_object (copy);
  if (csip->sip_via != NULL)
    msg_header_remove_all (copy, (msg_pub_t *) csip, (msg_header_t *) csip->sip_via);
  if (next_hop_is_ours (ack, copy))
    {
      deliver_ack (ack, copy);
      return;
    }
  nta_outgoing_t *orq = sipsv_stack_client_transaction (&sipsv_runtime (ack->base.container)->stack,
                                                        NULL, NULL, NULL, copy);
  if (orq == NULL)
    msg_destroy (copy);
  else
    nta_outgoing_destroy (orq);
}

static void
on_linger_end (gpointer data)
{
  SipSession *session = data;
  g_clear_pointer (&session->uac_invite, sipservlet_request_unref);
  g_clear_pointer (&session->uac_ack, sipservlet_request_unref);
}

static void
linger_for_retransmissions (SipSession *session, SipServletRequest *invite)
{

  g_clear_pointer (&session->uac_invite, sipservlet_request_unref);
  session->uac_invite = invite;   /* takes the transaction reference */
  if (session->linger_timer == NULL)
    session->linger_timer = sipsv_timer_new (session->manager->timers, on_linger_end, session);
  sipsv_timer_start (session->linger_timer, 64 * sipsv_runtime (invite->base.container)->t1);
}

/* A 2xx to INVITE waits in the session until the servlet creates its ACK
 * (JSR 289 getPendingMessages, UAC side). */
static void
add_pending_2xx (SipSession *session, SipServletResponse *response)
{
  if (session->pending_uac == NULL)
    session->pending_uac = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_response_unref);
  g_ptr_array_add (session->pending_uac, sipservlet_response_ref (response));
}

/* A 2xx from another fork of an initial INVITE: a new dialog, so a
 * derived session (JSR 289 §6.2.3.2). NULL for a retransmission of a 2xx
 * whose dialog is known. */
static SipSession *
derived_session (SipServletRequest *request, sip_t const *sip)
{
  SipSession *session = request->base.session;
  const char *tag = sip->sip_to->a_tag;

  if (!request->initial || tag == NULL || session->manager == NULL || !session->valid
      || !session->app->valid || g_strcmp0 (tag, session->remote_tag) == 0
      || sipsv_session_lookup (session->manager, session->call_id, session->local_tag, tag) != NULL)
    return NULL;

  SipSession *derived = sipsv_session_new (session->app, TRUE, session->call_id,
                                           session->local_tag, NULL, NULL);
  SipAddress *local = sipsv_session_local_party (session);
  SipAddress *remote = sipsv_session_remote_party (session);
  derived->local_party = local ? sipservlet_address_clone (local) : NULL;
  derived->remote_party = remote ? sipservlet_address_clone (remote) : NULL;
  derived->dialog_method = session->dialog_method;
  derived->invite_dialog = session->invite_dialog;
  derived->local_cseq = session->local_cseq;
  derived->had_transaction = TRUE;
  if (session->handler != NULL)
    derived->handler = sipservlet_servlet_ref (session->handler);
  learn_dialog (derived, sip);
  sipsv_session_set_state (derived, SIPSERVLET_SESSION_STATE_CONFIRMED);
  sipservlet_session_unref (derived);      /* the application session keeps it */
  return derived;
}

/* The response msg just received for request (from its client
 * transaction orq, or from another application: orq NULL). */
static SipServletResponse *
received_response (SipContainer *container, SipServletRequest *request, msg_t *msg,
                   nta_outgoing_t *orq)
{
  SipServletResponse *response = sipsv_response_new (container, msg_ref_create (msg), request,
                                                     TRUE);
  if (orq != NULL)
    response->base.source_tls = sipsv_stack_received_over_tls (&sipsv_runtime (container)->stack,
                                                               response->base.msg, NULL, orq);
  return response;
}

/* Hands a forked 2xx to the servlet on its derived session. */
static void
deliver (SipServletRequest *request, SipSession *session, msg_t *msg, nta_outgoing_t *orq)
{
  SipContainer *container = request->base.container;
  SipServletResponse *response = received_response (container, request, msg, orq);
  sipsv_message_set_session (&response->base, session);
  add_pending_2xx (session, response);
  SipServlet *servlet
      = session->handler != NULL ? session->handler : sipsv_runtime (container)->default_servlet;
  if (request->client != NULL)
    sipsv_client_call_on_forked_2xx (request, response);
  else if (servlet != NULL)
    sipsv_servlet_dispatch_response (servlet, response);
  sipservlet_response_unref (response);
}

/* A response to request: msg (taken) from its client transaction orq, or
 * from the application it was sent to in process (orq NULL). */
static void
handle_response (SipServletRequest *request, msg_t *msg, nta_outgoing_t *orq)
{
  SipContainer *container = request->base.container;
  SipSession *session = request->base.session;
  gboolean invite = request->base.sip->sip_request->rq_method == sip_method_invite;
  sip_t const *sip = sip_object (msg);
  guint status = sip->sip_status->st_status;
  if (invite && status < 200 && !request->provisional_seen)
    {
      request->provisional_seen = TRUE;
      /* sipservlet_session_terminate() waited for this to CANCEL. */
      if (session != NULL && session->terminate_on_provisional && request->initial)
        {
          session->terminate_on_provisional = FALSE;
          sipsv_ua_send_cancel (request, NULL);
        }
    }
  if (status == 100)
    {
      if (request->client != NULL)
        sipsv_client_call_saw_provisional (request);
      goto done;
    }
  /* Reliable provisionals are retransmitted until PRACKed: deliver each
   * RSeq once (RFC 3262 §4). */
  if (status < 200 && sip->sip_rseq != NULL)
    {
      if (sip->sip_rseq->rs_response <= request->last_rseq)
        goto done;
      request->last_rseq = sip->sip_rseq->rs_response;
    }
  if (status == 422 && request->final_status == 0 && sipsv_ua_timer_retry (request, sip))
    goto done;
  if ((status == 401 || status == 407) && request->final_status == 0
      && sipsv_ua_auth_retry (request, sip, status))
    goto done;
  if (request->final_status != 0)
    {
      /* After the final response: 2xx retransmissions, or the 2xx of
       * another fork, which gets its own (derived) session. */
      if (invite && status >= 200 && status < 300 && session != NULL)
        {
          SipSession *forked = derived_session (request, sip);
          if (forked != NULL)
            deliver (request, forked, msg, orq);
          else if (!session->valid || !session->app->valid)
            sipsv_uac_refuse_2xx (container, msg);  /* nobody may have this dialog any more */
          else
            resend_ack (session, sip);
        }
      goto done;
    }

  SipServletResponse *response = received_response (container, request, msg, orq);
  sipsv_message_set_session (&response->base, session);
  if (session != NULL)
    sipsv_application_session_touch (session->app);
  update_session (request, sip, status);
  sipsv_ua_timer_response_received (request, sip, status);
  if (status >= 200)
    {
      request->final_status = status;
      sipsv_runtime_forget (sipsv_runtime (container), &request->kept);
      if (session != NULL)
        {
          if (invite)
            session->invite_uac_pending = FALSE;
          /* Not in an invalidated session: nothing would release it
           * (the response holds the session, a reference cycle). */
          if (invite && status < 300 && session->valid)
            add_pending_2xx (session, response);
          sipsv_session_transaction_end (session);
        }
    }

  SipServlet *servlet = session != NULL && session->handler != NULL
    ? session->handler : sipsv_runtime (container)->default_servlet;
  /* A 2xx to an INVITE the session was told to end: ACK, then BYE. */
  gboolean unwanted = invite && status >= 200 && status < 300 && session != NULL
                      && session->terminate_on_2xx && request->initial
                      && request->client == NULL;
  if (request->internal || unwanted)
    {
      if (invite && status >= 200 && status < 300 && session != NULL && session->valid)
        {
          if (unwanted)
            sipsv_ua_ack_and_bye (response, NULL);
          else
            sipsv_ua_send_ack (response, NULL);
        }
    }
  else if (request->client != NULL)
    sipsv_client_call_on_response (request, response, status);
  else if (servlet != NULL && (session == NULL || session->valid))
    sipsv_servlet_dispatch_response (servlet, response);
  else if (invite && status >= 200 && status < 300 && session != NULL && !session->valid)
    sipsv_uac_refuse_2xx (container, response->base.msg);   /* nobody may have the dialog */

  if (status >= 200)
    {
      if (invite && status < 300 && session != NULL && session->valid)
        linger_for_retransmissions (session, request);
      else
        sipsv_runtime_release_later (sipsv_runtime (container), request);
    }
  sipservlet_response_unref (response);
done:
  msg_destroy (msg);
}

static int
on_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
  SipServletRequest *request = (SipServletRequest *) magic;

  if (sip == NULL || sip->sip_status == NULL)
    return 0;
  sipsv_metrics_response_received (&sipsv_runtime (request->base.container)->stack.metrics,
                                   sip->sip_status->st_status);
  handle_response (request, nta_outgoing_getresponse (orq), orq);
  return 0;
}

static void
on_hop_response (gpointer client, msg_t *response)
{
  sip_t const *sip = sip_object (response);
  if (sip == NULL || sip->sip_status == NULL)
    {
      msg_destroy (response);
      return;
    }
  handle_response (client, response, NULL);
}

/* ---- ACK and CANCEL --------------------------------------------------------------------------- */

SipServletRequest *
sipservlet_response_create_ack (SipServletResponse *response, GError **error)
{
  g_return_val_if_fail (response != NULL, NULL);
  SipServletRequest *invite = response->request;
  sip_t *sip = response->base.sip;
  guint status = sip->sip_status->st_status;
  SipSession *session = response->base.session;

  if (!response->base.incoming || invite == NULL
      || invite->base.sip->sip_request->rq_method != sip_method_invite
      || status < 200 || status >= 300)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only a received 2xx response to INVITE can be acknowledged");
      return NULL;
    }
  if (response->branch != NULL || (session != NULL && session->proxy))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a proxied response is acknowledged by the caller, not by the proxy");
      return NULL;
    }
  if (response->acked)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "an ACK was already created for this response");
      return NULL;
    }

  SipContainer *container = response->base.container;
  const char *target = session != NULL && session->remote_target ? session->remote_target : NULL;
  /* To the dialog's remote target (RFC 3261 §13.2.2.4), with the From
   * and To of the 2xx (its To-tag). */
  msg_t *msg = sipsv_message_build_in_transaction (
    &sipsv_runtime (container)->stack, sip, sip_method_ack, "ACK",
    target != NULL ? URL_STRING_MAKE (target)
                   : (url_string_t const *) invite->base.sip->sip_request->rq_url,
    FALSE);
  sip_t *asip = sip_object (msg);
  for (guint i = 0; session != NULL && i < session->route_set->len; i++)
    sip_add_make (msg, asip, sip_route_class, session->route_set->pdata[i]);

  SipServletRequest *ack = sipsv_uac_new_request (container, session, msg);
  ack->invite = sipservlet_request_ref (invite);
  /* Each dialog's 2xx is acknowledged once (a fork's 2xx is another
   * response, on its own derived session). */
  response->acked = TRUE;
  if (session != NULL && session->pending_uac != NULL)
    g_ptr_array_remove (session->pending_uac, response);
  return ack;
}

SipServletRequest *
sipservlet_response_create_prack (SipServletResponse *response, GError **error)
{
  g_return_val_if_fail (response != NULL, NULL);
  sip_t *sip = response->base.sip;
  guint status = sip->sip_status->st_status;
  SipServletRequest *invite = response->request;

  if (!response->base.incoming || invite == NULL || invite->base.incoming
      || status <= 100 || status >= 200 || sip->sip_rseq == NULL
      || invite->base.sip->sip_request->rq_method != sip_method_invite)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only a received reliable provisional response to our INVITE can be PRACKed");
      return NULL;
    }
  if (response->pracked)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a PRACK was already created for this response");
      return NULL;
    }
  SipServletRequest *prack = sipservlet_session_create_request (response->base.session, "PRACK",
                                                                error);
  if (prack == NULL)
    return NULL;
  char rack[64];
  g_snprintf (rack, sizeof rack, "%u %u INVITE", (guint) sip->sip_rseq->rs_response,
              (guint) sip->sip_cseq->cs_seq);
  sip_add_make (prack->base.msg, prack->base.sip, sip_rack_class, rack);
  response->pracked = TRUE;
  return prack;
}

SipServletRequest *
sipservlet_request_create_cancel (SipServletRequest *request, GError **error)
{
  g_return_val_if_fail (request != NULL, NULL);
  sip_t *sip = request->base.sip;

  if (request->base.incoming || !request->sent
      || (request->orq == NULL && request->hop_out == NULL)
      || sip->sip_request->rq_method != sip_method_invite || request->final_status != 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only a sent INVITE without a final response can be cancelled");
      return NULL;
    }
  SipContainer *container = request->base.container;
  /* RFC 3261 §9.1: the INVITE's Request-URI, From, To, Call-ID, CSeq
   * number and Route. */
  msg_t *msg = sipsv_message_build_in_transaction (
      &sipsv_runtime (container)->stack, sip, sip_method_cancel, "CANCEL",
      (url_string_t const *) sip->sip_request->rq_url, TRUE);
  SipServletRequest *cancel = sipsv_uac_new_request (container, request->base.session, msg);
  cancel->invite = sipservlet_request_ref (request);
  return cancel;
}
