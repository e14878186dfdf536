/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of SipServletTimer (JSR 289 TimerService): one-shot and
 * repeating timers on the container's main context, cancellation, info
 * lifetime, and the link with the application session. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

/* Counters that a destroy notify or listener writes are static, not on
 * the test's stack: after a failed assertion the fixture frees the
 * container, which may still call them. */
/* Generous: valgrind slows everything down. */
#define DEADLINE_MS 5000
#define QUIET_MS 150

typedef struct {
  guint fired;
  SipServletTimer *last;
  gint64 last_fired_at;
  /* Cancel the timer from inside the callback at this count (0: never). */
  guint cancel_at;
  guint app_ready;
  guint app_destroyed;
} Counters;

static SipContainer *container;
static SipApplicationSession *app;
static Counters counters;

static void
on_timer_fired (SipServletTimer *timer, gpointer user_data)
{
  Counters *c = user_data;
  c->fired++;
  c->last = timer;
  c->last_fired_at = g_get_monotonic_time ();
  /* The timer still belongs to its application session while it runs. */
  ck_assert_ptr_eq (sipservlet_timer_get_application_session (timer), app);
  if (c->cancel_at != 0 && c->fired == c->cancel_at)
    sipservlet_timer_cancel (timer);
}

static void
on_app_ready (SipApplicationSession *a, gpointer user_data)
{
  ((Counters *) user_data)->app_ready++;
}

static void
on_app_destroyed (SipApplicationSession *a, gpointer user_data)
{
  ((Counters *) user_data)->app_destroyed++;
}

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .timer_fired = on_timer_fired,
  .application_session_ready_to_invalidate = on_app_ready,
  .application_session_destroyed = on_app_destroyed,
};

static void
setup (void)
{
  memset (&counters, 0, sizeof counters);
  container = unit_container_new ();
  ck_assert (sipservlet_container_add_listeners (container, &listeners, &counters, NULL));
  app = sipservlet_factory_create_application_session (sipservlet_container_get_factory (container));
  ck_assert_ptr_nonnull (app);      /* the fixture's reference */
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
  g_clear_pointer (&app, sipservlet_application_session_unref);
}

static gboolean
fired_at_least (gpointer data)
{
  return counters.fired >= GPOINTER_TO_UINT (data);
}

static SipServletTimer *
create_timer (guint delay_ms, guint period_ms, gboolean fixed_delay, guint *info)
{
  GError *error = NULL;
  SipServletTimer *timer = sipservlet_application_session_create_timer (app, delay_ms, period_ms,
                                                                        fixed_delay, info,
                                                                        info != NULL
                                                                        ? unit_count_destroy
                                                                        : NULL,
                                                                        &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (timer);
  /* Borrowed from here on: the application session keeps the timer, and
   * the tests see when it lets it go. */
  sipservlet_timer_unref (timer);
  return timer;
}

static guint
timer_count (void)
{
  GPtrArray *timers = sipservlet_application_session_get_timers (app);
  guint n = timers->len;
  g_ptr_array_unref (timers);
  return n;
}

/* ---- one-shot ------------------------------------------------------------------ */

START_TEST (test_one_shot_fires_once)
{
  static guint info;
  info = 0;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  gint64 start = g_get_monotonic_time ();
  SipServletTimer *timer = create_timer (20, 0, FALSE, &info);
  sipservlet_timer_ref (timer);

  ck_assert_ptr_eq (sipservlet_timer_get_info (timer), &info);
  ck_assert_ptr_eq (sipservlet_timer_get_application_session (timer), app);
  ck_assert (strlen (sipservlet_timer_get_id (timer)) > 0);
  ck_assert_uint_eq (timer_count (), 1);
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));

  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (1), DEADLINE_MS));
  ck_assert_uint_eq (counters.fired, 1);
  ck_assert_ptr_eq (counters.last, timer);
  /* Never early. */
  ck_assert (counters.last_fired_at - start >= 20 * 1000);

  unit_iterate_until (NULL, NULL, QUIET_MS);
  ck_assert_uint_eq (counters.fired, 1);

  /* A one-shot timer is over once it fired. */
  ck_assert_ptr_null (sipservlet_timer_get_application_session (timer));
  ck_assert_int_eq (sipservlet_timer_get_time_remaining (timer), 0);
  ck_assert_uint_eq (timer_count (), 0);
  ck_assert (sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_uint_eq (info, 0);
  sipservlet_timer_unref (timer);
  ck_assert_uint_eq (info, 1);
}
END_TEST

START_TEST (test_zero_delay)
{
  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  create_timer (0, 0, FALSE, NULL);
  ck_assert_uint_eq (counters.fired, 0);
  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (1), DEADLINE_MS));
  unit_iterate_until (NULL, NULL, QUIET_MS);
  ck_assert_uint_eq (counters.fired, 1);
}
END_TEST

