/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - answers of the HTTP side: JSON bodies, errors, the
 * bearer-token check (sipservlet-http.h). */
#include "config-private.h"

#include "http-private.h"

#include <string.h>

/* A JSON string literal of text (RFC 8259 §7): quotes, backslashes and
 * control characters escaped; text is UTF-8 already. */
static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

void
sipservlet_http_respond_json (SoupServerMessage *message, guint status, const char *json)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (message));
  soup_server_message_set_status (message, status, NULL);
  if (json != NULL)
    soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, json,
                                      strlen (json));
  else
    soup_server_message_set_response (message, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

void
sipservlet_http_respond_error (SoupServerMessage *message, guint status, const char *why)
{
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (message));
  g_return_if_fail (why != NULL);
  g_autoptr (GString) body = g_string_new ("{\"error\": ");
  if (!g_utf8_validate (why, -1, NULL))
    why = "(not UTF-8)";
  append_json_string (body, why);
  g_string_append (body, "}\n");
  sipservlet_http_respond_json (message, status, body->str);
}

static char *
client_text (SoupServerMessage *message)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (message);
  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("?");
  GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (remote);
  g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
}

void
sipsv_http_refuse (SoupServerMessage *message, guint status, const char *why)
{
  g_autofree char *client = client_text (message);
  g_message ("http: %s %s from %s refused %u: %s", soup_server_message_get_method (message),
             g_uri_get_path (soup_server_message_get_uri (message)), client, status, why);
  sipservlet_http_respond_error (message, status, why);
}

gboolean
sipservlet_http_check_bearer (SoupServerMessage *message, const char *token)
{
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (message), FALSE);
  g_return_val_if_fail (token != NULL && *token != '\0', FALSE);

  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (message), "Authorization");
  gboolean ok = FALSE;
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    {
      const char *given = header + 7;
      while (*given == ' ')
        given++;
      /* Constant time over the expected token's length. */
      gsize expected = strlen (token), length = strlen (given);
      guchar diff = length != expected;
      for (gsize i = 0; i < expected; i++)
        diff |= (guchar) token[i] ^ (guchar) (i < length ? given[i] : 0);
      ok = diff == 0;
    }
  if (ok)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                       "WWW-Authenticate",
                                       header == NULL ? "Bearer realm=\"sipservlet\""
                                                      : "Bearer realm=\"sipservlet\", "
                                                        "error=\"invalid_token\"");
  sipsv_http_refuse (message, SOUP_STATUS_UNAUTHORIZED,
                     header == NULL ? "credentials required (Authorization: Bearer)"
                                    : "the bearer token is not valid");
  return FALSE;
}
