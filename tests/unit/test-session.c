/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of SipSession and SipApplicationSession: the JSR 289 §6.2.1
 * state machine, readiness and invalidate-when-ready, attributes, expiry,
 * the dialog table and the container listeners. Driven through the
 * internal API; the network path is covered by the integration tests. */
#include <sipservlet/sipservlet.h>

#include <stddef.h>
#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"
#include "key-hash-private.h"

/* Counters that a destroy notify or listener writes are static, not on
 * the test's stack: after a failed assertion the fixture frees the
 * container, which may still call them. */
#define USEC_PER_MINUTE ((gint64) 60 * G_USEC_PER_SEC)

typedef struct {
  guint session_created;
  guint session_destroyed;
  guint session_ready;
  guint app_created;
  guint app_destroyed;
  guint app_expired;
  guint app_ready;
  guint timer_fired;
  guint user_data_destroyed;
  /* When set, the app ready listener turns invalidate-when-ready off. */
  gboolean keep_app_when_ready;
  SipSession *last_session;
  SipApplicationSession *last_app;
} Counters;

static SipContainer *container;
static SipsvSessionManager *manager;
static Counters counters;
/* References the tests hold, released by the fixture so that a failing
 * assertion (which leaves the test early) does not leak them. */
static GPtrArray *held_sessions;
static GPtrArray *held_apps;

static void
on_session_created (SipSession *session, gpointer user_data)
{
  Counters *c = user_data;
  c->session_created++;
  c->last_session = session;
}

static void
on_session_destroyed (SipSession *session, gpointer user_data)
{
  Counters *c = user_data;
  c->session_destroyed++;
  c->last_session = session;
  /* Still readable during the notification. */
  ck_assert (!sipservlet_session_is_valid (session));
}

static void
on_session_ready (SipSession *session, gpointer user_data)
{
  Counters *c = user_data;
  c->session_ready++;
  c->last_session = session;
  ck_assert (sipservlet_session_is_valid (session));
  ck_assert (sipservlet_session_is_ready_to_invalidate (session));
}

static void
on_app_created (SipApplicationSession *app, gpointer user_data)
{
  Counters *c = user_data;
  c->app_created++;
  c->last_app = app;
}

static void
on_app_destroyed (SipApplicationSession *app, gpointer user_data)
{
  Counters *c = user_data;
  c->app_destroyed++;
  c->last_app = app;
}

static void
on_app_expired (SipApplicationSession *app, gpointer user_data)
{
  ((Counters *) user_data)->app_expired++;
}

static void
on_app_ready (SipApplicationSession *app, gpointer user_data)
{
  Counters *c = user_data;
  c->app_ready++;
  c->last_app = app;
  ck_assert (sipservlet_application_session_is_ready_to_invalidate (app));
  if (c->keep_app_when_ready)
    sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
}

static void
on_timer_fired (SipServletTimer *timer, gpointer user_data)
{
  ((Counters *) user_data)->timer_fired++;
}

static void
on_user_data_destroyed (gpointer data)
{
  ((Counters *) data)->user_data_destroyed++;
}

static const SipServletListeners all_listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .session_created = on_session_created,
  .session_destroyed = on_session_destroyed,
  .session_ready_to_invalidate = on_session_ready,
  .application_session_created = on_app_created,
  .application_session_destroyed = on_app_destroyed,
  .application_session_expired = on_app_expired,
  .application_session_ready_to_invalidate = on_app_ready,
  .timer_fired = on_timer_fired,
};

static void
setup (void)
{
  memset (&counters, 0, sizeof counters);
  held_sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);
  held_apps = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_application_session_unref);
  container = unit_container_new ();
  manager = &container->runtime.sessions;
  ck_assert (sipservlet_container_add_listeners (container, &all_listeners, &counters, NULL));
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
  manager = NULL;
  g_clear_pointer (&held_sessions, g_ptr_array_unref);
  g_clear_pointer (&held_apps, g_ptr_array_unref);
}

/* A new application session; the fixture holds a reference to it. */
static SipApplicationSession *
new_app (void)
{
  SipApplicationSession *app = sipsv_application_session_new (manager);
  ck_assert_ptr_nonnull (app);
  g_ptr_array_add (held_apps, sipservlet_application_session_ref (app));
  return app;
}

/* A new session; the fixture holds the returned reference. */
static SipSession *
new_session (SipApplicationSession *app, gboolean uac, const char *call_id,
             const char *local_tag)
{
  char *local_text = g_strdup_printf ("<sip:alice@example.com>;tag=%s", local_tag);
  SipAddress *local = sipservlet_address_parse (local_text, NULL);
  SipAddress *remote = sipservlet_address_parse ("<sip:bob@example.com>", NULL);
  g_free (local_text);
  ck_assert_ptr_nonnull (local);
  ck_assert_ptr_nonnull (remote);
  SipSession *session = sipsv_session_new (app, uac, call_id, local_tag, local, remote);
  ck_assert_ptr_nonnull (session);
  g_ptr_array_add (held_sessions, session);
  return session;
}

