/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - running a container as a program: listening on an
 * address written as text, and a main loop that ends with a graceful
 * shutdown on sipservlet_container_stop(), SIGINT or SIGTERM. What every
 * server and client program would otherwise write around its servlets. */
#include "config-private.h"

#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "container/container-private.h"

gboolean
sipservlet_container_listen_address (SipContainer *container, const char *address,
                                     SipTransportFlags transports, GError **error)
{
  g_return_val_if_fail (container != NULL && address != NULL, FALSE);
  g_autofree char *host = NULL;
  guint64 port = 5060;
  const char *colon = strrchr (address, ':');
  gboolean bracketed = address[0] == '[';
  const char *close = bracketed ? strchr (address, ']') : NULL;
  gboolean ok;

  if (bracketed)
    {
      /* [V6] or [V6]:PORT */
      ok = close != NULL && close > address + 1
           && (close[1] == '\0'
               || (close[1] == ':' && g_ascii_string_to_unsigned (close + 2, 10, 0, 65535, &port,
                                                                   NULL)));
      if (ok)
        host = g_strndup (address + 1, close - address - 1);
    }
  else if (colon != NULL && strchr (address, ':') == colon)
    {
      /* HOST:PORT (one colon: not a bare IPv6 address) */
      ok = colon > address && g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL);
      if (ok)
        host = g_strndup (address, colon - address);
    }
  else
    {
      ok = address[0] != '\0';
      host = g_strdup (address);
    }
  if (!ok)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not HOST:PORT, [IPV6]:PORT or a host", address);
      return FALSE;
    }
  return sipservlet_container_listen (container, host, (guint16) port, transports, error);
}

static void
on_stopped (SipContainer *container, gpointer data)
{
  if (container->run_loop != NULL)
    g_main_loop_quit (container->run_loop);
}

static gboolean
on_signal (gpointer data)
{
  SipContainer *container = data;
  if (container->runtime.shutting_down)
    {
      g_message ("stopping now: a second signal during the shutdown");
      on_stopped (container, NULL);
    }
  else
    {
      g_message ("stopping: finishing live transactions");
      sipservlet_container_stop (container);
    }
  return G_SOURCE_CONTINUE;
}

static GSource *
watch_signal (SipContainer *container, int signum)
{
  GSource *source = g_unix_signal_source_new (signum);
  g_source_set_callback (source, on_signal, container, NULL);
  g_source_attach (source, container->context);
  return source;
}

void
sipservlet_container_stop (SipContainer *container)
{
  g_return_if_fail (container != NULL);
  if (container->run_loop != NULL && !container->runtime.shutting_down)
    sipservlet_container_shutdown (container, on_stopped, NULL);
}

void
sipservlet_container_run (SipContainer *container)
{
  g_return_if_fail (container != NULL && container->run_loop == NULL);
  GSource *sigint = watch_signal (container, SIGINT);
  GSource *sigterm = watch_signal (container, SIGTERM);

  container->run_loop = g_main_loop_new (container->context, FALSE);
  g_main_loop_run (container->run_loop);
  g_clear_pointer (&container->run_loop, g_main_loop_unref);
  g_source_destroy (sigint);
  g_source_destroy (sigterm);
  g_source_unref (sigint);
  g_source_unref (sigterm);
}
