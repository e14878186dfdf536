/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipB2buaHelper (JSR 289 chapter 12): the other leg's
 * requests, linked sessions and requests, pending messages, extra 2xx for
 * a forking far side.
 *
 * New legs are built with the factory (new Call-ID, From tag, CSeq,
 * Contact), then take the original's Request-URI, body and non-system
 * headers. The session bookkeeping the helper reads (pending requests and
 * 2xx, the request that created a session) is kept by lib/ua/.
 */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

static gboolean
check_helper_use (SipServletRequest *request, GError **error)
{
  if (request->proxy != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the request is proxied: it cannot be handled by a B2BUA");
      return FALSE;
    }
  return TRUE;
}

SipB2buaHelper *
sipservlet_request_get_b2bua_helper (SipServletRequest *request, GError **error)
{
  g_return_val_if_fail (request != NULL, NULL);
  if (!check_helper_use (request, error))
    return NULL;
  request->b2bua = TRUE;
  return &sipsv_runtime (request->base.container)->b2bua;
}

/* Headers the other leg never inherits: the container makes its own. */
static gboolean
is_leg_header (msg_hclass_t const *hc)
{
  return hc == sip_request_class || hc == sip_status_class || hc == sip_separator_class
    || hc == sip_payload_class || hc == sip_error_class || hc == sip_from_class
    || hc == sip_to_class || hc == sip_call_id_class || hc == sip_cseq_class
    || hc == sip_via_class || hc == sip_route_class || hc == sip_record_route_class
    || hc == sip_contact_class || hc == sip_max_forwards_class
    || hc == sip_content_length_class || hc == sip_path_class || hc == sip_rseq_class
    || hc == sip_rack_class || hc == sip_session_expires_class || hc == sip_min_se_class;
}

static void
copy_header (msg_header_t *h, gpointer data)
{
  SipServletRequest *to = data;
  msg_t *msg = to->base.msg;

  if (is_leg_header (h->sh_class) || h->sh_class == sip_content_type_class)
    return;
  msg_header_insert (msg, (msg_pub_t *) to->base.sip, msg_header_dup_one (msg_home (msg), h));
}

/* Copies the body and every header the other leg may inherit (of a
 * request received from the network, or from another application of this
 * container in process, which has no fragment chain). */
static void
copy_content (SipServletRequest *to, SipServletRequest *from)
{
  sipsv_stack_foreach_header (from->base.msg, copy_header, to);
  sipservlet_message_copy_content (SIPSERVLET_MESSAGE (to), SIPSERVLET_MESSAGE (from), NULL);
}

/* Whether a header name (long or compact, any case) is of that class. */
static gboolean
names_class (const char *name, msg_hclass_t *hc)
{
  msg_href_t const *href = msg_find_hclass (sip_default_mclass (), name, NULL);
  return href != NULL && href->hr_class == hc;
}

/* From and To overrides may change everything but the tag. */
static SipAddress *
party_override (const char *const *overrides, msg_hclass_t *hc, GError **error)
{
  const char *name = hc->hc_name;
  for (const char *const *o = overrides; o != NULL && o[0] != NULL && o[1] != NULL; o += 2)
    if (names_class (o[0], hc))
      {
        SipAddress *address = sipservlet_address_parse (o[1], error);
        if (address == NULL)
          {
            g_prefix_error (error, "%s override: ", name);
            return NULL;
          }
        sipservlet_address_remove_parameter (address, "tag");
        return address;
      }
  return NULL;
}

/* Contact override (JSR 289 §4.1.3): only the user part, the display name
 * and parameters other than method, ttl, maddr, lr and transport. */
