/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the HTTP handlers and WebSocket endpoints an application
 * registers (sipservlet-http.h). This layer only keeps them; the container
 * (lib/container/http.c) serves them while the application is deployed. */
#include "config-private.h"

#include "application-private.h"

#include <string.h>

/* Paths the container answers itself. */
static const char *const reserved_paths[] = { "/health", "/metrics" };

static void
route_free (gpointer data)
{
  SipsvHttpRoute *route = data;
  if (route->destroy != NULL)
    route->destroy (route->user_data);
  g_free (route->path);
  g_free (route);
}

gboolean
sipsv_http_path_matches (const char *path_prefix, const char *path)
{
  gsize length = strlen (path_prefix);
  if (length > 0 && path_prefix[length - 1] == '/')
    length--;                       /* "/calls/" is "/calls" */
  if (length == 0)
    return path[0] == '/';          /* "/" matches everything */
  return strncmp (path, path_prefix, length) == 0 && (path[length] == '\0' || path[length] == '/');
}

static gboolean
check_path (SipApplication *application, const char *path, gboolean websocket, GError **error)
{
  if (path == NULL || path[0] != '/' || strchr (path, '?') != NULL || strchr (path, '#') != NULL
      || strstr (path, "/..") != NULL || strstr (path, "//") != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an absolute path without query, fragment or '..'",
                   path != NULL ? path : "(null)");
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (reserved_paths); i++)
    if (sipsv_http_path_matches (reserved_paths[i], path))
      {
        g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                     "'%s' is %s or below it, which the container serves itself", path,
                     reserved_paths[i]);
        return FALSE;
      }
  for (guint i = 0; application->http_routes != NULL && i < application->http_routes->len; i++)
    {
      const SipsvHttpRoute *route = g_ptr_array_index (application->http_routes, i);
      if (route->websocket == websocket && strcmp (route->path, path) == 0)
        {
          g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                       "application '%s' has a %s for '%s' already", application->name,
                       websocket ? "WebSocket endpoint" : "handler", path);
          return FALSE;
        }
    }
  return sipsv_app_check_not_deployed (application, error);
}

static gboolean
add_route (SipApplication *application, const char *path, gboolean websocket,
           SipHttpHandlerFunc handler, SipWebsocketFunc on_open, gpointer user_data,
           GDestroyNotify destroy, GError **error)
{
  if (!check_path (application, path, websocket, error))
    return FALSE;
  SipsvHttpRoute *route = g_new0 (SipsvHttpRoute, 1);
  route->path = g_strdup (path);
  route->websocket = websocket;
  route->handler = handler;
  route->on_open = on_open;
  route->user_data = user_data;
  route->destroy = destroy;
  if (application->http_routes == NULL)
    application->http_routes = g_ptr_array_new_with_free_func (route_free);
  g_ptr_array_add (application->http_routes, route);
  return TRUE;
}

gboolean
sipservlet_application_add_http_handler (SipApplication *application, const char *path_prefix,
                                         SipHttpHandlerFunc func, gpointer user_data,
                                         GDestroyNotify destroy, GError **error)
{
  g_return_val_if_fail (application != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return add_route (application, path_prefix, FALSE, func, NULL, user_data, destroy, error);
}

gboolean
sipservlet_application_add_websocket_handler (SipApplication *application, const char *path,
                                              SipWebsocketFunc func, gpointer user_data,
                                              GDestroyNotify destroy, GError **error)
{
  g_return_val_if_fail (application != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return add_route (application, path, TRUE, NULL, func, user_data, destroy, error);
}

const SipsvHttpRoute *
sipsv_app_find_http_route (SipApplication *application, const char *path, gboolean websocket)
{
  const SipsvHttpRoute *best = NULL;

  for (guint i = 0; application->http_routes != NULL && i < application->http_routes->len; i++)
    {
      const SipsvHttpRoute *route = g_ptr_array_index (application->http_routes, i);
      if (route->websocket != websocket)
        continue;
      if (websocket ? strcmp (route->path, path) == 0 : sipsv_http_path_matches (route->path, path))
        if (best == NULL || strlen (route->path) > strlen (best->path))
          best = route;
    }
  return best;
}
