/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's deployed applications and its
 * application router (sipservlet-application.h, sipservlet-router.h).
 *
 * An undeployed application leaves the list the router and dispatch see
 * at once, and waits in the retiring list until its last application
 * session has gone; then its servlets' destroy handlers run. */
#include "config-private.h"

#include "container/container-private.h"

static char **
application_names (SipContainer *container)
{
  char **names = g_new0 (char *, container->applications->len + 1);
  for (guint i = 0; i < container->applications->len; i++)
    names[i] = g_strdup (((SipApplication *) container->applications->pdata[i])->name);
  return names;
}

static void
destroy_servlets (SipApplication *application)
{
  for (guint i = 0; i < application->servlets->len; i++)
    sipsv_servlet_finish (application->servlets->pdata[i]);
  sipsv_app_release_servlets (application);
}

/* Container listener: an application session went; an undeployed
 * application whose last one it was is finished. */
static void
on_application_session_destroyed (SipApplicationSession *app_session, gpointer user_data)
{
  SipContainer *container = user_data;

  for (guint i = 0; i < container->retiring->len; i++)
    {
      SipApplication *application = container->retiring->pdata[i];
      if (app_session->scope == application->scope && application->scope->n_app_sessions == 0)
        {
          destroy_servlets (application);
          g_ptr_array_remove_index (container->retiring, i);
          return;
        }
    }
}

void
sipsv_container_applications_init (SipContainer *container)
{
  static const SipServletListeners listeners = {
    SIPSERVLET_LISTENERS_INIT,
    .application_session_destroyed = on_application_session_destroyed,
  };

  container->applications
      = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_application_unref);
  container->retiring
      = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_application_unref);
  sipsv_session_manager_add_listeners (&container->runtime.sessions, &listeners, container,
                                       NULL);
}

static void
clear_router (SipContainer *container)
{
  SipsvRouter *router = &container->router;
  if (router->set && router->destroy != NULL)
    router->destroy (router->user_data);
  memset (router, 0, sizeof *router);
}

/* At the container's end, after its sessions are gone. */
void
sipsv_container_applications_clear (SipContainer *container)
{
  for (guint i = 0; i < container->applications->len; i++)
    destroy_servlets (container->applications->pdata[i]);
  for (guint i = 0; i < container->retiring->len; i++)
    destroy_servlets (container->retiring->pdata[i]);
  g_clear_pointer (&container->applications, g_ptr_array_unref);
  g_clear_pointer (&container->retiring, g_ptr_array_unref);
  clear_router (container);
  g_clear_pointer (&container->forwarder, sipservlet_servlet_unref);
  g_clear_pointer (&container->route_back_key, g_free);
}

SipApplication *
sipsv_container_find_application (SipContainer *container, const char *name)
{
  for (guint i = 0; name != NULL && i < container->applications->len; i++)
    {
      SipApplication *application = container->applications->pdata[i];
      if (g_str_equal (application->name, name))
        return application;
    }
  return NULL;
}

gboolean
sipservlet_container_deploy (SipContainer *container, SipApplication *application,
                             GError **error)
{
  g_return_val_if_fail (container != NULL && application != NULL, FALSE);
  if (application->container != NULL || application->deployed_once)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' is or was deployed already", application->name);
      return FALSE;
    }
  if (sipsv_container_find_application (container, application->name) != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "an application named '%s' is deployed already", application->name);
      return FALSE;
    }
  if (!sipsv_app_check_complete (application, error))
    return FALSE;
  if (application->auth_required && container->security.verifier == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' needs authenticated users, and the container has no "
                   "credentials (sipservlet_container_set_authentication())",
                   application->name);
      return FALSE;
    }
  if (!sipsv_app_bind_servlets (application, container, &container->runtime.factory, error))
    return FALSE;
  application->container = container;
  application->deployed_once = TRUE;
  g_ptr_array_add (container->applications, sipservlet_application_ref (application));
  sipsv_container_module_deployed (container, application->name);
  if (container->router.set && container->router.funcs.application_deployed != NULL)
    {
      const char *names[] = { application->name, NULL };
      container->router.funcs.application_deployed (names, container->router.user_data);
    }
  return TRUE;
}

gboolean
sipservlet_container_undeploy (SipContainer *container, const char *name, GError **error)
{
  g_return_val_if_fail (container != NULL && name != NULL, FALSE);
  SipApplication *application = sipsv_container_find_application (container, name);
  if (application == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "no application named '%s' is deployed", name);
      return FALSE;
    }
  sipservlet_application_ref (application);
  g_ptr_array_remove (container->applications, application);
  application->container = NULL;
  if (container->router.set && container->router.funcs.application_undeployed != NULL)
    {
      const char *names[] = { name, NULL };
      container->router.funcs.application_undeployed (names, container->router.user_data);
    }
  if (application->scope->n_app_sessions == 0)
    {
      destroy_servlets (application);
      sipservlet_application_unref (application);
    }
  else
    g_ptr_array_add (container->retiring, application);
  return TRUE;
}

SipApplication *
sipservlet_container_get_application (SipContainer *container, const char *name)
{
  g_return_val_if_fail (container != NULL && name != NULL, NULL);
  return sipsv_container_find_application (container, name);
}

char **
sipservlet_container_get_application_names (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  return application_names (container);
}

/* ---- the router --------------------------------------------------------- */

gboolean
sipservlet_container_set_application_router (SipContainer *container,
                                             const SipApplicationRouterFuncs *funcs,
                                             gpointer user_data, GDestroyNotify destroy,
                                             GError **error)
{
  SipsvRouter router = { 0 };

  g_return_val_if_fail (container != NULL && funcs != NULL, FALSE);
  g_return_val_if_fail (funcs->struct_size > 0
                        && funcs->struct_size <= sizeof (SipApplicationRouterFuncs), FALSE);
  memcpy (&router.funcs, funcs, funcs->struct_size);
  router.funcs.struct_size = sizeof (SipApplicationRouterFuncs);
  if (router.funcs.get_next_application == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "an application router needs get_next_application");
      if (destroy != NULL)
        destroy (user_data);
      return FALSE;
    }
  if (router.funcs.init != NULL)
    {
      g_auto (GStrv) names = application_names (container);
      if (!router.funcs.init ((const char *const *) names, user_data, error))
        {
          if (destroy != NULL)
            destroy (user_data);
          return FALSE;
        }
    }
  router.user_data = user_data;
  router.destroy = destroy;
  router.set = TRUE;
  clear_router (container);
  container->router = router;
  return TRUE;
}

gboolean
sipservlet_container_set_dar_file (SipContainer *container, const char *path, GError **error)
{
  g_return_val_if_fail (container != NULL && path != NULL, FALSE);
  SipsvDefaultRouter *router = sipsv_default_router_new (path, error);
  if (router == NULL)
    return FALSE;
  return sipservlet_container_set_application_router (container, sipsv_default_router_funcs (),
                                                      router, sipsv_default_router_free,
                                                      error);
}

gboolean
sipservlet_container_reload_application_router (SipContainer *container, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  if (!container->router.set || container->router.funcs.reload == NULL)
    return TRUE;
  return container->router.funcs.reload (container->router.user_data, error);
}
