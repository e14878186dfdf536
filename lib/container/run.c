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
sipsv_split_host_port (const char *text, char **host, guint16 *port, guint16 default_port)
{
  const char *colon = strrchr (text, ':');
  const char *close = text[0] == '[' ? strchr (text, ']') : NULL;
  guint64 value = default_port;

  *host = NULL;
  if (text[0] == '[')
    {
      /* [V6] or [V6]:PORT */
      if (close == NULL || close == text + 1
          || (close[1] != '\0'
              && (close[1] != ':'
                  || !g_ascii_string_to_unsigned (close + 2, 10, 0, 65535, &value, NULL))))
        return FALSE;
      *host = g_strndup (text + 1, close - text - 1);
    }
  else if (colon != NULL && strchr (text, ':') == colon)
    {
      /* HOST:PORT (one colon: not a bare IPv6 address) */
      if (colon == text || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &value, NULL))
        return FALSE;
      *host = g_strndup (text, colon - text);
    }
  else if (text[0] != '\0')
    *host = g_strdup (text);
  else
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

gboolean
sipservlet_container_listen_address (SipContainer *container, const char *address,
                                     SipTransportFlags transports, GError **error)
{
  g_return_val_if_fail (container != NULL && address != NULL, FALSE);
  g_autofree char *host = NULL;
  g_autofree char *public = NULL;
  g_auto (GStrv) words = g_strsplit_set (address, " \t", -1);
  GPtrArray *kept = g_ptr_array_new ();
  guint16 port = 5060, public_port = 0;
  gboolean ok;

  /* "ADDRESS" or "ADDRESS advertise PUBLIC", as Kamailio's listen= */
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_ptr_array_add (kept, words[i]);
  ok = (kept->len == 1
        || (kept->len == 3 && g_ascii_strcasecmp (kept->pdata[1], "advertise") == 0
            && sipsv_split_host_port (kept->pdata[2], &public, &public_port, 0)))
       && sipsv_split_host_port (kept->pdata[0], &host, &port,
                                 (transports & SIPSERVLET_TRANSPORT_TLS) != 0 ? 5061 : 5060);
  g_ptr_array_unref (kept);
  if (!ok)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "\"%s\" is not HOST:PORT, [IPV6]:PORT or a host, optionally followed "
                   "by \"advertise PUBLIC_HOST\"", address);
      return FALSE;
    }
  if (public != NULL && public_port != 0 && public_port != port)
    {
      /* sofia-sip writes the bound port into Via: a different advertised
       * port would be in Record-Route and Contact but not in Via. */
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "\"%s\": the advertised port must be the listening port", address);
      return FALSE;
    }
  return sipservlet_container_listen_advertised (container, host, port, transports, public,
                                                 error);
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
