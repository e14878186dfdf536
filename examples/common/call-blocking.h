/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - call-blocking, an application of
 * sipservlet-composed and the call-blocking module: an initial request
 * whose From URI is a --deny URI (compared as RFC 3261 compares URIs) is
 * answered 403 "Blocked"; any other one gets the header
 * "X-Blocking: passed;region=...;subscriber=..." and is proxied on to its
 * current Request-URI (proxying.h). It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef struct {
  char **deny;              /* --deny values, NULL-terminated, or NULL */
} CallBlockingOptions;

/* The option entry for --deny, to add to a GOptionContext or to read a
 * configuration group with; g_free() the array. */
GOptionEntry *call_blocking_option_entries (CallBlockingOptions *options);

/* Frees what option parsing allocated. */
void call_blocking_options_clear (CallBlockingOptions *options);

/* The servlet "blocking", which owns its list of denied URIs. NULL with
 * G_OPTION_ERROR_BAD_VALUE "@what URI: why" when a --deny value is not a
 * sip or sips URI (@what: "--deny", or where a configuration says it). */
SipServlet *call_blocking_servlet_new (const CallBlockingOptions *options, const char *what,
                                       GError **error);
