/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - application routing of an initial request that arrived
 * from the network (JSR 289 §15.4.1), when the container has a router:
 * the router names the application (or none), its region and subscriber,
 * and routes; this file turns that into the servlet to run, or answers
 * the request itself.
 *
 *   router error                   -> 500, logged
 *   ROUTE, first route not ours    -> routes pushed, sent on (no application)
 *   ROUTE, first route ours        -> it is the application's popped route
 *   ROUTE_BACK                     -> routes pushed over a signed Route of
 *                                     ours (route-back.c), sent on; when
 *                                     it comes back the router goes on
 *                                     with the region and state it gave
 *   no application                 -> the implicit application's servlet;
 *                                     without one: 404 when addressed to
 *                                     us with no Route, else sent on
 *   an application not deployed    -> 500, logged
 *   no servlet of it matches       -> 404 (JSR 289 §16)
 *   its security constraint        -> challenged unless authenticated
 */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"

/* Attribute of a request the forwarder sends on: routes to push. */
#define ROUTES_ATTRIBUTE "sipservlet.router-routes"

static void
reply (SipContainer *container, msg_t *msg, int status, const char *phrase)
{
  sipsv_stack_reply (&container->runtime.stack, msg, status, phrase, NULL);
}

SipAddress *
sipsv_container_route_address (const char *text, GError **error)
{
  if (strchr (text, '<') != NULL)
    return sipservlet_address_parse (text, error);
  SipURI *uri = sipservlet_uri_parse (text, error);
  if (uri == NULL)
    return NULL;
  SipAddress *address = sipservlet_address_new (uri, NULL);
  sipservlet_uri_unref (uri);
  return address;
}

/* Sends a request on as a proxy would, to its Request-URI, through the
 * routes the router gave (if any). */
static void
forward (SipServletRequest *request, gpointer user_data)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  GPtrArray *routes = sipservlet_message_get_attribute (message, ROUTES_ATTRIBUTE);
  g_autoptr (GError) error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  g_autoptr (SipProxyBranch) branch = proxy != NULL
      ? sipservlet_proxy_create_branch (proxy, sipservlet_request_get_request_uri (request),
                                        &error)
      : NULL;
  SipServletRequest *out = branch != NULL ? sipservlet_proxy_branch_get_request (branch) : NULL;

  if (out != NULL && routes != NULL
      && !sipsv_container_push_routes (out, (const char *const *) routes->pdata, routes->len,
                                       &error))
    out = NULL;
  if (out == NULL || !sipservlet_proxy_start (proxy, &error))
    {
      g_warning ("cannot send on a request no application took: %s",
                 error != NULL ? error->message : "no branch");
      if (!sipservlet_message_is_committed (message))
        sipservlet_request_respond (request, 500, "Cannot Route", NULL);
    }
}

static SipServlet *
forwarder (SipContainer *container)
{
  if (container->forwarder == NULL)
    {
      container->forwarder = sipservlet_servlet_new_with_callback ("sipservlet.forwarder",
                                                                   forward, NULL, NULL);
      container->forwarder->container = container;
      container->forwarder->factory = &container->runtime.factory;
      container->forwarder->initialized = TRUE;
    }
  return container->forwarder;
}

