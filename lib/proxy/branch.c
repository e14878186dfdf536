/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipProxyBranch: a branch of a proxy, its client
 * transaction and its timer, and cancelling branches.
 *
 * A branch is a msg_dup() of the original request with a new
 * Request-URI, Max-Forwards minus one, our Record-Route and Path on top;
 * NTA pushes the Via.
 */
#include "config-private.h"

#include <string.h>

#include "proxy/proxy-private.h"

/* The branch lets go of its last response. The servlet may keep it: a
 * response that names this branch then holds the proxy's request, and so
 * the proxy and this branch, until it goes. */
static void
drop_response (SipProxyBranch *branch)
{
  SipServletResponse *response = g_steal_pointer (&branch->response);
  if (response == NULL)
    return;
  if (response->branch == branch && response->branch_keeper == NULL
      && !g_atomic_ref_count_compare (&response->base.ref_count, 1))
    response->branch_keeper = sipservlet_request_ref (branch->proxy->request);
  sipservlet_response_unref (response);
}

void
sipsv_proxy_branch_set_response (SipProxyBranch *branch, SipServletResponse *response)
{
  drop_response (branch);
  branch->response = response;
}

void
sipsv_proxy_branch_free (gpointer data)
{
  SipProxyBranch *branch = data;
  sipsv_timer_free (branch->timer);
  /* Freed with its proxy's request: a response kept by the servlet no
   * longer names it (sipservlet_response_get_proxy_branch() gives NULL). */
  if (branch->response != NULL && branch->response->branch == branch)
    branch->response->branch = NULL;
  g_clear_pointer (&branch->response, sipservlet_response_unref);
  g_clear_pointer (&branch->hop, sipsv_hop_close);
  g_clear_pointer (&branch->request, sipservlet_request_unref);
  g_clear_pointer (&branch->uri, sipservlet_uri_unref);
  g_ptr_array_unref (branch->recursed);
  g_free (branch->final_phrase);
  g_free (branch);
}

SipProxyBranch *
sipsv_proxy_branch_new (SipProxy *proxy, const SipURI *uri, SipProxyBranch *parent)
{
  SipProxyBranch *branch = g_new0 (SipProxyBranch, 1);
  SipServletRequest *original = proxy->request;

  branch->proxy = proxy;
  branch->parent = parent;
  branch->recursed = g_ptr_array_new ();
  /* NULL: keep the R-URI. So is a target that is the request's own parsed
   * Request-URI (proxying by Request-URI): the copy already carries it, and
   * replacing the request line would only format it again. */
  if (uri != NULL && uri != original->request_uri)
    branch->uri = sipservlet_uri_clone (uri);
  branch->recurse = parent != NULL ? parent->recurse : proxy->recurse;
  branch->record_route = proxy->record_route;
  branch->add_to_path = proxy->add_to_path;
  branch->timeout_s = proxy->timeout_s;
  branch->request = sipsv_request_new (proxy->container, msg_copy (original->base.msg), FALSE);
  branch->request->initial = original->initial;
  sipsv_message_set_session (&branch->request->base, original->base.session);
  g_ptr_array_add (proxy->all, branch);
  g_ptr_array_add (parent != NULL ? parent->recursed : proxy->branches, branch);
  return branch;
}

/* A branch that ends without a network response (loop, send failure). */
void
sipsv_proxy_branch_mark_completed (SipProxyBranch *branch, guint status)
{
  g_clear_pointer (&branch->timer, sipsv_timer_free);
  branch->state = SIPSV_BRANCH_COMPLETED;
  branch->final_status = status;
  branch->completion = ++branch->proxy->completions;
}

gboolean
sipsv_proxy_branch_has_final (const SipProxyBranch *branch)
{
  return branch->state == SIPSV_BRANCH_COMPLETED || branch->state == SIPSV_BRANCH_TIMED_OUT;
}

