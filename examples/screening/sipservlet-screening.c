/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-screening: a screening proxy built on libsipservlet.
 *
 * Initial requests from a denied caller (--deny, the From URI) are refused
 * with 403; every other one is proxied, record-routed, to --target with an
 * X-Screened header added. Requests inside a dialog follow the route set
 * (the container forwards them). The smallest useful proxy servlet, on the
 * public API alone: see doc/proxy-servlet.md for what a proxy can do.
 */
#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

#include <stdio.h>

typedef struct {
  SipURI *target;
  char **denied;          /* From URIs refused with 403 */
} Screening;

static gboolean
is_denied (Screening *screening, SipServletMessage *request)
{
  g_autoptr (SipAddress) from = sipservlet_message_get_from (request);
  g_autofree char *caller = sipservlet_uri_to_string (sipservlet_address_get_uri (from));
  return screening->denied != NULL
         && g_strv_contains ((const char *const *) screening->denied, caller);
}

static void
on_request (SipServletRequest *request, gpointer user_data)
{
  Screening *screening = user_data;
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  g_autoptr (GError) error = NULL;

  if (!sipservlet_request_is_initial (request)
      || g_str_equal (sipservlet_message_get_method (message), "ACK"))
    return;                                   /* the container routes it */
  if (is_denied (screening, message))
    {
      sipservlet_request_respond (request, 403, "Caller Screened", NULL);
      return;
    }
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
  if (proxy == NULL
      || !sipservlet_message_add_header (message, "X-Screened", "passed", &error)
      || !sipservlet_proxy_set_record_route (proxy, TRUE, &error)
      || !sipservlet_proxy_to (proxy, screening->target, &error))
    {
      g_warning ("cannot proxy: %s", error->message);
      sipservlet_request_respond (request, 500, "Cannot Proxy", NULL);
    }
}

int
main (int argc, char **argv)
{
  Screening screening = { 0 };
  g_autofree char *listen = NULL, *target = NULL, *http = NULL;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Listen on HOST:PORT", "HOST:PORT" },
    { "target", 't', 0, G_OPTION_ARG_STRING, &target, "Proxy every call to URI", "URI" },
    { "deny", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &screening.denied,
      "Refuse calls from this From URI (repeatable)", "URI" },
    { "http", 0, 0, G_OPTION_ARG_STRING, &http,
      "Serve /health and /metrics on IP:PORT", "IP:PORT" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- a screening SIP proxy");
  g_autoptr (GError) error = NULL;
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error)
      || (screening.target = sipservlet_uri_parse (target ? target : "", &error)) == NULL)
    {
      fprintf (stderr, "error: %s\n", error->message);
      return 2;
    }
  g_autoptr (SipContainer) container = sipservlet_container_new (&error);
  g_autoptr (SipServlet) servlet = sipservlet_servlet_new_with_callback ("screening", on_request,
                                                                         &screening, NULL);
  if (container == NULL
      || !sipservlet_container_listen_address (container, listen ? listen : "127.0.0.1:5060",
                                               SIPSERVLET_TRANSPORT_ALL, &error)
      || !sipservlet_container_add_servlet (container, servlet, NULL, &error)
      || (http != NULL
          && !sipservlet_container_listen_http (container, http, SIPSERVLET_HTTP_OPERATIONS,
                                                &error)))
    {
      fprintf (stderr, "error: %s\n", error->message);
      return 1;
    }
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  printf ("ready %s\n", addresses[0]);
  if (http != NULL)
    {
      g_auto (GStrv) urls = sipservlet_container_get_http_urls (container);
      printf ("http %s\n", urls[0]);
    }
  fflush (stdout);
  sipservlet_container_run (container);     /* until SIGINT or SIGTERM */
  sipservlet_uri_unref (screening.target);
  g_strfreev (screening.denied);
  return 0;
}
