/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration test: a SipContainer in this process, listening on
 * 127.0.0.1 (UDP and TCP, port 0), and a fake peer (tests/support/
 * fake-peer.c) that writes raw SIP text on loopback sockets. Both run on
 * one GMainContext pushed as thread-default for each test; waiting means
 * iterating it under a deadline. The checks are on the wire: status
 * lines and headers, plus the servlet handlers and listeners that ran.
 *
 * Run under valgrind with:
 *   CK_FORK=no valgrind --leak-check=full --error-exitcode=1 \
 *     build-tests/tests/integration/test-inprocess
 */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "session/session-private.h"
#include "peer-checks.h"

#define WAIT_MS PEER_WAIT_MS /* for one message */
#define SETTLE_MS 5000       /* for sessions to be invalidated */

/* ---- the servlet's view ------------------------------------------------ */

typedef struct {
  guint init, destroy, freed;
  guint options, invite, ack, bye, cancel, message, info;
  guint success, provisional, error_response;
  guint last_success_status;
  char *last_success_method;
  gboolean success_request_matches;
  SipServletRequest *sent_request;      /* UAC: the request we sent */
  guint last_error_status;
  char *last_response_source;           /* "ADDR:PORT/TRANSPORT" of the last response */
  gboolean last_response_local;         /* made by the transaction layer */

  /* INVITE behaviour: answer at once (0) or defer and answer after this
   * many ms from a timeout source. */
  guint answer_delay_ms;
  guint app_lifetime_ms;        /* test-only app session lifetime, 0: default */
  SipServletRequest *invite_request;    /* ref while deferred */
  SipServletResponse *early_200;        /* made before a CANCEL came */
  gboolean late_ran;
  gboolean late_saw_cancelled;
  gint late_create_error;               /* -1: no error */
  gint late_send_error;                 /* -1: no error */
  gint64 answered_at;
  gboolean cancel_saw_cancelled;
  char *seen_from;                      /* From of the last OPTIONS */
  char *seen_from_tag;
} ServletState;

/* ---- the fixture ------------------------------------------------------- */

typedef struct {
  guint created, destroyed;
} Events;

static struct {
  GMainContext *context;
  SipContainer *container;
  FakePeer *peer;
  guint16 port;
  ServletState state;
  SipServlet *servlet;          /* the test's servlet, if it kept a ref */
  guint sessions_created, sessions_destroyed;
  guint apps_created, apps_destroyed;
  guint dialogs_started, dialogs_ended;
  GHashTable *session_events;   /* id -> Events */
  GHashTable *app_events;       /* id -> Events */
  gboolean listeners_freed;
  gboolean shut_down;
  guint shutdown_calls;
  guint call_seq;
  guint expected_warnings;      /* matched warnings */
  const char *expected_warning; /* substring, or NULL */
} fx;

static void
count_event (GHashTable *table, const char *id, gboolean created)
{
  Events *e = g_hash_table_lookup (table, id);
  if (e == NULL)
    {
      e = g_new0 (Events, 1);
      g_hash_table_insert (table, g_strdup (id), e);
    }
  if (created)
    e->created++;
  else
    e->destroyed++;
}

static void
on_session_created (SipSession *session, gpointer data)
{
  fx.sessions_created++;
  count_event (fx.session_events, sipservlet_session_get_id (session), TRUE);
}

static void
on_session_destroyed (SipSession *session, gpointer data)
{
  fx.sessions_destroyed++;
  count_event (fx.session_events, sipservlet_session_get_id (session), FALSE);
}

static void
on_app_created (SipApplicationSession *app, gpointer data)
{
  fx.apps_created++;
  count_event (fx.app_events, sipservlet_application_session_get_id (app), TRUE);
}

static void
on_app_destroyed (SipApplicationSession *app, gpointer data)
{
  fx.apps_destroyed++;
  count_event (fx.app_events, sipservlet_application_session_get_id (app), FALSE);
}

static void
on_dialog_started (SipSession *session, gpointer data)
{
  ck_assert_int_eq (sipservlet_session_get_state (session), SIPSERVLET_SESSION_STATE_CONFIRMED);
  fx.dialogs_started++;
}

static void
on_dialog_ended (SipSession *session, gpointer data)
{
  fx.dialogs_ended++;
  ck_assert_uint_le (fx.dialogs_ended, fx.dialogs_started);
}

static void
on_listeners_freed (gpointer data)
{
  fx.listeners_freed = TRUE;
}

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .session_created = on_session_created,
  .session_destroyed = on_session_destroyed,
  .application_session_created = on_app_created,
  .application_session_destroyed = on_app_destroyed,
  .dialog_started = on_dialog_started,
  .dialog_ended = on_dialog_ended,
};

static void
setup (void)
{
  GError *error = NULL;

  memset (&fx, 0, sizeof fx);
  fx.state.late_create_error = -1;
  fx.state.late_send_error = -1;
  fx.session_events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx.app_events = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fx.context = g_main_context_new ();
  g_main_context_push_thread_default (fx.context);

  fx.container = sipservlet_container_new (&error);
  ck_assert_msg (fx.container != NULL, "container_new: %s", error ? error->message : "?");
  ck_assert (sipservlet_container_add_listeners (fx.container, &listeners, NULL,
                                                 on_listeners_freed));
  ck_assert_msg (sipservlet_container_listen (fx.container, "127.0.0.1", 0,
                                              SIPSERVLET_TRANSPORT_ALL, &error),
                 "listen: %s", error ? error->message : "?");
  fx.port = sipservlet_container_get_port (fx.container, NULL);
  ck_assert_uint_ne (fx.port, 0);
  ck_assert_uint_eq (sipservlet_container_get_port (fx.container, "127.0.0.1"), fx.port);

  fx.peer = fake_peer_new (fx.context, "127.0.0.1", fx.port, &error);
  ck_assert_msg (fx.peer != NULL, "fake peer: %s", error ? error->message : "?");
}

static void
on_shutdown_done (SipContainer *container, gpointer data)
{
  ck_assert_ptr_eq (container, fx.container);
  ck_assert_ptr_eq (data, &fx);
  fx.shutdown_calls++;
  fx.shut_down = TRUE;
}

static gboolean
is_shut_down (gpointer data)
{
  return fx.shut_down;
}

static void
shutdown_container (void)
{
  sipservlet_container_shutdown (fx.container, on_shutdown_done, &fx);
  ck_assert_msg (fake_peer_run_until (fx.peer, is_shut_down, NULL, 40000),
                 "shutdown did not complete");
  ck_assert_uint_eq (fx.shutdown_calls, 1);
}

/* Every session and application session that was created was destroyed
 * exactly once, and nothing was destroyed that was not created. */
static void
check_events_paired (GHashTable *table, const char *what)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Events *e = value;
      ck_assert_msg (e->created == 1 && e->destroyed == 1,
                     "%s %s: created %u times, destroyed %u times", what,
                     (const char *) key, e->created, e->destroyed);
    }
}

