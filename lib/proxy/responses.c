/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - a proxy's responses: provisionals and every 2xx go
 * upstream at once (their top Via popped), other finals wait for the
 * best-response choice (RFC 3261 §16.7); the check that finishes a proxy
 * once its branches are done; requests inside proxied dialogs.
 */
#include "config-private.h"

#include <string.h>

#include "proxy/proxy-private.h"

static gboolean all_have_final (SipProxy *proxy);

static SipServlet *
response_servlet (SipProxy *proxy)
{
  SipSession *session = proxy->request->base.session;
  if (!proxy->supervised)
    return NULL;
  if (session != NULL && session->handler != NULL)
    return session->handler;
  return sipsv_runtime (proxy->container)->default_servlet;
}

/* Lets the servlet see (and change) a response before it moves on. */
static void
show_to_servlet (SipProxy *proxy, SipServletResponse *response)
{
  SipServlet *servlet = response_servlet (proxy);
  if (servlet == NULL)
    return;
  response->base.committed = FALSE;
  sipsv_servlet_dispatch_response (servlet, response);
  response->base.committed = TRUE;
}

/* Sends a branch response upstream; its top Via was popped on arrival.
 * Every 2xx to an INVITE goes up (RFC 3261 §16.7 step 5), after a
 * non-2xx final too: NTA's server transaction refuses only a second
 * 3xx-6xx, and it keeps absorbing the caller's ACK for the failure (its
 * status stays the failure's). */
static void
relay_upstream (SipProxy *proxy, SipServletResponse *response, guint status)
{
  SipServletRequest *original = proxy->request;
  sip_t *sip = response->base.sip;
  gboolean invite_2xx = original->base.sip->sip_request->rq_method == sip_method_invite
                        && status >= 200 && status < 300;

  if ((original->irq == NULL && original->hop == NULL)
      || (original->final_sent && !invite_2xx
          && (status >= 300 || original->final_status >= 300)))
    return;
  if (sip->sip_via == NULL && original->hop == NULL)
    {
      /* The downstream built it from a hop-by-hop request (a 487 from
       * CANCEL's Via): answer from our own transaction instead. (A
       * request an application created reaches the next one without a
       * Via: its responses have none and go back through the hop.) */
      if (status >= 200)
        sipsv_uas_answer (original, status, sip->sip_status->st_phrase);
      return;
    }
  sipsv_proxy_session_timer_response (proxy, response->base.msg, sip, status);
  if (!sipsv_uas_send_relayed (original, msg_ref_create (response->base.msg), status))
    g_warning ("cannot forward %u upstream", status);
}

/* 401 and 407 challenges from every branch go up in one response. */
static void
aggregate_challenges (SipProxy *proxy, SipProxyBranch *best)
{
  msg_t *msg = best->response->base.msg;
  sip_t *sip = best->response->base.sip;

  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *b = proxy->all->pdata[i];
      if (b == best || b->response == NULL || (b->final_status != 401 && b->final_status != 407))
        continue;
      sip_t *other = b->response->base.sip;
      for (sip_www_authenticate_t *h = other->sip_www_authenticate; h; h = h->au_next)
        msg_header_insert (msg, (msg_pub_t *) sip, msg_header_dup_one (msg_home (msg), (msg_header_t *) h));
      for (sip_proxy_authenticate_t *h = other->sip_proxy_authenticate; h; h = h->au_next)
        msg_header_insert (msg, (msg_pub_t *) sip, msg_header_dup_one (msg_home (msg), (msg_header_t *) h));
    }
}

/* A final response went (or is about to go) upstream. */
static void
complete (SipProxy *proxy)
{
  if (proxy->state != SIPSV_PROXY_COMPLETED)
    sipsv_proxy_enter (proxy, SIPSV_PROXY_COMPLETED);
}

