/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - one-call answers: create, fill, send and drop a
 * response, the sequence every servlet otherwise writes out. Built on the
 * public calls only, so they keep every check those make. */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

gboolean
sipservlet_request_respond (SipServletRequest *request, guint status, const char *reason,
                            GError **error)
{
  return sipservlet_request_respond_with (request, status, reason, NULL, NULL, NULL, 0, error);
}

/* "Name: value" onto the response; the value may be empty. */
static gboolean
add_header_line (SipServletMessage *message, const char *line, GError **error)
{
  const char *colon = strchr (line, ':');
  if (colon == NULL || colon == line)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "header line \"%s\" is not \"Name: value\"", line);
      return FALSE;
    }
  g_autofree char *name = g_strstrip (g_strndup (line, colon - line));
  g_autofree char *value = g_strstrip (g_strdup (colon + 1));
  return sipservlet_message_add_header (message, name, value, error);
}

gboolean
sipservlet_request_respond_with (SipServletRequest *request, guint status, const char *reason,
                                 const char *const *headers, const char *content_type,
                                 gconstpointer content, gssize length, GError **error)
{
  g_return_val_if_fail (request != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  SipServletResponse *response = sipservlet_request_create_response (request, status, reason,
                                                                     error);
  if (response == NULL)
    return FALSE;
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  gboolean ok = TRUE;
  for (gsize i = 0; ok && headers != NULL && headers[i] != NULL; i++)
    ok = add_header_line (message, headers[i], error);
  if (ok && content != NULL)
    ok = sipservlet_message_set_content (message, content, length, content_type, error);
  if (ok)
    ok = sipservlet_response_send (response, error);
  sipservlet_response_unref (response);
  return ok;
}