/* ---- creation --------------------------------------------------------------- */

/* The dialog tables' hash: equal keys hash alike wherever they are
 * stored, and every byte counts, at every length (the last, partial word
 * included). */
START_TEST (test_key_hash)
{
  char a[48], b[48];

  for (gsize len = 0; len < sizeof a - 1; len++)
    {
      memset (a, 'k', len);
      a[len] = '\0';
      memcpy (b, a, len + 1);
      ck_assert_uint_eq (sipsv_key_hash (a), sipsv_key_hash (b));
      for (gsize i = 0; i < len; i++)
        {
          b[i] = 'j';
          ck_assert_msg (sipsv_key_hash (a) != sipsv_key_hash (b),
                         "byte %zu of a %zu-byte key does not change its hash", i, len);
          b[i] = 'k';
        }
      /* A longer key is another key. */
      b[len] = 'k';
      b[len + 1] = '\0';
      ck_assert_uint_ne (sipsv_key_hash (a), sipsv_key_hash (b));
    }
}
END_TEST

/* Tags and Call-IDs: two hex digits per byte asked for, every digit
 * used, and no two alike. */
START_TEST (test_random_token)
{
  GHashTable *seen = unit_defer (g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
                                 (GDestroyNotify) g_hash_table_unref);
  guint digits[16] = { 0 };

  for (guint bytes = 1; bytes <= 12; bytes++)
    for (guint n = 0; n < 50; n++)
      {
        char *token = sipsv_random_token (bytes);
        ck_assert_uint_eq (strlen (token), 2 * bytes);
        for (const char *p = token; *p != '\0'; p++)
          {
            ck_assert (g_ascii_isxdigit (*p) && !g_ascii_isupper (*p));
            digits[g_ascii_xdigit_value (*p)]++;
          }
        if (bytes >= 6)
          ck_assert_msg (g_hash_table_add (seen, token), "token %s came twice", token);
        else
          g_free (token);
      }
  for (guint d = 0; d < 16; d++)
    ck_assert_uint_gt (digits[d], 0);
}
END_TEST

START_TEST (test_new_session)
{
  SipApplicationSession *app = new_app ();
  ck_assert_uint_eq (counters.app_created, 1);
  ck_assert_ptr_eq (counters.last_app, app);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);

  SipSession *s1 = new_session (app, TRUE, "call-1", "lt1");
  SipSession *s2 = new_session (app, FALSE, "call-2", "lt2");
  ck_assert_uint_eq (counters.session_created, 2);
  ck_assert_ptr_eq (counters.last_session, s2);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 2);

  ck_assert_int_eq (sipservlet_session_get_state (s1), SIPSERVLET_SESSION_STATE_INITIAL);
  ck_assert (sipservlet_session_is_valid (s1));
  ck_assert (sipservlet_session_get_invalidate_when_ready (s1));
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert_str_eq (sipservlet_session_get_call_id (s1), "call-1");
  ck_assert_ptr_eq (sipservlet_session_get_application_session (s1), app);
  ck_assert_str_ne (sipservlet_session_get_id (s1), sipservlet_session_get_id (s2));
  ck_assert (strlen (sipservlet_session_get_id (s1)) > 0);
  ck_assert (s1->uac);
  ck_assert (!s2->uac);

  SipAddress *local = sipservlet_session_get_local_party (s1);
  ck_assert_str_eq (sipservlet_address_get_tag (local), "lt1");
  /* A copy. */
  sipservlet_address_set_parameter (local, "tag", "changed", NULL);
  sipservlet_address_unref (local);
  local = sipservlet_session_get_local_party (s1);
  ck_assert_str_eq (sipservlet_address_get_tag (local), "lt1");
  sipservlet_address_unref (local);
  SipAddress *remote = sipservlet_session_get_remote_party (s1);
  ck_assert_ptr_null (sipservlet_address_get_tag (remote));
  sipservlet_address_unref (remote);

  GPtrArray *sessions = sipservlet_application_session_get_sessions (app);
  ck_assert_uint_eq (sessions->len, 2);
  ck_assert_ptr_eq (g_ptr_array_index (sessions, 0), s1);
  ck_assert_ptr_eq (g_ptr_array_index (sessions, 1), s2);
  g_ptr_array_unref (sessions);

  /* Nothing was destroyed by creation. */
  ck_assert_uint_eq (counters.session_destroyed, 0);
  ck_assert_uint_eq (counters.app_destroyed, 0);

}
END_TEST

/* ---- readiness -------------------------------------------------------------- */

