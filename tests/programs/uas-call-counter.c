/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A complete user-agent server as a newcomer writes it from doc/ and the
 * installed headers: rings and answers INVITE with its offer as the answer, BYE and
 * anything else with 200, and prints the number of calls in progress as
 * they begin and end. Built with the public API only and run against sipp
 * by the test suite (a measure of how much code the API asks for). */
#include <sipservlet/sipservlet.h>

#include <stdio.h>

static guint calls;

static void
on_request (SipServletRequest *request, gpointer user_data)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  const char *method = sipservlet_message_get_method (message);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (message, &length);

  if (g_str_equal (method, "ACK") || g_str_equal (method, "CANCEL"))
    return;                                   /* notifications */
  if (g_str_equal (method, "INVITE") && sipservlet_request_respond (request, 180, NULL, NULL))
    sipservlet_request_respond_with (request, 200, NULL, NULL,
                                     sipservlet_message_get_content_type (message),
                                     offer, (gssize) length, NULL);
  else
    sipservlet_request_respond (request, 200, NULL, NULL);
}

static void
on_call_started (SipSession *session, gpointer user_data)
{
  printf ("calls in progress: %u\n", ++calls);
}

static void
on_call_ended (SipSession *session, gpointer user_data)
{
  printf ("calls in progress: %u\n", --calls);
}

static const SipServletListeners call_counter = {
  SIPSERVLET_LISTENERS_INIT,
  .dialog_started = on_call_started,
  .dialog_ended = on_call_ended,
};

int
main (int argc, char **argv)
{
  const char *address = argc > 2 && g_str_equal (argv[1], "--listen") ? argv[2] : "127.0.0.1:5060";
  g_autoptr (GError) error = NULL;
  g_autoptr (SipContainer) container = sipservlet_container_new (&error);
  g_autoptr (SipServlet) servlet = sipservlet_servlet_new_with_callback ("uas", on_request, NULL,
                                                                         NULL);
  if (container == NULL
      || !sipservlet_container_listen_address (container, address, SIPSERVLET_TRANSPORT_ALL, &error)
      || !sipservlet_container_add_servlet (container, servlet, NULL, &error))
    {
      fprintf (stderr, "error: %s\n", error->message);
      return 1;
    }
  sipservlet_container_add_listeners (container, &call_counter, NULL, NULL);
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  printf ("ready %s\n", addresses[0]);
  fflush (stdout);
  sipservlet_container_run (container);     /* until SIGINT or SIGTERM */
  return calls == 0 ? 0 : 1;
}
