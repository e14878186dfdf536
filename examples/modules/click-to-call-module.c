/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The click-to-call module: the controller of sipservlet-click-to-call
 * (examples/click-to-call/click-to-call-app.c) as the application
 * "click-to-call", which places one call between "from" and "to" as soon
 * as it is deployed (RFC 3725 flow I) and logs "connected" and "ended".
 * Its keys: from and to (both required), timeout (seconds for each leg's
 * final response). Load it again (under another host group) for another
 * call once this one is unloaded. */
#include <sipservlet/sipservlet.h>

#include "click-to-call-app.h"
#include "example-module.h"

static void
on_report (Call *call, const char *event, gpointer data)
{
  g_message ("click-to-call: %s", event);
}

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  ClickToCallOptions options;
  Call *call = NULL;
  gboolean ok = FALSE;

  click_to_call_options_init (&options);
  g_autofree GOptionEntry *entries = click_to_call_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (!example_module_read (config, group, tables, error))
    goto out;
  if (options.from == NULL || options.to == NULL)
    {
      g_autofree char *where = example_module_where (config, group, NULL);
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                   "%s: the keys from and to are required: the module calls 'from', then "
                   "connects it to 'to', when it is deployed", where);
      goto out;
    }
  call = click_to_call_new (&options, error);
  if (call == NULL)
    example_module_prefix_error (config, group, error);
  else
    ok = click_to_call_deploy (call, container, EXAMPLE_INSTALL_APPLICATION, on_report, NULL,
                               error);
out:
  click_to_call_options_clear (&options);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("click-to-call", "connects two parties it calls (RFC 3725)", deploy)
