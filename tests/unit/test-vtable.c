/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the SipServletHandlers vtable: copying, struct_size
 * versioning and the servlet's lifetime. */
#include <sipservlet/sipservlet.h>

#include <stddef.h>
#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

/* Counters that a destroy notify or listener writes are static, not on
 * the test's stack: after a failed assertion the fixture frees the
 * container, which may still call them. */
#define INVITE_TEXT                                                           \
  "INVITE sip:bob@example.com SIP/2.0" CRLF                                   \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-v" CRLF                     \
  "Max-Forwards: 70" CRLF                                                     \
  "From: <sip:alice@example.com>;tag=a1" CRLF                                 \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: vtable-1" CRLF                                                    \
  "CSeq: 1 INVITE" CRLF                                                       \
  "Contact: <sip:alice@192.0.2.1>" CRLF                                       \
  "Content-Length: 0" CRLF                                                    \
  CRLF

#define OK_TEXT                                                               \
  "SIP/2.0 200 OK" CRLF                                                       \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-v" CRLF                     \
  "From: <sip:alice@example.com>;tag=a1" CRLF                                 \
  "To: <sip:bob@example.com>;tag=b1" CRLF                                     \
  "Call-ID: vtable-1" CRLF                                                    \
  "CSeq: 1 INVITE" CRLF                                                       \
  "Content-Length: 0" CRLF                                                    \
  CRLF

typedef struct {
  guint calls;
  guint destroys;
  const char *last;
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
}

#define RECORDING_REQUEST_HANDLER(fn)                                          \
  static void fn (SipServlet *servlet, SipServletRequest *request, gpointer data) \
  {                                                                            \
    Recorder *r = data;                                                        \
    r->calls++;                                                                \
    r->last = #fn;                                                             \
  }

#define RECORDING_RESPONSE_HANDLER(fn)                                         \
  static void fn (SipServlet *servlet, SipServletResponse *response, gpointer data) \
  {                                                                            \
    Recorder *r = data;                                                        \
    r->calls++;                                                                \
    r->last = #fn;                                                             \
  }

RECORDING_REQUEST_HANDLER (handler_a)
RECORDING_REQUEST_HANDLER (handler_b)
RECORDING_REQUEST_HANDLER (handler_request)
RECORDING_RESPONSE_HANDLER (handler_response)
RECORDING_RESPONSE_HANDLER (handler_success)

static gboolean
init_ok (SipServlet *servlet, gpointer data, GError **error)
{
  ((Recorder *) data)->calls++;
  return TRUE;
}

static void
destroy_handler (SipServlet *servlet, gpointer data)
{
  ((Recorder *) data)->destroys++;
}

static gboolean
dispatch_invite (SipServlet *servlet)
{
  SipServletRequest *request = unit_request_new (container, INVITE_TEXT, TRUE);
  gboolean handled = sipsv_servlet_dispatch_request (servlet, request);
  sipservlet_request_unref (request);
  return handled;
}

static void
dispatch_ok (SipServlet *servlet)
{
  SipServletResponse *response = unit_response_new (container, OK_TEXT, TRUE);
  sipsv_servlet_dispatch_response (servlet, response);
  sipservlet_response_unref (response);
}

START_TEST (test_table_is_copied)
{
  SipServletHandlers handlers = {
    SIPSERVLET_HANDLERS_INIT,
    .do_invite = handler_a,
  };
  SipServlet *servlet = sipservlet_servlet_new ("copy", &handlers, &recorder, NULL);

  ck_assert_ptr_nonnull (servlet);
  /* Changing (even wrecking) the caller's table afterwards has no effect. */
  handlers.do_invite = handler_b;
  handlers.do_request = handler_request;
  handlers.struct_size = 0;
  ck_assert (dispatch_invite (servlet));
  ck_assert_uint_eq (recorder.calls, 1);
  ck_assert_str_eq (recorder.last, "handler_a");
  ck_assert_uint_eq (servlet->handlers.struct_size, sizeof (SipServletHandlers));
  ck_assert_ptr_null (servlet->handlers.do_request);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_name_and_user_data)
{
  static const SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT };
  char name[] = "registrar";
  SipServlet *servlet = sipservlet_servlet_new (name, &handlers, &recorder, NULL);

  name[0] = 'X';
  ck_assert_str_eq (sipservlet_servlet_get_name (servlet), "registrar");
  ck_assert_ptr_eq (sipservlet_servlet_get_user_data (servlet), &recorder);
  ck_assert_ptr_null (sipservlet_servlet_get_container (servlet));
  ck_assert_ptr_null (sipservlet_servlet_get_factory (servlet));
  /* No handler at all: nothing handles anything. */
  ck_assert (!dispatch_invite (servlet));
  dispatch_ok (servlet);
  ck_assert_uint_eq (recorder.calls, 0);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_struct_size_too_large)
{
  SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT, .do_invite = handler_a };
  static guint destroyed;
  destroyed = 0;
  UnitLogCatcher catcher;

  /* From headers newer than the library. */
  handlers.struct_size = sizeof (SipServletHandlers) + sizeof (gpointer);
  unit_log_catcher_begin (&catcher);
  SipServlet *servlet = sipservlet_servlet_new ("new", &handlers, &destroyed,
                                                unit_count_destroy);
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (servlet);
  /* The user data stays the caller's. */
  ck_assert_uint_eq (destroyed, 0);
}
END_TEST

