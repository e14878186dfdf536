/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of the container's HTTP side (sipservlet-http.h,
 * sipservlet-metrics.h): a container listening for SIP on UDP and for
 * HTTP on 127.0.0.1 (port 0), two deployed applications with HTTP
 * handlers and a WebSocket endpoint, and clients in the same GMainContext:
 * a SoupSession (async, the context iterated until its callback ran), a
 * raw TCP client in a thread for requests libsoup would not send (odd Host
 * headers, a Content-Length without its body), and a fake SIP peer.
 *
 * Covered: /health (ready, not listening, shutting down) and /metrics (the
 * text, SIP counters moved by requests sent over UDP, the other method,
 * registrations, 405 to POST); listener flags; prefix matching and the
 * longest prefix across applications; registration errors; a handler
 * that does not answer; the Host, Origin and body-size gates; bearer
 * tokens; converged sessions by cookie and by encode_url, per
 * application, gone once invalidated; WebSocket both ways and the
 * cross-origin refusal; https with a throw-away CA; bad listen addresses. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

#include <glib/gstdio.h>
#include <string.h>

#include "check-main.h"
#include "test-certificates.h"
#include "fake-peer.h"
#include "warning-catcher.h"

#define WAIT_MS 20000           /* only reached when something is broken */
#define TOKEN "s3cret-token"

static SipContainer *container;
static SipApplication *alpha, *beta;
static guint16 sip_port;
static guint16 http_port;
static char *base;              /* "http://127.0.0.1:PORT" without the slash */
static SoupSession *session;

/* What the handlers saw. */
static guint hits;
static char *last_app;
static char *last_path;
static char *conv_id;
static char *conv_app;
static char *conv_note;
static gboolean beta_found;
static SoupWebsocketConnection *server_ws;
static char *ws_app;
static gboolean ws_session_null;

/* ---- running the context ---- */

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until *flag or ms pass; returns *flag. */
static gboolean
run_until (const gboolean *flag, guint ms)
{
  gboolean late = FALSE;
  GSource *source = g_timeout_source_new (ms);
  g_source_set_callback (source, on_deadline, &late, NULL);
  g_source_attach (source, NULL);
  while (!*flag && !late)
    g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
  return *flag;
}

static void
run_pending (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ---- SoupSession client ---- */

typedef struct {
  GBytes *body;
  GError *error;
  gboolean done;
} SendState;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  SendState *state = data;
  state->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &state->error);
  state->done = TRUE;
}

static SoupMessage *
new_message (const char *method, const char *path)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  SoupMessage *message = soup_message_new (method, url);
  ck_assert_msg (message != NULL, "bad URL %s", url);
  return message;
}

/* Sends with @client; returns the status, @body (nullable) the text, and
 * @error (nullable: then a failure fails the test) the transport error. */
static guint
send_with (SoupSession *client, SoupMessage *message, char **body, GError **error)
{
  SendState state = { 0 };
  soup_session_send_and_read_async (client, message, G_PRIORITY_DEFAULT, NULL, on_sent, &state);
  ck_assert_msg (run_until (&state.done, WAIT_MS), "no answer");
  if (state.error != NULL)
    {
      ck_assert_msg (error != NULL, "%s", state.error->message);
      g_propagate_error (error, state.error);
      return 0;
    }
  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (state.body, NULL), g_bytes_get_size (state.body));
  g_bytes_unref (state.body);
  return soup_message_get_status (message);
}

static guint
send_message (SoupMessage *message, char **body)
{
  return send_with (session, message, body, NULL);
}

static guint
http_get (const char *path, char **body)
{
  g_autoptr (SoupMessage) message = new_message ("GET", path);
  return send_message (message, body);
}

static void
set_header (SoupMessage *message, const char *name, const char *value)
{
  soup_message_headers_replace (soup_message_get_request_headers (message), name, value);
}

static const char *
response_header (SoupMessage *message, const char *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (message), name);
}

static void
set_body (SoupMessage *message, const char *json)
{
  g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
}

/* ---- raw client: a thread with blocking I/O, the context iterated
 * meanwhile so that the container answers ---- */

typedef struct {
  guint16 port;
  const char *request;
  gsize length;
  GString *response;
  gint done;
} RawCall;