gboolean
sipsv_proxy_branch_is_live (const SipProxyBranch *branch)
{
  return branch->state == SIPSV_BRANCH_TRYING || branch->state == SIPSV_BRANCH_PROCEEDING
         || branch->state == SIPSV_BRANCH_TIMED_OUT;
}

static void
branch_complete_locally (SipProxyBranch *branch, guint status, const char *phrase)
{
  sipsv_proxy_branch_mark_completed (branch, status);
  branch->final_status = status;
  g_free (branch->final_phrase);
  branch->final_phrase = g_strdup (phrase);
  sipsv_proxy_schedule_check (branch->proxy);
}

static void
send_cancel (SipProxyBranch *branch, const char *reason)
{
  branch->cancel_sent = TRUE;
  if (branch->hop != NULL)
    sipsv_hop_cancel (branch->hop, reason);
  else
    sipsv_stack_cancel (branch->request->orq, reason);
}

static void
on_branch_timeout (gpointer data)
{
  SipProxyBranch *branch = data;

  if (sipsv_proxy_branch_has_final (branch))
    return;
  g_debug ("proxy branch to %s timed out", branch->request->base.sip->sip_request->rq_url->url_host);
  gboolean invite = branch->request->base.sip->sip_request->rq_method == sip_method_invite
                    && (branch->request->orq != NULL || branch->hop != NULL);
  if (invite && !branch->cancel_sent)
    send_cancel (branch, NULL);
  /* RFC 3261 §16.8: a timed-out branch counts as a 408 at once; the
   * search moves on without waiting for the 487 or the transaction's own
   * timeout (32 s when nothing at all came back). An INVITE's transaction
   * runs on meanwhile: a 2xx that crosses the CANCEL still goes upstream. */
  branch_complete_locally (branch, 408, "Request Timeout");
  if (invite)
    branch->state = SIPSV_BRANCH_TIMED_OUT;
}

void
sipsv_proxy_branch_arm_timer (SipProxyBranch *branch)
{
  if (branch->timer == NULL)
    branch->timer
        = sipsv_timer_new ((SipsvTimerQueue *) sipsv_runtime (branch->proxy->container)->stack.root,
                           on_branch_timeout, branch);
  sipsv_timer_start (branch->timer, branch->timeout_s * 1000);
}

/* Whether a request must go over TLS on every hop: its Request-URI, or
 * the original request's, is sips: (RFC 3261 §26.2.2, RFC 5630).
 * A target a servlet chose cannot downgrade what the caller asked for. */
static gboolean
must_stay_on_tls (SipProxy *proxy, sip_t const *sip)
{
  return sip->sip_request->rq_url->url_type == url_sips
         || proxy->request->base.sip->sip_request->rq_url->url_type == url_sips;
}

/* Our Record-Route value for a sips request: the same socket as a sips:
 * URI (RFC 3261 §16.6 step 4: a sips Request-URI or top Route needs a
 * sips Record-Route); unchanged for a socket that is not TLS, which a
 * sips: URI cannot name. g_free() it. */
static char *
sips_record_route (const SipsvRecordRoute *ours)
{
  if (g_strcmp0 (sipservlet_uri_get_transport_param (ours->uri), "tls") != 0)
    return g_strdup (ours->value);
  SipURI *uri = sipservlet_uri_clone (ours->uri);
  sipservlet_uri_set_secure (uri, TRUE);
  sipservlet_uri_remove_parameter (uri, "transport");
  char *text = sipservlet_uri_to_string (uri);
  char *value = g_strconcat ("<", text, ">", NULL);
  g_free (text);
  sipservlet_uri_unref (uri);
  return value;
}

/* Puts h first among the headers of its kind (Record-Route, Path). */
static void
prepend (SipServletRequest *request, const char *name, const char *value)
{
  msg_t *msg = request->base.msg;
  msg_hclass_t *hc = strcmp (name, "Path") == 0 ? sip_path_class : sip_record_route_class;
  msg_header_t *h = msg_header_make (msg_home (msg), hc, value);
  if (h != NULL)
    sipsv_message_insert_first (&request->base, h);
}

