/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - configuration files read with option tables. */
#include "example-config.h"

#include <stdarg.h>
#include <string.h>

/* What a configuration remembers of its file: GKeyFile keeps no line
 * numbers, so they are found by a scan of our own and attached to the key
 * file with g_dataset (global to GLib, so a module linking its own copy of
 * this file finds them too). */
typedef struct {
  char *path;
  char *folder;
  GHashTable *lines;      /* "GROUP" or "GROUP\nKEY" -> line (GUINT_TO_POINTER) */
} Origin;

#define ORIGIN_KEY "example-config-origin"

static void
origin_free (gpointer data)
{
  Origin *origin = data;
  g_free (origin->path);
  g_free (origin->folder);
  g_hash_table_unref (origin->lines);
  g_free (origin);
}

static Origin *
origin_of (GKeyFile *config)
{
  return g_dataset_get_data (config, ORIGIN_KEY);
}

static char *
line_key (const char *group, const char *key)
{
  return key != NULL ? g_strconcat (group, "\n", key, NULL) : g_strdup (group);
}

static guint
line_of (Origin *origin, const char *group, const char *key)
{
  g_autofree char *with_key = line_key (group, key);
  guint line = GPOINTER_TO_UINT (g_hash_table_lookup (origin->lines, with_key));
  return line > 0 ? line : GPOINTER_TO_UINT (g_hash_table_lookup (origin->lines, group));
}

char *
example_config_where (GKeyFile *config, const char *group, const char *key)
{
  Origin *origin = origin_of (config);
  g_autofree char *name = key != NULL ? g_strdup_printf ("[%s] %s", group, key)
                                      : g_strdup_printf ("[%s]", group);
  guint line = origin != NULL ? line_of (origin, group, key) : 0;

  if (origin == NULL)
    return g_steal_pointer (&name);
  if (line == 0)
    return g_strdup_printf ("%s: %s", origin->path, name);
  return g_strdup_printf ("%s:%u: %s", origin->path, line, name);
}

/* Records @name's line; a second one is worth a warning. */
static void
remember_line (Origin *origin, char *name, guint line, const char *what)
{
  guint first = GPOINTER_TO_UINT (g_hash_table_lookup (origin->lines, name));
  if (first > 0)
    g_warning ("%s:%u: %s given again (first on line %u): the last one wins", origin->path,
               line, what, first);
  g_hash_table_insert (origin->lines, name, GUINT_TO_POINTER (line));
}

/* Checks every line's shape and records where each group and key is. */
static gboolean
scan_lines (Origin *origin, const char *text, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      guint number = i + 1;
      while (g_ascii_isspace (*line))
        line++;
      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '[')
        {
          const char *end = strrchr (line, ']');
          if (end == NULL || end == line + 1)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                           "%s:%u: a group is written [NAME]", origin->path, number);
              return FALSE;
            }
          g_free (group);
          group = g_strndup (line + 1, (gsize) (end - line - 1));
          g_autofree char *what = g_strdup_printf ("group [%s]", group);
          remember_line (origin, g_strdup (group), number, what);
          continue;
        }
      const char *equal = strchr (line, '=');
      if (equal == NULL || equal == line)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                       "%s:%u: expected KEY = VALUE, a [group] or a # comment", origin->path,
                       number);
          return FALSE;
        }
      g_autofree char *key = g_strstrip (g_strndup (line, (gsize) (equal - line)));
      if (group == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       "%s:%u: key '%s' before the first [group]", origin->path, number, key);
          return FALSE;
        }
      g_autofree char *what = g_strdup_printf ("[%s] %s", group, key);
      remember_line (origin, line_key (group, key), number, what);
    }
  return TRUE;
}

GKeyFile *
example_config_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;
  GError *local = NULL;
  Origin *origin;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  origin = g_new0 (Origin, 1);
  origin->path = g_strdup (path);
  origin->folder = g_path_get_dirname (path);
  origin->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (!scan_lines (origin, text, error))
    {
      origin_free (origin);
      return NULL;
    }
  GKeyFile *config = g_key_file_new ();
  g_key_file_set_list_separator (config, ';');
  if (!g_key_file_load_from_data (config, text, length, G_KEY_FILE_NONE, &local))
    {
      /* What the scan let through: bad UTF-8, a bad group name. */
      g_set_error (error, G_KEY_FILE_ERROR, local->code, "%s: %s", path, local->message);
      g_error_free (local);
      g_key_file_unref (config);
      origin_free (origin);
      return NULL;
    }
  g_dataset_set_data_full (config, ORIGIN_KEY, origin, origin_free);
  return config;
}

