/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registrar module: two applications sharing one registrar
 * (examples/common/registrar-servlet.c) on an in-memory location
 * service. "registrar" answers REGISTER as sipservlet-registrar does;
 * "location" proxies the requests for the registered users to their
 * contacts, as in sipservlet-composed (location-servlet.h). Both serve the
 * container's domains (sipservlet_container_add_domain(), the host's),
 * to which the group's "domain" values are added. The group's keys are
 * the registrar options of the programs: domain, min-expires,
 * max-expires, default-expires, max-contacts, nat-ping-interval. */
#include <sipservlet/sipservlet.h>

#include "example-app.h"
#include "example-module.h"
#include "location-servlet.h"
#include "registrar-servlet.h"

static gboolean
deploy_applications (SipContainer *container, Registrar *registrar, GError **error)
{
  registrar_set_track_aors (registrar, TRUE);
  registrar_set_container (registrar, container);
  registrar_serve_container_domains (registrar);
  if (!example_install_servlet (container, EXAMPLE_INSTALL_APPLICATION, "registrar", NULL,
                                registrar_servlet_new (registrar), NULL, NULL, NULL, error)
      || !example_install_servlet (container, EXAMPLE_INSTALL_APPLICATION, "location", NULL,
                                   location_servlet_new (registrar, container), NULL, NULL, NULL,
                                   error))
    return FALSE;
  /* Stopped by the last reference, which the servlets hold. */
  registrar_start_purge (registrar);
  return TRUE;
}

static gboolean
deploy (SipContainer *container, GKeyFile *config, const char *group, GError **error)
{
  RegistrarOptions options;
  Registrar *registrar = NULL;
  gboolean ok = FALSE;

  registrar_options_init (&options);
  g_autofree GOptionEntry *entries = registrar_option_entries (&options);
  GOptionEntry *const tables[] = { entries, NULL };
  if (example_module_read (config, group, tables, error))
    {
      registrar = registrar_new (&options, error);
      if (registrar == NULL)
        example_module_prefix_error (config, group, error);
      else
        ok = deploy_applications (container, registrar, error);
    }
  registrar_unref (registrar);
  registrar_options_clear (&options);
  return ok;
}

SIPSERVLET_MODULE_DEFINE ("registrar", "a registrar and the location proxy to its contacts",
                          deploy)