static gboolean
apply_contact (SipServletRequest *request, const char *value, GError **error)
{
  static const char *const reserved[] = { "method", "ttl", "maddr", "lr", "transport" };
  SipAddress *given = sipservlet_address_parse (value, error);
  if (given == NULL)
    return FALSE;
  msg_t *msg = request->base.msg;
  sip_t *sip = request->base.sip;
  SipAddress *ours = sipservlet_address_parse (sipsv_header_value (msg, (msg_header_t *) sip->sip_contact),
                                               error);
  gboolean ok = ours != NULL;
  if (ok)
    {
      SipURI *uri = sipservlet_address_get_uri (ours);
      const SipURI *want = sipservlet_address_get_uri (given);
      if (want != NULL && sipservlet_uri_get_user (want) != NULL)
        ok = sipservlet_uri_set_user (uri, sipservlet_uri_get_user (want), error);
      sipservlet_address_set_display_name (ours, sipservlet_address_get_display_name (given));
      char **names = want ? sipservlet_uri_get_parameter_names (want) : NULL;
      for (char **n = names; ok && n && *n; n++)
        {
          gboolean bad = FALSE;
          for (gsize i = 0; i < G_N_ELEMENTS (reserved); i++)
            bad |= g_ascii_strcasecmp (*n, reserved[i]) == 0;
          if (!bad)
            ok = sipservlet_uri_set_parameter (uri, *n, sipservlet_uri_get_parameter (want, *n), error);
        }
      g_strfreev (names);
      names = sipservlet_address_get_parameter_names (given);
      for (char **n = names; ok && n && *n; n++)
        ok = sipservlet_address_set_parameter (ours, *n, sipservlet_address_get_parameter (given, *n),
                                               error);
      g_strfreev (names);
    }
  if (ok)
    {
      char *text = sipservlet_address_to_string (ours);
      msg_header_t *h = msg_header_make (msg_home (msg), sip_contact_class, text);
      g_free (text);
      msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_contact, h);
    }
  g_clear_pointer (&ours, sipservlet_address_unref);
  sipservlet_address_unref (given);
  return ok;
}

/* Applies the overrides other than From and To; checks them all first so
 * a refused one leaves the request untouched. */
static gboolean
apply_overrides (SipServletRequest *request, const char *const *overrides, gboolean initial,
                 GError **error)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);

  for (const char *const *o = overrides; o != NULL && o[0] != NULL; o += 2)
    {
      if (o[1] == NULL)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                       "header override '%s' has no value", o[0]);
          return FALSE;
        }
      msg_href_t const *href = msg_find_hclass (msg_mclass (request->base.msg), o[0], NULL);
      msg_hclass_t *hc = href ? href->hr_class : NULL;
      if (hc == sip_from_class || hc == sip_to_class || hc == sip_contact_class
          || (hc == sip_route_class && initial))
        continue;
      if (hc == NULL || sipsv_is_system_header (message, hc) || hc == sip_route_class)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                       "%s cannot be overridden: it is a system header", o[0]);
          return FALSE;
        }
    }
  /* The first override of a name replaces the copied values, later ones add. */
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok = TRUE;
  for (const char *const *o = overrides; ok && o != NULL && o[0] != NULL; o += 2)
    {
      msg_href_t const *href = msg_find_hclass (msg_mclass (request->base.msg), o[0], NULL);
      msg_hclass_t *hc = href->hr_class;
      if (hc == sip_from_class || hc == sip_to_class)
        continue;
      if (hc == sip_contact_class)
        ok = apply_contact (request, o[1], error);
      else if (hc == sip_route_class)
        {
          SipAddress *route = sipservlet_address_parse (o[1], error);
          ok = route != NULL && sipservlet_request_push_route (request, route, error);
          g_clear_pointer (&route, sipservlet_address_unref);
        }
      else
        {
          char *key = g_ascii_strdown (hc == sip_unknown_class ? o[0] : hc->hc_name, -1);
          gboolean first = !g_hash_table_contains (seen, key);
          if (first)
            g_hash_table_add (seen, key);
          else
            g_free (key);
          ok = first ? sipservlet_message_set_header (message, o[0], o[1], error)
                     : sipservlet_message_add_header (message, o[0], o[1], error);
        }
    }
  g_hash_table_destroy (seen);
  return ok;
}