static gpointer
raw_thread (gpointer data)
{
  RawCall *call = data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 10);
  g_autoptr (GSocketConnection) connection
      = g_socket_client_connect_to_host (client, "127.0.0.1", call->port, NULL, NULL);
  if (connection != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
      GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
      char buffer[4096];
      gssize n;
      /* A write error (the server answered and closed early) still leaves
       * its answer to read. */
      g_output_stream_write_all (out, call->request, call->length, NULL, NULL, NULL);
      while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
        g_string_append_len (call->response, buffer, n);
    }
  g_atomic_int_set (&call->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Sends @request (which should say Connection: close) to @port; returns
 * the status and the whole response text. */
static guint
raw_request_len (guint16 port, const char *request, gsize length, char **response)
{
  RawCall call = { port, request, length, g_string_new (NULL), 0 };
  GThread *thread = g_thread_new ("raw-http", raw_thread, &call);
  while (!g_atomic_int_get (&call.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  guint status = 0;
  if (g_str_has_prefix (call.response->str, "HTTP/1.1 "))
    status = (guint) g_ascii_strtoull (call.response->str + 9, NULL, 10);
  *response = g_string_free (call.response, FALSE);
  return status;
}

static guint
raw_request (const char *request, char **response)
{
  return raw_request_len (http_port, request, strlen (request), response);
}

/* A GET of @path with @host as its Host header. */
static guint
raw_get_with_host (const char *path, const char *host)
{
  g_autofree char *request = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\n"
                                              "Connection: close\r\n\r\n", path, host);
  g_autofree char *response = NULL;
  return raw_request (request, &response);
}

/* A kept-alive connection: one GET, its answer read, then the client
 * closes it without saying so. */
static gpointer
keepalive_thread (gpointer data)
{
  RawCall *call = data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 10);
  g_autoptr (GSocketConnection) connection
      = g_socket_client_connect_to_host (client, "127.0.0.1", call->port, NULL, NULL);
  if (connection != NULL)
    {
      char buffer[4096];
      gssize n;
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 call->request, call->length, NULL, NULL, NULL);
      n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                               sizeof buffer, NULL, NULL);
      if (n > 0)
        g_string_append_len (call->response, buffer, n);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
    }
  g_atomic_int_set (&call->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static guint
open_descriptors (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;
  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- the applications ---- */

static void
record (SipApplication *application, const char *path)
{
  hits++;
  g_free (last_app);
  last_app = g_strdup (sipservlet_application_get_name (application));
  g_free (last_path);
  last_path = g_strdup (path);
}

static void
calls_handler (SipApplication *application, SoupServerMessage *message, const char *path,
               gpointer user_data)
{
  record (application, path);
  g_autofree char *json = g_strdup_printf ("{\"app\": \"%s\"}",
                                           sipservlet_application_get_name (application));
  sipservlet_http_respond_json (message, SOUP_STATUS_OK, json);
}

static void
silent_handler (SipApplication *application, SoupServerMessage *message, const char *path,
                gpointer user_data)
{
  record (application, path);
}

static void
secure_handler (SipApplication *application, SoupServerMessage *message, const char *path,
                gpointer user_data)
{
  if (!sipservlet_http_check_bearer (message, TOKEN))
    return;
  record (application, path);
  sipservlet_http_respond_json (message, SOUP_STATUS_OK, "{\"ok\": true}");
}

/* /conv/new creates the converged session; every other /conv path only
 * finds it. The first request leaves a note the later ones read. */
static void
conv_handler (SipApplication *application, SoupServerMessage *message, const char *path,
              gpointer user_data)
{
  gboolean create = strcmp (path, "/conv/new") == 0;
  SipApplicationSession *app_session = sipservlet_http_get_application_session (message, create);

  record (application, path);
  g_clear_pointer (&conv_id, g_free);
  g_clear_pointer (&conv_app, g_free);
  g_clear_pointer (&conv_note, g_free);
  if (app_session == NULL)
    {
      sipservlet_http_respond_error (message, SOUP_STATUS_NOT_FOUND, "no session");
      return;
    }
  if (sipservlet_application_session_get_attribute (app_session, "note") == NULL)
    sipservlet_application_session_set_attribute (app_session, "note", g_strdup ("from-first"),
                                                  g_free);
  conv_id = g_strdup (sipservlet_application_session_get_id (app_session));
  conv_app = g_strdup (sipservlet_application_session_get_application_name (app_session));
  conv_note = g_strdup (sipservlet_application_session_get_attribute (app_session, "note"));
  sipservlet_http_respond_json (message, SOUP_STATUS_OK, "{}");
}

static void
beta_handler (SipApplication *application, SoupServerMessage *message, const char *path,
              gpointer user_data)
{
  record (application, path);
  beta_found = sipservlet_http_get_application_session (message, FALSE) != NULL;
  sipservlet_http_respond_json (message, SOUP_STATUS_OK, "{}");
}

static void
on_server_ws_message (SoupWebsocketConnection *connection, gint type, GBytes *data,
                      gpointer user_data)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_autofree char *echo = g_strdup_printf ("echo:%s", text);
  soup_websocket_connection_send_text (connection, echo);
}

static void
ws_open (SipApplication *application, SoupServerMessage *message,
         SoupWebsocketConnection *connection, gpointer user_data)
{
  g_free (ws_app);
  ws_app = g_strdup (sipservlet_application_get_name (application));
  /* No cookie can be set on a 101 already sent: nothing is created. */
  ws_session_null = sipservlet_http_get_application_session (message, TRUE) == NULL;
  g_clear_object (&server_ws);
  server_ws = g_object_ref (connection);
  g_signal_connect (connection, "message", G_CALLBACK (on_server_ws_message), NULL);
  soup_websocket_connection_send_text (connection, "hello");
}

static void
answer_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers sip_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = answer_ok,
  .do_register = answer_ok,
};

static SipApplication *
new_application (const char *name)
{
  GError *error = NULL;
  SipApplication *application = sipservlet_application_new (name, &error);
  ck_assert_msg (application != NULL, "%s", error != NULL ? error->message : "");
  SipServlet *servlet = sipservlet_servlet_new (name, &sip_handlers, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (application, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (application, name, &error));
  return application;
}

static void
add_handler (SipApplication *application, const char *prefix, SipHttpHandlerFunc func)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_application_add_http_handler (application, prefix, func, NULL, NULL,
                                                          &error),
                 "%s: %s", prefix, error != NULL ? error->message : "");
}

static void
deploy (SipApplication *application)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_container_deploy (container, application, &error), "%s",
                 error != NULL ? error->message : "");
}

/* Opens an HTTP listener on 127.0.0.1, a free port; returns its URL. */
static char *
listen_http (SipContainer *on, SipHttpListenFlags flags)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_container_listen_http (on, "127.0.0.1:0", flags, &error), "%s",
                 error != NULL ? error->message : "");
  g_auto (GStrv) urls = sipservlet_container_get_http_urls (on);
  guint n = g_strv_length (urls);
  ck_assert_uint_ge (n, 1);
  ck_assert (g_str_has_prefix (urls[n - 1], "http://127.0.0.1:"));
  ck_assert (g_str_has_suffix (urls[n - 1], "/"));
  return g_strndup (urls[n - 1], strlen (urls[n - 1]) - 1);
}

static guint16
port_of (const char *url)
{
  const char *colon = strrchr (url, ':');
  ck_assert_ptr_nonnull (colon);
  return (guint16) g_ascii_strtoull (colon + 1, NULL, 10);
}

static SoupSession *
new_session (void)
{
  SoupSession *client = soup_session_new ();
  /* No proxy from the environment: the server is on loopback. */
  soup_session_set_proxy_resolver (client, NULL);
  return client;
}

static void
setup (void)
{
  GError *error = NULL;
  container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  sip_port = sipservlet_container_get_port (container, NULL);

  alpha = new_application ("alpha");
  add_handler (alpha, "/calls", calls_handler);
  add_handler (alpha, "/silent", silent_handler);
  add_handler (alpha, "/secure", secure_handler);
  add_handler (alpha, "/conv", conv_handler);
  ck_assert (sipservlet_application_add_websocket_handler (alpha, "/ws", ws_open, NULL, NULL,
                                                           &error));
  deploy (alpha);
  beta = new_application ("beta");
  add_handler (beta, "/calls/special", calls_handler);
  add_handler (beta, "/beta", beta_handler);
  deploy (beta);

  /* The implicit application's servlet answers the SIP requests. */
  SipServlet *servlet = sipservlet_servlet_new ("sip", &sip_handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);

  base = listen_http (container, SIPSERVLET_HTTP_ALL);
  http_port = port_of (base);
  session = new_session ();
  hits = 0;
  beta_found = FALSE;
}

