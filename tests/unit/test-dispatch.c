/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of JSR 289 dispatch: request handlers by method, response
 * handlers by status class, and the container's choice of servlet. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

typedef struct {
  guint calls;
  const char *last;
  SipServlet *servlet;
  gpointer message;
  gboolean dispatching_seen;
} Recorder;

static SipContainer *container;
static Recorder recorder;

static void
setup (void)
{
  memset (&recorder, 0, sizeof recorder);
  container = unit_container_new ();
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
  unit_defer_flush ();
}

#define RECORDING_REQUEST_HANDLER(fn)                                          \
  static void fn (SipServlet *servlet, SipServletRequest *request, gpointer data) \
  {                                                                            \
    Recorder *r = data;                                                        \
    r->calls++;                                                                \
    r->last = #fn;                                                             \
    r->servlet = servlet;                                                      \
    r->message = request;                                                      \
    r->dispatching_seen = request->dispatching;                                \
  }

#define RECORDING_RESPONSE_HANDLER(fn)                                         \
  static void fn (SipServlet *servlet, SipServletResponse *response, gpointer data) \
  {                                                                            \
    Recorder *r = data;                                                        \
    r->calls++;                                                                \
    r->last = #fn;                                                             \
    r->servlet = servlet;                                                      \
    r->message = response;                                                     \
  }

RECORDING_REQUEST_HANDLER (do_request)
RECORDING_REQUEST_HANDLER (do_invite)
RECORDING_REQUEST_HANDLER (do_ack)
RECORDING_REQUEST_HANDLER (do_options)
RECORDING_REQUEST_HANDLER (do_bye)
RECORDING_REQUEST_HANDLER (do_cancel)
RECORDING_REQUEST_HANDLER (do_register)
RECORDING_REQUEST_HANDLER (do_subscribe)
RECORDING_REQUEST_HANDLER (do_notify)
RECORDING_REQUEST_HANDLER (do_message)
RECORDING_REQUEST_HANDLER (do_info)
RECORDING_REQUEST_HANDLER (do_prack)
RECORDING_REQUEST_HANDLER (do_update)
RECORDING_REQUEST_HANDLER (do_refer)
RECORDING_REQUEST_HANDLER (do_publish)
RECORDING_REQUEST_HANDLER (do_unknown)
RECORDING_RESPONSE_HANDLER (do_response)
RECORDING_RESPONSE_HANDLER (do_provisional_response)
RECORDING_RESPONSE_HANDLER (do_success_response)
RECORDING_RESPONSE_HANDLER (do_redirect_response)
RECORDING_RESPONSE_HANDLER (do_error_response)
RECORDING_RESPONSE_HANDLER (do_branch_response)

/* Every per-method and per-class handler, no catch-alls. */
static const SipServletHandlers per_method = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = do_invite,
  .do_ack = do_ack,
  .do_options = do_options,
  .do_bye = do_bye,
  .do_cancel = do_cancel,
  .do_register = do_register,
  .do_subscribe = do_subscribe,
  .do_notify = do_notify,
  .do_message = do_message,
  .do_info = do_info,
  .do_prack = do_prack,
  .do_update = do_update,
  .do_refer = do_refer,
  .do_publish = do_publish,
  .do_unknown = do_unknown,
  .do_provisional_response = do_provisional_response,
  .do_success_response = do_success_response,
  .do_redirect_response = do_redirect_response,
  .do_error_response = do_error_response,
  .do_branch_response = do_branch_response,
};

static SipServletRequest *
new_request (const char *method)
{
  char *text = g_strdup_printf ("%s sip:bob@example.com SIP/2.0" CRLF
                                "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d" CRLF
                                "Max-Forwards: 70" CRLF
                                "From: <sip:alice@example.com>;tag=a1" CRLF
                                "To: <sip:bob@example.com>" CRLF
                                "Call-ID: dispatch-1" CRLF
                                "CSeq: 1 %s" CRLF
                                "Contact: <sip:alice@192.0.2.1>" CRLF
                                "Content-Length: 0" CRLF
                                CRLF, method, method);
  SipServletRequest *request = unit_request_new (container, text, TRUE);
  g_free (text);
  ck_assert_str_eq (sipservlet_message_get_method (SIPSERVLET_MESSAGE (request)), method);
  return request;
}

