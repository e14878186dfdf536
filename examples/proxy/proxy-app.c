/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the forking proxy and registrar of
 * sipservlet-proxy (its header comment says what it does), shared with
 * the proxy module. */
#include "proxy-app.h"
#include "example-main.h"

#define SEARCH_ATTRIBUTE "sipservlet-proxy.search"

struct _ProxyApp {
  Registrar *registrar;
  SipContainer *container;  /* not owned */
  gboolean record_route;
  gboolean foreign_allow;
  guint branch_timeout;   /* seconds; 0 keeps the container's default */
};

/* One contact to fork to. */
typedef struct {
  SipURI *uri;
  char **path;            /* Path of its registration, or NULL */
  gdouble q;              /* 1.0 when the contact had none */
  char *destination;      /* where its REGISTER came from, when the contact
                           * cannot be reached as written; or NULL */
  gboolean tcp;           /* destination is a TCP connection the phone opened */
} Target;

/* The contacts of one request still to try: targets[next..] */
typedef struct {
  GPtrArray *targets;     /* of Target, highest q first */
  guint next;
  char *aor;
} Search;

static void
target_free (gpointer data)
{
  Target *target = data;
  sipservlet_uri_unref (target->uri);
  g_strfreev (target->path);
  g_free (target->destination);
  g_free (target);
}

static void
search_free (gpointer data)
{
  Search *search = data;
  g_ptr_array_unref (search->targets);
  g_free (search->aor);
  g_free (search);
}

/* ---- who we are ---------------------------------------------------------- */

/* TRUE when @uri names this proxy: the library knows every socket it
 * bound, wildcard listening included, and every alias. */
static gboolean
is_self (ProxyApp *app, const SipURI *uri)
{
  return sipservlet_container_is_self (app->container, uri);
}

/* Our domains: the --domain values, the container's domains (those of a
 * host that loads the proxy as a module) and our own addresses. */
static gboolean
is_ours (const SipURI *uri, gpointer user_data)
{
  ProxyApp *app = user_data;
  return sipservlet_uri_is_sip (uri)
    && (registrar_is_configured_domain (app->registrar, uri) || is_self (app, uri)
        || sipservlet_container_is_our_domain (app->container, uri));
}

/* ---- small helpers ---------------------------------------------------------- */

static const char *
method_of (SipServletRequest *request)
{
  return sipservlet_message_get_method (SIPSERVLET_MESSAGE (request));
}

static gboolean
method_is (SipServletRequest *request, const char *method)
{
  return g_strcmp0 (method_of (request), method) == 0;
}

/* OPTIONS to the proxy itself: what it accepts (RFC 3261 §11.2). */
static void
answer_options (SipServletRequest *request)
{
  static const char *const capabilities[] = {
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, MESSAGE, INFO, PRACK, UPDATE, "
    "SUBSCRIBE, NOTIFY, REFER, PUBLISH",
    "Accept: application/sdp",
    NULL
  };
  g_autoptr (GError) error = NULL;
  if (!sipservlet_request_respond_with (request, 200, NULL, capabilities, NULL, NULL, 0, &error))
    g_warning ("cannot answer OPTIONS: %s", error->message);
}

static gboolean
creates_dialog (SipServletRequest *request)
{
  return method_is (request, "INVITE") || method_is (request, "SUBSCRIBE")
    || method_is (request, "REFER");
}

/* Gets the proxy of @request and applies the options to it; NULL when the
 * container refused (it then answered, e.g. 483). */
static SipProxy *
setup_proxy (ProxyApp *app, SipServletRequest *request)
{
  GError *error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);

  if (proxy == NULL)
    {
      example_debug ("cannot proxy %s %s: %s", method_of (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), error->message);
      g_error_free (error);
      return NULL;
    }
  if (app->record_route && creates_dialog (request)
      && !sipservlet_proxy_set_record_route (proxy, TRUE, &error))
    {
      g_warning ("cannot record-route: %s", error->message);
      g_clear_error (&error);
    }
  if (app->branch_timeout > 0
      && !sipservlet_proxy_set_proxy_timeout (proxy, app->branch_timeout, &error))
    {
      g_warning ("cannot set the proxy timeout: %s", error->message);
      g_clear_error (&error);
    }
  return proxy;
}

/* ---- forking to registered contacts --------------------------------------- */

/* The targets for the live bindings of an AOR; skips contacts that cannot
 * be proxied to (not sip/sips). */
