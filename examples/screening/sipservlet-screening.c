/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-screening: a screening proxy built on libsipservlet.
 *
 * Initial requests from a denied caller (--deny, the From URI) are refused
 * with 403; every other one is proxied, record-routed, to --target with an
 * X-Screened header added. Requests inside a dialog follow the route set
 * (the container forwards them). The smallest useful proxy servlet: see
 * doc/proxy-servlet.md for what a proxy can do.
 */
#include <sipservlet/sipservlet.h>

#include "example-main.h"

typedef struct {
  SipURI *target;
  char **denied;          /* From URIs refused with 403 */
} Screening;

static gboolean
is_denied (Screening *screening, SipServletRequest *request)
{
  g_autoptr (SipAddress) from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (request));
  g_autofree char *caller = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  return g_strv_contains ((const char *const *) screening->denied, caller);
}

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  Screening *screening = user_data;
  g_autoptr (GError) error = NULL;

  if (!sipservlet_request_is_initial (request)
      || g_strcmp0 (sipservlet_message_get_method (SIPSERVLET_MESSAGE (request)), "ACK") == 0)
    return;                                   /* the container routes it */
  if (is_denied (screening, request))
    {
      example_respond (request, 403, "Caller Screened");
      return;
    }
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  if (proxy == NULL
      || !sipservlet_message_add_header (SIPSERVLET_MESSAGE (request), "X-Screened", "passed",
                                         &error)
      || !sipservlet_proxy_set_record_route (proxy, TRUE, &error)
      || !sipservlet_proxy_to (proxy, screening->target, &error))
    {
      g_warning ("cannot proxy: %s", error->message);
      example_respond (request, 500, "Cannot Proxy");
    }
}

static const SipServletHandlers screening_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_request = on_request,
};

int
main (int argc, char **argv)
{
  ExampleOptions options = { 0 };
  Screening screening = { 0 };
  g_autofree char *target = NULL;
  GOptionEntry extra[] = {
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Proxy every call to URI", "URI" },
    { "deny", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &screening.denied,
      "Refuse calls from this From URI (repeatable)", "URI" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- a screening SIP proxy");
  g_autofree GOptionEntry *common = example_option_entries (&options);
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || (screening.target = sipservlet_uri_parse (target ? target : "", &error)) == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      return 2;
    }
  if (screening.denied == NULL)
    screening.denied = g_new0 (char *, 1);

  SipContainer *container = example_container_new (&options);
  g_strfreev (options.listen);
  if (container == NULL)
    return 1;
  g_autoptr (SipServlet) servlet = sipservlet_servlet_new ("screening", &screening_handlers,
                                                           &screening, NULL);
  if (!sipservlet_container_add_servlet (container, servlet, NULL, &error))
    {
      g_printerr ("error: %s\n", error->message);
      return 1;
    }
  int status = example_run (container);
  sipservlet_uri_unref (screening.target);
  g_strfreev (screening.denied);
  return status;
}
