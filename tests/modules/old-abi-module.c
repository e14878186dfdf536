/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test module built for another module ABI (99), by hand: the container
 * must refuse it without calling anything else of it. */
#include <sipservlet/sipservlet.h>

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  g_error ("the deploy function of a module of another ABI ran");
  return FALSE;
}

G_MODULE_EXPORT const SipModuleInfo *sipservlet_module_info (void);

G_MODULE_EXPORT const SipModuleInfo *
sipservlet_module_info (void)
{
  static const SipModuleInfo info = {
    99, SIPSERVLET_MAJOR_VERSION, SIPSERVLET_MINOR_VERSION, "old", "another ABI", deploy,
  };
  return &info;
}
