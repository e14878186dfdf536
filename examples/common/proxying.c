/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - what the small proxying applications share. */
#include "proxying.h"
#include "example-main.h"

const char *
proxying_method (SipServletRequest *request)
{
  return sipservlet_message_get_method (SIPSERVLET_MESSAGE (request));
}

static gboolean
creates_dialog (SipServletRequest *request)
{
  const char *method = proxying_method (request);
  return g_str_equal (method, "INVITE") || g_str_equal (method, "SUBSCRIBE")
         || g_str_equal (method, "REFER");
}

gboolean
proxying_passes_by (const char *application, SipServletRequest *request)
{
  if (sipservlet_request_is_initial (request) && !g_str_equal (proxying_method (request), "ACK")
      && !g_str_equal (proxying_method (request), "CANCEL"))
    return FALSE;
  example_debug ("%s: %s %s passes by", application, proxying_method (request),
                 sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
  return TRUE;
}

SipProxy *
proxying_get_proxy (const char *application, SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);

  if (proxy == NULL)
    {
      example_debug ("%s: cannot proxy %s %s: %s", application, proxying_method (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), error->message);
      return NULL;
    }
  if (creates_dialog (request) && !sipservlet_proxy_set_record_route (proxy, TRUE, &error))
    g_warning ("%s: cannot record-route: %s", application, error->message);
  return proxy;
}

static const char *
region_name (SipRoutingRegion region)
{
  switch (region)
    {
    case SIPSERVLET_REGION_ORIGINATING:
      return "originating";
    case SIPSERVLET_REGION_TERMINATING:
      return "terminating";
    case SIPSERVLET_REGION_NEUTRAL:
    default:
      return "neutral";
    }
}

/* "VALUE;region=REGION;subscriber="URI"": what the router told the
 * application that got @request (the subscriber left out when it named
 * none). */
static char *
mark_with_routing (SipServletRequest *request, const char *value)
{
  const SipURI *subscriber = sipservlet_request_get_subscriber_uri (request);
  const char *region = region_name (sipservlet_request_get_routing_region (request));
  g_autofree char *uri = subscriber != NULL ? sipservlet_uri_to_string (subscriber) : NULL;

  if (uri == NULL)
    return g_strdup_printf ("%s;region=%s", value, region);
  return g_strdup_printf ("%s;region=%s;subscriber=\"%s\"", value, region, uri);
}

void
proxying_proxy_marked (const char *application, SipServletRequest *request, const SipURI *target,
                       const char *name, const char *mark)
{
  g_autoptr (GError) error = NULL;
  SipProxy *proxy = proxying_get_proxy (application, request);
  g_autofree char *value = NULL;

  if (proxy == NULL)
    return;
  value = mark_with_routing (request, mark);
  if (!sipservlet_message_add_header (SIPSERVLET_MESSAGE (request), name, value, &error))
    {
      g_warning ("%s: cannot add %s: %s", application, name, error->message);
      g_clear_error (&error);
    }
  if (example_debug_enabled ())
    {
      g_autofree char *uri = sipservlet_uri_to_string (target);
      g_debug ("%s: %s %s proxied to %s (%s: %s)", application, proxying_method (request),
               sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), uri, name, value);
    }
  if (!sipservlet_proxy_to (proxy, target, &error))
    {
      g_warning ("%s: cannot proxy %s: %s", application, proxying_method (request),
                 error->message);
      example_respond (request, 500, "Cannot Proxy");
    }
}

SipURI *
proxying_parse_sip_uri (const char *what, const char *text, GError **error)
{
  g_autoptr (GError) local = NULL;
  SipURI *uri = sipservlet_uri_parse (text, &local);

  if (uri != NULL && sipservlet_uri_is_sip (uri))
    return uri;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s %s: %s", what, text,
               uri == NULL ? local->message : "not a sip or sips URI");
  g_clear_pointer (&uri, sipservlet_uri_unref);
  return NULL;
}
