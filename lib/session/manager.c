/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the session manager: dialog table, listeners, and the
 * deferred readiness checks that implement invalidate-when-ready without
 * ever invalidating a session while application code is on the stack. */
#include "config-private.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "format-private.h"
#include "key-hash-private.h"
#include "session/session-private.h"

void
sipsv_session_manager_init (SipsvSessionManager *manager, SipContainer *container,
                            GMainContext *context, SipsvTimerQueue *timers)
{
  manager->context = context;
  manager->timers = timers;
  manager->container = container;
  manager->dialogs = g_hash_table_new (sipsv_key_hash, g_str_equal);
  sipsv_request_index_init (&manager->initial_requests);
  manager->app_sessions = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                                 (GDestroyNotify) sipservlet_application_session_unref,
                                                 NULL);
  manager->listeners = sipsv_session_listeners_new ();
  manager->app_session_timeout_min = 3;
  manager->pending_checks = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);
  manager->app_session_ids = g_hash_table_new (sipsv_key_hash, g_str_equal);
  manager->session_ids = g_hash_table_new (sipsv_key_hash, g_str_equal);
  manager->app_session_keys = g_hash_table_new (sipsv_key_hash, g_str_equal);
  manager->ended_dialogs = g_hash_table_new (sipsv_key_hash, g_str_equal);
  manager->id_random_used = sizeof manager->id_random; /* filled on first use */
}

void
sipsv_session_manager_invalidate_all (SipsvSessionManager *manager)
{
  GList *apps = g_hash_table_get_keys (manager->app_sessions);
  for (GList *l = apps; l != NULL; l = l->next)
    sipservlet_application_session_ref (l->data);
  for (GList *l = apps; l != NULL; l = l->next)
    {
      if (sipservlet_application_session_is_valid (l->data))
        sipservlet_application_session_invalidate (l->data, NULL);
      sipservlet_application_session_unref (l->data);
    }
  g_list_free (apps);
  g_ptr_array_set_size (manager->pending_checks, 0);
}

void
sipsv_session_manager_clear (SipsvSessionManager *manager)
{
  sipsv_session_manager_invalidate_all (manager);
  if (manager->check_source != NULL)
    {
      g_source_destroy (manager->check_source);
      g_source_unref (manager->check_source);
      manager->check_source = NULL;
    }
  g_clear_pointer (&manager->pending_checks, g_ptr_array_unref);
  g_clear_pointer (&manager->spare_checks, g_ptr_array_unref);
  g_clear_pointer (&manager->app_sessions, g_hash_table_destroy);
  g_clear_pointer (&manager->dialogs, g_hash_table_destroy);
  g_clear_pointer (&manager->app_session_ids, g_hash_table_destroy);
  g_clear_pointer (&manager->session_ids, g_hash_table_destroy);
  g_clear_pointer (&manager->app_session_keys, g_hash_table_destroy);
  g_clear_pointer (&manager->ended_dialogs, g_hash_table_destroy);
  sipsv_request_index_clear (&manager->initial_requests);
  g_clear_pointer (&manager->listeners, g_array_unref);
}

static void
listener_entry_clear (gpointer data)
{
  SipsvListenerEntry *e = data;
  if (e->destroy != NULL)
    e->destroy (e->user_data);
}

GArray *
sipsv_session_listeners_new (void)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (SipsvListenerEntry));
  g_array_set_clear_func (list, listener_entry_clear);
  return list;
}

gboolean
sipsv_session_listeners_append (GArray *list, const SipServletListeners *listeners,
                                gpointer user_data, GDestroyNotify destroy)
{
  SipsvListenerEntry entry = { 0 };

  if (listeners->struct_size == 0 || listeners->struct_size > sizeof (SipServletListeners))
    return FALSE;
  memcpy (&entry.vtable, listeners, listeners->struct_size);
  entry.vtable.struct_size = sizeof (SipServletListeners);
  entry.user_data = user_data;
  entry.destroy = destroy;
  g_array_append_val (list, entry);
  return TRUE;
}

gboolean
sipsv_session_manager_add_listeners (SipsvSessionManager *manager,
                                     const SipServletListeners *listeners,
                                     gpointer user_data, GDestroyNotify destroy)
{
  g_return_val_if_fail (listeners->struct_size > 0
                        && listeners->struct_size <= sizeof (SipServletListeners), FALSE);
  return sipsv_session_listeners_append (manager->listeners, listeners, user_data, destroy);
}

/* prefix-RANDOM-N, RANDOM being the hex digits of n_random bytes: formatted
 * by hand, a printf costs more than the rest of creating a session. */
