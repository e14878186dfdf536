/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the router's answer, SipRouterInfo: filled by the
 * router's get_next_application, read by the container. */
#include "config-private.h"

#include "application/application-private.h"

void
sipservlet_router_info_set_application (SipRouterInfo *info, const char *name,
                                        const char *subscriber_uri, SipRoutingRegion region)
{
  g_return_if_fail (info != NULL && name != NULL);
  g_free (info->application);
  g_free (info->subscriber_uri);
  info->application = g_strdup (name);
  info->subscriber_uri = g_strdup (subscriber_uri);
  info->region = region;
}

void
sipservlet_router_info_set_routes (SipRouterInfo *info, const char *const *routes,
                                   SipRouteModifier modifier)
{
  g_return_if_fail (info != NULL);
  g_strfreev (info->routes);
  info->routes = routes != NULL && routes[0] != NULL ? g_strdupv ((char **) routes) : NULL;
  info->modifier = modifier;
}

void
sipservlet_router_info_set_state (SipRouterInfo *info, GVariant *state)
{
  g_return_if_fail (info != NULL);
  g_clear_pointer (&info->state, g_variant_unref);
  info->state = state != NULL ? g_variant_ref_sink (state) : NULL;
}

void
sipsv_router_info_clear (SipRouterInfo *info)
{
  g_clear_pointer (&info->application, g_free);
  g_clear_pointer (&info->subscriber_uri, g_free);
  g_clear_pointer (&info->routes, g_strfreev);
  g_clear_pointer (&info->state, g_variant_unref);
  info->region = SIPSERVLET_REGION_NEUTRAL;
  info->modifier = SIPSERVLET_ROUTE_NO_ROUTE;
}