static void
teardown (void)
{
  /* A failed test_unanswered may have left its log handler. */
  g_test_log_set_fatal_handler (NULL, NULL);
  fx.expected_warning = NULL;
  g_clear_pointer (&fx.state.early_200, sipservlet_response_unref);
  g_clear_pointer (&fx.state.invite_request, sipservlet_request_unref);
  g_clear_pointer (&fx.state.sent_request, sipservlet_request_unref);
  if (!fx.shut_down)
    shutdown_container ();
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 0);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (fx.container), 0);
  check_events_paired (fx.session_events, "session");
  check_events_paired (fx.app_events, "application session");
  ck_assert_uint_eq (fx.sessions_created, fx.sessions_destroyed);
  ck_assert_uint_eq (fx.apps_created, fx.apps_destroyed);

  /* The servlet's destroy handler ran once, during shutdown; its user
   * data goes with the last reference, the container's. */
  gboolean had_servlet = fx.servlet != NULL;
  if (had_servlet)
    {
      ck_assert_uint_eq (fx.state.init, 1);
      ck_assert_uint_eq (fx.state.destroy, 1);
      g_clear_pointer (&fx.servlet, sipservlet_servlet_unref);
      ck_assert_uint_eq (fx.state.freed, 0);
    }
  sipservlet_container_unref (fx.container);
  ck_assert (fx.listeners_freed);
  if (had_servlet)
    ck_assert_uint_eq (fx.state.freed, 1);
  fake_peer_free (fx.peer);
  /* Dispatch whatever is left; valgrind reports anything that stays. */
  while (g_main_context_iteration (fx.context, FALSE))
    ;
  g_main_context_pop_thread_default (fx.context);
  g_main_context_unref (fx.context);
  g_hash_table_destroy (fx.session_events);
  g_hash_table_destroy (fx.app_events);
  g_free (fx.state.last_success_method);
  g_free (fx.state.last_response_source);
  g_free (fx.state.seen_from);
  g_free (fx.state.seen_from_tag);
}

/* ---- servlet handlers --------------------------------------------------- */

/* A 200 to INVITE echoes the offer as the answer. */
static void
send_response (SipServletRequest *request, guint status)
{
  GError *error = NULL;
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  gsize length = 0;
  gconstpointer offer = status == 200 && strcmp (sipservlet_message_get_method (message), "INVITE") == 0
                          ? sipservlet_message_get_content (message, &length)
                          : NULL;
  ck_assert_msg (sipservlet_request_respond_with (request, status, NULL, NULL, "application/sdp",
                                                  offer, (gssize) length, &error),
                 "respond %u: %s", status, error ? error->message : "?");
}

static gboolean
servlet_init (SipServlet *servlet, gpointer data, GError **error)
{
  ((ServletState *) data)->init++;
  return TRUE;
}

static void
servlet_destroy (SipServlet *servlet, gpointer data)
{
  ((ServletState *) data)->destroy++;
}

static void
servlet_freed (gpointer data)
{
  ((ServletState *) data)->freed++;
}

static void
do_options (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ServletState *s = data;
  GError *error = NULL;

  s->options++;
  ck_assert (sipservlet_request_is_initial (request));
  g_free (s->seen_from);
  s->seen_from = g_strdup (sipservlet_message_get_header (SIPSERVLET_MESSAGE (request), "From"));
  SipAddress *from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (request));
  g_free (s->seen_from_tag);
  s->seen_from_tag = from ? g_strdup (sipservlet_address_get_parameter (from, "tag")) : NULL;
  g_clear_pointer (&from, sipservlet_address_unref);
  const char *headers[] = { "X-Servlet: inprocess", NULL };
  ck_assert_msg (sipservlet_request_respond_with (request, 200, NULL, headers, NULL, NULL, 0,
                                                  &error),
                 "respond: %s", error ? error->message : "?");
}

/* One-call answers: a refused header line sends nothing, so the request
 * can still be answered; a second final answer is refused. */
static void
do_message (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ServletState *s = data;
  GError *error = NULL;
  s->message++;
  const char *bad[] = { "X-Fine: 1", "no colon here", NULL };
  ck_assert (!sipservlet_request_respond_with (request, 200, NULL, bad, NULL, NULL, 0, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert (!sipservlet_request_respond_with (request, 200, NULL, NULL, NULL, "body", -1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert (!sipservlet_request_respond (request, 1000, NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  const char *headers[] = { "X-One: 1", "X-Two:two words", "Supported: timer, path", NULL };
  ck_assert_msg (sipservlet_request_respond_with (request, 202, "Taken", headers, "text/plain",
                                                  "got it", -1, &error),
                 "respond: %s", error ? error->message : "?");
  ck_assert (!sipservlet_request_respond (request, 200, NULL, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);
}

/* Answers the deferred INVITE with the 200 made when it arrived; if that
 * fails (a CANCEL came), also tries to make a new response. */
static gboolean
late_answer (gpointer data)
{
  ServletState *s = data;
  SipServletRequest *request = s->invite_request;
  GError *error = NULL;

  s->late_ran = TRUE;
  s->late_saw_cancelled = sipservlet_request_is_cancelled (request);
  if (sipservlet_response_send (s->early_200, &error))
    s->answered_at = g_get_monotonic_time ();
  else
    {
      s->late_send_error = error->domain == SIPSERVLET_ERROR ? error->code : 1000;
      g_clear_error (&error);
      SipServletResponse *response = sipservlet_request_create_response (request, 200, NULL,
                                                                         &error);
      if (response == NULL)
        {
          s->late_create_error = error->domain == SIPSERVLET_ERROR ? error->code : 1000;
          g_clear_error (&error);
        }
      else
        {
          if (!sipservlet_response_send (response, &error))
            g_clear_error (&error);
          sipservlet_response_unref (response);
        }
    }
  g_clear_pointer (&s->early_200, sipservlet_response_unref);
  g_clear_pointer (&s->invite_request, sipservlet_request_unref);
  return G_SOURCE_REMOVE;
}

static void
do_invite (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ServletState *s = data;

  s->invite++;
  ck_assert (sipservlet_request_is_initial (request));
  if (s->app_lifetime_ms > 0)
    sipsv_application_session_set_lifetime_ms (
        sipservlet_message_get_application_session (SIPSERVLET_MESSAGE (request)),
        s->app_lifetime_ms);
  send_response (request, 180);
  if (s->answer_delay_ms == 0)
    {
      send_response (request, 200);
      s->answered_at = g_get_monotonic_time ();
      return;
    }
  sipservlet_request_defer (request);
  s->invite_request = sipservlet_request_ref (request);
  s->early_200 = sipservlet_request_create_response (request, 200, NULL, NULL);
  ck_assert_ptr_nonnull (s->early_200);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (SIPSERVLET_MESSAGE (request), &length);
  if (offer != NULL)
    ck_assert (sipservlet_message_set_content (SIPSERVLET_MESSAGE (s->early_200), offer, length,
                                               "application/sdp", NULL));
  /* Answer from a timeout source on the container's context (the
   * thread-default one, not the global default). */
  GSource *timer = g_timeout_source_new (s->answer_delay_ms);
  g_source_set_callback (timer, late_answer, s, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());
  g_source_unref (timer);
}

static void
do_ack (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ((ServletState *) data)->ack++;
  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (request)), "ACK");
  ck_assert (!sipservlet_request_is_initial (request));
}

static void
do_bye (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ((ServletState *) data)->bye++;
  ck_assert (!sipservlet_request_is_initial (request));
  send_response (request, 200);
}

static void
do_cancel (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ServletState *s = data;
  s->cancel++;
  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (request)), "CANCEL");
  s->cancel_saw_cancelled = s->invite_request != NULL
                            && sipservlet_request_is_cancelled (s->invite_request);
}

/* Where a response the servlet got came from. */
static void
note_response_source (ServletState *s, SipServletResponse *response)
{
  SipServletMessage *m = SIPSERVLET_MESSAGE (response);
  const char *addr = sipservlet_message_get_remote_addr (m);
  const char *transport = sipservlet_message_get_transport (m);
  g_free (s->last_response_source);
  s->last_response_source = g_strdup_printf ("%s:%d/%s", addr ? addr : "-",
                                             sipservlet_message_get_remote_port (m),
                                             transport ? transport : "-");
  s->last_response_local = sipservlet_response_is_locally_generated (response);
}

static void
do_success_response (SipServlet *servlet, SipServletResponse *response, gpointer data)
{
  ServletState *s = data;
  note_response_source (s, response);
  s->success++;
  s->last_success_status = sipservlet_response_get_status (response);
  g_free (s->last_success_method);
  s->last_success_method = g_strdup (sipservlet_message_get_method (SIPSERVLET_MESSAGE (response)));
  s->success_request_matches = sipservlet_response_get_request (response) == s->sent_request;
}

static void
do_provisional_response (SipServlet *servlet, SipServletResponse *response, gpointer data)
{
  ((ServletState *) data)->provisional++;
}

static void
do_error_response (SipServlet *servlet, SipServletResponse *response, gpointer data)
{
  ServletState *s = data;
  note_response_source (s, response);
  s->last_error_status = sipservlet_response_get_status (response);
  s->error_response++;
}

static void
do_silent (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  ((ServletState *) data)->options++;
  /* Returns without answering or deferring. */
}

static const SipServletHandlers full_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .init = servlet_init,
  .destroy = servlet_destroy,
  .do_options = do_options,
  .do_invite = do_invite,
  .do_ack = do_ack,
  .do_bye = do_bye,
  .do_cancel = do_cancel,
  .do_message = do_message,
  .do_provisional_response = do_provisional_response,
  .do_success_response = do_success_response,
  .do_error_response = do_error_response,
};

/* No do_message, no do_info: the JSR 289 defaults answer. */
static const SipServletHandlers minimal_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .init = servlet_init,
  .destroy = servlet_destroy,
  .do_options = do_options,
};

static const SipServletHandlers silent_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .init = servlet_init,
  .destroy = servlet_destroy,
  .do_options = do_silent,
};

