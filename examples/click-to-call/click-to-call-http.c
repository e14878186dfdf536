/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the web API and page of the click-to-call
 * controller: the converged side of the application (sipservlet-http.h).
 *
 * Routes (the container checks Host, Origin and the body size first):
 *
 *   GET  /calls          the calls: {"calls": [CALL, ...]}
 *   POST /calls          {"from": URI, "to": URI} places a call:
 *                        201, Location: /calls/ID, CALL
 *   GET  /calls/ID       CALL
 *   DELETE /calls/ID     hangs the call up (CANCEL for a leg still
 *                        ringing, BYE for an answered one): 200, CALL
 *   GET  /events         WebSocket: {"id", "state", "status"} for every
 *                        change of a call's state
 *   GET  /, /index.html  the page
 *
 *   CALL = {"id", "from", "to", "state", "status", "legs": {"a": LEG,
 *           "b": LEG}},  LEG = {"uri", "state", "status"}
 *
 * ID is the call's application session id. "status" is the SIP status
 * that made the call fail (486; 408 when a leg gave no final response in
 * time), else null; a leg's "status" is the last status its INVITE got.
 *
 * States of a call:
 *   calling-a   the INVITE (without SDP) went to A, no answer yet
 *   ringing-a   A sent a provisional response (180, 183)
 *   calling-b   A answered with its offer; the INVITE with it went to B
 *   ringing-b   B sent a provisional response
 *   answered    B answered; both 2xx are acknowledged (A's ACK carries
 *               B's answer): the parties talk
 *   ending      a hang-up is under way (DELETE, a BYE from one side, a
 *               failure): CANCEL or BYE sent, waiting for the far ends
 *   ended       both legs ended after the call was answered, or it was
 *               hung up before (DELETE)
 *   failed      the call could not be set up: "status" says why when a
 *               SIP response did (486 Busy Here from A or B, 408 when a
 *               leg did not answer within --timeout)
 *
 * States of a leg: idle (not called yet), calling, ringing (a 18x came),
 * answered (2xx received, not acknowledged yet), confirmed (acknowledged),
 * ending (BYE sent, or CANCEL sent and the INVITE not finished), ended.
 *
 * Every route but the page needs the bearer token (--http-token):
 * Authorization: Bearer TOKEN, or for /events, where browsers cannot set
 * headers, the query parameter ?token=TOKEN (compared in constant time);
 * a WebSocket without it is closed at once with code 1008. The parties
 * must match an --allow pattern (403 otherwise).
 */
#include "click-to-call-private.h"
#include "click-to-call-resources.h"
#include "example-main.h"

#include <string.h>

/* Calls not ended at once: more get 503. */
#define MAX_ACTIVE_CALLS 100

/* ---- JSON -------------------------------------------------------------------------- */

static void
append_json_string (GString *out, const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
append_status (GString *out, guint status)
{
  if (status == 0)
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%u", status);
}

static void
append_leg (GString *out, Leg *leg)
{
  g_string_append (out, "{\"uri\": ");
  append_json_string (out, leg->uri);
  g_string_append (out, ", \"state\": ");
  append_json_string (out, leg_state_api_name (leg));
  g_string_append (out, ", \"status\": ");
  append_status (out, leg->status);
  g_string_append_c (out, '}');
}

static void
append_call (GString *out, Call *call)
{
  g_string_append (out, "{\"id\": ");
  append_json_string (out, call->id);
  g_string_append (out, ", \"from\": ");
  append_json_string (out, call->a.uri);
  g_string_append (out, ", \"to\": ");
  append_json_string (out, call->b.uri);
  g_string_append (out, ", \"state\": ");
  append_json_string (out, call_state_name (call));
  g_string_append (out, ", \"status\": ");
  append_status (out, call->done && call->status != 0 && !call->hung_up ? call->sip_status : 0);
  g_string_append (out, ", \"legs\": {\"a\": ");
  append_leg (out, &call->a);
  g_string_append (out, ", \"b\": ");
  append_leg (out, &call->b);
  g_string_append (out, "}}");
}

typedef struct {
  const char *p;
  const char *end;
} Parser;

static void
skip_space (Parser *parser)
{
  while (parser->p < parser->end
         && (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r'))
    parser->p++;
}

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

static gboolean
parse_hex4 (Parser *parser, gunichar *value)
{
  *value = 0;
  if (parser->end - parser->p < 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    {
      int v = hex_value (*parser->p++);
      if (v < 0)
        return FALSE;
      *value = *value * 16 + (gunichar) v;
    }
  return TRUE;
}

/* A JSON string (at its opening quote); NULL when malformed. */
static char *
parse_string (Parser *parser)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (parser->p >= parser->end || *parser->p != '"')
    return NULL;
  parser->p++;
  while (parser->p < parser->end)
    {
      guchar c = (guchar) *parser->p++;
      if (c == '"')
        return g_utf8_validate (out->str, out->len, NULL) ? g_string_free (g_steal_pointer (&out), FALSE)
                                                          : NULL;
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          continue;
        }
      if (parser->p >= parser->end)
        return NULL;
      c = (guchar) *parser->p++;
      switch (c)
        {
        case '"': case '\\': case '/': g_string_append_c (out, (char) c); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u, low;
            if (!parse_hex4 (parser, &u))
              return NULL;
            if (u >= 0xd800 && u < 0xdc00)
              {
                if (parser->end - parser->p < 2 || parser->p[0] != '\\' || parser->p[1] != 'u')
                  return NULL;
                parser->p += 2;
                if (!parse_hex4 (parser, &low) || low < 0xdc00 || low >= 0xe000)
                  return NULL;
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (u >= 0xdc00 && u < 0xe000)
              return NULL;
            if (u == 0)
              return NULL;
            g_string_append_unichar (out, u);
            break;
          }
        default:
          return NULL;
        }
    }
  return NULL;
}

/* Skips a number, true, false or null; FALSE for anything else (objects
 * and arrays are not expected in this API). */
static gboolean
skip_scalar (Parser *parser)
{
  static const char *const words[] = { "true", "false", "null" };
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize n = strlen (words[i]);
      if ((gsize) (parser->end - parser->p) >= n && strncmp (parser->p, words[i], n) == 0)
        {
          parser->p += n;
          return TRUE;
        }
    }
  const char *start = parser->p;
  while (parser->p < parser->end && strchr ("+-0123456789.eE", *parser->p) != NULL)
    parser->p++;
  return parser->p > start;
}

/* The body {"from": "...", "to": "..."} (other keys with scalar values
 * are ignored). FALSE with @why when it is not such an object. */
static gboolean
parse_call_request (GBytes *body, char **from, char **to, const char **why)
{
  gsize length = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &length) : NULL;
  Parser parser = { data, data + length };

  *from = *to = NULL;
  *why = "the body must be a JSON object {\"from\": URI, \"to\": URI}";
  if (data == NULL)
    return FALSE;
  skip_space (&parser);
  if (parser.p >= parser.end || *parser.p++ != '{')
    return FALSE;
  skip_space (&parser);
  if (parser.p < parser.end && *parser.p == '}')
    parser.p++;
  else
    for (;;)
      {
        skip_space (&parser);
        g_autofree char *key = parse_string (&parser);
        if (key == NULL)
          return FALSE;
        skip_space (&parser);
        if (parser.p >= parser.end || *parser.p++ != ':')
          return FALSE;
        skip_space (&parser);
        if (parser.p < parser.end && *parser.p == '"')
          {
            char *value = parse_string (&parser);
            if (value == NULL)
              return FALSE;
            char **slot = g_str_equal (key, "from") ? from : g_str_equal (key, "to") ? to : NULL;
            if (slot != NULL)
              {
                g_free (*slot);
                *slot = value;
              }
            else
              g_free (value);
          }
        else if (g_str_equal (key, "from") || g_str_equal (key, "to"))
          {
            *why = "\"from\" and \"to\" must be strings";
            return FALSE;
          }
        else if (!skip_scalar (&parser))
          return FALSE;
        skip_space (&parser);
        if (parser.p < parser.end && *parser.p == ',')
          {
            parser.p++;
            continue;
          }
        if (parser.p < parser.end && *parser.p == '}')
          {
            parser.p++;
            break;
          }
        return FALSE;
      }
  skip_space (&parser);
  if (parser.p != parser.end)
    return FALSE;
  if (*from == NULL || *to == NULL)
    {
      *why = *from == NULL ? "\"from\" is required" : "\"to\" is required";
      return FALSE;
    }
  return TRUE;
}

/* ---- checks ------------------------------------------------------------------------ */

/* Compares in a time that does not depend on where they differ. */
static gboolean
tokens_equal (const char *given, const char *expected)
{
  gsize given_length = strlen (given), expected_length = strlen (expected);
  guint diff = given_length != expected_length;

  for (gsize i = 0; i < expected_length; i++)
    diff |= (guchar) expected[i] ^ (guchar) (i < given_length ? given[i] : 0);
  return diff == 0;
}

static gboolean
check_auth (ClickToCall *c2c, SoupServerMessage *message)
{
  return c2c->token == NULL || sipservlet_http_check_bearer (message, c2c->token);
}

/* A destination the API may call: --allow patterns; a plain domain
 * matches the URI's host, anything else is a glob on the whole URI. */
static gboolean
is_allowed (ClickToCall *c2c, SipURI *uri)
{
  if (c2c->allow == NULL)
    return TRUE;
  g_autofree char *text = sipservlet_uri_to_string (uri);
  const char *host = sipservlet_uri_get_host (uri);
  for (char **p = c2c->allow; *p != NULL; p++)
    {
      if (strpbrk (*p, "*?:@") == NULL)
        {
          if (host != NULL && g_ascii_strcasecmp (host, *p) == 0)
            return TRUE;
        }
      else if (g_pattern_match_simple (*p, text))
        return TRUE;
    }
  return FALSE;
}

/* A party of a POST: a sip: or sips: URI (or name-addr) allowed here;
 * NULL when the request was answered. */
static SipAddress *
party (ClickToCall *c2c, SoupServerMessage *message, const char *key, const char *text)
{
  g_autoptr (GError) error = NULL;
  SipAddress *address = sipservlet_address_parse (text, &error);

  if (address == NULL || !sipservlet_uri_is_sip (sipservlet_address_get_uri (address)))
    {
      g_autofree char *why = g_strdup_printf ("\"%s\" is not a sip: or sips: URI", key);
      sipservlet_http_respond_error (message, SOUP_STATUS_BAD_REQUEST, why);
      g_clear_pointer (&address, sipservlet_address_unref);
      return NULL;
    }
  if (!is_allowed (c2c, sipservlet_address_get_uri (address)))
    {
      g_autofree char *why = g_strdup_printf ("\"%s\" is not a destination this server may "
                                              "call", key);
      sipservlet_http_respond_error (message, SOUP_STATUS_FORBIDDEN, why);
      sipservlet_address_unref (address);
      return NULL;
    }
  return address;
}

/* ---- handlers ---------------------------------------------------------------------- */

static void
respond_call (SoupServerMessage *message, guint status, Call *call)
{
  g_autoptr (GString) json = g_string_new (NULL);
  append_call (json, call);
  sipservlet_http_respond_json (message, status, json->str);
}

static void
refuse_method (SoupServerMessage *message, const char *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow",
                                allow);
  sipservlet_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                 "method not allowed here");
}