static void
teardown (void)
{
  catch_warnings_end ();
  g_clear_object (&session);
  g_clear_object (&server_ws);
  run_pending ();
  g_clear_pointer (&alpha, sipservlet_application_unref);
  g_clear_pointer (&beta, sipservlet_application_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
  run_pending ();
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&last_app, g_free);
  g_clear_pointer (&last_path, g_free);
  g_clear_pointer (&conv_id, g_free);
  g_clear_pointer (&conv_app, g_free);
  g_clear_pointer (&conv_note, g_free);
  g_clear_pointer (&ws_app, g_free);
}

/* ---- /health and /metrics ---- */

START_TEST (test_health_ready)
{
  g_autoptr (SoupMessage) message = new_message ("GET", "/health");
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (message, &body), 200);
  ck_assert_str_eq (body, "{\"status\": \"ready\"}");
  ck_assert_str_eq (soup_message_headers_get_content_type (
                        soup_message_get_response_headers (message), NULL),
                    "application/json");
}
END_TEST

static void
on_shutdown (SipContainer *stopped, gpointer data)
{
  *(gboolean *) data = TRUE;
}

START_TEST (test_health_not_listening_then_ready)
{
  /* A container of its own, not listening for SIP yet. */
  SipContainer *idle = sipservlet_container_new (NULL);
  ck_assert_ptr_nonnull (idle);
  g_autofree char *url = listen_http (idle, SIPSERVLET_HTTP_OPERATIONS);
  g_autofree char *health = g_strconcat (url, "/health", NULL);

  g_autoptr (SoupMessage) before = soup_message_new ("GET", health);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (before, &body), 503);
  ck_assert_str_eq (body, "{\"status\": \"not-listening\"}");

  ck_assert (sipservlet_container_listen (idle, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP, NULL));
  g_autoptr (SoupMessage) after = soup_message_new ("GET", health);
  g_autofree char *body2 = NULL;
  ck_assert_uint_eq (send_message (after, &body2), 200);
  ck_assert_str_eq (body2, "{\"status\": \"ready\"}");
  sipservlet_container_unref (idle);
}
END_TEST

START_TEST (test_health_shutting_down)
{
  gboolean stopped = FALSE;
  sipservlet_container_shutdown (container, on_shutdown, &stopped);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/health", &body), 503);
  ck_assert_str_eq (body, "{\"status\": \"shutting-down\"}");
  ck_assert (run_until (&stopped, WAIT_MS));
  g_autofree char *body2 = NULL;
  ck_assert_uint_eq (http_get ("/health", &body2), 503);
  ck_assert_str_eq (body2, "{\"status\": \"shutting-down\"}");
}
END_TEST

static void
count_sample (const char *name, const char *labels, SipMetricType type, double value,
              gpointer data)
{
  (*(guint *) data)++;
}

START_TEST (test_metrics_text)
{
  g_autoptr (SoupMessage) message = new_message ("GET", "/metrics");
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (message, &body), 200);
  ck_assert (g_str_has_prefix (response_header (message, "Content-Type"),
                               "text/plain; version=0.0.4"));
  static const char *const expected[] = {
    "# HELP sipservlet_sip_requests_received_total ",
    "# TYPE sipservlet_sip_requests_received_total counter\n",
    "\nsipservlet_sip_requests_received_total{method=\"INVITE\"} 0\n",
    "\nsipservlet_sip_requests_received_total{method=\"other\"} 0\n",
    "# TYPE sipservlet_sip_responses_sent_total counter\n",
    "\nsipservlet_sip_responses_sent_total{class=\"2xx\"} 0\n",
    "# TYPE sipservlet_sip_transactions gauge\n",
    "\nsipservlet_registrations_aors 0\n",
    "# TYPE sipservlet_call_setup_seconds histogram\n",
    "\nsipservlet_call_setup_seconds_bucket{role=\"proxy\",le=\"+Inf\"} 0\n",
    "\nsipservlet_call_setup_seconds_count{role=\"b2bua\"} 0\n",
  };
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    ck_assert_msg (strstr (body, expected[i]) != NULL, "no \"%s\" in:\n%s", expected[i], body);

  /* Every line is a comment or one sample of foreach_metric. */
  guint samples = 0, lines = 0;
  sipservlet_container_foreach_metric (container, count_sample, &samples);
  g_auto (GStrv) split = g_strsplit (body, "\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0' && split[i][0] != '#')
      lines++;
  ck_assert_uint_gt (samples, 40);
  ck_assert_uint_eq (lines, samples);

  double value = -1;
  ck_assert (sipservlet_container_get_metric (container, "sipservlet_sip_requests_received_total",
                                              "method=\"INVITE\"", &value));
  ck_assert (value == 0);
  ck_assert (!sipservlet_container_get_metric (container, "sipservlet_sip_requests_received_total",
                                               NULL, &value));
  ck_assert (!sipservlet_container_get_metric (container, "no_such_metric", NULL, &value));
}
END_TEST

START_TEST (test_metrics_post_refused)
{
  g_autoptr (SoupMessage) message = new_message ("POST", "/metrics");
  set_body (message, "{}");
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (message, &body), 405);
  ck_assert_str_eq (response_header (message, "Allow"), "GET, HEAD");
  ck_assert_str_eq (soup_message_headers_get_content_type (
                        soup_message_get_response_headers (message), NULL),
                    "application/json");
  ck_assert (g_str_has_prefix (body, "{\"error\": \""));
}
END_TEST

static double
metric (const char *name, const char *labels)
{
  double value = -1;
  ck_assert_msg (sipservlet_container_get_metric (container, name, labels, &value), "%s{%s}",
                 name, labels);
  return value;
}

static guint sent;

/* Sends a new request over UDP; returns the final status. */
static guint
sip_request (FakePeer *peer, const char *method)
{
  guint n = ++sent;
  g_autofree char *text = g_strdup_printf (
      "%s sip:service@127.0.0.1:%u SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-http-%u;rport\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:user@127.0.0.1>;tag=f%u\r\n"
      "To: <sip:user@127.0.0.1>\r\nCall-ID: http-metrics-%u\r\nCSeq: 1 %s\r\n"
      "Contact: <sip:user@127.0.0.1:%u>\r\nContent-Length: 0\r\n\r\n",
      method, sip_port, fake_peer_get_port (peer, FAKE_UDP), n, n, n, method,
      fake_peer_get_port (peer, FAKE_UDP));
  ck_assert (fake_peer_send (peer, FAKE_UDP, text, NULL));
  for (;;)
    {
      g_autoptr (FakeMessage) answer = fake_peer_wait_final_or_provisional (peer, 5000);
      ck_assert_msg (answer != NULL, "no answer to %s", method);
      if (!answer->is_request && answer->status >= 200)
        return answer->status;
    }
}

