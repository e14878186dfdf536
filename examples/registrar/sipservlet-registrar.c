/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-registrar: a SIP registrar (RFC 3261 section 10.3) built on
 * libsipservlet's public API and its in-memory location service.
 *
 * The REGISTER processing lives in examples/common/registrar-servlet.c,
 * shared with sipservlet-proxy; this program only parses its command line
 * and runs a container with the registrar servlet for REGISTER. Without
 * --domain it serves any domain.
 */
#include <sipservlet/sipservlet.h>

#include <stdio.h>

#include "example-main.h"
#include "registrar-servlet.h"

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  RegistrarOptions registrar_options;
  GOptionContext *context = g_option_context_new ("- a SIP registrar on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *extra = NULL;
  GError *error = NULL;
  Registrar *registrar = NULL;
  int status = 2;

  registrar_options_init (&registrar_options);
  extra = registrar_option_entries (&registrar_options);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto usage_error;
    }
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto usage_error;
    }
  registrar = registrar_new (&registrar_options, &error);
  if (registrar == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto usage_error;
    }
  g_option_context_free (context);
  context = NULL;
  g_clear_pointer (&common, g_free);
  g_clear_pointer (&extra, g_free);
  /* The realm of --auth-file's challenges, unless --realm names one. */
  if (registrar_options.domains != NULL)
    options.default_realm = g_strdup (registrar_options.domains[0]);
  registrar_options_clear (&registrar_options);

  SipContainer *container = example_container_new (&options);
  example_options_clear (&options);
  if (container == NULL)
    {
      status = 1;
      goto out;
    }
  registrar_set_container (registrar, container);

  SipServlet *servlet = registrar_servlet_new (registrar);
  if (!sipservlet_container_add_servlet (container, servlet, "REGISTER", &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      sipservlet_servlet_unref (servlet);
      sipservlet_container_unref (container);
      status = 1;
      goto out;
    }
  sipservlet_servlet_unref (servlet);

  registrar_start_purge (registrar);
  status = example_run (container);
  goto out;

usage_error:
  status = 2;
out:
  if (context != NULL)
    g_option_context_free (context);
  g_free (common);
  g_free (extra);
  registrar_options_clear (&registrar_options);
  example_options_clear (&options);
  registrar_unref (registrar);
  return status;
}
