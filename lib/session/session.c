/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipSession: one dialog's state (JSR 289 §6.2.1). */
#include "config-private.h"

#include <string.h>

#include "attributes-private.h"
#include "session/session-private.h"

gboolean
sipsv_method_creates_dialog (const char *method)
{
  return method != NULL && (strcmp (method, "INVITE") == 0
                            || strcmp (method, "SUBSCRIBE") == 0
                            || strcmp (method, "REFER") == 0);
}

char *
sipsv_random_token (guint bytes)
{
  static const char hex[] = "0123456789abcdef";
  char *token = g_malloc (bytes * 2 + 1);
  guint32 r = 0;

  /* Eight hex digits from each random word: g_random_int() takes a lock,
   * and a Call-ID and a tag would cost 18 of them a byte at a time. */
  for (guint i = 0; i < bytes * 2; i++, r >>= 4)
    {
      if (i % 8 == 0)
        r = g_random_int ();
      token[i] = hex[r & 15];
    }
  token[bytes * 2] = '\0';
  return token;
}

char *
sipsv_dialog_key (char *buf, gsize size, const char *call_id, const char *local_tag,
                  const char *remote_tag)
{
  const char *parts[] = { call_id, local_tag, remote_tag };
  return sipsv_key_join (buf, size, parts, G_N_ELEMENTS (parts));
}

SipSession *
sipsv_session_new (SipApplicationSession *app, gboolean uac, const char *call_id,
                   const char *local_tag, SipAddress *local_party,
                   SipAddress *remote_party)
{
  SipsvSessionManager *manager = app->manager;
  SipSession *session = g_new0 (SipSession, 1);

  g_atomic_ref_count_init (&session->ref_count);
  session->manager = manager;
  session->app = sipservlet_application_session_ref (app);
  session->id = sipsv_session_manager_new_id (manager, "ss");
  session->state = SIPSERVLET_SESSION_STATE_INITIAL;
  session->valid = TRUE;
  session->invalidate_when_ready = TRUE;
  session->uac = uac;
  session->call_id = g_strdup (call_id);
  session->local_tag = g_strdup (local_tag);
  session->local_party = local_party;     /* takes ownership */
  session->remote_party = remote_party;
  session->route_set = g_ptr_array_new_with_free_func (g_free);
  session->local_cseq = uac ? 0 : 1;

  /* The application session owns valid sessions. */
  g_ptr_array_add (app->sessions, sipservlet_session_ref (session));
  manager->n_sessions++;
  SIPSV_NOTIFY (manager, session->app->scope, session_created, session);
  return session;
}

SipSession *
sipsv_session_lookup (SipsvSessionManager *manager, const char *call_id,
                      const char *local_tag, const char *remote_tag)
{
  char buf[SIPSV_KEY_BUF];
  char *key = sipsv_dialog_key (buf, sizeof buf, call_id, local_tag, remote_tag);
  SipSession *session = g_hash_table_lookup (manager->dialogs, key);
  if (key != buf)
    g_free (key);
  return session;
}

void
sipsv_session_register_dialog (SipSession *session)
{
  if (session->dialog_key != NULL || session->manager == NULL || !session->valid)
    return;
  session->dialog_key = sipsv_dialog_key (NULL, 0, session->call_id, session->local_tag,
                                          session->remote_tag);
  g_hash_table_insert (session->manager->dialogs, session->dialog_key, session);
}

void
sipsv_session_unregister_dialog (SipSession *session)
{
  if (session->dialog_key == NULL)
    return;
  if (session->manager != NULL
      && g_hash_table_lookup (session->manager->dialogs, session->dialog_key) == session)
    g_hash_table_remove (session->manager->dialogs, session->dialog_key);
  g_clear_pointer (&session->dialog_key, g_free);
}

/* A party is kept as text, as an address, or both; the text stays with
 * the address it was parsed from or formatted to until that changes. */
static SipAddress *
party (SipAddress **address, char **text)
{
  if (*address == NULL && *text != NULL)
    {
      GError *error = NULL;
      *address = sipservlet_address_parse (*text, &error);
      if (*address == NULL)
        {
          g_warning ("cannot represent '%s' as an address: %s", *text, error->message);
          g_error_free (error);
          g_clear_pointer (text, g_free);
        }
    }
  return *address;
}