START_TEST (test_ready_rules)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-r", "lt");

  sipservlet_session_set_invalidate_when_ready (s, FALSE);
  ck_assert (!sipservlet_session_get_invalidate_when_ready (s));

  /* A fresh INITIAL session had no transaction yet. */
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  sipsv_session_transaction_begin (s);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  /* INITIAL after a transaction. */
  sipsv_session_transaction_end (s);
  ck_assert (sipservlet_session_is_ready_to_invalidate (s));

  /* Not while a transaction is active. */
  sipsv_session_transaction_begin (s);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_EARLY);
  ck_assert_int_eq (sipservlet_session_get_state (s), SIPSERVLET_SESSION_STATE_EARLY);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_CONFIRMED);
  sipsv_session_transaction_end (s);
  /* Not CONFIRMED, even without a transaction. */
  ck_assert_int_eq (sipservlet_session_get_state (s), SIPSERVLET_SESSION_STATE_CONFIRMED);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));

  /* TERMINATED with a transaction active (the BYE), then without. */
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_TERMINATED);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  sipsv_session_transaction_end (s);
  ck_assert (sipservlet_session_is_ready_to_invalidate (s));

  /* An extra end does not underflow the transaction count. */
  sipsv_session_transaction_end (s);
  ck_assert_uint_eq (s->active_transactions, 0);
  ck_assert (sipservlet_session_is_ready_to_invalidate (s));

  /* With invalidate-when-ready off, the checks leave it valid. */
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_destroyed, 0);
  /* Notified (how often for checks queued together is the subject of
   * test_ready_listener_once_per_transition). */
  ck_assert_uint_ne (counters.session_ready, 0);

  /* An invalid session is never ready. */
  ck_assert (sipservlet_session_invalidate (s, NULL));
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));

}
END_TEST

START_TEST (test_ready_listener_once_per_transition)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, FALSE, "call-once", "lt");

  sipservlet_session_set_invalidate_when_ready (s, FALSE);
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_CONFIRMED);
  sipsv_session_transaction_end (s);
  unit_drain ();
  ck_assert_uint_eq (counters.session_ready, 0);

  /* A BYE answered in one main loop turn: the session becomes ready once
   * (two checks were scheduled: the state change and the transaction
   * end). */
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_TERMINATED);
  sipsv_session_transaction_end (s);
  unit_drain ();
  ck_assert_uint_eq (counters.session_ready, 1);
  ck_assert (sipservlet_session_is_valid (s));

}
END_TEST

START_TEST (test_invalidate_when_ready_deferred)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, FALSE, "call-d", "lt");

  sipsv_session_transaction_begin (s);
  sipsv_session_transaction_end (s);
  /* Ready, but never invalidated while the caller is on the stack. */
  ck_assert (sipservlet_session_is_ready_to_invalidate (s));
  ck_assert (sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_ready, 0);

  unit_drain ();
  ck_assert (!sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_ready, 1);
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_ptr_eq (counters.last_session, s);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);

  /* Its application session had nothing else: gone too. */
  ck_assert_uint_eq (counters.app_ready, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert (!sipservlet_application_session_is_valid (app));
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 0);

  /* Nothing more happens later. */
  unit_drain ();
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);

}
END_TEST

START_TEST (test_dialog_lifecycle_invalidate_when_ready)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, FALSE, "call-dlg", "lt");

  /* INVITE answered 180 then 200: EARLY, CONFIRMED. */
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_EARLY);
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (s));
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_CONFIRMED);
  sipsv_session_transaction_end (s);
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_ready, 0);

  /* BYE: TERMINATED while its transaction runs, then ready. */
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_TERMINATED);
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (s));
  sipsv_session_transaction_end (s);
  unit_drain ();
  ck_assert (!sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_ready, 1);
  ck_assert_uint_eq (counters.session_destroyed, 1);

}
END_TEST

START_TEST (test_uac_failure_returns_to_initial)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-f", "lt");

  /* INVITE, 180 with a tag, then 486: back to INITIAL and ready. */
  sipsv_session_transaction_begin (s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_EARLY);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_INITIAL);
  ck_assert (!sipservlet_session_is_ready_to_invalidate (s));
  sipsv_session_transaction_end (s);
  ck_assert_int_eq (sipservlet_session_get_state (s), SIPSERVLET_SESSION_STATE_INITIAL);
  ck_assert (sipservlet_session_is_ready_to_invalidate (s));
  unit_drain ();
  ck_assert (!sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_destroyed, 1);

}
END_TEST

START_TEST (test_turning_invalidate_when_ready_on_checks)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, FALSE, "call-on", "lt");

  sipservlet_session_set_invalidate_when_ready (s, FALSE);
  sipsv_session_transaction_begin (s);
  sipsv_session_transaction_end (s);
  unit_drain ();
  ck_assert (sipservlet_session_is_valid (s));

  /* Turning it back on invalidates a ready session (deferred). */
  sipservlet_session_set_invalidate_when_ready (s, TRUE);
  ck_assert (sipservlet_session_is_valid (s));
  unit_drain ();
  ck_assert (!sipservlet_session_is_valid (s));
  ck_assert_uint_eq (counters.session_destroyed, 1);

}
END_TEST

