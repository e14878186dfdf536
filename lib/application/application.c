/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipApplication: its servlets, servlet selection (main
 * servlet or mappings, JSR 289 §16), key function, listeners and security
 * constraint. Deploying is the container's (lib/container/deploy.c); this
 * file checks an application is complete and binds its servlets. */
#include "config-private.h"

#include <string.h>

#include "application/application-private.h"
#include "runtime/runtime-private.h"

typedef struct {
  char *servlet_name;
  SipPattern *pattern;
} SipsvMapping;

static void
mapping_free (SipsvMapping *mapping)
{
  g_free (mapping->servlet_name);
  sipservlet_pattern_unref (mapping->pattern);
  g_free (mapping);
}

/* Names appear in DAR files (quoted, comma-separated) and in our
 * Record-Route parameters: printable ASCII without what would need
 * quoting there. */
static gboolean
name_is_valid (const char *name)
{
  if (name == NULL || name[0] == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (*p <= ' ' || *p >= 0x7f || strchr ("\"',;()<>\\", *p) != NULL)
      return FALSE;
  return TRUE;
}

SipApplication *
sipservlet_application_new (const char *name, GError **error)
{
  if (!name_is_valid (name) || g_str_equal (name, SIPSERVLET_IMPLICIT_APPLICATION))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "\"%s\" cannot name an application (printable ASCII without spaces, "
                   "quotes, commas, semicolons, parentheses, angle brackets or backslashes; "
                   "not \"%s\")", name != NULL ? name : "(null)",
                   SIPSERVLET_IMPLICIT_APPLICATION);
      return NULL;
    }
  return sipsv_app_new_unchecked (name);
}

SipApplication *
sipsv_app_new_unchecked (const char *name)
{
  SipApplication *app = g_new0 (SipApplication, 1);

  g_atomic_ref_count_init (&app->ref_count);
  app->name = g_strdup (name);
  app->servlets = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_servlet_unref);
  app->mappings = g_ptr_array_new_with_free_func ((GDestroyNotify) mapping_free);
  app->declared_servlets = g_ptr_array_new_with_free_func (g_free);
  app->scope = sipsv_session_scope_new (name);
  return app;
}

SipApplication *
sipservlet_application_ref (SipApplication *application)
{
  g_return_val_if_fail (application != NULL, NULL);
  g_atomic_ref_count_inc (&application->ref_count);
  return application;
}

void
sipservlet_application_unref (SipApplication *application)
{
  g_return_if_fail (application != NULL);
  if (!g_atomic_ref_count_dec (&application->ref_count))
    return;
  sipsv_app_release_servlets (application);
  sipsv_session_scope_unref (application->scope);
  if (application->key_destroy != NULL)
    application->key_destroy (application->key_data);
  g_ptr_array_unref (application->servlets);
  g_ptr_array_unref (application->mappings);
  g_ptr_array_unref (application->declared_servlets);
  g_strfreev (application->auth_methods);
  g_clear_pointer (&application->http_routes, g_ptr_array_unref);
  g_free (application->main_servlet);
  g_free (application->name);
  g_free (application);
}

const char *
sipservlet_application_get_name (SipApplication *application)
{
  g_return_val_if_fail (application != NULL, NULL);
  return application->name;
}

gboolean
sipsv_app_check_not_deployed (SipApplication *application, GError **error)
{
  if (application->container == NULL && !application->deployed_once)
    return TRUE;
  g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
               "application '%s' is deployed and cannot change", application->name);
  return FALSE;
}

gboolean
sipservlet_application_add_servlet (SipApplication *application, SipServlet *servlet,
                                    GError **error)
{
  g_return_val_if_fail (application != NULL && servlet != NULL, FALSE);
  if (!sipsv_app_check_not_deployed (application, error))
    return FALSE;
  if (servlet->container != NULL || servlet->application != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "servlet '%s' already belongs to a container or application", servlet->name);
      return FALSE;
    }
  if (sipservlet_application_get_servlet (application, servlet->name) != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "application '%s' already has a servlet named '%s'", application->name,
                   servlet->name);
      return FALSE;
    }
  servlet->application = application;
  g_ptr_array_add (application->servlets, sipservlet_servlet_ref (servlet));
  return TRUE;
}

