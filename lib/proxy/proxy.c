/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipProxy and SipProxyBranch: the stateful forking proxy.
 *
 * One server transaction (the original request's) and one client
 * transaction per branch, straight on NTA: branches are msg_dup()s of the
 * original with a new Request-URI, Max-Forwards minus one, our
 * Record-Route and Path on top; NTA pushes the Via. Responses come back in
 * on_branch_response(): provisionals and every 2xx go upstream at once
 * (their top Via popped), other finals wait for the best-response choice
 * (RFC 3261 §16.7). See proxy-private.h for ownership.
 */
#include "config-private.h"

#include <string.h>

#include "proxy/proxy-private.h"

#define DEFAULT_TIMEOUT_S 180
#define MAX_TIMEOUT_S 3600

static int on_branch_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq,
                               sip_t const *sip);
static void start_pending (SipProxy *proxy);
static gboolean all_completed (SipProxy *proxy);
static void schedule_check (SipProxy *proxy);

/* ---- lifetime ------------------------------------------------------------- */

static void
branch_free (gpointer data)
{
  SipProxyBranch *branch = data;
  sipsv_timer_free (branch->timer);
  g_clear_pointer (&branch->response, sipservlet_response_unref);
  g_clear_pointer (&branch->request, sipservlet_request_unref);
  g_clear_pointer (&branch->uri, sipservlet_uri_unref);
  g_ptr_array_unref (branch->recursed);
  g_free (branch->final_phrase);
  g_free (branch);
}

static void proxy_free (SipProxy *proxy);
static void on_upstream_cancel (SipProxy *proxy, sip_t const *cancel);

static void
role_finalize (gpointer role)
{
  proxy_free (role);
}

static gboolean
role_on_cancel (gpointer role, sip_t const *cancel)
{
  SipProxy *proxy = role;
  if (!proxy->started)
    return FALSE;
  on_upstream_cancel (proxy, cancel);
  return TRUE;
}

/* The proxy as the role of its request (message-private.h). */
static const SipsvRequestRole proxy_role = {
  .finalize = role_finalize,
  .on_cancel = role_on_cancel,
};

SipProxy *
sipsv_proxy_new (SipServletRequest *request)
{
  SipProxy *proxy = g_new0 (SipProxy, 1);
  SipSession *session = request->base.session;

  proxy->request = request;
  proxy->container = request->base.container;
  proxy->branches = g_ptr_array_new ();
  proxy->all = g_ptr_array_new_with_free_func (branch_free);
  proxy->parallel = proxy->recurse = proxy->supervised = TRUE;
  proxy->timeout_s = DEFAULT_TIMEOUT_S;
  request->proxy = proxy;
  request->proxy_role = &proxy_role;
  if (session != NULL && request->initial)
    {
      /* The session now follows a proxied dialog: it has no tag of ours. */
      session->proxy = TRUE;
      sipsv_session_unregister_dialog (session);
    }
  return proxy;
}

static void
proxy_free (SipProxy *proxy)
{
  g_ptr_array_unref (proxy->branches);
  g_ptr_array_unref (proxy->all);
  g_clear_pointer (&proxy->record_route_uri, sipservlet_uri_unref);
  g_free (proxy->cancel_reason);
  g_free (proxy);
}

/* The proxy keeps its request alive while branches run; the reference is
 * dropped from an idle callback, never inside an NTA callback. */
static void
hold_request (SipProxy *proxy)
{
  if (!proxy->holds_request)
    {
      proxy->holds_request = TRUE;
      sipservlet_request_ref (proxy->request);
    }
}

static void
release_request (SipProxy *proxy)
{
  if (proxy->holds_request)
    {
      proxy->holds_request = FALSE;
      sipsv_runtime_release_later (sipsv_runtime (proxy->container), proxy->request);
    }
}

/* ---- public API: obtaining and configuring ------------------------------- */

