/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - JSR 289 SipSessionsUtil on a container: the lookups
 * are the session manager's (lib/session/sessions-util.c); only the
 * container knows where its manager is. */
#include "config-private.h"

#include "runtime/runtime-private.h"

SipApplicationSession *
sipservlet_container_get_application_session (SipContainer *container, const char *id)
{
  g_return_val_if_fail (container != NULL && id != NULL, NULL);
  return sipsv_session_manager_find_application_session (&sipsv_runtime (container)->sessions, id);
}

SipApplicationSession *
sipservlet_container_get_application_session_by_key (SipContainer *container,
                                                     const char *application_name, const char *key)
{
  g_return_val_if_fail (container != NULL && application_name != NULL && key != NULL, NULL);
  return sipsv_session_manager_find_by_key (&sipsv_runtime (container)->sessions, application_name,
                                            key);
}

SipSession *
sipservlet_container_get_session (SipContainer *container, const char *id)
{
  g_return_val_if_fail (container != NULL && id != NULL, NULL);
  return sipsv_session_manager_find_session (&sipsv_runtime (container)->sessions, id);
}
