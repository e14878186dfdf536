/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a servlet that proxies every INVITE, record-routing, to
 * one target: sipservlet_servlet_new ("proxy", &record_routing_proxy,
 * "sip:bob@127.0.0.1:5062", NULL), the target URI as user data.
 *
 * Header only; include it after check-main.h.
 */
#pragma once

#include <check.h>
#include <sipservlet/sipservlet.h>

static void
record_routing_proxy_on_invite (SipServlet *servlet, SipServletRequest *request,
                                gpointer user_data)
{
  GError *error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  ck_assert (proxy != NULL && sipservlet_proxy_set_record_route (proxy, TRUE, &error));
  SipURI *target = sipservlet_uri_parse (user_data, &error);
  ck_assert (target != NULL && sipservlet_proxy_to (proxy, target, &error));
  sipservlet_uri_unref (target);
}

static const SipServletHandlers record_routing_proxy = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = record_routing_proxy_on_invite,
};