static GPtrArray *
targets_from_bindings (ProxyApp *app, GPtrArray *bindings)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (target_free);

  for (guint i = 0; i < bindings->len; i++)
    {
      SipLocationBinding *binding = bindings->pdata[i];
      SipURI *uri = sipservlet_uri_parse (binding->contact_uri, NULL);
      if (uri == NULL || !sipservlet_uri_is_sip (uri))
        {
          example_debug ("skipping contact %s of %s: not a sip or sips URI", binding->contact_uri,
                         binding->aor);
          g_clear_pointer (&uri, sipservlet_uri_unref);
          continue;
        }
      Target *target = g_new0 (Target, 1);
      target->uri = uri;
      target->path = binding->path != NULL && binding->path[0] != NULL
        ? g_strdupv (binding->path) : NULL;
      target->q = binding->q < 0 ? 1.0 : binding->q;
      /* A binding with a Path is reached through its Path. */
      if (target->path == NULL)
        target->destination
            = registrar_binding_destination (app->registrar, binding, &target->tcp);
      g_ptr_array_add (targets, target);
    }
  return targets;
}

/* The Path of a binding becomes the Route set of its branch: pushed last
 * first, so that the first Path entry is the first hop (RFC 3327 §5.3).
 * An entry naming this proxy is left out. */
static void
push_path (ProxyApp *app, SipProxyBranch *branch, char **path)
{
  SipServletRequest *request = sipservlet_proxy_branch_get_request (branch);
  guint n = path != NULL ? g_strv_length (path) : 0;
  GError *error = NULL;

  for (guint i = n; i > 0; i--)
    {
      SipAddress *route = sipservlet_address_parse (path[i - 1], &error);
      if (route == NULL)
        {
          g_warning ("ignoring Path '%s': %s", path[i - 1], error->message);
          g_clear_error (&error);
          continue;
        }
      if (!is_self (app, sipservlet_address_get_uri (route))
          && !sipservlet_request_push_route (request, route, &error))
        {
          g_warning ("cannot route through Path '%s': %s", path[i - 1], error->message);
          g_clear_error (&error);
        }
      sipservlet_address_unref (route);
    }
}

/* Creates and starts the branches of the next q group (the contacts
 * that share the highest q left). Returns the number of branches started,
 * 0 when no target is left or the proxy refuses new branches. */
static guint
start_next_group (ProxyApp *app, SipProxy *proxy, Search *search)
{
  GError *error = NULL;
  guint created = 0;

  if (search->next < search->targets->len)
    {
      gdouble q = ((Target *) search->targets->pdata[search->next])->q;
      for (; search->next < search->targets->len; search->next++)
        {
          Target *target = search->targets->pdata[search->next];
          if (target->q != q)
            break;
          g_autoptr (SipProxyBranch) branch = sipservlet_proxy_create_branch (proxy, target->uri,
                                                                              &error);
          if (branch == NULL)
            {
              /* Only when the proxy has completed: no later target either. */
              char *uri = sipservlet_uri_to_string (target->uri);
              g_warning ("cannot proxy %s to %s: %s", search->aor, uri, error->message);
              g_free (uri);
              g_clear_error (&error);
              search->next = search->targets->len;
              break;
            }
          push_path (app, branch, target->path);
          if (target->destination != NULL
              && !sipservlet_request_set_destination (
                  sipservlet_proxy_branch_get_request (branch), target->destination,
                  target->tcp ? SIPSERVLET_DESTINATION_EXISTING_CONNECTION
                              : SIPSERVLET_DESTINATION_DEFAULT,
                  &error))
            {
              g_warning ("cannot send to %s: %s", target->destination, error->message);
              g_clear_error (&error);
            }
          created++;
          if (example_debug_enabled ())
            {
              char *uri = sipservlet_uri_to_string (target->uri);
              g_debug ("%s: branch to %s (q=%.3g%s%s)", search->aor, uri, q,
                       target->path != NULL ? ", routed by its Path" : "",
                       target->destination != NULL ? ", sent where it registered from" : "");
              g_free (uri);
            }
        }
    }
  if (created > 0 && !sipservlet_proxy_start (proxy, &error))
    {
      g_warning ("cannot start the branches for %s: %s", search->aor, error->message);
      g_error_free (error);
      return 0;
    }
  return created;
}