static SipServletResponse *
new_response (guint status)
{
  char *text = g_strdup_printf ("SIP/2.0 %u Something" CRLF
                                "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-d" CRLF
                                "From: <sip:alice@example.com>;tag=a1" CRLF
                                "To: <sip:bob@example.com>;tag=b1" CRLF
                                "Call-ID: dispatch-1" CRLF
                                "CSeq: 1 INVITE" CRLF
                                "Content-Length: 0" CRLF
                                CRLF, status);
  SipServletResponse *response = unit_response_new (container, text, TRUE);
  g_free (text);
  ck_assert_uint_eq (sipservlet_response_get_status (response), status);
  return response;
}

/* Copies per_method with one request member cleared. */
static SipServletHandlers
per_method_without (const char *handler)
{
  SipServletHandlers h = per_method;
  static const struct {
    const char *name;
    gsize offset;
  } members[] = {
#define M(x) { #x, G_STRUCT_OFFSET (SipServletHandlers, x) }
    M (do_invite), M (do_ack), M (do_options), M (do_bye), M (do_cancel),
    M (do_register), M (do_subscribe), M (do_notify), M (do_message),
    M (do_info), M (do_prack), M (do_update), M (do_refer), M (do_publish),
    M (do_unknown),
#undef M
  };
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    if (strcmp (members[i].name, handler) == 0)
      {
        G_STRUCT_MEMBER (SipServletRequestFunc, &h, members[i].offset) = NULL;
        return h;
      }
  ck_abort_msg ("no member %s", handler);
  return h;
}

/* ---- requests ---------------------------------------------------------------- */

static const struct {
  const char *method;
  const char *handler;
} method_cases[] = {
  { "INVITE", "do_invite" },
  { "ACK", "do_ack" },
  { "OPTIONS", "do_options" },
  { "BYE", "do_bye" },
  { "CANCEL", "do_cancel" },
  { "REGISTER", "do_register" },
  { "SUBSCRIBE", "do_subscribe" },
  { "NOTIFY", "do_notify" },
  { "MESSAGE", "do_message" },
  { "INFO", "do_info" },
  { "PRACK", "do_prack" },
  { "UPDATE", "do_update" },
  { "REFER", "do_refer" },
  { "PUBLISH", "do_publish" },
  { "FOO", "do_unknown" },
  { "X-CUSTOM.1", "do_unknown" },
  /* Methods are case-sensitive (RFC 3261 §7.1): not an INVITE. */
  { "invite", "do_unknown" },
};