static void
list_calls (ClickToCall *c2c, SoupServerMessage *message)
{
  g_autoptr (GString) json = g_string_new ("{\"calls\": [");
  for (GList *l = c2c->order.head; l != NULL; l = l->next)
    {
      if (l != c2c->order.head)
        g_string_append (json, ", ");
      append_call (json, l->data);
    }
  g_string_append (json, "]}");
  sipservlet_http_respond_json (message, SOUP_STATUS_OK, json->str);
}

static void
create_call (ClickToCall *c2c, SoupServerMessage *message)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autofree char *from = NULL, *to = NULL;
  g_autoptr (GError) error = NULL;
  const char *why;
  guint active = 0;

  if (!parse_call_request (body, &from, &to, &why))
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_BAD_REQUEST, why);
      return;
    }
  SipAddress *a = party (c2c, message, "from", from);
  if (a == NULL)
    return;
  SipAddress *b = party (c2c, message, "to", to);
  if (b == NULL)
    {
      sipservlet_address_unref (a);
      return;
    }
  for (GList *l = c2c->order.head; l != NULL; l = l->next)
    active += !((Call *) l->data)->done;
  if (active >= MAX_ACTIVE_CALLS)
    {
      sipservlet_address_unref (a);
      sipservlet_address_unref (b);
      sipservlet_http_respond_error (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                     "too many calls under way");
      return;
    }
  Call *call = click_to_call_place (c2c, a, b, &error);
  if (call == NULL)
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_BAD_GATEWAY, error->message);
      return;
    }
  g_message ("click-to-call: call %s from %s to %s", call->id, call->a.uri, call->b.uri);
  g_autofree char *location = g_strdup_printf ("/calls/%s", call->id);
  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Location",
                                location);
  respond_call (message, SOUP_STATUS_CREATED, call);
}

