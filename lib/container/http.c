/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's HTTP listeners (sipservlet-http.h).
 *
 * One listener per address: a GSocketService that accepts the
 * connections (TLS on top for https) and a SoupServer that serves them,
 * both with their sources in the container's GMainContext (pushed as
 * thread-default while they are made), so that HTTP handlers run in the
 * container thread between SIP messages. Each listener has its own flags
 * (applications, operations), which is why they do not share one server.
 *
 * Every request passes the same gate before an application sees it
 * (check_request): its Host must be ours (no DNS rebinding), and a request
 * that changes state or opens a WebSocket must come from our origin. Its
 * body was bounded while it was read (on_headers, on_chunk: libsoup calls
 * no handler once they set a status). Then the longest matching path
 * prefix among the deployed applications' handlers gets it. WebSocket
 * upgrades go through the same gate in the normal handler, which leaves
 * the status unset so that libsoup completes the handshake and calls
 * on_websocket.
 */
#include "config-private.h"

#include "container-private.h"
#include "http-private.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

/* Request bodies above this get 413: the API takes small JSON bodies. */
#define SIPSV_HTTP_MAX_BODY (64 * 1024)

typedef struct {
  SipContainer *container;          /* not owned: it owns us */
  GSocketService *service;          /* accepts the connections */
  SoupServer *server;               /* serves them */
  GTlsCertificate *certificate;     /* https: for new connections, or NULL */
  SipHttpListenFlags flags;
  gboolean https;
  gboolean loopback;
  char *host;                       /* the bound IP literal, as text */
  guint16 port;
  char *url;                        /* "http://127.0.0.1:8080/" */
} SipsvHttpListener;

struct _SipsvHttp {
  GPtrArray *listeners;             /* SipsvHttpListener, owned */
  GPtrArray *hosts;                 /* char *, lower case, from add_http_host */
};

static void
listener_free (gpointer data)
{
  SipsvHttpListener *listener = data;
  g_socket_service_stop (listener->service);
  g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
  g_object_unref (listener->service);
  soup_server_disconnect (listener->server);
  g_object_unref (listener->server);
  g_clear_object (&listener->certificate);
  g_free (listener->host);
  g_free (listener->url);
  g_free (listener);
}

static SipsvHttp *
http_of (SipContainer *container)
{
  if (container->http == NULL)
    {
      container->http = g_new0 (SipsvHttp, 1);
      container->http->listeners = g_ptr_array_new_with_free_func (listener_free);
      container->http->hosts = g_ptr_array_new_with_free_func (g_free);
    }
  return container->http;
}

void
sipsv_container_http_clear (SipContainer *container)
{
  if (container->http == NULL)
    return;
  g_ptr_array_unref (container->http->listeners);
  g_ptr_array_unref (container->http->hosts);
  g_clear_pointer (&container->http, g_free);
}

/* Host check (DNS rebinding): the name must be ours, the port the
 * listener's (80 or 443 when the header has none). */
static gboolean
host_is_ours (SipContainer *container, SipsvHttpListener *listener, const char *value)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (value == NULL || !sipsv_split_host_port (value, &host, &port, 0))
    return FALSE;
  if (port == 0)
    port = listener->https ? 443 : 80;
  if (port != listener->port)
    return FALSE;
  if (g_ascii_strcasecmp (host, listener->host) == 0)
    return TRUE;
  if (listener->loopback && g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  for (guint i = 0; i < container->http->hosts->len; i++)
    if (g_ascii_strcasecmp (host, g_ptr_array_index (container->http->hosts, i)) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
changes_state (SoupServerMessage *message)
{
  const char *method = soup_server_message_get_method (message);
  return method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD
         && method != SOUP_METHOD_OPTIONS;
}

static gboolean
is_upgrade (SoupServerMessage *message)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  return soup_message_headers_header_contains (headers, "Upgrade", "websocket");
}

/* The gate every request to an application passes; FALSE when it was
 * answered. */
static gboolean
check_request (SipsvHttpListener *listener, SoupServerMessage *message, gboolean websocket)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *host = soup_message_headers_get_one (headers, "Host");
  const char *origin = soup_message_headers_get_one (headers, "Origin");

  if (!host_is_ours (listener->container, listener, host))
    {
      g_autofree char *why = g_strdup_printf ("Host \"%s\" is not a name of this server",
                                              host != NULL ? host : "");
      sipsv_http_refuse (message, SOUP_STATUS_MISDIRECTED_REQUEST, why);
      return FALSE;
    }
  if (origin != NULL && (websocket || changes_state (message)))
    {
      g_autofree char *ours = g_strdup_printf ("%s://%s", listener->https ? "https" : "http", host);
      if (g_ascii_strcasecmp (origin, ours) != 0)
        {
          g_autofree char *why = g_strdup_printf ("cross-origin request from %s refused", origin);
          sipsv_http_refuse (message, SOUP_STATUS_FORBIDDEN, why);
          return FALSE;
        }
    }
  return TRUE;
}

