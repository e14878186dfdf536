/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-uas: a small user-agent server built on libsipservlet.
 *
 * Answers INVITE with 180 then 200 (echoing the offer as the answer, so
 * signalling tests work without media), OPTIONS/MESSAGE/INFO/UPDATE with
 * 200 and BYE with 200. With --answer-delay it rings that many ms before
 * answering: the servlet defers the INVITE and answers from a timer, which
 * is how a CANCEL before the answer can be tested. It counts the calls in
 * progress as they begin and end (the dialog listeners; --verbose shows
 * the count).
 *
 * Session timers (RFC 4028) are on by default (--session-expires 1800,
 * --min-se 90): an INVITE asking less than the minimum gets 422 with
 * Min-SE, the 2xx carries Session-Expires, and a call whose caller stops
 * refreshing is ended with BYE by the container.
 *
 * With --register-to it registers --aor there, so that a provider routes
 * the AOR's calls to it, and keeps the registration refreshed
 * (examples/common/upstream-registration.c): the Contact is our first
 * --listen address (or --advertise), the password is read from
 * --password-file (never the command line, which ps shows), every refresh
 * answers a new challenge, failures are logged and retried later, and
 * SIGINT/SIGTERM unregister before the shutdown.
 */
#include <sipservlet/sipservlet.h>

#include "example-main.h"
#include "upstream-registration.h"

static guint answer_delay_ms;
static guint active_calls;

static void
on_dialog_started (SipSession *session, gpointer user_data)
{
  example_debug ("call %s answered: %u in progress", sipservlet_session_get_call_id (session),
             ++active_calls);
}

static void
on_dialog_ended (SipSession *session, gpointer user_data)
{
  example_debug ("call %s ended: %u in progress", sipservlet_session_get_call_id (session),
             --active_calls);
}

static void
on_session_expired (SipSession *session, gpointer user_data)
{
  g_message ("call %s: the session timer expired, hanging up",
             sipservlet_session_get_call_id (session));
}

static const SipServletListeners call_counter = {
  SIPSERVLET_LISTENERS_INIT,
  .dialog_started = on_dialog_started,
  .dialog_ended = on_dialog_ended,
  .session_expired = on_session_expired,
};

/* 200 to the INVITE, with its offer echoed as the answer. */
static void
answer_call (SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;
  SipServletMessage *invite = SIPSERVLET_MESSAGE (request);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (invite, &length);
  if (!sipservlet_request_respond_with (request, 200, NULL, NULL,
                                        sipservlet_message_get_content_type (invite), offer,
                                        (gssize) length, &error))
    g_warning ("cannot answer the INVITE: %s", error->message);
}

static gboolean
answer_later (gpointer data)
{
  SipServletRequest *request = data;
  /* A CANCEL may have won the race: the container then answered 487. */
  if (!sipservlet_request_is_cancelled (request))
    answer_call (request);
  return G_SOURCE_REMOVE;
}

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_respond (request, 180, NULL);
  if (answer_delay_ms == 0)
    {
      answer_call (request);
      return;
    }
  sipservlet_request_defer (request);
  g_timeout_add_full (G_PRIORITY_DEFAULT, answer_delay_ms, answer_later,
                      sipservlet_request_ref (request), (GDestroyNotify) sipservlet_request_unref);
}

static void
on_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_respond (request, 200, NULL);
}

static void
on_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_debug ("call %s confirmed", sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
}

static void
on_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_debug ("call %s cancelled", sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
}

static const SipServletHandlers uas_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_ack = on_ack,
  .do_cancel = on_cancel,
  .do_bye = on_ok,
  .do_options = on_ok,
  .do_message = on_ok,
  .do_info = on_ok,
  .do_update = on_ok,
};

int
main (int argc, char **argv)
{
  /* Session timers on by default: a call whose far end vanished ends. */
  ExampleOptions options = { .session_expires = 1800, .app_session_timeout = -1 };
  gint delay = 0;
  GOptionEntry extra[] = {
    { "answer-delay", 0, 0, G_OPTION_ARG_INT, &delay,
      "Ring this many milliseconds before answering INVITE", "MS" },
    G_OPTION_ENTRY_NULL
  };
  UpstreamOptions upstream;
  upstream_options_init (&upstream);
  GOptionContext *context = g_option_context_new ("- a SIP user-agent server on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *registration = upstream_option_entries (&upstream);
  GError *error = NULL;
  UpstreamRegistration *upstream_registration = NULL;
  int usage = 0;

  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  g_option_context_add_main_entries (context, registration, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      return 2;
    }
  g_option_context_free (context);
  g_free (common);
  g_free (registration);
  if (delay < 0)
    {
      g_printerr ("error: --answer-delay must not be negative\n");
      return 2;
    }
  answer_delay_ms = (guint) delay;

  SipContainer *container = example_container_new (&options);
  if (container != NULL && upstream.register_to != NULL)
    {
      upstream_registration = upstream_registration_new (container, &upstream,
                                                         options.advertise, &error);
      if (upstream_registration == NULL)
        {
          g_printerr ("error: %s\n", error->message);
          g_clear_error (&error);
          usage = 2;
        }
    }
  else if (upstream.aor != NULL || upstream.password_file != NULL || upstream.auth_user != NULL
           || upstream.auth_realm != NULL)
    {
      g_printerr ("error: --aor, --auth-user, --auth-realm and --password-file need "
                  "--register-to\n");
      usage = 2;
    }
  example_options_clear (&options);
  upstream_options_clear (&upstream);
  if (usage != 0)
    g_clear_pointer (&container, sipservlet_container_unref);
  if (container == NULL)
    return usage != 0 ? usage : 1;
  sipservlet_container_add_listeners (container, &call_counter, NULL, NULL);
  SipServlet *servlet = sipservlet_servlet_new ("uas", &uas_handlers, NULL, NULL);
  if (!sipservlet_container_add_servlet (container, servlet, NULL, &error))
    {
      g_printerr ("error: %s\n", error->message);
      return 1;
    }
  sipservlet_servlet_unref (servlet);
  example_serve (container,
                 upstream_registration ? (ExampleStoppingFunc) upstream_registration_stop : NULL,
                 upstream_registration);
  upstream_registration_free (upstream_registration);
  sipservlet_container_unref (container);
  return 0;
}
