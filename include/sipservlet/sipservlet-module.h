/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - application modules: applications in shared objects a
 * container loads at run time (as the daemon sipservlet-server does with
 * the modules its configuration names).
 *
 * A module is a shared object that defines one entry point with
 * SIPSERVLET_MODULE_DEFINE(): its name, a description and a deploy
 * function, which builds its applications and deploys them on the
 * container (sipservlet-application.h), reading its own settings from the
 * configuration group it is given. The entry point also records the ABI
 * and library version the module was built against; a container refuses
 * a module of another ABI, or built against a newer library than the one
 * running, with an error naming the file.
 *
 * A module's code stays mapped until the container is freed, after its
 * last session, timer and destroy notify: whatever of it may still run
 * finds it there. Unloading undeploys its applications (new initial
 * requests no longer reach them, calls up finish) and frees its name.
 *
 * Threading: the container's thread.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <gmodule.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-version.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * SIPSERVLET_MODULE_ABI:
 *
 * The version of the module entry point's layout (#SipModuleInfo). A
 * container loads modules of its own ABI only.
 */
#define SIPSERVLET_MODULE_ABI 1

/**
 * SipModuleDeployFunc:
 * @container: the container loading the module
 * @config: (nullable): the configuration the module was loaded with
 * @group: (nullable): the group of @config that holds the module's own
 *   settings
 * @error: return location for a #GError
 *
 * Builds the module's applications and deploys them on @container
 * (sipservlet_container_deploy()). A setting it does not know is worth a
 * warning; a bad value an error naming the key.
 *
 * Returns: %TRUE on success; %FALSE with @error set, after undoing what
 *   it deployed or leaving it to the container, which undeploys every
 *   application deployed during a failed call
 */
typedef gboolean (*SipModuleDeployFunc) (SipContainer *container, GKeyFile *config,
                                         const char *group, GError **error);

/**
 * SipModuleInfo:
 * @abi: %SIPSERVLET_MODULE_ABI when the module was built
 * @major: %SIPSERVLET_MAJOR_VERSION when the module was built
 * @minor: %SIPSERVLET_MINOR_VERSION when the module was built
 * @name: the module's name, unique in a container
 * @description: one line saying what it does
 * @deploy: its deploy function
 *
 * What a module's entry point returns. Define it with
 * SIPSERVLET_MODULE_DEFINE().
 */
typedef struct {
  guint32 abi;
  guint32 major;
  guint32 minor;
  const char *name;
  const char *description;
  SipModuleDeployFunc deploy;
} SipModuleInfo;

/**
 * SIPSERVLET_MODULE_ENTRY_POINT:
 *
 * The name of the function a module exports: it takes no argument and
 * returns its #SipModuleInfo.
 */
#define SIPSERVLET_MODULE_ENTRY_POINT "sipservlet_module_info"

/**
 * SIPSERVLET_MODULE_DEFINE:
 * @name: the module's name (a string literal)
 * @description: a one-line description (a string literal)
 * @deploy: its #SipModuleDeployFunc
 *
 * Defines a module's entry point, in one source file of the module:
 * |[
 * static gboolean
 * deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
 * {
 *   ... build the application, then:
 *   return sipservlet_container_deploy (container, application, error);
 * }
 *
 * SIPSERVLET_MODULE_DEFINE ("echo", "answers every call", deploy)
 * ]|
 */
#define SIPSERVLET_MODULE_DEFINE(name, description, deploy)                     \
  G_MODULE_EXPORT const SipModuleInfo *sipservlet_module_info (void);          \
  G_MODULE_EXPORT const SipModuleInfo *                                        \
  sipservlet_module_info (void)                                                \
  {                                                                            \
    static const SipModuleInfo info = {                                        \
      SIPSERVLET_MODULE_ABI, SIPSERVLET_MAJOR_VERSION, SIPSERVLET_MINOR_VERSION, \
      (name), (description), (deploy),                                         \
    };                                                                         \
    return &info;                                                              \
  }

/**
 * sipservlet_container_load_module:
 * @container: a container
 * @path: the module's file
 * @config: (nullable): configuration handed to the module's deploy function
 * @group: (nullable): the group of @config for the module
 * @error: return location for a #GError
 *
 * Loads a module and runs its deploy function. Errors name @path: a file
 * that cannot be loaded, one without the entry point, another ABI, a
 * module built against a newer library version than this one, a name
 * loaded already, a deploy function that fails (the applications it
 * deployed are undeployed again).
 *
 * Returns: the module's name on success (owned by the container), %NULL
 *   with @error set
 */
SIPSERVLET_API const char *sipservlet_container_load_module (SipContainer *container,
                                                             const char *path, GKeyFile *config,
                                                             const char *group, GError **error);

/**
 * sipservlet_container_unload_module:
 * @container: a container
 * @name: a loaded module's name
 * @error: return location for a #GError
 *
 * Undeploys every application the module deployed; the module's code
 * stays mapped until the container is freed.
 *
 * Returns: %FALSE with @error set when no such module is loaded
 */
SIPSERVLET_API gboolean sipservlet_container_unload_module (SipContainer *container,
                                                            const char *name, GError **error);

/**
 * sipservlet_container_get_module_names:
 * @container: a container
 *
 * Returns: (transfer full): the names of the loaded modules, in the order
 *   loaded; g_strfreev() it
 */
SIPSERVLET_API char **sipservlet_container_get_module_names (SipContainer *container);

G_END_DECLS