/* Answers 413 to a request whose body is too large, and keeps no more of
 * that body: libsoup reads a body to its end before it writes the answer
 * (unless the client waits with Expect: 100-continue), so what is still
 * coming is drained, not stored, and the connection closed after. */
static void
refuse_too_large (SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  soup_message_body_set_accumulate (body, FALSE);
  soup_message_body_truncate (body);
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Connection", "close");
  sipsv_http_refuse (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                     "the request body is larger than 64 KiB");
}

/* While the body is read: one without a declared length (chunked) is
 * refused once it passes the limit, before it fills memory. */
static void
on_chunk (SoupServerMessage *message, GBytes *chunk, gpointer data)
{
  (void) chunk; (void) data;
  if (soup_server_message_get_status (message) == 0
      && soup_server_message_get_request_body (message)->length > SIPSV_HTTP_MAX_BODY)
    refuse_too_large (message);
}

/* Before the body is read: a declared length over the limit is refused
 * at once. */
static void
on_headers (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
            gpointer data)
{
  (void) server; (void) path; (void) query; (void) data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > SIPSV_HTTP_MAX_BODY)
    refuse_too_large (message);
  else
    g_signal_connect (message, "got-chunk", G_CALLBACK (on_chunk), NULL);
}

static void
serve_health (SipContainer *container, SoupServerMessage *message)
{
  if (container->runtime.shutting_down)
    sipservlet_http_respond_json (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  "{\"status\": \"shutting-down\"}");
  else if (container->runtime.stack.listen_points->len == 0)
    sipservlet_http_respond_json (message, SOUP_STATUS_SERVICE_UNAVAILABLE,
                                  "{\"status\": \"not-listening\"}");
  else
    sipservlet_http_respond_json (message, SOUP_STATUS_OK, "{\"status\": \"ready\"}");
}

static void
serve_metrics (SipContainer *container, SoupServerMessage *message)
{
  char *text = sipservlet_container_format_metrics (container);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, text, strlen (text));
}

/* The deployed application whose route serves path, longest prefix first. */
static SipApplication *
find_route (SipContainer *container, const char *path, gboolean websocket,
            const SipsvHttpRoute **found)
{
  SipApplication *best = NULL;
  *found = NULL;
  for (guint i = 0; i < container->applications->len; i++)
    {
      SipApplication *application = g_ptr_array_index (container->applications, i);
      const SipsvHttpRoute *route = sipsv_app_find_http_route (application, path, websocket);
      if (route != NULL && (*found == NULL || strlen (route->path) > strlen ((*found)->path)))
        {
          *found = route;
          best = application;
        }
    }
  return best;
}