static void
route_to_aor (ProxyApp *app, SipServletRequest *request, const SipURI *request_uri)
{
  /* A request to proxy that may not take another hop gets 483 before any
   * lookup: whether the user exists is no business of a looping request
   * (RFC 3261 §16.3 step 3). */
  if (sipservlet_request_get_max_forwards (request) == 0)
    {
      example_respond (request, 483, NULL);
      return;
    }
  char *aor = registrar_aor_key (app->registrar, request_uri);
  GPtrArray *bindings = registrar_lookup (app->registrar, aor);
  GPtrArray *targets = targets_from_bindings (app, bindings);
  gboolean known = bindings->len > 0 || registrar_knows_aor (app->registrar, aor);

  g_ptr_array_unref (bindings);
  if (targets->len == 0)
    {
      example_debug ("%s %s: %s", method_of (request), aor,
                     known ? "no live contact: 480" : "unknown: 404");
      if (known)
        example_respond (request, 480, NULL);
      else
        example_respond (request, 404, NULL);
      g_ptr_array_unref (targets);
      g_free (aor);
      return;
    }

  SipProxy *proxy = setup_proxy (app, request);
  if (proxy == NULL)
    {
      g_ptr_array_unref (targets);
      g_free (aor);
      return;
    }
  Search *search = g_new0 (Search, 1);
  search->targets = targets;
  search->aor = aor;
  sipservlet_message_set_attribute (SIPSERVLET_MESSAGE (request), SEARCH_ATTRIBUTE, search,
                                    search_free);
  if (start_next_group (app, proxy, search) == 0)
    {
      /* Nothing started: the proxy cannot answer; answer ourselves. */
      example_respond (request, 500, "Cannot Proxy");
    }
}

static void
route_foreign (ProxyApp *app, SipServletRequest *request, const SipURI *request_uri)
{
  GError *error = NULL;

  if (!app->foreign_allow)
    {
      example_debug ("%s for a foreign domain: 403", method_of (request));
      example_respond (request, 403, "Relaying Denied");
      return;
    }
  SipProxy *proxy = setup_proxy (app, request);
  if (proxy == NULL)
    return;
  if (method_is (request, "REGISTER")
      && sipservlet_message_has_option_tag (SIPSERVLET_MESSAGE (request), "Supported", "path")
      && !sipservlet_proxy_set_add_to_path (proxy, TRUE, &error))
    {
      g_warning ("cannot add a Path: %s", error->message);
      g_clear_error (&error);
    }
  if (example_debug_enabled ())
    {
      char *uri = sipservlet_uri_to_string (request_uri);
      g_debug ("%s for a foreign domain: proxied to %s", method_of (request), uri);
      g_free (uri);
    }
  if (!sipservlet_proxy_to (proxy, request_uri, &error))
    {
      g_warning ("cannot proxy %s: %s", method_of (request), error->message);
      g_error_free (error);
      example_respond (request, 500, "Cannot Proxy");
    }
}

/* ---- the servlet -------------------------------------------------------------- */

static void
on_subsequent (SipServletRequest *request)
{
  if (example_debug_enabled ())
    {
      const SipURI *popped = sipservlet_request_get_popped_route (request);
      char *route = popped != NULL ? sipservlet_uri_to_string (popped) : NULL;
      g_debug ("%s in dialog %s (route %s)", method_of (request),
               sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)),
               route != NULL ? route : "none");
      g_free (route);
    }
  /* A dialog we proxy: the container forwards the request when we return.
   * Otherwise it is a dialog of a request we answered ourselves. */
  if (sipservlet_request_get_proxy (request, NULL) == NULL)
    example_respond (request, 481, NULL);
}

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  ProxyApp *app = user_data;

  /* CANCEL is a notification (the container answered it and cancels the
   * branches); ACK is never answered. */
  if (method_is (request, "CANCEL") || method_is (request, "ACK"))
    {
      example_debug ("%s for %s", method_of (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
      return;
    }
  if (!sipservlet_request_is_initial (request))
    {
      on_subsequent (request);
      return;
    }
  /* Parsed only here: requests inside a dialog follow their route. */
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  if (request_uri == NULL || !sipservlet_uri_is_sip (request_uri))
    {
      example_respond (request, 416, NULL);
      return;
    }
  if (!is_ours (request_uri, app))
    {
      route_foreign (app, request, request_uri);
      return;
    }
  if (method_is (request, "REGISTER"))
    {
      registrar_handle_register (app->registrar, request);
      return;
    }
  if (sipservlet_uri_get_user (request_uri) == NULL && is_self (app, request_uri)
      && method_is (request, "OPTIONS"))
    {
      answer_options (request);
      return;
    }
  route_to_aor (app, request, request_uri);
}

static void
on_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  ProxyApp *app = user_data;
  guint status = sipservlet_response_get_status (response);
  SipProxyBranch *branch = sipservlet_response_get_proxy_branch (response);

  example_debug ("%u %s from a branch for %s", status,
                 sipservlet_message_get_method (SIPSERVLET_MESSAGE (response)),
                 sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (response)));
  /* Only the best final response decides whether to try the next group. */
  if (branch == NULL || status < 300 || status >= 600
      || sipservlet_response_is_branch_response (response))
    return;
  SipProxy *proxy = sipservlet_proxy_branch_get_proxy (branch);
  SipServletRequest *original = sipservlet_proxy_get_original_request (proxy);
  Search *search = sipservlet_message_get_attribute (SIPSERVLET_MESSAGE (original),
                                                     SEARCH_ATTRIBUTE);
  if (search == NULL || search->next >= search->targets->len
      || sipservlet_request_is_cancelled (original))
    return;
  example_debug ("%s: best response %u, trying the next group", search->aor, status);
  start_next_group (app, proxy, search);
}

