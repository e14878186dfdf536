/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - servlets installed by a program or a module. */
#include "example-app.h"

static gboolean
deploy_application (SipContainer *container, const char *name, SipServlet *servlet,
                    const SipServletListeners *listeners, gpointer listeners_data,
                    GDestroyNotify listeners_destroy, GError **error)
{
  g_autoptr (SipApplication) application = sipservlet_application_new (name, error);

  if (application == NULL)
    {
      if (listeners_destroy != NULL)
        listeners_destroy (listeners_data);
      return FALSE;
    }
  /* From here the application frees the listeners' data, once. */
  if (listeners != NULL
      && !sipservlet_application_add_listeners (application, listeners, listeners_data,
                                                listeners_destroy))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "cannot add the listeners");
      return FALSE;
    }
  return sipservlet_application_add_servlet (application, servlet, error)
         && sipservlet_application_set_main_servlet (application,
                                                     sipservlet_servlet_get_name (servlet),
                                                     error)
         && sipservlet_container_deploy (container, application, error);
}

gboolean
example_install_servlet (SipContainer *container, ExampleInstall how, const char *application,
                         const char *method, SipServlet *servlet,
                         const SipServletListeners *listeners, gpointer listeners_data,
                         GDestroyNotify listeners_destroy, GError **error)
{
  gboolean ok;

  if (how == EXAMPLE_INSTALL_APPLICATION)
    ok = deploy_application (container, application, servlet, listeners, listeners_data,
                             listeners_destroy, error);
  else if (!sipservlet_container_add_servlet (container, servlet, method, error))
    {
      ok = FALSE;
      if (listeners_destroy != NULL)
        listeners_destroy (listeners_data);
    }
  else if (listeners != NULL
           && !sipservlet_container_add_listeners (container, listeners, listeners_data,
                                                   listeners_destroy))
    {
      ok = FALSE;
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "cannot add the listeners");
    }
  else
    ok = TRUE;
  sipservlet_servlet_unref (servlet);
  if (!ok)
    g_prefix_error (error, "application %s: ", application);
  return ok;
}