/* ---- explicit invalidation ----------------------------------------------------- */

START_TEST (test_invalidate_twice)
{
  SipApplicationSession *app = new_app ();
  SipSession *s1 = new_session (app, TRUE, "call-t", "lt1");
  SipSession *s2 = new_session (app, TRUE, "call-t", "lt2");
  GError *error = NULL;

  ck_assert (sipservlet_session_invalidate (s1, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (!sipservlet_session_is_valid (s1));
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_ptr_eq (counters.last_session, s1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 1);

  ck_assert (!sipservlet_session_invalidate (s1, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 1);

  /* The application session keeps the other one and stays valid. */
  GPtrArray *sessions = sipservlet_application_session_get_sessions (app);
  ck_assert_uint_eq (sessions->len, 1);
  ck_assert_ptr_eq (g_ptr_array_index (sessions, 0), s2);
  g_ptr_array_unref (sessions);
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_uint_eq (counters.app_ready, 0);

  /* A deferred check scheduled earlier does nothing to an invalid one. */
  unit_drain ();
  ck_assert_uint_eq (counters.session_destroyed, 1);

}
END_TEST

START_TEST (test_session_attributes)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-a", "lt");
  static guint c1;
  c1 = 0;
  static guint c2;
  c2 = 0;
  static guint c3;
  c3 = 0;
  static guint c4;
  c4 = 0;
  static guint c5;
  c5 = 0;
  UnitLogCatcher catcher;

  sipservlet_session_set_attribute (s, "a", &c1, unit_count_destroy);
  ck_assert_ptr_eq (sipservlet_session_get_attribute (s, "a"), &c1);
  sipservlet_session_set_attribute (s, "a", &c2, unit_count_destroy);
  ck_assert_uint_eq (c1, 1);
  ck_assert_ptr_eq (sipservlet_session_get_attribute (s, "a"), &c2);
  sipservlet_session_set_attribute (s, "a", NULL, NULL);
  ck_assert_uint_eq (c2, 1);
  ck_assert_ptr_null (sipservlet_session_get_attribute (s, "a"));

  sipservlet_session_set_attribute (s, "b", &c3, unit_count_destroy);
  sipservlet_session_set_attribute (s, "c", &c4, unit_count_destroy);
  /* Released by invalidation, each once. */
  ck_assert (sipservlet_session_invalidate (s, NULL));
  ck_assert_uint_eq (c3, 1);
  ck_assert_uint_eq (c4, 1);
  ck_assert_ptr_null (sipservlet_session_get_attribute (s, "b"));

  /* Setting one on an invalid session is a programming error: critical,
   * and the value is released at once. */
  unit_log_catcher_begin (&catcher);
  sipservlet_session_set_attribute (s, "d", &c5, unit_count_destroy);
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  ck_assert_uint_eq (c5, 1);
  ck_assert_ptr_null (sipservlet_session_get_attribute (s, "d"));

  ck_assert_uint_eq (c1, 1);
  ck_assert_uint_eq (c2, 1);
  ck_assert_uint_eq (c3, 1);
  ck_assert_uint_eq (c4, 1);
  ck_assert_uint_eq (c5, 1);
}
END_TEST

START_TEST (test_attributes_released_with_container)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-c", "lt");
  static guint cs;
  cs = 0;
  static guint ca;
  ca = 0;

  sipservlet_session_set_attribute (s, "s", &cs, unit_count_destroy);
  sipservlet_application_session_set_attribute (app, "a", &ca, unit_count_destroy);
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute (app, "a"), &ca);

  g_clear_pointer (&container, sipservlet_container_unref);
  /* The container invalidated everything on the way out. */
  ck_assert_uint_eq (cs, 1);
  ck_assert_uint_eq (ca, 1);
  ck_assert (!sipservlet_session_is_valid (s));
  ck_assert (!sipservlet_application_session_is_valid (app));
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);

  ck_assert_uint_eq (cs, 1);
  ck_assert_uint_eq (ca, 1);
}
END_TEST

/* ---- application sessions ------------------------------------------------------ */