static void
on_calls (SipApplication *application, SoupServerMessage *message, const char *path,
          gpointer user_data)
{
  ClickToCall *c2c = user_data;
  const char *method = soup_server_message_get_method (message);
  gboolean get = method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
  const char *id = path + strlen ("/calls");

  if (!check_auth (c2c, message))
    return;
  if (*id == '/')
    id++;
  if (*id == '\0')
    {
      if (get)
        list_calls (c2c, message);
      else if (method == SOUP_METHOD_POST)
        create_call (c2c, message);
      else
        refuse_method (message, "GET, HEAD, POST");
      return;
    }
  Call *call = strchr (id, '/') == NULL ? g_hash_table_lookup (c2c->calls, id) : NULL;
  if (call == NULL)
    sipservlet_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no such call");
  else if (get)
    respond_call (message, SOUP_STATUS_OK, call);
  else if (method == SOUP_METHOD_DELETE)
    {
      click_to_call_hang_up (call);
      respond_call (message, SOUP_STATUS_OK, call);
    }
  else
    refuse_method (message, "GET, HEAD, DELETE");
}

static void
on_page (SipApplication *application, SoupServerMessage *message, const char *path,
         gpointer user_data)
{
  const char *method = soup_server_message_get_method (message);

  if (!g_str_equal (path, "/") && !g_str_equal (path, "/index.html"))
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no such resource");
      return;
    }
  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      refuse_method (message, "GET, HEAD");
      return;
    }
  g_autoptr (GBytes) page = g_resource_lookup_data (click_to_call_get_resource (),
                                                    "/org/sipservlet/click-to-call/page.html",
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (page == NULL)
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "the page is missing");
      return;
    }
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; script-src 'unsafe-inline'; "
                                "style-src 'unsafe-inline'; connect-src 'self' ws: wss:; "
                                "frame-ancestors 'none'");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (page, &size);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY, data,
                                    size);
}

