/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - logging in to a provider: JSR 289 AuthInfo,
 * addAuthHeader() and getChallengeRealms(), and the automatic retry of a
 * request sent with a callback after a 401/407 (sipservlet-auth.h).
 *
 * The digest work is lib/auth/'s (challenge.c); this file picks, for each
 * realm challenged, the credentials and the strongest challenge, counts
 * the uses of each nonce, and edits the request. The retry reuses
 * sipsv_uac_resend() as the session timer's 422 retry does: the same
 * SipServletRequest gets a new message and transaction. */
#include "config-private.h"

#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include "auth/auth-private.h"
#include "ua/ua-private.h"

typedef struct {
  guint status;
  char *realm;                      /* NULL: any realm (add_auth_header_for) */
  char *username;
  char *password;                   /* zeroed when freed */
} Entry;

struct _SipAuthInfo {
  gatomicrefcount ref_count;
  GPtrArray *entries;               /* Entry */
  GHashTable *nc;                   /* nonce -> uses (guint32 in a pointer) */
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;
  g_free (entry->realm);
  g_free (entry->username);
  sipsv_auth_free_secret (entry->password);
  g_free (entry);
}

SipAuthInfo *
sipservlet_auth_info_new (void)
{
  SipAuthInfo *info = g_new0 (SipAuthInfo, 1);
  g_atomic_ref_count_init (&info->ref_count);
  info->entries = g_ptr_array_new_with_free_func (entry_free);
  info->nc = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return info;
}

SipAuthInfo *
sipservlet_factory_create_auth_info (SipFactory *factory)
{
  g_return_val_if_fail (factory != NULL, NULL);
  return sipservlet_auth_info_new ();
}

SipAuthInfo *
sipservlet_auth_info_ref (SipAuthInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);
  g_atomic_ref_count_inc (&info->ref_count);
  return info;
}

void
sipservlet_auth_info_unref (SipAuthInfo *info)
{
  if (info == NULL || !g_atomic_ref_count_dec (&info->ref_count))
    return;
  g_ptr_array_unref (info->entries);
  g_hash_table_unref (info->nc);
  g_free (info);
}

static Entry *
find_entry (SipAuthInfo *info, guint status, const char *realm)
{
  for (guint i = 0; i < info->entries->len; i++)
    {
      Entry *entry = info->entries->pdata[i];
      if (entry->status == status && (entry->realm == NULL || strcmp (entry->realm, realm) == 0))
        return entry;
    }
  return NULL;
}

static void
add_entry (SipAuthInfo *info, guint status, const char *realm, const char *username,
           const char *password)
{
  for (guint i = 0; i < info->entries->len; i++)
    {
      Entry *old = info->entries->pdata[i];
      if (old->status == status && g_strcmp0 (old->realm, realm) == 0)
        {
          g_ptr_array_remove_index (info->entries, i);
          break;
        }
    }
  Entry *entry = g_new0 (Entry, 1);
  entry->status = status;
  entry->realm = g_strdup (realm);
  entry->username = g_strdup (username);
  entry->password = g_strdup (password);
  g_ptr_array_add (info->entries, entry);
}

gboolean
sipservlet_auth_info_add (SipAuthInfo *info, guint status, const char *realm,
                          const char *username, const char *password, GError **error)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (status != 401 && status != 407)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "credentials answer a 401 or a 407, not a %u", status);
      return FALSE;
    }
  if (realm == NULL || *realm == '\0' || username == NULL || *username == '\0'
      || password == NULL)
    {
      g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                           "credentials need a realm, a username and a password");
      return FALSE;
    }
  add_entry (info, status, realm, username, password);
  return TRUE;
}

/* ---- answering challenges ------------------------------------------------ */

/* The credentials chosen for one realm and the challenge they answer. */
typedef struct {
  Entry *entry;
  SipsvAuthChallenge challenge;
} Choice;

static void
choice_free (gpointer data)
{
  Choice *choice = data;
  sipsv_auth_challenge_clear (&choice->challenge);
  g_free (choice);
}

/* Removes the credentials of @msg of @class (Authorization or
 * Proxy-Authorization) for @realm. */