static void
add_servlet (const SipServletHandlers *handlers)
{
  GError *error = NULL;
  fx.servlet = sipservlet_servlet_new ("test", handlers, &fx.state, servlet_freed);
  ck_assert_ptr_nonnull (fx.servlet);
  ck_assert_msg (sipservlet_container_add_servlet (fx.container, fx.servlet, NULL, &error),
                 "add_servlet: %s", error ? error->message : "?");
  ck_assert_uint_eq (fx.state.init, 1);
  ck_assert_ptr_eq (sipservlet_servlet_get_container (fx.servlet), fx.container);
  ck_assert_ptr_eq (sipservlet_servlet_get_factory (fx.servlet),
                    sipservlet_container_get_factory (fx.container));
}

/* ---- the peer's side: calls, requests, expectations --------------------- */

typedef struct {
  FakeTransport transport;
  char *call_id;
  char *from_tag;
  char *to_tag;      /* learned from the responses */
  char *target;      /* remote target learned from Contact */
  guint32 cseq;
  char *invite_branch;
} Call;

static void
call_init (Call *call, FakeTransport transport)
{
  GError *error = NULL;
  memset (call, 0, sizeof *call);
  call->transport = transport;
  call->call_id = g_strdup_printf ("inprocess-%u-%08x@127.0.0.1", ++fx.call_seq, g_random_int ());
  call->from_tag = g_strdup_printf ("peer%u", fx.call_seq);
  call->cseq = 0;
  if (transport == FAKE_TCP)
    ck_assert_msg (fake_peer_connect_tcp (fx.peer, &error), "connect: %s",
                   error ? error->message : "?");
}

static void
call_clear (Call *call)
{
  g_free (call->call_id);
  g_free (call->from_tag);
  g_free (call->to_tag);
  g_free (call->target);
  g_free (call->invite_branch);
}

static char *
new_branch (void)
{
  static guint n;
  return g_strdup_printf ("z9hG4bK-inproc-%u-%08x", ++n, g_random_int ());
}

/* A request of @call. @branch NULL makes a new one; @cseq 0 takes the
 * next number. */
static char *
build_request (Call *call, const char *method, guint32 cseq, const char *branch,
               const char *extra_headers, const char *body)
{
  guint16 lport = fake_peer_get_port (fx.peer, call->transport);
  const char *tr = fake_peer_transport_name (call->transport);
  char *own_branch = branch == NULL ? new_branch () : NULL;
  char *ruri = call->target != NULL ? g_strdup (call->target)
                                    : g_strdup_printf ("sip:uas@127.0.0.1:%u", fx.port);
  char *to_tag = call->to_tag != NULL ? g_strdup_printf (";tag=%s", call->to_tag) : g_strdup ("");
  char *contact = strcmp (method, "INVITE") == 0
    ? g_strdup_printf ("Contact: <sip:peer@127.0.0.1:%u%s>\r\n", lport,
                       call->transport == FAKE_TCP ? ";transport=tcp" : "")
    : g_strdup ("");
  char *text;

  if (cseq == 0)
    cseq = ++call->cseq;
  text = g_strdup_printf (
    "%s %s SIP/2.0\r\n"
    "Via: SIP/2.0/%s 127.0.0.1:%u;branch=%s;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Peer\" <sip:peer@127.0.0.1:%u>;tag=%s\r\n"
    "To: <sip:uas@127.0.0.1:%u>%s\r\n"
    "Call-ID: %s\r\n"
    "CSeq: %u %s\r\n"
    "%s"
    "%s"
    "Content-Length: %zu\r\n"
    "\r\n%s",
    method, ruri, tr, lport, branch ? branch : own_branch, lport, call->from_tag, fx.port,
    to_tag, call->call_id, cseq, method, contact,
    extra_headers ? extra_headers : "",
    body ? strlen (body) : 0, body ? body : "");
  g_free (contact);
  g_free (own_branch);
  g_free (ruri);
  g_free (to_tag);
  return text;
}

static void
call_send (Call *call, const char *text)
{
  peer_send_over (fx.peer, call->transport, text);
}

/* Waits for the next message (skipping 100 Trying) and checks it is a
 * response @status to @cseq_method of @call. */
