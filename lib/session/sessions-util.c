/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the session layer's part of JSR 289 SipSessionsUtil and
 * request targeting (§15.11): sessions and application sessions by id,
 * application sessions by key, encoded URIs, and the dialog a Join or
 * Replaces header names. The container's public lookups and its dispatch
 * are built on these. */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"
#include "session/session-private.h"

/* The URI parameter of sipservlet_application_session_encode_uri(). */
#define ENCODED_URI_PARAM "sipsv-as"

SipApplicationSession *
sipsv_session_manager_find_application_session (SipsvSessionManager *manager, const char *id)
{
  return g_hash_table_lookup (manager->app_session_ids, id);
}

SipSession *
sipsv_session_manager_find_session (SipsvSessionManager *manager, const char *id)
{
  return g_hash_table_lookup (manager->session_ids, id);
}

/* ---- keys --------------------------------------------------------------------- */

/* One string for the pair: the name's length first, so that no choice of
 * name and key reads as another pair. */
static char *
key_entry (const char *application_name, const char *key)
{
  return g_strdup_printf ("%zu:%s:%s", strlen (application_name), application_name, key);
}

gboolean
sipsv_session_manager_bind_key (SipsvSessionManager *manager, SipApplicationSession *app_session,
                                const char *application_name, const char *key)
{
  g_return_val_if_fail (app_session != NULL && app_session->manager == manager, FALSE);
  g_return_val_if_fail (application_name != NULL && key != NULL, FALSE);
  if (!app_session->valid)
    return FALSE;

  char *entry = key_entry (application_name, key);
  SipApplicationSession *bound = g_hash_table_lookup (manager->app_session_keys, entry);
  gboolean ok;
  if (bound != NULL)
    ok = bound == app_session; /* the same binding again */
  else if (app_session->key_entry != NULL)
    ok = FALSE; /* JSR 289: one key per application session */
  else
    {
      app_session->key_entry = g_steal_pointer (&entry);
      g_hash_table_insert (manager->app_session_keys, app_session->key_entry, app_session);
      ok = TRUE;
    }
  g_free (entry);
  return ok;
}

SipApplicationSession *
sipsv_session_manager_find_by_key (SipsvSessionManager *manager, const char *application_name,
                                   const char *key)
{
  char *entry = key_entry (application_name, key);
  SipApplicationSession *app = g_hash_table_lookup (manager->app_session_keys, entry);
  g_free (entry);
  return app;
}

/* ---- encoded URIs ----------------------------------------------------------------- */

SipApplicationSession *
sipsv_session_manager_find_encoded (SipsvSessionManager *manager, const SipURI *uri)
{
  const char *id = sipservlet_uri_get_parameter (uri, ENCODED_URI_PARAM);
  return id != NULL ? sipsv_session_manager_find_application_session (manager, id) : NULL;
}

/* ---- Join and Replaces ----------------------------------------------------------- */

typedef struct
{
  char *call_id;
  char *to_tag;
  char *from_tag;
  gboolean early_only;
} DialogRef;

static void
dialog_ref_clear (DialogRef *ref)
{
  g_free (ref->call_id);
  g_free (ref->to_tag);
  g_free (ref->from_tag);
}