START_TEST (test_app_invalidate_cascade)
{
  SipApplicationSession *app = new_app ();
  SipSession *s1 = new_session (app, TRUE, "call-x", "lt1");
  SipSession *s2 = new_session (app, FALSE, "call-y", "lt2");
  static guint info;
  info = 0;
  static guint attr;
  attr = 0;
  static guint late;
  late = 0;
  GError *error = NULL;

  SipServletTimer *timer = sipservlet_application_session_create_timer (app, 60000, 0, FALSE,
                                                                        &info, unit_count_destroy,
                                                                        &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (timer);
  sipservlet_application_session_set_attribute (app, "k", &attr, unit_count_destroy);

  ck_assert (sipservlet_application_session_invalidate (app, &error));
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert (!sipservlet_application_session_is_valid (app));
  ck_assert (!sipservlet_session_is_valid (s1));
  ck_assert (!sipservlet_session_is_valid (s2));
  ck_assert_uint_eq (counters.session_destroyed, 2);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert_ptr_eq (counters.last_app, app);
  ck_assert_uint_eq (attr, 1);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "k"));
  /* The timer was cancelled (info kept until our reference goes). */
  ck_assert_ptr_null (sipservlet_timer_get_application_session (timer));
  ck_assert_int_eq (sipservlet_timer_get_time_remaining (timer), 0);
  GPtrArray *timers = sipservlet_application_session_get_timers (app);
  ck_assert_uint_eq (timers->len, 0);
  g_ptr_array_unref (timers);
  GPtrArray *sessions = sipservlet_application_session_get_sessions (app);
  ck_assert_uint_eq (sessions->len, 0);
  g_ptr_array_unref (sessions);
  ck_assert_uint_eq (info, 0);
  sipservlet_timer_unref (timer);
  ck_assert_uint_eq (info, 1);
  ck_assert_uint_eq (sipservlet_container_get_session_count (container), 0);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 0);
  /* The app-ready listener is not for an explicit invalidation. */
  ck_assert_uint_eq (counters.app_ready, 0);

  /* Invalid from now on. */
  ck_assert (!sipservlet_application_session_invalidate (app, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 5), 0);
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_ptr_null (sipservlet_application_session_create_timer (app, 10, 0, FALSE, &late,
                                                                   unit_count_destroy, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert_uint_eq (late, 1);

}
END_TEST

/* Issue 13 (G): arrays handed to the application hold a reference on
 * each element, so an element stays readable when invalidation (by the
 * application, or a listener it triggers) drops the container's own
 * references while the array is still in use. Run under valgrind: the
 * sessions and timers here are held by nobody else. */
START_TEST (test_returned_arrays_hold_references)
{
  SipApplicationSession *app = new_app ();
  GError *error = NULL;
  for (guint i = 0; i < 3; i++)
    {
      char call_id[16], tag[16];
      g_snprintf (call_id, sizeof call_id, "call-a%u", i);
      g_snprintf (tag, sizeof tag, "lt%u", i);
      sipservlet_session_unref (sipsv_session_new (app, TRUE, call_id, tag, NULL, NULL));
      SipServletTimer *timer = sipservlet_application_session_create_timer (app, 60000, 0, FALSE,
                                                                            NULL, NULL, &error);
      UNIT_ASSERT_NO_ERROR (error);
      sipservlet_timer_unref (timer);
    }
  GPtrArray *sessions = sipservlet_application_session_get_sessions (app);
  GPtrArray *timers = sipservlet_application_session_get_timers (app);
  ck_assert_uint_eq (sessions->len, 3);
  ck_assert_uint_eq (timers->len, 3);

  /* The first element's turn ends everything. */
  for (guint i = 0; i < sessions->len; i++)
    {
      SipSession *session = sessions->pdata[i];
      ck_assert (g_str_has_prefix (sipservlet_session_get_id (session), "ss-"));
      if (i == 0)
        ck_assert (sipservlet_application_session_invalidate (
            sipservlet_session_get_application_session (session), &error));
      ck_assert (!sipservlet_session_is_valid (session));
      char call_id[16];
      g_snprintf (call_id, sizeof call_id, "call-a%u", i);
      ck_assert_str_eq (sipservlet_session_get_call_id (session), call_id);
    }
  for (guint i = 0; i < timers->len; i++)
    {
      ck_assert (g_str_has_prefix (sipservlet_timer_get_id (timers->pdata[i]), "tm-"));
      ck_assert_ptr_null (sipservlet_timer_get_application_session (timers->pdata[i]));
    }
  ck_assert_uint_eq (counters.session_destroyed, 3);
  g_ptr_array_unref (sessions);
  g_ptr_array_unref (timers);
}
END_TEST

START_TEST (test_app_ready_when_last_session_goes)
{
  SipApplicationSession *app = new_app ();
  SipSession *s1 = new_session (app, TRUE, "call-l", "lt1");
  SipSession *s2 = new_session (app, TRUE, "call-l", "lt2");

  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert (sipservlet_session_invalidate (s1, NULL));
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_uint_eq (counters.app_ready, 0);

  ck_assert (sipservlet_session_invalidate (s2, NULL));
  ck_assert_uint_eq (counters.app_ready, 1);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert (!sipservlet_application_session_is_valid (app));
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 0);

}
END_TEST

