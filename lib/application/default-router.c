/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the default application router (JSR 289 Appendix C):
 * the rules of a DAR file (dar.c), re-read on request. */
#include "config-private.h"

#include "application/application-private.h"

struct _SipsvDefaultRouter {
  char *path;
  SipsvDar *dar;
};

static SipsvDar *
load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  return sipsv_dar_parse (text, (gssize) length, path, error);
}

SipsvDefaultRouter *
sipsv_default_router_new (const char *path, GError **error)
{
  SipsvDar *dar = load (path, error);
  if (dar == NULL)
    return NULL;
  SipsvDefaultRouter *router = g_new0 (SipsvDefaultRouter, 1);
  router->path = g_strdup (path);
  router->dar = dar;
  return router;
}

void
sipsv_default_router_free (gpointer data)
{
  SipsvDefaultRouter *router = data;

  sipsv_dar_free (router->dar);
  g_free (router->path);
  g_free (router);
}

static gboolean
next_application (SipServletRequest *request, SipRoutingRegion region,
                  SipRoutingDirective directive, SipTargetedRequestType targeted_type,
                  const char *targeted, GVariant *state, SipRouterInfo *info,
                  gpointer user_data, GError **error)
{
  SipsvDefaultRouter *router = user_data;

  /* A Join or Replaces of one of our dialogs goes to the application of
   * that dialog first (JSR 289 §15.11.4); the DAR knows nothing of it. */
  if (targeted != NULL && directive == SIPSERVLET_ROUTING_NEW && state == NULL)
    {
      sipservlet_router_info_set_application (info, targeted, NULL, SIPSERVLET_REGION_NEUTRAL);
      return TRUE;
    }
  return sipsv_dar_next (router->dar, request, directive, state, info, error);
}

/* All or nothing: on error the rules read before stay. */
static gboolean
reload (gpointer user_data, GError **error)
{
  SipsvDefaultRouter *router = user_data;
  SipsvDar *dar = load (router->path, error);
  if (dar == NULL)
    return FALSE;
  sipsv_dar_free (router->dar);
  router->dar = dar;
  return TRUE;
}

const SipApplicationRouterFuncs *
sipsv_default_router_funcs (void)
{
  static const SipApplicationRouterFuncs funcs = {
    SIPSERVLET_APPLICATION_ROUTER_INIT,
    .get_next_application = next_application,
    .reload = reload,
  };
  return &funcs;
}
