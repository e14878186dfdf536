/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipApplicationSession: groups sessions and timers of one
 * application instance, expires after inactivity (JSR 289 §6.1). */
#include "config-private.h"

#include "attributes-private.h"
#include "session/session-private.h"

#define USEC_PER_MINUTE (G_USEC_PER_SEC * (gint64) 60)

static void schedule_expiry (SipApplicationSession *app);

SipApplicationSession *
sipsv_application_session_new (SipsvSessionManager *manager)
{
  return sipsv_application_session_new_in (manager, NULL);
}

SipApplicationSession *
sipsv_application_session_new_in (SipsvSessionManager *manager, SipsvAppScope *scope)
{
  SipApplicationSession *app = g_new0 (SipApplicationSession, 1);

  g_atomic_ref_count_init (&app->ref_count);
  app->manager = manager;
  app->scope = scope != NULL ? sipsv_session_scope_ref (scope) : NULL;
  if (scope != NULL)
    scope->n_app_sessions++;
  /* encodeURI puts the id in URIs: it must not be guessable. */
  app->id = sipsv_session_manager_new_secret_id (manager, "as");
  app->valid = TRUE;
  app->invalidate_when_ready = TRUE;
  app->created = app->last_accessed = g_get_real_time ();
  app->lifetime = manager->app_session_timeout_min * USEC_PER_MINUTE;
  app->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);
  /* app->timers: made by the first servlet timer (servlet-timer.c). */
  /* The manager's table owns the initial reference. */
  g_hash_table_add (manager->app_sessions, app);
  schedule_expiry (app);
  SIPSV_NOTIFY (manager, app->scope, application_session_created, app);
  return app;
}

/* Called when its last session or timer goes: tell the listeners, then
 * invalidate when invalidate-when-ready is on (JSR 289 §6.1.2.2). */
void
sipsv_application_session_check_ready (SipApplicationSession *app)
{
  if (!sipservlet_application_session_is_ready_to_invalidate (app))
    return;
  sipservlet_application_session_ref (app);
  SIPSV_NOTIFY (app->manager, app->scope, application_session_ready_to_invalidate, app);
  if (app->invalidate_when_ready && sipservlet_application_session_is_ready_to_invalidate (app))
    sipservlet_application_session_invalidate (app, NULL);
  sipservlet_application_session_unref (app);
}

void
sipsv_application_session_touch (SipApplicationSession *app)
{
  /* Expiry is re-read when the timer fires, so touching costs one store. */
  app->last_accessed = g_get_real_time ();
}

static void
clear_expiry (SipApplicationSession *app)
{
  if (app->expiry_timer != NULL)
    sipsv_timer_stop (app->expiry_timer);
}

static gboolean
has_live_dialog (SipApplicationSession *app)
{
  for (guint i = 0; i < app->sessions->len; i++)
    {
      SipSession *session = app->sessions->pdata[i];
      if (session->valid && (session->state == SIPSERVLET_SESSION_STATE_EARLY
                             || session->state == SIPSERVLET_SESSION_STATE_CONFIRMED))
        return TRUE;
    }
  return FALSE;
}

static void
on_expiry (gpointer data)
{
  SipApplicationSession *app = data;
  gint64 now = g_get_real_time ();
  gint64 due = app->last_accessed + app->lifetime;

  if (!app->valid || app->lifetime == 0)
    return;
  if (due > now)
    {
      schedule_expiry (app);
      return;
    }
  /* A call outlives any expiry: while one of its dialogs is early or
   * confirmed the application session is still needed (its BYE must reach
   * the servlet), so the expiry waits another lifetime, unannounced. Once
   * the dialogs end, invalidate-when-ready or the next expiry ends it. */
  if (has_live_dialog (app))
    {
      sipsv_timer_start (app->expiry_timer, (guint) MIN (app->lifetime / 1000 + 1, G_MAXUINT));
      return;
    }

  sipservlet_application_session_ref (app);
  gint64 before = app->lifetime;
  gint64 accessed = app->last_accessed;
  SIPSV_NOTIFY (app->manager, app->scope, application_session_expired, app);
  /* The listener may have extended it with set_expires(). */
  if (app->valid && app->lifetime == before && app->last_accessed == accessed)
    sipservlet_application_session_invalidate (app, NULL);
  sipservlet_application_session_unref (app);
}

