/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - shared command line and lifecycle. */
#include "example-main.h"
#include "example-config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

GOptionEntry *
example_option_entries (ExampleOptions *options)
{
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &options->listen,
      "Listen on HOST:PORT, UDP and TCP (repeatable; default 127.0.0.1:5060; "
      "port 0 picks a free one; IPv6 as [::1]:5060; 0.0.0.0 or [::] for every address; "
      "\"HOST:PORT advertise PUBLIC\" for a NAT's public address; "
      "tls:HOST:PORT for TLS, with --tls-cert)", "HOST:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_cert,
      "PEM certificate (and its chain) of the tls: listening addresses", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_key,
      "PEM private key of --tls-cert (default: in the --tls-cert file)", "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_ca,
      "PEM certificates trusted for TLS peers this server connects to "
      "(default: the system's)", "FILE" },
    { "alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->aliases,
      "Another name of this server (repeatable): HOST or HOST:PORT", "HOST[:PORT]" },
    { "advertise", 0, 0, G_OPTION_ARG_STRING, &options->advertise,
      "Name every listening address by PUBLIC in Via, Record-Route and Contact "
      "(behind a 1:1 NAT)", "PUBLIC" },
    { "session-expires", 0, 0, G_OPTION_ARG_INT, &options->session_expires,
      "RFC 4028 session timers: the interval to ask for and grant, in seconds "
      "(0 turns them off)", "SECONDS" },
    { "min-se", 0, 0, G_OPTION_ARG_INT, &options->min_se,
      "The shortest session interval accepted (default 90; shorter ones get 422)",
      "SECONDS" },
    { "app-session-timeout", 0, 0, G_OPTION_ARG_INT, &options->app_session_timeout,
      "Minutes of inactivity before an application session expires (default 3; "
      "0 = never; calls in progress outlive it)", "MINUTES" },
    { "auth-file", 0, 0, G_OPTION_ARG_FILENAME, &options->auth_file,
      "Challenge REGISTER and requests from our domains with digest authentication, "
      "checked against FILE: user:realm:MD5-HA1[:SHA-256-HA1] lines (htdigest); "
      "SIGHUP reloads it", "FILE" },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &options->realm,
      "The realm of our challenges (default: the first --domain)", "REALM" },
    { "trusted", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->trusted,
      "A source exempt from authentication and the rate limit (repeatable): an IP "
      "address or ADDRESS/PREFIX, such as an edge proxy in front of us",
      "ADDRESS[/PREFIX]" },
    { "rate-limit", 0, 0, G_OPTION_ARG_STRING, &options->rate_limit,
      "Requests per second each source address may send, with a burst of BURST "
      "(default twice the rate); --trusted sources are exempt", "RATE[/BURST]" },
    { "rate-limit-action", 0, 0, G_OPTION_ARG_STRING, &options->rate_limit_action,
      "What becomes of a request over its source's rate: reject (503 with "
      "Retry-After, the default) or drop", "reject|drop" },
    { "max-transactions", 0, 0, G_OPTION_ARG_INT, &options->max_transactions,
      "With this many transactions in flight, answer new requests 503 (requests "
      "inside dialogs still pass; default 0, no limit)", "N" },
    { "timer-j", 0, 0, G_OPTION_ARG_STRING, &options->timer_j,
      "How long a completed non-INVITE transaction absorbs retransmissions over "
      "UDP, in ms (default 64*T1 = 32000, RFC 3261; shorter saves memory under "
      "REGISTER load but is a deviation: a late retransmission is handled again)",
      "MS" },
    { "http", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->http,
      "Serve HTTP on IP:PORT (repeatable; https:IP:PORT with --tls-cert): the "
      "applications' web handlers, and /health and /metrics unless "
      "--http-operations is given", "[https:]IP:PORT" },
    { "http-operations", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->http_operations,
      "Serve /health and /metrics on IP:PORT only (repeatable), e.g. on loopback "
      "for Prometheus", "[https:]IP:PORT" },
    { "http-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->http_hosts,
      "A host name web clients use to reach the HTTP listeners (repeatable); IP "
      "literals, and localhost on loopback, are always accepted", "NAME" },
    { "sip-trace", 0, 0, G_OPTION_ARG_NONE, &options->sip_trace,
      "Log every SIP message sent and received, with its Call-ID (Authorization "
      "values redacted)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose,
      "Log debug messages", NULL },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

