/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - application modules (sipservlet-module.h): shared
 * objects whose entry point deploys applications.
 *
 * A module's code is never unmapped before the container ends: its
 * servlets, listeners, timers and destroy notifies may run as long as a
 * session of its applications, a message or a servlet reference lives,
 * and tracking each of them would cost every call for the rare unload.
 * Unloading undeploys its applications and forgets its name; the handle
 * is closed in sipsv_container_modules_clear(), after the sessions.
 */
#include "config-private.h"

#include <gmodule.h>

#include "container/container-private.h"

struct _SipsvModule {
  GModule *module;
  char *path;
  const SipModuleInfo *info;
  GPtrArray *applications;      /* names of the applications it deployed */
  gboolean loaded;              /* FALSE once unloaded (still mapped) */
};

typedef const SipModuleInfo *(*EntryPoint) (void);

static void
module_free (gpointer data)
{
  SipsvModule *module = data;
  if (module->module != NULL)
    g_module_close (module->module);
  g_ptr_array_unref (module->applications);
  g_free (module->path);
  g_free (module);
}

void
sipsv_container_modules_init (SipContainer *container)
{
  container->modules = g_ptr_array_new_with_free_func (module_free);
}

void
sipsv_container_modules_clear (SipContainer *container)
{
  g_clear_pointer (&container->modules, g_ptr_array_unref);
}

void
sipsv_container_module_deployed (SipContainer *container, const char *application)
{
  if (container->loading != NULL)
    g_ptr_array_add (container->loading->applications, g_strdup (application));
}

static SipsvModule *
find_loaded (SipContainer *container, const char *name)
{
  for (guint i = 0; i < container->modules->len; i++)
    {
      SipsvModule *module = container->modules->pdata[i];
      if (module->loaded && g_str_equal (module->info->name, name))
        return module;
    }
  return NULL;
}

static void
undeploy_all (SipContainer *container, SipsvModule *module)
{
  for (guint i = 0; i < module->applications->len; i++)
    sipservlet_container_undeploy (container, module->applications->pdata[i], NULL);
  g_ptr_array_set_size (module->applications, 0);
}

/* The entry point's answer, checked: NULL with an error naming path. */
static const SipModuleInfo *
checked_info (GModule *handle, const char *path, GError **error)
{
  EntryPoint entry = NULL;

  if (!g_module_symbol (handle, SIPSERVLET_MODULE_ENTRY_POINT, (gpointer *) &entry)
      || entry == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s: not a libsipservlet module (no %s(); define it with "
                   "SIPSERVLET_MODULE_DEFINE())", path, SIPSERVLET_MODULE_ENTRY_POINT);
      return NULL;
    }
  const SipModuleInfo *info = entry ();
  if (info == NULL || info->abi != SIPSERVLET_MODULE_ABI)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s: built for module ABI %u, this libsipservlet loads ABI %u: rebuild it",
                   path, info != NULL ? info->abi : 0, SIPSERVLET_MODULE_ABI);
      return NULL;
    }
  if (info->major != SIPSERVLET_MAJOR_VERSION || info->minor > SIPSERVLET_MINOR_VERSION)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s: built against libsipservlet %u.%u, this is %u.%u: rebuild it",
                   path, info->major, info->minor, SIPSERVLET_MAJOR_VERSION,
                   SIPSERVLET_MINOR_VERSION);
      return NULL;
    }
  if (info->name == NULL || info->name[0] == '\0' || info->deploy == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s: the module has no name or no deploy function", path);
      return NULL;
    }
  return info;
}

const char *
sipservlet_container_load_module (SipContainer *container, const char *path, GKeyFile *config,
                                  const char *group, GError **error)
{
  g_return_val_if_fail (container != NULL && path != NULL, NULL);
  g_return_val_if_fail (container->loading == NULL, NULL);

  /* Local binding: two modules may define the same symbols. */
  GModule *handle = g_module_open (path, G_MODULE_BIND_LOCAL);
  if (handle == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s: cannot load the module: %s", path, g_module_error ());
      return NULL;
    }
  const SipModuleInfo *info = checked_info (handle, path, error);
  if (info != NULL && find_loaded (container, info->name) != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "%s: a module named '%s' is loaded already", path, info->name);
      info = NULL;
    }
  if (info == NULL)
    {
      g_module_close (handle);
      return NULL;
    }

  SipsvModule *module = g_new0 (SipsvModule, 1);
  module->module = handle;
  module->path = g_strdup (path);
  module->info = info;
  module->applications = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (container->modules, module);

  GError *local = NULL;
  container->loading = module;
  gboolean ok = info->deploy (container, config, group, &local);
  container->loading = NULL;
  if (!ok)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "%s: module '%s': %s",
                   path, info->name, local != NULL ? local->message : "deploy failed");
      g_clear_error (&local);
      /* Its code may already be referenced (a servlet's destroy notify):
       * it stays mapped, unlisted. */
      undeploy_all (container, module);
      return NULL;
    }
  g_clear_error (&local);
  module->loaded = TRUE;
  return info->name;
}

gboolean
sipservlet_container_unload_module (SipContainer *container, const char *name, GError **error)
{
  g_return_val_if_fail (container != NULL && name != NULL, FALSE);
  SipsvModule *module = find_loaded (container, name);
  if (module == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "no module named '%s' is loaded", name);
      return FALSE;
    }
  undeploy_all (container, module);
  module->loaded = FALSE;
  return TRUE;
}

char **
sipservlet_container_get_module_names (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  GPtrArray *names = g_ptr_array_new ();
  for (guint i = 0; i < container->modules->len; i++)
    {
      SipsvModule *module = container->modules->pdata[i];
      if (module->loaded)
        g_ptr_array_add (names, g_strdup (module->info->name));
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}