/* The characters of "word" (RFC 3261 §25.1), of which a Call-ID is made. */
static gboolean
is_word_char (int c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-.!%*_+`'~()<>:\\\"/[]?{}", c) != NULL);
}

static gboolean
is_word (const char *s, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_word_char ((guchar) s[i]))
      return FALSE;
  return TRUE;
}

/* Stores a tag parameter's value; FALSE if it came twice or is not a
 * token (tags are, also when a sender quotes them). */
static gboolean
take_tag (char **slot, const SipsvParam *param)
{
  if (*slot != NULL || param->value == NULL || !sipsv_str_is_token (param->value))
    return FALSE;
  *slot = g_strdup (param->value);
  return TRUE;
}

/* RFC 3891 §6.1 and RFC 3911 §7.1 share the shape
 *   callid *( SEMI ( to-tag / from-tag / early-flag / generic-param ) )
 * with callid = word [ "@" word ]. Parameter names compare without case;
 * values may be quoted (a lenient reading: the grammar says token). */
static gboolean
parse_dialog_ref (const char *value, DialogRef *ref)
{
  const char *p = value;
  SipsvParseCtx ctx = { "header value", value, NULL };

  sipsv_skip_lws (&p);
  const char *start = p;
  while (*p != '\0' && *p != ';' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
    p++;
  gsize len = (gsize) (p - start);
  const char *at = memchr (start, '@', len);
  gboolean valid_id = at != NULL ? is_word (start, (gsize) (at - start))
                                       && is_word (at + 1, len - (gsize) (at - start) - 1)
                                 : is_word (start, len);
  if (!valid_id)
    return FALSE;
  ref->call_id = g_strndup (start, len);

  GPtrArray *params = sipsv_params_new ();
  gboolean ok = sipsv_params_parse_generic (params, &p, &ctx);
  if (ok)
    {
      sipsv_skip_lws (&p);
      ok = *p == '\0';
    }
  for (guint i = 0; ok && i < params->len; i++)
    {
      const SipsvParam *param = params->pdata[i];
      if (g_ascii_strcasecmp (param->name, "to-tag") == 0)
        ok = take_tag (&ref->to_tag, param);
      else if (g_ascii_strcasecmp (param->name, "from-tag") == 0)
        ok = take_tag (&ref->from_tag, param);
      else if (g_ascii_strcasecmp (param->name, "early-only") == 0)
        ref->early_only = TRUE;
    }
  g_ptr_array_unref (params);
  return ok && ref->to_tag != NULL && ref->from_tag != NULL;
}

/* An INVITE created the dialog. A B2BUA's session for an extra 2xx does
 * not say so itself, its initial request does. */
static gboolean
created_by_invite (SipSession *session)
{
  if (session->invite_dialog)
    return TRUE;
  return session->initial_request != NULL
         && g_strcmp0 (sipservlet_message_get_method (&session->initial_request->base), "INVITE")
                == 0;
}

static SipSession *
refuse (guint *status, const char **phrase, guint code, const char *text)
{
  if (status != NULL)
    *status = code;
  if (phrase != NULL)
    *phrase = text;
  return NULL;
}

/* What a header name targets by: JOIN, REPLACES, else NONE. */
static SipTargetedRequestType
targeting_header (const char *header_name)
{
  if (g_ascii_strcasecmp (header_name, "Replaces") == 0)
    return SIPSERVLET_TARGETED_REPLACES;
  if (g_ascii_strcasecmp (header_name, "Join") == 0)
    return SIPSERVLET_TARGETED_JOIN;
  return SIPSERVLET_TARGETED_NONE;
}

SipSession *
sipsv_session_manager_find_dialog_target (SipsvSessionManager *manager, const char *header_name,
                                          const char *value, guint *status, const char **phrase)
{
  static const char no_dialog[] = "Call/Transaction Does Not Exist";

  g_return_val_if_fail (header_name != NULL, NULL);
  SipTargetedRequestType type = targeting_header (header_name);
  g_return_val_if_fail (type != SIPSERVLET_TARGETED_NONE, NULL);
  gboolean replaces = type == SIPSERVLET_TARGETED_REPLACES;

  DialogRef ref = { 0 };
  if (value == NULL || !parse_dialog_ref (value, &ref))
    {
      dialog_ref_clear (&ref);
      return refuse (status, phrase, 400, replaces ? "Bad Replaces Header" : "Bad Join Header");
    }

  /* Both RFCs (RFC 3891 §3, RFC 3911 §4) match the tags as if they came in
   * a request from the peer: to-tag is our local tag, from-tag the remote
   * one, whichever side sent the dialog's first request. */
  char buf[SIPSV_KEY_BUF];
  char *key = sipsv_dialog_key (buf, sizeof buf, ref.call_id, ref.to_tag, ref.from_tag);
  SipSession *session = g_hash_table_lookup (manager->dialogs, key);
  gboolean ended = FALSE;
  if (session == NULL)
    {
      session = g_hash_table_lookup (manager->ended_dialogs, key);
      ended = session != NULL;
    }
  if (key != buf)
    g_free (key);
  gboolean early_only = ref.early_only;
  dialog_ref_clear (&ref);

  /* A dialog we only proxy is not ours to join or replace. */
  if (session == NULL || !session->valid || session->proxy || !created_by_invite (session))
    return refuse (status, phrase, 481, no_dialog);
  if (ended || session->state == SIPSERVLET_SESSION_STATE_TERMINATED)
    return replaces ? refuse (status, phrase, 603, "Declined")
                    : refuse (status, phrase, 481, no_dialog);
  gboolean early = session->state == SIPSERVLET_SESSION_STATE_INITIAL
                   || session->state == SIPSERVLET_SESSION_STATE_EARLY;
  /* RFC 3891 §3: an early dialog can be replaced only by the UA that
   * initiated it (call pickup); early-only refuses a call already
   * answered. Join has neither rule. */
  if (replaces && early && !session->uac)
    return refuse (status, phrase, 481, no_dialog);
  if (replaces && early_only && !early)
    return refuse (status, phrase, 486, "Busy Here");
  if (status != NULL)
    *status = 0;
  if (phrase != NULL)
    *phrase = NULL;
  return session;
}

/* ---- public API ------------------------------------------------------------------ */

SipSession *
sipservlet_session_get_corresponding_session (SipSession *session, const char *header_name)
{
  g_return_val_if_fail (session != NULL && header_name != NULL, NULL);
  SipTargetedRequestType type = targeting_header (header_name);
  g_return_val_if_fail (type != SIPSERVLET_TARGETED_NONE, NULL);
  return session->corresponding != NULL && session->corresponding_type == type
             ? session->corresponding
             : NULL;
}

SipURI *
sipservlet_application_session_encode_uri (SipApplicationSession *app_session, const SipURI *uri)
{
  g_return_val_if_fail (app_session != NULL && uri != NULL, NULL);
  if (!app_session->valid)
    return NULL;
  SipURI *encoded = sipservlet_uri_clone (uri);
  if (!sipservlet_uri_set_parameter (encoded, ENCODED_URI_PARAM,
                                     sipservlet_application_session_get_id (app_session), NULL))
    g_clear_pointer (&encoded, sipservlet_uri_unref);
  return encoded;
}