gboolean
sipsv_container_push_routes (SipServletRequest *request, const char *const *routes, guint n,
                             GError **error)
{
  for (guint i = n; i > 0; i--)
    {
      g_autoptr (SipAddress) route = sipsv_container_route_address (routes[i - 1], error);
      if (route == NULL || !sipservlet_request_push_route (request, route, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
sipsv_container_route_is_ours (SipContainer *container, const char *route)
{
  g_autoptr (SipAddress) address = sipsv_container_route_address (route, NULL);
  const SipURI *uri = address != NULL ? sipservlet_address_get_uri (address) : NULL;
  return uri != NULL && sipservlet_container_is_self (container, uri);
}

/* No application: the implicit one, else 404 or sent on. */
static gboolean
route_to_implicit (SipContainer *container, msg_t *msg, sip_t *sip, SipsvRouting *routing)
{
  routing->servlet = sipsv_container_select_servlet (container, sip->sip_request->rq_method_name);
  if (routing->servlet != NULL)
    return TRUE;
  if (sip->sip_route == NULL
      && sipsv_stack_url_is_self (&container->runtime.stack, sip->sip_request->rq_url))
    {
      reply (container, msg, 404, "Not Found");
      return FALSE;
    }
  routing->servlet = forwarder (container);
  return TRUE;
}

static gboolean
apply_routes (SipContainer *container, msg_t *msg, const SipRouterInfo *info,
              SipsvRouting *routing)
{
  if (info->routes == NULL || info->modifier == SIPSERVLET_ROUTE_NO_ROUTE)
    return TRUE;
  if (info->modifier == SIPSERVLET_ROUTE_ROUTE_BACK)
    {
      /* Out through the routes, back through our own Route under them. */
      routing->push_routes = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; info->routes[i] != NULL; i++)
        g_ptr_array_add (routing->push_routes, g_strdup (info->routes[i]));
      g_ptr_array_add (routing->push_routes,
                       sipsv_container_route_back_route (container, info, routing->depth));
      routing->servlet = forwarder (container);
      return TRUE;
    }
  if (sipsv_container_route_is_ours (container, info->routes[0]))
    {
      routing->popped_route = g_strdup (info->routes[0]);
      return TRUE;
    }
  routing->push_routes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; info->routes[i] != NULL; i++)
    g_ptr_array_add (routing->push_routes, g_strdup (info->routes[i]));
  routing->servlet = forwarder (container);
  return TRUE;
}

/* A request brought back by an encoded URI goes to the application that
 * encoded it, without asking the router (JSR 289 §15.11.1). */
static gboolean
route_encoded (SipContainer *container, msg_t *msg, const SipsvTarget *target,
               SipsvRouting *routing)
{
  const char *name = sipsv_container_target_application (target);
  if (g_str_equal (name, SIPSERVLET_IMPLICIT_APPLICATION))
    {
      routing->join = target->app_session;
      return TRUE;
    }
  routing->application = sipsv_container_find_application (container, name);
  if (routing->application == NULL)
    {
      reply (container, msg, 404, "Application Not Deployed");
      return FALSE;
    }
  routing->join = target->app_session;
  return TRUE;
}

/* The application's servlet, its security constraint and its session
 * key. */
static gboolean
choose_servlet (SipContainer *container, SipServletRequest *probe, msg_t *msg, sip_t *sip,
                char **remote_user, SipsvRouting *routing)
{
  gboolean ok = TRUE;

  routing->servlet = sipsv_app_select_servlet (routing->application, probe);
  if (routing->servlet == NULL)
    {
      reply (container, msg, 404, "Not Found");
      return FALSE;
    }
  if (sipsv_app_needs_authentication (routing->application, sip->sip_request->rq_method_name))
    ok = sipsv_container_security_require (container, msg, sip, remote_user);
  /* Session-key targeting (JSR 289 §15.11.2). */
  if (ok && routing->join == NULL)
    routing->key = sipsv_app_key (routing->application, probe);
  return ok;
}

/* What the router said, as the servlet to run, or an answer. */
static gboolean
choose (SipContainer *container, SipServletRequest *probe, msg_t *msg, sip_t *sip,
        const SipRouterInfo *info, const SipsvTarget *target, char **remote_user,
        SipsvRouting *routing)
{
  if (!apply_routes (container, msg, info, routing))
    return FALSE;
  if (routing->servlet != NULL)
    return TRUE;

  routing->region = info->region;
  routing->subscriber_uri = g_strdup (info->subscriber_uri);
  routing->state = info->state != NULL ? g_variant_ref (info->state) : NULL;
  /* A Join or Replaces joins the application session of the dialog it
   * names when the router chose that session's application. */
  if (target->app_session != NULL
      && g_strcmp0 (info->application != NULL ? info->application
                                               : SIPSERVLET_IMPLICIT_APPLICATION,
                    sipsv_container_target_application (target)) == 0)
    routing->join = target->app_session;
  if (info->application == NULL
      || g_str_equal (info->application, SIPSERVLET_IMPLICIT_APPLICATION))
    return route_to_implicit (container, msg, sip, routing);
  routing->application = sipsv_container_find_application (container, info->application);
  if (routing->application == NULL)
    {
      g_warning ("application router named '%s' for %s %s, which is not deployed; "
                 "answering 500", info->application, sip->sip_request->rq_method_name,
                 sip->sip_call_id->i_id);
      reply (container, msg, 500, "Application Not Deployed");
      return FALSE;
    }
  return choose_servlet (container, probe, msg, sip, remote_user, routing);
}

gboolean
sipsv_container_route_continued (SipContainer *container, msg_t *msg, sip_t *sip,
                                 const SipRouterInfo *info, char **remote_user,
                                 SipsvRouting *routing)
{
  SipsvTarget none = { 0 };

  memset (routing, 0, sizeof *routing);
  SipServletRequest *probe = sipsv_request_new (container, msg_ref_create (msg), TRUE);
  probe->initial = TRUE;
  gboolean ok = choose (container, probe, msg, sip, info, &none, remote_user, routing);
  routing->directive = SIPSERVLET_ROUTING_CONTINUE;
  sipservlet_request_unref (probe);
  if (!ok)
    sipsv_container_routing_clear (routing);
  return ok;
}

gboolean
sipsv_container_route_initial (SipContainer *container, msg_t *msg, sip_t *sip,
                               const char *popped, const SipsvTarget *target,
                               char **remote_user, SipsvRouting *routing)
{
  SipsvRouter *router = &container->router;
  SipRouterInfo info = { 0 };
  g_autoptr (GError) error = NULL;
  SipRoutingRegion back_region = SIPSERVLET_REGION_NEUTRAL;
  g_autoptr (GVariant) back_state = NULL;
  guint back_depth = 0;
  gboolean ok;

  memset (routing, 0, sizeof *routing);
  /* The router reads the request through the public API: a request object
   * without a transaction, on the same message. */
  SipServletRequest *probe = sipsv_request_new (container, msg_ref_create (msg), TRUE);
  probe->initial = TRUE;
  probe->popped_route = g_strdup (popped);
  if (target->type == SIPSERVLET_TARGETED_ENCODED_URI)
    {
      ok = route_encoded (container, msg, target, routing);
      if (ok && routing->application != NULL)
        goto servlet;
      if (ok)
        ok = route_to_implicit (container, msg, sip, routing);
      goto done;
    }
  /* Back from a ROUTE_BACK: routing goes on where it left off. */
  if (sipsv_container_route_back_parse (container, popped, &back_region, &back_state,
                                        &back_depth))
    {
      if (back_depth + 1 >= SIPSV_MAX_CHAIN)
        {
          g_warning ("application router: %s %s came back %u times; answering 500",
                     sip->sip_request->rq_method_name, sip->sip_call_id->i_id, back_depth + 1);
          reply (container, msg, 500, "Application Routing Failed");
          ok = FALSE;
          goto done;
        }
      routing->depth = back_depth + 1;
      routing->directive = SIPSERVLET_ROUTING_CONTINUE;
      ok = router->funcs.get_next_application (probe, back_region, SIPSERVLET_ROUTING_CONTINUE,
                                               SIPSERVLET_TARGETED_NONE, NULL, back_state,
                                               &info, router->user_data, &error);
    }
  else
    ok = router->funcs.get_next_application (probe, SIPSERVLET_REGION_NEUTRAL,
                                             SIPSERVLET_ROUTING_NEW, target->type,
                                             sipsv_container_target_application (target), NULL,
                                             &info, router->user_data, &error);
  if (!ok)
    {
      g_warning ("application router failed for %s %s: %s", sip->sip_request->rq_method_name,
                 sip->sip_call_id->i_id, error != NULL ? error->message : "(no reason)");
      reply (container, msg, 500, "Application Routing Failed");
      goto done;
    }
  ok = choose (container, probe, msg, sip, &info, target, remote_user, routing);
  goto done;
servlet:
  ok = choose_servlet (container, probe, msg, sip, remote_user, routing);
done:
  sipservlet_request_unref (probe);
  sipsv_router_info_clear (&info);
  if (!ok)
    sipsv_container_routing_clear (routing);
  return ok;
}

void
sipsv_container_routing_clear (SipsvRouting *routing)
{
  g_clear_pointer (&routing->subscriber_uri, g_free);
  g_clear_pointer (&routing->state, g_variant_unref);
  g_clear_pointer (&routing->popped_route, g_free);
  g_clear_pointer (&routing->push_routes, g_ptr_array_unref);
  g_clear_pointer (&routing->key, g_free);
  routing->join = NULL;
  routing->application = NULL;
  routing->servlet = NULL;
}

void
sipsv_container_routing_apply (SipsvRouting *routing, SipServletRequest *request)
{
  request->region = routing->region;
  request->directive = routing->directive;
  if (routing->depth > 0)
    request->depth = routing->depth;
  request->subscriber_uri = g_steal_pointer (&routing->subscriber_uri);
  request->router_state = g_steal_pointer (&routing->state);
  if (routing->push_routes != NULL)
    sipservlet_message_set_attribute (&request->base, ROUTES_ATTRIBUTE,
                                      g_steal_pointer (&routing->push_routes),
                                      (GDestroyNotify) g_ptr_array_unref);
}