START_TEST (test_request_per_method)
{
  SipServlet *servlet = sipservlet_servlet_new ("m", &per_method, &recorder, NULL);
  SipServletRequest *request = new_request (method_cases[_i].method);

  ck_assert (sipsv_servlet_dispatch_request (servlet, request));
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, method_cases[_i].handler);
  ck_assert_ptr_eq (recorder.servlet, servlet);
  ck_assert_ptr_eq (recorder.message, request);
  /* Flagged as inside the callback only during the call. */
  ck_assert (recorder.dispatching_seen);
  ck_assert (!request->dispatching);

  sipservlet_request_unref (request);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_request_handler_missing)
{
  /* Every handler but the right one: no other handler stands in. */
  SipServletHandlers h = per_method_without (method_cases[_i].handler);
  SipServlet *servlet = sipservlet_servlet_new ("m", &h, &recorder, NULL);
  SipServletRequest *request = new_request (method_cases[_i].method);

  ck_assert (!sipsv_servlet_dispatch_request (servlet, request));
  ck_assert_uint_eq (recorder.calls, 0);
  ck_assert (!request->dispatching);

  sipservlet_request_unref (request);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_request_only_one_handler)
{
  /* A servlet with just the matching handler. */
  SipServletHandlers h = { SIPSERVLET_HANDLERS_INIT };
  SipServletHandlers all = per_method;
  SipServletHandlers without = per_method_without (method_cases[_i].handler);
  /* Find the member that differs and copy it alone. */
  for (gsize off = G_STRUCT_OFFSET (SipServletHandlers, do_invite);
       off <= G_STRUCT_OFFSET (SipServletHandlers, do_unknown); off += sizeof (gpointer))
    if (G_STRUCT_MEMBER (SipServletRequestFunc, &without, off) == NULL)
      G_STRUCT_MEMBER (SipServletRequestFunc, &h, off)
        = G_STRUCT_MEMBER (SipServletRequestFunc, &all, off);
  SipServlet *servlet = sipservlet_servlet_new ("one", &h, &recorder, NULL);
  SipServletRequest *request = new_request (method_cases[_i].method);

  ck_assert (sipsv_servlet_dispatch_request (servlet, request));
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, method_cases[_i].handler);

  sipservlet_request_unref (request);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_do_request_wins)
{
  SipServletHandlers h = per_method;
  h.do_request = do_request;
  SipServlet *servlet = sipservlet_servlet_new ("catch-all", &h, &recorder, NULL);
  SipServletRequest *request = new_request (method_cases[_i].method);

  ck_assert (sipsv_servlet_dispatch_request (servlet, request));
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, "do_request");
  ck_assert (recorder.dispatching_seen);

  sipservlet_request_unref (request);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_no_request_handlers)
{
  static const SipServletHandlers responses_only = {
    SIPSERVLET_HANDLERS_INIT,
    .do_response = do_response,
  };
  SipServlet *servlet = sipservlet_servlet_new ("r", &responses_only, &recorder, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (method_cases); i++)
    {
      SipServletRequest *request = new_request (method_cases[i].method);
      ck_assert_msg (!sipsv_servlet_dispatch_request (servlet, request), "%s handled",
                     method_cases[i].method);
      sipservlet_request_unref (request);
    }
  ck_assert_uint_eq (recorder.calls, 0);
  sipservlet_servlet_unref (servlet);
}
END_TEST

/* ---- responses ---------------------------------------------------------------- */

static const struct {
  guint status;
  const char *handler;
} status_cases[] = {
  { 180, "do_provisional_response" },
  { 183, "do_provisional_response" },
  { 199, "do_provisional_response" },
  { 200, "do_success_response" },
  { 202, "do_success_response" },
  { 299, "do_success_response" },
  { 300, "do_redirect_response" },
  { 302, "do_redirect_response" },
  { 399, "do_redirect_response" },
  { 400, "do_error_response" },
  { 404, "do_error_response" },
  { 487, "do_error_response" },
  { 500, "do_error_response" },
  { 503, "do_error_response" },
  { 600, "do_error_response" },
  { 699, "do_error_response" },
};

START_TEST (test_response_by_class)
{
  SipServlet *servlet = sipservlet_servlet_new ("r", &per_method, &recorder, NULL);
  SipServletResponse *response = new_response (status_cases[_i].status);

  sipsv_servlet_dispatch_response (servlet, response);
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, status_cases[_i].handler);
  ck_assert_ptr_eq (recorder.servlet, servlet);
  ck_assert_ptr_eq (recorder.message, response);

  sipservlet_response_unref (response);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_do_response_wins)
{
  SipServletHandlers h = per_method;
  h.do_response = do_response;
  SipServlet *servlet = sipservlet_servlet_new ("r", &h, &recorder, NULL);
  SipServletResponse *response = new_response (status_cases[_i].status);

  sipsv_servlet_dispatch_response (servlet, response);
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, "do_response");

  sipservlet_response_unref (response);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_response_no_fallback)
{
  /* Only the error handler: other classes reach nothing. */
  static const SipServletHandlers errors_only = {
    SIPSERVLET_HANDLERS_INIT,
    .do_invite = do_invite,
    .do_error_response = do_error_response,
  };
  SipServlet *servlet = sipservlet_servlet_new ("e", &errors_only, &recorder, NULL);
  const guint statuses[] = { 180, 200, 302, 486 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      SipServletResponse *response = new_response (statuses[i]);
      sipsv_servlet_dispatch_response (servlet, response);
      sipservlet_response_unref (response);
    }
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, "do_error_response");
  sipservlet_servlet_unref (servlet);
}
END_TEST

