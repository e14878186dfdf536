/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - shared command line and lifecycle. */
#include "example-main.h"

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
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose,
      "Log debug messages", NULL },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
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
      g_printerr ("error: --tls-cert %s: %s\n", options->tls_cert, error->message);
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
          g_printerr ("error: --listen %s: %s%s\n", *l, error->message,
                      tls && options->tls_cert == NULL ? " (give --tls-cert)" : "");
          goto fail;
        }
    }
  for (char **a = options->aliases; a != NULL && *a != NULL; a++)
    if (!sipservlet_container_add_alias (container, *a, &error))
      {
        g_printerr ("error: --alias %s: %s\n", *a, error->message);
        goto fail;
      }
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
      g_printerr ("error: --session-expires %d --min-se %d: %s\n", options->session_expires,
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
  g_clear_pointer (&options->advertise, g_free);
  g_clear_pointer (&options->tls_cert, g_free);
  g_clear_pointer (&options->tls_key, g_free);
  g_clear_pointer (&options->tls_ca, g_free);
}

int
example_run (SipContainer *container)
{
  char **addresses = sipservlet_container_get_listen_addresses (container);
  char *joined = g_strjoinv (" ", addresses);

  printf ("ready %s\n", joined);
  fflush (stdout);
  g_free (joined);
  g_strfreev (addresses);
  sipservlet_container_run (container);
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
