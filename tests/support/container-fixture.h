/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a Check fixture with one container, made with the public
 * API only, not listening: tcase_add_checked_fixture (tc,
 * container_fixture_setup, container_fixture_teardown). Header only;
 * include it after check-main.h. */
#pragma once

#include <check.h>
#include <sipservlet/sipservlet.h>

static SipContainer *container;

static inline void
container_fixture_setup (void)
{
  container = sipservlet_container_new (NULL);
  ck_assert_ptr_nonnull (container);
}

static inline void
container_fixture_teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
}