SipProxy *
sipservlet_request_get_proxy (SipServletRequest *request, GError **error)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (request->proxy != NULL)
    return request->proxy;

  sip_t *sip = request->base.sip;
  if (!request->base.incoming || request->irq == NULL || !request->initial
      || sip->sip_request->rq_method == sip_method_ack
      || sip->sip_request->rq_method == sip_method_cancel)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "only incoming initial requests can be proxied");
      return NULL;
    }
  if (request->final_sent || request->cancelled)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request has already been answered");
      return NULL;
    }
  if (request->b2bua)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request is handled by a B2BUA: it cannot be proxied");
      return NULL;
    }
  if (sip->sip_max_forwards != NULL && sip->sip_max_forwards->mf_count == 0)
    {
      sipsv_uas_answer (request, 483, "Too Many Hops");
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TOO_MANY_HOPS,
                   "Max-Forwards is 0: answered 483");
      return NULL;
    }
  /* RFC 3261 §16.3 step 5: a proxy refuses Proxy-Require tags it lacks. */
  char *unsupported = sipsv_runtime_unsupported (sipsv_runtime (request->base.container),
                                                   (msg_list_t const *) sip->sip_proxy_require);
  if (unsupported != NULL)
    {
      SipServletResponse *response = sipsv_uas_build_response (request, 420, "Bad Extension");
      if (response != NULL)
        {
          sipservlet_message_add_header (SIPSERVLET_MESSAGE (response), "Unsupported",
                                         unsupported, NULL);
          sipservlet_response_send (response, NULL);
          sipservlet_response_unref (response);
        }
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "Proxy-Require lists %s, which this container does not support: answered 420",
                   unsupported);
      g_free (unsupported);
      return NULL;
    }
  return sipsv_proxy_new (request);
}

const SipURI *
sipservlet_request_get_popped_route (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (request->popped_route_uri == NULL && request->popped_route != NULL)
    request->popped_route_uri = sipservlet_uri_parse (request->popped_route, NULL);
  return request->popped_route_uri;
}

SipServletRequest *
sipservlet_proxy_get_original_request (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return proxy->request;
}

void
sipservlet_proxy_set_parallel (SipProxy *proxy, gboolean parallel)
{
  g_return_if_fail (proxy != NULL);
  proxy->parallel = parallel != FALSE;
}

gboolean
sipservlet_proxy_get_parallel (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  return proxy->parallel;
}

void
sipservlet_proxy_set_recurse (SipProxy *proxy, gboolean recurse)
{
  g_return_if_fail (proxy != NULL);
  proxy->recurse = recurse != FALSE;
}

gboolean
sipservlet_proxy_get_recurse (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  return proxy->recurse;
}

static gboolean
check_not_started (SipProxy *proxy, GError **error)
{
  if (proxy->started)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy has already started");
      return FALSE;
    }
  return TRUE;
}

static void
record_route_free (gpointer data)
{
  SipsvRecordRoute *rr = data;

  sipservlet_uri_unref (rr->uri);
  g_free (rr->value);
  g_free (rr);
}

gboolean
sipservlet_proxy_set_record_route (SipProxy *proxy, gboolean record_route, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  if (!check_not_started (proxy, error))
    return FALSE;
  proxy->record_route = record_route != FALSE;
  if (proxy->record_route && proxy->record_route_ours == NULL)
    {
      /* One Record-Route per listening point, parsed and formatted once;
       * a call copies it only if its servlet asks for it to edit it. */
      SipsvRuntime *runtime = sipsv_runtime (proxy->container);
      if (runtime->record_routes == NULL)
        runtime->record_routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        record_route_free);
      GHashTable *cache = runtime->record_routes;
      char *contact = sipsv_stack_contact_for (&sipsv_runtime (proxy->container)->stack, proxy->request->irq);
      SipsvRecordRoute *ours = g_hash_table_lookup (cache, contact);
      if (ours == NULL)
        {
          SipAddress *address = sipservlet_address_parse (contact, NULL);
          if (address != NULL)
            {
              ours = g_new0 (SipsvRecordRoute, 1);
              ours->uri = sipservlet_uri_clone (sipservlet_address_get_uri (address));
              sipservlet_uri_set_lr_param (ours->uri, TRUE);
              char *text = sipservlet_uri_to_string (ours->uri);
              ours->value = g_strconcat ("<", text, ">", NULL);
              g_free (text);
              g_hash_table_insert (cache, g_steal_pointer (&contact), ours);
              sipservlet_address_unref (address);
            }
        }
      g_free (contact);
      proxy->record_route_ours = ours;
    }
  for (guint i = 0; i < proxy->all->len; i++)
    ((SipProxyBranch *) proxy->all->pdata[i])->record_route = proxy->record_route;
  return TRUE;
}

