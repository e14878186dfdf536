/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - one-shot timers on sofia-sip's timer heap. */
#include "config-private.h"

#include "stack/stack-private.h"
#include "stack/timer-heap-private.h"

struct _SipsvTimer {
  su_timer_t *timer;
  SipsvTimerFunc func;
  gpointer data;
  gboolean running;
};

static void
on_wakeup (su_root_magic_t *magic, su_timer_t *t, su_timer_arg_t *arg)
{
  SipsvTimer *timer = (SipsvTimer *) arg;
  timer->running = FALSE;
  timer->func (timer->data);     /* may free the timer: touch nothing after */
}

SipsvTimer *
sipsv_timer_new (SipsvTimerQueue *queue, SipsvTimerFunc func, gpointer data)
{
  SipsvTimer *timer = g_new0 (SipsvTimer, 1);
  timer->timer = su_timer_create (su_root_task ((su_root_t *) queue), 0);
  timer->func = func;
  timer->data = data;
  return timer;
}

void
sipsv_timer_start (SipsvTimer *timer, guint ms)
{
  timer->running = su_timer_set_interval (timer->timer, on_wakeup, (su_timer_arg_t *) timer,
                                          (su_duration_t) ms) == 0;
  if (!timer->running)
    g_warning ("cannot arm a %u ms timer", ms);
}

void
sipsv_timer_stop (SipsvTimer *timer)
{
  if (timer->running)
    su_timer_reset (timer->timer);
  timer->running = FALSE;
}

gboolean
sipsv_timer_is_running (SipsvTimer *timer)
{
  return timer->running;
}

void
sipsv_timer_free (SipsvTimer *timer)
{
  if (timer == NULL)
    return;
  su_timer_destroy (timer->timer);
  g_free (timer);
}