START_TEST (test_metrics_count_sip)
{
  GError *error = NULL;
  FakePeer *peer = fake_peer_new (g_main_context_default (), "127.0.0.1", sip_port, &error);
  ck_assert_ptr_nonnull (peer);
  const char *received = "sipservlet_sip_requests_received_total";
  const char *responses = "sipservlet_sip_responses_sent_total";

  ck_assert_uint_eq (sip_request (peer, "OPTIONS"), 200);
  ck_assert (metric (received, "method=\"OPTIONS\"") == 1);
  ck_assert (metric (responses, "class=\"2xx\"") == 1);
  ck_assert_uint_eq (sip_request (peer, "REGISTER"), 200);
  ck_assert (metric (received, "method=\"REGISTER\"") == 1);
  ck_assert (metric (responses, "class=\"2xx\"") == 2);

  /* A method outside the list counts as other; its refusal as 4xx/5xx. */
  guint status = sip_request (peer, "FROBNICATE");
  ck_assert_uint_ge (status, 400);
  ck_assert (metric (received, "method=\"other\"") == 1);
  ck_assert (metric (received, "method=\"INVITE\"") == 0);
  double refused = metric (responses, "class=\"4xx\"") + metric (responses, "class=\"5xx\"");
  ck_assert (refused == 1);

  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/metrics", &body), 200);
  ck_assert (strstr (body, "\nsipservlet_sip_requests_received_total{method=\"OPTIONS\"} 1\n"));
  ck_assert (strstr (body, "\nsipservlet_sip_requests_received_total{method=\"REGISTER\"} 1\n"));
  ck_assert (strstr (body, "\nsipservlet_sip_requests_received_total{method=\"other\"} 1\n"));
  ck_assert (strstr (body, "\nsipservlet_sip_responses_sent_total{class=\"2xx\"} 2\n"));
  fake_peer_free (peer);
}
END_TEST

static void
register_contacts (SipLocationService *service, const char *aor, guint n)
{
  GError *error = NULL;
  SipLocationUpdate updates[4] = { { 0 } };
  char *contacts[4];
  for (guint i = 0; i < n; i++)
    {
      contacts[i] = g_strdup_printf ("sip:%u@192.0.2.%u", i, i + 1);
      updates[i].contact_uri = contacts[i];
      updates[i].expires = 3600;
      updates[i].q = -1.0;
    }
  ck_assert_msg (sipservlet_location_service_apply (service, aor, aor, 1, updates, n,
                                                    g_get_real_time () / G_USEC_PER_SEC, &error),
                 "%s", error != NULL ? error->message : "");
  for (guint i = 0; i < n; i++)
    g_free (contacts[i]);
}

START_TEST (test_metrics_registrations)
{
  SipLocationStore *store = sipservlet_location_store_new_memory ();
  SipLocationService *service = sipservlet_location_service_new (store);
  sipservlet_location_store_unref (store);
  register_contacts (service, "sip:alice@example.org", 2);
  register_contacts (service, "sip:bob@example.org", 1);

  ck_assert (metric ("sipservlet_registrations_aors", NULL) == 0);
  sipservlet_container_add_location_service (container, service, SIPSERVLET_LOCATION_CLOCK_REAL);
  sipservlet_container_add_location_service (container, service,    /* counted once */
                                             SIPSERVLET_LOCATION_CLOCK_REAL);
  sipservlet_location_service_unref (service);                      /* the container keeps it */
  ck_assert (metric ("sipservlet_registrations_aors", NULL) == 2);
  ck_assert (metric ("sipservlet_registrations_bindings", NULL) == 3);

  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/metrics", &body), 200);
  ck_assert (strstr (body, "\nsipservlet_registrations_aors 2\n"));
  ck_assert (strstr (body, "\nsipservlet_registrations_bindings 3\n"));
}
END_TEST

/* ---- listeners ---- */