gboolean
sipservlet_proxy_get_record_route (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  return proxy->record_route;
}

SipURI *
sipservlet_proxy_get_record_route_uri (SipProxy *proxy, GError **error)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  if (!proxy->record_route || proxy->record_route_ours == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy does not record-route");
      return NULL;
    }
  if (proxy->record_route_uri == NULL)
    proxy->record_route_uri = sipservlet_uri_clone (proxy->record_route_ours->uri);
  return proxy->record_route_uri;
}

void
sipservlet_proxy_set_supervised (SipProxy *proxy, gboolean supervised)
{
  g_return_if_fail (proxy != NULL);
  proxy->supervised = supervised != FALSE;
}

gboolean
sipservlet_proxy_get_supervised (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  return proxy->supervised;
}

gboolean
sipservlet_proxy_set_add_to_path (SipProxy *proxy, gboolean add_to_path, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  if (!check_not_started (proxy, error))
    return FALSE;
  proxy->add_to_path = add_to_path != FALSE;
  for (guint i = 0; i < proxy->all->len; i++)
    ((SipProxyBranch *) proxy->all->pdata[i])->add_to_path = proxy->add_to_path;
  return TRUE;
}

void
sipservlet_proxy_set_no_cancel (SipProxy *proxy, gboolean no_cancel)
{
  g_return_if_fail (proxy != NULL);
  proxy->no_cancel = no_cancel != FALSE;
}

gboolean
sipservlet_proxy_set_proxy_timeout (SipProxy *proxy, guint seconds, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  if (seconds < 1 || seconds > MAX_TIMEOUT_S)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "proxy timeout %u s is outside 1..%u", seconds, MAX_TIMEOUT_S);
      return FALSE;
    }
  proxy->timeout_s = seconds;
  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *b = proxy->all->pdata[i];
      if (b->state == SIPSV_BRANCH_CREATED)
        b->timeout_s = seconds;
    }
  return TRUE;
}

guint
sipservlet_proxy_get_proxy_timeout (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, 0);
  return proxy->timeout_s;
}

/* ---- branches ---------------------------------------------------------------- */

static SipProxyBranch *
branch_new (SipProxy *proxy, const SipURI *uri, SipProxyBranch *parent)
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

/* JSR 289 §10.4: the servlet may add parameters to our Record-Route URI
 * but not redirect it or change how it is reached. */
static gboolean
check_record_route_uri (SipProxy *proxy, GError **error)
{
  static const char *const reserved[] = { "transport", "lr", "maddr", "ttl", "method", "user" };
  const SipURI *uri = proxy->record_route_uri;

  if (!proxy->record_route || uri == NULL)      /* not edited */
    return TRUE;
  const SipURI *orig = proxy->record_route_ours->uri;
  gboolean same = g_strcmp0 (sipservlet_uri_get_scheme (uri), sipservlet_uri_get_scheme (orig)) == 0
    && g_ascii_strcasecmp (sipservlet_uri_get_host (uri), sipservlet_uri_get_host (orig)) == 0
    && sipservlet_uri_get_port (uri) == sipservlet_uri_get_port (orig)
    && g_strcmp0 (sipservlet_uri_get_user (uri), sipservlet_uri_get_user (orig)) == 0;
  for (gsize i = 0; same && i < G_N_ELEMENTS (reserved); i++)
    same = g_strcmp0 (sipservlet_uri_get_parameter (uri, reserved[i]),
                      sipservlet_uri_get_parameter (orig, reserved[i])) == 0;
  if (!same)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the Record-Route URI's scheme, user, host, port and its transport, lr, "
                   "maddr, ttl, method and user parameters belong to the container");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_target (SipProxy *proxy, const SipURI *uri, GError **error)
{
  if (proxy->completed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy has completed: a final response went upstream");
      return FALSE;
    }
  if (!sipservlet_uri_is_sip (uri))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "only sip and sips URIs can be proxied to");
      return FALSE;
    }
  return check_record_route_uri (proxy, error);
}

