/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-server: the container daemon. It reads one configuration
 * file, listens, loads the application modules it names and composes
 * their applications with a Default Application Router file.
 *
 *   sipservlet-server --config FILE [--listen HOST:PORT]... [--set GROUP.KEY=VALUE]...
 *
 * The configuration (doc/configuration.md; sipservlet-server(8)):
 *   [server]   what the example programs take as flags (listen, alias,
 *              advertise, tls-*, auth-file, realm, trusted, rate-limit,
 *              session timers ...; read with their own option tables,
 *              examples/common/example-main.h) and the daemon's own keys:
 *              domain, dar, log-level, shutdown-deadline;
 *   [modules]  directory, load (modules that may fail: a warning, the
 *              others start), required (modules that must load);
 *   [NAME]     the settings of module NAME, handed to it as they are.
 * --listen replaces [server] listen; --set sets any key (both before the
 * file is read further, so they are checked like the file's own keys).
 *
 * SIGHUP re-reads the DAR file, the auth-file credentials and the TLS
 * files; a file that does not load leaves the one in use. SIGTERM or
 * SIGINT: new initial requests get 503, transactions in progress finish
 * within shutdown-deadline seconds, then the daemon exits with status 0.
 * Exit status 1: the configuration or a required module is refused at
 * start (the message names the file, line and key); 2: bad command line.
 */
#include <sipservlet/sipservlet.h>

#include <stdio.h>
#include <string.h>

#include "example-config.h"
#include "example-main.h"

#define SERVER_GROUP "server"
#define MODULES_GROUP "modules"

typedef struct {
  char **domains;         /* [server] domain */
  char *dar;              /* [server] dar */
  char *log_level;        /* [server] log-level */
  gint shutdown_deadline; /* [server] shutdown-deadline, seconds; -1: the container's */
  char *module_dir;       /* [modules] directory, or NULL: MODULE_DIR */
  char **load;            /* [modules] load */
  char **required;        /* [modules] required */
} ServerOptions;

typedef struct {
  SipContainer *container;
  ExampleOptions *options;
  ServerOptions *server;
} Server;

static GOptionEntry *
server_option_entries (ServerOptions *server)
{
  GOptionEntry entries[] = {
    { "domain", 0, 0, G_OPTION_ARG_STRING_ARRAY, &server->domains,
      "The domains this server is responsible for (our users' domains)", "DOMAIN" },
    { "dar", 0, 0, G_OPTION_ARG_FILENAME, &server->dar,
      "The Default Application Router file that composes the applications", "FILE" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &server->log_level,
      "The least severe messages logged: error, critical, warning, message (the "
      "default), info or debug", "LEVEL" },
    { "shutdown-deadline", 0, 0, G_OPTION_ARG_INT, &server->shutdown_deadline,
      "Seconds transactions in progress may take to finish at SIGTERM (default 32)",
      "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

static GOptionEntry *
modules_option_entries (ServerOptions *server)
{
  GOptionEntry entries[] = {
    { "directory", 0, 0, G_OPTION_ARG_FILENAME, &server->module_dir,
      "Where modules named without a '/' are, as NAME.so", "DIR" },
    { "load", 0, 0, G_OPTION_ARG_STRING_ARRAY, &server->load,
      "Modules to load; one that fails is reported and the others start", "NAME" },
    { "required", 0, 0, G_OPTION_ARG_STRING_ARRAY, &server->required,
      "Modules to load; one that fails stops the server from starting", "NAME" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

static void
server_options_clear (ServerOptions *server)
{
  g_clear_pointer (&server->domains, g_strfreev);
  g_clear_pointer (&server->dar, g_free);
  g_clear_pointer (&server->log_level, g_free);
  g_clear_pointer (&server->module_dir, g_free);
  g_clear_pointer (&server->load, g_strfreev);
  g_clear_pointer (&server->required, g_strfreev);
}

/* ---- logging --------------------------------------------------------------- */

static GLogLevelFlags log_threshold = G_LOG_LEVEL_MESSAGE;

/* GLib's levels grow less severe as their flag grows. */
static GLogWriterOutput
filtered_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if ((level & G_LOG_LEVEL_MASK) > log_threshold)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, data);
}

static gboolean
setup_logging (GKeyFile *config, const char *level, gboolean verbose, GError **error)
{
  static const struct {
    const char *name;
    GLogLevelFlags flag;
  } levels[] = {
    { "error", G_LOG_LEVEL_ERROR },     { "critical", G_LOG_LEVEL_CRITICAL },
    { "warning", G_LOG_LEVEL_WARNING }, { "message", G_LOG_LEVEL_MESSAGE },
    { "info", G_LOG_LEVEL_INFO },       { "debug", G_LOG_LEVEL_DEBUG },
  };

  if (verbose)
    log_threshold = G_LOG_LEVEL_DEBUG;
  if (level != NULL)
    {
      guint i = 0;
      while (i < G_N_ELEMENTS (levels) && g_ascii_strcasecmp (levels[i].name, level) != 0)
        i++;
      if (i == G_N_ELEMENTS (levels))
        {
          g_autofree char *where = example_config_where (config, SERVER_GROUP, "log-level");
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: '%s' is not error, critical, warning, message, info or debug",
                       where, level);
          return FALSE;
        }
      log_threshold = levels[i].flag;
    }
  /* GLib's writer shows info and debug only when asked to. */
  if (log_threshold >= G_LOG_LEVEL_INFO)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (filtered_writer, NULL, NULL);
  return TRUE;
}

/* ---- the configuration ------------------------------------------------------- */

/* --set GROUP.KEY=VALUE: the group is what comes before the last '.' of
 * the part before the first '='. */
static gboolean
apply_set (GKeyFile *config, const char *assignment, GError **error)
{
  const char *equal = strchr (assignment, '=');
  g_autofree char *path = equal != NULL ? g_strndup (assignment, (gsize) (equal - assignment))
                                        : NULL;
  char *dot = path != NULL ? strrchr (path, '.') : NULL;

  if (dot == NULL || dot == path || dot[1] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--set expects GROUP.KEY=VALUE, got '%s'", assignment);
      return FALSE;
    }
  *dot = '\0';
  g_key_file_set_value (config, path, dot + 1, equal + 1);
  return TRUE;
}

/* The group of the module listed as @name: the name, or for a path its
 * file name without ".so". g_free() it. */
static char *
module_group (const char *name)
{
  if (strchr (name, '/') == NULL)
    return g_strdup (name);
  char *base = g_path_get_basename (name);
  if (g_str_has_suffix (base, ".so"))
    base[strlen (base) - 3] = '\0';
  return base;
}

/* Whether a module of @list has @group as its group. */
static gboolean
listed (char **list, const char *group)
{
  for (char **l = list; l != NULL && *l != NULL; l++)
    {
      g_autofree char *its = module_group (*l);
      if (g_str_equal (its, group))
        return TRUE;
    }
  return FALSE;
}

/* A group that is neither ours nor a module's is probably a typo. */
static void
warn_unknown_groups (GKeyFile *config, ServerOptions *server)
{
  g_auto (GStrv) groups = g_key_file_get_groups (config, NULL);

  for (char **g = groups; *g != NULL; g++)
    if (!g_str_equal (*g, SERVER_GROUP) && !g_str_equal (*g, MODULES_GROUP)
        && !listed (server->load, *g) && !listed (server->required, *g))
      {
        g_autofree char *where = example_config_where (config, *g, NULL);
        g_warning ("%s: no module of that name is loaded, ignored", where);
      }
}

static gboolean
read_config (GKeyFile *config, ExampleOptions *options, ServerOptions *server, GError **error)
{
  g_autofree GOptionEntry *common = example_option_entries (options);
  g_autofree GOptionEntry *own = server_option_entries (server);
  g_autofree GOptionEntry *modules = modules_option_entries (server);
  GOptionEntry *server_tables[] = { common, own, NULL };
  GOptionEntry *modules_tables[] = { modules, NULL };

  if (!example_config_read (config, SERVER_GROUP, server_tables, error)
      || !example_config_read (config, MODULES_GROUP, modules_tables, error))
    return FALSE;
  if (server->shutdown_deadline < -1 || server->shutdown_deadline > 3600)
    {
      g_autofree char *where = example_config_where (config, SERVER_GROUP, "shutdown-deadline");
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: expected 0 to 3600 seconds", where);
      return FALSE;
    }
  warn_unknown_groups (config, server);
  /* The realm of the challenges, unless realm names one. */
  if (server->domains != NULL && server->domains[0] != NULL)
    options->default_realm = g_strdup (server->domains[0]);
  return setup_logging (config, server->log_level, options->verbose, error);
}

static gboolean
add_domains (Server *self, GKeyFile *config, GError **error)
{
  for (char **d = self->server->domains; d != NULL && *d != NULL; d++)
    if (!sipservlet_container_add_domain (self->container, *d, error))
      {
        g_autofree char *where = example_config_where (config, SERVER_GROUP, "domain");
        g_prefix_error (error, "%s: %s: ", where, *d);
        return FALSE;
      }
  return TRUE;
}

/* ---- modules ------------------------------------------------------------------- */

/* Loads module @name (a file name in the module directory, or a path)
 * with its group (module_group()). A failure is an error for a required
 * module, else a warning. */
static gboolean
load_module (Server *self, GKeyFile *config, const char *name, gboolean required,
             GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *path = NULL;
  const char *loaded;

  if (g_str_equal (name, SERVER_GROUP) || g_str_equal (name, MODULES_GROUP) || *name == '\0')
    g_set_error (&local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 "'%s' cannot name a module", name);
  else
    {
      const char *dir = self->server->module_dir != NULL ? self->server->module_dir : MODULE_DIR;
      path = strchr (name, '/') != NULL ? g_strdup (name)
                                        : g_strdup_printf ("%s/%s.so", dir, name);
      g_autofree char *group = module_group (name);
      loaded = sipservlet_container_load_module (self->container, path, config, group, &local);
      if (loaded != NULL)
        {
          g_message ("module %s loaded from %s", loaded, path);
          return TRUE;
        }
    }
  g_autofree char *where = example_config_where (config, MODULES_GROUP,
                                                 required ? "required" : "load");
  if (required)
    {
      g_set_error (error, local->domain, local->code, "%s: module %s: %s", where, name,
                   local->message);
      return FALSE;
    }
  g_warning ("%s: module %s not loaded, the others start: %s", where, name, local->message);
  return TRUE;
}

static gboolean
load_modules (Server *self, GKeyFile *config, GError **error)
{
  ServerOptions *server = self->server;

  for (char **r = server->required; r != NULL && *r != NULL; r++)
    if (!load_module (self, config, *r, TRUE, error))
      return FALSE;
  for (char **l = server->load; l != NULL && *l != NULL; l++)
    if ((server->required == NULL
         || !g_strv_contains ((const char *const *) server->required, *l))
        && !load_module (self, config, *l, FALSE, error))
      return FALSE;
  return TRUE;
}

/* ---- running --------------------------------------------------------------------- */

/* SIGHUP, after the credentials: the DAR file and the TLS files again.
 * Each that does not load leaves the one in use. */
static void
reload (gpointer data)
{
  Server *self = data;
  g_autoptr (GError) error = NULL;
  ExampleOptions *options = self->options;

  if (self->server->dar != NULL)
    {
      if (sipservlet_container_reload_application_router (self->container, &error))
        g_message ("SIGHUP: DAR reloaded from %s", self->server->dar);
      else
        g_warning ("SIGHUP: DAR not reloaded, the previous rules stay: %s", error->message);
      g_clear_error (&error);
    }
  if (options->tls_cert != NULL)
    {
      if (sipservlet_container_reload_tls_files (self->container, &error))
        g_message ("SIGHUP: TLS files reloaded from %s", options->tls_cert);
      else
        g_warning ("SIGHUP: TLS files not reloaded, the previous ones stay: %s",
                   error->message);
    }
}

static gboolean
start (Server *self, GKeyFile *config, GError **error)
{
  if (!add_domains (self, config, error) || !load_modules (self, config, error))
    return FALSE;
  if (self->server->shutdown_deadline >= 0)
    sipservlet_container_set_shutdown_deadline (self->container,
                                                (guint) self->server->shutdown_deadline * 1000);
  if (self->server->dar == NULL)
    {
      g_message ("no dar in [server]: every request goes to the implicit application");
      return TRUE;
    }
  if (!sipservlet_container_set_dar_file (self->container, self->server->dar, error))
    {
      g_autofree char *where = example_config_where (config, SERVER_GROUP, "dar");
      g_prefix_error (error, "%s: ", where);
      return FALSE;
    }
  return TRUE;
}

/* Reads the configuration and serves; the exit status. */
static int
serve (const char *path, char **listen, char **sets)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  ServerOptions server = { .shutdown_deadline = -1 };
  Server self = { NULL, &options, &server };
  g_autoptr (GError) error = NULL;
  GKeyFile *config = example_config_load (path, &error);
  int status = 1;

  if (config == NULL)
    goto out;
  if (listen != NULL)
    g_key_file_set_string_list (config, SERVER_GROUP, "listen", (const char *const *) listen,
                                g_strv_length (listen));
  for (char **s = sets; s != NULL && *s != NULL; s++)
    if (!apply_set (config, *s, &error))
      {
        status = 2;
        goto out;
      }
  if (!read_config (config, &options, &server, &error))
    goto out;
  options.config = config;
  options.config_group = SERVER_GROUP;
  /* It prints its own errors, naming the key. */
  self.container = example_container_new (&options);
  if (self.container == NULL)
    goto out;
  if (!start (&self, config, &error))
    goto out;
  example_set_reload_func (reload, &self);
  example_serve (self.container, NULL, NULL);
  example_set_reload_func (NULL, NULL);
  status = 0;

out:
  if (error != NULL)
    g_printerr ("error: %s\n", error->message);
  g_clear_pointer (&self.container, sipservlet_container_unref);
  example_config_free (config);
  example_options_clear (&options);
  server_options_clear (&server);
  return status;
}

int
main (int argc, char **argv)
{
  g_autofree char *config = NULL;
  g_auto (GStrv) listen = NULL;
  g_auto (GStrv) sets = NULL;
  gboolean version = FALSE;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
      "The configuration file (required)", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &listen,
      "Listen on HOST:PORT instead of [server] listen (repeatable)", "HOST:PORT" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "Set KEY of GROUP, over the file's value (repeatable)", "GROUP.KEY=VALUE" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- the SIP servlet container");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
                                    "See sipservlet-server(8) and doc/configuration.md.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("sipservlet-server %s\n", SERVER_VERSION);
      return 0;
    }
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      return 2;
    }
  if (config == NULL)
    {
      g_printerr ("error: --config FILE is required\n");
      return 2;
    }
  return serve (config, listen, sets);
}