/* Prepends a Record-Route of ours ("<uri>"); an application after the
 * first of a composed chain marks it with its depth, which finds its
 * session again (sipsv_proxy_lookup_session()). */
static void
prepend_record_route (SipServletRequest *request, const char *value, guint depth)
{
  if (depth == 0)
    {
      prepend (request, "Record-Route", value);
      return;
    }
  char *marked = g_strdup_printf ("%.*s;" SIPSV_HOP_PARAM "=%u>", (int) strlen (value) - 1, value,
                                  depth);
  prepend (request, "Record-Route", marked);
  g_free (marked);
}

/* Prepends one of our Record-Routes, as a sips: URI when sips. */
static void
prepend_ours (SipServletRequest *request, const SipsvRecordRoute *ours, gboolean sips,
              guint depth)
{
  if (!sips)
    {
      prepend_record_route (request, ours->value, depth);
      return;
    }
  char *value = sips_record_route (ours);
  prepend_record_route (request, value, depth);
  g_free (value);
}

/* Asks the container's application router, if it has one, where an
 * initial request goes after this application. A servlet that chose the
 * destination itself (sipservlet_request_set_destination()) is not
 * second-guessed. */
static SipsvOnward
route_onward (SipProxyBranch *branch, gpointer *routing, GDestroyNotify *routing_free)
{
  SipsvRuntime *runtime = sipsv_runtime (branch->proxy->container);
  SipServletRequest *request = branch->request;

  if (!request->initial || runtime->route_onward == NULL || request->destination != NULL)
    return SIPSV_ONWARD_OUT;
  /* A proxied request continues the one the application received. */
  SipServletRequest *from = branch->proxy->request;
  return runtime->route_onward (branch->proxy->container, request, SIPSERVLET_ROUTING_CONTINUE,
                                from->region, from->router_state, from->depth,
                                routing, routing_free);
}

/* Hands the branch's request to the next application (lib/runtime/
 * hop.c): no Via of ours is added (the request leaves the container with
 * one, whichever application sends it out), the hop stands where the
 * client transaction would. */
static void
send_in_process (SipProxyBranch *branch, gpointer routing, GDestroyNotify routing_free)
{
  SipProxy *proxy = branch->proxy;
  SipServletRequest *request = branch->request;
  msg_t *copy = msg_dup (request->base.msg);

  if (copy == NULL)
    {
      if (routing_free != NULL)
        routing_free (routing);
      branch_complete_locally (branch, 503, "Service Unavailable");
      return;
    }
  branch->hop = sipsv_hop_new (sipsv_runtime (proxy->container), proxy->request,
                               proxy->request->depth + 1, sipsv_proxy_incoming_primary (proxy),
                               sipsv_proxy_on_hop_response, branch);
  sipsv_hop_set_routing (branch->hop, routing, routing_free);
  branch->state = SIPSV_BRANCH_TRYING;
  request->sent = TRUE;
  request->base.committed = TRUE;
  sipsv_hop_send (branch->hop, copy);
  sipsv_proxy_branch_arm_timer (branch);
}