/* A branch that ends without a network response (loop, send failure). */
static void
mark_completed (SipProxyBranch *branch, guint status)
{
  g_clear_pointer (&branch->timer, sipsv_timer_free);
  branch->state = SIPSV_BRANCH_COMPLETED;
  branch->final_status = status;
  branch->completion = ++branch->proxy->completions;
}

static void
branch_complete_locally (SipProxyBranch *branch, guint status, const char *phrase)
{
  mark_completed (branch, status);
  branch->final_status = status;
  g_free (branch->final_phrase);
  branch->final_phrase = g_strdup (phrase);
  schedule_check (branch->proxy);
}

static void
on_branch_timeout (gpointer data)
{
  SipProxyBranch *branch = data;

  if (branch->state == SIPSV_BRANCH_COMPLETED)
    return;
  g_debug ("proxy branch to %s timed out", branch->request->base.sip->sip_request->rq_url->url_host);
  if (branch->request->base.sip->sip_request->rq_method == sip_method_invite
      && branch->request->orq != NULL && !branch->cancel_sent)
    {
      branch->cancel_sent = TRUE;
      sipsv_stack_cancel (branch->request->orq, NULL);
    }
  /* RFC 3261 §16.8: a timed-out branch counts as a 408 at once; the
   * search moves on without waiting for the 487 or the transaction's own
   * timeout (32 s when nothing at all came back). */
  branch_complete_locally (branch, 408, "Request Timeout");
}

static void
branch_arm_timer (SipProxyBranch *branch)
{
  if (branch->timer == NULL)
    branch->timer = sipsv_timer_new ((SipsvTimerQueue *) sipsv_runtime (branch->proxy->container)->stack.root,
                                     on_branch_timeout, branch);
  sipsv_timer_start (branch->timer, branch->timeout_s * 1000);
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

  unsigned long hops = sip->sip_max_forwards ? sip->sip_max_forwards->mf_count : 71;
  if (hops == 0)
    {
      branch_complete_locally (branch, 483, "Too Many Hops");
      return;
    }
  msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_max_forwards,
                      (msg_header_t *) sipsv_max_forwards_new (home, hops - 1));

  if (branch->record_route && proxy->record_route_ours != NULL && request->initial)
    {
      if (proxy->record_route_uri != NULL)
        {
          char *rr = sipservlet_uri_to_string (proxy->record_route_uri);
          char *value = g_strconcat ("<", rr, ">", NULL);
          prepend (request, "Record-Route", value);
          g_free (value);
          g_free (rr);
        }
      else
        prepend (request, "Record-Route", proxy->record_route_ours->value);
    }
  if (branch->add_to_path && sip->sip_request->rq_method == sip_method_register)
    {
      char *contact = sipsv_stack_contact_for (&sipsv_runtime (proxy->container)->stack, proxy->request->irq);
      char *value = g_strdup_printf ("%.*s;lr>", (int) (strlen (contact) - 1), contact);
      prepend (request, "Path", value);
      g_free (value);
      g_free (contact);
    }

  /* Loop prevention: never send to ourselves. */
  const url_t *next = sip->sip_route ? sip->sip_route->r_url : sip->sip_request->rq_url;
  if (sipsv_stack_url_is_self (&sipsv_runtime (proxy->container)->stack, next))
    {
      branch_complete_locally (branch, 482, "Loop Detected");
      return;
    }

  branch->state = SIPSV_BRANCH_TRYING;
  request->sent = TRUE;
  request->base.committed = TRUE;
  request->orq = sipsv_stack_client_transaction (&sipsv_runtime (proxy->container)->stack, on_branch_response,
                                                 (nta_outgoing_magic_t *) branch,
                                                 sipsv_proxy_route_hint (sip),
                                                 msg_ref_create (msg));
  if (request->orq == NULL)
    {
      msg_destroy (msg);     /* the reference mcreate did not take */
      branch_complete_locally (branch, 503, "Service Unavailable");
      return;
    }
  branch_arm_timer (branch);
}