static void
finish_with_best (SipProxy *proxy)
{
  SipServletRequest *original = proxy->request;
  /* Statuses in the order the branches completed: among equals, the
   * first response received wins. */
  guint n = proxy->all->len;
  guint *statuses = g_new0 (guint, n);
  SipProxyBranch **by_completion = g_new0 (SipProxyBranch *, n);
  for (guint i = 0; i < n; i++)
    {
      SipProxyBranch *b = proxy->all->pdata[i];
      guint slot = b->completion >= 1 && b->completion <= n ? b->completion - 1 : i;
      by_completion[slot] = b;
      statuses[slot] = b->final_status;
    }
  gint index = sipsv_best_response (statuses, n);
  SipProxyBranch *best = index >= 0 ? by_completion[index] : NULL;
  g_free (statuses);
  g_free (by_completion);
  if (best != NULL && best->response != NULL && (guint) best->response->base.sip->sip_status->st_status
      == best->final_status)
    {
      SipServletResponse *response = best->response;
      response->branch_response = FALSE;
      proxy->in_best_callback = TRUE;
      show_to_servlet (proxy, response);
      proxy->in_best_callback = FALSE;
      /* The servlet may have answered itself or added targets. */
      if (original->final_sent)
        {
          complete (proxy);
          return;
        }
      if (!all_have_final (proxy))
        return;
      guint status = sipsv_best_response_upstream_status (best->final_status);
      if (status != best->final_status)
        {
          sip_t *sip = response->base.sip;
          msg_header_replace (response->base.msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_status,
                              (msg_header_t *) sip_status_create (msg_home (response->base.msg), status,
                                                                  sipsv_status_phrase (status), NULL));
        }
      if (status == 401 || status == 407)
        aggregate_challenges (proxy, best);
      complete (proxy);
      relay_upstream (proxy, response, status);
    }
  else if (original->cancelled)
    {
      complete (proxy);
      if (!original->final_sent)
        sipsv_uas_answer (original, 487, NULL);
    }
  else
    {
      /* The best outcome was made here (timeout, loop, unreachable): the
       * servlet sees it like any best response before it goes up. */
      guint status = best != NULL ? sipsv_best_response_upstream_status (best->final_status) : 408;
      const char *phrase = best != NULL && best->final_phrase ? best->final_phrase : NULL;
      SipServletResponse *response = sipsv_uas_build_response (original, status, phrase);
      if (response == NULL)
        return;
      response->branch = best;
      proxy->in_best_callback = TRUE;
      show_to_servlet (proxy, response);
      proxy->in_best_callback = FALSE;
      gboolean more = !all_have_final (proxy);
      if (!original->final_sent && !more)
        {
          GError *error = NULL;
          if (!sipservlet_response_send (response, &error))
            {
              g_warning ("cannot answer %u upstream: %s", status, error->message);
              g_error_free (error);
            }
        }
      sipservlet_response_unref (response);
      if (more && !original->final_sent)
        return;
      complete (proxy);
    }
}

/* Every branch has a final status: the best response can be chosen. */
static gboolean
all_have_final (SipProxy *proxy)
{
  for (guint i = 0; i < proxy->all->len; i++)
    if (!sipsv_proxy_branch_has_final (proxy->all->pdata[i]))
      return FALSE;
  return TRUE;
}

/* Every branch's transaction is over: nothing more can come back. */
static gboolean
all_ended (SipProxy *proxy)
{
  for (guint i = 0; i < proxy->all->len; i++)
    if (((SipProxyBranch *) proxy->all->pdata[i])->state != SIPSV_BRANCH_COMPLETED)
      return FALSE;
  return TRUE;
}

/* The proxy completed without a 2xx and no branch can answer any more:
 * the early dialogs are over, the session is back to INITIAL (JSR 289
 * §6.2.1). While a timed-out branch still runs, its 2xx may yet confirm
 * the dialog. */
static void
end_early_dialog (SipProxy *proxy)
{
  SipSession *session = proxy->request->base.session;
  if (session != NULL && session->proxy && !proxy->subsequent
      && session->state == SIPSERVLET_SESSION_STATE_EARLY)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_INITIAL);
}

static void
check (SipProxy *proxy)
{
  if (proxy->state != SIPSV_PROXY_COMPLETED && proxy->request->final_sent)
    {
      /* The servlet answered the original request itself. */
      complete (proxy);
      sipsv_proxy_cancel_pending (proxy, NULL, NULL);
    }
  if (proxy->state == SIPSV_PROXY_PROXYING && !proxy->parallel)
    sipsv_proxy_start_pending (proxy);
  if ((proxy->state == SIPSV_PROXY_PROXYING || proxy->state == SIPSV_PROXY_CANCELLED)
      && all_have_final (proxy))
    finish_with_best (proxy);
  if (proxy->state == SIPSV_PROXY_COMPLETED && all_ended (proxy))
    {
      end_early_dialog (proxy);
      sipsv_proxy_release_request (proxy);
    }
}