static void
on_request (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
            gpointer data)
{
  SipsvHttpListener *listener = data;
  SipContainer *container = listener->container;
  const char *method = soup_server_message_get_method (message);
  gboolean read_only = method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD;
  (void) server; (void) query;

  if ((listener->flags & SIPSERVLET_HTTP_OPERATIONS)
      && (strcmp (path, "/health") == 0 || strcmp (path, "/metrics") == 0))
    {
      if (!read_only)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                               "Allow", "GET, HEAD");
          sipservlet_http_respond_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED,
                                         "only GET and HEAD are allowed here");
        }
      else if (path[1] == 'h')
        serve_health (container, message);
      else
        serve_metrics (container, message);
      return;
    }
  if (!(listener->flags & SIPSERVLET_HTTP_APPLICATIONS))
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no such resource");
      return;
    }

  gboolean websocket = is_upgrade (message);
  const SipsvHttpRoute *route;
  SipApplication *application = find_route (container, path, websocket, &route);
  if (application == NULL)
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no such resource");
      return;
    }
  if (!check_request (listener, message, websocket))
    return;
  if (websocket)
    {
      /* Left unanswered: libsoup checks the handshake, answers 101, then
       * calls on_websocket, which finds the application here. */
      sipsv_http_bind (message, container, application, route, listener->https, FALSE);
      return;
    }
  sipsv_http_bind (message, container, application, route, listener->https, TRUE);
  route->handler (application, message, path, route->user_data);
  sipsv_http_unbind (message);
  if (soup_server_message_get_status (message) == 0)
    {
      g_warning ("HTTP handler of application '%s' for %s left %s %s unanswered",
                 sipservlet_application_get_name (application), route->path, method, path);
      sipservlet_http_respond_error (message, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                     "the application did not answer");
    }
}

static void
on_websocket (SoupServer *server, SoupServerMessage *message, const char *path,
              SoupWebsocketConnection *connection, gpointer data)
{
  SipApplication *application;
  const SipsvHttpRoute *route = sipsv_http_bound_route (message, &application);
  (void) server; (void) path; (void) data;

  if (route == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }
  route->on_open (application, message, connection, route->user_data);
  sipsv_http_unbind (message);
}

/* The certificate of the https listeners, from the SIP TLS files. */
static GTlsCertificate *
load_certificate (SipContainer *container, GError **error)
{
  const char *const *files = (const char *const *) container->runtime.stack.tls_files;
  if (files[0] == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "https needs the TLS files of sipservlet_container_set_tls_files()");
      return NULL;
    }
  g_autoptr (GError) local = NULL;
  GTlsCertificate *certificate
      = g_tls_certificate_new_from_files (files[0], files[1] != NULL ? files[1] : files[0], &local);
  if (certificate == NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "cannot load the certificate %s for https: %s", files[0], local->message);
  return certificate;
}

gboolean
sipsv_container_http_reload_tls (SipContainer *container, GError **error)
{
  g_autoptr (GTlsCertificate) certificate = NULL;
  for (guint i = 0; container->http != NULL && i < container->http->listeners->len; i++)
    {
      SipsvHttpListener *listener = g_ptr_array_index (container->http->listeners, i);
      if (!listener->https)
        continue;
      /* Loaded once, for every https listener. */
      if (certificate == NULL && (certificate = load_certificate (container, error)) == NULL)
        return FALSE;
      g_object_unref (listener->certificate);
      listener->certificate = g_object_ref (certificate);   /* for the connections to come */
    }
  return TRUE;
}

/* A connection accepted: over TLS for https, then libsoup's. Accepting
 * them ourselves rather than with soup_server_listen() avoids two leaks of
 * libsoup 3.2's own listener: a GSocket per connection, and the file
 * descriptor of a kept-alive connection the client closes. */
static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer data)
{
  SipsvHttpListener *listener = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr (GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr (GIOStream) stream = NULL;
  (void) service; (void) source;

  if (local == NULL || remote == NULL)
    return TRUE;                        /* gone already */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                       TRUE, NULL);
  if (listener->https)
    {
      stream = g_tls_server_connection_new (G_IO_STREAM (connection), listener->certificate,
                                            &error);
      if (stream == NULL)
        {
          g_message ("http: cannot start TLS on a connection: %s", error->message);
          return TRUE;
        }
      g_object_set (stream, "require-close-notify", FALSE, NULL);
    }
  else
    stream = G_IO_STREAM (g_object_ref (connection));
  if (!soup_server_accept_iostream (listener->server, stream, local, remote, &error))
    g_message ("http: cannot serve a connection: %s", error->message);
  return TRUE;
}