static gboolean
branch_is_pending (SipProxyBranch *branch)
{
  return branch->state == SIPSV_BRANCH_TRYING || branch->state == SIPSV_BRANCH_PROCEEDING;
}

static void
start_pending (SipProxy *proxy)
{
  if (proxy->cancelled || proxy->completed)
    return;
  proxy->started = TRUE;
  hold_request (proxy);
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
  schedule_check (proxy);
}

SipProxyBranch *
sipservlet_proxy_create_branch (SipProxy *proxy, const SipURI *uri, GError **error)
{
  g_return_val_if_fail (proxy != NULL && uri != NULL, NULL);
  if (!check_target (proxy, uri, error))
    return NULL;
  return branch_new (proxy, uri, NULL);
}

gboolean
sipservlet_proxy_start (SipProxy *proxy, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  gboolean any = FALSE;
  for (guint i = 0; i < proxy->all->len && !any; i++)
    any = ((SipProxyBranch *) proxy->all->pdata[i])->state == SIPSV_BRANCH_CREATED;
  if (proxy->completed || !any)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   proxy->completed ? "the proxy has completed" : "no branch to start");
      return FALSE;
    }
  if (!check_record_route_uri (proxy, error))
    return FALSE;
  start_pending (proxy);
  return TRUE;
}

gboolean
sipservlet_proxy_to_list (SipProxy *proxy, const SipURI * const *uris, gsize n_uris,
                          GError **error)
{
  g_return_val_if_fail (proxy != NULL && (uris != NULL || n_uris == 0), FALSE);
  for (gsize i = 0; i < n_uris; i++)
    if (!check_target (proxy, uris[i], error))
      return FALSE;
  for (gsize i = 0; i < n_uris; i++)
    branch_new (proxy, uris[i], NULL);
  start_pending (proxy);
  return TRUE;
}

gboolean
sipservlet_proxy_to (SipProxy *proxy, const SipURI *uri, GError **error)
{
  g_return_val_if_fail (proxy != NULL && uri != NULL, FALSE);
  return sipservlet_proxy_to_list (proxy, &uri, 1, error);
}

static void
branch_cancel (SipProxyBranch *branch, const char *reason)
{
  for (guint i = 0; i < branch->recursed->len; i++)
    branch_cancel (branch->recursed->pdata[i], reason);
  if (branch->state == SIPSV_BRANCH_CREATED)
    {
      mark_completed (branch, 487);
      branch->final_phrase = g_strdup ("Request Terminated");
      return;
    }
  if (!branch_is_pending (branch) || branch->cancel_sent || branch->request->orq == NULL)
    return;
  if (branch->request->base.sip->sip_request->rq_method != sip_method_invite)
    return;                             /* only INVITE can be cancelled */
  branch->cancel_sent = TRUE;
  sipsv_stack_cancel (branch->request->orq, reason);
}

static void
cancel_pending (SipProxy *proxy, const char *reason, SipProxyBranch *except)
{
  for (guint i = 0; i < proxy->all->len; i++)
    {
      SipProxyBranch *branch = proxy->all->pdata[i];
      if (branch != except)
        branch_cancel (branch, reason);
    }
  schedule_check (proxy);
}