static FakeMessage *
expect_response (Call *call, guint status, const char *cseq_method)
{
  FakeMessage *m = peer_next_response_to (fx.peer, status, cseq_method);
  ck_assert_msg (m->transport == call->transport, "response came over %s, request over %s",
                 fake_peer_transport_name (m->transport),
                 fake_peer_transport_name (call->transport));
  ck_assert_str_eq (fake_message_header (m, "Call-ID"), call->call_id);
  char *from_tag = fake_header_param (fake_message_header (m, "From"), "tag");
  ck_assert_str_eq (from_tag, call->from_tag);
  g_free (from_tag);
  ck_assert_uint_eq (fake_message_count_headers (m, "Via"), 1);
  if (status > 100)
    {
      char *to_tag = fake_header_param (fake_message_header (m, "To"), "tag");
      ck_assert_msg (to_tag != NULL && to_tag[0] != '\0', "no To-tag in:\n%s", m->raw);
      g_free (to_tag);
    }
  return m;
}

static gboolean
no_sessions (gpointer data)
{
  return sipservlet_container_get_session_count (fx.container) == 0
         && sipservlet_container_get_application_session_count (fx.container) == 0;
}

static void
expect_sessions_settle (void)
{
  ck_assert_msg (fake_peer_run_until (fx.peer, no_sessions, NULL, SETTLE_MS),
                 "sessions not released: %u sessions, %u application sessions",
                 sipservlet_container_get_session_count (fx.container),
                 sipservlet_container_get_application_session_count (fx.container));
}

static gboolean
uint_nonzero (gpointer data)
{
  return *(guint *) data != 0;
}

static const char *SDP =
  "v=0\r\n"
  "o=peer 1 1 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "c=IN IP4 127.0.0.1\r\n"
  "t=0 0\r\n"
  "m=audio 49170 RTP/AVP 0\r\n"
  "a=rtpmap:0 PCMU/8000\r\n";

static char *
build_invite (Call *call)
{
  g_free (call->invite_branch);
  call->invite_branch = new_branch ();
  return build_request (call, "INVITE", 0, call->invite_branch,
                        "Content-Type: application/sdp\r\n", SDP);
}

/* Reads the To-tag and Contact of a dialog-creating response. */
static void
learn_dialog (Call *call, FakeMessage *m)
{
  char *tag = fake_header_param (fake_message_header (m, "To"), "tag");
  if (call->to_tag == NULL)
    call->to_tag = g_strdup (tag);
  else
    ck_assert_str_eq (call->to_tag, tag);
  g_free (tag);
  const char *contact = fake_message_header (m, "Contact");
  ck_assert_msg (contact != NULL, "no Contact in:\n%s", m->raw);
  g_free (call->target);
  call->target = fake_header_uri (contact);
  ck_assert_msg (call->target != NULL && g_str_has_prefix (call->target, "sip:"),
                 "bad Contact '%s'", contact);
}

/* ---- tests ---------------------------------------------------------------- */

static const FakeTransport transports[] = { FAKE_UDP, FAKE_TCP };

START_TEST (test_options)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, transports[_i]);

  char *text = build_request (&call, "OPTIONS", 0, NULL, "Accept: application/sdp\r\n", NULL);
  call_send (&call, text);
  g_free (text);
  FakeMessage *m = expect_response (&call, 200, "OPTIONS");
  ck_assert_str_eq (m->reason, "OK");
  ck_assert_msg (g_strcmp0 (fake_message_header (m, "X-Servlet"), "inprocess") == 0,
                 "the servlet's header is missing:\n%s", m->raw);
  ck_assert_uint_eq (fx.state.options, 1);
  fake_message_free (m);

  expect_sessions_settle ();
  ck_assert_uint_eq (fx.sessions_created, 1);
  ck_assert_uint_eq (fx.sessions_destroyed, 1);
  ck_assert_uint_eq (fx.apps_created, 1);
  ck_assert_uint_eq (fx.apps_destroyed, 1);
  /* OPTIONS creates no dialog. */
  ck_assert_uint_eq (fx.dialogs_started, 0);
  ck_assert_uint_eq (fx.dialogs_ended, 0);
  call_clear (&call);
}
END_TEST

/* Sends, over UDP, the MESSAGE that full_handlers answers with 202
 * "Taken" and a body; returns that answer, and the request in *text. */
static FakeMessage *
send_message (Call *call, char **text)
{
  add_servlet (&full_handlers);
  call_init (call, FAKE_UDP);
  *text = build_request (call, "MESSAGE", 0, NULL, "Content-Type: text/plain\r\n", "hi");
  call_send (call, *text);
  return expect_response (call, 202, "MESSAGE");
}

START_TEST (test_respond_with)
{
  Call call;
  char *text;
  FakeMessage *m = send_message (&call, &text);
  g_free (text);
  ck_assert_str_eq (m->reason, "Taken");
  ck_assert_str_eq (fake_message_header (m, "X-One"), "1");
  ck_assert_str_eq (fake_message_header (m, "X-Two"), "two words");
  ck_assert_str_eq (fake_message_header (m, "Content-Type"), "text/plain");
  ck_assert_msg (g_str_has_suffix (m->raw, "\r\n\r\ngot it"), "%s", m->raw);
  ck_assert_ptr_null (fake_message_header (m, "X-Fine"));
  ck_assert_uint_eq (fx.state.message, 1);
  fake_message_free (m);
  /* Nothing else was sent. */
  m = fake_peer_wait (fx.peer, 300);
  ck_assert_msg (m == NULL, "unexpected:\n%s", m ? m->raw : "");
  call_clear (&call);
}
END_TEST

/* Sends @text, a MESSAGE already answered by @first, twice more: each
 * copy must get @first's bytes again, and the servlet see none. */
static void
check_retransmissions_absorbed (Call *call, const char *text, FakeMessage *first)
{
  for (int i = 0; i < 2; i++)
    {
      call_send (call, text);
      FakeMessage *again = expect_response (call, 202, "MESSAGE");
      ck_assert_msg (strcmp (first->raw, again->raw) == 0,
                     "the answer to a retransmission differs:\n%s\n---\n%s",
                     first->raw, again->raw);
      fake_message_free (again);
    }
  ck_assert_uint_eq (fx.state.message, 1);
}

/* A retransmitted non-INVITE request is answered from the transaction
 * with the same bytes, without reaching the servlet again; over UDP the
 * transaction has by then let its request and response messages go and
 * kept only the response's bytes (sofia-sip patches 0008, 0010). */
START_TEST (test_non_invite_retransmission)
{
  Call call;
  char *text;
  FakeMessage *first = send_message (&call, &text);
  ck_assert_msg (g_str_has_suffix (first->raw, "\r\n\r\ngot it"), "%s", first->raw);
  check_retransmissions_absorbed (&call, text, first);
  fake_message_free (first);
  g_free (text);
  call_clear (&call);
}
END_TEST

/* The same for a request whose branch lacks RFC 3261's magic cookie: RFC
 * 2543 matching compares the Request-URI too, which the compacted
 * transaction keeps for such requests alone (sofia-sip patch 0010). A
 * request that differs from it only in the Request-URI is not answered
 * from it. */