static void
branch_start (SipProxyBranch *branch)
{
  SipProxy *proxy = branch->proxy;
  SipServletRequest *request = branch->request;
  msg_t *msg = request->base.msg;
  sip_t *sip = request->base.sip;
  su_home_t *home = msg_home (msg);

  if (branch->uri != NULL)
    {
      char *target = sipservlet_uri_to_string (branch->uri);
      sip_request_t *rq = sip_request_create (home, sip->sip_request->rq_method,
                                              sip->sip_request->rq_method_name,
                                              URL_STRING_MAKE (target), NULL);
      g_free (target);
      if (rq == NULL)
        {
          branch_complete_locally (branch, 416, "Unsupported URI Scheme");
          return;
        }
      msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_request,
                          (msg_header_t *) rq);
      g_clear_pointer (&request->request_uri, sipservlet_uri_unref);
    }

  sipsv_proxy_session_timer_request (proxy, msg, sip);

  /* The application router may give the request to another application
   * of this container (JSR 289 §15.4.1), which gets it in process. */
  SipsvStack *stack = &sipsv_runtime (proxy->container)->stack;
  gpointer routing = NULL;
  GDestroyNotify routing_free = NULL;
  gboolean in_process = FALSE;
  switch (route_onward (branch, &routing, &routing_free))
    {
    case SIPSV_ONWARD_FAILED:
      branch_complete_locally (branch, 500, "Application Routing Failed");
      return;
    case SIPSV_ONWARD_APPLICATION:
      in_process = TRUE;
      break;
    case SIPSV_ONWARD_OUT:
      break;
    }
  const url_t *next = request->destination != NULL ? request->destination
                      : sip->sip_route ? sip->sip_route->r_url : sip->sip_request->rq_url;
  /* Inside a dialog, a next hop of ours is the next application of a
   * composed chain: its Record-Route, or the Contact of a UAS application.
   * (The container pops the Route and finds the session, or answers 481.) */
  if (!in_process && proxy->subsequent && sipsv_stack_url_is_self (stack, next))
    in_process = TRUE;
  /* The container is one hop (RFC 3261 §16.6 step 3): Max-Forwards goes
   * down when the request leaves it, not between its applications. */
  if (!in_process)
    {
      unsigned long hops = sip->sip_max_forwards ? sip->sip_max_forwards->mf_count : 71;
      if (hops == 0)
        {
          if (routing_free != NULL)
            routing_free (routing);
          branch_complete_locally (branch, 483, "Too Many Hops");
          return;
        }
      msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_max_forwards,
                          (msg_header_t *) sipsv_max_forwards_new (home, hops - 1));
    }
  /* The socket the request leaves from, chosen here and not by NTA (see
   * sipsv_stack_route_primary()). */
  tport_t *out = in_process ? proxy->incoming_primary
                            : sipsv_stack_route_primary (stack, next, proxy->incoming_primary);

  /* RFC 3261 §26.2.2 and RFC 5630: a sips request is never sent over
   * UDP or TCP, whatever target a servlet or a registration gave. 480
   * rather than 416: 416 says the scheme is not understood, and it is;
   * this target just cannot be reached the way the caller asked. */
  gboolean sips = must_stay_on_tls (proxy, sip);
  if (!in_process && sips && !(sipsv_stack_url_is_tls (next) || sipsv_stack_tport_is_tls (out)))
    {
      branch_complete_locally (branch, 480, "Temporarily Unavailable (no TLS path for sips)");
      return;
    }

  /* A phone that registered over TCP behind NAT accepts no connection:
   * without the one it opened, it cannot be reached. */
  if (!in_process && request->destination != NULL && request->destination_existing
      && !sipsv_stack_has_connection (stack, request->destination))
    {
      branch_complete_locally (branch, 480, "Temporarily Unavailable");
      return;
    }

  guint depth = proxy->request->depth;
  if (branch->record_route && proxy->record_route_ours != NULL && request->initial)
    {
      if (proxy->record_route_uri != NULL)
        {
          char *rr = sipservlet_uri_to_string (proxy->record_route_uri);
          char *value = g_strconcat ("<", rr, ">", NULL);
          prepend_record_route (request, value, depth);
          g_free (value);
          g_free (rr);
        }
      else if (out != NULL && proxy->incoming_primary != NULL && out != proxy->incoming_primary)
        {
          /* From one socket to another (IPv4 to IPv6, UDP to TCP, one
           * address to another): each side must reach us at its own
           * socket, so two Record-Routes, the callee's side on top, both
           * marked r2=on so that we pop them together (RFC 5658). */
          const SipsvRecordRoute *in_side
              = sipsv_proxy_record_route_of (proxy->container, proxy->incoming_primary, TRUE);
          const SipsvRecordRoute *out_side
              = sipsv_proxy_record_route_of (proxy->container, out, TRUE);
          if (in_side != NULL && out_side != NULL)
            {
              prepend_ours (request, in_side, sips, depth);
              prepend_ours (request, out_side, sips, depth);
            }
        }
      else
        prepend_ours (request, proxy->record_route_ours, sips, depth);
    }
  if (branch->add_to_path && sip->sip_request->rq_method == sip_method_register)
    {
      char *contact = sipsv_stack_contact_of (stack, sipsv_proxy_incoming_primary (proxy));
      char *value = g_strdup_printf ("%.*s;lr>", (int) (strlen (contact) - 1), contact);
      prepend (request, "Path", value);
      g_free (value);
      g_free (contact);
    }

  if (in_process)
    {
      send_in_process (branch, routing, routing_free);
      return;
    }
  /* Loop prevention: never send to ourselves. */
  if (sipsv_stack_url_is_self (stack, next))
    {
      branch_complete_locally (branch, 482, "Loop Detected");
      return;
    }

  branch->state = SIPSV_BRANCH_TRYING;
  request->sent = TRUE;
  request->base.committed = TRUE;
  request->orq = sipsv_stack_client_transaction_from (
      stack, sipsv_proxy_on_branch_response, (nta_outgoing_magic_t *) branch,
      request->destination != NULL ? (const url_string_t *) request->destination
                                   : sipsv_proxy_route_hint (sip),
      msg_ref_create (msg), out);
  if (request->orq == NULL)
    {
      msg_destroy (msg);     /* the reference mcreate did not take */
      branch_complete_locally (branch, 503, "Service Unavailable");
      return;
    }
  stack->metrics.proxy_branches++;
  sipsv_proxy_branch_arm_timer (branch);
}

