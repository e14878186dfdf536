/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipProxy: the stateful forking proxy's object, its
 * configuration (JSR 289 chapter 10), starting and cancelling it, and its
 * part as the role of its request.
 *
 * One server transaction (the original request's) and one client
 * transaction per branch, straight on NTA. Branches and their client
 * transactions are in branch.c, what comes back in responses.c, the
 * sessions of proxied dialogs in dialogs.c. See proxy-private.h for
 * ownership and the life cycle.
 */
#include "config-private.h"

#include <string.h>

#include "proxy/proxy-private.h"

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
  if (proxy->state != SIPSV_PROXY_PROXYING)
    return proxy->state != SIPSV_PROXY_CONFIGURING;   /* before a branch: the UAS's 487 */
  on_upstream_cancel (proxy, cancel);
  return TRUE;
}

static void
role_on_final_sent (gpointer role)
{
  SipProxy *proxy = role;
  if (proxy->state == SIPSV_PROXY_CONFIGURING)
    sipsv_proxy_enter (proxy, SIPSV_PROXY_COMPLETED);
  else if (proxy->state != SIPSV_PROXY_COMPLETED)
    sipsv_proxy_schedule_check (proxy);     /* the servlet answered while branches run */
}

/* The proxy as the role of its request (message-private.h). */
static const SipsvRequestRole proxy_role = {
  .finalize = role_finalize,
  .on_cancel = role_on_cancel,
  .on_final_sent = role_on_final_sent,
};

void
sipsv_proxy_enter (SipProxy *proxy, SipsvProxyState state)
{
  static const guint8 allowed[] = {
    [SIPSV_PROXY_CONFIGURING] = 1u << SIPSV_PROXY_PROXYING | 1u << SIPSV_PROXY_COMPLETED,
    [SIPSV_PROXY_PROXYING] = 1u << SIPSV_PROXY_CANCELLED | 1u << SIPSV_PROXY_COMPLETED,
    [SIPSV_PROXY_CANCELLED] = 1u << SIPSV_PROXY_COMPLETED,
    [SIPSV_PROXY_COMPLETED] = 0,
  };
  g_return_if_fail (allowed[proxy->state] & (1u << state));
  proxy->state = state;
}

