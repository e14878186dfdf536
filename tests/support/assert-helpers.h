/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: assertions shared by the unit suites. Header only. */
#pragma once

#include <check.h>
#include <glib.h>
#include <sipservlet/sipservlet.h>

/* Asserts a NULL-terminated string array equals expected, then frees it. */
static inline void
assert_strv (char **names, const char *const *expected)
{
  guint n = g_strv_length (names);

  ck_assert_uint_eq (n, g_strv_length ((char **) expected));
  for (guint i = 0; i < n; i++)
    ck_assert_str_eq (names[i], expected[i]);
  g_strfreev (names);
}

/* Asserts a call failed with SIPSERVLET_ERROR_INVALID_ARGUMENT. Takes the
 * error location, not the error: the call that sets it is another
 * argument, and argument evaluation order is unspecified. */
static inline void
assert_invalid_argument (gboolean ok, GError **error)
{
  ck_assert (!ok);
  ck_assert_ptr_nonnull (*error);
  ck_assert_msg (g_error_matches (*error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT),
                 "unexpected error %s", (*error)->message);
  g_clear_error (error);
}