static void
on_check (gpointer data)
{
  SipProxy *proxy = data;
  proxy->check_queued = FALSE;
  check (proxy);
}

void
sipsv_proxy_schedule_check (SipProxy *proxy)
{
  /* Checked from the loop so servlet callbacks never nest. The proxy
   * reference keeps the proxy alive until then: its release goes through
   * the same ordered queue, after any check queued before it. */
  if (!proxy->holds_request || proxy->check_queued)
    return;
  proxy->check_queued = TRUE;
  sipsv_runtime_defer (sipsv_runtime (proxy->container), on_check, proxy);
}

static void
recurse_on_redirect (SipProxy *proxy, SipProxyBranch *branch, sip_t const *sip)
{
  for (sip_contact_t const *m = sip->sip_contact; m != NULL; m = m->m_next)
    {
      char buf[256];
      char *text = sipsv_stack_url_format (m->m_url, buf, sizeof buf);
      SipURI *uri = text != NULL ? sipservlet_uri_parse (text, NULL) : NULL;
      if (text != buf)
        g_free (text);
      if (uri == NULL)
        continue;
      gboolean known = !sipservlet_uri_is_sip (uri);
      for (guint i = 0; i < proxy->all->len && !known; i++)
        known = sipservlet_uri_equal (sipservlet_proxy_branch_get_uri (proxy->all->pdata[i]), uri);
      if (!known)
        sipsv_proxy_branch_new (proxy, uri, branch);
      sipservlet_uri_unref (uri);
    }
}

/* A response to a branch: from its client transaction orq (the top Via
 * is ours and popped), or from the next application of this container
 * (orq NULL: no Via of ours was added). Takes msg. */