START_TEST (test_non_invite_retransmission_rfc2543)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, FAKE_UDP);
  char *text = build_request (&call, "MESSAGE", 0, "rfc2543-branch", "Content-Type: text/plain\r\n",
                              "hi");
  call_send (&call, text);
  FakeMessage *first = expect_response (&call, 202, "MESSAGE");
  check_retransmissions_absorbed (&call, text, first);

  g_clear_pointer (&call.to_tag, g_free);
  call.target = g_strdup_printf ("sip:other@127.0.0.1:%u", fx.port);
  char *other = build_request (&call, "MESSAGE", call.cseq, "rfc2543-branch",
                               "Content-Type: text/plain\r\n", "hi");
  call_send (&call, other);
  FakeMessage *m = fake_peer_wait_final_or_provisional (fx.peer, PEER_WAIT_MS);
  ck_assert_msg (m != NULL, "no answer to the other Request-URI");
  ck_assert_msg (strcmp (first->raw, m->raw) != 0, "answered as a retransmission:\n%s", m->raw);
  fake_message_free (m);
  fake_message_free (first);
  g_free (other);
  g_free (text);
  call_clear (&call);
}
END_TEST

/* Sends the ACK for the 2xx of @call and BYE, checks the answers. */
static void
ack_and_bye (Call *call)
{
  char *ack = build_request (call, "ACK", 1, NULL, NULL, NULL);
  call_send (call, ack);
  g_free (ack);
  ck_assert_msg (fake_peer_run_until (fx.peer, uint_nonzero, &fx.state.ack, WAIT_MS),
                 "the ACK did not reach do_ack");
  ck_assert_uint_eq (fx.state.ack, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 1);

  char *bye = build_request (call, "BYE", 0, NULL, NULL, NULL);
  call_send (call, bye);
  g_free (bye);
  FakeMessage *m = expect_response (call, 200, "BYE");
  char *tag = fake_header_param (fake_message_header (m, "To"), "tag");
  ck_assert_str_eq (tag, call->to_tag);
  g_free (tag);
  fake_message_free (m);
  ck_assert_uint_eq (fx.state.bye, 1);
  expect_sessions_settle ();
}

START_TEST (test_invite_call)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, transports[_i]);

  char *text = build_invite (&call);
  call_send (&call, text);
  g_free (text);

  FakeMessage *ringing = expect_response (&call, 180, "INVITE");
  learn_dialog (&call, ringing);
  fake_message_free (ringing);

  FakeMessage *ok = expect_response (&call, 200, "INVITE");
  learn_dialog (&call, ok);     /* same To-tag as the 180 */
  ck_assert_msg (g_strcmp0 (ok->body, SDP) == 0, "the 200 does not echo the offer:\n%s", ok->raw);
  ck_assert_str_eq (fake_message_header (ok, "Content-Type"), "application/sdp");
  char *expected_contact = g_strdup_printf ("sip:127.0.0.1:%u", fx.port);
  ck_assert_msg (g_str_has_prefix (call.target, expected_contact), "Contact %s, expected %s",
                 call.target, expected_contact);
  g_free (expected_contact);
  fake_message_free (ok);
  ck_assert_uint_eq (fx.state.invite, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 1);
  /* The 200 confirmed the dialog: a call has begun. */
  ck_assert_uint_eq (fx.dialogs_started, 1);
  ck_assert_uint_eq (fx.dialogs_ended, 0);

  ack_and_bye (&call);
  ck_assert_uint_eq (fx.dialogs_started, 1);
  ck_assert_uint_eq (fx.dialogs_ended, 1);
  ck_assert_uint_eq (fx.sessions_created, 1);
  ck_assert_uint_eq (fx.sessions_destroyed, 1);
  ck_assert_uint_eq (fx.apps_created, 1);
  ck_assert_uint_eq (fx.apps_destroyed, 1);
  ck_assert_uint_eq (fake_peer_pending (fx.peer), 0);
  call_clear (&call);
}
END_TEST

/* Issue 13 section 1: a confirmed call outlives its application
 * session's expiry. With a 200 ms lifetime (the test-only setting) and
 * a call quiet for a second, the BYE still reaches the servlet, and the
 * sessions go when the call ends. */
START_TEST (test_call_outlives_expiry)
{
  Call call;
  add_servlet (&full_handlers);
  fx.state.app_lifetime_ms = 200;
  call_init (&call, FAKE_UDP);

  char *text = build_invite (&call);
  call_send (&call, text);
  g_free (text);
  FakeMessage *ringing = expect_response (&call, 180, "INVITE");
  learn_dialog (&call, ringing);
  fake_message_free (ringing);
  FakeMessage *ok = expect_response (&call, 200, "INVITE");
  learn_dialog (&call, ok);
  fake_message_free (ok);

  char *ack = build_request (&call, "ACK", 1, NULL, NULL, NULL);
  call_send (&call, ack);
  g_free (ack);
  /* Five lifetimes of silence (the peer runs the container's context);
   * the 200's retransmissions sent before the ACK arrived are dropped. */
  fake_peer_run (fx.peer, 1000);
  while (fake_peer_pending (fx.peer) > 0)
    fake_message_free (fake_peer_pop (fx.peer));
  ck_assert_uint_eq (fx.state.ack, 1);
  ck_assert_uint_eq (fx.apps_destroyed, 0);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 1);

  char *bye = build_request (&call, "BYE", 0, NULL, NULL, NULL);
  call_send (&call, bye);
  g_free (bye);
  fake_message_free (expect_response (&call, 200, "BYE"));
  ck_assert_uint_eq (fx.state.bye, 1);
  expect_sessions_settle ();
  ck_assert_uint_eq (fx.dialogs_ended, 1);
  ck_assert_uint_eq (fx.sessions_destroyed, 1);
  ck_assert_uint_eq (fx.apps_destroyed, 1);
  call_clear (&call);
}
END_TEST

/* RFC 3261 §12.1.1: the 180 and the 200 that create the dialog copy the
 * request's Record-Route in order; other responses carry none. */
START_TEST (test_record_route_copied)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, FAKE_UDP);

  const char *rr_lines = "Record-Route: <sip:192.0.2.10;lr>, <sip:192.0.2.11;lr;x=1>\r\n"
                         "Record-Route: <sip:192.0.2.12;lr>\r\n";
  const char *const expected[] = { "<sip:192.0.2.10;lr>", "<sip:192.0.2.11;lr;x=1>",
                                   "<sip:192.0.2.12;lr>", NULL };
  char *extra = g_strconcat ("Content-Type: application/sdp\r\n", rr_lines, NULL);
  call.invite_branch = new_branch ();
  char *text = build_request (&call, "INVITE", 0, call.invite_branch, extra, SDP);
  g_free (extra);
  call_send (&call, text);
  g_free (text);
  for (guint status = 180; status <= 200; status += 20)
    {
      FakeMessage *m = expect_response (&call, status, "INVITE");
      learn_dialog (&call, m);
      g_auto (GStrv) rr = fake_message_header_elements (m, "Record-Route");
      ck_assert_msg (g_strv_length (rr) == 3, "%s", m->raw);
      for (guint i = 0; expected[i] != NULL; i++)
        ck_assert_str_eq (rr[i], expected[i]);
      fake_message_free (m);
    }
  ack_and_bye (&call);

  Call options;
  call_init (&options, FAKE_UDP);
  text = build_request (&options, "OPTIONS", 0, NULL, rr_lines, NULL);
  call_send (&options, text);
  g_free (text);
  FakeMessage *ok = expect_response (&options, 200, "OPTIONS");
  ck_assert_msg (fake_message_header (ok, "Record-Route") == NULL, "%s", ok->raw);
  fake_message_free (ok);
  call_clear (&options);
  call_clear (&call);
}
END_TEST