SipServlet *
sipservlet_application_get_servlet (SipApplication *application, const char *name)
{
  g_return_val_if_fail (application != NULL && name != NULL, NULL);
  for (guint i = 0; i < application->servlets->len; i++)
    {
      SipServlet *servlet = application->servlets->pdata[i];
      if (g_strcmp0 (servlet->name, name) == 0)
        return servlet;
    }
  return NULL;
}

gboolean
sipservlet_application_set_main_servlet (SipApplication *application, const char *servlet_name,
                                         GError **error)
{
  g_return_val_if_fail (application != NULL && servlet_name != NULL, FALSE);
  if (!sipsv_app_check_not_deployed (application, error))
    return FALSE;
  if (application->mappings->len > 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' has servlet mappings: it cannot also have a main servlet",
                   application->name);
      return FALSE;
    }
  g_free (application->main_servlet);
  application->main_servlet = g_strdup (servlet_name);
  return TRUE;
}

gboolean
sipservlet_application_add_mapping (SipApplication *application, const char *servlet_name,
                                    SipPattern *pattern, GError **error)
{
  g_return_val_if_fail (application != NULL && servlet_name != NULL && pattern != NULL, FALSE);
  if (!sipsv_app_check_not_deployed (application, error))
    return FALSE;
  if (application->main_servlet != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' has a main servlet: it cannot also have mappings",
                   application->name);
      return FALSE;
    }
  SipsvMapping *mapping = g_new0 (SipsvMapping, 1);
  mapping->servlet_name = g_strdup (servlet_name);
  mapping->pattern = sipservlet_pattern_ref (pattern);
  g_ptr_array_add (application->mappings, mapping);
  return TRUE;
}

gboolean
sipservlet_application_load_descriptor (SipApplication *application, const char *xml,
                                        gssize length, const char *filename, GError **error)
{
  SipsvDescriptor descriptor;
  gboolean ok;

  g_return_val_if_fail (application != NULL && xml != NULL, FALSE);
  if (!sipsv_app_check_not_deployed (application, error))
    return FALSE;
  ok = sipsv_descriptor_parse (&descriptor, xml, length, filename, error);
  if (ok && descriptor.app_name != NULL && g_strcmp0 (descriptor.app_name, application->name) != 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE,
                   "%s:%u: <app-name> is \"%s\", but the application is \"%s\"",
                   filename != NULL ? filename : "sip.xml", descriptor.app_name_line,
                   descriptor.app_name, application->name);
      ok = FALSE;
    }
  if (ok && descriptor.main_servlet != NULL)
    ok = sipservlet_application_set_main_servlet (application, descriptor.main_servlet, error);
  for (guint i = 0; ok && i < descriptor.mappings->len; i++)
    {
      SipsvDescriptorMapping *m = descriptor.mappings->pdata[i];
      ok = sipservlet_application_add_mapping (application, m->servlet_name, m->pattern, error);
    }
  for (guint i = 0; ok && i < descriptor.servlet_names->len; i++)
    g_ptr_array_add (application->declared_servlets,
                     g_strdup (descriptor.servlet_names->pdata[i]));
  sipsv_descriptor_clear (&descriptor);
  return ok;
}

gboolean
sipservlet_application_load_descriptor_file (SipApplication *application, const char *path,
                                             GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  g_return_val_if_fail (application != NULL && path != NULL, FALSE);
  if (!g_file_get_contents (path, &text, &length, error))
    return FALSE;
  return sipservlet_application_load_descriptor (application, text, (gssize) length, path,
                                                 error);
}

void
sipservlet_application_set_key_func (SipApplication *application, SipApplicationKeyFunc func,
                                     gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (application != NULL);
  g_return_if_fail (application->container == NULL && !application->deployed_once);
  if (application->key_destroy != NULL)
    application->key_destroy (application->key_data);
  application->key_func = func;
  application->key_data = user_data;
  application->key_destroy = destroy;
}

gboolean
sipservlet_application_add_listeners (SipApplication *application,
                                      const SipServletListeners *listeners,
                                      gpointer user_data, GDestroyNotify destroy)
{
  g_return_val_if_fail (application != NULL && listeners != NULL, FALSE);
  if (application->container != NULL || application->deployed_once)
    return FALSE;
  return sipsv_session_listeners_append (application->scope->listeners, listeners, user_data,
                                         destroy);
}