/* How an error names option @name: "--name" on the command line, or
 * "FILE:LINE: [GROUP] name" when the options came from a configuration
 * file. g_free() it. */
static char *
option_name (ExampleOptions *options, const char *name)
{
  if (options->config != NULL)
    return example_config_where (options->config, options->config_group, name);
  return g_strconcat ("--", name, NULL);
}

/* A bad option value: sets @error and prints it; returns FALSE. */
static gboolean G_GNUC_PRINTF (2, 3)
option_error (GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT, message);
  g_printerr ("error: %s\n", message);
  g_free (message);
  return FALSE;
}

/* --trusted, --auth-file and --realm; the error says which option. */
static gboolean
setup_authentication (SipContainer *container, ExampleOptions *options, GError **error)
{
  const char *realm = options->realm != NULL ? options->realm : options->default_realm;

  for (char **t = options->trusted; t != NULL && *t != NULL; t++)
    if (!sipservlet_container_add_trusted_source (container, *t, error))
      {
        g_autofree char *name = option_name (options, "trusted");
        g_printerr ("error: %s %s: %s\n", name, *t, (*error)->message);
        return FALSE;
      }
  g_autofree char *realm_name = option_name (options, "realm");
  g_autofree char *file_name = option_name (options, "auth-file");
  if (options->auth_file == NULL)
    return options->realm == NULL || option_error (error, "%s needs auth-file", realm_name);
  if (realm == NULL)
    return option_error (error, "%s needs a realm (or a domain)", file_name);
  g_autoptr (SipCredentialStore) store = sipservlet_credential_store_new_from_file (
      options->auth_file, error);
  if (store == NULL || !sipservlet_container_set_authentication (container, store, realm, error))
    {
      g_printerr ("error: %s %s (realm %s): %s\n", file_name, options->auth_file, realm,
                  (*error)->message);
      return FALSE;
    }
  return TRUE;
}

/* --rate-limit, --rate-limit-action, --max-transactions and --timer-j:
 * what a flood of requests may cost. */
static gboolean
setup_overload (SipContainer *container, ExampleOptions *options, GError **error)
{
  guint64 rate = 0, burst = 0;
  SipRateLimitAction action = SIPSERVLET_RATE_LIMIT_REJECT;

  if (options->rate_limit != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (options->rate_limit, "/", 2);
      if (!g_ascii_string_to_unsigned (parts[0], 10, 1, 1000000, &rate, NULL)
          || (parts[1] != NULL
              && !g_ascii_string_to_unsigned (parts[1], 10, 1, 1000000, &burst, NULL)))
        {
          g_autofree char *name = option_name (options, "rate-limit");
          return option_error (error,
                               "%s expects RATE or RATE/BURST (1 to 1000000), got '%s'", name,
                               options->rate_limit);
        }
    }
  if (options->rate_limit_action != NULL)
    {
      if (g_ascii_strcasecmp (options->rate_limit_action, "drop") == 0)
        action = SIPSERVLET_RATE_LIMIT_DROP;
      else if (g_ascii_strcasecmp (options->rate_limit_action, "reject") != 0)
        {
          g_autofree char *name = option_name (options, "rate-limit-action");
          return option_error (error, "%s expects reject or drop, got '%s'", name,
                               options->rate_limit_action);
        }
    }
  if (options->max_transactions < 0)
    {
      g_autofree char *name = option_name (options, "max-transactions");
      return option_error (error, "%s cannot be negative", name);
    }
  if (rate > 0
      && !sipservlet_container_set_rate_limit (container, (guint) rate,
                                               burst > 0 ? (guint) burst : (guint) rate * 2,
                                               action, error))
    {
      g_autofree char *name = option_name (options, "rate-limit");
      g_printerr ("error: %s %s: %s\n", name, options->rate_limit, (*error)->message);
      return FALSE;
    }
  sipservlet_container_set_max_transactions (container, (guint) options->max_transactions);
  if (options->timer_j != NULL)
    {
      guint64 msec;
      g_autofree char *name = option_name (options, "timer-j");
      if (!g_ascii_string_to_unsigned (options->timer_j, 10, 0, G_MAXUINT, &msec, NULL))
        return option_error (error, "%s expects milliseconds, got '%s'", name,
                             options->timer_j);
      if (!sipservlet_container_set_timer_j (container, (guint) msec, error))
        {
          g_printerr ("error: %s %s: %s\n", name, options->timer_j, (*error)->message);
          return FALSE;
        }
    }
  return TRUE;
}