START_TEST (test_app_ready_listener_keeps_it)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-k", "lt");

  counters.keep_app_when_ready = TRUE;
  ck_assert (sipservlet_session_invalidate (s, NULL));
  ck_assert_uint_eq (counters.app_ready, 1);
  ck_assert_ptr_eq (counters.last_app, app);
  /* The listener turned invalidate-when-ready off. */
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert (sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_uint_eq (counters.app_destroyed, 0);

  /* Explicit invalidation still works. */
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (counters.app_destroyed, 1);

}
END_TEST

START_TEST (test_app_invalidate_when_ready_off)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-o", "lt");

  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  ck_assert (sipservlet_session_invalidate (s, NULL));
  ck_assert (sipservlet_application_session_is_valid (app));
  ck_assert (sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_uint_eq (counters.app_destroyed, 0);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 1);

  /* New sessions can still join it. */
  SipSession *s2 = new_session (app, TRUE, "call-o2", "lt2");
  ck_assert (!sipservlet_application_session_is_ready_to_invalidate (app));
  ck_assert_ptr_eq (sipservlet_session_get_application_session (s2), app);
}
END_TEST

START_TEST (test_app_expires)
{
  SipApplicationSession *app = new_app ();
  gint64 created = sipservlet_application_session_get_creation_time (app);
  gint64 accessed = sipservlet_application_session_get_last_accessed_time (app);

  ck_assert (created > 0);
  ck_assert_int_eq (accessed, created);
  /* Default: 3 minutes of inactivity. */
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app),
                    accessed + 3 * USEC_PER_MINUTE);

  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 2), 2);
  accessed = sipservlet_application_session_get_last_accessed_time (app);
  ck_assert (accessed >= created);
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app),
                    accessed + 2 * USEC_PER_MINUTE);

  /* 0 or less: never. */
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 0), G_MAXINT);
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app), 0);
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 7), 7);
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, -3), G_MAXINT);
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app), 0);
  ck_assert (app->expiry_timer == NULL || !sipsv_timer_is_running (app->expiry_timer));

  /* Large values do not overflow. */
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 100000), 100000);
  accessed = sipservlet_application_session_get_last_accessed_time (app);
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app),
                    accessed + (gint64) 100000 * USEC_PER_MINUTE);

  /* Activity moves the expiration forward. */
  ck_assert_int_eq (sipservlet_application_session_set_expires (app, 1), 1);
  gint64 before = sipservlet_application_session_get_expiration_time (app);
  g_usleep (2000);
  SipSession *s = new_session (app, TRUE, "call-e", "lt");
  sipsv_session_transaction_begin (s);
  ck_assert (sipservlet_application_session_get_last_accessed_time (app) > accessed);
  ck_assert (sipservlet_application_session_get_expiration_time (app) > before);
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (app),
                    sipservlet_application_session_get_last_accessed_time (app) + USEC_PER_MINUTE);
  ck_assert_uint_eq (counters.app_expired, 0);

}
END_TEST

START_TEST (test_container_default_timeout)
{
  sipservlet_container_set_application_session_timeout (container, 0);
  SipApplicationSession *never = new_app ();
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (never), 0);
  ck_assert (never->expiry_timer == NULL || !sipsv_timer_is_running (never->expiry_timer));

  sipservlet_container_set_application_session_timeout (container, 10);
  SipApplicationSession *ten = new_app ();
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (ten),
                    sipservlet_application_session_get_last_accessed_time (ten)
                    + 10 * USEC_PER_MINUTE);
  /* The existing one is not changed. */
  ck_assert_int_eq (sipservlet_application_session_get_expiration_time (never), 0);

}
END_TEST

START_TEST (test_app_attributes)
{
  SipApplicationSession *app = new_app ();
  static guint c1;
  c1 = 0;
  static guint c2;
  c2 = 0;
  static guint c3;
  c3 = 0;
  UnitLogCatcher catcher;

  sipservlet_application_session_set_attribute (app, "x", &c1, unit_count_destroy);
  sipservlet_application_session_set_attribute (app, "x", &c2, unit_count_destroy);
  ck_assert_uint_eq (c1, 1);
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute (app, "x"), &c2);
  sipservlet_application_session_set_attribute (app, "x", NULL, NULL);
  ck_assert_uint_eq (c2, 1);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "x"));

  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  unit_log_catcher_begin (&catcher);
  sipservlet_application_session_set_attribute (app, "y", &c3, unit_count_destroy);
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  ck_assert_uint_eq (c3, 1);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "y"));

  ck_assert_uint_eq (c1, 1);
  ck_assert_uint_eq (c2, 1);
  ck_assert_uint_eq (c3, 1);
}
END_TEST

/* ---- dialogs ---------------------------------------------------------------- */