static gboolean
link_sessions (SipSession *a, SipSession *b, GError **error)
{
  if (a == b || !a->valid || !b->valid || a->app != b->app
      || a->state == SIPSERVLET_SESSION_STATE_TERMINATED
      || b->state == SIPSERVLET_SESSION_STATE_TERMINATED
      || (a->linked != NULL && a->linked != b) || (b->linked != NULL && b->linked != a))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "sessions can be linked only one to one, inside one application "
                   "session, while both are valid and not terminated");
      return FALSE;
    }
  a->linked = b;
  b->linked = a;
  return TRUE;
}

static void
link_requests (SipServletRequest *a, SipServletRequest *b)
{
  if (a->linked != NULL)
    a->linked->linked = NULL;
  if (b->linked != NULL)
    b->linked->linked = NULL;
  a->linked = b;
  b->linked = a;
}

SipServletRequest *
sipservlet_b2bua_create_request (SipB2buaHelper *helper, SipServletRequest *original,
                                 gboolean linked, const char *const *overrides, GError **error)
{
  g_return_val_if_fail (helper != NULL && original != NULL, NULL);
  SipContainer *container = helper->container;
  SipSession *in = original->base.session;
  sip_t *osip = original->base.sip;

  if (!original->base.incoming || !original->initial || in == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the other leg is created from a received initial request");
      return NULL;
    }
  if (!check_helper_use (original, error))
    return NULL;
  original->b2bua = TRUE;
  if (linked && (in->linked != NULL || original->linked != NULL))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the original request or its session is already linked");
      return NULL;
    }
  if (osip->sip_max_forwards != NULL && osip->sip_max_forwards->mf_count == 0)
    {
      if (!original->final_sent)
        sipsv_uas_answer (original, 483, "Too Many Hops");
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TOO_MANY_HOPS,
                   "Max-Forwards is 0: answered 483");
      return NULL;
    }

  GError *local = NULL;
  SipAddress *from = party_override (overrides, sip_from_class, &local);
  SipAddress *to = local == NULL ? party_override (overrides, sip_to_class, &local) : NULL;
  if (local != NULL)
    {
      g_propagate_error (error, local);
      g_clear_pointer (&from, sipservlet_address_unref);
      return NULL;
    }
  SipServletRequest *request = NULL;
  gboolean copied = from == NULL && to == NULL;
  if (copied)
    {
      /* Neither party overridden: copied from the original as sofia parsed
       * it, without a round trip through SipAddress. */
      request = sipsv_uac_create_leg (container, in->app, osip, error);
    }
  else
    {
      if (from == NULL)
        from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (original));
      if (to == NULL)
        to = sipservlet_message_get_to (SIPSERVLET_MESSAGE (original));
      if (from != NULL && to != NULL)
        request = sipservlet_factory_create_request (&sipsv_runtime (container)->factory,
                                                     in->app, osip->sip_request->rq_method_name,
                                                     from, to, error);
      else
        g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                     "the original From or To is not an address");
      g_clear_pointer (&from, sipservlet_address_unref);
      g_clear_pointer (&to, sipservlet_address_unref);
    }
  if (request == NULL)
    return NULL;

  /* Same target and content as the original, one hop fewer. */
  msg_t *msg = request->base.msg;
  sip_t *sip = request->base.sip;
  if (!copied)
    msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_request,
                        msg_header_dup_one (msg_home (msg), (msg_header_t *) osip->sip_request));
  if (osip->sip_max_forwards != NULL)
    msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_max_forwards,
                        (msg_header_t *) sipsv_max_forwards_new (msg_home (msg),
                                                                 osip->sip_max_forwards->mf_count - 1));
  copy_content (request, original);
  if (!apply_overrides (request, overrides, TRUE, error))
    {
      SipSession *out = request->base.session;
      sipservlet_request_unref (request);
      sipservlet_session_invalidate (out, NULL);
      return NULL;
    }
  SipSession *out = request->base.session;
  if (in->handler != NULL && out->handler == NULL)
    out->handler = sipservlet_servlet_ref (in->handler);
  if (out->initial_request == NULL)
    out->initial_request = sipservlet_request_ref (request);
  if (linked)
    {
      link_sessions (in, out, NULL);
      link_requests (original, request);
    }
  /* The other leg continues the original for the application router
   * (JSR 289 §15.2.2). */
  sipservlet_request_set_routing_directive (request, SIPSERVLET_ROUTING_CONTINUE, original, NULL);
  return request;
}

