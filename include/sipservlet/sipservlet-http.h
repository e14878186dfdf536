/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - converged SIP + HTTP applications (JSR 289 chapter 13).
 *     #include <sipservlet/sipservlet-http.h>
 *
 * The container serves HTTP with libsoup 3 in its own GMainContext, so an
 * HTTP handler runs in the same thread as the servlets and may use every
 * SIP object directly: create an application session, send requests with
 * the factory, read the attributes a servlet set. An application registers
 * handlers for path prefixes next to its servlets; they serve once it is
 * deployed. Handlers receive libsoup's SoupServerMessage and answer it
 * before they return (set its status; a handler that leaves none gets 500).
 *
 * Converged sessions: sipservlet_http_get_application_session() gives the
 * application session an earlier request created, found through the
 * `sipappsessionid` query parameter (sipservlet_application_session_encode_url())
 * or the `SIPAPPSESSIONID` cookie (HttpOnly, SameSite=Strict), so that
 * HTTP requests and SIP messages of one call share attributes and timers.
 * An invalidated application session is found no more.
 *
 * Protection the container applies before any application handler:
 * the Host header must name one of its HTTP listeners (an IP literal and
 * port it listens on, `localhost` on loopback, or a name given to
 * sipservlet_container_add_http_host()): no DNS rebinding; a request that
 * changes state (any method but GET, HEAD and OPTIONS) or opens a
 * WebSocket and carries an Origin must come from the same origin: no
 * cross-site requests. Bodies over 64 KiB get 413. Errors are JSON:
 * `{"error": "why"}`.
 *
 * Built in on every listener: `GET /health` (200 while the container is
 * listening and not shutting down, else 503) and `GET /metrics` (the
 * Prometheus text of sipservlet_container_format_metrics()), unless the
 * listener was opened without %SIPSERVLET_HTTP_OPERATIONS.
 *
 * Threading: call from the container thread.
 */
#pragma once

/* Included on its own, beside <sipservlet/sipservlet.h>: only converged
 * applications need libsoup's headers (which are C11, not C99). */
#include <libsoup/soup.h>
#include <sipservlet/sipservlet.h>

G_BEGIN_DECLS

/**
 * SipHttpListenFlags:
 * @SIPSERVLET_HTTP_APPLICATIONS: serve the handlers of deployed applications
 * @SIPSERVLET_HTTP_OPERATIONS: serve `/health` and `/metrics`
 * @SIPSERVLET_HTTP_ALL: both
 *
 * What an HTTP listener serves: the operations endpoints may get a
 * listener of their own (on loopback, say) apart from the applications'.
 */
typedef enum {
  SIPSERVLET_HTTP_APPLICATIONS = 1 << 0,
  SIPSERVLET_HTTP_OPERATIONS = 1 << 1,
  SIPSERVLET_HTTP_ALL = SIPSERVLET_HTTP_APPLICATIONS | SIPSERVLET_HTTP_OPERATIONS,
} SipHttpListenFlags;

/**
 * sipservlet_container_listen_http:
 * @container: a #SipContainer
 * @address: `IP:PORT` (`[IPv6]:PORT` for IPv6), optionally prefixed by
 *   `http:` or `https:`; port 0 takes a free port
 * @flags: what the listener serves
 * @error: return location for a #GError, or %NULL
 *
 * Opens an HTTP listener. `https:` uses the files of
 * sipservlet_container_set_tls_files(), which must be set first, and
 * follows sipservlet_container_reload_tls_files(). Host names are refused:
 * a listener binds one address, and it is loopback unless the host
 * program says otherwise.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 *   (%SIPSERVLET_ERROR_INVALID_ARGUMENT for a bad address or https without
 *   TLS files, %SIPSERVLET_ERROR_TRANSPORT when the socket cannot be bound).
 */
SIPSERVLET_API gboolean sipservlet_container_listen_http (SipContainer *container,
                                                          const char *address,
                                                          SipHttpListenFlags flags,
                                                          GError **error);

/**
 * sipservlet_container_get_http_urls:
 * @container: a #SipContainer
 *
 * The base URL of every HTTP listener, in the order they were opened:
 * `http://127.0.0.1:8080/`.
 *
 * Returns: (transfer full) (array zero-terminated=1): a %NULL-terminated
 *   array; free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_container_get_http_urls (SipContainer *container);

/**
 * sipservlet_container_add_http_host:
 * @container: a #SipContainer
 * @host: a host name (without port) clients use to reach the listeners
 *
 * Accepts @host in the Host header of requests to application handlers
 * (see the DNS-rebinding check above).
 */
SIPSERVLET_API void sipservlet_container_add_http_host (SipContainer *container,
                                                        const char *host);

/**
 * SipHttpHandlerFunc:
 * @application: the application the handler belongs to
 * @message: the request; answer it before returning
 * @path: the request's path (decoded)
 * @user_data: the data given with the handler
 *
 * An application's HTTP handler. sipservlet_http_get_application_session()
 * works inside it.
 */
typedef void (*SipHttpHandlerFunc) (SipApplication *application, SoupServerMessage *message,
                                    const char *path, gpointer user_data);