START_TEST (test_dialog_registration)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-dr", "lt");
  SipSession *other = new_session (app, TRUE, "call-dr", "lt-other");

  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt", "rt"));
  sipsv_session_set_remote_tag (s, "rt");
  SipAddress *remote = sipservlet_session_get_remote_party (s);
  ck_assert_str_eq (sipservlet_address_get_tag (remote), "rt");
  sipservlet_address_unref (remote);

  sipsv_session_register_dialog (s);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt", "rt"), s);
  /* Each part of the key matters. */
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt", "rt2"));
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt", NULL));
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt2", "rt"));
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-xx", "lt", "rt"));
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "rt", "lt"));

  /* Registering twice is harmless. */
  sipsv_session_register_dialog (s);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt", "rt"), s);

  /* A second dialog of the same call. */
  sipsv_session_set_remote_tag (other, "rt");
  sipsv_session_register_dialog (other);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt-other", "rt"), other);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt", "rt"), s);

  /* Still found through EARLY and CONFIRMED, not once TERMINATED. */
  sipservlet_session_set_invalidate_when_ready (s, FALSE);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_EARLY);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt", "rt"), s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_CONFIRMED);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt", "rt"), s);
  sipsv_session_set_state (s, SIPSERVLET_SESSION_STATE_TERMINATED);
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt", "rt"));
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-dr", "lt-other", "rt"), other);

  /* Invalidation unregisters too, and an invalid session cannot register. */
  ck_assert (sipservlet_session_invalidate (other, NULL));
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt-other", "rt"));
  sipsv_session_register_dialog (other);
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-dr", "lt-other", "rt"));
  ck_assert_uint_eq (g_hash_table_size (manager->dialogs), 0);

}
END_TEST

START_TEST (test_remote_tag_change_rekeys)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, TRUE, "call-rk", "lt");

  /* Early dialog with one tag, then the 2xx comes from another fork. */
  sipsv_session_set_remote_tag (s, "fork1");
  sipsv_session_register_dialog (s);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-rk", "lt", "fork1"), s);
  sipsv_session_set_remote_tag (s, "fork2");
  ck_assert_ptr_null (sipsv_session_lookup (manager, "call-rk", "lt", "fork1"));
  sipsv_session_register_dialog (s);
  ck_assert_ptr_eq (sipsv_session_lookup (manager, "call-rk", "lt", "fork2"), s);
  ck_assert_uint_eq (g_hash_table_size (manager->dialogs), 1);

  /* Invalidation unregisters the new key as well. */
  ck_assert (sipservlet_session_invalidate (s, NULL));
  ck_assert_uint_eq (g_hash_table_size (manager->dialogs), 0);

}
END_TEST

/* ---- listeners -------------------------------------------------------------- */

static void
must_not_run_app (SipApplicationSession *app, gpointer user_data)
{
  ck_abort_msg ("a listener beyond the registered struct_size ran");
}

START_TEST (test_listeners_once_and_versions)
{
  static Counters second;
  memset (&second, 0, sizeof second);
  static Counters old;
  memset (&old, 0, sizeof old);
  /* A table from "older headers": only the members up to
   * session_destroyed exist; what follows must be ignored. */
  SipServletListeners old_table = all_listeners;
  old_table.struct_size = offsetof (SipServletListeners, session_ready_to_invalidate);
  old_table.application_session_created = must_not_run_app;
  old_table.application_session_destroyed = must_not_run_app;
  old_table.application_session_ready_to_invalidate = must_not_run_app;

  ck_assert (sipservlet_container_add_listeners (container, &all_listeners, &second,
                                                 on_user_data_destroyed));
  ck_assert (sipservlet_container_add_listeners (container, &old_table, &old,
                                                 on_user_data_destroyed));

  SipApplicationSession *app = new_app ();
  SipSession *s1 = new_session (app, TRUE, "call-ls", "lt1");
  SipSession *s2 = new_session (app, TRUE, "call-ls", "lt2");
  ck_assert_ptr_eq (counters.last_session, s2);
  ck_assert_uint_eq (counters.app_created, 1);
  ck_assert_uint_eq (second.app_created, 1);
  ck_assert_uint_eq (counters.session_created, 2);
  ck_assert_uint_eq (second.session_created, 2);
  ck_assert_uint_eq (old.session_created, 2);

  ck_assert (sipservlet_session_invalidate (s1, NULL));
  ck_assert_uint_eq (counters.session_destroyed, 1);
  ck_assert_uint_eq (second.session_destroyed, 1);
  ck_assert_uint_eq (old.session_destroyed, 1);

  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (counters.session_destroyed, 2);
  ck_assert_uint_eq (second.session_destroyed, 2);
  ck_assert_uint_eq (old.session_destroyed, 2);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert_uint_eq (second.app_destroyed, 1);

  /* The user data lives as long as the container, destroyed once. */
  ck_assert_uint_eq (second.user_data_destroyed, 0);
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (second.user_data_destroyed, 1);
  ck_assert_uint_eq (old.user_data_destroyed, 1);
  /* Nothing was valid any more: no extra notification on the way out. */
  ck_assert_uint_eq (counters.session_destroyed, 2);
  ck_assert_uint_eq (counters.app_destroyed, 1);
  ck_assert_uint_eq (second.session_destroyed, 2);

}
END_TEST