void
sipservlet_application_require_authentication (SipApplication *application,
                                               const char *const *methods)
{
  g_return_if_fail (application != NULL);
  g_return_if_fail (application->container == NULL && !application->deployed_once);
  g_strfreev (application->auth_methods);
  application->auth_methods = NULL;
  application->auth_required = TRUE;
  if (methods == NULL)
    return;
  application->auth_methods = g_new0 (char *, g_strv_length ((char **) methods) + 1);
  for (guint i = 0; methods[i] != NULL; i++)
    application->auth_methods[i] = g_ascii_strup (methods[i], -1);
}

/* ---- what the container needs ------------------------------------------ */

gboolean
sipsv_app_check_complete (SipApplication *application, GError **error)
{
  if (application->servlets->len == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' has no servlet", application->name);
      return FALSE;
    }
  if (application->main_servlet == NULL && application->mappings->len == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' has neither a main servlet nor servlet mappings",
                   application->name);
      return FALSE;
    }
  const char *missing = NULL;
  if (application->main_servlet != NULL
      && sipservlet_application_get_servlet (application, application->main_servlet) == NULL)
    missing = application->main_servlet;
  for (guint i = 0; missing == NULL && i < application->mappings->len; i++)
    {
      SipsvMapping *m = application->mappings->pdata[i];
      if (sipservlet_application_get_servlet (application, m->servlet_name) == NULL)
        missing = m->servlet_name;
    }
  for (guint i = 0; missing == NULL && i < application->declared_servlets->len; i++)
    if (sipservlet_application_get_servlet (application,
                                            application->declared_servlets->pdata[i]) == NULL)
      missing = application->declared_servlets->pdata[i];
  if (missing != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' names servlet '%s', which was not added to it",
                   application->name, missing);
      return FALSE;
    }
  return TRUE;
}

gboolean
sipsv_app_bind_servlets (SipApplication *application, SipContainer *container,
                         SipFactory *factory, GError **error)
{
  for (guint i = 0; i < application->servlets->len; i++)
    if (!sipsv_servlet_bind (application->servlets->pdata[i], container, factory, error))
      {
        g_prefix_error (error, "application '%s': ", application->name);
        sipsv_app_release_servlets (application);
        return FALSE;
      }
  return TRUE;
}

void
sipsv_app_release_servlets (SipApplication *application)
{
  for (guint i = 0; i < application->servlets->len; i++)
    {
      SipServlet *servlet = application->servlets->pdata[i];
      servlet->container = NULL;
      servlet->factory = NULL;
    }
}

SipServlet *
sipsv_app_select_servlet (SipApplication *application, SipServletRequest *request)
{
  if (application->main_servlet != NULL)
    return sipservlet_application_get_servlet (application, application->main_servlet);
  for (guint i = 0; i < application->mappings->len; i++)
    {
      SipsvMapping *m = application->mappings->pdata[i];
      if (sipservlet_pattern_matches (m->pattern, request))
        return sipservlet_application_get_servlet (application, m->servlet_name);
    }
  return NULL;
}

gboolean
sipsv_app_needs_authentication (SipApplication *application, const char *method)
{
  if (!application->auth_required || g_str_equal (method, "ACK")
      || g_str_equal (method, "CANCEL"))
    return FALSE;
  if (application->auth_methods == NULL)
    return TRUE;
  for (guint i = 0; application->auth_methods[i] != NULL; i++)
    if (g_ascii_strcasecmp (application->auth_methods[i], method) == 0)
      return TRUE;
  return FALSE;
}

char *
sipsv_app_key (SipApplication *application, SipServletRequest *request)
{
  return application->key_func != NULL ? application->key_func (request, application->key_data)
                                        : NULL;
}

SipApplicationSession *
sipservlet_application_create_application_session (SipApplication *application, GError **error)
{
  g_return_val_if_fail (application != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (application->container == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "application '%s' is not deployed", application->name);
      return NULL;
    }
  /* The manager's table keeps its own reference until invalidation. */
  return sipservlet_application_session_ref (sipsv_application_session_new_in (
      &sipsv_runtime (application->container)->sessions, application->scope));
}