START_TEST (test_listener_flags)
{
  g_autofree char *apps = listen_http (container, SIPSERVLET_HTTP_APPLICATIONS);
  g_autofree char *ops = listen_http (container, SIPSERVLET_HTTP_OPERATIONS);
  g_auto (GStrv) urls = sipservlet_container_get_http_urls (container);
  ck_assert_uint_eq (g_strv_length (urls), 3);
  g_autofree char *first = g_strconcat (base, "/", NULL);
  ck_assert_str_eq (urls[0], first);

  struct { const char *url; const char *path; guint status; } cases[] = {
    { apps, "/metrics", 404 }, { apps, "/health", 404 }, { apps, "/calls", 200 },
    { ops, "/calls", 404 }, { ops, "/health", 200 }, { ops, "/metrics", 200 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = g_strconcat (cases[i].url, cases[i].path, NULL);
      g_autoptr (SoupMessage) message = soup_message_new ("GET", url);
      g_autofree char *body = NULL;
      ck_assert_uint_eq (send_message (message, &body), cases[i].status);
      if (cases[i].status == 404)
        ck_assert_str_eq (body, "{\"error\": \"no such resource\"}\n");
    }
  ck_assert_uint_eq (hits, 1);
}
END_TEST

START_TEST (test_bad_listen_addresses)
{
  static const char *const bad[] = {
    "localhost:80", "1.2.3.4", "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999",
    "::1", "[::1]", "http:", "https:localhost:0", "ftp:127.0.0.1:0", "127.0.0.1:0 ",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      GError *error = NULL;
      ck_assert_msg (!sipservlet_container_listen_http (container, bad[i], SIPSERVLET_HTTP_ALL,
                                                        &error), "\"%s\" accepted", bad[i]);
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT),
                     "\"%s\": %s", bad[i], error->message);
      g_clear_error (&error);
    }
  GError *error = NULL;
  ck_assert (!sipservlet_container_listen_http (container, "127.0.0.1:0", 0, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  /* https without TLS files. */
  ck_assert (!sipservlet_container_listen_http (container, "https:127.0.0.1:0",
                                                SIPSERVLET_HTTP_ALL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  /* A port taken: a transport error. */
  g_autofree char *taken = g_strdup_printf ("127.0.0.1:%u", http_port);
  ck_assert (!sipservlet_container_listen_http (container, taken, SIPSERVLET_HTTP_ALL, &error));
  ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT), "%s",
                 error->message);
  g_clear_error (&error);

  /* None of them left a listener behind. */
  g_auto (GStrv) urls = sipservlet_container_get_http_urls (container);
  ck_assert_uint_eq (g_strv_length (urls), 1);
}
END_TEST

/* ---- handlers ---- */

START_TEST (test_prefix_matching)
{
  struct { const char *path; guint status; const char *app; } cases[] = {
    { "/calls", 200, "alpha" },
    { "/calls/42", 200, "alpha" },
    { "/calls/", 200, "alpha" },
    { "/callsx", 404, NULL },
    { "/call", 404, NULL },
    { "/calls/special", 200, "beta" },
    { "/calls/special/7", 200, "beta" },
    { "/calls/specialx", 200, "alpha" },
    { "/", 404, NULL },
    { "/nothing", 404, NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_clear_pointer (&last_app, g_free);
      g_autofree char *body = NULL;
      ck_assert_msg (http_get (cases[i].path, &body) == cases[i].status, "%s", cases[i].path);
      if (cases[i].app != NULL)
        {
          ck_assert_str_eq (last_app, cases[i].app);
          ck_assert_str_eq (last_path, cases[i].path);
        }
      else
        ck_assert_ptr_null (last_app);
    }
}
END_TEST

START_TEST (test_handler_registration_errors)
{
  GError *error = NULL;
  /* Deployed: too late. */
  ck_assert (!sipservlet_application_add_http_handler (alpha, "/late", calls_handler, NULL, NULL,
                                                       &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  ck_assert (!sipservlet_application_add_websocket_handler (alpha, "/late-ws", ws_open, NULL,
                                                            NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/late", &body), 404);

  SipApplication *gamma = new_application ("gamma");
  static const char *const refused[] = {
    "/metrics", "/metrics/", "/metrics/x", "/health", "calls", "", "/a/../b", "/a?b",
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      ck_assert_msg (!sipservlet_application_add_http_handler (gamma, refused[i], calls_handler,
                                                               NULL, NULL, &error),
                     "\"%s\" accepted", refused[i]);
      ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
      g_clear_error (&error);
    }
  ck_assert (sipservlet_application_add_http_handler (gamma, "/metricsx", calls_handler, NULL,
                                                      NULL, &error));
  ck_assert (!sipservlet_application_add_http_handler (gamma, "/metricsx", calls_handler, NULL,
                                                       NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  sipservlet_application_unref (gamma);
}
END_TEST

/* "/" serves what nothing longer does: a page beside an API. The
 * container's own paths stay its own on a listener that serves them. */
START_TEST (test_root_handler)
{
  SipApplication *page = new_application ("page");
  add_handler (page, "/", calls_handler);
  deploy (page);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/index.html", &body), 200);
  ck_assert_str_eq (last_app, "page");
  ck_assert_str_eq (last_path, "/index.html");
  ck_assert_uint_eq (http_get ("/", NULL), 200);
  ck_assert_str_eq (last_path, "/");
  ck_assert_uint_eq (http_get ("/calls/7", NULL), 200);
  ck_assert_str_eq (last_app, "alpha");
  g_autofree char *health = NULL;
  ck_assert_uint_eq (http_get ("/health", &health), 200);
  ck_assert_str_eq (health, "{\"status\": \"ready\"}");
  ck_assert_str_eq (last_path, "/calls/7");
  sipservlet_application_unref (page);
}
END_TEST

START_TEST (test_unanswered_is_500)
{
  catch_warnings_begin ();
  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_get ("/silent/1", &body), 500);
  ck_assert_uint_eq (hits, 1);
  ck_assert_str_eq (body, "{\"error\": \"the application did not answer\"}\n");
  ck_assert_uint_eq (catcher.messages->len, 1);
  ck_assert_msg (caught_warning ("of application 'alpha' for /silent left GET /silent/1 unanswered"),
                 "%s", (char *) catcher.messages->pdata[0]);
}
END_TEST

/* ---- the gate ---- */

START_TEST (test_host_check)
{
  g_autofree char *ours = g_strdup_printf ("127.0.0.1:%u", http_port);
  g_autofree char *local = g_strdup_printf ("localhost:%u", http_port);
  g_autofree char *upper = g_strdup_printf ("LocalHost:%u", http_port);
  g_autofree char *evil = g_strdup_printf ("evil.example:%u", http_port);
  g_autofree char *named = g_strdup_printf ("SIP.Example.org:%u", http_port);
  g_autofree char *other_port = g_strdup_printf ("127.0.0.1:%u", http_port == 1 ? 2 : http_port - 1);

  ck_assert_uint_eq (raw_get_with_host ("/calls", ours), 200);
  ck_assert_uint_eq (raw_get_with_host ("/calls", local), 200);
  ck_assert_uint_eq (raw_get_with_host ("/calls", upper), 200);
  ck_assert_uint_eq (hits, 3);
  ck_assert_uint_eq (raw_get_with_host ("/calls", evil), 421);
  ck_assert_uint_eq (raw_get_with_host ("/calls", other_port), 421);
  ck_assert_uint_eq (raw_get_with_host ("/calls", "127.0.0.1"), 421);   /* port 80 meant */
  ck_assert_uint_eq (raw_get_with_host ("/calls", named), 421);
  ck_assert_uint_eq (hits, 3);

  sipservlet_container_add_http_host (container, "sip.example.org");
  ck_assert_uint_eq (raw_get_with_host ("/calls", named), 200);
  ck_assert_uint_eq (raw_get_with_host ("/calls", evil), 421);
  ck_assert_uint_eq (hits, 4);

  /* The 421 is a JSON error naming the Host. */
  g_autofree char *request = g_strdup_printf ("GET /calls HTTP/1.1\r\nHost: %s\r\n"
                                              "Connection: close\r\n\r\n", evil);
  g_autofree char *response = NULL;
  ck_assert_uint_eq (raw_request (request, &response), 421);
  ck_assert_msg (strstr (response, "\r\n\r\n{\"error\": \"Host \\\"evil.example:") != NULL, "%s",
                 response);
}
END_TEST

START_TEST (test_origin_check)
{
  g_autofree char *ours = g_strdup_printf ("http://127.0.0.1:%u", http_port);

  g_autoptr (SoupMessage) cross = new_message ("POST", "/calls");
  set_header (cross, "Origin", "http://evil.example");
  set_body (cross, "{}");
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (cross, &body), 403);
  ck_assert (g_str_has_prefix (body, "{\"error\": \"cross-origin request from "
                                     "http://evil.example refused\"}"));
  ck_assert_uint_eq (hits, 0);

  g_autoptr (SoupMessage) cross_delete = new_message ("DELETE", "/calls/1");
  set_header (cross_delete, "Origin", ours);
  set_header (cross_delete, "Origin", "http://127.0.0.1:1");
  ck_assert_uint_eq (send_message (cross_delete, NULL), 403);
  ck_assert_uint_eq (hits, 0);

  g_autoptr (SoupMessage) same = new_message ("POST", "/calls");
  set_header (same, "Origin", ours);
  set_body (same, "{}");
  ck_assert_uint_eq (send_message (same, NULL), 200);
  ck_assert_uint_eq (hits, 1);

  g_autoptr (SoupMessage) no_origin = new_message ("POST", "/calls");
  set_body (no_origin, "{}");
  ck_assert_uint_eq (send_message (no_origin, NULL), 200);
  ck_assert_uint_eq (hits, 2);

  g_autoptr (SoupMessage) get = new_message ("GET", "/calls");
  set_header (get, "Origin", "http://evil.example");
  ck_assert_uint_eq (send_message (get, NULL), 200);
  ck_assert_uint_eq (hits, 3);
}
END_TEST

/* Connections kept alive and closed by their clients are let go: each
 * would otherwise keep its descriptor (libsoup 3.2's own listener did). */
START_TEST (test_keepalive_closed_by_client)
{
  g_autofree char *request = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                              http_port);
  guint before = open_descriptors ();
  for (guint i = 0; i < 40; i++)
    {
      RawCall call = { http_port, request, strlen (request), g_string_new (NULL), 0 };
      GThread *thread = g_thread_new ("keepalive", keepalive_thread, &call);
      while (!g_atomic_int_get (&call.done))
        g_main_context_iteration (NULL, TRUE);
      g_thread_join (thread);
      ck_assert_msg (g_str_has_prefix (call.response->str, "HTTP/1.1 200"), "%s",
                     call.response->str);
      ck_assert (strstr (call.response->str, "Connection: close") == NULL);
      g_string_free (call.response, TRUE);
    }
  /* The server sees each end of file on its next read. */
  for (guint i = 0; i < 50 && open_descriptors () > before + 2; i++)
    {
      run_pending ();
      g_usleep (10000);
    }
  ck_assert_uint_le (open_descriptors (), before + 2);
}
END_TEST

START_TEST (test_body_limit)
{
  /* Declared too long, the client waiting for 100 Continue: refused
   * before the body is sent. */
  g_autofree char *declared = g_strdup_printf (
      "POST /calls HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nContent-Type: application/json\r\n"
      "Content-Length: %u\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
      http_port, 64 * 1024 + 1);
  g_autofree char *response = NULL;
  ck_assert_uint_eq (raw_request (declared, &response), 413);
  ck_assert_msg (strstr (response, "{\"error\": \"the request body is larger than 64 KiB\"}"),
                 "%s", response);
  ck_assert_uint_eq (hits, 0);

  /* Declared too long and sent anyway: still 413, the connection closed. */
  GString *sent_body = g_string_new (NULL);
  g_string_append_printf (sent_body, "POST /calls HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                          "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n",
                          http_port, 64 * 1024 + 1);
  for (guint i = 0; i < 64 * 1024 + 1; i++)
    g_string_append_c (sent_body, 'x');
  g_autofree char *response1 = NULL;
  ck_assert_uint_eq (raw_request_len (http_port, sent_body->str, sent_body->len, &response1),
                     413);
  ck_assert_msg (strstr (response1, "\r\nConnection: close\r\n") != NULL, "%s", response1);
  g_string_free (sent_body, TRUE);
  ck_assert_uint_eq (hits, 0);

  /* Chunked, so only the body read tells. */
  GString *chunked = g_string_new (NULL);
  g_string_append_printf (chunked, "POST /calls HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                          "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                          "Connection: close\r\n\r\n%x\r\n", http_port, 70000);
  for (guint i = 0; i < 70000; i++)
    g_string_append_c (chunked, 'x');
  g_string_append (chunked, "\r\n0\r\n\r\n");
  g_autofree char *response2 = NULL;
  ck_assert_uint_eq (raw_request_len (http_port, chunked->str, chunked->len, &response2), 413);
  g_string_free (chunked, TRUE);
  ck_assert_uint_eq (hits, 0);

  /* Exactly 64 KiB passes. */
  g_autoptr (SoupMessage) message = new_message ("POST", "/calls");
  char *big = g_malloc (64 * 1024 + 1);
  memset (big, ' ', 64 * 1024);
  big[64 * 1024] = '\0';
  set_body (message, big);
  g_free (big);
  ck_assert_uint_eq (send_message (message, NULL), 200);
  ck_assert_uint_eq (hits, 1);
}
END_TEST

START_TEST (test_bearer)
{
  g_autoptr (SoupMessage) none = new_message ("GET", "/secure");
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_message (none, &body), 401);
  ck_assert (g_str_has_prefix (response_header (none, "WWW-Authenticate"), "Bearer"));
  ck_assert (g_str_has_prefix (body, "{\"error\": "));
  ck_assert_uint_eq (hits, 0);

  static const char *const wrong[] = {
    "Bearer nope", "Bearer " TOKEN "x", "Bearer s3cret", "Basic " TOKEN, "Bearer ",
  };
  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_autoptr (SoupMessage) message = new_message ("GET", "/secure");
      set_header (message, "Authorization", wrong[i]);
      ck_assert_msg (send_message (message, NULL) == 401, "%s", wrong[i]);
      const char *challenge = response_header (message, "WWW-Authenticate");
      ck_assert (g_str_has_prefix (challenge, "Bearer"));
      ck_assert (strstr (challenge, "invalid_token") != NULL);
    }
  ck_assert_uint_eq (hits, 0);

  g_autoptr (SoupMessage) right = new_message ("GET", "/secure/x");
  set_header (right, "Authorization", "Bearer " TOKEN);
  g_autofree char *body2 = NULL;
  ck_assert_uint_eq (send_message (right, &body2), 200);
  ck_assert_str_eq (body2, "{\"ok\": true}");
  ck_assert_uint_eq (hits, 1);
}
END_TEST

/* ---- converged sessions ---- */

/* GET @path with @cookie (nullable) as the SIPAPPSESSIONID cookie. */
static guint
conv_get (const char *path, const char *cookie)
{
  g_autoptr (SoupMessage) message = new_message ("GET", path);
  if (cookie != NULL)
    {
      g_autofree char *header = g_strdup_printf ("other=1; SIPAPPSESSIONID=%s", cookie);
      set_header (message, "Cookie", header);
    }
  guint status = send_message (message, NULL);
  ck_assert (response_header (message, "Set-Cookie") == NULL);
  return status;
}

/* A session made for a deployed application outside any request (a call
 * placed by a program): its handlers find it by id; not before deploy. */
START_TEST (test_application_session_of_application)
{
  GError *error = NULL;
  SipApplication *gamma = new_application ("gamma");
  ck_assert_ptr_null (sipservlet_application_create_application_session (gamma, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
  sipservlet_application_unref (gamma);

  g_autoptr (SipApplicationSession) made
      = sipservlet_application_create_application_session (alpha, &error);
  ck_assert_ptr_nonnull (made);
  ck_assert_str_eq (sipservlet_application_session_get_application_name (made), "alpha");
  g_autofree char *url = sipservlet_application_session_encode_url (made, "/conv/again");
  ck_assert_uint_eq (conv_get (url, NULL), 200);
  ck_assert_str_eq (conv_id, sipservlet_application_session_get_id (made));
  sipservlet_application_session_invalidate (made, NULL);
}
END_TEST

START_TEST (test_converged_sessions)
{
  GError *error = NULL;
  guint before = sipservlet_container_get_application_session_count (container);

  /* Created: the cookie carries the id. */
  g_autoptr (SoupMessage) first = new_message ("GET", "/conv/new");
  ck_assert_uint_eq (send_message (first, NULL), 200);
  ck_assert_ptr_nonnull (conv_id);
  g_autofree char *id = g_strdup (conv_id);
  ck_assert_str_eq (conv_app, "alpha");
  ck_assert_str_eq (conv_note, "from-first");
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), before + 1);
  const char *set_cookie = response_header (first, "Set-Cookie");
  ck_assert_ptr_nonnull (set_cookie);
  g_autofree char *prefix = g_strdup_printf ("SIPAPPSESSIONID=%s;", id);
  ck_assert_msg (g_str_has_prefix (set_cookie, prefix), "%s", set_cookie);
  g_autofree char *lower = g_ascii_strdown (set_cookie, -1);
  ck_assert_msg (strstr (lower, "; httponly") != NULL, "%s", set_cookie);
  ck_assert_msg (strstr (lower, "; samesite=strict") != NULL, "%s", set_cookie);
  ck_assert_msg (strstr (set_cookie, "; Path=/conv") != NULL, "%s", set_cookie);
  ck_assert_msg (strstr (lower, "secure") == NULL, "%s", set_cookie);   /* plain http */

  SipApplicationSession *app_session = sipservlet_container_get_application_session (container,
                                                                                    id);
  ck_assert_ptr_nonnull (app_session);
  ck_assert_str_eq (sipservlet_application_session_get_application_name (app_session), "alpha");

  /* Found again by its cookie, with what the first request left. */
  g_clear_pointer (&conv_note, g_free);
  ck_assert_uint_eq (conv_get ("/conv/again", id), 200);
  ck_assert_str_eq (conv_id, id);
  ck_assert_str_eq (conv_note, "from-first");
  /* With create, the cookie's session, not a new one. */
  ck_assert_uint_eq (conv_get ("/conv/new", id), 200);
  ck_assert_str_eq (conv_id, id);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), before + 1);
  ck_assert_uint_eq (conv_get ("/conv/again", "no-such-id"), 404);
  ck_assert_uint_eq (conv_get ("/conv/again", NULL), 404);

  /* encodeURL. */
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  struct { const char *url; const char *format; } urls[] = {
    { "/x", "/x?sipappsessionid=%s" },
    { "/x?a=1", "/x?a=1&sipappsessionid=%s" },
    { "/x?", "/x?sipappsessionid=%s" },
    { "/x#f", "/x?sipappsessionid=%s#f" },
    { "/x?a=1&", "/x?a=1&sipappsessionid=%s" },
    { "/x?a=1#f?g", "/x?a=1&sipappsessionid=%s#f?g" },
    { "http://h:1/x", "http://h:1/x?sipappsessionid=%s" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *encoded = sipservlet_application_session_encode_url (app_session,
                                                                            urls[i].url);
      g_autofree char *expected = g_strdup_printf (urls[i].format, escaped);
      ck_assert_str_eq (encoded, expected);
    }
  g_autofree char *encoded = sipservlet_application_session_encode_url (app_session,
                                                                        "/conv/q?a=1");
  g_clear_pointer (&conv_id, g_free);
  ck_assert_uint_eq (conv_get (encoded, NULL), 200);
  ck_assert_str_eq (conv_id, id);
  /* The query wins over a cookie naming nothing. */
  ck_assert_uint_eq (conv_get (encoded, "stale"), 200);
  ck_assert_str_eq (conv_id, id);

  /* Another application does not find it, by query or cookie. */
  g_autofree char *beta_url = sipservlet_application_session_encode_url (app_session, "/beta");
  ck_assert_uint_eq (conv_get (beta_url, NULL), 200);
  ck_assert_str_eq (last_app, "beta");
  ck_assert (!beta_found);
  ck_assert_uint_eq (conv_get ("/beta", id), 200);
  ck_assert (!beta_found);

  /* Invalidated: found no more. */
  ck_assert (sipservlet_application_session_invalidate (app_session, &error));
  ck_assert_uint_eq (conv_get ("/conv/again", id), 404);
  ck_assert_uint_eq (conv_get (encoded, NULL), 404);

  /* With create and the invalidated session's cookie: a new id. */
  g_autoptr (SoupMessage) again = new_message ("GET", "/conv/new");
  g_autofree char *old_cookie = g_strdup_printf ("SIPAPPSESSIONID=%s", id);
  set_header (again, "Cookie", old_cookie);
  ck_assert_uint_eq (send_message (again, NULL), 200);
  ck_assert_ptr_nonnull (response_header (again, "Set-Cookie"));
  ck_assert_str_ne (conv_id, id);
}
END_TEST

/* ---- WebSocket ---- */

typedef struct {
  SoupWebsocketConnection *connection;
  GError *error;
  gboolean done;
  char *received;
  gboolean got;
  gboolean closed;
} WsClient;

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  WsClient *ws = data;
  ws->connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result,
                                                          &ws->error);
  ws->done = TRUE;
}

