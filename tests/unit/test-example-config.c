/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* examples/common/example-config.c: configuration files read with the
 * option tables of the example programs. Each test writes its file to a
 * temporary folder; errors and warnings must say the file and line. */
#include <glib/gstdio.h>
#include <string.h>

#include "check-main.h"
#include "example-config.h"
#include "warning-catcher.h"

static char *dir;
static char *path;

/* The settings of one table, as a program declares them. */
typedef struct {
  char *name;
  gint count;
  gint64 big;
  gdouble ratio;
  gboolean flag;
  gboolean quiet;               /* G_OPTION_FLAG_REVERSE */
  char **items;
  char *file;
  char **files;
} Settings;

static void
settings_clear (Settings *settings)
{
  g_free (settings->name);
  g_strfreev (settings->items);
  g_free (settings->file);
  g_strfreev (settings->files);
  memset (settings, 0, sizeof *settings);
}

static GOptionEntry *
settings_entries (Settings *settings)
{
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &settings->name, "", "" },
    { "count", 0, 0, G_OPTION_ARG_INT, &settings->count, "", "" },
    { "big", 0, 0, G_OPTION_ARG_INT64, &settings->big, "", "" },
    { "ratio", 0, 0, G_OPTION_ARG_DOUBLE, &settings->ratio, "", "" },
    { "flag", 0, 0, G_OPTION_ARG_NONE, &settings->flag, "", "" },
    { "loud", 0, G_OPTION_FLAG_REVERSE, G_OPTION_ARG_NONE, &settings->quiet, "", "" },
    { "item", 0, 0, G_OPTION_ARG_STRING_ARRAY, &settings->items, "", "" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &settings->file, "", "" },
    { "files", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &settings->files, "", "" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

static void
setup (void)
{
  dir = g_dir_make_tmp ("sipservlet-config-XXXXXX", NULL);
  ck_assert_ptr_nonnull (dir);
  path = g_build_filename (dir, "test.conf", NULL);
}

static void
teardown (void)
{
  catch_warnings_end ();
  g_unlink (path);
  g_rmdir (dir);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&dir, g_free);
}

static GKeyFile *
load_text (const char *text, GError **error)
{
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return example_config_load (path, error);
}

/* Reads @group of @text into @settings; returns what example_config_read
 * returned. */
static gboolean
read_text (const char *text, const char *group, Settings *settings, GError **error)
{
  GKeyFile *config = load_text (text, error);
  ck_assert_msg (config != NULL, "%s", *error != NULL ? (*error)->message : "");
  g_autofree GOptionEntry *entries = settings_entries (settings);
  GOptionEntry *const tables[] = { entries, NULL };
  gboolean ok = example_config_read (config, group, tables, error);
  example_config_free (config);
  return ok;
}

/* An error of G_KEY_FILE_ERROR whose message starts with "PATH:LINE:" and
 * contains @text. */
static void
assert_error_at (GError *error, guint line, const char *text)
{
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (error->domain == G_KEY_FILE_ERROR, "%s", error->message);
  g_autofree char *where = g_strdup_printf ("%s:%u: ", path, line);
  ck_assert_msg (g_str_has_prefix (error->message, where), "'%s' does not start with '%s'",
                 error->message, where);
  ck_assert_msg (strstr (error->message, text) != NULL, "'%s' lacks '%s'", error->message, text);
}

START_TEST (test_good_file)
{
  GError *error = NULL;
  Settings settings = { .count = 7, .name = NULL };
  const char *text = "# a comment\n"
                     "\n"
                     "[other]\n"
                     "name = not this one\n"
                     "[app]\n"
                     "  name = alice\n"
                     "count = 42\n"
                     "big = 5000000000\n"
                     "ratio = 0.5\n"
                     "flag = true\n"
                     "loud = false\n";
  ck_assert (read_text (text, "app", &settings, &error));
  ck_assert_str_eq (settings.name, "alice");
  ck_assert_int_eq (settings.count, 42);
  ck_assert (settings.big == G_GINT64_CONSTANT (5000000000));
  ck_assert (settings.ratio == 0.5);
  ck_assert (settings.flag);
  ck_assert (settings.quiet);       /* reversed */
  settings_clear (&settings);

  /* A missing group sets nothing: defaults stay. */
  settings.count = 7;
  ck_assert (read_text (text, "absent", &settings, &error));
  ck_assert_int_eq (settings.count, 7);
  ck_assert_ptr_null (settings.name);
}
END_TEST

