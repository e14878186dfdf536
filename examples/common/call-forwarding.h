/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - call-forwarding, an application of
 * sipservlet-composed and the call-forwarding module: an initial request
 * whose Request-URI user is the USER of a --forward USER=URI is
 * retargeted: proxied to URI, with "X-Forwarding: USER;region=..."; any
 * other one is proxied on unchanged, with "X-Forwarding: none;region=..."
 * (proxying.h). It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef struct {
  char **forward;           /* --forward USER=URI values, NULL-terminated, or NULL */
} CallForwardingOptions;

/* The option entry for --forward, to add to a GOptionContext or to read a
 * configuration group with; g_free() the array. */
GOptionEntry *call_forwarding_option_entries (CallForwardingOptions *options);

/* Frees what option parsing allocated. */
void call_forwarding_options_clear (CallForwardingOptions *options);

/* The servlet "forwarding", which owns its table of forwards. NULL with
 * G_OPTION_ERROR_BAD_VALUE naming @what ("--forward", or where a
 * configuration says it) for a value that is not USER=URI, a user given
 * twice, or a URI that is not sip or sips. */
SipServlet *call_forwarding_servlet_new (const CallForwardingOptions *options, const char *what,
                                         GError **error);