static void
on_client_ws_message (SoupWebsocketConnection *connection, gint type, GBytes *data,
                      gpointer user_data)
{
  WsClient *ws = user_data;
  ck_assert_int_eq (type, SOUP_WEBSOCKET_DATA_TEXT);
  g_free (ws->received);
  ws->received = g_strndup (g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  ws->got = TRUE;
}

static void
on_client_ws_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  ((WsClient *) user_data)->closed = TRUE;
}

static void
on_server_ws_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

START_TEST (test_websocket)
{
  g_autofree char *origin = g_strdup_printf ("http://127.0.0.1:%u", http_port);
  g_autoptr (SoupMessage) message = new_message ("GET", "/ws");
  WsClient ws = { 0 };
  soup_session_websocket_connect_async (session, message, origin, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, &ws);
  ck_assert (run_until (&ws.done, WAIT_MS));
  ck_assert_msg (ws.connection != NULL, "%s", ws.error->message);
  ck_assert_ptr_nonnull (server_ws);
  ck_assert_str_eq (ws_app, "alpha");
  ck_assert (ws_session_null);
  g_signal_connect (ws.connection, "message", G_CALLBACK (on_client_ws_message), &ws);
  g_signal_connect (ws.connection, "closed", G_CALLBACK (on_client_ws_closed), &ws);

  /* Server to client. */
  ck_assert (run_until (&ws.got, WAIT_MS));
  ck_assert_str_eq (ws.received, "hello");
  /* Client to server, and the echo back. */
  ws.got = FALSE;
  soup_websocket_connection_send_text (ws.connection, "ping");
  ck_assert (run_until (&ws.got, WAIT_MS));
  ck_assert_str_eq (ws.received, "echo:ping");

  gboolean server_closed = FALSE;
  g_signal_connect (server_ws, "closed", G_CALLBACK (on_server_ws_closed), &server_closed);
  soup_websocket_connection_close (ws.connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  ck_assert (run_until (&ws.closed, WAIT_MS));
  ck_assert (run_until (&server_closed, WAIT_MS));
  g_clear_object (&server_ws);
  g_clear_object (&ws.connection);
  g_free (ws.received);

  /* A plain GET of the endpoint is no handler's. */
  ck_assert_uint_eq (http_get ("/ws", NULL), 404);
}
END_TEST

START_TEST (test_websocket_cross_origin)
{
  g_autoptr (SoupMessage) message = new_message ("GET", "/ws");
  WsClient ws = { 0 };
  soup_session_websocket_connect_async (session, message, "http://evil.example", NULL,
                                        G_PRIORITY_DEFAULT, NULL, on_ws_connected, &ws);
  ck_assert (run_until (&ws.done, WAIT_MS));
  ck_assert_ptr_null (ws.connection);
  ck_assert_ptr_nonnull (ws.error);
  g_clear_error (&ws.error);
  ck_assert_uint_eq (soup_message_get_status (message), 403);
  ck_assert_ptr_null (server_ws);
  ck_assert_ptr_null (ws_app);
}
END_TEST

/* ---- https ---- */

static char *work;

static char *
work_file (const char *name)
{
  return g_build_filename (work, name, NULL);
}

START_TEST (test_https)
{
  GError *error = NULL;
  work = certs_new ("sipservlet-http-test-CA");
  g_autofree char *cert = work_file ("server.pem");
  g_autofree char *key = work_file ("server.key");
  g_autofree char *ca = work_file ("ca.pem");

  ck_assert (!sipservlet_container_listen_http (container, "https:127.0.0.1:0",
                                                SIPSERVLET_HTTP_ALL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  ck_assert_msg (sipservlet_container_set_tls_files (container, cert, key, ca, &error), "%s",
                 error != NULL ? error->message : "");
  ck_assert_msg (sipservlet_container_listen_http (container, "https:127.0.0.1:0",
                                                   SIPSERVLET_HTTP_ALL, &error),
                 "%s", error != NULL ? error->message : "");
  g_auto (GStrv) urls = sipservlet_container_get_http_urls (container);
  ck_assert_uint_eq (g_strv_length (urls), 2);
  ck_assert (g_str_has_prefix (urls[1], "https://127.0.0.1:"));

  /* A client that trusts the CA. */
  SoupSession *trusting = new_session ();
  GTlsDatabase *database = g_tls_file_database_new (ca, &error);
  ck_assert_msg (database != NULL, "%s", error != NULL ? error->message : "");
  soup_session_set_tls_database (trusting, database);
  g_object_unref (database);

  g_autofree char *health = g_strconcat (urls[1], "health", NULL);
  g_autoptr (SoupMessage) message = soup_message_new ("GET", health);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (send_with (trusting, message, &body, NULL), 200);
  ck_assert_str_eq (body, "{\"status\": \"ready\"}");

  /* Over https the session cookie is Secure. */
  g_autofree char *conv = g_strconcat (urls[1], "conv/new", NULL);
  g_autoptr (SoupMessage) created = soup_message_new ("GET", conv);
  ck_assert_uint_eq (send_with (trusting, created, NULL, NULL), 200);
  g_autofree char *lower = g_ascii_strdown (response_header (created, "Set-Cookie"), -1);
  ck_assert_msg (strstr (lower, "; secure") != NULL, "%s", lower);
  g_object_unref (trusting);

  /* One that does not trust it fails. */
  g_autoptr (SoupMessage) untrusted = soup_message_new ("GET", health);
  ck_assert_uint_eq (send_with (session, untrusted, NULL, &error), 0);
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);

  run_pending ();
  g_clear_pointer (&work, certs_free);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("http");
  TCase *tc = tcase_create ("http");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_health_ready);
  tcase_add_test (tc, test_health_not_listening_then_ready);
  tcase_add_test (tc, test_health_shutting_down);
  tcase_add_test (tc, test_metrics_text);
  tcase_add_test (tc, test_metrics_post_refused);
  tcase_add_test (tc, test_metrics_count_sip);
  tcase_add_test (tc, test_metrics_registrations);
  tcase_add_test (tc, test_listener_flags);
  tcase_add_test (tc, test_bad_listen_addresses);
  tcase_add_test (tc, test_prefix_matching);
  tcase_add_test (tc, test_handler_registration_errors);
  tcase_add_test (tc, test_unanswered_is_500);
  tcase_add_test (tc, test_host_check);
  tcase_add_test (tc, test_origin_check);
  tcase_add_test (tc, test_body_limit);
  tcase_add_test (tc, test_bearer);
  tcase_add_test (tc, test_converged_sessions);
  tcase_add_test (tc, test_websocket);
  tcase_add_test (tc, test_websocket_cross_origin);
  tcase_add_test (tc, test_https);
  tcase_add_test (tc, test_keepalive_closed_by_client);
  tcase_add_test (tc, test_root_handler);
  tcase_add_test (tc, test_application_session_of_application);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