SipServletRequest *
sipservlet_b2bua_create_request_for_session (SipB2buaHelper *helper, SipSession *session,
                                             SipServletRequest *original,
                                             const char *const *overrides, GError **error)
{
  g_return_val_if_fail (helper != NULL && session != NULL && original != NULL, NULL);
  SipSession *in = original->base.session;

  if (!original->base.incoming)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the original must be a received request");
      return NULL;
    }
  if (in != NULL && in != session && ((in->linked != NULL && in->linked != session)
                                      || (session->linked != NULL && session->linked != in)))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the sessions are linked to other sessions");
      return NULL;
    }
  for (const char *const *o = overrides; o != NULL && o[0] != NULL; o += 2)
    if (names_class (o[0], sip_from_class) || names_class (o[0], sip_to_class))
      {
        g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                     "%s of a request inside a dialog comes from the session", o[0]);
        return NULL;
      }
  SipServletRequest *request = sipservlet_session_create_request (session,
                                                                  sipservlet_message_get_method (SIPSERVLET_MESSAGE (original)),
                                                                  error);
  if (request == NULL)
    return NULL;
  copy_content (request, original);
  if (!apply_overrides (request, overrides, FALSE, error))
    {
      sipservlet_request_unref (request);
      return NULL;
    }
  if (in != NULL && in != session)
    link_sessions (in, session, NULL);
  link_requests (original, request);
  return request;
}

gboolean
sipservlet_b2bua_link_sessions (SipB2buaHelper *helper, SipSession *a, SipSession *b,
                                GError **error)
{
  g_return_val_if_fail (helper != NULL && a != NULL && b != NULL, FALSE);
  return link_sessions (a, b, error);
}

gboolean
sipservlet_b2bua_unlink_sessions (SipB2buaHelper *helper, SipSession *session, GError **error)
{
  g_return_val_if_fail (helper != NULL && session != NULL, FALSE);
  if (session->linked == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "session %s is not linked", session->id);
      return FALSE;
    }
  SipSession *other = session->linked;
  other->linked = NULL;
  session->linked = NULL;
  /* Their requests are unlinked too: the ones that created the sessions
   * and the ones still waiting for an answer. */
  SipServletRequest *firsts[] = { session->initial_request, other->initial_request };
  for (gsize i = 0; i < G_N_ELEMENTS (firsts); i++)
    if (firsts[i] != NULL && firsts[i]->linked != NULL)
      {
        firsts[i]->linked->linked = NULL;
        firsts[i]->linked = NULL;
      }
  GPtrArray *lists[] = { session->pending_uas, other->pending_uas };
  for (gsize l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
      {
        SipServletRequest *r = lists[l]->pdata[i];
        if (r->linked != NULL)
          r->linked->linked = NULL;
        r->linked = NULL;
      }
  return TRUE;
}

SipSession *
sipservlet_b2bua_get_linked_session (SipB2buaHelper *helper, SipSession *session)
{
  g_return_val_if_fail (helper != NULL && session != NULL, NULL);
  return session->linked;
}

SipServletRequest *
sipservlet_b2bua_get_linked_request (SipB2buaHelper *helper, SipServletRequest *request)
{
  g_return_val_if_fail (helper != NULL && request != NULL, NULL);
  return request->linked;
}

static gint
by_cseq (gconstpointer a, gconstpointer b)
{
  guint32 x = sipservlet_message_get_cseq (*(SipServletMessage * const *) a);
  guint32 y = sipservlet_message_get_cseq (*(SipServletMessage * const *) b);
  return x < y ? -1 : x > y;
}