static const char *
party_text (SipAddress *address, char **text)
{
  if (*text == NULL && address != NULL)
    *text = sipservlet_address_to_string (address);
  return *text;
}

SipAddress *
sipsv_session_local_party (SipSession *session)
{
  return party (&session->local_party, &session->local_party_text);
}

SipAddress *
sipsv_session_remote_party (SipSession *session)
{
  return party (&session->remote_party, &session->remote_party_text);
}

const char *
sipsv_session_local_party_text (SipSession *session)
{
  return party_text (session->local_party, &session->local_party_text);
}

const char *
sipsv_session_remote_party_text (SipSession *session)
{
  return party_text (session->remote_party, &session->remote_party_text);
}

void
sipsv_session_set_remote_tag (SipSession *session, const char *remote_tag)
{
  if (g_strcmp0 (session->remote_tag, remote_tag) == 0)
    return;
  sipsv_session_unregister_dialog (session);
  gboolean untagged = session->remote_tag == NULL;
  g_free (session->remote_tag);
  session->remote_tag = g_strdup (remote_tag);
  if (remote_tag != NULL && untagged && session->remote_party == NULL
      && session->remote_party_text != NULL)
    {
      /* A party still in text, without a tag so far, gets it appended as a
       * header parameter: parsing waits for whoever asks for the address. */
      char *text = g_strconcat (session->remote_party_text, ";tag=", remote_tag, NULL);
      g_free (session->remote_party_text);
      session->remote_party_text = text;
      return;
    }
  if (sipsv_session_remote_party (session) == NULL)
    return;
  if (remote_tag != NULL)
    sipservlet_address_set_parameter (session->remote_party, "tag", remote_tag, NULL);
  else
    sipservlet_address_remove_parameter (session->remote_party, "tag");
  g_clear_pointer (&session->remote_party_text, g_free);
}

/* A terminated UA dialog stays findable while its session is valid, so a
 * Replaces naming it is declined (603) rather than not found (481). */
static void
remember_ended (SipSession *session)
{
  if (session->manager == NULL || session->proxy || session->dialog_key == NULL
      || session->ended_key != NULL)
    return;
  session->ended_key = g_strdup (session->dialog_key);
  g_hash_table_insert (session->manager->ended_dialogs, session->ended_key, session);
}

static void
forget_ended (SipSession *session)
{
  if (session->ended_key == NULL)
    return;
  if (session->manager != NULL
      && g_hash_table_lookup (session->manager->ended_dialogs, session->ended_key) == session)
    g_hash_table_remove (session->manager->ended_dialogs, session->ended_key);
  g_clear_pointer (&session->ended_key, g_free);
}

/* A started dialog ends once: a BYE, or its session going first. */
static void
end_dialog (SipSession *session)
{
  if (!session->dialog_started || session->dialog_ended)
    return;
  session->dialog_ended = TRUE;
  SIPSV_NOTIFY (session->manager, session->app->scope, dialog_ended, session);
}

void
sipsv_session_set_state (SipSession *session, SipSessionState state)
{
  if (session->state == state)
    return;
  session->state = state;
  if (state == SIPSERVLET_SESSION_STATE_CONFIRMED && !session->dialog_started)
    {
      session->dialog_started = TRUE;
      SIPSV_NOTIFY (session->manager, session->app->scope, dialog_started, session);
    }
  if (state == SIPSERVLET_SESSION_STATE_TERMINATED)
    {
      remember_ended (session);
      sipsv_session_unregister_dialog (session);
      end_dialog (session);
    }
  else
    forget_ended (session);
  sipsv_session_schedule_check (session);
}

void
sipsv_session_transaction_begin (SipSession *session)
{
  session->active_transactions++;
  session->had_transaction = TRUE;
  session->ready_notified = FALSE;
  sipsv_application_session_touch (session->app);
}

void
sipsv_session_transaction_end (SipSession *session)
{
  if (session->active_transactions > 0)
    session->active_transactions--;
  sipsv_application_session_touch (session->app);
  sipsv_session_schedule_check (session);
}

void
sipsv_session_set_route_set (SipSession *session, GPtrArray *routes)
{
  g_ptr_array_set_size (session->route_set, 0);
  for (guint i = 0; routes != NULL && i < routes->len; i++)
    g_ptr_array_add (session->route_set, g_strdup (routes->pdata[i]));
}

