/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The call-blocking module: the application "call-blocking" of
 * sipservlet-composed (examples/common/call-blocking.c). Its key: deny,
 * the From URIs refused with 403, separated by ';'. */
#include <sipservlet/sipservlet.h>

#include "call-blocking.h"
#include "example-app.h"
#include "example-module.h"

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  CallBlockingOptions options = { NULL };
  SipServlet *servlet = NULL;

  g_autofree GOptionEntry *entries = call_blocking_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      g_autofree char *where = example_module_where (config, group, "deny");
      servlet = call_blocking_servlet_new (&options, where, error);
    }
  call_blocking_options_clear (&options);
  return servlet != NULL
         && example_install_servlet (container, EXAMPLE_INSTALL_APPLICATION, "call-blocking", NULL,
                                     servlet, NULL, NULL, NULL, error);
}

SIPSERVLET_MODULE_DEFINE ("call-blocking", "refuses calls from denied callers with 403", deploy)
