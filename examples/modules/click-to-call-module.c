/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The click-to-call module: the controller of sipservlet-click-to-call
 * (examples/click-to-call/click-to-call-app.c) as the application
 * "click-to-call". With "from" and "to" it places one call between them
 * as soon as it is deployed (RFC 3725 flow I) and logs "connected" and
 * "ended". With "http-token" (or "http-no-auth"), it serves the web API
 * and page of click-to-call-http.c on the daemon's HTTP listeners
 * ([server] http=...), which place calls on request. One of the two is
 * required. Its keys: from, to, timeout (seconds for each leg's final
 * response), http-token, http-no-auth (for tests on loopback only), allow
 * (the destinations the web API may call, a list). */
#include <sipservlet/sipservlet.h>

#include "click-to-call-app.h"
#include "example-module.h"

static void
on_report (Call *call, const char *event, gpointer data)
{
  g_message ("click-to-call: %s", event);
}

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  ClickToCallOptions options;
  ClickToCall *call = NULL;
  gboolean ok = FALSE;

  click_to_call_options_init (&options);
  g_autofree GOptionEntry *entries = click_to_call_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (!example_module_read (config, group, tables, error))
    goto out;
  gboolean serve_http = options.http_token != NULL || options.http_no_auth;
  if ((options.from == NULL || options.to == NULL) && !serve_http)
    {
      g_autofree char *where = example_module_where (config, group, NULL);
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                   "%s: the keys from and to are required: the module calls 'from', then "
                   "connects it to 'to', when it is deployed (or http-token, to serve "
                   "the web API that places calls on request)", where);
      goto out;
    }
  call = click_to_call_new (&options, serve_http, error);
  if (call == NULL)
    example_module_prefix_error (config, group, error);
  else
    ok = click_to_call_deploy (call, container, EXAMPLE_INSTALL_APPLICATION, on_report, NULL,
                               error);
out:
  click_to_call_options_clear (&options);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("click-to-call", "connects two parties it calls (RFC 3725), "
                          "from its configuration or its web API", deploy)
