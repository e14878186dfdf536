/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - shared command line and lifecycle. */
#include "example-main.h"

#include <stdio.h>

GOptionEntry *
example_option_entries (ExampleOptions *options)
{
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &options->listen,
      "Listen on HOST:PORT, UDP and TCP (repeatable; default 127.0.0.1:5060; "
      "port 0 picks a free one; IPv6 as [::1]:5060)", "HOST:PORT" },
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
  for (char **l = options->listen ? options->listen : defaults; *l != NULL; l++)
    if (!sipservlet_container_listen_address (container, *l, SIPSERVLET_TRANSPORT_ALL, &error))
      {
        g_printerr ("error: --listen %s: %s\n", *l, error->message);
        g_error_free (error);
        sipservlet_container_unref (container);
        return NULL;
      }
  return container;
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
