/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - one-shot timers on sofia-sip's timer heap.
 *
 * Every container timer (2xx retransmission, application-session expiry,
 * proxy branch timeouts, servlet timers) uses these rather than one GSource
 * each: GLib walks every attached source on each loop iteration, so tens
 * of thousands of per-call GSources would make every message pay for every
 * live call. sofia keeps its timers in a heap behind a single GSource.
 *
 * No sofia type appears here, so the session layer can use it.
 */
#pragma once

#include <glib.h>

typedef struct _SipsvTimer SipsvTimer;
typedef struct _SipsvTimerQueue SipsvTimerQueue;   /* the stack's su_root */
typedef void (*SipsvTimerFunc) (gpointer data);

/* A stopped timer that will call func (data) when it fires. */
SipsvTimer *sipsv_timer_new (SipsvTimerQueue *queue, SipsvTimerFunc func, gpointer data);
/* (Re)arms it to fire once, ms milliseconds from now. */
void sipsv_timer_start (SipsvTimer *timer, guint ms);
void sipsv_timer_stop (SipsvTimer *timer);
gboolean sipsv_timer_is_running (SipsvTimer *timer);
/* Stops and frees; NULL is accepted. */
void sipsv_timer_free (SipsvTimer *timer);
