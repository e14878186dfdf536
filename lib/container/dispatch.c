/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - request classification and dispatch (JSR 289 Appendix B).
 *
 * Every request that matches no server transaction arrives here from the
 * agent's message callback (there is no default leg). In order:
 *   responses without a transaction -> the UAC layer;
 *   ACK -> the session's pending 2xx (lib/ua/uas.c), or dropped;
 *   the rate limit per source and the transaction guard (overload.c);
 *   ACK of our own stateless answer to an INVITE -> dropped;
 *   checks: shutdown 503, Max-Forwards 483, Require 420, stray CANCEL 481;
 *   the security policy (security.c): relaying 403, digest challenges,
 *   identity 403, trusted sources;
 *   To-tag -> a subsequent request of a known dialog, else routed on when
 *   it is addressed elsewhere, else 481;
 *   BYE/PRACK without To-tag -> 481 (never initial);
 *   everything else -> initial: new application session and session, the
 *   servlet for the method (else the default servlet).
 * Parse errors, missing mandatory headers, bad versions and oversized
 * messages are answered by NTA itself (400 naming the bad header, 505, 413)
 * before they reach this file.
 */
#include "config-private.h"

#include <string.h>

#include "format-private.h"
#include "log-private.h"
#include "container/container-private.h"
#include "proxy/proxy-private.h"
#include "ua/ua-private.h"

static void
reply_stateless (SipContainer *container, msg_t *msg, int status, const char *phrase)
{
  sipsv_stack_reply (&container->runtime.stack, msg, status, phrase, NULL);
}

/* Runs the servlet and enforces "answer, defer or get 500". */
static void
run_servlet (SipServlet *servlet, SipServletRequest *request)
{
  if (servlet == NULL || !sipsv_servlet_dispatch_request (servlet, request))
    sipsv_uas_apply_default (request);
  else if (!request->final_sent && !request->deferred && !request->cancelled
           && request->proxy == NULL)
    {
      g_warning ("servlet '%s' returned from %s without answering or deferring it: "
                 "answering 500", servlet->name,
                 request->base.sip->sip_request->rq_method_name);
      sipsv_uas_answer (request, 500, "Request Not Answered");
    }
  sipservlet_request_unref (request);
}

/* NTA rejects unparseable critical headers itself but lets others
 * through as errors; these ones the container relies on, so a broken value
 * is a 400 naming the header rather than a silently ignored header. */
static const char *
bad_header (sip_t const *sip)
{
  static msg_hclass_t *const critical[] = {
    sip_max_forwards_class, sip_contact_class, sip_route_class, sip_record_route_class,
    sip_require_class, sip_proxy_require_class, sip_expires_class, sip_content_type_class,
    sip_replaces_class,
  };

  for (msg_header_t const *h = (msg_header_t const *) sip->sip_error; h != NULL; h = h->sh_next)
    {
      /* A header that failed to parse keeps its name in the error record. */
      const char *name = h->sh_class == sip_error_class ? h->sh_error->er_name
                                                        : h->sh_class->hc_name;
      for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (critical); i++)
        if (g_ascii_strcasecmp (name, critical[i]->hc_name) == 0
            || (critical[i]->hc_short[0] != '\0'
                && g_ascii_strcasecmp (name, critical[i]->hc_short) == 0))
          return critical[i]->hc_name;
    }
  return NULL;
}

static char *
allowed_methods (SipContainer *container)
{
  GList *keys = g_hash_table_get_keys (container->servlets_by_method);
  GString *allow = g_string_new (NULL);
  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", (char *) l->data);
  g_list_free (keys);
  return g_string_free (allow, FALSE);
}

static void
handle_subsequent (SipContainer *container, SipSession *session, msg_t *msg, sip_t *sip,
                   char *remote_user)
{
  g_autofree char *user = remote_user;
  guint32 cseq = sip->sip_cseq->cs_seq;

  /* RFC 3261 §12.2.2: a lower CSeq than the last one is out of order. */
  if (session->have_remote_cseq && cseq < session->remote_cseq)
    {
      reply_stateless (container, msg, 500, "CSeq Out of Order");
      return;
    }
  /* RFC 3261 §14.2: one INVITE transaction at a time in each direction. */
  if (sip->sip_request->rq_method == sip_method_invite && session->invite_uac_pending)
    {
      reply_stateless (container, msg, 491, "Request Pending");
      return;
    }
  if (sip->sip_request->rq_method == sip_method_invite && session->invite_uas_pending)
    {
      sipsv_stack_reply (&container->runtime.stack, msg, 500, "Previous INVITE Pending",
                         "Retry-After: 2");
      return;
    }
  session->remote_cseq = cseq;
  session->have_remote_cseq = TRUE;
  if (sipsv_ua_timer_reject_brief (&container->runtime, msg, sip))
    return;

  SipServletRequest *request = sipsv_uas_accept (container, msg, sip, session, FALSE);
  if (request != NULL)
    request->base.remote_user = g_steal_pointer (&user);
  if (request != NULL && sipsv_ua_timer_on_request (request))
    {
      sipservlet_request_unref (request);
      return;
    }
  if (request != NULL)
    run_servlet (session->handler ? session->handler : container->runtime.default_servlet, request);
}