gboolean
sipservlet_proxy_cancel (SipProxy *proxy, const char *reason, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  if (proxy->completed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy has completed");
      return FALSE;
    }
  proxy->cancelled = TRUE;
  cancel_pending (proxy, reason, NULL);
  return TRUE;
}

static void
on_upstream_cancel (SipProxy *proxy, sip_t const *cancel)
{
  /* The CANCEL's Reason goes on to the branches (RFC 3326): an upstream
   * fork tells our callees why they stop ringing. */
  GString *reason = g_string_new (NULL);
  for (sip_reason_t const *r = cancel->sip_reason; r != NULL; r = r->re_next)
    {
      char *one = sip_header_as_string (NULL, (sip_header_t const *) r);
      g_string_append_printf (reason, "%s%s", reason->len > 0 ? ", " : "", one);
      su_free (NULL, one);
    }
  proxy->cancelled = TRUE;
  cancel_pending (proxy, reason->len > 0 ? reason->str : NULL, NULL);
  g_string_free (reason, TRUE);
}

/* RFC 3326: why the other branches are cancelled, so that phones that
 * rang do not list a missed call ("Call completed elsewhere") or know
 * that the callee declined everywhere (6xx). */
static char *
cancel_reason (guint status, const char *phrase)
{
  if (status < 300)
    return g_strdup ("SIP;cause=200;text=\"Call completed elsewhere\"");
  GString *text = g_string_new (NULL);
  g_string_printf (text, "SIP;cause=%u;text=\"", status);
  for (const char *c = phrase ? phrase : ""; *c != '\0'; c++)
    if (*c != '"' && *c != '\\')      /* a quoted-string cannot hold them bare */
      g_string_append_c (text, *c);
  g_string_append_c (text, '"');
  return g_string_free (text, FALSE);
}

GPtrArray *
sipservlet_proxy_get_branches (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return g_ptr_array_copy (proxy->branches, NULL, NULL);
}

SipProxyBranch *
sipservlet_proxy_get_branch (SipProxy *proxy, const SipURI *uri)
{
  g_return_val_if_fail (proxy != NULL && uri != NULL, NULL);
  for (guint i = 0; i < proxy->branches->len; i++)
    {
      SipProxyBranch *branch = proxy->branches->pdata[i];
      if (sipservlet_uri_equal (sipservlet_proxy_branch_get_uri (branch), uri))
        return branch;
    }
  return NULL;
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
  if (branch->state == SIPSV_BRANCH_COMPLETED && branch->recursed->len == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the branch has completed");
      return FALSE;
    }
  branch_cancel (branch, reason);
  schedule_check (branch->proxy);
  return TRUE;
}

gboolean
sipservlet_proxy_branch_set_timeout (SipProxyBranch *branch, guint seconds, GError **error)
{
  g_return_val_if_fail (branch != NULL, FALSE);
  guint limit = branch->proxy->parallel ? branch->proxy->timeout_s : MAX_TIMEOUT_S;
  if (seconds < 1 || seconds > limit)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "branch timeout %u s is outside 1..%u", seconds, limit);
      return FALSE;
    }
  branch->timeout_s = seconds;
  if (branch_is_pending (branch))
    branch_arm_timer (branch);
  return TRUE;
}

GPtrArray *
sipservlet_proxy_branch_get_recursed_branches (SipProxyBranch *branch)
{
  g_return_val_if_fail (branch != NULL, NULL);
  return g_ptr_array_copy (branch->recursed, NULL, NULL);
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

/* ---- sessions of proxied dialogs ------------------------------------------- */

static SipSession *
dialog_session (SipProxy *proxy, sip_t const *sip)
{
  SipSession *session = proxy->request->base.session;
  const char *to_tag = sip->sip_to->a_tag;

  if (session == NULL || proxy->subsequent || to_tag == NULL)
    return session;
  if (session->remote_tag == NULL || g_strcmp0 (session->remote_tag, to_tag) == 0
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
  char *key = sipsv_proxy_dialog_key (sip->sip_call_id->i_id, sip->sip_from->a_tag, to_tag);
  SipSession *derived = g_hash_table_lookup (sipsv_runtime (proxy->container)->sessions.dialogs, key);
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

static void
update_session (SipProxy *proxy, SipProxyBranch *branch, sip_t const *sip, guint status)
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
      sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_CONFIRMED);
      if (branch->record_route)
        sipsv_proxy_register_session (session, sip->sip_call_id->i_id, sip->sip_from->a_tag,
                                      sip->sip_to->a_tag);
    }
  else if (session->state == SIPSERVLET_SESSION_STATE_INITIAL)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_EARLY);
}

