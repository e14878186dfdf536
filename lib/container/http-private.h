/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's HTTP side, inside: listeners (http.c),
 * converged sessions (http-converged.c), answers (http-respond.c). */
#pragma once

#include "container-private.h"

/* http.c */
typedef struct _SipsvHttp SipsvHttp;
void sipsv_container_http_clear (SipContainer *container);
/* Puts the renewed TLS files in force on the https listeners. */
gboolean sipsv_container_http_reload_tls (SipContainer *container, GError **error);

/* http-converged.c: what a handler serving message may reach (its
 * container, application and route) while it runs; may_create: whether
 * sipservlet_http_get_application_session() may create a session and set
 * its cookie (not from a WebSocket: the response is gone). */
void sipsv_http_bind (SoupServerMessage *message, SipContainer *container,
                      SipApplication *application, const SipsvHttpRoute *route, gboolean https,
                      gboolean may_create);
void sipsv_http_unbind (SoupServerMessage *message);
/* The route bound to message and its application, or NULL (the
 * application was undeployed meanwhile). */
const SipsvHttpRoute *sipsv_http_bound_route (SoupServerMessage *message,
                                              SipApplication **application);

/* http-respond.c: a refusal by the container's gate, logged with the
 * client's address, answered in JSON. */
void sipsv_http_refuse (SoupServerMessage *message, guint status, const char *why);