/**
 * SipWebsocketFunc:
 * @application: the application the handler belongs to
 * @message: the upgrade request (its headers, cookies, query)
 * @connection: the open WebSocket; take a reference to keep it
 * @user_data: the data given with the handler
 *
 * Called when a WebSocket opened on an application's path.
 * sipservlet_http_get_application_session() works inside it (without
 * creating: a cookie cannot be set any more).
 */
typedef void (*SipWebsocketFunc) (SipApplication *application, SoupServerMessage *message,
                                  SoupWebsocketConnection *connection, gpointer user_data);

/**
 * sipservlet_application_add_http_handler:
 * @application: a #SipApplication, before it is deployed
 * @path_prefix: an absolute path such as `/calls`; it matches itself and
 *   everything below it (`/calls/42`), not `/callsx`
 * @func: (scope notified): the handler
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the application ends
 * @error: return location for a #GError, or %NULL
 *
 * Adds an HTTP handler. When several handlers of deployed applications
 * match a path, the longest prefix wins, so `/` serves what no other
 * handler does (a page beside an API). `/health` and `/metrics` and what
 * is below them are the container's; on a listener opened without
 * %SIPSERVLET_HTTP_OPERATIONS, a `/` handler sees those paths too.
 *
 * Returns: %TRUE on success; %FALSE with @error set
 *   (%SIPSERVLET_ERROR_INVALID_ARGUMENT: not an absolute path, `/health`
 *   or `/metrics` or below them, or one this application has already;
 *   %SIPSERVLET_ERROR_INVALID_STATE: the application was deployed).
 */
SIPSERVLET_API gboolean sipservlet_application_add_http_handler (SipApplication *application,
                                                                 const char *path_prefix,
                                                                 SipHttpHandlerFunc func,
                                                                 gpointer user_data,
                                                                 GDestroyNotify destroy,
                                                                 GError **error);

/**
 * sipservlet_application_add_websocket_handler:
 * @application: a #SipApplication, before it is deployed
 * @path: the exact absolute path of the WebSocket endpoint
 * @func: (scope notified): called for each connection opened
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the application ends
 * @error: return location for a #GError, or %NULL
 *
 * Adds a WebSocket endpoint (RFC 6455, libsoup's server side). The
 * container checks Host and Origin as for state-changing requests.
 *
 * Returns: %TRUE on success; %FALSE with @error set as for
 *   sipservlet_application_add_http_handler().
 */
SIPSERVLET_API gboolean sipservlet_application_add_websocket_handler (SipApplication *application,
                                                                      const char *path,
                                                                      SipWebsocketFunc func,
                                                                      gpointer user_data,
                                                                      GDestroyNotify destroy,
                                                                      GError **error);

/**
 * sipservlet_http_get_application_session:
 * @message: the request a handler is serving
 * @create: whether to create one when the request names none (or one
 *   that is gone)
 *
 * The converged session of the request: the valid application session of
 * the handler's application named by the request's `sipappsessionid`
 * query parameter, else by its `SIPAPPSESSIONID` cookie. With @create and
 * none found, a new application session of the handler's application,
 * whose id the response sets as that cookie (HttpOnly, SameSite=Strict,
 * Secure over https, Path the handler's prefix).
 *
 * Returns: (transfer none) (nullable): the application session, valid
 *   while the handler runs (take a reference to keep it), or %NULL (none,
 *   or @message is not a request a handler is serving).
 */
SIPSERVLET_API SipApplicationSession *sipservlet_http_get_application_session (SoupServerMessage *message,
                                                                              gboolean create);

/**
 * sipservlet_application_session_encode_url:
 * @app_session: a valid #SipApplicationSession
 * @url: an absolute or relative URL
 *
 * JSR 289 encodeURL(): @url with the application session's id as its
 * `sipappsessionid` query parameter, so that a request to it finds
 * @app_session through sipservlet_http_get_application_session() without
 * a cookie (a link in a mail, a callback URL given to a web service).
 *
 * Returns: (transfer full): the new URL; free with g_free().
 */
SIPSERVLET_API char *sipservlet_application_session_encode_url (SipApplicationSession *app_session,
                                                                const char *url);

/**
 * sipservlet_http_respond_error:
 * @message: the request to answer
 * @status: a 4xx or 5xx HTTP status
 * @why: what went wrong, for the client: it becomes `{"error": why}`
 *
 * Answers @message with @status and a JSON error body.
 */
SIPSERVLET_API void sipservlet_http_respond_error (SoupServerMessage *message, guint status,
                                                   const char *why);

/**
 * sipservlet_http_respond_json:
 * @message: the request to answer
 * @status: the HTTP status
 * @json: (nullable): a JSON text, or %NULL for an empty body
 *
 * Answers @message with @status and `application/json` content.
 */
SIPSERVLET_API void sipservlet_http_respond_json (SoupServerMessage *message, guint status,
                                                  const char *json);

/**
 * sipservlet_http_check_bearer:
 * @message: the request a handler is serving
 * @token: the secret the request must carry as
 *   `Authorization: Bearer TOKEN` (RFC 6750)
 *
 * Checks the request's bearer token in constant time. When it is missing
 * or wrong, answers 401 with `WWW-Authenticate: Bearer` and a JSON error,
 * and logs the refusal with the client's address.
 *
 * Returns: %TRUE when the token matches; %FALSE when @message was answered.
 */
SIPSERVLET_API gboolean sipservlet_http_check_bearer (SoupServerMessage *message,
                                                      const char *token);

G_END_DECLS