static void
schedule_expiry (SipApplicationSession *app)
{
  clear_expiry (app);
  if (app->lifetime == 0 || app->manager == NULL)
    return;
  gint64 remaining = app->last_accessed + app->lifetime - g_get_real_time ();
  guint ms = remaining <= 0 ? 0 : (guint) MIN (remaining / 1000 + 1, G_MAXUINT);
  if (app->expiry_timer == NULL)
    app->expiry_timer = sipsv_timer_new (app->manager->timers, on_expiry, app);
  sipsv_timer_start (app->expiry_timer, ms);
}

void
sipsv_application_session_set_lifetime_ms (SipApplicationSession *app, guint ms)
{
  app->lifetime = (gint64) ms * 1000;
  schedule_expiry (app);
}

/* ---- public API -------------------------------------------------------------- */

SipApplicationSession *
sipservlet_application_session_ref (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, NULL);
  g_atomic_ref_count_inc (&app->ref_count);
  return app;
}

void
sipservlet_application_session_unref (SipApplicationSession *app)
{
  g_return_if_fail (app != NULL);
  if (!g_atomic_ref_count_dec (&app->ref_count))
    return;
  g_clear_pointer (&app->expiry_timer, sipsv_timer_free);
  g_ptr_array_unref (app->sessions);
  g_clear_pointer (&app->timers, g_ptr_array_unref);
  g_clear_pointer (&app->attributes, g_hash_table_destroy);
  g_clear_pointer (&app->scope, sipsv_session_scope_unref);
  g_free (app->key_entry);
  g_free (app->id);
  g_free (app);
}

const char *
sipservlet_application_session_get_id (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, NULL);
  /* Found by its id (encodeURI, a converged HTTP request) once handed
   * out: the application sessions of most requests never are. */
  if (app->valid && !app->id_published && app->manager != NULL)
    {
      g_hash_table_insert (app->manager->app_session_ids, app->id, app);
      app->id_published = TRUE;
    }
  return app->id;
}

gint64
sipservlet_application_session_get_creation_time (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, 0);
  return app->created;
}

gint64
sipservlet_application_session_get_last_accessed_time (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, 0);
  return app->last_accessed;
}

gint64
sipservlet_application_session_get_expiration_time (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, 0);
  return app->lifetime == 0 ? 0 : app->last_accessed + app->lifetime;
}

gint
sipservlet_application_session_set_expires (SipApplicationSession *app, gint minutes)
{
  g_return_val_if_fail (app != NULL, 0);
  if (!app->valid)
    return 0;
  app->last_accessed = g_get_real_time ();
  if (minutes <= 0)
    {
      app->lifetime = 0;
      clear_expiry (app);
      return G_MAXINT;
    }
  app->lifetime = minutes * USEC_PER_MINUTE;
  schedule_expiry (app);
  return minutes;
}

gboolean
sipservlet_application_session_is_valid (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, FALSE);
  return app->valid;
}

gboolean
sipservlet_application_session_invalidate (SipApplicationSession *app, GError **error)
{
  g_return_val_if_fail (app != NULL, FALSE);
  if (!app->valid)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application session %s is already invalidated", app->id);
      return FALSE;
    }
  sipservlet_application_session_ref (app);
  app->valid = FALSE;
  /* Not found by id or key from now on, listeners included. */
  if (app->manager != NULL)
    {
      if (app->id_published)
        g_hash_table_remove (app->manager->app_session_ids, app->id);
      if (app->key_entry != NULL)
        g_hash_table_remove (app->manager->app_session_keys, app->key_entry);
    }
  g_clear_pointer (&app->key_entry, g_free);
  /* Timers live on the container's heap: free them now, not when the
   * last reference goes, which may be after the container. */
  g_clear_pointer (&app->expiry_timer, sipsv_timer_free);

  /* Sessions first (each removes itself from app->sessions), then timers. */
  while (app->sessions->len > 0)
    {
      SipSession *session = g_ptr_array_index (app->sessions, app->sessions->len - 1);
      if (session->valid)
        sipservlet_session_invalidate (session, NULL);
      else
        g_ptr_array_remove_index (app->sessions, app->sessions->len - 1);
    }
  while (app->timers != NULL && app->timers->len > 0)
    sipservlet_timer_cancel (g_ptr_array_index (app->timers, app->timers->len - 1));

  SipsvSessionManager *manager = app->manager;
  if (app->scope != NULL)
    app->scope->n_app_sessions--;
  SIPSV_NOTIFY (manager, app->scope, application_session_destroyed, app);
  g_clear_pointer (&app->attributes, g_hash_table_destroy);
  if (manager != NULL)
    g_hash_table_remove (manager->app_sessions, app);
  sipservlet_application_session_unref (app);
  return TRUE;
}

