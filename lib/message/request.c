/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServletRequest accessors (answering and sending live
 * with the UA roles in lib/ua/). */
#include "config-private.h"

#include <string.h>

#include "message/message-private.h"

SipServletRequest *
sipservlet_request_ref (SipServletRequest *request)
{
  return (SipServletRequest *) sipservlet_message_ref (SIPSERVLET_MESSAGE (request));
}

void
sipservlet_request_unref (SipServletRequest *request)
{
  sipservlet_message_unref (SIPSERVLET_MESSAGE (request));
}

static gboolean
check_uncommitted (SipServletRequest *request, GError **error)
{
  if (request->base.committed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request is committed and can no longer be modified");
      return FALSE;
    }
  return TRUE;
}

SipURI *
sipsv_request_parse_uri (const sip_t *sip, GError **error)
{
  char buf[256];
  char *text = sipsv_stack_url_format (sip->sip_request->rq_url, buf, sizeof buf);
  SipURI *uri = sipservlet_uri_parse (text != NULL ? text : "", error);
  if (text != buf)
    g_free (text);
  return uri;
}

const SipURI *
sipservlet_request_get_request_uri (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (request->request_uri == NULL)
    {
      GError *error = NULL;
      request->request_uri = sipsv_request_parse_uri (request->base.sip, &error);
      if (request->request_uri == NULL)
        {
          g_warning ("cannot represent the Request-URI: %s", error->message);
          g_error_free (error);
        }
    }
  return request->request_uri;
}

gboolean
sipservlet_request_set_request_uri (SipServletRequest *request, const SipURI *uri,
                                    GError **error)
{
  g_return_val_if_fail (request != NULL && uri != NULL, FALSE);
  if (!check_uncommitted (request, error))
    return FALSE;

  msg_t *msg = request->base.msg;
  sip_t *sip = request->base.sip;
  char *text = sipservlet_uri_to_string (uri);
  sip_request_t *rq = sip_request_create (msg_home (msg), sip->sip_request->rq_method,
                                          sip->sip_request->rq_method_name,
                                          URL_STRING_MAKE (text), NULL);
  g_free (text);
  if (rq == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the URI cannot be used as a Request-URI");
      return FALSE;
    }
  msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_request,
                      (msg_header_t *) rq);
  g_clear_pointer (&request->request_uri, sipservlet_uri_unref);
  return TRUE;
}

gint
sipservlet_request_get_max_forwards (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, -1);
  sip_max_forwards_t *mf = request->base.sip->sip_max_forwards;
  return mf != NULL ? (gint) mf->mf_count : -1;
}

gboolean
sipservlet_request_set_max_forwards (SipServletRequest *request, gint value, GError **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  if (value < 0 || value > 255)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "Max-Forwards %d is outside 0..255", value);
      return FALSE;
    }
  char text[8];
  g_snprintf (text, sizeof text, "%d", value);
  return sipservlet_message_set_header (SIPSERVLET_MESSAGE (request), "Max-Forwards", text, error);
}

gboolean
sipservlet_request_is_initial (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, FALSE);
  return request->initial;
}

gboolean
sipservlet_request_push_route (SipServletRequest *request, const SipAddress *route,
                               GError **error)
{
  g_return_val_if_fail (request != NULL && route != NULL, FALSE);
  if (!check_uncommitted (request, error))
    return FALSE;
  if (request->base.incoming || !request->initial)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "routes can only be pushed on outgoing initial requests");
      return FALSE;
    }
  char *text = sipservlet_address_to_string (route);
  msg_t *msg = request->base.msg;
  sip_route_t *r = sip_route_make (msg_home (msg), text);
  g_free (text);
  if (r == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the address cannot be used as a Route");
      return FALSE;
    }
  /* Prepend: the new route goes before the existing ones. */
  sipsv_message_insert_first (&request->base, (msg_header_t *) r);
  return TRUE;
}

gboolean
sipservlet_request_set_destination (SipServletRequest *request, const char *destination,
                                    SipDestinationFlags flags, GError **error)
{
  g_return_val_if_fail (request != NULL && destination != NULL, FALSE);
  if (!check_uncommitted (request, error))
    return FALSE;
  if (request->base.incoming)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "an incoming request has no destination to set");
      return FALSE;
    }

  /* TRANSPORT:IP:PORT, IPv6 in brackets */
  const char *colon = strchr (destination, ':');
  const char *host = colon != NULL ? colon + 1 : NULL;
  const char *port_colon = host != NULL ? strrchr (host, ':') : NULL;
  g_autofree char *transport = colon != NULL ? g_ascii_strdown (destination, colon - destination)
                                             : NULL;
  g_autofree char *ip = port_colon != NULL ? g_strndup (host, port_colon - host) : NULL;
  guint64 port = 0;
  gsize n = ip != NULL ? strlen (ip) : 0;
  gboolean bracketed = n > 2 && ip[0] == '[' && ip[n - 1] == ']';
  g_autofree char *bare = bracketed ? g_strndup (ip + 1, n - 2) : g_strdup (ip);

  if (transport == NULL
      || (strcmp (transport, "udp") != 0 && strcmp (transport, "tcp") != 0
          && strcmp (transport, "tls") != 0)
      || bare == NULL || !g_hostname_is_ip_address (bare)
      || (strchr (bare, ':') != NULL) != bracketed
      || !g_ascii_string_to_unsigned (port_colon + 1, 10, 1, 65535, &port, NULL))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "destination \"%s\" is not udp:IP:PORT, tcp:IP:PORT or tls:IP:PORT "
                   "(IPv6 in brackets)",
                   destination);
      return FALSE;
    }
  char *text = g_strdup_printf ("sip:%s:%u;transport=%s", ip, (guint) port, transport);
  url_t *url = url_make (msg_home (request->base.msg), text);
  g_free (text);
  if (url == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "out of memory");
      return FALSE;
    }
  request->destination = url;
  request->destination_existing = (flags & SIPSERVLET_DESTINATION_EXISTING_CONNECTION) != 0;
  return TRUE;
}
