/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - what a request carries of application routing (JSR 289
 * §15): region, subscriber, directive, initial popped route. The
 * container sets them (lib/container/route-initial.c); an application
 * sets the directive of a request it creates. */
#include "config-private.h"

#include "message/message-private.h"

SipRoutingRegion
sipservlet_request_get_routing_region (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, SIPSERVLET_REGION_NEUTRAL);
  return request->region;
}

const SipURI *
sipservlet_request_get_subscriber_uri (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (request->subscriber_uri_parsed == NULL && request->subscriber_uri != NULL)
    request->subscriber_uri_parsed = sipservlet_uri_parse (request->subscriber_uri, NULL);
  return request->subscriber_uri_parsed;
}

SipRoutingDirective
sipservlet_request_get_routing_directive (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, SIPSERVLET_ROUTING_NEW);
  return request->directive;
}

const SipURI *
sipservlet_request_get_initial_popped_route (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (request->initial_popped_route_uri == NULL && request->initial_popped_route != NULL)
    request->initial_popped_route_uri = sipservlet_uri_parse (request->initial_popped_route,
                                                              NULL);
  return request->initial_popped_route_uri;
}

gboolean
sipservlet_request_set_routing_directive (SipServletRequest *request,
                                          SipRoutingDirective directive,
                                          SipServletRequest *origin, GError **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  if (request->base.incoming || request->sent || !request->initial)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the routing directive is set on an initial request the application "
                   "created, before it is sent");
      return FALSE;
    }
  if (directive != SIPSERVLET_ROUTING_NEW
      && (origin == NULL || !origin->base.incoming || !origin->initial))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "CONTINUE and REVERSE need the initial request received that this one "
                   "continues");
      return FALSE;
    }
  request->directive = directive;
  g_clear_pointer (&request->router_state, g_variant_unref);
  if (directive == SIPSERVLET_ROUTING_NEW)
    {
      request->region = SIPSERVLET_REGION_NEUTRAL;
      return TRUE;
    }
  request->router_state = origin->router_state != NULL ? g_variant_ref (origin->router_state)
                                                       : NULL;
  request->region = origin->region;
  request->depth = origin->depth;
  return TRUE;
}