SipProxy *
sipsv_proxy_new (SipServletRequest *request)
{
  SipProxy *proxy = g_new0 (SipProxy, 1);
  SipSession *session = request->base.session;

  proxy->request = request;
  proxy->container = request->base.container;
  proxy->branches = g_ptr_array_new ();
  proxy->all = g_ptr_array_new_with_free_func (sipsv_proxy_branch_free);
  proxy->parallel = proxy->recurse = proxy->supervised = TRUE;
  proxy->timeout_s = SIPSV_PROXY_DEFAULT_TIMEOUT_S;
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

tport_t *
sipsv_proxy_incoming_primary (SipProxy *proxy)
{
  SipServletRequest *request = proxy->request;
  if (request->hop != NULL)
    return request->hop->primary;
  return sipsv_stack_incoming_primary (&sipsv_runtime (proxy->container)->stack, request->irq);
}

static void
proxy_free (SipProxy *proxy)
{
  g_ptr_array_unref (proxy->branches);
  g_ptr_array_unref (proxy->all);
  g_clear_pointer (&proxy->record_route_uri, sipservlet_uri_unref);
  g_free (proxy);
}

/* The container is going away while branches still run: no response
 * will come back through its stack. The branches still ringing are
 * cancelled (RFC 3261 §16.10: the callees stop ringing; the stack still
 * runs and sends the CANCELs once), the caller gets a 503 if it has no
 * final response yet, and the proxy lets its request go. */
static void
abandon (gpointer data)
{
  SipProxy *proxy = data;

  if (proxy->state == SIPSV_PROXY_PROXYING)
    {
      g_autofree char *reason = sipsv_proxy_cancel_reason (503, "Service Unavailable");
      sipsv_proxy_cancel_branches (proxy, reason);
    }
  if (!proxy->request->final_sent && !proxy->request->cancelled
      && (proxy->request->irq != NULL || proxy->request->hop != NULL))
    sipsv_uas_answer (proxy->request, 503, "Service Unavailable");
  if (proxy->state != SIPSV_PROXY_COMPLETED)
    sipsv_proxy_enter (proxy, SIPSV_PROXY_COMPLETED);
  sipsv_proxy_release_request (proxy);
}

/* The proxy keeps its request alive while branches run; the reference is
 * dropped from an idle callback, never inside an NTA callback. */
void
sipsv_proxy_hold_request (SipProxy *proxy)
{
  if (!proxy->holds_request)
    {
      proxy->holds_request = TRUE;
      sipservlet_request_ref (proxy->request);
      sipsv_runtime_keep (sipsv_runtime (proxy->container), &proxy->kept, proxy, abandon);
    }
}

void
sipsv_proxy_release_request (SipProxy *proxy)
{
  if (proxy->holds_request)
    {
      proxy->holds_request = FALSE;
      sipsv_runtime_forget (sipsv_runtime (proxy->container), &proxy->kept);
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
  if (!request->base.incoming || (request->irq == NULL && request->hop == NULL) || !request->initial
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
  if (proxy->state != SIPSV_PROXY_CONFIGURING)
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

const SipsvRecordRoute *
sipsv_proxy_record_route_of (SipContainer *container, tport_t *primary, gboolean r2)
{
  /* One Record-Route per socket (and per r2 flag), parsed and formatted
   * once; a call copies it only if its servlet asks for it to edit it. */
  SipsvRuntime *runtime = sipsv_runtime (container);
  if (runtime->record_routes == NULL)
    runtime->record_routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                    record_route_free);
  char *contact = sipsv_stack_contact_of (&runtime->stack, primary);
  char *key = g_strconcat (contact, r2 ? ";r2" : "", NULL);
  SipsvRecordRoute *ours = g_hash_table_lookup (runtime->record_routes, key);
  if (ours == NULL)
    {
      SipAddress *address = sipservlet_address_parse (contact, NULL);
      if (address != NULL)
        {
          ours = g_new0 (SipsvRecordRoute, 1);
          ours->uri = sipservlet_uri_clone (sipservlet_address_get_uri (address));
          sipservlet_uri_set_lr_param (ours->uri, TRUE);
          if (r2)
            sipservlet_uri_set_parameter (ours->uri, "r2", "on", NULL);
          char *text = sipservlet_uri_to_string (ours->uri);
          ours->value = g_strconcat ("<", text, ">", NULL);
          g_free (text);
          g_hash_table_insert (runtime->record_routes, g_steal_pointer (&key), ours);
          sipservlet_address_unref (address);
        }
    }
  g_free (key);
  g_free (contact);
  return ours;
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
      proxy->incoming_primary = sipsv_proxy_incoming_primary (proxy);
      proxy->record_route_ours
          = sipsv_proxy_record_route_of (proxy->container, proxy->incoming_primary, FALSE);
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
  if (seconds < 1 || seconds > SIPSV_PROXY_MAX_TIMEOUT_S)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "proxy timeout %u s is outside 1..%u", seconds, SIPSV_PROXY_MAX_TIMEOUT_S);
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

/* New branches are welcome until a final response went upstream and
 * while nobody cancelled the proxy. */
static gboolean
check_accepts_branches (SipProxy *proxy, GError **error)
{
  if (proxy->state == SIPSV_PROXY_COMPLETED)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy has completed: a final response went upstream");
      return FALSE;
    }
  if (proxy->state == SIPSV_PROXY_CANCELLED)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the proxy was cancelled");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_target (SipProxy *proxy, const SipURI *uri, GError **error)
{
  if (!check_accepts_branches (proxy, error))
    return FALSE;
  if (!sipservlet_uri_is_sip (uri))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "only sip and sips URIs can be proxied to");
      return FALSE;
    }
  return check_record_route_uri (proxy, error);
}

SipProxyBranch *
sipservlet_proxy_create_branch (SipProxy *proxy, const SipURI *uri, GError **error)
{
  g_return_val_if_fail (proxy != NULL && uri != NULL, NULL);
  if (!check_target (proxy, uri, error))
    return NULL;
  return sipservlet_proxy_branch_ref (sipsv_proxy_branch_new (proxy, uri, NULL));
}

gboolean
sipservlet_proxy_start (SipProxy *proxy, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  gboolean any = FALSE;
  for (guint i = 0; i < proxy->all->len && !any; i++)
    any = ((SipProxyBranch *) proxy->all->pdata[i])->state == SIPSV_BRANCH_CREATED;
  if (!check_accepts_branches (proxy, error))
    return FALSE;
  if (!any)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE, "no branch to start");
      return FALSE;
    }
  if (!check_record_route_uri (proxy, error))
    return FALSE;
  sipsv_proxy_start_pending (proxy);
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
    sipsv_proxy_branch_new (proxy, uris[i], NULL);
  sipsv_proxy_start_pending (proxy);
  return TRUE;
}

gboolean
sipservlet_proxy_to (SipProxy *proxy, const SipURI *uri, GError **error)
{
  g_return_val_if_fail (proxy != NULL && uri != NULL, FALSE);
  return sipservlet_proxy_to_list (proxy, &uri, 1, error);
}

gboolean
sipservlet_proxy_cancel (SipProxy *proxy, const char *reason, GError **error)
{
  g_return_val_if_fail (proxy != NULL, FALSE);
  static const char *const refusal[] = {
    [SIPSV_PROXY_CONFIGURING] = "the proxy has not started: the servlet still answers its request",
    [SIPSV_PROXY_CANCELLED] = "the proxy was already cancelled",
    [SIPSV_PROXY_COMPLETED] = "the proxy has completed",
  };
  if (proxy->state != SIPSV_PROXY_PROXYING)
    {
      g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                           refusal[proxy->state]);
      return FALSE;
    }
  sipsv_proxy_enter (proxy, SIPSV_PROXY_CANCELLED);
  sipsv_proxy_cancel_pending (proxy, reason, NULL);
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
  sipsv_proxy_enter (proxy, SIPSV_PROXY_CANCELLED);
  sipsv_proxy_cancel_pending (proxy, reason->len > 0 ? reason->str : NULL, NULL);
  g_string_free (reason, TRUE);
}

GPtrArray *
sipservlet_proxy_get_branches (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  return sipsv_proxy_branches_copy (proxy->branches);
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

/* The proxy lives as long as its request: a reference on one is a
 * reference on the other. */
SipProxy *
sipservlet_proxy_ref (SipProxy *proxy)
{
  g_return_val_if_fail (proxy != NULL, NULL);
  sipservlet_request_ref (proxy->request);
  return proxy;
}

void
sipservlet_proxy_unref (SipProxy *proxy)
{
  g_return_if_fail (proxy != NULL);
  sipservlet_request_unref (proxy->request);
}