static void
remove_credentials (msg_t *msg, sip_t *sip, msg_hclass_t *class, const char *realm)
{
  msg_auth_t *list = class == sip_authorization_class ? (msg_auth_t *) sip->sip_authorization
                                                      : (msg_auth_t *) sip->sip_proxy_authorization;
  GPtrArray *doomed = g_ptr_array_new ();
  for (msg_auth_t *au = list; au != NULL; au = au->au_next)
    {
      g_autofree char *their = sipsv_auth_challenge_realm (au);
      if (g_strcmp0 (their, realm) == 0)
        g_ptr_array_add (doomed, au);
    }
  for (guint i = 0; i < doomed->len; i++)
    msg_header_remove (msg, (msg_pub_t *) sip, doomed->pdata[i]);
  g_ptr_array_unref (doomed);
}

/* For each realm of the challenges @list for which @info has credentials
 * of @status, the strongest challenge we support; in @choices. FALSE with
 * @error set when there is none. */
static gboolean
choose (SipAuthInfo *info, guint status, const msg_auth_t *list, GPtrArray *choices,
        GError **error)
{
  GError *unsupported = NULL;
  GString *realms = g_string_new (NULL);

  for (const msg_auth_t *au = list; au != NULL; au = au->au_next)
    {
      g_autofree char *realm = sipsv_auth_challenge_realm (au);
      if (realm == NULL)
        continue;
      Entry *entry = find_entry (info, status, realm);
      if (entry == NULL)
        {
          g_string_append_printf (realms, "%s\"%s\"", realms->len > 0 ? ", " : "", realm);
          continue;
        }
      GError *local = NULL;
      SipsvAuthChallenge challenge;
      if (!sipsv_auth_challenge_parse (&challenge, au, &local))
        {
          if (unsupported == NULL)
            unsupported = g_error_new (SIPSERVLET_ERROR, SIPSERVLET_ERROR_NOT_SUPPORTED,
                                       "cannot answer the challenge for realm \"%s\": %s",
                                       realm, local->message);
          g_error_free (local);
          continue;
        }
      Choice *choice = NULL;
      for (guint i = 0; i < choices->len && choice == NULL; i++)
        {
          Choice *c = choices->pdata[i];
          if (strcmp (c->challenge.realm, challenge.realm) == 0)
            choice = c;
        }
      if (choice == NULL)
        {
          choice = g_new0 (Choice, 1);
          choice->entry = entry;
          choice->challenge = challenge;
          g_ptr_array_add (choices, choice);
        }
      else if (challenge.algorithm == SIPSV_AUTH_SHA256
               && choice->challenge.algorithm != SIPSV_AUTH_SHA256)
        {
          sipsv_auth_challenge_clear (&choice->challenge);
          choice->challenge = challenge;
        }
      else
        sipsv_auth_challenge_clear (&challenge);
    }

  gboolean ok = choices->len > 0;
  if (!ok && unsupported != NULL)
    g_propagate_error (error, g_steal_pointer (&unsupported));
  else if (!ok)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_NO_CREDENTIALS,
                 realms->len > 0 ? "no credentials for the realms challenged (%s)"
                                 : "the response has no challenge%s",
                 realms->str);
  g_clear_error (&unsupported);
  g_string_free (realms, TRUE);
  return ok;
}

/* Adds to @msg (a request) the credentials answering the @status
 * challenges of @challenge_sip; @msg is unchanged on failure. */
static gboolean
add_credentials (msg_t *msg, guint status, sip_t const *challenge_sip, SipAuthInfo *info,
                 GError **error)
{
  sip_t *sip = sip_object (msg);
  const msg_auth_t *list = status == 401 ? (const msg_auth_t *) challenge_sip->sip_www_authenticate
                                         : (const msg_auth_t *) challenge_sip->sip_proxy_authenticate;
  msg_hclass_t *class = status == 401 ? sip_authorization_class : sip_proxy_authorization_class;
  GPtrArray *choices = g_ptr_array_new_with_free_func (choice_free);

  if (!choose (info, status, list, choices, error))
    {
      g_ptr_array_unref (choices);
      return FALSE;
    }
  char *uri = url_as_string (NULL, sip->sip_request->rq_url);
  for (guint i = 0; i < choices->len; i++)
    {
      Choice *choice = choices->pdata[i];
      const char *nonce = choice->challenge.nonce;
      guint32 nc = GPOINTER_TO_UINT (g_hash_table_lookup (info->nc, nonce)) + 1;
      g_hash_table_replace (info->nc, g_strdup (nonce), GUINT_TO_POINTER (nc));
      char *cnonce = sipsv_auth_random_hex (16);
      char *value = sipsv_auth_challenge_answer (&choice->challenge,
                                                 sip->sip_request->rq_method_name, uri,
                                                 choice->entry->username,
                                                 choice->entry->password, cnonce, nc);
      remove_credentials (msg, sip, class, choice->challenge.realm);
      msg_header_add_make (msg, (msg_pub_t *) sip, class, value);
      g_free (cnonce);
      sipsv_auth_free_secret (value);
    }
  su_free (NULL, uri);
  g_ptr_array_unref (choices);
  return TRUE;
}

