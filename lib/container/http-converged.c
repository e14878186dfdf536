/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - converged sessions: the application session an HTTP
 * request belongs to (JSR 289 §13, encodeURL), found by its id in the
 * query (sipappsessionid) or a cookie (SIPAPPSESSIONID).
 *
 * The id is the application session's own, which is already a secret
 * (sipsv_session_manager_new_secret_id): knowing it is the capability.
 * A session of another application is never found from a handler, and an
 * invalidated one is gone from the manager's table, which is what ends its
 * HTTP association.
 */
#include "config-private.h"

#include "http-private.h"

#include <string.h>

#define QUERY_PARAM "sipappsessionid"
#define COOKIE_NAME "SIPAPPSESSIONID"

typedef struct {
  SipContainer *container;          /* not owned: the container outlives its handlers */
  SipApplication *application;      /* owned */
  const SipsvHttpRoute *route;      /* the application's, alive with it */
  gboolean https;
  gboolean may_create;
} Binding;

static GQuark
binding_quark (void)
{
  static GQuark quark;
  if (quark == 0)
    quark = g_quark_from_static_string ("sipsv-http-binding");
  return quark;
}

static void
binding_free (gpointer data)
{
  Binding *binding = data;
  sipservlet_application_unref (binding->application);
  g_free (binding);
}

void
sipsv_http_bind (SoupServerMessage *message, SipContainer *container,
                 SipApplication *application, const SipsvHttpRoute *route, gboolean https,
                 gboolean may_create)
{
  Binding *binding = g_new0 (Binding, 1);
  binding->container = container;
  binding->application = sipservlet_application_ref (application);
  binding->route = route;
  binding->https = https;
  binding->may_create = may_create;
  g_object_set_qdata_full (G_OBJECT (message), binding_quark (), binding, binding_free);
}

void
sipsv_http_unbind (SoupServerMessage *message)
{
  g_object_set_qdata (G_OBJECT (message), binding_quark (), NULL);
}

const SipsvHttpRoute *
sipsv_http_bound_route (SoupServerMessage *message, SipApplication **application)
{
  Binding *binding = g_object_get_qdata (G_OBJECT (message), binding_quark ());
  if (binding == NULL || binding->application->container == NULL)
    return NULL;
  *application = binding->application;
  return binding->route;
}

/* The valid application session of the binding's application named id. */
static SipApplicationSession *
find (Binding *binding, const char *id)
{
  if (id == NULL || *id == '\0')
    return NULL;
  SipApplicationSession *app_session
      = sipsv_session_manager_find_application_session (&binding->container->runtime.sessions, id);
  if (app_session == NULL || !sipservlet_application_session_is_valid (app_session)
      || app_session->scope != binding->application->scope)
    return NULL;
  return app_session;
}

static const char *
cookie_value (SoupServerMessage *message, char **storage)
{
  const char *header = soup_message_headers_get_list (
      soup_server_message_get_request_headers (message), "Cookie");
  if (header == NULL)
    return NULL;
  GHashTable *cookies = soup_header_parse_semi_param_list (header);
  *storage = g_strdup (g_hash_table_lookup (cookies, COOKIE_NAME));
  soup_header_free_param_list (cookies);
  return *storage;
}

SipApplicationSession *
sipservlet_http_get_application_session (SoupServerMessage *message, gboolean create)
{
  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (message), NULL);
  Binding *binding = g_object_get_qdata (G_OBJECT (message), binding_quark ());
  if (binding == NULL || binding->application->container == NULL)
    return NULL;

  SipApplicationSession *app_session = NULL;
  const char *query = g_uri_get_query (soup_server_message_get_uri (message));
  if (query != NULL)
    {
      GHashTable *form = soup_form_decode (query);
      app_session = find (binding, g_hash_table_lookup (form, QUERY_PARAM));
      g_hash_table_unref (form);
    }
  if (app_session == NULL)
    {
      g_autofree char *storage = NULL;
      app_session = find (binding, cookie_value (message, &storage));
    }
  if (app_session != NULL || !create || !binding->may_create)
    return app_session;

  /* The manager's table holds the session until it is invalidated. */
  app_session = sipsv_application_session_new_in (&binding->container->runtime.sessions,
                                                  binding->application->scope);
  /* Written by hand: soup_cookie_new() refuses a cookie without a
   * domain, and a host-only cookie (no Domain attribute) is what we want:
   * it goes back to this host alone. The id is URL-safe text and the
   * path an absolute path the application gave (http-routes.c). */
  g_autofree char *header = g_strdup_printf (COOKIE_NAME "=%s; Path=%s; HttpOnly; "
                                             "SameSite=Strict%s",
                                             sipservlet_application_session_get_id (app_session),
                                             binding->route->path,
                                             binding->https ? "; Secure" : "");
  soup_message_headers_append (soup_server_message_get_response_headers (message),
                                      "Set-Cookie", header);
  return app_session;
}

char *
sipservlet_application_session_encode_url (SipApplicationSession *app_session, const char *url)
{
  g_return_val_if_fail (app_session != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);

  const char *fragment = strchr (url, '#');
  gsize length = fragment != NULL ? (gsize) (fragment - url) : strlen (url);
  const char *query = memchr (url, '?', length);
  const char *separator = query == NULL ? "?"
                          : (url[length - 1] == '?' || url[length - 1] == '&') ? "" : "&";
  g_autofree char *escaped = g_uri_escape_string (
      sipservlet_application_session_get_id (app_session), NULL, FALSE);
  return g_strdup_printf ("%.*s%s" QUERY_PARAM "=%s%s", (int) length, url, separator, escaped,
                          fragment != NULL ? fragment : "");
}
