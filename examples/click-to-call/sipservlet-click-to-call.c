/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-click-to-call: third-party call control on libsipservlet.
 *
 *   sipservlet-click-to-call --from URI --to URI [--listen HOST:PORT]
 *   sipservlet-click-to-call --http IP:PORT --http-token TOKEN [--allow PATTERN]...
 *
 * A controller connects two parties that it calls itself, following
 * RFC 3725 flow I:
 *
 *   controller          A (--from)                 B (--to)
 *     INVITE (no SDP) ->
 *                    <- 200 OK (offer)
 *     INVITE (A's offer) ------------------------->
 *                    <------------------------------ 200 OK (answer)
 *     ACK -------------------------------------------->
 *     ACK (B's answer) ->
 *
 * A and B then exchange media directly. A BYE from either side is
 * answered 200 and a BYE goes to the other; once both legs have ended the
 * program exits 0.
 *
 * Standard output carries "ready HOST:PORT..." when listening, "connected"
 * once both ACKs are sent and "ended" when the program is done; errors go
 * to standard error. Exit status: 0 when the call was connected (and then
 * torn down), 1 when it could not be set up (A or B rejected it, a leg
 * gave no final response within --timeout seconds, or SIGINT/SIGTERM came
 * first), 2 for bad arguments. On SIGINT or SIGTERM the controller cancels
 * the INVITEs still ringing and hangs up the established legs before it
 * exits; a second signal stops at once.
 *
 * With --http, the controller is the application "click-to-call" and
 * serves a web API and page that place calls the same way, each in an
 * application session of its own (click-to-call-http.c says what it
 * serves). It needs a secret, --http-token (or --http-no-auth, for tests
 * on loopback only), and calls only the destinations of --allow. Without
 * --from and --to the program then serves until SIGINT or SIGTERM, which
 * hang up the calls under way; with them, it places that call too and
 * exits once it has ended, as above.
 *
 * Out of scope: re-INVITEs are answered 488 rather than relayed between
 * the legs (so a party cannot put the other on hold), and calls to the
 * controller itself are refused with 403.
 *
 * The two legs are two UAC sessions of one application session, created
 * through the SipFactory; each session carries its leg as an attribute,
 * and each leg knows its peer.
 */
#include <sipservlet/sipservlet.h>

#include <glib-unix.h>
#include <stdio.h>

#include "click-to-call-app.h"
#include "example-main.h"

typedef struct {
  SipContainer *container;
  GMainLoop *loop;
} Program;

static void
on_shutdown_done (SipContainer *container, gpointer data)
{
  Program *program = data;
  g_main_loop_quit (program->loop);
}

/* "connected", then "ended" on standard output; once ended, the
 * container shuts down and the program exits. */
static void
on_report (Call *call, const char *event, gpointer data)
{
  Program *program = data;

  printf ("%s\n", event);
  fflush (stdout);
  if (g_str_equal (event, "ended"))
    sipservlet_container_shutdown (program->container, on_shutdown_done, program);
}

static gboolean
on_stop_signal (gpointer data)
{
  click_to_call_interrupt (data);
  return G_SOURCE_CONTINUE;
}

/* The web API alone: the container is stopping. */
static void
on_stopping (gpointer data)
{
  click_to_call_hang_up_all (data);
}

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  ClickToCallOptions call_options;
  GOptionContext *context = g_option_context_new ("- click-to-call (RFC 3725 third-party call "
                                                  "control) on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *extra = NULL;
  GError *error = NULL;
  Program program = { NULL, NULL };
  ClickToCall *call = NULL;
  char **addresses, *joined;
  guint sigint, sigterm;
  int status = 2;

  click_to_call_options_init (&call_options);
  extra = click_to_call_option_entries (&call_options);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      g_option_context_free (context);
      g_free (common);
      g_free (extra);
      goto out;
    }
  g_option_context_free (context);
  g_free (common);
  g_free (extra);
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto out;
    }
  gboolean serve_http = options.http != NULL;
  call = click_to_call_new (&call_options, serve_http, &error);
  if (call == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto out;
    }

  status = 1;
  program.container = example_container_new (&options);
  if (program.container == NULL)
    goto out;
  /* A call lasts as long as the parties talk. */
  sipservlet_container_set_application_session_timeout (program.container, 0);

  /* The servlet owns the call from here, even when this fails. */
  ClickToCall *running = g_steal_pointer (&call);
  gboolean one_shot = click_to_call_has_one_shot (running);
  if (!click_to_call_deploy (running, program.container,
                             serve_http ? EXAMPLE_INSTALL_APPLICATION : EXAMPLE_INSTALL_IMPLICIT,
                             on_report, &program, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto out;
    }
  if (!one_shot)
    {
      /* The web API only: serve until a signal. */
      example_serve (program.container, on_stopping, running);
      status = 0;
      goto out;
    }

  program.loop = g_main_loop_new (NULL, FALSE);
  addresses = sipservlet_container_get_listen_addresses (program.container);
  joined = g_strjoinv (" ", addresses);
  printf ("ready %s\n", joined);
  char **urls = sipservlet_container_get_http_urls (program.container);
  if (urls[0] != NULL)
    {
      g_autofree char *http = g_strjoinv (" ", urls);
      printf ("http %s\n", http);
    }
  g_strfreev (urls);
  fflush (stdout);
  g_free (joined);
  g_strfreev (addresses);

  sigint = g_unix_signal_add (SIGINT, on_stop_signal, running);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, running);
  g_main_loop_run (program.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  status = click_to_call_get_status (running);

out:
  click_to_call_free (call);
  g_clear_pointer (&program.container, sipservlet_container_unref);
  g_clear_pointer (&program.loop, g_main_loop_unref);
  example_options_clear (&options);
  click_to_call_options_clear (&call_options);
  return status;
}
