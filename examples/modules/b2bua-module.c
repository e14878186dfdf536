/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The b2bua module: the signalling back-to-back user agent of
 * sipservlet-b2bua (examples/b2bua/b2bua-app.c) as the application
 * "b2bua", with its listeners as the application's own. Its key: target
 * (the URI of the outgoing leg; default: the caller's Request-URI).
 * Session timers are the host's (the container's) setting. */
#include <sipservlet/sipservlet.h>

#include "b2bua-app.h"
#include "example-module.h"

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  B2buaOptions options = { NULL };
  B2bua *b2b = NULL;
  gboolean ok = FALSE;

  g_autofree GOptionEntry *entries = b2bua_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      b2b = b2bua_new (&options, error);
      if (b2b == NULL)
        example_module_prefix_error (config, group, error);
      else
        ok = b2bua_deploy (b2b, container, EXAMPLE_INSTALL_APPLICATION, error);
    }
  b2bua_release (b2b);
  b2bua_options_clear (&options);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("b2bua", "a signalling back-to-back user agent", deploy)