START_TEST (test_one_shot_then_empty_app_goes)
{
  static guint info;
  info = 0;

  /* Invalidate-when-ready is on: the last timer finishing leaves the
   * application session ready, so it is invalidated. */
  create_timer (20, 0, FALSE, &info);
  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (1), DEADLINE_MS));
  ck_assert_uint_eq (info, 1);
  ck_assert_uint_eq (counters.app_ready, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert (!sipservlet_application_session_is_valid (app));
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 0);
}
END_TEST

/* ---- repeating ----------------------------------------------------------------- */

START_TEST (test_repeating_cancel_from_callback)
{
  static guint info;
  info = 0;
  gboolean fixed_delay = _i == 1;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  counters.cancel_at = 3;
  SipServletTimer *timer = create_timer (10, 10, fixed_delay, &info);

  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (3), DEADLINE_MS));
  ck_assert_uint_eq (counters.fired, 3);
  ck_assert_ptr_eq (counters.last, timer);
  /* Cancelled inside the callback: no fourth expiry. */
  unit_iterate_until (NULL, NULL, QUIET_MS);
  ck_assert_uint_eq (counters.fired, 3);
  ck_assert_uint_eq (timer_count (), 0);
  /* The application session held the only reference. */
  ck_assert_uint_eq (info, 1);
}
END_TEST

START_TEST (test_repeating_cancel_from_outside)
{
  static guint info;
  info = 0;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  SipServletTimer *timer = create_timer (5, 10, FALSE, &info);
  sipservlet_timer_ref (timer);

  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (4), DEADLINE_MS));
  /* Still active between expiries. */
  ck_assert_ptr_eq (sipservlet_timer_get_application_session (timer), app);
  ck_assert_uint_eq (timer_count (), 1);
  gint64 remaining = sipservlet_timer_get_time_remaining (timer);
  ck_assert (remaining <= 10);

  sipservlet_timer_cancel (timer);
  guint fired = counters.fired;
  unit_iterate_until (NULL, NULL, QUIET_MS);
  ck_assert_uint_eq (counters.fired, fired);
  ck_assert_uint_eq (info, 0);
  sipservlet_timer_unref (timer);
  ck_assert_uint_eq (info, 1);
}
END_TEST

/* ---- cancel ---------------------------------------------------------------------- */

START_TEST (test_cancel_idempotent)
{
  static guint info;
  info = 0;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  SipServletTimer *timer = create_timer (30, 0, FALSE, &info);
  sipservlet_timer_ref (timer);

  sipservlet_timer_cancel (timer);
  ck_assert_ptr_null (sipservlet_timer_get_application_session (timer));
  ck_assert_int_eq (sipservlet_timer_get_time_remaining (timer), 0);
  ck_assert_uint_eq (timer_count (), 0);
  sipservlet_timer_cancel (timer);
  sipservlet_timer_cancel (timer);
  ck_assert_uint_eq (timer_count (), 0);
  ck_assert_uint_eq (info, 0);

  unit_iterate_until (NULL, NULL, 30 + QUIET_MS);
  ck_assert_uint_eq (counters.fired, 0);
  /* info goes with the last reference, once. */
  sipservlet_timer_unref (timer);
  ck_assert_uint_eq (info, 1);
}
END_TEST

START_TEST (test_cancel_releases_info)
{
  static guint info;
  info = 0;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  SipServletTimer *timer = create_timer (1000, 0, FALSE, &info);
  /* Without a reference of ours, cancel frees it. */
  sipservlet_timer_cancel (timer);
  ck_assert_uint_eq (info, 1);
  ck_assert_uint_eq (timer_count (), 0);
}
END_TEST

START_TEST (test_timer_refs)
{
  static guint info;
  info = 0;

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  SipServletTimer *timer = create_timer (1000, 0, FALSE, &info);
  ck_assert_ptr_eq (sipservlet_timer_ref (timer), timer);
  sipservlet_timer_unref (timer);
  /* Still the application session's. */
  ck_assert_uint_eq (info, 0);
  ck_assert_ptr_eq (sipservlet_timer_get_application_session (timer), app);
  ck_assert_uint_eq (timer_count (), 1);
  /* info lives on this stack frame. */
  sipservlet_timer_cancel (timer);
  ck_assert_uint_eq (info, 1);
}
END_TEST

/* ---- application session link ------------------------------------------------------ */

