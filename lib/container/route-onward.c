/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - application routing of an initial request that an
 * application sends (JSR 289 §15.4.1): when a servlet proxies it, the
 * router is asked again (CONTINUE, with the region and state of the
 * request the servlet received) before anything leaves; so it is for a
 * request a servlet creates (a B2BUA's other leg: CONTINUE from its
 * original; others with the directive the servlet set).
 *
 *   router error, too long a chain              -> the branch fails: 500
 *   ROUTE, first route not ours                 -> routes pushed, sent out
 *   ROUTE_BACK                                  -> the same, over our own
 *                                                  Route (route-back.c)
 *   no application                              -> sent out
 *   an application (ROUTE ours: its popped route) -> delivered in process
 *                                                   (lib/runtime/hop.c),
 *                                                   chosen by dispatch.c
 *                                                   with route-initial.c
 */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"

static void
info_free (gpointer data)
{
  sipsv_router_info_clear (data);
  g_free (data);
}

SipsvOnward
sipsv_container_route_onward (SipContainer *container, SipServletRequest *request,
                              SipRoutingDirective directive, SipRoutingRegion region,
                              GVariant *state, guint depth, gpointer *routing,
                              GDestroyNotify *routing_free)
{
  SipsvRouter *router = &container->router;
  sip_t const *sip = request->base.sip;
  g_autoptr (GError) error = NULL;

  if (!router->set)
    return SIPSV_ONWARD_OUT;
  /* What the router left to the implicit application (or to the
   * container's forwarder, which sends on what no application took) goes
   * out: asking again would start the router over. */
  SipSession *session = request->base.session;
  if (state == NULL && session != NULL && session->app != NULL && session->app->scope == NULL)
    return SIPSV_ONWARD_OUT;
  if (depth + 1 >= SIPSV_MAX_CHAIN)
    {
      g_warning ("application router: %s %s passed %u applications; answering 500",
                 sip->sip_request->rq_method_name, sip->sip_call_id->i_id, SIPSV_MAX_CHAIN);
      return SIPSV_ONWARD_FAILED;
    }
  SipRouterInfo *info = g_new0 (SipRouterInfo, 1);
  if (!router->funcs.get_next_application (request, region, directive, SIPSERVLET_TARGETED_NONE,
                                           NULL, state, info, router->user_data, &error))
    {
      g_warning ("application router failed for %s %s: %s", sip->sip_request->rq_method_name,
                 sip->sip_call_id->i_id, error != NULL ? error->message : "(no reason)");
      info_free (info);
      return SIPSV_ONWARD_FAILED;
    }
  gboolean back = info->routes != NULL && info->modifier == SIPSERVLET_ROUTE_ROUTE_BACK;
  if (back
      || (info->routes != NULL && info->modifier == SIPSERVLET_ROUTE_ROUTE
          && !sipsv_container_route_is_ours (container, info->routes[0])))
    {
      /* Out through the router's routes; with ROUTE_BACK, our own Route
       * under them brings the request back (route-back.c). */
      g_autofree char *ours = back ? sipsv_container_route_back_route (container, info, depth)
                                   : NULL;
      gboolean ok = (ours == NULL
                     || sipsv_container_push_routes (request, (const char *const *) &ours, 1,
                                                     &error))
                    && sipsv_container_push_routes (request, (const char *const *) info->routes,
                                                    g_strv_length (info->routes), &error);
      if (!ok)
        g_warning ("application router: bad route for %s %s: %s",
                   sip->sip_request->rq_method_name, sip->sip_call_id->i_id, error->message);
      info_free (info);
      return ok ? SIPSV_ONWARD_OUT : SIPSV_ONWARD_FAILED;
    }
  if (info->application == NULL)
    {
      info_free (info);
      return SIPSV_ONWARD_OUT;
    }
  *routing = info;
  *routing_free = info_free;
  return SIPSV_ONWARD_APPLICATION;
}