void
sipsv_session_set_remote_target (SipSession *session, const char *target)
{
  if (target == NULL)
    return;
  g_free (session->remote_target);
  session->remote_target = g_strdup (target);
}

void
sipsv_session_set_remote_target_url (SipSession *session, const url_t *url)
{
  char buf[256];
  char *text = sipsv_stack_url_format (url, buf, sizeof buf);

  if (text == NULL)
    return;
  if (g_strcmp0 (session->remote_target, text) != 0)
    {
      g_free (session->remote_target);
      session->remote_target = text == buf ? g_strdup (buf) : g_steal_pointer (&text);
    }
  if (text != buf)
    g_free (text);
}

SipServlet *
sipsv_session_get_handler (SipSession *session)
{
  return session->handler;
}

void
sipsv_session_set_corresponding (SipSession *session, SipTargetedRequestType type,
                                 SipSession *target)
{
  g_return_if_fail (type == SIPSERVLET_TARGETED_JOIN || type == SIPSERVLET_TARGETED_REPLACES);
  g_return_if_fail (target != NULL && target != session);
  if (!session->valid)
    return;
  sipservlet_session_ref (target);
  g_clear_pointer (&session->corresponding, sipservlet_session_unref);
  session->corresponding = target;
  session->corresponding_type = type;
}

void
sipsv_proxied_dialog_free (SipsvProxiedDialog *dialog)
{
  g_free (dialog->caller_target);
  g_free (dialog->callee_target);
  g_ptr_array_unref (dialog->caller_route);
  g_ptr_array_unref (dialog->callee_route);
  g_free (dialog->caller_party);
  g_free (dialog->callee_party);
  g_free (dialog);
}

/* Drops the UA layer's retransmission and linger state. */
static void
clear_ua_state (SipSession *session)
{
  g_clear_pointer (&session->retransmit_timer, sipsv_timer_free);
  g_clear_pointer (&session->linger_timer, sipsv_timer_free);
  g_clear_pointer (&session->st_timer, sipsv_timer_free);
  g_clear_pointer (&session->local_sdp, g_bytes_unref);
  g_clear_pointer (&session->remote_sdp_origin, g_free);
  g_clear_pointer (&session->proxied, sipsv_proxied_dialog_free);
  g_clear_pointer (&session->unacked_2xx, sipservlet_response_unref);
  g_clear_pointer (&session->uac_invite, sipservlet_request_unref);
  g_clear_pointer (&session->uac_ack, sipservlet_request_unref);
  g_clear_pointer (&session->initial_request, sipservlet_request_unref);
  g_clear_pointer (&session->pending_uas, g_ptr_array_unref);
  g_clear_pointer (&session->pending_uac, g_ptr_array_unref);
  g_clear_pointer (&session->subscriptions, g_ptr_array_unref);
  if (session->linked != NULL)
    {
      session->linked->linked = NULL;
      session->linked = NULL;
    }
}

/* ---- public API ------------------------------------------------------------ */

SipSession *
sipservlet_session_ref (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  g_atomic_ref_count_inc (&session->ref_count);
  return session;
}

void
sipservlet_session_unref (SipSession *session)
{
  g_return_if_fail (session != NULL);
  if (!g_atomic_ref_count_dec (&session->ref_count))
    return;
  clear_ua_state (session);
  sipsv_session_unregister_dialog (session);
  forget_ended (session);
  g_clear_pointer (&session->corresponding, sipservlet_session_unref);
  g_clear_pointer (&session->attributes, g_hash_table_destroy);
  g_clear_pointer (&session->handler, sipservlet_servlet_unref);
  g_clear_pointer (&session->app, sipservlet_application_session_unref);
  g_clear_pointer (&session->local_party, sipservlet_address_unref);
  g_clear_pointer (&session->remote_party, sipservlet_address_unref);
  g_free (session->local_party_text);
  g_free (session->remote_party_text);
  g_ptr_array_unref (session->route_set);
  g_free (session->id);
  g_free (session->call_id);
  g_free (session->local_tag);
  g_free (session->remote_tag);
  g_free (session->remote_target);
  g_free (session);
}