/* --http, --http-operations and --http-host. */
static gboolean
setup_http (SipContainer *container, ExampleOptions *options, GError **error)
{
  SipHttpListenFlags flags = options->http_operations != NULL ? SIPSERVLET_HTTP_APPLICATIONS
                                                              : SIPSERVLET_HTTP_ALL;
  for (char **h = options->http_hosts; h != NULL && *h != NULL; h++)
    sipservlet_container_add_http_host (container, *h);
  for (guint pass = 0; pass < 2; pass++)
    {
      const char *option = pass == 0 ? "http" : "http-operations";
      char **addresses = pass == 0 ? options->http : options->http_operations;
      for (char **a = addresses; a != NULL && *a != NULL; a++)
        if (!sipservlet_container_listen_http (container, *a,
                                               pass == 0 ? flags : SIPSERVLET_HTTP_OPERATIONS,
                                               error))
          {
            g_autofree char *name = option_name (options, option);
            g_printerr ("error: %s %s: %s%s\n", name, *a, (*error)->message,
                        g_str_has_prefix (*a, "https:") && options->tls_cert == NULL
                            ? " (give a tls-cert)" : "");
            return FALSE;
          }
    }
  return TRUE;
}

SipContainer *
example_container_new (ExampleOptions *options)
{
  static char *defaults[] = { "127.0.0.1:5060", NULL };
  GError *error = NULL;
  SipContainer *container;

  if (options->verbose)
    g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  container = sipservlet_container_new (&error);
  if (container == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      return NULL;
    }
  if (options->tls_cert != NULL
      && !sipservlet_container_set_tls_files (container, options->tls_cert, options->tls_key,
                                              options->tls_ca, &error))
    {
      g_autofree char *name = option_name (options, "tls-cert");
      g_printerr ("error: %s %s: %s\n", name, options->tls_cert, error->message);
      goto fail;
    }
  for (char **l = options->listen ? options->listen : defaults; *l != NULL; l++)
    {
      g_autofree char *address = NULL;
      gboolean tls = g_ascii_strncasecmp (*l, "tls:", 4) == 0;
      const char *value = tls ? *l + 4 : *l;
      if (options->advertise != NULL && strstr (value, "advertise") == NULL)
        address = g_strdup_printf ("%s advertise %s", value, options->advertise);
      if (!sipservlet_container_listen_address (
              container, address ? address : value,
              tls ? SIPSERVLET_TRANSPORT_TLS : SIPSERVLET_TRANSPORT_ALL, &error))
        {
          g_autofree char *name = option_name (options, "listen");
          g_printerr ("error: %s %s: %s%s\n", name, *l, error->message,
                      tls && options->tls_cert == NULL ? " (give a tls-cert)" : "");
          goto fail;
        }
    }
  for (char **a = options->aliases; a != NULL && *a != NULL; a++)
    if (!sipservlet_container_add_alias (container, *a, &error))
      {
        g_autofree char *name = option_name (options, "alias");
        g_printerr ("error: %s %s: %s\n", name, *a, error->message);
        goto fail;
      }
  if (!setup_authentication (container, options, &error)
      || !setup_overload (container, options, &error))
    goto fail;
  if (!setup_http (container, options, &error))
    goto fail;
  sipservlet_container_set_message_trace (container, options->sip_trace);
  if (options->app_session_timeout >= 0)
    sipservlet_container_set_application_session_timeout (container,
                                                          (guint) options->app_session_timeout);
  /* Without --min-se: RFC 4028's 90 s, or the interval when shorter
   * (which only the test-only setting accepts). */
  guint se = (guint) MAX (options->session_expires, 0);
  guint min_se = options->min_se > 0 ? (guint) options->min_se : MIN (90, se);
  if (options->session_expires < 0 || options->min_se < 0
      || !sipservlet_container_set_session_timers (container, se, se > 0 ? min_se : 0, &error))
    {
      if (error == NULL)
        g_set_error (&error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                     "the values cannot be negative");
      g_autofree char *name = option_name (options, "session-expires");
      g_printerr ("error: %s %d (min-se %d): %s\n", name, options->session_expires,
                  options->min_se, error->message);
      goto fail;
    }
  return container;

fail:
  g_error_free (error);
  sipservlet_container_unref (container);
  return NULL;
}

