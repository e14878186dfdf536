/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The uas module: the user-agent server of sipservlet-uas
 * (examples/uas/uas-app.c) as the application "uas", which answers the
 * calls and requests the router gives it, its call counter as the
 * application's listeners. Its key: answer-delay (milliseconds of ringing
 * before the answer). Session timers are the host's setting; registering
 * upstream (--register-to) stays the program's. */
#include <sipservlet/sipservlet.h>

#include "example-module.h"
#include "uas-app.h"

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  UasOptions options = { 0 };
  Uas *uas = NULL;
  gboolean ok = FALSE;

  g_autofree GOptionEntry *entries = uas_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      uas = uas_new (&options, error);
      if (uas == NULL)
        example_module_prefix_error (config, group, error);
      else
        ok = uas_deploy (uas, container, EXAMPLE_INSTALL_APPLICATION, error);
    }
  uas_release (uas);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("uas", "a user-agent server answering every call", deploy)