static char *
format_id (SipsvSessionManager *manager, const char *prefix, const guint8 *random, gsize n_random)
{
  static const char hex[] = "0123456789abcdef";
  char digits[24];
  const char *p = sipsv_format_uint (digits, ++manager->next_id);
  size_t plen = strlen (prefix), nlen = strlen (p);
  char *id, *q;

  id = g_malloc (plen + 1 + 2 * n_random + 1 + nlen + 1);
  memcpy (id, prefix, plen);
  q = id + plen;
  *q++ = '-';
  for (gsize i = 0; i < n_random; i++)
    {
      *q++ = hex[random[i] >> 4];
      *q++ = hex[random[i] & 0xf];
    }
  *q++ = '-';
  memcpy (q, p, nlen + 1);
  return id;
}

char *
sipsv_session_manager_new_id (SipsvSessionManager *manager, const char *prefix)
{
  guint32 r = g_random_int ();
  guint8 random[4] = { r >> 24, r >> 16, r >> 8, r };

  return format_id (manager, prefix, random, sizeof random);
}

/* g_random is a Mersenne Twister: whoever sees enough of its output (our
 * tags and Call-IDs) can predict the rest, so ids that grant access to an
 * application session come from the kernel. */
static void
refill_id_random (SipsvSessionManager *manager)
{
  guint8 *p = manager->id_random;
  gsize left = sizeof manager->id_random;

  while (left > 0)
    {
      gssize n = getrandom (p, left, 0);
      if (n < 0)
        {
          /* Never fall back to a weak generator for these. */
          if (errno != EINTR)
            g_error ("getrandom: %s", g_strerror (errno));
          continue;
        }
      p += n;
      left -= (gsize) n;
    }
  manager->id_random_used = 0;
}

#define SECRET_BYTES 8
G_STATIC_ASSERT (sizeof ((SipsvSessionManager *) NULL)->id_random % SECRET_BYTES == 0);

char *
sipsv_session_manager_new_secret_id (SipsvSessionManager *manager, const char *prefix)
{
  if (manager->id_random_used + SECRET_BYTES > sizeof manager->id_random)
    refill_id_random (manager);
  char *id
      = format_id (manager, prefix, manager->id_random + manager->id_random_used, SECRET_BYTES);
  manager->id_random_used += SECRET_BYTES;
  return id;
}

gboolean
sipsv_session_manager_run_checks (SipsvSessionManager *manager)
{
  GPtrArray *batch = manager->pending_checks;

  if (batch->len == 0)
    return FALSE;
  /* As the runtime's work queue: checks scheduled meanwhile go to the
   * spare array, and the batch becomes the spare once emptied. */
  manager->pending_checks
      = manager->spare_checks != NULL
            ? g_steal_pointer (&manager->spare_checks)
            : g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);

  for (guint i = 0; i < batch->len; i++)
    {
      SipSession *session = batch->pdata[i];
      session->check_pending = FALSE;
      if (!session->valid || !sipservlet_session_is_ready_to_invalidate (session))
        continue;
      if (!session->ready_notified)
        {
          session->ready_notified = TRUE;
          SIPSV_NOTIFY (manager, session->app->scope, session_ready_to_invalidate, session);
        }
      if (session->valid && session->invalidate_when_ready
          && sipservlet_session_is_ready_to_invalidate (session))
        sipservlet_session_invalidate (session, NULL);
    }
  g_ptr_array_set_size (batch, 0);
  if (manager->spare_checks == NULL)
    manager->spare_checks = batch;
  else
    g_ptr_array_unref (batch);
  return TRUE;
}

static gboolean
on_check_source (gpointer data)
{
  SipsvSessionManager *manager = data;

  g_clear_pointer (&manager->check_source, g_source_unref);
  sipsv_session_manager_run_checks (manager);
  return G_SOURCE_REMOVE;
}

void
sipsv_session_schedule_check (SipSession *session)
{
  SipsvSessionManager *manager = session->manager;

  if (manager == NULL || !session->valid || session->check_pending)
    return;
  session->check_pending = TRUE;
  g_ptr_array_add (manager->pending_checks, sipservlet_session_ref (session));
  if (manager->check_source == NULL
      && (manager->flush_coming == NULL || !*manager->flush_coming))
    {
      manager->check_source = g_idle_source_new ();
      g_source_set_priority (manager->check_source, G_PRIORITY_HIGH);
      g_source_set_callback (manager->check_source, on_check_source, manager, NULL);
      g_source_attach (manager->check_source, manager->context);
    }
}
