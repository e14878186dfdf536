/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - what the application modules share: reading a
 * module's settings with the option tables of its program
 * (example-config.h), and errors that say where in the configuration the
 * setting is. It uses only the public API and GLib. */
#pragma once

#include <sipservlet/sipservlet.h>

/* Sets the options of @tables from @group of @config (example_config_read():
 * an unknown key is a warning, a bad value an error naming the file, line
 * and key). Without a configuration or a group the options keep their
 * defaults. */
gboolean example_module_read (GKeyFile *config, const char *group, GOptionEntry *const *tables,
                              GError **error);

/* Where @key (or, when NULL, @group) is: example_config_where(), or
 * "[GROUP] KEY" without a configuration. g_free() it. */
char *example_module_where (GKeyFile *config, const char *group, const char *key);

/* Prefixes an error of the application's own checks (a value that does
 * not fit with another) with where its group is. */
void example_module_prefix_error (GKeyFile *config, const char *group, GError **error);
