/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test module whose deploy function deploys the application "half", then
 * fails: the container must undeploy "half" again. */
#include <sipservlet/sipservlet.h>

static void
on_request (SipServletRequest *request, gpointer user_data)
{
  sipservlet_request_respond (request, 500, NULL, NULL);
}

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  g_autoptr (SipApplication) application = sipservlet_application_new ("half", error);
  SipServlet *servlet = sipservlet_servlet_new_with_callback ("half", on_request, NULL, NULL);
  gboolean ok = sipservlet_application_add_servlet (application, servlet, error)
                && sipservlet_application_set_main_servlet (application, "half", error)
                && sipservlet_container_deploy (container, application, error);
  sipservlet_servlet_unref (servlet);
  if (ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "no database");
  return FALSE;
}

SIPSERVLET_MODULE_DEFINE ("failing", "deploys half of itself, then fails", deploy)