static gboolean
check_arguments (SipServletRequest *request, SipServletResponse *response, GError **error)
{
  guint status = response->base.sip->sip_status->st_status;
  if (status != 401 && status != 407)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "a %u is not a challenge (401 or 407)", status);
      return FALSE;
    }
  if (request->base.incoming || request->base.committed || request->sent)
    {
      g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                           "credentials go in a new request, not yet sent");
      return FALSE;
    }
  return TRUE;
}

gboolean
sipservlet_request_add_auth_header (SipServletRequest *request, SipServletResponse *response,
                                    SipAuthInfo *info, GError **error)
{
  g_return_val_if_fail (request != NULL && response != NULL && info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!check_arguments (request, response, error))
    return FALSE;
  return add_credentials (request->base.msg, response->base.sip->sip_status->st_status,
                          response->base.sip, info, error);
}

gboolean
sipservlet_request_add_auth_header_for (SipServletRequest *request,
                                        SipServletResponse *response, const char *username,
                                        const char *password, GError **error)
{
  g_return_val_if_fail (request != NULL && response != NULL, FALSE);
  g_return_val_if_fail (username != NULL && password != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!check_arguments (request, response, error))
    return FALSE;
  guint status = response->base.sip->sip_status->st_status;
  SipAuthInfo *info = sipservlet_auth_info_new ();
  add_entry (info, status, NULL, username, password);
  gboolean ok = add_credentials (request->base.msg, status, response->base.sip, info, error);
  sipservlet_auth_info_unref (info);
  return ok;
}

void
sipservlet_request_set_auth_info (SipServletRequest *request, SipAuthInfo *info)
{
  g_return_if_fail (request != NULL);
  if (info != NULL)
    sipservlet_auth_info_ref (info);
  if (request->auth_info_free != NULL)
    request->auth_info_free (request->auth_info);
  request->auth_info = info;
  request->auth_info_free = info != NULL ? (GDestroyNotify) sipservlet_auth_info_unref : NULL;
}

/* ---- the automatic retry (called by uac.c) -------------------------------- */

gboolean
sipsv_ua_auth_retry (SipServletRequest *request, sip_t const *sip, guint status)
{
  if (request->auth_info == NULL || request->auth_retried || request->client == NULL)
    return FALSE;
  request->auth_retried = TRUE;     /* once: a second challenge is delivered */

  msg_t *copy = sipsv_uac_next_copy (request);
  sip_t *csip = sip_object (copy);
  GError *error = NULL;
  if (!add_credentials (copy, status, sip, request->auth_info, &error))
    {
      g_debug ("not answering the %u to %s: %s", status, csip->sip_request->rq_method_name,
               error->message);
      g_error_free (error);
      /* Nothing is sent: the CSeq the copy took is given back. */
      SipSession *session = request->base.session;
      if (session != NULL && session->local_cseq == csip->sip_cseq->cs_seq)
        session->local_cseq--;
      msg_destroy (copy);
      return FALSE;
    }
  return sipsv_uac_resend (request, copy);
}

/* ---- getChallengeRealms ------------------------------------------------------- */

char **
sipservlet_response_get_challenge_realms (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  sip_t const *sip = response->base.sip;
  GPtrArray *realms = g_ptr_array_new ();
  const msg_auth_t *lists[] = { (const msg_auth_t *) sip->sip_www_authenticate,
                                (const msg_auth_t *) sip->sip_proxy_authenticate };
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      for (const msg_auth_t *au = lists[l]; au != NULL; au = au->au_next)
        {
          char *realm = sipsv_auth_challenge_realm (au);
          gboolean known = realm == NULL;
          for (guint i = 0; i < realms->len && !known; i++)
            known = strcmp (realms->pdata[i], realm) == 0;
          if (known)
            g_free (realm);
          else
            g_ptr_array_add (realms, realm);
        }
    }
  g_ptr_array_add (realms, NULL);
  return (char **) g_ptr_array_free (realms, FALSE);
}