START_TEST (test_jsr289_defaults)
{
  Call call;
  add_servlet (&minimal_handlers);
  call_init (&call, FAKE_UDP);

  char *text = build_request (&call, "MESSAGE", 0, NULL, "Content-Type: text/plain\r\n", "hello");
  call_send (&call, text);
  g_free (text);
  FakeMessage *m = expect_response (&call, 501, "MESSAGE");
  fake_message_free (m);

  Call info;
  call_init (&info, FAKE_UDP);
  text = build_request (&info, "INFO", 0, NULL, NULL, NULL);
  call_send (&info, text);
  g_free (text);
  m = expect_response (&info, 500, "INFO");
  fake_message_free (m);

  ck_assert_uint_eq (fx.state.options, 0);
  expect_sessions_settle ();
  ck_assert_uint_eq (fx.sessions_created, 2);
  call_clear (&call);
  call_clear (&info);
}
END_TEST

/* A Request-URI sofia's parser accepts and ours refuses (found by
 * tests/fuzz/fuzz-receive: "REGISTER sip:examp~e.com"): the container
 * answers 400 itself instead of giving the servlet a request whose
 * sipservlet_request_get_request_uri() is NULL. */
START_TEST (test_unrepresentable_request_uri)
{
  static const char *const methods[] = { "OPTIONS", "MESSAGE" };

  add_servlet (&full_handlers);
  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      Call call;
      call_init (&call, FAKE_UDP);
      call.target = g_strdup ("sip:uas@examp~e.com");
      char *text = build_request (&call, methods[i], 0, NULL, NULL, NULL);
      call_send (&call, text);
      g_free (text);
      FakeMessage *m = expect_response (&call, 400, methods[i]);
      ck_assert_str_eq (m->reason, "Bad Request-URI");
      fake_message_free (m);
      call_clear (&call);
    }
  ck_assert_uint_eq (fx.state.options, 0);
  ck_assert_uint_eq (fx.state.message, 0);
}
END_TEST

static gboolean
expected_warning_handler (const char *domain, GLogLevelFlags level, const char *message,
                          gpointer data)
{
  if (fx.expected_warning != NULL && (level & G_LOG_LEVEL_WARNING) != 0
      && strstr (message, fx.expected_warning) != NULL)
    {
      fx.expected_warnings++;
      return FALSE;      /* not fatal */
    }
  return TRUE;
}

START_TEST (test_unanswered)
{
  Call call;
  add_servlet (&silent_handlers);
  call_init (&call, FAKE_UDP);

  /* check-main.h makes warnings fatal; let exactly this one through. */
  fx.expected_warning = "without answering";
  g_test_log_set_fatal_handler (expected_warning_handler, NULL);

  char *text = build_request (&call, "OPTIONS", 0, NULL, NULL, NULL);
  call_send (&call, text);
  g_free (text);
  FakeMessage *m = expect_response (&call, 500, "OPTIONS");
  fake_message_free (m);

  g_test_log_set_fatal_handler (NULL, NULL);
  fx.expected_warning = NULL;
  ck_assert_uint_eq (fx.state.options, 1);
  ck_assert_uint_eq (fx.expected_warnings, 1);
  expect_sessions_settle ();
  call_clear (&call);
}
END_TEST

START_TEST (test_deferred_answer)
{
  Call call;
  add_servlet (&full_handlers);
  fx.state.answer_delay_ms = 300;
  call_init (&call, FAKE_UDP);

  gint64 sent_at = g_get_monotonic_time ();
  char *text = build_invite (&call);
  call_send (&call, text);
  g_free (text);

  FakeMessage *ringing = expect_response (&call, 180, "INVITE");
  learn_dialog (&call, ringing);
  fake_message_free (ringing);
  FakeMessage *ok = expect_response (&call, 200, "INVITE");
  learn_dialog (&call, ok);
  ck_assert_msg (ok->received_at - sent_at >= 250 * 1000,
                 "the deferred 200 came after %" G_GINT64_FORMAT " ms",
                 (ok->received_at - sent_at) / 1000);
  fake_message_free (ok);
  ck_assert (fx.state.late_ran);
  ck_assert (!fx.state.late_saw_cancelled);
  ck_assert_int_eq (fx.state.late_send_error, -1);
  ck_assert_int_eq (fx.state.late_create_error, -1);

  ack_and_bye (&call);
  call_clear (&call);
}
END_TEST

static gboolean
late_answer_ran (gpointer data)
{
  return fx.state.late_ran;
}