/* ---- container servlet selection ---------------------------------------------- */

/* Servlet user data. Tests keep it in static storage: the container may
 * call the destroy handler after a failed test has left its frame. */
/* Servlet user data. Tests keep it in static storage: after a failed
 * assertion the fixture frees the container, which calls the destroy
 * handler. */
typedef struct {
  guint inits;
  guint destroys;
  gboolean fail;
} Life;

static gboolean
life_init (SipServlet *servlet, gpointer data, GError **error)
{
  Life *life = data;
  life->inits++;
  /* The container is known during init. */
  ck_assert_ptr_eq (sipservlet_servlet_get_container (servlet), container);
  ck_assert_ptr_eq (sipservlet_servlet_get_factory (servlet),
                    sipservlet_container_get_factory (container));
  if (life->fail)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "no database");
      return FALSE;
    }
  return TRUE;
}

static void
life_destroy (SipServlet *servlet, gpointer data)
{
  ((Life *) data)->destroys++;
}

static const SipServletHandlers life_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .init = life_init,
  .destroy = life_destroy,
};

START_TEST (test_select_servlet)
{
  static Life l1;
  l1 = (Life) { 0 };
  static Life l2;
  l2 = (Life) { 0 };
  SipServlet *registrar = sipservlet_servlet_new ("registrar", &life_handlers, &l1, NULL);
  SipServlet *fallback = sipservlet_servlet_new ("default", &life_handlers, &l2, NULL);
  GError *error = NULL;

  ck_assert_ptr_null (sipsv_container_select_servlet (container, "INVITE"));

  ck_assert (sipservlet_container_add_servlet (container, registrar, "register", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (l1.inits, 1);
  ck_assert_ptr_eq (sipservlet_servlet_get_container (registrar), container);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "REGISTER"), registrar);
  /* No default yet. */
  ck_assert_ptr_null (sipsv_container_select_servlet (container, "INVITE"));

  ck_assert (sipservlet_container_add_servlet (container, fallback, NULL, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (l2.inits, 1);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "REGISTER"), registrar);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "INVITE"), fallback);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "OPTIONS"), fallback);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "FOO"), fallback);

  /* The same servlet for a second method: init is not run again. */
  ck_assert (sipservlet_container_add_servlet (container, registrar, "OPTIONS", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (l1.inits, 1);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "OPTIONS"), registrar);

  sipservlet_servlet_unref (registrar);
  sipservlet_servlet_unref (fallback);
  g_clear_pointer (&container, sipservlet_container_unref);
  /* destroy once each, even for the servlet registered twice. */
  ck_assert_uint_eq (l1.destroys, 1);
  ck_assert_uint_eq (l2.destroys, 1);
}
END_TEST

