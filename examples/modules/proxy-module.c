/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The proxy module: the forking proxy and registrar of sipservlet-proxy
 * (examples/proxy/proxy-app.c) as one application, "proxy", which takes
 * every request the router gives it. Its domains are the group's
 * "domain" values, the container's (the host's) and its own addresses.
 * The group's keys are the program's application options:
 * record-route, foreign, branch-timeout and the registrar's (domain,
 * min-expires, max-expires, default-expires, max-contacts,
 * nat-ping-interval). */
#include <sipservlet/sipservlet.h>

#include "example-module.h"
#include "proxy-app.h"

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  ProxyOptions options;
  ProxyApp *app = NULL;
  gboolean ok = FALSE;

  proxy_options_init (&options);
  g_autofree GOptionEntry *registrar_entries = registrar_option_entries (&options.registrar);
  g_autofree GOptionEntry *proxy_entries = proxy_option_entries (&options);
  GOptionEntry *const tables[] = { registrar_entries, proxy_entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      app = proxy_app_new (&options, error);
      if (app == NULL)
        example_module_prefix_error (config, group, error);
      else
        ok = proxy_app_deploy (app, container, EXAMPLE_INSTALL_APPLICATION, error);
    }
  proxy_options_clear (&options);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("proxy", "a stateful forking proxy and registrar", deploy)