void
sipservlet_application_session_set_invalidate_when_ready (SipApplicationSession *app,
                                                          gboolean invalidate_when_ready)
{
  g_return_if_fail (app != NULL);
  app->invalidate_when_ready = invalidate_when_ready;
}

gboolean
sipservlet_application_session_is_ready_to_invalidate (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, FALSE);
  return app->valid && app->sessions->len == 0 && (app->timers == NULL || app->timers->len == 0);
}

void
sipservlet_application_session_set_attribute (SipApplicationSession *app,
                                              const char *name, gpointer value,
                                              GDestroyNotify destroy)
{
  g_return_if_fail (app != NULL && name != NULL);
  if (!app->valid)
    {
      g_critical ("sipservlet_application_session_set_attribute: %s is invalidated", app->id);
      if (destroy != NULL && value != NULL)
        destroy (value);
      return;
    }
  sipsv_attributes_set (&app->attributes, name, value, destroy);
}

gpointer
sipservlet_application_session_get_attribute (SipApplicationSession *app, const char *name)
{
  g_return_val_if_fail (app != NULL && name != NULL, NULL);
  return sipsv_attributes_get (app->attributes, name);
}

/* Setting on an invalidated application session is a programming error,
 * as for pointer attributes; a floating value is still consumed. */
static gboolean
check_settable (SipApplicationSession *app, const char *func)
{
  if (app->valid)
    return TRUE;
  g_critical ("%s: %s is invalidated", func, app->id);
  return FALSE;
}

void
sipservlet_application_session_set_attribute_variant (SipApplicationSession *app, const char *name,
                                                      GVariant *value)
{
  g_return_if_fail (app != NULL && name != NULL);
  if (!check_settable (app, G_STRFUNC))
    {
      if (value != NULL && g_variant_is_floating (value))
        g_variant_unref (g_variant_ref_sink (value));
      return;
    }
  sipsv_attributes_set_variant (&app->attributes, name, value);
}

GVariant *
sipservlet_application_session_get_attribute_variant (SipApplicationSession *app, const char *name)
{
  g_return_val_if_fail (app != NULL && name != NULL, NULL);
  return sipsv_attributes_get_variant (app->attributes, name);
}

void
sipservlet_application_session_set_attribute_bytes (SipApplicationSession *app, const char *name,
                                                    const char *type_name, GBytes *value)
{
  g_return_if_fail (app != NULL && name != NULL);
  if (!check_settable (app, G_STRFUNC))
    return;
  sipsv_attributes_set_bytes (&app->attributes, name, type_name, value);
}

GBytes *
sipservlet_application_session_get_attribute_bytes (SipApplicationSession *app, const char *name,
                                                    const char **type_name)
{
  g_return_val_if_fail (app != NULL && name != NULL, NULL);
  return sipsv_attributes_get_bytes (app->attributes, name, type_name);
}

gboolean
sipservlet_application_session_is_serializable (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, FALSE);
  return sipsv_attributes_are_serializable (app->attributes);
}

GPtrArray *
sipservlet_application_session_get_sessions (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, NULL);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);
  for (guint i = 0; i < app->sessions->len; i++)
    g_ptr_array_add (result, sipservlet_session_ref (app->sessions->pdata[i]));
  return result;
}

GPtrArray *
sipservlet_application_session_get_timers (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, NULL);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_timer_unref);
  for (guint i = 0; app->timers != NULL && i < app->timers->len; i++)
    g_ptr_array_add (result, sipservlet_timer_ref (app->timers->pdata[i]));
  return result;
}

const char *
sipservlet_application_session_get_application_name (SipApplicationSession *app)
{
  g_return_val_if_fail (app != NULL, NULL);
  return app->scope != NULL ? app->scope->name : SIPSERVLET_IMPLICIT_APPLICATION;
}

/* ---- application scopes ------------------------------------------------- */

SipsvAppScope *
sipsv_session_scope_new (const char *name)
{
  SipsvAppScope *scope = g_new0 (SipsvAppScope, 1);

  g_atomic_ref_count_init (&scope->ref_count);
  scope->name = g_strdup (name);
  scope->listeners = sipsv_session_listeners_new ();
  return scope;
}

SipsvAppScope *
sipsv_session_scope_ref (SipsvAppScope *scope)
{
  g_atomic_ref_count_inc (&scope->ref_count);
  return scope;
}

void
sipsv_session_scope_unref (SipsvAppScope *scope)
{
  if (!g_atomic_ref_count_dec (&scope->ref_count))
    return;
  g_array_unref (scope->listeners);
  g_free (scope->name);
  g_free (scope);
}