START_TEST (test_timers_die_with_app)
{
  static guint info1;
  info1 = 0;
  static guint info2;
  info2 = 0;

  SipServletTimer *t1 = create_timer (30, 0, FALSE, &info1);
  SipServletTimer *t2 = create_timer (30, 30, TRUE, &info2);
  ck_assert_ptr_ne (t1, t2);
  ck_assert_str_ne (sipservlet_timer_get_id (t1), sipservlet_timer_get_id (t2));
  GPtrArray *timers = sipservlet_application_session_get_timers (app);
  ck_assert_uint_eq (timers->len, 2);
  ck_assert_ptr_eq (g_ptr_array_index (timers, 0), t1);
  ck_assert_ptr_eq (g_ptr_array_index (timers, 1), t2);
  g_ptr_array_unref (timers);

  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (info1, 1);
  ck_assert_uint_eq (info2, 1);
  ck_assert_uint_eq (timer_count (), 0);
  /* Explicit invalidation: not "ready". */
  ck_assert_uint_eq (counters.app_ready, 0);
  ck_assert_uint_eq (counters.app_destroyed, 1);

  unit_iterate_until (NULL, NULL, 30 + QUIET_MS);
  ck_assert_uint_eq (counters.fired, 0);
}
END_TEST

START_TEST (test_timers_die_with_container)
{
  static guint info;
  info = 0;

  create_timer (30, 30, FALSE, &info);
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (info, 1);
  ck_assert (!sipservlet_application_session_is_valid (app));
  unit_iterate_until (NULL, NULL, 30 + QUIET_MS);
  ck_assert_uint_eq (counters.fired, 0);
}
END_TEST

START_TEST (test_timer_keeps_app)
{
  SipAddress *local = sipservlet_address_parse ("<sip:alice@example.com>;tag=t", NULL);
  SipAddress *remote = sipservlet_address_parse ("<sip:bob@example.com>", NULL);
  SipSession *session = sipsv_session_new (app, TRUE, "timer-call", "t", local, remote);

  SipServletTimer *timer = create_timer (10000, 0, FALSE, NULL);
  ck_assert (sipservlet_session_invalidate (session, NULL));
  sipservlet_session_unref (session);
  /* No session left, but an active timer: not ready, still valid. */
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert_uint_eq (counters.app_ready, 0);
  unit_drain ();
  ck_assert (sipservlet_application_session_is_valid (app));

  /* The timer ends: now ready, and invalidated. */
  sipservlet_timer_cancel (timer);
  ck_assert_uint_eq (counters.app_ready, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert (!sipservlet_application_session_is_valid (app));
}
END_TEST

START_TEST (test_timer_on_invalid_app)
{
  static guint info;
  info = 0;
  GError *error = NULL;

  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_ptr_null (sipservlet_application_session_create_timer (app, 10, 0, FALSE, &info,
                                                                   unit_count_destroy, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (info, 1);
}
END_TEST

START_TEST (test_fire_touches_app)
{
  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  gint64 before = sipservlet_application_session_get_last_accessed_time (app);
  create_timer (20, 0, FALSE, NULL);
  ck_assert (unit_iterate_until (fired_at_least, GUINT_TO_POINTER (1), DEADLINE_MS));
  ck_assert (sipservlet_application_session_get_last_accessed_time (app) > before);
}
END_TEST

/* ---- time remaining ----------------------------------------------------------------- */

START_TEST (test_time_remaining_decreases)
{
  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  SipServletTimer *timer = create_timer (5000, 0, FALSE, NULL);

  gint64 r1 = sipservlet_timer_get_time_remaining (timer);
  ck_assert (r1 <= 5000);
  ck_assert (r1 > 4000);
  g_usleep (50 * 1000);
  gint64 r2 = sipservlet_timer_get_time_remaining (timer);
  ck_assert (r2 < r1);
  ck_assert (r2 <= r1 - 49);
  ck_assert (r2 > 0);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("timer");
  TCase *tc = tcase_create ("timer");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_one_shot_fires_once);
  tcase_add_test (tc, test_zero_delay);
  tcase_add_test (tc, test_one_shot_then_empty_app_goes);
  tcase_add_loop_test (tc, test_repeating_cancel_from_callback, 0, 2);
  tcase_add_test (tc, test_repeating_cancel_from_outside);
  tcase_add_test (tc, test_cancel_idempotent);
  tcase_add_test (tc, test_cancel_releases_info);
  tcase_add_test (tc, test_timer_refs);
  tcase_add_test (tc, test_timers_die_with_app);
  tcase_add_test (tc, test_timers_die_with_container);
  tcase_add_test (tc, test_timer_keeps_app);
  tcase_add_test (tc, test_timer_on_invalid_app);
  tcase_add_test (tc, test_fire_touches_app);
  tcase_add_test (tc, test_time_remaining_decreases);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
