/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running a container as a program: listening addresses written as text,
 * and sipservlet_container_run() returning after sipservlet_container_stop()
 * or a signal, with the graceful shutdown done. */
#include <sipservlet/sipservlet.h>

#include <signal.h>
#include <string.h>

#include "check-main.h"
#include "container-fixture.h"


static const char *const bad_addresses[] = {
  "", ":5060", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:70000", "[::1", "[]:5060", "[::1]x",
};

START_TEST (test_bad_address)
{
  GError *error = NULL;
  ck_assert (!sipservlet_container_listen_address (container, bad_addresses[_i],
                                                   SIPSERVLET_TRANSPORT_UDP, &error));
  ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT),
                 "\"%s\": %s", bad_addresses[_i], error ? error->message : "accepted");
  g_clear_error (&error);
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  ck_assert_uint_eq (g_strv_length (addresses), 0);
}
END_TEST

START_TEST (test_address_forms)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_container_listen_address (container, "127.0.0.1:0",
                                                      SIPSERVLET_TRANSPORT_UDP, &error),
                 "%s", error ? error->message : "");
  ck_assert_uint_ne (sipservlet_container_get_port (container, "127.0.0.1"), 0);
  /* IPv6 loopback, when the host has it. */
  if (!sipservlet_container_listen_address (container, "[::1]:0", SIPSERVLET_TRANSPORT_UDP,
                                            &error))
    {
      ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_BIND), "%s",
                     error->message);
      g_clear_error (&error);
    }
  else
    ck_assert_uint_ne (sipservlet_container_get_port (container, "::1"), 0);
}
END_TEST

static gboolean
stop_soon (gpointer data)
{
  sipservlet_container_stop (data);
  return G_SOURCE_REMOVE;
}

static gboolean
send_sigterm (gpointer data)
{
  raise (SIGTERM);
  return G_SOURCE_REMOVE;
}

/* run() returns after stop() (_i == 0) or SIGTERM (_i == 1), the
 * container shut down: new requests would get 503. */
START_TEST (test_run_until_stopped)
{
  ck_assert (sipservlet_container_listen_address (container, "127.0.0.1:0",
                                                  SIPSERVLET_TRANSPORT_UDP, NULL));
  g_timeout_add (50, _i == 0 ? stop_soon : send_sigterm, container);
  sipservlet_container_run (container);
  /* Stopping again, or a stop outside run(), does nothing. */
  sipservlet_container_stop (container);
}
END_TEST

/* Timer J needs the bundled sofia-sip's NTATAG_TIMER_J() (patch 0011);
 * the system's library says so instead of ignoring the setting. What it
 * does is tested over a socket (tests/integration/test-timer-j-inprocess.c). */
START_TEST (test_timer_j_build)
{
  GError *error = NULL;
  gboolean ok = sipservlet_container_set_timer_j (container, 5000, &error);
#if SIPSV_SOFIA_BUNDLED
  ck_assert_msg (ok, "%s", error != NULL ? error->message : "");
  ck_assert_ptr_null (error);
#else
  ck_assert (!ok);
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_NOT_SUPPORTED));
  ck_assert_ptr_nonnull (strstr (error->message, "-Dsofia=bundled"));
  g_clear_error (&error);
#endif
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("run");
  TCase *tc = tcase_create ("run");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, container_fixture_setup, container_fixture_teardown);
  tcase_add_loop_test (tc, test_bad_address, 0, G_N_ELEMENTS (bad_addresses));
  tcase_add_test (tc, test_address_forms);
  tcase_add_loop_test (tc, test_run_until_stopped, 0, 2);
  tcase_add_test (tc, test_timer_j_build);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
