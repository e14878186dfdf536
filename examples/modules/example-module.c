/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - what the application modules share. */
#include "example-module.h"
#include "example-config.h"

gboolean
example_module_read (GKeyFile *config, const char *group, GOptionEntry *const *tables,
                     GError **error)
{
  if (config == NULL || group == NULL)
    return TRUE;
  return example_config_read (config, group, tables, error);
}

char *
example_module_where (GKeyFile *config, const char *group, const char *key)
{
  if (config == NULL || group == NULL)
    return key != NULL ? g_strdup_printf ("[%s] %s", group != NULL ? group : "", key)
                       : g_strdup_printf ("[%s]", group != NULL ? group : "");
  return example_config_where (config, group, key);
}

void
example_module_prefix_error (GKeyFile *config, const char *group, GError **error)
{
  g_autofree char *where = example_module_where (config, group, NULL);
  g_prefix_error (error, "%s: ", where);
}