gboolean
sipservlet_container_listen_http (SipContainer *container, const char *address,
                                  SipHttpListenFlags flags, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gboolean https = FALSE;
  const char *rest = address;
  if (g_str_has_prefix (rest, "https:"))
    https = TRUE, rest += 6;
  else if (g_str_has_prefix (rest, "http:"))
    rest += 5;
  g_autofree char *host = NULL;
  guint16 port = 0;
  g_autoptr (GInetAddress) ip = NULL;
  /* The port is required: "IP:PORT" has one colon, "[IPV6]:PORT" its
   * colon after the bracket (a bare "::1" or "[::1]" has no port). */
  const char *bracket = rest[0] == '[' ? strchr (rest, ']') : NULL;
  gboolean has_port = rest[0] == '[' ? bracket != NULL && bracket[1] == ':'
                                     : strchr (rest, ':') != NULL
                                       && strchr (rest, ':') == strrchr (rest, ':');
  if (!has_port || !sipsv_split_host_port (rest, &host, &port, 0)
      || (ip = g_inet_address_new_from_string (host)) == NULL
      || (flags & SIPSERVLET_HTTP_ALL) == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "HTTP address \"%s\" is not [http:|https:]IP:PORT (an IP literal; "
                   "[IPV6]:PORT for IPv6)%s", address,
                   (flags & SIPSERVLET_HTTP_ALL) == 0 ? ", or it serves nothing" : "");
      return FALSE;
    }
  g_autoptr (GTlsCertificate) certificate = https ? load_certificate (container, error) : NULL;
  if (https && certificate == NULL)
    return FALSE;

  /* libsoup and GIO attach their sources to the thread-default context. */
  gboolean pushed = g_main_context_get_thread_default () != container->context
                    && !(container->context == g_main_context_default ()
                         && g_main_context_get_thread_default () == NULL);
  if (pushed)
    g_main_context_push_thread_default (container->context);

  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (ip, port);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) local = NULL;
  GSocketService *service = g_socket_service_new ();
  gboolean ok = g_socket_listener_add_address (G_SOCKET_LISTENER (service), socket_address,
                                               G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                               NULL, &bound, &local);
  if (!ok)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                   "cannot listen for HTTP on %s: %s", address, local->message);
      g_object_unref (service);
    }
  else
    {
      SipsvHttpListener *listener = g_new0 (SipsvHttpListener, 1);
      listener->container = container;
      listener->flags = flags;
      listener->https = https;
      listener->certificate = g_steal_pointer (&certificate);
      listener->loopback = g_inet_address_get_is_loopback (ip);
      listener->service = service;
      listener->server = soup_server_new ("server-header", "libsipservlet ", NULL);
      soup_server_add_early_handler (listener->server, NULL, on_headers, listener, NULL);
      soup_server_add_handler (listener->server, NULL, on_request, listener, NULL);
      soup_server_add_websocket_handler (listener->server, NULL, NULL, NULL, on_websocket,
                                         listener, NULL);
      listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      listener->host = g_inet_address_to_string (ip);
      listener->url = g_strdup_printf ("%s://%s%s%s:%u/", https ? "https" : "http",
                                       strchr (listener->host, ':') ? "[" : "", listener->host,
                                       strchr (listener->host, ':') ? "]" : "", listener->port);
      g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), listener);
      g_socket_service_start (service);
      g_ptr_array_add (http_of (container)->listeners, listener);
    }
  if (pushed)
    g_main_context_pop_thread_default (container->context);
  return ok;
}

char **
sipservlet_container_get_http_urls (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  GPtrArray *urls = g_ptr_array_new ();
  for (guint i = 0; container->http != NULL && i < container->http->listeners->len; i++)
    {
      SipsvHttpListener *listener = g_ptr_array_index (container->http->listeners, i);
      g_ptr_array_add (urls, g_strdup (listener->url));
    }
  g_ptr_array_add (urls, NULL);
  return (char **) g_ptr_array_free (urls, FALSE);
}

void
sipservlet_container_add_http_host (SipContainer *container, const char *host)
{
  g_return_if_fail (container != NULL);
  g_return_if_fail (host != NULL && *host != '\0');
  g_ptr_array_add (http_of (container)->hosts, g_ascii_strdown (host, -1));
}