START_TEST (test_duplicate_registration)
{
  static Life l1;
  l1 = (Life) { 0 };
  static Life l2;
  l2 = (Life) { 0 };
  static Life l3;
  l3 = (Life) { 0 };
  static Life l4;
  l4 = (Life) { 0 };
  SipServlet *first = sipservlet_servlet_new ("first", &life_handlers, &l1, NULL);
  SipServlet *second = sipservlet_servlet_new ("second", &life_handlers, &l2, NULL);
  SipServlet *def1 = sipservlet_servlet_new ("def1", &life_handlers, &l3, NULL);
  SipServlet *def2 = sipservlet_servlet_new ("def2", &life_handlers, &l4, NULL);
  GError *error = NULL;

  ck_assert (sipservlet_container_add_servlet (container, first, "MESSAGE", &error));
  ck_assert (!sipservlet_container_add_servlet (container, second, "MESSAGE", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  /* Refused before its init ran. */
  ck_assert_uint_eq (l2.inits, 0);
  ck_assert_ptr_null (sipservlet_servlet_get_container (second));
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "MESSAGE"), first);

  ck_assert (sipservlet_container_add_servlet (container, def1, NULL, &error));
  ck_assert (!sipservlet_container_add_servlet (container, def2, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (l4.inits, 0);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "INFO"), def1);

  sipservlet_servlet_unref (first);
  sipservlet_servlet_unref (second);
  sipservlet_servlet_unref (def1);
  sipservlet_servlet_unref (def2);
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (l1.destroys, 1);
  ck_assert_uint_eq (l2.destroys, 0);
  ck_assert_uint_eq (l3.destroys, 1);
  ck_assert_uint_eq (l4.destroys, 0);
}
END_TEST