START_TEST (test_cancel_before_answer)
{
  Call call;
  add_servlet (&full_handlers);
  fx.state.answer_delay_ms = 600;
  call_init (&call, FAKE_UDP);

  char *text = build_invite (&call);
  call_send (&call, text);
  g_free (text);
  FakeMessage *ringing = expect_response (&call, 180, "INVITE");
  char *tag = fake_header_param (fake_message_header (ringing, "To"), "tag");
  fake_message_free (ringing);

  /* CANCEL: same branch, Call-ID, From, To (no tag), CSeq number. */
  text = build_request (&call, "CANCEL", 1, call.invite_branch, NULL, NULL);
  call_send (&call, text);
  g_free (text);

  gboolean got_200 = FALSE, got_487 = FALSE;
  for (int i = 0; i < 2; i++)
    {
      FakeMessage *m = fake_peer_wait_final_or_provisional (fx.peer, WAIT_MS);
      ck_assert_msg (m != NULL, "missing %s", got_200 ? "487 to INVITE" : "200 to CANCEL");
      char *method = fake_cseq_method (m);
      if (m->status == 200 && g_strcmp0 (method, "CANCEL") == 0)
        got_200 = TRUE;
      else if (m->status == 487 && g_strcmp0 (method, "INVITE") == 0)
        {
          got_487 = TRUE;
          char *tag487 = fake_header_param (fake_message_header (m, "To"), "tag");
          ck_assert_str_eq (tag487, tag);
          g_free (tag487);
        }
      else
        ck_abort_msg ("unexpected message after CANCEL:\n%s", m->raw);
      g_free (method);
      fake_message_free (m);
    }
  ck_assert (got_200 && got_487);
  ck_assert_uint_eq (fx.state.cancel, 1);
  ck_assert_msg (fx.state.cancel_saw_cancelled, "is_cancelled() was FALSE inside do_cancel");

  /* ACK the 487 (same branch: part of the INVITE transaction). */
  call.to_tag = tag;
  text = build_request (&call, "ACK", 1, call.invite_branch, NULL, NULL);
  call_send (&call, text);
  g_free (text);

  /* The servlet's late answer must fail: sending the 200 made before the
   * CANCEL, and making a new one. */
  ck_assert (fake_peer_run_until (fx.peer, late_answer_ran, NULL, WAIT_MS));
  ck_assert (fx.state.late_saw_cancelled);
  ck_assert_int_eq (fx.state.late_create_error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_int_eq (fx.state.late_send_error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (fx.state.ack, 0);     /* an ACK for a non-2xx is not a do_ack */

  fake_peer_run (fx.peer, 300);
  FakeMessage *stray = fake_peer_pop (fx.peer);
  ck_assert_msg (stray == NULL, "unexpected message after the late answer:\n%s",
                 stray ? stray->raw : "");
  expect_sessions_settle ();
  ck_assert_uint_eq (fx.sessions_created, 1);
  ck_assert_uint_eq (fx.sessions_destroyed, 1);
  call_clear (&call);
}
END_TEST

START_TEST (test_2xx_retransmission)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, FAKE_UDP);

  gint64 sent_at = g_get_monotonic_time ();
  char *text = build_invite (&call);
  call_send (&call, text);
  g_free (text);
  FakeMessage *ringing = expect_response (&call, 180, "INVITE");
  learn_dialog (&call, ringing);
  fake_message_free (ringing);

  /* Withhold the ACK: the 200 must be retransmitted (T1 = 500 ms, so
   * copies at about 0, 0.5 and 1.5 s). */
  guint copies = 0;
  char *first = NULL;
  gint64 window_end = sent_at + 1600 * 1000;
  for (;;)
    {
      gint64 left = (window_end - g_get_monotonic_time ()) / 1000;
      if (left <= 0)
        break;
      FakeMessage *m = fake_peer_wait_final_or_provisional (fx.peer, (guint) left);
      if (m == NULL)
        break;
      ck_assert_msg (m->status == 200, "expected only 200 copies, got:\n%s", m->raw);
      if (first == NULL)
        {
          first = g_strdup (m->raw);
          learn_dialog (&call, m);
        }
      else
        ck_assert_msg (strcmp (first, m->raw) == 0, "a retransmission differs:\n%s\n---\n%s",
                       first, m->raw);
      copies++;
      fake_message_free (m);
    }
  g_free (first);
  ck_assert_msg (copies >= 2, "%u copies of the 200 within 1.6 s without ACK", copies);

  /* The ACK stops them: the next copy would be due at about 3.5 s. */
  char *ack = build_request (&call, "ACK", 1, NULL, NULL, NULL);
  call_send (&call, ack);
  g_free (ack);
  ck_assert (fake_peer_run_until (fx.peer, uint_nonzero, &fx.state.ack, WAIT_MS));
  fake_peer_run (fx.peer, 2500);
  guint late = 0;
  for (FakeMessage *m; (m = fake_peer_pop (fx.peer)) != NULL; fake_message_free (m))
    late++;
  ck_assert_msg (late == 0, "%u copies of the 200 after the ACK", late);

  char *bye = build_request (&call, "BYE", 0, NULL, NULL, NULL);
  call_send (&call, bye);
  g_free (bye);
  FakeMessage *m = expect_response (&call, 200, "BYE");
  fake_message_free (m);
  expect_sessions_settle ();
  call_clear (&call);
}
END_TEST

START_TEST (test_uac_options)
{
  GError *error = NULL;
  add_servlet (&full_handlers);
  SipFactory *factory = sipservlet_servlet_get_factory (fx.servlet);
  guint16 peer_port = fake_peer_get_port (fx.peer, FAKE_UDP);

  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  ck_assert_ptr_nonnull (app);
  ck_assert_uint_eq (fx.apps_created, 1);
  SipAddress *from = sipservlet_factory_create_address (factory, "\"UAC\" <sip:uac@127.0.0.1>", &error);
  ck_assert_ptr_nonnull (from);
  char *to_text = g_strdup_printf ("<sip:peer@127.0.0.1:%u>", peer_port);
  SipAddress *to = sipservlet_factory_create_address (factory, to_text, &error);
  ck_assert_ptr_nonnull (to);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, "OPTIONS",
                                                                  from, to, &error);
  ck_assert_msg (request != NULL, "create_request: %s", error ? error->message : "?");
  sipservlet_address_unref (from);
  sipservlet_address_unref (to);
  g_free (to_text);
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (request));
  ck_assert_ptr_nonnull (session);
  sipservlet_session_set_handler (session, fx.servlet);
  fx.state.sent_request = request;
  ck_assert_msg (sipservlet_request_send (request, &error), "send: %s",
                 error ? error->message : "?");

  FakeMessage *m = peer_next_request (fx.peer, "OPTIONS");
  ck_assert_uint_eq (m->transport, FAKE_UDP);
  char *expected_ruri = g_strdup_printf ("sip:peer@127.0.0.1:%u", peer_port);
  ck_assert_str_eq (m->request_uri, expected_ruri);
  g_free (expected_ruri);
  ck_assert_str_eq (fake_message_header (m, "CSeq"), "1 OPTIONS");
  ck_assert_str_eq (fake_message_header (m, "Max-Forwards"), "70");
  char *from_tag = fake_header_param (fake_message_header (m, "From"), "tag");
  ck_assert_msg (from_tag != NULL && from_tag[0] != '\0', "no From tag:\n%s", m->raw);
  g_free (from_tag);
  char *branch = fake_header_param (fake_message_header (m, "Via"), "branch");
  ck_assert_msg (branch != NULL && g_str_has_prefix (branch, "z9hG4bK"), "bad branch:\n%s", m->raw);
  g_free (branch);
  ck_assert_ptr_null (fake_header_param (fake_message_header (m, "To"), "tag"));

  char *reply = fake_peer_build_response (m, 200, "OK", "peer-uas", "Allow: INVITE, OPTIONS\r\n");
  fake_message_free (m);
  peer_send (fx.peer, reply);
  g_free (reply);

  ck_assert_msg (fake_peer_run_until (fx.peer, uint_nonzero, &fx.state.success, WAIT_MS),
                 "do_success_response did not run");
  ck_assert_uint_eq (fx.state.success, 1);
  ck_assert_uint_eq (fx.state.last_success_status, 200);
  ck_assert_str_eq (fx.state.last_success_method, "OPTIONS");
  ck_assert (fx.state.success_request_matches);
  ck_assert_uint_eq (fx.state.error_response, 0);
  /* A received response says where it came from. */
  char *source = g_strdup_printf ("127.0.0.1:%u/UDP", peer_port);
  ck_assert_str_eq (fx.state.last_response_source, source);
  g_free (source);
  ck_assert (!fx.state.last_response_local);

  g_clear_pointer (&fx.state.sent_request, sipservlet_request_unref);
  expect_sessions_settle ();
  ck_assert_uint_eq (fx.sessions_created, 1);
  ck_assert_uint_eq (fx.sessions_destroyed, 1);
  ck_assert_uint_eq (fx.apps_destroyed, 1);
}
END_TEST