START_TEST (test_listeners_rejected)
{
  SipServletListeners table = all_listeners;
  UnitLogCatcher catcher;
  static Counters unused;
  memset (&unused, 0, sizeof unused);

  table.struct_size = 0;
  unit_log_catcher_begin (&catcher);
  ck_assert (!sipservlet_container_add_listeners (container, &table, &unused,
                                                  on_user_data_destroyed));
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);

  table.struct_size = sizeof (SipServletListeners) + sizeof (gpointer);
  unit_log_catcher_begin (&catcher);
  ck_assert (!sipservlet_container_add_listeners (container, &table, &unused,
                                                  on_user_data_destroyed));
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);

  /* Not registered: no notification and no destroy of the user data. */
  SipApplicationSession *app = new_app ();
  ck_assert_uint_eq (unused.app_created, 0);
  ck_assert_uint_eq (counters.app_created, 1);
  ck_assert_ptr_eq (counters.last_app, app);
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (unused.user_data_destroyed, 0);
}
END_TEST

START_TEST (test_factory_app_session_created_listener)
{
  SipFactory *factory = sipservlet_container_get_factory (container);
  SipApplicationSession *app = sipservlet_factory_create_application_session (factory);

  ck_assert_ptr_nonnull (app);
  ck_assert_uint_eq (counters.app_created, 1);
  ck_assert_ptr_eq (counters.last_app, app);
  ck_assert (sipservlet_application_session_is_valid (app));
  /* Empty but not "ready": it never had a session or timer to lose. */
  ck_assert_uint_eq (counters.app_ready, 0);
  ck_assert_uint_eq (sipservlet_container_get_application_session_count (container), 1);
  sipservlet_application_session_unref (app);
}
END_TEST

/* ---- handler -------------------------------------------------------------- */

static const SipServletHandlers empty_handlers = { SIPSERVLET_HANDLERS_INIT };

START_TEST (test_session_handler)
{
  SipApplicationSession *app = new_app ();
  SipSession *s = new_session (app, FALSE, "call-h", "lt");
  static guint d1;
  d1 = 0;
  static guint d2;
  d2 = 0;
  SipServlet *a = sipservlet_servlet_new ("a", &empty_handlers, &d1, unit_count_destroy);
  SipServlet *b = sipservlet_servlet_new ("b", &empty_handlers, &d2, unit_count_destroy);

  ck_assert_ptr_null (sipsv_session_get_handler (s));
  sipservlet_session_set_handler (s, a);
  sipservlet_servlet_unref (a);
  ck_assert_uint_eq (d1, 0);
  ck_assert_ptr_eq (sipsv_session_get_handler (s), a);
  sipservlet_session_set_handler (s, b);
  ck_assert_uint_eq (d1, 1);
  ck_assert_ptr_eq (sipsv_session_get_handler (s), b);
  sipservlet_servlet_unref (b);
  ck_assert_uint_eq (d2, 0);

  /* The session keeps its handler until it is freed. */
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (d2, 0);
  g_ptr_array_set_size (held_sessions, 0);
  ck_assert_uint_eq (d1, 1);
  ck_assert_uint_eq (d2, 1);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("session");
  TCase *tc = tcase_create ("session");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_key_hash);
  tcase_add_test (tc, test_random_token);
  tcase_add_test (tc, test_new_session);
  tcase_add_test (tc, test_ready_rules);
  tcase_add_test (tc, test_ready_listener_once_per_transition);
  tcase_add_test (tc, test_invalidate_when_ready_deferred);
  tcase_add_test (tc, test_dialog_lifecycle_invalidate_when_ready);
  tcase_add_test (tc, test_uac_failure_returns_to_initial);
  tcase_add_test (tc, test_turning_invalidate_when_ready_on_checks);
  tcase_add_test (tc, test_invalidate_twice);
  tcase_add_test (tc, test_session_attributes);
  tcase_add_test (tc, test_attributes_released_with_container);
  tcase_add_test (tc, test_app_invalidate_cascade);
  tcase_add_test (tc, test_returned_arrays_hold_references);
  tcase_add_test (tc, test_app_ready_when_last_session_goes);
  tcase_add_test (tc, test_app_ready_listener_keeps_it);
  tcase_add_test (tc, test_app_invalidate_when_ready_off);
  tcase_add_test (tc, test_app_expires);
  tcase_add_test (tc, test_container_default_timeout);
  tcase_add_test (tc, test_app_attributes);
  tcase_add_test (tc, test_dialog_registration);
  tcase_add_test (tc, test_remote_tag_change_rekeys);
  tcase_add_test (tc, test_listeners_once_and_versions);
  tcase_add_test (tc, test_listeners_rejected);
  tcase_add_test (tc, test_factory_app_session_created_listener);
  tcase_add_test (tc, test_session_handler);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
