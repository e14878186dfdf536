/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the forking proxy and registrar of
 * sipservlet-proxy, as the program runs it (the container's implicit
 * application) and as the proxy module deploys it (an application named
 * "proxy"). It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "example-app.h"
#include "registrar-servlet.h"

typedef struct {
  RegistrarOptions registrar;   /* --domain, --min-expires ... */
  char *record_route;           /* --record-route on|off, or NULL */
  char *foreign;                /* --foreign allow|deny, or NULL */
  gint branch_timeout;          /* --branch-timeout, seconds; 0: the default */
} ProxyOptions;

/* Sets the defaults (the registrar's, record-routing, foreign domains
 * allowed, the container's branch timeout). */
void proxy_options_init (ProxyOptions *options);

/* Option entries for --record-route, --foreign and --branch-timeout (the
 * registrar's are registrar_option_entries (&options->registrar)), to add
 * to a GOptionContext or to read a configuration group with; g_free() the
 * array. */
GOptionEntry *proxy_option_entries (ProxyOptions *options);

/* Frees what option parsing allocated. */
void proxy_options_clear (ProxyOptions *options);

typedef struct _ProxyApp ProxyApp;

/* Checks the options and creates the proxy's state and registrar; NULL
 * with G_OPTION_ERROR_BAD_VALUE naming the option when one is bad. */
ProxyApp *proxy_app_new (const ProxyOptions *options, GError **error);

/* Frees an application that was not deployed (accepts NULL). */
void proxy_app_free (ProxyApp *app);

/* Installs the servlet "proxy" on @container for every request, as @how
 * says (an application named "proxy", or the implicit one), and starts
 * purging expired bindings. Takes @app: its servlet frees it when it is
 * destroyed, also on failure. */
gboolean proxy_app_deploy (ProxyApp *app, SipContainer *container, ExampleInstall how,
                           GError **error);
