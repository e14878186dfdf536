/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-proxy: a stateful forking proxy and registrar in one program,
 * built on libsipservlet's public API (SipProxy, JSR 289 chapter 10;
 * RFC 3261 sections 16 and 10.3).
 *
 * Which domains are ours: the --domain values, plus this proxy's own
 * addresses (a Request-URI whose host and port name a listening point;
 * the port defaults to 5060, 5061 for sips; a wildcard listening address
 * such as 0.0.0.0 matches any host on its port). Without --domain, only
 * our own addresses are ours: phones then use the proxy's address as their
 * domain (sip:alice@192.0.2.1:5060). Unlike sipservlet-registrar, which
 * serves any domain without --domain, the proxy must tell the requests it
 * routes itself from those it relays.
 *
 * Every request is handled by one servlet:
 *   - REGISTER for one of our domains: the registrar of
 *     examples/common/registrar-servlet.c (the same code and behaviour as
 *     sipservlet-registrar, with its options), on the location service the
 *     proxy looks contacts up in;
 *   - OPTIONS to the proxy itself (our address, no user part): 200;
 *   - other initial requests for one of our domains: the address-of-record
 *     is the canonical Request-URI. An AOR that never had a binding since
 *     the proxy started gets 404; one that had bindings but has no live
 *     one left (unregistered or expired) gets 480. Otherwise the request
 *     forks to its contacts: grouped by q (no q counts as 1.0), highest
 *     first, the contacts of one group in parallel, the groups one after
 *     the other. The next group starts when the current one ends without
 *     a 2xx or 6xx (the servlet calls sipservlet_proxy_to() again from
 *     the best-response callback) and the request was not cancelled; each
 *     branch may try for --branch-timeout seconds (default 180, restarted
 *     by provisional responses) before it is cancelled. The Path a
 *     binding was registered with (RFC 3327) becomes the branch's Route
 *     set. 3xx responses are recursed by the container;
 *   - initial requests for other domains: with --foreign allow (the
 *     default) proxied to the Request-URI, REGISTER included (with a Path
 *     of ours when the UA supports path); with --foreign deny answered
 *     403;
 *   - requests inside record-routed dialogs (BYE, re-INVITE, INFO...) are
 *     only logged at debug level: the container forwards them.
 * INVITE, SUBSCRIBE and REFER are record-routed unless --record-route off.
 */
#include <sipservlet/sipservlet.h>

#include "example-main.h"
#include "proxy-app.h"

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  ProxyOptions proxy_options;
  GOptionContext *context = g_option_context_new ("- a SIP proxy and registrar on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *registrar_entries = NULL;
  GOptionEntry *proxy_entries = NULL;
  GError *error = NULL;
  ProxyApp *app = NULL;
  int status = 2;

  proxy_options_init (&proxy_options);
  registrar_entries = registrar_option_entries (&proxy_options.registrar);
  proxy_entries = proxy_option_entries (&proxy_options);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, registrar_entries, NULL);
  g_option_context_add_main_entries (context, proxy_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto usage_error;
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto out;
    }
  app = proxy_app_new (&proxy_options, &error);
  if (app == NULL)
    goto usage_error;
  g_clear_pointer (&context, g_option_context_free);
  g_clear_pointer (&common, g_free);
  g_clear_pointer (&registrar_entries, g_free);
  g_clear_pointer (&proxy_entries, g_free);
  /* The realm of --auth-file's challenges, unless --realm names one. */
  if (proxy_options.registrar.domains != NULL)
    options.default_realm = g_strdup (proxy_options.registrar.domains[0]);
  proxy_options_clear (&proxy_options);

  status = 1;
  SipContainer *container = example_container_new (&options);
  example_options_clear (&options);
  if (container == NULL)
    goto out;
  if (!proxy_app_deploy (g_steal_pointer (&app), container, EXAMPLE_INSTALL_IMPLICIT, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      sipservlet_container_unref (container);
      goto out;
    }
  status = example_run (container);
  goto out;

usage_error:
  g_printerr ("error: %s\n", error->message);
  g_error_free (error);
out:
  if (context != NULL)
    g_option_context_free (context);
  g_free (common);
  g_free (registrar_entries);
  g_free (proxy_entries);
  proxy_options_clear (&proxy_options);
  example_options_clear (&options);
  proxy_app_free (app);
  return status;
}