void
example_options_clear (ExampleOptions *options)
{
  g_clear_pointer (&options->listen, g_strfreev);
  g_clear_pointer (&options->aliases, g_strfreev);
  g_clear_pointer (&options->http, g_strfreev);
  g_clear_pointer (&options->http_operations, g_strfreev);
  g_clear_pointer (&options->http_hosts, g_strfreev);
  g_clear_pointer (&options->advertise, g_free);
  g_clear_pointer (&options->timer_j, g_free);
  g_clear_pointer (&options->auth_file, g_free);
  g_clear_pointer (&options->realm, g_free);
  g_clear_pointer (&options->default_realm, g_free);
  g_clear_pointer (&options->trusted, g_strfreev);
  g_clear_pointer (&options->rate_limit, g_free);
  g_clear_pointer (&options->rate_limit_action, g_free);
  g_clear_pointer (&options->tls_cert, g_free);
  g_clear_pointer (&options->tls_key, g_free);
  g_clear_pointer (&options->tls_ca, g_free);
}

static ExampleReloadFunc reload_func;
static gpointer reload_data;

void
example_set_reload_func (ExampleReloadFunc func, gpointer data)
{
  reload_func = func;
  reload_data = data;
}

/* SIGHUP: the credentials again; a file that does not load leaves the
 * previous ones in use. Then the program's own reload. */
static gboolean
on_sighup (gpointer data)
{
  SipContainer *container = data;
  g_autoptr (GError) error = NULL;

  if (sipservlet_container_reload_credentials (container, &error))
    g_message ("SIGHUP: credentials reloaded");
  else
    g_warning ("SIGHUP: credentials not reloaded, the previous ones stay: %s", error->message);
  if (reload_func != NULL)
    reload_func (reload_data);
  return G_SOURCE_CONTINUE;
}

typedef struct {
  SipContainer *container;
  GMainLoop *loop;
  ExampleStoppingFunc stopping;
  gpointer data;
} Serving;

static void
on_stopped (SipContainer *container, gpointer data)
{
  g_main_loop_quit (((Serving *) data)->loop);
}

/* As sipservlet_container_run()'s signal handling, with the hook first:
 * the container refuses new requests once its shutdown has begun. */
static gboolean
on_signal (gpointer data)
{
  Serving *serving = data;
  if (serving->stopping == NULL)
    {
      g_message ("stopping now: a second signal during the shutdown");
      g_main_loop_quit (serving->loop);
      return G_SOURCE_CONTINUE;
    }
  serving->stopping (serving->data);
  serving->stopping = NULL;
  g_message ("stopping: finishing live transactions");
  sipservlet_container_shutdown (serving->container, on_stopped, serving);
  return G_SOURCE_CONTINUE;
}

void
example_serve (SipContainer *container, ExampleStoppingFunc stopping, gpointer data)
{
  char **addresses = sipservlet_container_get_listen_addresses (container);
  char *joined = g_strjoinv (" ", addresses);
  guint hup = g_unix_signal_add (SIGHUP, on_sighup, container);

  printf ("ready %s\n", joined);
  char **urls = sipservlet_container_get_http_urls (container);
  if (urls[0] != NULL)
    {
      /* A line of its own: "ready" keeps listing SIP addresses only. */
      g_autofree char *http = g_strjoinv (" ", urls);
      printf ("http %s\n", http);
    }
  g_strfreev (urls);
  fflush (stdout);
  g_free (joined);
  g_strfreev (addresses);
  if (stopping == NULL)
    sipservlet_container_run (container);
  else
    {
      Serving serving = { container, g_main_loop_new (NULL, FALSE), stopping, data };
      guint sigint = g_unix_signal_add (SIGINT, on_signal, &serving);
      guint sigterm = g_unix_signal_add (SIGTERM, on_signal, &serving);
      g_main_loop_run (serving.loop);
      g_source_remove (sigint);
      g_source_remove (sigterm);
      g_main_loop_unref (serving.loop);
    }
  g_source_remove (hup);
}

int
example_run (SipContainer *container)
{
  example_serve (container, NULL, NULL);
  sipservlet_container_unref (container);
  return 0;
}

gboolean
example_respond (SipServletRequest *request, guint status, const char *reason)
{
  g_autoptr (GError) error = NULL;
  if (sipservlet_request_respond (request, status, reason, &error))
    return TRUE;
  g_warning ("cannot answer %s with %u: %s",
             sipservlet_message_get_method (SIPSERVLET_MESSAGE (request)), status, error->message);
  return FALSE;
}