static gboolean
branch_is_pending (SipProxyBranch *branch)
{
  return branch->state == SIPSV_BRANCH_TRYING || branch->state == SIPSV_BRANCH_PROCEEDING;
}

void
sipsv_proxy_start_pending (SipProxy *proxy)
{
  if (proxy->state == SIPSV_PROXY_CONFIGURING)
    sipsv_proxy_enter (proxy, SIPSV_PROXY_PROXYING);
  if (proxy->state != SIPSV_PROXY_PROXYING)
    return;
  sipsv_proxy_hold_request (proxy);
  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *branch = proxy->all->pdata[i];
      if (!proxy->parallel && branch_is_pending (branch))
        return;                         /* sequential: one at a time */
    }
  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *branch = proxy->all->pdata[i];
      if (branch->state != SIPSV_BRANCH_CREATED)
        continue;
      branch_start (branch);
      if (!proxy->parallel && branch_is_pending (branch))
        return;
    }
  sipsv_proxy_schedule_check (proxy);
}

static void
branch_cancel (SipProxyBranch *branch, const char *reason)
{
  for (guint i = 0; i < branch->recursed->len; i++)
    branch_cancel (branch->recursed->pdata[i], reason);
  if (branch->state == SIPSV_BRANCH_CREATED)
    {
      sipsv_proxy_branch_mark_completed (branch, 487);
      branch->final_phrase = g_strdup ("Request Terminated");
      return;
    }
  if (!branch_is_pending (branch) || branch->cancel_sent
      || (branch->request->orq == NULL && branch->hop == NULL))
    return;
  if (branch->request->base.sip->sip_request->rq_method != sip_method_invite)
    return;                             /* only INVITE can be cancelled */
  send_cancel (branch, reason);
}