/* ---- responses ---------------------------------------------------------------- */

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

/* Sends a branch response upstream; its top Via was popped on arrival. */
static void
relay_upstream (SipProxy *proxy, SipServletResponse *response, guint status)
{
  SipServletRequest *original = proxy->request;
  sip_t *sip = response->base.sip;

  if (original->irq == NULL || (original->final_sent && (status >= 300 || original->final_status >= 300)))
    return;
  if (sip->sip_via == NULL)
    {
      /* The downstream built it from a hop-by-hop request (a 487 from
       * CANCEL's Via): answer from our own transaction instead. */
      if (status >= 200)
        sipsv_uas_answer (original, status, sip->sip_status->st_phrase);
      return;
    }
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
          proxy->completed = TRUE;
          return;
        }
      for (guint i = 0; i < proxy->all->len; i++)
        {
          SipProxyBranch *b = proxy->all->pdata[i];
          if (b->state != SIPSV_BRANCH_COMPLETED)
            return;
        }
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
      proxy->completed = TRUE;
      relay_upstream (proxy, response, status);
    }
  else if (original->cancelled)
    {
      proxy->completed = TRUE;
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
      gboolean more = !all_completed (proxy);
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
      proxy->completed = TRUE;
    }
  SipSession *session = original->base.session;
  if (session != NULL && session->proxy && !proxy->subsequent
      && session->state == SIPSERVLET_SESSION_STATE_EARLY)
    sipsv_session_set_state (session, SIPSERVLET_SESSION_STATE_INITIAL);
}

static gboolean
all_completed (SipProxy *proxy)
{
  for (guint i = 0; i < proxy->all->len; i++)
    if (((SipProxyBranch *) proxy->all->pdata[i])->state != SIPSV_BRANCH_COMPLETED)
      return FALSE;
  return TRUE;
}

static void
check (SipProxy *proxy)
{
  if (!proxy->completed && proxy->request->final_sent)
    {
      /* The servlet answered the original request itself. */
      proxy->completed = TRUE;
      cancel_pending (proxy, NULL, NULL);
    }
  if (!proxy->completed && !proxy->parallel && !proxy->cancelled)
    start_pending (proxy);
  if (!proxy->completed && proxy->started && all_completed (proxy))
    finish_with_best (proxy);
  if (proxy->completed && all_completed (proxy))
    release_request (proxy);
}

static void
on_check (gpointer data)
{
  SipProxy *proxy = data;
  proxy->check_queued = FALSE;
  check (proxy);
}

static void
schedule_check (SipProxy *proxy)
{
  /* Checked from the loop so servlet callbacks never nest. The proxy
   * reference keeps the proxy alive until then: its release goes through
   * the same ordered queue, after any check queued before it. */
  if (!proxy->holds_request || proxy->check_queued)
    return;
  proxy->check_queued = TRUE;
  sipsv_runtime_defer (sipsv_runtime (proxy->container), on_check, proxy);
}

void
sipsv_proxy_on_final_sent (SipProxy *proxy)
{
  schedule_check (proxy);
}