/* A request inside a dialog this container proxies (or a request routed
 * through us whose dialog we do not know): the servlet sees it first, then
 * it goes on along the route set. */
static void
handle_proxy_subsequent (SipContainer *container, SipSession *session, msg_t *msg,
                         sip_t *sip, char *popped, char *remote_user)
{
  SipServletRequest *request = sipsv_uas_accept (container, msg, sip, session, FALSE);
  if (request == NULL)
    {
      g_free (popped);
      g_free (remote_user);
      return;
    }
  request->popped_route = popped;
  request->base.remote_user = remote_user;
  sipsv_proxy_note_request (session, sip);
  sipsv_proxy_new (request);
  if (session != NULL && session->handler != NULL)
    sipsv_servlet_dispatch_request (session->handler, request);
  if (!request->final_sent && request->proxy->state == SIPSV_PROXY_CONFIGURING)
    sipsv_proxy_forward_subsequent (request);
  sipservlet_request_unref (request);
}

/* A request inside a dialog we do not know, with no Route of ours: it is
 * ours to refuse (481) only when it is addressed to us. Otherwise it is
 * routed on as RFC 3261 §16 says: a phone that sends everything to its
 * outbound proxy sends its BYE there even when the proxy did not
 * record-route. (After our own Route was popped, a Route left names the
 * next hop.) */
static gboolean
addressed_elsewhere (SipContainer *container, sip_t const *sip)
{
  return sip->sip_route != NULL
         || !sipsv_stack_url_is_self (&container->runtime.stack, sip->sip_request->rq_url);
}

/* Call-ID, From tag, CSeq number and method: what RFC 3261 §8.2.2.2
 * compares to find merged requests. */
static char *
initial_request_key (const sip_t *sip)
{
  char cseq[24];

  return g_strconcat (sip->sip_call_id->i_id, "\n", sip->sip_from->a_tag ? sip->sip_from->a_tag : "",
                      "\n", sipsv_format_uint (cseq, sip->sip_cseq->cs_seq), " ",
                      sip->sip_cseq->cs_method_name, NULL);
}

/* The application session an initial request joins: the one it targets,
 * the one its application's key names, or a new one (borrowed: the
 * manager owns valid application sessions). */
static SipApplicationSession *
application_session_for (SipContainer *container, SipsvRouting *routing)
{
  SipsvSessionManager *manager = &container->runtime.sessions;
  SipApplication *application = routing->application;
  SipApplicationSession *app;

  if (routing->join != NULL && routing->join->valid)
    return routing->join;
  if (application != NULL && routing->key != NULL)
    {
      app = sipsv_session_manager_find_by_key (manager, application->name, routing->key);
      if (app != NULL)
        return app;
    }
  app = sipsv_application_session_new_in (manager,
                                          application != NULL ? application->scope : NULL);
  if (application != NULL && routing->key != NULL)
    sipsv_session_manager_bind_key (manager, app, application->name, routing->key);
  return app;
}

