/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServletTimer: one-shot and repeating application
 * timers that belong to an application session (JSR 289 §6.1.3). */
#include "config-private.h"

#include "session/session-private.h"

static void on_timer (gpointer data);

static void
arm (SipServletTimer *timer, guint delay_ms)
{
  timer->scheduled = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  if (timer->timer == NULL)
    timer->timer = sipsv_timer_new (timer->app->manager->timers, on_timer, timer);
  sipsv_timer_start (timer->timer, delay_ms);
}

static void
on_timer (gpointer data)
{
  SipServletTimer *timer = data;
  SipApplicationSession *app = timer->app;

  sipservlet_timer_ref (timer);
  sipsv_application_session_touch (app);

  if (timer->period_ms > 0)
    {
      /* Fixed rate counts from the planned expiry and so catches up;
       * fixed delay counts from now and drifts. */
      gint64 now = g_get_monotonic_time ();
      gint64 base = timer->fixed_delay ? now : timer->scheduled;
      gint64 next = base + (gint64) timer->period_ms * 1000;
      guint delay = next <= now ? 0 : (guint) ((next - now) / 1000);
      arm (timer, delay);
      timer->scheduled = next;
    }
  SIPSV_NOTIFY (app->manager, app->scope, timer_fired, timer);
  if (timer->period_ms == 0 && timer->app != NULL)
    sipservlet_timer_cancel (timer);
  sipservlet_timer_unref (timer);
}

SipServletTimer *
sipservlet_application_session_create_timer (SipApplicationSession *app,
                                             guint delay_ms, guint period_ms,
                                             gboolean fixed_delay, gpointer info,
                                             GDestroyNotify info_destroy,
                                             GError **error)
{
  g_return_val_if_fail (app != NULL, NULL);
  if (!app->valid || app->manager == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application session %s is invalidated", app->id);
      if (info_destroy != NULL && info != NULL)
        info_destroy (info);
      return NULL;
    }
  SipServletTimer *timer = g_new0 (SipServletTimer, 1);
  g_atomic_ref_count_init (&timer->ref_count);
  timer->id = sipsv_session_manager_new_id (app->manager, "tm");
  timer->app = app;
  timer->info = info;
  timer->info_destroy = info_destroy;
  timer->period_ms = period_ms;
  timer->fixed_delay = fixed_delay;
  if (app->timers == NULL)
    app->timers = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_timer_unref);
  g_ptr_array_add (app->timers, timer);    /* the application session's reference */
  arm (timer, delay_ms);
  return sipservlet_timer_ref (timer);     /* the caller's */
}

SipServletTimer *
sipservlet_timer_ref (SipServletTimer *timer)
{
  g_return_val_if_fail (timer != NULL, NULL);
  g_atomic_ref_count_inc (&timer->ref_count);
  return timer;
}

void
sipservlet_timer_unref (SipServletTimer *timer)
{
  g_return_if_fail (timer != NULL);
  if (!g_atomic_ref_count_dec (&timer->ref_count))
    return;
  g_clear_pointer (&timer->timer, sipsv_timer_free);
  if (timer->info_destroy != NULL && timer->info != NULL)
    timer->info_destroy (timer->info);
  g_free (timer->id);
  g_free (timer);
}

const char *
sipservlet_timer_get_id (SipServletTimer *timer)
{
  g_return_val_if_fail (timer != NULL, NULL);
  return timer->id;
}

gpointer
sipservlet_timer_get_info (SipServletTimer *timer)
{
  g_return_val_if_fail (timer != NULL, NULL);
  return timer->info;
}

SipApplicationSession *
sipservlet_timer_get_application_session (SipServletTimer *timer)
{
  g_return_val_if_fail (timer != NULL, NULL);
  return timer->app;
}

gint64
sipservlet_timer_get_time_remaining (SipServletTimer *timer)
{
  g_return_val_if_fail (timer != NULL, 0);
  if (timer->app == NULL)
    return 0;
  return (timer->scheduled - g_get_monotonic_time ()) / 1000;
}

void
sipservlet_timer_cancel (SipServletTimer *timer)
{
  g_return_if_fail (timer != NULL);
  SipApplicationSession *app = timer->app;
  if (app == NULL)
    return;
  g_clear_pointer (&timer->timer, sipsv_timer_free);   /* may outlive the container */
  timer->app = NULL;
  sipservlet_timer_ref (timer);
  g_ptr_array_remove (app->timers, timer);
  /* A finished timer may leave its application session ready. */
  sipsv_application_session_check_ready (app);
  sipservlet_timer_unref (timer);
}