START_TEST (test_struct_size_zero)
{
  SipServletHandlers handlers = { .do_invite = handler_a };
  static guint destroyed;
  destroyed = 0;
  UnitLogCatcher catcher;

  /* Not initialised with SIPSERVLET_HANDLERS_INIT. */
  unit_log_catcher_begin (&catcher);
  SipServlet *servlet = sipservlet_servlet_new ("zero", &handlers, &destroyed,
                                                unit_count_destroy);
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (servlet);
  ck_assert_uint_eq (destroyed, 0);
}
END_TEST

START_TEST (test_null_arguments)
{
  static const SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT };
  UnitLogCatcher catcher;

  unit_log_catcher_begin (&catcher);
  ck_assert_ptr_null (sipservlet_servlet_new (NULL, &handlers, NULL, NULL));
  ck_assert_ptr_null (sipservlet_servlet_new ("x", NULL, NULL, NULL));
  ck_assert_uint_eq (catcher.criticals, 2);
  unit_log_catcher_end (&catcher);
}
END_TEST

START_TEST (test_older_struct_size)
{
  /* Every member set, but the host's header ended before do_response. */
  SipServletHandlers handlers = {
    SIPSERVLET_HANDLERS_INIT,
    .do_invite = handler_a,
    .do_bye = handler_b,
    .do_response = handler_response,
    .do_provisional_response = handler_response,
    .do_success_response = handler_success,
    .do_redirect_response = handler_response,
    .do_error_response = handler_response,
    .do_branch_response = handler_response,
  };
  handlers.struct_size = offsetof (SipServletHandlers, do_response);
  SipServlet *servlet = sipservlet_servlet_new ("old", &handlers, &recorder, NULL);

  ck_assert_ptr_nonnull (servlet);
  ck_assert_uint_eq (servlet->handlers.struct_size, sizeof (SipServletHandlers));
  ck_assert_ptr_eq (servlet->handlers.do_invite, handler_a);
  ck_assert_ptr_eq (servlet->handlers.do_bye, handler_b);
  ck_assert_ptr_null (servlet->handlers.do_response);
  ck_assert_ptr_null (servlet->handlers.do_provisional_response);
  ck_assert_ptr_null (servlet->handlers.do_success_response);
  ck_assert_ptr_null (servlet->handlers.do_redirect_response);
  ck_assert_ptr_null (servlet->handlers.do_error_response);
  ck_assert_ptr_null (servlet->handlers.do_branch_response);

  /* Requests still reach the known members, responses reach nothing. */
  ck_assert (dispatch_invite (servlet));
  ck_assert_str_eq (recorder.last, "handler_a");
  dispatch_ok (servlet);
  ck_assert_uint_eq (recorder.calls, 1);
  sipservlet_servlet_unref (servlet);

  /* The oldest possible table: struct_size alone. */
  handlers.struct_size = sizeof (gsize);
  servlet = sipservlet_servlet_new ("oldest", &handlers, &recorder, NULL);
  ck_assert_ptr_nonnull (servlet);
  ck_assert_ptr_null (servlet->handlers.init);
  ck_assert_ptr_null (servlet->handlers.do_invite);
  ck_assert (!dispatch_invite (servlet));
  ck_assert_uint_eq (recorder.calls, 1);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_destroy_notify_once)
{
  static const SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT };
  static guint destroyed;
  destroyed = 0;
  SipServlet *servlet = sipservlet_servlet_new ("d", &handlers, &destroyed, unit_count_destroy);

  ck_assert_ptr_eq (sipservlet_servlet_ref (servlet), servlet);
  sipservlet_servlet_unref (servlet);
  ck_assert_uint_eq (destroyed, 0);
  sipservlet_servlet_unref (servlet);
  ck_assert_uint_eq (destroyed, 1);
}
END_TEST

START_TEST (test_destroy_with_container)
{
  SipServletHandlers handlers = {
    SIPSERVLET_HANDLERS_INIT,
    .init = init_ok,
    .destroy = destroy_handler,
  };
  static guint destroyed;
  destroyed = 0;
  SipServlet *servlet = sipservlet_servlet_new ("c", &handlers, &recorder, NULL);
  SipServlet *counted = sipservlet_servlet_new ("n", &(SipServletHandlers) { SIPSERVLET_HANDLERS_INIT },
                                                &destroyed, unit_count_destroy);

  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, NULL));
  ck_assert (sipservlet_container_add_servlet (container, counted, "MESSAGE", NULL));
  ck_assert_uint_eq (recorder.calls, 1);
  /* The container holds its own references. */
  sipservlet_servlet_unref (servlet);
  sipservlet_servlet_unref (counted);
  ck_assert_uint_eq (destroyed, 0);
  ck_assert_uint_eq (recorder.destroys, 0);

  /* The destroy handler runs once, and the user data is released once. */
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (destroyed, 1);
  ck_assert_uint_eq (recorder.destroys, 1);
  ck_assert_uint_eq (recorder.calls, 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("vtable");
  TCase *tc = tcase_create ("vtable");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_table_is_copied);
  tcase_add_test (tc, test_name_and_user_data);
  tcase_add_test (tc, test_struct_size_too_large);
  tcase_add_test (tc, test_struct_size_zero);
  tcase_add_test (tc, test_null_arguments);
  tcase_add_test (tc, test_older_struct_size);
  tcase_add_test (tc, test_destroy_notify_once);
  tcase_add_test (tc, test_destroy_with_container);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