/* An intermediate final response of one branch: the best one comes later
 * through on_response(). */
static void
on_branch_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  example_debug ("%u %s from a branch for %s (branch response)", sipservlet_response_get_status (response),
                 sipservlet_message_get_method (SIPSERVLET_MESSAGE (response)),
                 sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (response)));
}

static const SipServletHandlers proxy_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_request = on_request,
  .do_response = on_response,
  .do_branch_response = on_branch_response,
};

/* ---- options and deployment ------------------------------------------------------ */

void
proxy_options_init (ProxyOptions *options)
{
  registrar_options_init (&options->registrar);
  options->record_route = NULL;
  options->foreign = NULL;
  options->branch_timeout = 0;
}

GOptionEntry *
proxy_option_entries (ProxyOptions *options)
{
  GOptionEntry entries[] = {
    { "record-route", 0, 0, G_OPTION_ARG_STRING, &options->record_route,
      "Stay on the path of the dialogs we proxy (default on)", "on|off" },
    { "foreign", 0, 0, G_OPTION_ARG_STRING, &options->foreign,
      "Proxy requests for other domains to their Request-URI, or refuse them "
      "with 403 (default allow)", "allow|deny" },
    { "branch-timeout", 0, 0, G_OPTION_ARG_INT, &options->branch_timeout,
      "How long a branch may ring before it is cancelled and the next q group "
      "tried (1..3600, default 180)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
proxy_options_clear (ProxyOptions *options)
{
  registrar_options_clear (&options->registrar);
  g_clear_pointer (&options->record_route, g_free);
  g_clear_pointer (&options->foreign, g_free);
}

static gboolean
parse_choice (const char *option, const char *value, const char *yes, const char *no,
              gboolean *result, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (value, yes) == 0)
    *result = TRUE;
  else if (g_ascii_strcasecmp (value, no) == 0)
    *result = FALSE;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--%s expects %s or %s, got '%s'", option, yes, no, value);
      return FALSE;
    }
  return TRUE;
}

ProxyApp *
proxy_app_new (const ProxyOptions *options, GError **error)
{
  gboolean record_route = TRUE, foreign_allow = TRUE;
  gint branch_timeout = options->branch_timeout;

  if (!parse_choice ("record-route", options->record_route, "on", "off", &record_route, error)
      || !parse_choice ("foreign", options->foreign, "allow", "deny", &foreign_allow, error))
    return NULL;
  if (branch_timeout != 0 && (branch_timeout < 1 || branch_timeout > 3600))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--branch-timeout must be between 1 and 3600, got %d", branch_timeout);
      return NULL;
    }
  Registrar *registrar = registrar_new (&options->registrar, error);
  if (registrar == NULL)
    return NULL;
  ProxyApp *app = g_new0 (ProxyApp, 1);
  app->registrar = registrar;
  app->record_route = record_route;
  app->foreign_allow = foreign_allow;
  app->branch_timeout = (guint) branch_timeout;
  registrar_set_track_aors (app->registrar, TRUE);
  registrar_set_domain_func (app->registrar, is_ours, app);
  return app;
}

void
proxy_app_free (ProxyApp *app)
{
  if (app == NULL)
    return;
  registrar_unref (app->registrar);
  g_free (app);
}

gboolean
proxy_app_deploy (ProxyApp *app, SipContainer *container, ExampleInstall how, GError **error)
{
  Registrar *registrar = app->registrar;

  app->container = container;
  registrar_set_container (registrar, container);
  /* The servlet owns the application state from here. */
  SipServlet *servlet = sipservlet_servlet_new ("proxy", &proxy_handlers, app,
                                                (GDestroyNotify) proxy_app_free);
  if (!example_install_servlet (container, how, "proxy", NULL, servlet, NULL, NULL, NULL, error))
    return FALSE;
  registrar_start_purge (registrar);
  return TRUE;
}