const char *
sipservlet_session_get_id (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  /* Found by its id once someone has it: most sessions (a REGISTER's)
   * never hand it out, and skip the table. */
  if (session->valid && !session->id_published && session->manager != NULL)
    {
      g_hash_table_insert (session->manager->session_ids, session->id, session);
      session->id_published = TRUE;
    }
  return session->id;
}

SipSessionState
sipservlet_session_get_state (SipSession *session)
{
  g_return_val_if_fail (session != NULL, SIPSERVLET_SESSION_STATE_TERMINATED);
  return session->state;
}

const char *
sipservlet_session_get_call_id (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->call_id;
}

SipAddress *
sipservlet_session_get_local_party (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  SipAddress *address = sipsv_session_local_party (session);
  return address ? sipservlet_address_clone (address) : NULL;
}

SipAddress *
sipservlet_session_get_remote_party (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  SipAddress *address = sipsv_session_remote_party (session);
  return address ? sipservlet_address_clone (address) : NULL;
}

SipApplicationSession *
sipservlet_session_get_application_session (SipSession *session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->app;
}

void
sipservlet_session_set_attribute (SipSession *session, const char *name,
                                  gpointer value, GDestroyNotify destroy)
{
  g_return_if_fail (session != NULL && name != NULL);
  if (!session->valid)
    {
      g_critical ("sipservlet_session_set_attribute: session %s is invalidated", session->id);
      if (destroy != NULL && value != NULL)
        destroy (value);
      return;
    }
  sipsv_attributes_set (&session->attributes, name, value, destroy);
}

gpointer
sipservlet_session_get_attribute (SipSession *session, const char *name)
{
  g_return_val_if_fail (session != NULL && name != NULL, NULL);
  return sipsv_attributes_get (session->attributes, name);
}

gboolean
sipservlet_session_is_valid (SipSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  return session->valid;
}

gboolean
sipservlet_session_invalidate (SipSession *session, GError **error)
{
  g_return_val_if_fail (session != NULL, FALSE);
  if (!session->valid)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s is already invalidated", session->id);
      return FALSE;
    }
  sipservlet_session_ref (session);
  session->valid = FALSE;
  sipsv_session_unregister_dialog (session);
  forget_ended (session);
  if (session->manager != NULL && session->id_published)
    g_hash_table_remove (session->manager->session_ids, session->id);
  /* A chain of Replaces must not keep every replaced session alive. */
  g_clear_pointer (&session->corresponding, sipservlet_session_unref);
  clear_ua_state (session);
  SipsvSessionManager *manager = session->manager;
  if (manager != NULL)
    {
      manager->n_sessions--;
      end_dialog (session);
      SIPSV_NOTIFY (manager, session->app->scope, session_destroyed, session);
    }
  g_clear_pointer (&session->attributes, g_hash_table_destroy);

  SipApplicationSession *app = session->app;
  if (g_ptr_array_remove (app->sessions, session))
    {
      /* The last session gone may make the application session ready. */
      sipsv_application_session_check_ready (app);
    }
  sipservlet_session_unref (session);
  return TRUE;
}

void
sipservlet_session_set_invalidate_when_ready (SipSession *session,
                                              gboolean invalidate_when_ready)
{
  g_return_if_fail (session != NULL);
  session->invalidate_when_ready = invalidate_when_ready;
  if (invalidate_when_ready)
    sipsv_session_schedule_check (session);
}

gboolean
sipservlet_session_get_invalidate_when_ready (SipSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  return session->invalidate_when_ready;
}

gboolean
sipservlet_session_is_ready_to_invalidate (SipSession *session)
{
  g_return_val_if_fail (session != NULL, FALSE);
  if (!session->valid || !session->had_transaction || session->active_transactions > 0
      || session->unacked_2xx != NULL)
    return FALSE;
  /* A proxy that did not record-route never sees the dialog again. */
  if (session->proxy && !session->record_routed
      && session->state == SIPSERVLET_SESSION_STATE_CONFIRMED)
    return TRUE;
  return session->state == SIPSERVLET_SESSION_STATE_INITIAL
    || session->state == SIPSERVLET_SESSION_STATE_TERMINATED;
}

void
sipservlet_session_set_handler (SipSession *session, SipServlet *servlet)
{
  g_return_if_fail (session != NULL && servlet != NULL);
  sipservlet_servlet_ref (servlet);
  if (session->handler != NULL)
    sipservlet_servlet_unref (session->handler);
  session->handler = servlet;
}
