/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - shared command line and lifecycle. */
#include "example-main.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

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

/* Splits HOST:PORT or [V6]:PORT. */
static gboolean
parse_host_port (const char *text, char **host, guint16 *port)
{
  const char *colon = strrchr (text, ':');
  guint64 value;

  if (colon == NULL || colon == text)
    return FALSE;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
    return FALSE;
  if (text[0] == '[')
    {
      if (colon[-1] != ']')
        return FALSE;
      *host = g_strndup (text + 1, colon - text - 2);
    }
  else
    *host = g_strndup (text, colon - text);
  *port = (guint16) value;
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
  for (char **l = options->listen ? options->listen : defaults; *l != NULL; l++)
    {
      char *host = NULL;
      guint16 port = 0;
      if (!parse_host_port (*l, &host, &port))
        {
          g_printerr ("error: --listen expects HOST:PORT, got '%s'\n", *l);
          sipservlet_container_unref (container);
          return NULL;
        }
      if (!sipservlet_container_listen (container, host, port, SIPSERVLET_TRANSPORT_ALL, &error))
        {
          g_printerr ("error: %s\n", error->message);
          g_error_free (error);
          g_free (host);
          sipservlet_container_unref (container);
          return NULL;
        }
      g_free (host);
    }
  return container;
}

typedef struct {
  GMainLoop *loop;
  SipContainer *container;
  gboolean stopping;
} RunState;

static void
on_shutdown_done (SipContainer *container, gpointer data)
{
  RunState *state = data;
  g_main_loop_quit (state->loop);
}

static gboolean
on_stop_signal (gpointer data)
{
  RunState *state = data;
  if (!state->stopping)
    {
      state->stopping = TRUE;
      g_message ("stopping: finishing live transactions");
      sipservlet_container_shutdown (state->container, on_shutdown_done, state);
    }
  return G_SOURCE_CONTINUE;
}

int
example_run (SipContainer *container)
{
  RunState state = { g_main_loop_new (NULL, FALSE), container, FALSE };
  char **addresses = sipservlet_container_get_listen_addresses (container);
  char *joined = g_strjoinv (" ", addresses);
  guint sigint = g_unix_signal_add (SIGINT, on_stop_signal, &state);
  guint sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &state);

  printf ("ready %s\n", joined);
  fflush (stdout);
  g_free (joined);
  g_strfreev (addresses);

  g_main_loop_run (state.loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  sipservlet_container_unref (container);
  g_main_loop_unref (state.loop);
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