/* ---- /events ------------------------------------------------------------------------ */

static void
on_socket_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  ClickToCall *c2c = user_data;
  g_signal_handlers_disconnect_by_data (connection, c2c);
  g_ptr_array_remove (c2c->sockets, connection);
}

/* The token of an upgrade: Authorization: Bearer, else ?token=. */
static gboolean
socket_token_ok (ClickToCall *c2c, SoupServerMessage *message)
{
  if (c2c->token == NULL)
    return TRUE;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    return tokens_equal (authorization + 7, c2c->token);
  const char *query = g_uri_get_query (soup_server_message_get_uri (message));
  if (query == NULL)
    return FALSE;
  g_autoptr (GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  const char *token = params != NULL ? g_hash_table_lookup (params, "token") : NULL;
  return token != NULL && tokens_equal (token, c2c->token);
}

static void
on_events (SipApplication *application, SoupServerMessage *message,
           SoupWebsocketConnection *connection, gpointer user_data)
{
  ClickToCall *c2c = user_data;

  if (!socket_token_ok (c2c, message))
    {
      g_message ("click-to-call: WebSocket from %s refused: missing or wrong token",
                 soup_server_message_get_remote_host (message));
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       "missing or wrong token");
      return;
    }
  g_ptr_array_add (c2c->sockets, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_socket_closed), c2c);
}

void
c2c_http_notify (ClickToCall *c2c, Call *call)
{
  if (c2c->sockets == NULL || c2c->sockets->len == 0)
    return;
  g_autoptr (GString) json = g_string_new ("{\"id\": ");
  append_json_string (json, call->id);
  g_string_append (json, ", \"state\": ");
  append_json_string (json, call_state_name (call));
  g_string_append (json, ", \"status\": ");
  append_status (json, call->done && call->status != 0 && !call->hung_up ? call->sip_status : 0);
  g_string_append_c (json, '}');
  /* Copied: sending may find a connection closed. */
  g_autoptr (GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < c2c->sockets->len; i++)
    g_ptr_array_add (sockets, g_object_ref (c2c->sockets->pdata[i]));
  for (guint i = 0; i < sockets->len; i++)
    if (soup_websocket_connection_get_state (sockets->pdata[i]) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_send_text (sockets->pdata[i], json->str);
}

void
c2c_http_clear (ClickToCall *c2c)
{
  if (c2c->sockets == NULL)
    return;
  g_autoptr (GPtrArray) sockets = g_steal_pointer (&c2c->sockets);
  for (guint i = 0; i < sockets->len; i++)
    {
      SoupWebsocketConnection *connection = sockets->pdata[i];
      g_signal_handlers_disconnect_by_data (connection, c2c);
      if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
    }
}

gboolean
c2c_http_add_routes (ClickToCall *c2c, SipApplication *application, GError **error)
{
  if (c2c->token == NULL)
    g_message ("click-to-call: the web API places calls without a token (--http-no-auth): "
               "for tests on loopback only");
  if (c2c->allow == NULL)
    g_message ("click-to-call: no --allow: the web API may call any SIP destination");
  c2c->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  if (!sipservlet_application_add_http_handler (application, "/calls", on_calls, c2c, NULL, error)
      || !sipservlet_application_add_websocket_handler (application, "/events", on_events, c2c,
                                                        NULL, error)
      /* The page, at "/" and "/index.html"; "/" also gets every other
       * path that no longer prefix takes, which on_page refuses. */
      || !sipservlet_application_add_http_handler (application, "/", on_page, c2c, NULL, error))
    return FALSE;
  return TRUE;
}
