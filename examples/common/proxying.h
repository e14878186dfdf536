/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - what the small proxying applications share
 * (call-blocking, call-forwarding and location, composed by the router in
 * sipservlet-composed and deployed by the application modules): each of
 * them only looks at what passes by, record-routes the requests that
 * create dialogs, and proxies the others on, marked with what the router
 * told it. It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

/* The method of @request. */
const char *proxying_method (SipServletRequest *request);

/* TRUE for what an application only looks at: ACK and CANCEL (nothing to
 * answer) and the requests inside a dialog it record-routed (the
 * container forwards them when the handler returns); logged at debug
 * level with @application's name. */
gboolean proxying_passes_by (const char *application, SipServletRequest *request);

/* The proxy of @request, record-routing the requests that create dialogs
 * (INVITE, SUBSCRIBE, REFER); NULL when the container refused (it
 * answered a request with Max-Forwards 0 with 483 itself). */
SipProxy *proxying_get_proxy (const char *application, SipServletRequest *request);

/* Adds "NAME: MARK;region=REGION;subscriber="URI"" to @request (what the
 * router gave the application; the subscriber left out when it named
 * none), then proxies it to @target (the next application, or out when
 * there is none); answers 500 when it cannot. */
void proxying_proxy_marked (const char *application, SipServletRequest *request,
                            const SipURI *target, const char *name, const char *mark);

/* A sip or sips URI, or NULL with G_OPTION_ERROR_BAD_VALUE saying
 * "@what TEXT: why". */
SipURI *proxying_parse_sip_uri (const char *what, const char *text, GError **error);