/* A request that cannot reach its target: the servlet gets the response
 * the transaction layer made (503), marked locally generated, with no
 * remote address. */
START_TEST (test_uac_unreachable)
{
  GError *error = NULL;
  add_servlet (&full_handlers);
  SipFactory *factory = sipservlet_servlet_get_factory (fx.servlet);
  guint16 closed = closed_tcp_port ();

  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:uac@127.0.0.1>", NULL);
  g_autofree char *to_text = g_strdup_printf ("<sip:peer@127.0.0.1:%u;transport=tcp>", closed);
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, NULL);
  SipServletRequest *request = sipservlet_factory_create_request (factory, app, "OPTIONS",
                                                                  from, to, &error);
  ck_assert_msg (request != NULL, "create_request: %s", error ? error->message : "?");
  sipservlet_session_set_handler (sipservlet_message_get_session (SIPSERVLET_MESSAGE (request)),
                                  fx.servlet);
  fx.state.sent_request = request;
  ck_assert (sipservlet_request_send (request, &error));
  ck_assert_msg (fake_peer_run_until (fx.peer, uint_nonzero, &fx.state.error_response, WAIT_MS),
                 "no error response");
  ck_assert_uint_ge (fx.state.last_error_status, 500);
  ck_assert (fx.state.last_response_local);
  ck_assert_str_eq (fx.state.last_response_source, "-:-1/-");
  g_clear_pointer (&fx.state.sent_request, sipservlet_request_unref);
}
END_TEST

/* Header values longer than 128 bytes must reach the servlet intact (and
 * must not make the container refuse the request). */
START_TEST (test_long_header_values)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, FAKE_UDP);

  GString *user = g_string_new (NULL);
  for (int i = 0; i < 20; i++)
    g_string_append (user, "longuser.");
  char *from = g_strdup_printf ("<sip:%s@127.0.0.1:%u>;tag=%s",
                                user->str, fake_peer_get_port (fx.peer, FAKE_UDP), call.from_tag);
  g_string_free (user, TRUE);
  char *text = build_request (&call, "OPTIONS", 0, NULL, NULL, NULL);
  /* Swap the From line for the long one. */
  char **lines = g_strsplit (text, "\r\n", -1);
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix (*l, "From: "))
      {
        g_free (*l);
        *l = g_strconcat ("From: ", from, NULL);
      }
  g_free (text);
  text = g_strjoinv ("\r\n", lines);
  g_strfreev (lines);
  call_send (&call, text);
  g_free (text);

  /* Collect first, assert after freeing: a failure here must not add
   * the test's own leaks to a valgrind report. */
  FakeMessage *m = fake_peer_wait_final_or_provisional (fx.peer, WAIT_MS);
  guint status = m != NULL ? m->status : 0;
  char *raw = g_strdup (m != NULL ? m->raw : "(nothing)");
  fake_message_free (m);
  gboolean tag_ok = g_strcmp0 (fx.state.seen_from_tag, call.from_tag) == 0;
  gboolean from_ok = g_strcmp0 (fx.state.seen_from, from) == 0;
  char *problem = NULL;
  if (status != 200)
    problem = g_strdup_printf ("expected 200 to an OPTIONS with a %zu-byte From, got:\n%s",
                               strlen (from), raw);
  else if (!tag_ok)
    problem = g_strdup_printf ("get_from() lost the tag: '%s'", fx.state.seen_from_tag);
  else if (!from_ok)
    problem = g_strdup_printf ("get_header(\"From\") returned\n  '%s'\nfor\n  '%s'",
                               fx.state.seen_from, from);
  g_free (raw);
  g_free (from);
  call_clear (&call);
  if (problem != NULL)
    {
      /* The message lives on in Check's report; keep it static. */
      static char report[4096];
      g_strlcpy (report, problem, sizeof report);
      g_free (problem);
      ck_abort_msg ("%s", report);
    }
  ck_assert_uint_eq (fx.state.options, 1);
  expect_sessions_settle ();
}
END_TEST

START_TEST (test_shutdown)
{
  Call call;
  add_servlet (&full_handlers);
  call_init (&call, FAKE_UDP);

  /* One call that completes first, so shutdown has sessions to drop. */
  char *text = build_request (&call, "OPTIONS", 0, NULL, NULL, NULL);
  call_send (&call, text);
  g_free (text);
  FakeMessage *m = expect_response (&call, 200, "OPTIONS");
  fake_message_free (m);

  sipservlet_container_shutdown (fx.container, on_shutdown_done, &fx);
  ck_assert_uint_eq (fx.shutdown_calls, 0);   /* asynchronous */
  /* A new request during shutdown is refused. */
  Call late;
  call_init (&late, FAKE_UDP);
  text = build_request (&late, "OPTIONS", 0, NULL, NULL, NULL);
  call_send (&late, text);
  g_free (text);
  ck_assert_msg (fake_peer_run_until (fx.peer, is_shut_down, NULL, 40000),
                 "shutdown did not complete");
  ck_assert_uint_eq (fx.shutdown_calls, 1);
  ck_assert_uint_eq (fx.state.destroy, 1);
  m = fake_peer_wait (fx.peer, 1000);
  ck_assert_msg (m != NULL, "no answer to a request sent during shutdown");
  ck_assert_msg (m->status == 503, "expected 503 during shutdown, got:\n%s", m->raw);
  fake_message_free (m);
  ck_assert_uint_eq (fx.state.options, 1);

  /* A second shutdown is a no-op and the callback never runs twice. */
  sipservlet_container_shutdown (fx.container, on_shutdown_done, &fx);
  fake_peer_run (fx.peer, 200);
  ck_assert_uint_eq (fx.shutdown_calls, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (fx.container), 0);

  /* teardown unrefs: the servlet's user data goes exactly once. */
  ck_assert_uint_eq (fx.state.freed, 0);
  call_clear (&call);
  call_clear (&late);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("integration-inprocess");
  TCase *tc = tcase_create ("inprocess");

  tcase_set_timeout (tc, 120);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_respond_with);
  tcase_add_loop_test (tc, test_options, 0, G_N_ELEMENTS (transports));
  tcase_add_loop_test (tc, test_invite_call, 0, G_N_ELEMENTS (transports));
  tcase_add_test (tc, test_call_outlives_expiry);
  tcase_add_test (tc, test_record_route_copied);
  tcase_add_test (tc, test_jsr289_defaults);
  tcase_add_test (tc, test_unrepresentable_request_uri);
  tcase_add_test (tc, test_unanswered);
  tcase_add_test (tc, test_deferred_answer);
  tcase_add_test (tc, test_cancel_before_answer);
  tcase_add_test (tc, test_2xx_retransmission);
  tcase_add_test (tc, test_non_invite_retransmission);
  tcase_add_test (tc, test_non_invite_retransmission_rfc2543);
  tcase_add_test (tc, test_uac_options);
  tcase_add_test (tc, test_uac_unreachable);
  tcase_add_test (tc, test_long_header_values);
  tcase_add_test (tc, test_shutdown);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