static void
handle_initial (SipContainer *container, msg_t *msg, sip_t *sip, char *popped,
                char *remote_user)
{
  const char *method = sip->sip_request->rq_method_name;
  /* From another application of this container (route-onward.c): the
   * router has chosen already. */
  SipsvHop *hop = sipsv_hop_of (&container->runtime, msg);
  const SipRouterInfo *chosen = hop != NULL ? hop->routing : NULL;
  gboolean routed = container->router.set;
  SipServlet *servlet = routed ? NULL : sipsv_container_select_servlet (container, method);
  gboolean dialog = sipsv_method_creates_dialog (method);
  SipsvRouting routing = { 0 };

  g_autofree char *popped_owned = popped;
  g_autofree char *user = remote_user;
  popped = NULL;
  /* RFC 3261 §8.2.2.2: another copy of a request this container serves as
   * a UAS (forked upstream, arriving by another path; a retransmission
   * would have matched its transaction) is refused. A copy of a request we
   * proxied is a spiral and is served again. */
  g_autofree char *merge_key = hop == NULL ? initial_request_key (sip) : NULL;
  SipServletRequest *first
      = merge_key != NULL
            ? sipsv_request_index_find (&container->runtime.sessions.initial_requests, merge_key)
            : NULL;
  if (first != NULL && first->proxy == NULL)
    {
      reply_stateless (container, msg, 482, "Loop Detected");
      return;
    }
  if (!routed && servlet == NULL)
    {
      char *allow = allowed_methods (container);
      char *header = g_strconcat ("Allow: ", allow, NULL);
      sipsv_stack_reply (&container->runtime.stack, msg, 405, "Method Not Allowed", header);
      g_free (header);
      g_free (allow);
      return;
    }
  /* RFC 3261 §8.2.2.1: a Request-URI scheme we cannot handle gets 416. */
  enum url_type_e scheme = sip->sip_request->rq_url->url_type;
  if (scheme != url_sip && scheme != url_sips && scheme != url_tel)
    {
      reply_stateless (container, msg, 416, "Unsupported URI Scheme");
      return;
    }
  /* Servlets get a Request-URI (JSR 289; the getter is not nullable):
   * one that sofia's parser let through and ours refuses (a host with a
   * '~', found by tests/fuzz/) is refused here. Parsed once, for them. */
  g_autoptr (SipURI) request_uri = sipsv_request_parse_uri (sip, NULL);
  if (request_uri == NULL)
    {
      reply_stateless (container, msg, 400, "Bad Request-URI");
      return;
    }
  /* RFC 3261 requires a Contact; an RFC 2543 UA may leave it out. Refused
   * only when we would be its UAS: addressed elsewhere, a proxy servlet
   * passes it on. */
  if (dialog && sip->sip_contact == NULL && !addressed_elsewhere (container, sip))
    {
      reply_stateless (container, msg, 400, "Missing Contact Header");
      return;
    }
  /* RFC 4028 §8, §9: as UAS or proxy, below our Min-SE is 422. */
  if (sipsv_ua_timer_reject_brief (&container->runtime, msg, sip))
    return;
  /* Targeted requests (targeting.c); then the application router chooses
   * the application (route-initial.c). */
  SipsvTarget target = { 0 };
  if (chosen == NULL
      && !sipsv_container_find_target (container, msg, sip, request_uri, popped_owned, &target))
    return;
  /* Without a router, only the implicit application's sessions are
   * joined: the request goes to an implicit servlet. */
  if (target.app_session != NULL && target.app_session->scope == NULL)
    routing.join = target.app_session;
  g_autofree char *initial_popped = g_strdup (popped_owned);
  if (chosen != NULL)
    {
      if (!sipsv_container_route_continued (container, msg, sip, chosen, &user, &routing))
        return;
      servlet = routing.servlet;
      if (routing.popped_route != NULL)
        {
          g_free (popped_owned);
          popped_owned = g_steal_pointer (&routing.popped_route);
        }
    }
  else if (routed)
    {
      if (!sipsv_container_route_initial (container, msg, sip, popped_owned, &target, &user,
                                          &routing))
        return;
      servlet = routing.servlet;
      if (routing.popped_route != NULL)
        {
          g_free (popped_owned);
          popped_owned = g_steal_pointer (&routing.popped_route);
        }
    }

  /* The parties stay text until someone asks for them (most never do):
   * sofia has already parsed and checked From and To. */
  char *tag = sipsv_new_tag ();
  SipApplicationSession *app = application_session_for (container, &routing);
  SipSession *session = sipsv_session_new (app, FALSE, sip->sip_call_id->i_id, tag, NULL, NULL);
  session->local_party_text = sipsv_header_value_dup ((msg_header_t *) sip->sip_to, tag);
  session->remote_party_text = sipsv_header_value_dup ((msg_header_t *) sip->sip_from, NULL);
  g_free (tag);
  session->dialog_method = dialog;
  session->invite_dialog = sip->sip_request->rq_method == sip_method_invite;
  session->remote_cseq = sip->sip_cseq->cs_seq;
  session->have_remote_cseq = TRUE;
  session->handler = sipservlet_servlet_ref (servlet);
  session->remote_tag = g_strdup (sip->sip_from->a_tag);
  if (target.session != NULL)
    sipsv_session_set_corresponding (session, target.type, target.session);
  if (dialog)
    {
      /* UAS route set: Record-Route in order (RFC 3261 §12.1.1). */
      GPtrArray *routes = g_ptr_array_new_with_free_func (g_free);
      for (sip_record_route_t *rr = sip->sip_record_route; rr; rr = rr->r_next)
        g_ptr_array_add (routes, sipsv_header_value_dup ((msg_header_t *) rr, NULL));
      sipsv_session_set_route_set (session, routes);
      g_ptr_array_unref (routes);
      /* Without a Contact (RFC 2543), the From URI is the remote target. */
      sipsv_session_set_remote_target_url (session, sip->sip_contact != NULL
                                                      ? sip->sip_contact->m_url
                                                      : sip->sip_from->a_url);
      sipsv_session_register_dialog (session);
    }

  SipServletRequest *request = sipsv_uas_accept (container, msg, sip, session, TRUE);
  if (request != NULL)
    {
      request->request_uri = g_steal_pointer (&request_uri);
      request->initial_popped_route = g_steal_pointer (&initial_popped);
      sipsv_container_routing_apply (&routing, request);
      if (merge_key != NULL)
        sipsv_request_index_add (&container->runtime.sessions.initial_requests, request,
                                 g_steal_pointer (&merge_key));
    }
  if (request != NULL && dialog)
    session->initial_request = sipservlet_request_ref (request);
  sipservlet_session_unref (session);      /* the application session keeps it */
  if (request != NULL)
    {
      request->popped_route = g_steal_pointer (&popped_owned);
      request->base.remote_user = g_steal_pointer (&user);
      sipsv_ua_timer_on_request (request);
      if (sipsv_log_enabled (G_LOG_LEVEL_DEBUG))
        sipsv_log_call (G_LOG_LEVEL_DEBUG, sip->sip_call_id->i_id,
                        routing.application != NULL
                            ? sipservlet_application_get_name (routing.application)
                            : NULL,
                        NULL, 0, "initial %s to servlet '%s'%s%s", method,
                        sipservlet_servlet_get_name (servlet),
                        routing.application != NULL ? " of application " : "",
                        routing.application != NULL
                            ? sipservlet_application_get_name (routing.application)
                            : "");
      run_servlet (servlet, request);
    }
  sipsv_container_routing_clear (&routing);
}