START_TEST (test_bad_line_shape)
{
  GError *error = NULL;
  ck_assert_ptr_null (load_text ("[app]\nname = x\nthis is no setting\n", &error));
  assert_error_at (error, 3, "expected KEY = VALUE");
  g_clear_error (&error);
  ck_assert_ptr_null (load_text ("[app]\n\n\n[unclosed\n", &error));
  assert_error_at (error, 4, "[NAME]");
  g_clear_error (&error);
  ck_assert_ptr_null (load_text ("[app]\n= value\n", &error));
  assert_error_at (error, 2, "expected KEY = VALUE");
  g_clear_error (&error);
}
END_TEST

START_TEST (test_key_before_group)
{
  GError *error = NULL;
  ck_assert_ptr_null (load_text ("# first\nname = x\n[app]\n", &error));
  assert_error_at (error, 2, "before the first [group]");
  ck_assert_int_eq (error->code, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
  g_clear_error (&error);
}
END_TEST

START_TEST (test_bad_values)
{
  GError *error = NULL;
  Settings settings = { 0 };
  ck_assert (!read_text ("[app]\nname = x\n\ncount = abc\n", "app", &settings, &error));
  assert_error_at (error, 4, "[app] count: 'abc' is not an integer");
  ck_assert_int_eq (error->code, G_KEY_FILE_ERROR_INVALID_VALUE);
  g_clear_error (&error);
  settings_clear (&settings);
  ck_assert (!read_text ("[app]\nflag = maybe\n", "app", &settings, &error));
  assert_error_at (error, 2, "[app] flag: 'maybe' is not true or false");
  g_clear_error (&error);
  ck_assert (!read_text ("[app]\n\nbig = 1e3x\n", "app", &settings, &error));
  assert_error_at (error, 3, "[app] big: '1e3x' is not an integer");
  g_clear_error (&error);
  ck_assert (!read_text ("[app]\nratio = half\n", "app", &settings, &error));
  assert_error_at (error, 2, "[app] ratio: 'half' is not a number");
  g_clear_error (&error);
  settings_clear (&settings);
}
END_TEST

START_TEST (test_relative_file_names)
{
  GError *error = NULL;
  Settings settings = { 0 };
  ck_assert (read_text ("[app]\nfile = certs/server.pem\nfiles = a.txt;/abs/b.txt\n"
                        "name = relative/not/a/file\n",
                        "app", &settings, &error));
  g_autofree char *expected = g_build_filename (dir, "certs", "server.pem", NULL);
  ck_assert_str_eq (settings.file, expected);
  g_autofree char *first = g_build_filename (dir, "a.txt", NULL);
  ck_assert_uint_eq (g_strv_length (settings.files), 2);
  ck_assert_str_eq (settings.files[0], first);
  ck_assert_str_eq (settings.files[1], "/abs/b.txt");
  /* Only file options are resolved. */
  ck_assert_str_eq (settings.name, "relative/not/a/file");
  settings_clear (&settings);
}
END_TEST

START_TEST (test_string_lists)
{
  GError *error = NULL;
  Settings settings = { 0 };
  ck_assert (read_text ("[app]\nitem = sip:a@example.com;sip:b@example.com; c\n", "app",
                        &settings, &error));
  ck_assert_uint_eq (g_strv_length (settings.items), 3);
  ck_assert_str_eq (settings.items[0], "sip:a@example.com");
  ck_assert_str_eq (settings.items[1], "sip:b@example.com");
  ck_assert_str_eq (settings.items[2], "c");
  settings_clear (&settings);
  /* Spaces at the end of a value, or around ';', are not part of it. */
  ck_assert (read_text ("[app]\nname = x \t\nitem = a ; b \n", "app", &settings, &error));
  ck_assert_str_eq (settings.name, "x");
  ck_assert_uint_eq (g_strv_length (settings.items), 2);
  ck_assert_str_eq (settings.items[0], "a");
  ck_assert_str_eq (settings.items[1], "b");
  settings_clear (&settings);
  ck_assert (read_text ("[app]\nitem = alone\n", "app", &settings, &error));
  ck_assert_uint_eq (g_strv_length (settings.items), 1);
  ck_assert_str_eq (settings.items[0], "alone");
  settings_clear (&settings);
}
END_TEST

START_TEST (test_unknown_key_warns)
{
  GError *error = NULL;
  Settings settings = { 0 };
  catch_warnings_begin ();
  ck_assert (read_text ("[app]\nname = x\nnmae = typo\n", "app", &settings, &error));
  g_autofree char *expected = g_strdup_printf ("%s:3: [app] nmae: unknown key", path);
  ck_assert_msg (caught_warning (expected), "no warning '%s'", expected);
  ck_assert_uint_eq (catcher.messages->len, 1);
  ck_assert_str_eq (settings.name, "x");
  settings_clear (&settings);
}
END_TEST

START_TEST (test_duplicate_key_warns)
{
  GError *error = NULL;
  Settings settings = { 0 };
  catch_warnings_begin ();
  ck_assert (read_text ("[app]\ncount = 1\n\ncount = 2\n", "app", &settings, &error));
  g_autofree char *expected
      = g_strdup_printf ("%s:4: [app] count given again (first on line 2)", path);
  ck_assert_msg (caught_warning (expected), "no warning '%s'", expected);
  ck_assert_int_eq (settings.count, 2);   /* the last one wins */
  g_autofree char *group = g_strdup_printf ("%s:3: group [app] given again", path);
  ck_assert (read_text ("[app]\nname = x\n[app]\n", "app", &settings, &error));
  ck_assert_msg (caught_warning (group), "no warning '%s'", group);
  settings_clear (&settings);
}
END_TEST

START_TEST (test_where)
{
  GError *error = NULL;
  GKeyFile *config = load_text ("[app]\n\nname = x\n", &error);
  ck_assert_ptr_nonnull (config);
  g_autofree char *key = example_config_where (config, "app", "name");
  g_autofree char *group = example_config_where (config, "app", NULL);
  g_autofree char *absent = example_config_where (config, "app", "count");
  g_autofree char *want_key = g_strdup_printf ("%s:3: [app] name", path);
  g_autofree char *want_group = g_strdup_printf ("%s:1: [app]", path);
  g_autofree char *want_absent = g_strdup_printf ("%s:1: [app] count", path);
  ck_assert_str_eq (key, want_key);
  ck_assert_str_eq (group, want_group);
  ck_assert_str_eq (absent, want_absent);
  example_config_free (config);

  /* A key file that was not loaded from a file says no more than it knows. */
  g_autoptr (GKeyFile) plain = g_key_file_new ();
  g_autofree char *bare = example_config_where (plain, "app", "name");
  ck_assert_str_eq (bare, "[app] name");

  /* A file that cannot be read. */
  ck_assert_ptr_null (example_config_load ("/nonexistent/sipservlet.conf", &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("example-config");
  TCase *tc = tcase_create ("example-config");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_good_file);
  tcase_add_test (tc, test_bad_line_shape);
  tcase_add_test (tc, test_key_before_group);
  tcase_add_test (tc, test_bad_values);
  tcase_add_test (tc, test_relative_file_names);
  tcase_add_test (tc, test_string_lists);
  tcase_add_test (tc, test_unknown_key_warns);
  tcase_add_test (tc, test_duplicate_key_warns);
  tcase_add_test (tc, test_where);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
