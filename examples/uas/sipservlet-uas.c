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
#include "uas-app.h"
#include "upstream-registration.h"

int
main (int argc, char **argv)
{
  /* Session timers on by default: a call whose far end vanished ends. */
  ExampleOptions options = { .session_expires = 1800, .app_session_timeout = -1 };
  UasOptions uas_options = { 0 };
  GOptionEntry *extra = uas_option_entries (&uas_options);
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
  g_free (extra);
  g_free (registration);
  Uas *uas = uas_new (&uas_options, &error);
  if (uas == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      return 2;
    }

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
    {
      uas_release (uas);
      return usage != 0 ? usage : 1;
    }
  gboolean deployed = uas_deploy (uas, container, EXAMPLE_INSTALL_IMPLICIT, &error);
  uas_release (uas);
  if (!deployed)
    {
      g_printerr ("error: %s\n", error->message);
      return 1;
    }
  example_serve (container,
                 upstream_registration ? (ExampleStoppingFunc) upstream_registration_stop : NULL,
                 upstream_registration);
  upstream_registration_free (upstream_registration);
  sipservlet_container_unref (container);
  return 0;
}
