/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of su_home_new_preloaded() (subprojects/sofia-sip/patches/
 * 0010), the memory home in one block that a completed non-INVITE server
 * transaction keeps its headers in for 32 s: what fits comes from the
 * block, what does not falls back to malloc() as in any home, references
 * hold it, and su_home_unref() frees all of it (the valgrind setup checks
 * that nothing leaks). Built with the bundled sofia-sip only: the
 * system's has no such function. */
#include <sofia-sip/su_alloc.h>

#include <string.h>

#include "check-main.h"

/* Whether [p, p + n) lies inside the single block of @home, which holds
 * the home, its small block table and the preload (at most 1 KB more). */
static gboolean
inside_block (su_home_t *home, isize_t preload, const void *p, gsize n)
{
  const char *start = (const char *) home;
  return (const char *) p > start && (const char *) p + n <= start + preload + 1024;
}

START_TEST (test_fits_in_the_block)
{
  su_home_t *home = su_home_new_preloaded (256);
  ck_assert_ptr_nonnull (home);

  char *a = su_alloc (home, 100);
  char *b = su_strdup (home, "sip:alice@example.com");
  char *c = su_zalloc (home, 64);
  ck_assert (inside_block (home, 256, a, 100));
  ck_assert (inside_block (home, 256, b, strlen (b) + 1));
  ck_assert (inside_block (home, 256, c, 64));
  memset (a, 'x', 100);
  for (int i = 0; i < 64; i++)
    ck_assert_int_eq (c[i], 0);
  ck_assert_str_eq (b, "sip:alice@example.com");
  su_home_unref (home);
}
END_TEST

START_TEST (test_overflow_falls_back_to_malloc)
{
  su_home_t *home = su_home_new_preloaded (64);
  char *blocks[20];

  /* More blocks than the table's 7 first entries: it grows. */
  for (int i = 0; i < 20; i++)
    {
      blocks[i] = su_alloc (home, 500);
      ck_assert_ptr_nonnull (blocks[i]);
      memset (blocks[i], i, 500);
    }
  for (int i = 0; i < 20; i += 2)
    su_free (home, blocks[i]);
  for (int i = 1; i < 20; i += 2)
    ck_assert_int_eq (blocks[i][499], i);
  su_home_unref (home);
}
END_TEST

START_TEST (test_reference_keeps_it)
{
  su_home_t *home = su_home_new_preloaded (128);

  ck_assert_ptr_eq (su_home_ref (home), home);
  ck_assert_uint_eq (su_home_refcount (home), 2);
  ck_assert_int_eq (su_home_unref (home), 0);
  char *s = su_strdup (home, "still here");
  ck_assert_str_eq (s, "still here");
  ck_assert_int_eq (su_home_unref (home), 1);
}
END_TEST

START_TEST (test_too_large_refused)
{
  ck_assert_ptr_null (su_home_new_preloaded (65536));
  su_home_t *home = su_home_new_preloaded (0);
  ck_assert_ptr_nonnull (home);
  ck_assert_ptr_nonnull (su_alloc (home, 10));
  su_home_unref (home);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("sofia-homes");
  TCase *tc = tcase_create ("preloaded");

  tcase_add_test (tc, test_fits_in_the_block);
  tcase_add_test (tc, test_overflow_falls_back_to_malloc);
  tcase_add_test (tc, test_reference_keeps_it);
  tcase_add_test (tc, test_too_large_refused);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
