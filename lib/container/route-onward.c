/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - application routing of an initial request that an
 * application sends on (JSR 289 §15.4.1, the "CONTINUE" case): when a
 * servlet proxies it, the router is asked again, with the region and state
 * of the request the servlet received, before anything leaves.
 *
 *   router error, ROUTE_BACK, too long a chain  -> the branch fails: 500
 *   ROUTE, first route not ours                 -> routes pushed, sent out
 *   no application                              -> sent out
 *   an application (ROUTE ours: its popped route) -> delivered in process
 *                                                   (lib/runtime/hop.c),
 *                                                   chosen by dispatch.c
 *                                                   with route-initial.c
 */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"

/* How many applications one request may pass through in this container:
 * a router that keeps naming applications (or a DAR whose entries name
 * each other) ends here with a 500 instead of exhausting Max-Forwards. */
#define SIPSV_MAX_CHAIN 16

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
  if (info->routes != NULL && info->modifier == SIPSERVLET_ROUTE_ROUTE_BACK)
    {
      g_warning ("application router: ROUTE_BACK for '%s' is not supported; answering 500",
                 info->application != NULL ? info->application : "(none)");
      info_free (info);
      return SIPSV_ONWARD_FAILED;
    }
  if (info->routes != NULL && info->modifier == SIPSERVLET_ROUTE_ROUTE
      && !sipsv_container_route_is_ours (container, info->routes[0]))
    {
      gboolean ok = sipsv_container_push_routes (request, (const char *const *) info->routes,
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