static void
recurse_on_redirect (SipProxy *proxy, SipProxyBranch *branch, sip_t const *sip)
{
  for (sip_contact_t const *m = sip->sip_contact; m != NULL; m = m->m_next)
    {
      char *text = url_as_string (NULL, m->m_url);
      SipURI *uri = sipservlet_uri_parse (text, NULL);
      su_free (NULL, text);
      if (uri == NULL)
        continue;
      gboolean known = !sipservlet_uri_is_sip (uri);
      for (guint i = 0; i < proxy->all->len && !known; i++)
        known = sipservlet_uri_equal (sipservlet_proxy_branch_get_uri (proxy->all->pdata[i]), uri);
      if (!known)
        branch_new (proxy, uri, branch);
      sipservlet_uri_unref (uri);
    }
}

static int
on_branch_response (nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
  SipProxyBranch *branch = (SipProxyBranch *) magic;
  SipProxy *proxy = branch->proxy;
  SipServletRequest *original = proxy->request;

  if (sip == NULL || sip->sip_status == NULL)
    return 0;
  guint status = sip->sip_status->st_status;
  gboolean invite = original->base.sip->sip_request->rq_method == sip_method_invite;

  if (status == 100)
    return 0;
  if (branch->state == SIPSV_BRANCH_COMPLETED)
    {
      /* 2xx retransmissions go upstream like the first 2xx. */
      if (invite && status < 300 && branch->final_status < 300 && branch->response != NULL)
        {
          msg_t *m = nta_outgoing_getresponse (orq);
          sip_via_remove (m, sip_object (m));
          if (original->irq != NULL && sip_object (m)->sip_via != NULL)
            nta_incoming_mreply (original->irq, m);
          else
            msg_destroy (m);
        }
      return 0;
    }

  SipServletResponse *response = sipsv_response_new (proxy->container, nta_outgoing_getresponse (orq),
                                                     branch->request, TRUE);
  response->branch = branch;
  sipsv_message_set_session (&response->base, original->base.session);
  sip_via_remove (response->base.msg, response->base.sip);
  /* NTA's own error for this branch copied the forwarded request's
   * Record-Route, ours included; it creates no dialog. */
  if (sipsv_stack_made_response (response->base.sip) && response->base.sip->sip_record_route)
    msg_header_remove_all (response->base.msg, (msg_pub_t *) response->base.sip,
                           (msg_header_t *) response->base.sip->sip_record_route);
  if (branch->response != NULL)
    sipservlet_response_unref (branch->response);
  branch->response = response;           /* the branch owns it */
  if (original->base.session != NULL)
    sipsv_application_session_touch (original->base.session->app);

  if (status < 200)
    {
      branch->state = SIPSV_BRANCH_PROCEEDING;
      if (invite)
        branch_arm_timer (branch);         /* Timer C restarts on provisionals */
      update_session (proxy, branch, sip, status);
      show_to_servlet (proxy, response);
      if (!proxy->completed)
        relay_upstream (proxy, response, status);   /* every 1xx but 100 */
      return 0;
    }

  mark_completed (branch, status);
  update_session (proxy, branch, sip, status);

  if (status < 300)
    {
      show_to_servlet (proxy, response);
      proxy->got_2xx = TRUE;
      proxy->completed = TRUE;
      relay_upstream (proxy, response, status);
      if (!proxy->no_cancel)
        {
          char *reason = cancel_reason (status, NULL);
          cancel_pending (proxy, reason, branch);
          g_free (reason);
        }
    }
  else
    {
      if (status >= 600)
        {
          char *reason = cancel_reason (status, sip->sip_status->st_phrase);
          cancel_pending (proxy, reason, branch);
          g_free (reason);
        }
      else if (status < 400 && branch->recurse && !proxy->cancelled && !proxy->completed)
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
        start_pending (proxy);
    }
  schedule_check (proxy);
  return 0;
}

/* ---- subsequent requests ------------------------------------------------------- */

void
sipsv_proxy_forward_subsequent (SipServletRequest *request)
{
  SipProxy *proxy = request->proxy != NULL ? request->proxy : sipsv_proxy_new (request);

  /* Along the route set, to the Request-URI as received. */
  proxy->subsequent = TRUE;
  branch_new (proxy, NULL, NULL);
  start_pending (proxy);
}