void
sipsv_proxy_cancel_pending (SipProxy *proxy, const char *reason, SipProxyBranch *except)
{
  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *branch = proxy->all->pdata[i];
      if (branch != except)
        branch_cancel (branch, reason);
    }
  sipsv_proxy_schedule_check (proxy);
}

void
sipsv_proxy_cancel_branches (SipProxy *proxy, const char *reason)
{
  for (guint i = 0; i < proxy->all->len; i++)
    branch_cancel (proxy->all->pdata[i], reason);
}

SipProxy *
sipservlet_proxy_branch_get_proxy (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  return branch->proxy;
}

const SipURI *
sipservlet_proxy_branch_get_uri (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  /* Branches of requests inside a dialog keep the Request-URI they came
   * with; it is parsed only if asked for. */
  return branch->uri != NULL ? branch->uri : sipservlet_request_get_request_uri (branch->request);
}

SipServletRequest *
sipservlet_proxy_branch_get_request (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  return branch->request;
}

SipServletResponse *
sipservlet_proxy_branch_get_response (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  return branch->response;
}

gboolean
sipservlet_proxy_branch_is_started (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, FALSE);
  return branch->state != SIPSV_BRANCH_CREATED;
}

gboolean
sipservlet_proxy_branch_cancel (SipProxyBranch *branch, const char *reason, GError **error)
{
  g_return_val_if_fail (branch != NULL, FALSE);
  if (sipsv_proxy_branch_has_final (branch) && branch->recursed->len == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the branch has completed");
      return FALSE;
    }
  branch_cancel (branch, reason);
  sipsv_proxy_schedule_check (branch->proxy);
  return TRUE;
}

gboolean
sipservlet_proxy_branch_set_timeout (SipProxyBranch *branch, guint seconds, GError **error)
{
  g_return_val_if_fail (branch != NULL, FALSE);
  guint limit = branch->proxy->parallel ? branch->proxy->timeout_s : SIPSV_PROXY_MAX_TIMEOUT_S;
  if (seconds < 1 || seconds > limit)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "branch timeout %u s is outside 1..%u", seconds, limit);
      return FALSE;
    }
  branch->timeout_s = seconds;
  if (branch_is_pending (branch))
    sipsv_proxy_branch_arm_timer (branch);
  return TRUE;
}

GPtrArray *
sipservlet_proxy_branch_get_recursed_branches (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  return sipsv_proxy_branches_copy (branch->recursed);
}

SipProxyBranch *
sipservlet_response_get_proxy_branch (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return response->branch;
}

gboolean
sipservlet_response_is_branch_response (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, FALSE);
  return response->branch_response;
}

/* RFC 3326: a 6xx from one branch tells the others why they stop: the
 * callee declined everywhere. */
char *
sipsv_proxy_cancel_reason (guint status, const char *phrase)
{
  GString *text = g_string_new (NULL);
  g_string_printf (text, "SIP;cause=%u;text=\"", status);
  for (const char *c = phrase ? phrase : ""; *c != '\0'; c++)
    if (*c != '"' && *c != '\\')      /* a quoted-string cannot hold them bare */
      g_string_append_c (text, *c);
  g_string_append_c (text, '"');
  return g_string_free (text, FALSE);
}

SipProxyBranch *
sipservlet_proxy_branch_ref (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  sipservlet_request_ref (branch->proxy->request);
  return branch;
}

void
sipservlet_proxy_branch_unref (SipProxyBranch *branch)
{
  g_return_if_fail (branch != NULL);
  sipservlet_request_unref (branch->proxy->request);
}

/* A list of branches for the application: it holds a reference on each. */
GPtrArray *
sipsv_proxy_branches_copy (GPtrArray *branches)
{
  GPtrArray *copy = g_ptr_array_new_full (branches->len,
                                          (GDestroyNotify) sipservlet_proxy_branch_unref);
  for (guint i = 0; i < branches->len; i++)
    g_ptr_array_add (copy, sipservlet_proxy_branch_ref (branches->pdata[i]));
  return copy;
}