static void
branch_response (SipProxyBranch *branch, msg_t *msg, nta_outgoing_t *orq)
{
  SipProxy *proxy = branch->proxy;
  SipServletRequest *original = proxy->request;
  sip_t const *sip = sip_object (msg);
  guint status = sip->sip_status->st_status;
  gboolean invite = original->base.sip->sip_request->rq_method == sip_method_invite;

  gboolean timed_out = branch->state == SIPSV_BRANCH_TIMED_OUT;
  if (timed_out && (status < 200 || status >= 300))
    {
      /* The 487 to Timer C's CANCEL (or any other end): the 408 counted
       * already stands; only the branch's transaction is over. */
      if (status >= 200)
        {
          branch->state = SIPSV_BRANCH_COMPLETED;
          sipsv_proxy_schedule_check (proxy);
        }
      msg_destroy (msg);
      return;
    }
  if (branch->state == SIPSV_BRANCH_COMPLETED)
    {
      /* 2xx retransmissions go upstream like the first 2xx. */
      if (invite && status < 300 && branch->final_status < 300 && branch->response != NULL)
        {
          if (orq != NULL)
            sip_via_remove (msg, sip_object (msg));
          if (sip_object (msg)->sip_via == NULL)
            msg_destroy (msg);
          else if (original->irq != NULL)
            {
              if (nta_incoming_mreply (original->irq, msg) == 0)
                sipsv_metrics_response_sent (&sipsv_runtime (proxy->container)->stack.metrics,
                                             status);
            }
          else if (original->hop != NULL)
            sipsv_hop_respond (original->hop, msg);
          else
            msg_destroy (msg);
        }
      else
        msg_destroy (msg);
      return;
    }

  SipServletResponse *response = sipsv_response_new (proxy->container, msg, branch->request, TRUE);
  if (orq != NULL)
    response->base.source_tls = sipsv_stack_received_over_tls (
        &sipsv_runtime (proxy->container)->stack, response->base.msg, NULL, orq);
  response->branch = branch;
  sipsv_message_set_session (&response->base, original->base.session);
  if (orq != NULL)
    sip_via_remove (response->base.msg, response->base.sip);
  /* NTA's own error for this branch copied the forwarded request's
   * Record-Route, ours included; it creates no dialog. */
  if (sipsv_stack_made_response (response->base.sip) && response->base.sip->sip_record_route)
    msg_header_remove_all (response->base.msg, (msg_pub_t *) response->base.sip,
                           (msg_header_t *) response->base.sip->sip_record_route);
  sipsv_proxy_branch_set_response (branch, response);     /* the branch owns it */
  if (original->base.session != NULL)
    sipsv_application_session_touch (original->base.session->app);

  if (status < 200)
    {
      branch->state = SIPSV_BRANCH_PROCEEDING;
      if (invite)
        sipsv_proxy_branch_arm_timer (branch);         /* Timer C restarts on provisionals */
      sipsv_proxy_update_session (proxy, branch, sip, status);
      show_to_servlet (proxy, response);
      if (proxy->state != SIPSV_PROXY_COMPLETED)
        relay_upstream (proxy, response, status);   /* every 1xx but 100 */
      return;
    }

  if (timed_out)
    {
      /* A 2xx that crossed Timer C's CANCEL: the branch keeps its place
       * in the completion order, its status becomes the 2xx. */
      branch->state = SIPSV_BRANCH_COMPLETED;
      branch->final_status = status;
      g_clear_pointer (&branch->final_phrase, g_free);
    }
  else
    sipsv_proxy_branch_mark_completed (branch, status);
  sipsv_proxy_update_session (proxy, branch, sip, status);

  if (status < 300)
    {
      show_to_servlet (proxy, response);
      proxy->got_2xx = TRUE;
      complete (proxy);
      relay_upstream (proxy, response, status);
      if (!proxy->no_cancel)
        sipsv_proxy_cancel_pending (proxy, SIPSV_PROXY_COMPLETED_ELSEWHERE, branch);
    }
  else
    {
      if (status >= 600)
        {
          char *reason = sipsv_proxy_cancel_reason (status, sip->sip_status->st_phrase);
          sipsv_proxy_cancel_pending (proxy, reason, branch);
          g_free (reason);
        }
      else if (status < 400 && branch->recurse && proxy->state == SIPSV_PROXY_PROXYING)
        recurse_on_redirect (proxy, branch, sip);
      /* An intermediate final response: the servlet sees it as a branch
       * response; the best one comes later through do_response. */
      if (proxy->all->len > 1 && proxy->supervised)
        {
          SipServlet *servlet = response_servlet (proxy);
          response->branch_response = TRUE;
          if (servlet != NULL && servlet->handlers.do_branch_response != NULL)
            {
              response->base.committed = FALSE;
              servlet->handlers.do_branch_response (servlet, response, servlet->user_data);
              response->base.committed = TRUE;
            }
        }
      if (branch->recursed->len > 0)
        sipsv_proxy_start_pending (proxy);
    }
  sipsv_proxy_schedule_check (proxy);
}

int
sipsv_proxy_on_branch_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
  SipProxyBranch *branch = (SipProxyBranch *) magic;

  if (sip != NULL && sip->sip_status != NULL)
    sipsv_metrics_response_received (&sipsv_runtime (branch->proxy->container)->stack.metrics,
                                     sip->sip_status->st_status);
  if (sip == NULL || sip->sip_status == NULL || sip->sip_status->st_status == 100)
    return 0;
  branch_response (branch, nta_outgoing_getresponse (orq), orq);
  return 0;
}

void
sipsv_proxy_on_hop_response (gpointer client, msg_t *response)
{
  sip_t const *sip = sip_object (response);
  if (sip == NULL || sip->sip_status == NULL || sip->sip_status->st_status == 100)
    {
      msg_destroy (response);
      return;
    }
  branch_response (client, response, NULL);
}


/* ---- subsequent requests ------------------------------------------------------- */

void
sipsv_proxy_forward_subsequent (SipServletRequest *request)
{
  SipProxy *proxy = request->proxy != NULL ? request->proxy : sipsv_proxy_new (request);

  /* Along the route set, to the Request-URI as received. */
  proxy->subsequent = TRUE;
  sipsv_proxy_branch_new (proxy, NULL, NULL);
  sipsv_proxy_start_pending (proxy);
}