int
sipsv_container_on_message (nta_agent_magic_t *magic, nta_agent_t *agent,
                            msg_t *msg, sip_t *sip)
{
  SipContainer *container = (SipContainer *) magic;

  if (sip->sip_error != NULL)
    sipsv_message_drop_repeated_headers (msg, sip);
  if (sip->sip_request == NULL)
    {
      if (!sipsv_uac_stray_2xx (container, msg, sip))
        sipsv_proxy_forward_stray_response (container, msg, sip);
      return 0;
    }

  sip_method_t method = sip->sip_request->rq_method;
  const char *to_tag = sip->sip_to->a_tag;
  const char *from_tag = sip->sip_from->a_tag;
  char *popped = sipsv_proxy_pop_route (container, msg, sip);
  /* Sent by another application of this container (lib/runtime/hop.c):
   * admitted already, when it came from the network. */
  gboolean local = sipsv_stack_is_local (&container->runtime.stack, msg);
  SipsvHop *hop = sipsv_hop_of (&container->runtime, msg);

  if (!local && !sipsv_container_overload_check (container, msg, sip))
    {
      g_free (popped);
      return 0;
    }
  if (method == sip_method_ack && sipsv_stack_is_stateless_tag (&container->runtime.stack, to_tag))
    {
      msg_destroy (msg);
      g_free (popped);
      return 0;
    }
  if (method == sip_method_ack)
    {
      SipSession *session = to_tag != NULL
                                ? sipsv_session_lookup (&container->runtime.sessions,
                                                        sip->sip_call_id->i_id, to_tag, from_tag)
                                : NULL;
      SipSession *proxied = NULL;
      if (session != NULL && session->valid)
        sipsv_uas_receive_ack (container, session, msg);
      else if (popped != NULL
               || (!local && (proxied = sipsv_proxy_lookup_session (container, sip, NULL)) != NULL)
               || (to_tag != NULL && addressed_elsewhere (container, sip)))
        {
          /* The ACK a graceful shutdown may be waiting for. */
          if (popped != NULL)
            proxied = sipsv_proxy_lookup_session (container, sip, popped);
          if (proxied != NULL)
            proxied->ack_awaited_since = 0;
          sipsv_proxy_forward_stateless (container, msg, sip);
        }
      else
        msg_destroy (msg);
      g_free (popped);
      return 0;
    }
  const char *bad = bad_header (sip);
  if (bad != NULL && method != sip_method_ack)
    {
      char *phrase = g_strdup_printf ("Bad %s Header", bad);
      reply_stateless (container, msg, 400, phrase);
      g_free (phrase);
      g_free (popped);
      return 0;
    }
  if (container->runtime.shutting_down)
    {
      sipsv_stack_reply (&container->runtime.stack, msg, 503, "Service Unavailable",
                         "Retry-After: 5");
      g_free (popped);
      return 0;
    }
  /* RFC 3261 §16.3 step 2 lets an OPTIONS with Max-Forwards 0 be answered. */
  if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0
      && method != sip_method_options)
    {
      reply_stateless (container, msg, 483, "Too Many Hops");
      g_free (popped);
      return 0;
    }
  if (method == sip_method_cancel && hop != NULL && hop->downstream != NULL)
    {
      /* The application before cancelled the INVITE it sent on. */
      sipsv_uas_cancelled (hop->downstream, msg);
      g_free (popped);
      return 0;
    }
  if (method == sip_method_cancel)
    {
      reply_stateless (container, msg, 481, "Call/Transaction Does Not Exist");
      g_free (popped);
      return 0;
    }
  /* Require is for the UAS (RFC 3261 §8.2.2.3), not for proxies (§16.3):
   * check it for requests addressed to this container itself (our own
   * address, or a dialog of ours); a servlet that proxies a request never
   * sees it refused, and the proxy checks Proxy-Require instead. */
  gboolean for_us = sipsv_stack_url_is_self (&container->runtime.stack, sip->sip_request->rq_url)
                    || (to_tag != NULL
                        && sipsv_session_lookup (&container->runtime.sessions,
                                                 sip->sip_call_id->i_id, to_tag, from_tag)
                               != NULL);
  char *unsupported = for_us ? sipsv_runtime_unsupported (&container->runtime,
                                                           (msg_list_t const *) sip->sip_require)
                             : NULL;
  if (unsupported != NULL)
    {
      char *header = g_strconcat ("Unsupported: ", unsupported, NULL);
      sipsv_stack_reply (&container->runtime.stack, msg, 420, "Bad Extension", header);
      g_free (header);
      g_free (unsupported);
      g_free (popped);
      return 0;
    }

  char *user = hop != NULL ? g_strdup (hop->remote_user) : NULL;
  if (to_tag != NULL)
    {
      /* A Route of ours names a proxied dialog first: in a composed chain
       * the application after a proxy may be the dialog's UAS. */
      SipSession *proxied
          = popped != NULL ? sipsv_proxy_lookup_session (container, sip, popped) : NULL;
      if (proxied != NULL && !proxied->valid)
        proxied = NULL;
      SipSession *session = proxied == NULL ? sipsv_session_lookup (&container->runtime.sessions,
                                                                    sip->sip_call_id->i_id,
                                                                    to_tag, from_tag)
                                            : NULL;
      if (session == NULL && proxied == NULL && method == sip_method_notify)
        session = sipsv_ua_session_from_notify (container, msg, sip);
      /* In process without a Route of ours, it was meant for a UAS. */
      if (session == NULL && proxied == NULL && !local)
        proxied = sipsv_proxy_lookup_session (container, sip, NULL);
      gboolean ours = session != NULL && session->valid;
      gboolean routed = !ours
                        && ((proxied != NULL && proxied->valid) || popped != NULL
                            || addressed_elsewhere (container, sip));
      if ((ours || routed) && !local
          && !sipsv_container_security_check (container, msg, sip, TRUE, &user))
        g_free (popped);
      else if (ours)
        {
          handle_subsequent (container, session, msg, sip, user);
          g_free (popped);
        }
      else if (routed)
        handle_proxy_subsequent (container, proxied, msg, sip, popped, user);
      else
        {
          reply_stateless (container, msg, 481, "Call/Transaction Does Not Exist");
          g_free (popped);
        }
    }
  else if (method == sip_method_bye || method == sip_method_prack)
    {
      reply_stateless (container, msg, 481, "Call/Transaction Does Not Exist");
      g_free (popped);
    }
  else if (!local && !sipsv_container_security_check (container, msg, sip, FALSE, &user))
    g_free (popped);
  else
    handle_initial (container, msg, sip, popped, user);
  return 0;
}
