/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - initial requests meant for an existing application
 * session (JSR 289 §15.11): a Request-URI or popped route made by
 * sipservlet_application_session_encode_uri(), or a Join (RFC 3911) or
 * Replaces (RFC 3891) header naming one of our dialogs.
 *
 *   Join and Replaces together, or either outside INVITE -> 400
 *   the dialog named is not ours and the request is for us -> 481
 *   (addressed elsewhere it is not targeted: a proxy passes a transfer
 *   between two phones on)
 *   terminated (Replaces) -> 603; an early dialog we did not start
 *   (Replaces) -> 481; early-only and confirmed -> 486
 */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"

static const char *
unknown_header (sip_t const *sip, const char *name)
{
  for (msg_unknown_t const *u = sip->sip_unknown; u != NULL; u = u->un_next)
    if (u->un_name != NULL && g_ascii_strcasecmp (u->un_name, name) == 0)
      return u->un_value;
  return NULL;
}

static gboolean
dialog_target (SipContainer *container, msg_t *msg, sip_t *sip, SipsvTarget *target)
{
  SipsvSessionManager *manager = &container->runtime.sessions;
  const char *join = unknown_header (sip, "Join");
  const char *replaces = sip->sip_replaces != NULL
      ? sipsv_header_value (msg, (msg_header_t *) sip->sip_replaces) : NULL;
  guint status = 0;
  const char *phrase = NULL;

  if (join == NULL && replaces == NULL)
    return TRUE;
  if (join != NULL && replaces != NULL)
    {
      sipsv_stack_reply (&container->runtime.stack, msg, 400, "Join And Replaces Together",
                         NULL);
      return FALSE;
    }
  if (sip->sip_request->rq_method != sip_method_invite)
    {
      sipsv_stack_reply (&container->runtime.stack, msg, 400,
                         join != NULL ? "Join Outside INVITE" : "Replaces Outside INVITE",
                         NULL);
      return FALSE;
    }
  SipSession *session = sipsv_session_manager_find_dialog_target (
      manager, join != NULL ? "Join" : "Replaces", join != NULL ? join : replaces, &status,
      &phrase);
  if (session == NULL && status == 481 && (sip->sip_route != NULL
      || !sipsv_stack_url_is_self (&container->runtime.stack, sip->sip_request->rq_url)))
    return TRUE;      /* someone else's dialog: routed on, untargeted */
  if (session == NULL)
    {
      sipsv_stack_reply (&container->runtime.stack, msg, (int) status, phrase, NULL);
      return FALSE;
    }
  target->type = join != NULL ? SIPSERVLET_TARGETED_JOIN : SIPSERVLET_TARGETED_REPLACES;
  target->session = session;
  target->app_session = session->app;
  return TRUE;
}

gboolean
sipsv_container_find_target (SipContainer *container, msg_t *msg, sip_t *sip,
                             const SipURI *request_uri, const char *popped, SipsvTarget *target)
{
  SipsvSessionManager *manager = &container->runtime.sessions;

  memset (target, 0, sizeof *target);
  if (!dialog_target (container, msg, sip, target))
    return FALSE;
  if (target->type != SIPSERVLET_TARGETED_NONE)
    return TRUE;
  /* Parsed only when it may carry the parameter: this runs for every
   * initial request. */
  g_autoptr (SipURI) popped_uri = popped != NULL && strstr (popped, "sipsv-as=") != NULL
                                      ? sipservlet_uri_parse (popped, NULL) : NULL;
  SipApplicationSession *app = sipsv_session_manager_find_encoded (manager, request_uri);
  if (app == NULL && popped_uri != NULL)
    app = sipsv_session_manager_find_encoded (manager, popped_uri);
  if (app != NULL)
    {
      target->type = SIPSERVLET_TARGETED_ENCODED_URI;
      target->app_session = app;
    }
  return TRUE;
}

const char *
sipsv_container_target_application (const SipsvTarget *target)
{
  if (target->app_session == NULL)
    return NULL;
  return sipservlet_application_session_get_application_name (target->app_session);
}
