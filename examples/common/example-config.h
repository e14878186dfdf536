/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - configuration files: the settings of
 * sipservlet-server and of the application modules, read with the same
 * option tables (GOptionEntry) as the example programs' command lines, so
 * that a key and a flag are one setting with one parser.
 *
 * A configuration is a GKeyFile that remembers its file and the line of
 * every group and key: errors read "FILE:LINE: [GROUP] KEY: why". The key
 * of an option is its long name without the dashes ("listen", "tls-cert");
 * lists are separated by ';'; flags are "true" or "false"; a relative file
 * name is relative to the configuration file's folder.
 * It uses only the public API and GLib, like any host program. */
#pragma once

#include <glib.h>

/* Reads @path. A line that is not a [group], a KEY = VALUE or a # comment,
 * a key before the first group, or a file that cannot be read is an error
 * naming the file (and the line); a key or group given twice is a warning
 * (the last value wins, as GKeyFile does). Free it with
 * example_config_free(). */
GKeyFile *example_config_load (const char *path, GError **error);

/* Frees a configuration of example_config_load(). */
void example_config_free (GKeyFile *config);

/* Where @key of @group is: "FILE:LINE: [GROUP] KEY" (the group's line when
 * @key is NULL or absent); "[GROUP] KEY" for a key file that was not
 * loaded by example_config_load(). g_free() it. */
char *example_config_where (GKeyFile *config, const char *group, const char *key);

/* Sets the options of @tables (NULL-terminated list of NULL-terminated
 * option tables, as for a GOptionContext) from the keys of @group named
 * after them; options without a key keep their value. A key that names no
 * option is a warning; a value that does not fit its option (not a number,
 * not true/false) is an error saying where. A missing group sets nothing.
 * The option types the examples use are supported: NONE, STRING,
 * STRING_ARRAY, FILENAME, FILENAME_ARRAY, INT, INT64 and DOUBLE.
 * Strings replace what the option held without freeing it, as GOption
 * does. */
gboolean example_config_read (GKeyFile *config, const char *group,
                              GOptionEntry *const *tables, GError **error);