START_TEST (test_duplicate_registration_case)
{
  static Life l1;
  l1 = (Life) { 0 };
  static Life l2;
  l2 = (Life) { 0 };
  SipServlet *upper = unit_defer (sipservlet_servlet_new ("upper", &life_handlers, &l1, NULL),
                                  (GDestroyNotify) sipservlet_servlet_unref);
  SipServlet *lower = unit_defer (sipservlet_servlet_new ("lower", &life_handlers, &l2, NULL),
                                  (GDestroyNotify) sipservlet_servlet_unref);
  GError *error = NULL;

  /* add_servlet registers "register" as REGISTER, so it is the same
   * method: the second registration must be refused, not replace the
   * first one. */
  ck_assert (sipservlet_container_add_servlet (container, upper, "REGISTER", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (!sipservlet_container_add_servlet (container, lower, "register", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "REGISTER"), upper);
  ck_assert_uint_eq (l2.inits, 0);
}
END_TEST

START_TEST (test_registration_method_case)
{
  static Life l1;
  l1 = (Life) { 0 };
  static Life l2;
  l2 = (Life) { 0 };
  SipServlet *lower = sipservlet_servlet_new ("lower", &life_handlers, &l1, NULL);
  SipServlet *upper = sipservlet_servlet_new ("upper", &life_handlers, &l2, NULL);
  GError *error = NULL;

  /* The reverse order is refused. */
  ck_assert (sipservlet_container_add_servlet (container, lower, "register", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "REGISTER"), lower);
  ck_assert (!sipservlet_container_add_servlet (container, upper, "REGISTER", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "REGISTER"), lower);

  sipservlet_servlet_unref (lower);
  sipservlet_servlet_unref (upper);
  g_clear_pointer (&container, sipservlet_container_unref);
}
END_TEST

START_TEST (test_init_failure)
{
  static Life failing;
  failing = (Life) { .fail = TRUE };
  static Life good;
  good = (Life) { 0 };
  SipServlet *bad = sipservlet_servlet_new ("bad", &life_handlers, &failing, NULL);
  SipServlet *counted = sipservlet_servlet_new ("counted", &life_handlers, &good, NULL);
  SipServlet *bad_default = sipservlet_servlet_new ("bad-default", &(SipServletHandlers) {
                                                SIPSERVLET_HANDLERS_INIT, .init = life_init },
                                              &failing, NULL);
  GError *error = NULL;

  ck_assert (!sipservlet_container_add_servlet (container, bad, "SUBSCRIBE", &error));
  /* The init handler's own error comes back. */
  ck_assert_ptr_nonnull (error);
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED));
  ck_assert_str_eq (error->message, "no database");
  g_clear_error (&error);
  ck_assert_uint_eq (failing.inits, 1);
  /* Not registered. */
  ck_assert_ptr_null (sipsv_container_select_servlet (container, "SUBSCRIBE"));
  ck_assert_ptr_null (sipservlet_servlet_get_container (bad));
  ck_assert_ptr_null (sipservlet_servlet_get_factory (bad));
  ck_assert_uint_eq (container->servlets->len, 0);

  /* The default slot as well. */
  ck_assert (!sipservlet_container_add_servlet (container, bad_default, NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_FAILED);
  ck_assert_ptr_null (sipsv_container_select_servlet (container, "INVITE"));

  /* The method is still free for another servlet. */
  ck_assert (sipservlet_container_add_servlet (container, counted, "SUBSCRIBE", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "SUBSCRIBE"), counted);

  /* A failed servlet may be fixed and added again. */
  failing.fail = FALSE;
  ck_assert (sipservlet_container_add_servlet (container, bad, "NOTIFY", &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_uint_eq (failing.inits, 3);
  ck_assert_ptr_eq (sipsv_container_select_servlet (container, "NOTIFY"), bad);

  sipservlet_servlet_unref (bad);
  sipservlet_servlet_unref (counted);
  sipservlet_servlet_unref (bad_default);
  g_clear_pointer (&container, sipservlet_container_unref);
  /* destroy only for servlets whose init succeeded. */
  ck_assert_uint_eq (failing.destroys, 1);
  ck_assert_uint_eq (good.destroys, 1);
}
END_TEST

START_TEST (test_servlet_in_another_container)
{
  static Life life;
  life = (Life) { 0 };
  SipServlet *servlet = sipservlet_servlet_new ("s", &life_handlers, &life, NULL);
  SipContainer *other = unit_container_new ();
  GError *error = NULL;

  ck_assert (sipservlet_container_add_servlet (container, servlet, "INFO", &error));
  ck_assert (!sipservlet_container_add_servlet (other, servlet, "INFO", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_ptr_null (sipsv_container_select_servlet (other, "INFO"));
  ck_assert_ptr_eq (sipservlet_servlet_get_container (servlet), container);
  ck_assert_uint_eq (life.inits, 1);

  sipservlet_container_unref (other);
  ck_assert_uint_eq (life.destroys, 0);
  sipservlet_servlet_unref (servlet);
  /* life is on this stack frame: the container must go before it does. */
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (life.destroys, 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("dispatch");
  TCase *requests = tcase_create ("requests");
  TCase *responses = tcase_create ("responses");
  TCase *selection = tcase_create ("selection");

  tcase_add_checked_fixture (requests, setup, teardown);
  tcase_add_loop_test (requests, test_request_per_method, 0, G_N_ELEMENTS (method_cases));
  tcase_add_loop_test (requests, test_request_handler_missing, 0, G_N_ELEMENTS (method_cases));
  tcase_add_loop_test (requests, test_request_only_one_handler, 0, G_N_ELEMENTS (method_cases));
  tcase_add_loop_test (requests, test_do_request_wins, 0, G_N_ELEMENTS (method_cases));
  tcase_add_test (requests, test_no_request_handlers);
  suite_add_tcase (s, requests);

  tcase_add_checked_fixture (responses, setup, teardown);
  tcase_add_loop_test (responses, test_response_by_class, 0, G_N_ELEMENTS (status_cases));
  tcase_add_loop_test (responses, test_do_response_wins, 0, G_N_ELEMENTS (status_cases));
  tcase_add_test (responses, test_response_no_fallback);
  suite_add_tcase (s, responses);

  tcase_add_checked_fixture (selection, setup, teardown);
  tcase_add_test (selection, test_select_servlet);
  tcase_add_test (selection, test_duplicate_registration);
  tcase_add_test (selection, test_duplicate_registration_case);
  tcase_add_test (selection, test_registration_method_case);
  tcase_add_test (selection, test_init_failure);
  tcase_add_test (selection, test_servlet_in_another_container);
  suite_add_tcase (s, selection);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