GPtrArray *
sipservlet_b2bua_get_pending_messages (SipB2buaHelper *helper, SipSession *session, SipUAMode mode)
{
  g_return_val_if_fail (helper != NULL && session != NULL, NULL);
  GPtrArray *source = mode == SIPSERVLET_UA_MODE_UAS ? session->pending_uas : session->pending_uac;
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_message_unref);
  for (guint i = 0; source != NULL && i < source->len; i++)
    g_ptr_array_add (result, sipservlet_message_ref (source->pdata[i]));
  g_ptr_array_sort (result, by_cseq);
  return result;
}

SipServletResponse *
sipservlet_b2bua_create_response_to_original_request (SipB2buaHelper *helper, SipSession *session,
                                                      guint status, const char *reason,
                                                      GError **error)
{
  g_return_val_if_fail (helper != NULL && session != NULL, NULL);
  SipServletRequest *original = session->initial_request;

  if (original == NULL || !original->base.incoming || (original->irq == NULL && original->hop == NULL))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s was not created by a received request", session->id);
      return NULL;
    }
  if (!original->final_sent)
    return sipservlet_request_create_response (original, status, reason, error);
  if (status < 200 || status >= 300 || original->final_status >= 300
      || original->base.sip->sip_request->rq_method != sip_method_invite)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "after a final response only more 2xx to an INVITE answered 2xx can be sent");
      return NULL;
    }

  /* Another 2xx: another To-tag, another dialog, a derived session. */
  SipSession *derived = sipsv_session_new (session->app, FALSE, session->call_id, NULL, NULL, NULL);
  g_free (derived->local_tag);
  derived->local_tag = sipsv_new_tag ();
  SipAddress *local = sipsv_session_local_party (session);
  SipAddress *remote = sipsv_session_remote_party (session);
  derived->local_party = local ? sipservlet_address_clone (local) : NULL;
  if (derived->local_party != NULL)
    sipservlet_address_set_parameter (derived->local_party, "tag", derived->local_tag, NULL);
  derived->remote_party = remote ? sipservlet_address_clone (remote) : NULL;
  derived->remote_tag = g_strdup (session->remote_tag);
  derived->remote_target = g_strdup (session->remote_target);
  sipsv_session_set_route_set (derived, session->route_set);
  derived->dialog_method = TRUE;
  derived->had_transaction = TRUE;
  derived->remote_cseq = session->remote_cseq;
  derived->have_remote_cseq = session->have_remote_cseq;
  if (session->handler != NULL)
    derived->handler = sipservlet_servlet_ref (session->handler);
  derived->initial_request = sipservlet_request_ref (original);
  sipsv_session_register_dialog (derived);
  sipsv_session_set_state (derived, SIPSERVLET_SESSION_STATE_CONFIRMED);

  SipServletResponse *response = sipsv_uas_build_response (original, status, reason);
  if (response != NULL)
    {
      sip_t *sip = response->base.sip;
      sip_to_t *to = sip_to_dup (msg_home (response->base.msg), sip->sip_to);
      msg_header_remove_param ((msg_common_t *) to, "tag");
      sip_to_tag (msg_home (response->base.msg), to, derived->local_tag);
      msg_header_replace (response->base.msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_to,
                          (msg_header_t *) to);
      sipsv_message_set_session (&response->base, derived);
      response->extra_2xx = TRUE;
    }
  else
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "cannot build the response");
  sipservlet_session_unref (derived);      /* the application session keeps it */
  return response;
}

SipServletRequest *
sipservlet_b2bua_create_cancel (SipB2buaHelper *helper, SipSession *session, GError **error)
{
  g_return_val_if_fail (helper != NULL && session != NULL, NULL);
  SipServletRequest *invite = session->initial_request;
  if (invite == NULL || invite->base.incoming)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "session %s has no INVITE of ours to cancel", session->id);
      return NULL;
    }
  return sipservlet_request_create_cancel (invite, error);
}

SipB2buaHelper *
sipservlet_b2bua_ref (SipB2buaHelper *helper)
{
  g_return_val_if_fail (helper != NULL, NULL);
  sipservlet_container_ref (helper->container);
  return helper;
}

void
sipservlet_b2bua_unref (SipB2buaHelper *helper)
{
  g_return_if_fail (helper != NULL);
  sipservlet_container_unref (helper->container);
}
