/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - location, the proxy to registered contacts. */
#include "location-servlet.h"
#include "example-main.h"
#include "proxying.h"

typedef struct {
  SipContainer *container;      /* not owned */
  Registrar *registrar;
} Location;

static void
location_free (gpointer data)
{
  Location *location = data;
  registrar_unref (location->registrar);
  g_free (location);
}

/* The Path of a binding becomes its branch's Route set, the first Path
 * entry the first hop (RFC 3327 §5.3); entries naming us are left out. */
static void
push_path (Location *location, SipServletRequest *branch_request, char **path)
{
  for (guint i = path != NULL ? g_strv_length (path) : 0; i > 0; i--)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SipAddress) route = sipservlet_address_parse (path[i - 1], &error);
      if (route == NULL)
        g_warning ("location: ignoring Path '%s': %s", path[i - 1], error->message);
      else if (!sipservlet_container_is_self (location->container,
                                              sipservlet_address_get_uri (route))
               && !sipservlet_request_push_route (branch_request, route, &error))
        g_warning ("location: cannot route through Path '%s': %s", path[i - 1], error->message);
    }
}

/* The contact of a binding when it can be proxied to (sip or sips). */
static SipURI *
binding_contact (const SipLocationBinding *binding)
{
  SipURI *contact = sipservlet_uri_parse (binding->contact_uri, NULL);

  if (contact != NULL && sipservlet_uri_is_sip (contact))
    return contact;
  example_debug ("location: skipping contact %s of %s: not a sip or sips URI", binding->contact_uri,
                 binding->aor);
  g_clear_pointer (&contact, sipservlet_uri_unref);
  return NULL;
}

/* One branch towards @binding's @contact: through its Path, or to the
 * address it registered from when it cannot be reached as written. */
static void
add_branch (Location *location, SipProxy *proxy, const SipLocationBinding *binding,
            const SipURI *contact)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SipProxyBranch) branch = sipservlet_proxy_create_branch (proxy, contact, &error);

  if (branch == NULL)
    {
      g_warning ("location: cannot proxy %s to %s: %s", binding->aor, binding->contact_uri,
                 error->message);
      return;
    }
  SipServletRequest *branch_request = sipservlet_proxy_branch_get_request (branch);
  if (binding->path != NULL && binding->path[0] != NULL)
    push_path (location, branch_request, binding->path);
  else
    {
      gboolean connection = FALSE;
      g_autofree char *destination
          = registrar_binding_destination (location->registrar, binding, &connection);
      if (destination != NULL
          && !sipservlet_request_set_destination (branch_request, destination,
                                                  connection
                                                      ? SIPSERVLET_DESTINATION_EXISTING_CONNECTION
                                                      : SIPSERVLET_DESTINATION_DEFAULT,
                                                  &error))
        g_warning ("location: cannot send to %s: %s", destination, error->message);
    }
  example_debug ("location: %s: branch to %s", binding->aor, binding->contact_uri);
}

static void
route_to_contacts (Location *location, SipServletRequest *request, const SipURI *request_uri)
{
  /* Whether the user exists is no business of a looping request: 483
   * before the lookup (RFC 3261 §16.3 step 3). */
  if (sipservlet_request_get_max_forwards (request) == 0)
    {
      example_respond (request, 483, NULL);
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *aor = registrar_aor_key (location->registrar, request_uri);
  g_autoptr (GPtrArray) bindings = registrar_lookup (location->registrar, aor);
  g_autoptr (GPtrArray) contacts
      = g_ptr_array_new_full (bindings->len, (GDestroyNotify) sipservlet_uri_unref);
  guint usable = 0;

  for (guint i = 0; i < bindings->len; i++)
    {
      SipURI *contact = binding_contact (bindings->pdata[i]);
      usable += contact != NULL ? 1 : 0;
      g_ptr_array_add (contacts, contact);
    }
  if (usable == 0)
    {
      /* No binding, or none with a contact a proxy can reach. */
      gboolean known = bindings->len > 0 || registrar_knows_aor (location->registrar, aor);
      example_debug ("location: %s %s: %s", proxying_method (request), aor,
                     known ? "no live contact: 480" : "unknown: 404");
      example_respond (request, known ? 480 : 404, NULL);
      return;
    }
  SipProxy *proxy = proxying_get_proxy ("location", request);
  if (proxy == NULL)
    return;
  for (guint i = 0; i < bindings->len; i++)
    if (contacts->pdata[i] != NULL)
      add_branch (location, proxy, bindings->pdata[i], contacts->pdata[i]);
  if (!sipservlet_proxy_start (proxy, &error))
    {
      g_warning ("location: cannot start the branches for %s: %s", aor, error->message);
      example_respond (request, 500, "Cannot Proxy");
    }
}

static void
on_location (SipServletRequest *request, gpointer user_data)
{
  Location *location = user_data;

  if (proxying_passes_by ("location", request))
    return;
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  if (!sipservlet_uri_is_sip (request_uri))
    example_respond (request, 416, NULL);
  else if (registrar_serves (location->registrar, request_uri))
    route_to_contacts (location, request, request_uri);
  else
    {
      /* Not ours: on to its Request-URI, as a proxy of the caller's
       * domain would send it. */
      SipProxy *proxy = proxying_get_proxy ("location", request);
      g_autoptr (GError) error = NULL;
      if (proxy != NULL && example_debug_enabled ())
        {
          g_autofree char *uri = sipservlet_uri_to_string (request_uri);
          g_debug ("location: %s %s: not our domain, proxied to %s", proxying_method (request),
                   sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), uri);
        }
      if (proxy != NULL && !sipservlet_proxy_to (proxy, request_uri, &error))
        {
          g_warning ("location: cannot proxy %s: %s", proxying_method (request), error->message);
          example_respond (request, 500, "Cannot Proxy");
        }
    }
}

SipServlet *
location_servlet_new (Registrar *registrar, SipContainer *container)
{
  Location *location = g_new0 (Location, 1);

  location->container = container;
  location->registrar = registrar_ref (registrar);
  return sipservlet_servlet_new_with_callback ("location", on_location, location, location_free);
}
