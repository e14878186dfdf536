/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The call-forwarding module: the application "call-forwarding" of
 * sipservlet-composed (examples/common/call-forwarding.c). Its key:
 * forward, USER=URI values separated by ';': a request for USER is
 * proxied to URI. */
#include <sipservlet/sipservlet.h>

#include "call-forwarding.h"
#include "example-app.h"
#include "example-module.h"

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  CallForwardingOptions options = { NULL };
  SipServlet *servlet = NULL;

  g_autofree GOptionEntry *entries = call_forwarding_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      g_autofree char *where = example_module_where (config, group, "forward");
      servlet = call_forwarding_servlet_new (&options, where, error);
    }
  call_forwarding_options_clear (&options);
  return servlet != NULL
         && example_install_servlet (container, EXAMPLE_INSTALL_APPLICATION, "call-forwarding",
                                     NULL, servlet, NULL, NULL, NULL, error);
}

SIPSERVLET_MODULE_DEFINE ("call-forwarding", "retargets calls for some users", deploy)
