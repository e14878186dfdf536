/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a main() for a Check suite.
 *
 * A test file defines `static Suite *make_suite (void)` and then writes
 * SIPSERVLET_CHECK_MAIN (make_suite). Any GLib critical or warning that a
 * test did not expect aborts the test, so misuse is never silent.
 *
 * Output follows Check's environment: meson runs the suites with
 * CK_TAP_LOG_FILE_NAME=- and CK_VERBOSITY=silent, so stdout is TAP alone
 * and meson reports every test case (check_tap_env in tests/meson.build);
 * run by hand, a suite prints Check's usual summary.
 */
#pragma once

#include <check.h>
#include <glib.h>
#include <stdlib.h>

#define SIPSERVLET_CHECK_MAIN(make_suite)                                     \
  int main (void)                                                            \
  {                                                                          \
    g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);     \
    SRunner *runner = srunner_create (make_suite ());                        \
    srunner_run_all (runner, CK_ENV);                                        \
    int failed = srunner_ntests_failed (runner);                             \
    srunner_free (runner);                                                   \
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                        \
  }