void
example_config_free (GKeyFile *config)
{
  if (config == NULL)
    return;
  g_dataset_destroy (config);
  g_key_file_unref (config);
}

static gboolean G_GNUC_PRINTF (5, 6)
value_error (GError **error, GKeyFile *config, const char *group, const char *key,
             const char *format, ...)
{
  g_autofree char *where = example_config_where (config, group, key);
  va_list args;
  va_start (args, format);
  g_autofree char *why = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: %s", where, why);
  return FALSE;
}

static const GOptionEntry *
find_entry (GOptionEntry *const *tables, const char *key)
{
  for (guint t = 0; tables[t] != NULL; t++)
    for (const GOptionEntry *entry = tables[t]; entry->long_name != NULL; entry++)
      if (g_str_equal (entry->long_name, key))
        return entry;
  return NULL;
}

/* A relative file name is relative to the configuration's folder. */
static char *
resolve_file (GKeyFile *config, char *name)
{
  Origin *origin = origin_of (config);
  if (origin == NULL || g_path_is_absolute (name))
    return name;
  char *resolved = g_build_filename (origin->folder, name, NULL);
  g_free (name);
  return resolved;
}

/* The value of @key as a string list; the parse error of GKeyFile is
 * replaced by one that says where. */
static gboolean
read_entry (GKeyFile *config, const char *group, const char *key, const GOptionEntry *entry,
            GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *raw = g_key_file_get_value (config, group, key, NULL);

  switch (entry->arg)
    {
    case G_OPTION_ARG_NONE:
      {
        gboolean value = g_key_file_get_boolean (config, group, key, &local);
        if (local != NULL)
          return value_error (error, config, group, key, "'%s' is not true or false", raw);
        *(gboolean *) entry->arg_data
            = (entry->flags & G_OPTION_FLAG_REVERSE) != 0 ? !value : value;
        return TRUE;
      }
    case G_OPTION_ARG_STRING:
    case G_OPTION_ARG_FILENAME:
      {
        char *value = g_key_file_get_string (config, group, key, &local);
        if (value == NULL)
          return value_error (error, config, group, key, "%s", local->message);
        /* GKeyFile keeps the spaces before the end of the line and
         * around ';': nobody means them. */
        g_strstrip (value);
        if (entry->arg == G_OPTION_ARG_FILENAME)
          value = resolve_file (config, value);
        *(char **) entry->arg_data = value;
        return TRUE;
      }
    case G_OPTION_ARG_STRING_ARRAY:
    case G_OPTION_ARG_FILENAME_ARRAY:
      {
        char **value = g_key_file_get_string_list (config, group, key, NULL, &local);
        if (value == NULL)
          return value_error (error, config, group, key, "%s", local->message);
        for (char **v = value; *v != NULL; v++)
          if (entry->arg == G_OPTION_ARG_FILENAME_ARRAY)
            *v = resolve_file (config, g_strstrip (*v));
          else
            g_strstrip (*v);
        *(char ***) entry->arg_data = value;
        return TRUE;
      }
    case G_OPTION_ARG_INT:
      {
        gint value = g_key_file_get_integer (config, group, key, &local);
        if (local != NULL)
          return value_error (error, config, group, key, "'%s' is not an integer", raw);
        *(gint *) entry->arg_data = value;
        return TRUE;
      }
    case G_OPTION_ARG_INT64:
      {
        gint64 value = g_key_file_get_int64 (config, group, key, &local);
        if (local != NULL)
          return value_error (error, config, group, key, "'%s' is not an integer", raw);
        *(gint64 *) entry->arg_data = value;
        return TRUE;
      }
    case G_OPTION_ARG_DOUBLE:
      {
        gdouble value = g_key_file_get_double (config, group, key, &local);
        if (local != NULL)
          return value_error (error, config, group, key, "'%s' is not a number", raw);
        *(gdouble *) entry->arg_data = value;
        return TRUE;
      }
    case G_OPTION_ARG_CALLBACK:
    default:
      return value_error (error, config, group, key,
                          "this option cannot be set from a configuration file");
    }
}

gboolean
example_config_read (GKeyFile *config, const char *group, GOptionEntry *const *tables,
                     GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (config, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const GOptionEntry *entry = find_entry (tables, keys[i]);
      if (entry == NULL)
        {
          g_autofree char *where = example_config_where (config, group, keys[i]);
          g_warning ("%s: unknown key, ignored", where);
          continue;
        }
      if (!read_entry (config, group, keys[i], entry, error))
        return FALSE;
    }
  return TRUE;
}
