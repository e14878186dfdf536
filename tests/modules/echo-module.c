/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test module: the application "echo", which answers every request 200
 * with the reason phrase of its configuration key "reason" (default
 * "Echo"). */
#include <sipservlet/sipservlet.h>

static void
on_request (SipServletRequest *request, gpointer user_data)
{
  const char *method = sipservlet_message_get_method (sipservlet_request_get_message (request));
  if (g_str_equal (method, "ACK") || g_str_equal (method, "CANCEL"))
    return;
  sipservlet_request_respond (request, 200, user_data, NULL);
}

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  g_autofree char *reason
      = config != NULL && group != NULL ? g_key_file_get_string (config, group, "reason", NULL)
                                        : NULL;
  g_autoptr (SipApplication) application = sipservlet_application_new ("echo", error);
  if (application == NULL)
    return FALSE;
  SipServlet *servlet = sipservlet_servlet_new_with_callback (
      "echo", on_request, g_strdup (reason != NULL ? reason : "Echo"), g_free);
  gboolean ok = sipservlet_application_add_servlet (application, servlet, error)
                && sipservlet_application_set_main_servlet (application, "echo", error)
                && sipservlet_container_deploy (container, application, error);
  sipservlet_servlet_unref (servlet);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("echo", "answers every request 200", deploy)
