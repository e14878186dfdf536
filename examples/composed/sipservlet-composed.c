/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-composed: small applications composed by the default
 * application router (JSR 289 chapter 15), on libsipservlet's public API.
 *
 *   sipservlet-composed --dar FILE [--deny URI]... [--forward USER=URI]...
 *                       [--domain DOMAIN]... [the registrar's and the
 *                       shared example options: --listen, --auth-file ...]
 *
 * Each application is its own SipApplication with its own servlet; none
 * knows the others. The DAR file (--dar, required; dar.properties next to
 * this file is an example) says which of them an initial request visits,
 * in which order and in which region. When an application proxies a
 * request, the container asks the router again and the request visits
 * the next application inside the process; when the router names no
 * more, it leaves, with one Via of ours and one Record-Route per
 * record-routing application. Requests inside a dialog go through the
 * record-routing applications again, in order; the applications only look
 * at them (debug log) and the container forwards them.
 *
 *   registrar       REGISTER: the registrar of examples/common (the code
 *                   and options of sipservlet-registrar: --domain,
 *                   --min-expires ...) on an in-memory location service.
 *   call-blocking   an initial request whose From URI is a --deny URI
 *                   (compared as RFC 3261 compares URIs) is answered
 *                   403 "Blocked"; any other one gets the header
 *                   "X-Blocking: passed" and is proxied on to its current
 *                   Request-URI.
 *   call-forwarding an initial request whose Request-URI user is the USER
 *                   of a --forward USER=URI is retargeted: proxied to URI,
 *                   with "X-Forwarding: USER"; any other one is proxied on
 *                   unchanged, with "X-Forwarding: none".
 *   location        a Request-URI of one of our domains (a --domain value,
 *                   or this server's own address) is looked up: 404 when
 *                   its address-of-record never had a binding since the
 *                   program started, 480 when it has no live one, else the
 *                   request is proxied to all its contacts in parallel
 *                   (through their Path, or to the address they registered
 *                   from behind NAT, as sipservlet-proxy does; that one
 *                   also tries q groups in turn). Another Request-URI is
 *                   proxied to as it is.
 *   b2bua           (only when a DAR file names it; dar.properties does
 *                   not) a topology-hiding back-to-back user agent: an
 *                   initial INVITE is answered as a UAS and placed again
 *                   as a new call leg (sipservlet_b2bua_create_request(),
 *                   linked: new Call-ID, From tag, Via and Contact) to the
 *                   same Request-URI, with "X-B2bua: leg"; the router is
 *                   asked again for that leg (it continues the original),
 *                   so it visits the next application. Responses are
 *                   relayed back (a 2xx is acknowledged at once, its body
 *                   copied), a BYE from either side is sent on the other
 *                   leg and its answer relayed, a CANCEL cancels the other
 *                   leg; a re-INVITE is refused 501.
 *
 * The marks say what the router gave the application that added them:
 * its value, then ";region=" the routing region (originating,
 * terminating or neutral) and ";subscriber=" the subscriber URI, quoted,
 * left out when the router named none, e.g.
 *   X-Blocking: passed;region=originating;subscriber="sip:alice@example.com"
 *   X-Forwarding: bob;region=terminating;subscriber="sip:bob@example.com"
 *
 * The three proxying applications record-route the requests that create
 * dialogs (INVITE, SUBSCRIBE, REFER); the b2bua ends the dialogs. A request that reaches an
 * application with Max-Forwards 0 is answered 483 by the container.
 * A request the DAR sends to no application goes to the container's
 * (empty) implicit application: 404 when it is addressed to this server
 * without a Route, else it is sent on to its Request-URI (JSR 289); turn
 * authentication on (--auth-file) on a network, so that nothing is
 * relayed between two foreign domains.
 *
 * SIGHUP re-reads the DAR file (and the --auth-file credentials): the log
 * says "DAR reloaded", or gives the error with its file and line, in
 * which case the previous rules stay. A DAR file that does not load at
 * start is an error (exit status 1); bad options exit with status 2.
 * SIGINT or SIGTERM stop the server cleanly (exit status 0).
 */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "example-main.h"
#include "registrar-servlet.h"

typedef struct {
  SipContainer *container;      /* not owned */
  Registrar *registrar;
  char *dar_path;
  GPtrArray *denied;            /* of SipURI: --deny */
  GHashTable *forwards;         /* user -> SipURI: --forward */
  SipB2buaHelper *b2bua;        /* the container's, from b2bua's first INVITE */
} Composed;

/* ---- shared by the proxying applications ------------------------------- */

static const char *
method_of (SipServletRequest *request)
{
  return sipservlet_message_get_method (SIPSERVLET_MESSAGE (request));
}

static gboolean
creates_dialog (SipServletRequest *request)
{
  const char *method = method_of (request);
  return g_str_equal (method, "INVITE") || g_str_equal (method, "SUBSCRIBE")
         || g_str_equal (method, "REFER");
}

/* TRUE for what an application only looks at: ACK and CANCEL (nothing to
 * answer) and the requests inside a dialog it record-routed (the
 * container forwards them when the handler returns). */
static gboolean
passes_by (const char *application, SipServletRequest *request)
{
  if (sipservlet_request_is_initial (request) && !g_str_equal (method_of (request), "ACK")
      && !g_str_equal (method_of (request), "CANCEL"))
    return FALSE;
  example_debug ("%s: %s %s passes by", application, method_of (request),
                 sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
  return TRUE;
}

/* Gets the proxy of @request, record-routing the requests that create
 * dialogs; NULL when the container refused (it answered a request with
 * Max-Forwards 0 with 483 itself). */
static SipProxy *
proxy_of (const char *application, SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;
  SipProxy *proxy = sipservlet_request_get_proxy (request, &error);

  if (proxy == NULL)
    {
      example_debug ("%s: cannot proxy %s %s: %s", application, method_of (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), error->message);
      return NULL;
    }
  if (creates_dialog (request) && !sipservlet_proxy_set_record_route (proxy, TRUE, &error))
    g_warning ("%s: cannot record-route: %s", application, error->message);
  return proxy;
}

static const char *
region_name (SipRoutingRegion region)
{
  switch (region)
    {
    case SIPSERVLET_REGION_ORIGINATING:
      return "originating";
    case SIPSERVLET_REGION_TERMINATING:
      return "terminating";
    case SIPSERVLET_REGION_NEUTRAL:
    default:
      return "neutral";
    }
}

/* "VALUE;region=REGION;subscriber="URI"": what the router told the
 * application that got @request (the subscriber left out when it named
 * none). */
static char *
mark_with_routing (SipServletRequest *request, const char *value)
{
  const SipURI *subscriber = sipservlet_request_get_subscriber_uri (request);
  const char *region = region_name (sipservlet_request_get_routing_region (request));
  g_autofree char *uri = subscriber != NULL ? sipservlet_uri_to_string (subscriber) : NULL;

  if (uri == NULL)
    return g_strdup_printf ("%s;region=%s", value, region);
  return g_strdup_printf ("%s;region=%s;subscriber=\"%s\"", value, region, uri);
}

/* Adds "NAME: VALUE;region=...;subscriber=..." to @request, then proxies
 * it to @target (the next application, or out when there is none). */
static void
proxy_marked (const char *application, SipServletRequest *request, const SipURI *target,
              const char *name, const char *mark)
{
  g_autoptr (GError) error = NULL;
  SipProxy *proxy = proxy_of (application, request);
  g_autofree char *value = NULL;

  if (proxy == NULL)
    return;
  value = mark_with_routing (request, mark);
  if (!sipservlet_message_add_header (SIPSERVLET_MESSAGE (request), name, value, &error))
    {
      g_warning ("%s: cannot add %s: %s", application, name, error->message);
      g_clear_error (&error);
    }
  if (example_debug_enabled ())
    {
      g_autofree char *uri = sipservlet_uri_to_string (target);
      g_debug ("%s: %s %s proxied to %s (%s: %s)", application, method_of (request),
               sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), uri, name, value);
    }
  if (!sipservlet_proxy_to (proxy, target, &error))
    {
      g_warning ("%s: cannot proxy %s: %s", application, method_of (request), error->message);
      example_respond (request, 500, "Cannot Proxy");
    }
}

/* ---- call-blocking ------------------------------------------------------ */

static gboolean
is_denied (Composed *composed, SipServletRequest *request)
{
  g_autoptr (SipAddress) from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (request));
  const SipURI *caller = from != NULL ? sipservlet_address_get_uri (from) : NULL;

  for (guint i = 0; caller != NULL && i < composed->denied->len; i++)
    if (sipservlet_uri_equal (caller, composed->denied->pdata[i]))
      return TRUE;
  return FALSE;
}

static void
on_blocking (SipServletRequest *request, gpointer user_data)
{
  Composed *composed = user_data;

  if (passes_by ("call-blocking", request))
    return;
  if (is_denied (composed, request))
    {
      example_debug ("call-blocking: %s %s from a denied caller: 403", method_of (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
      example_respond (request, 403, "Blocked");
      return;
    }
  proxy_marked ("call-blocking", request, sipservlet_request_get_request_uri (request),
                "X-Blocking", "passed");
}

/* ---- call-forwarding ---------------------------------------------------- */

static void
on_forwarding (SipServletRequest *request, gpointer user_data)
{
  Composed *composed = user_data;

  if (passes_by ("call-forwarding", request))
    return;
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  const char *user
      = sipservlet_uri_is_sip (request_uri) ? sipservlet_uri_get_user (request_uri) : NULL;
  const SipURI *target = user != NULL ? g_hash_table_lookup (composed->forwards, user) : NULL;

  if (target != NULL)
    proxy_marked ("call-forwarding", request, target, "X-Forwarding", user);
  else
    proxy_marked ("call-forwarding", request, request_uri, "X-Forwarding", "none");
}

/* ---- location ----------------------------------------------------------- */

/* Our domains: the --domain values (registrar_set_container() made them
 * the container's) and the server's own addresses. */
static gboolean
is_ours (const SipURI *uri, gpointer user_data)
{
  Composed *composed = user_data;
  return sipservlet_container_is_our_domain (composed->container, uri);
}

/* The Path of a binding becomes its branch's Route set, the first Path
 * entry the first hop (RFC 3327 §5.3); entries naming us are left out. */
static void
push_path (Composed *composed, SipServletRequest *branch_request, char **path)
{
  for (guint i = path != NULL ? g_strv_length (path) : 0; i > 0; i--)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SipAddress) route = sipservlet_address_parse (path[i - 1], &error);
      if (route == NULL)
        g_warning ("location: ignoring Path '%s': %s", path[i - 1], error->message);
      else if (!sipservlet_container_is_self (composed->container,
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
add_branch (Composed *composed, SipProxy *proxy, const SipLocationBinding *binding,
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
    push_path (composed, branch_request, binding->path);
  else
    {
      gboolean connection = FALSE;
      g_autofree char *destination
          = registrar_binding_destination (composed->registrar, binding, &connection);
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
route_to_contacts (Composed *composed, SipServletRequest *request, const SipURI *request_uri)
{
  /* Whether the user exists is no business of a looping request: 483
   * before the lookup (RFC 3261 §16.3 step 3). */
  if (sipservlet_request_get_max_forwards (request) == 0)
    {
      example_respond (request, 483, NULL);
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *aor = registrar_aor_key (composed->registrar, request_uri);
  g_autoptr (GPtrArray) bindings = registrar_lookup (composed->registrar, aor);
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
      gboolean known = bindings->len > 0 || registrar_knows_aor (composed->registrar, aor);
      example_debug ("location: %s %s: %s", method_of (request), aor,
                     known ? "no live contact: 480" : "unknown: 404");
      example_respond (request, known ? 480 : 404, NULL);
      return;
    }
  SipProxy *proxy = proxy_of ("location", request);
  if (proxy == NULL)
    return;
  for (guint i = 0; i < bindings->len; i++)
    if (contacts->pdata[i] != NULL)
      add_branch (composed, proxy, bindings->pdata[i], contacts->pdata[i]);
  if (!sipservlet_proxy_start (proxy, &error))
    {
      g_warning ("location: cannot start the branches for %s: %s", aor, error->message);
      example_respond (request, 500, "Cannot Proxy");
    }
}

static void
on_location (SipServletRequest *request, gpointer user_data)
{
  Composed *composed = user_data;

  if (passes_by ("location", request))
    return;
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  if (!sipservlet_uri_is_sip (request_uri))
    example_respond (request, 416, NULL);
  else if (is_ours (request_uri, composed))
    route_to_contacts (composed, request, request_uri);
  else
    {
      /* Not ours: on to its Request-URI, as a proxy of the caller's
       * domain would send it. */
      SipProxy *proxy = proxy_of ("location", request);
      g_autoptr (GError) error = NULL;
      if (proxy != NULL && example_debug_enabled ())
        {
          g_autofree char *uri = sipservlet_uri_to_string (request_uri);
          g_debug ("location: %s %s: not our domain, proxied to %s", method_of (request),
                   sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)), uri);
        }
      if (proxy != NULL && !sipservlet_proxy_to (proxy, request_uri, &error))
        {
          g_warning ("location: cannot proxy %s: %s", method_of (request), error->message);
          example_respond (request, 500, "Cannot Proxy");
        }
    }
}

/* ---- b2bua ------------------------------------------------------------- */

static SipSession *
session_of (gpointer message)
{
  return sipservlet_message_get_session (SIPSERVLET_MESSAGE (message));
}

static void
b2bua_send (SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;

  if (!sipservlet_request_send (request, &error))
    g_warning ("b2bua: cannot send %s: %s", method_of (request), error->message);
  sipservlet_request_unref (request);
}

/* The container's helper (one for all the calls), kept for the responses. */
static SipB2buaHelper *
b2bua_helper (Composed *composed, SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;

  if (composed->b2bua == NULL)
    composed->b2bua = sipservlet_request_get_b2bua_helper (request, &error);
  else if (sipservlet_request_get_b2bua_helper (request, &error) == NULL)
    {
      g_warning ("b2bua: no helper for %s: %s", method_of (request), error->message);
      return NULL;
    }
  if (composed->b2bua == NULL)
    g_warning ("b2bua: no helper: %s", error->message);
  return composed->b2bua;
}

/* An initial INVITE: the other leg, linked, to the same Request-URI; the
 * router is asked again, so it visits the next application. */
static void
b2bua_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  static const char *const mark[] = { "X-B2bua", "leg", NULL };
  g_autoptr (GError) error = NULL;
  SipB2buaHelper *helper;
  SipServletRequest *out;

  if (!sipservlet_request_is_initial (request))
    {
      /* Only the call itself is relayed here. */
      example_respond (request, 501, "Not Relayed");
      return;
    }
  helper = b2bua_helper (user_data, request);
  if (helper == NULL)
    {
      example_respond (request, 500, "No B2BUA Helper");
      return;
    }
  out = sipservlet_b2bua_create_request (helper, request, TRUE, mark, &error);
  if (out == NULL)
    {
      /* With Max-Forwards 0 the container answered 483 itself. */
      example_debug ("b2bua: cannot place the other leg of %s: %s",
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)),
                     error->message);
      if (!sipservlet_message_is_committed (SIPSERVLET_MESSAGE (request)))
        example_respond (request, 500, "Cannot Place The Call");
      return;
    }
  example_debug ("b2bua: INVITE %s: other leg %s", sipservlet_message_get_call_id (
                     SIPSERVLET_MESSAGE (request)),
                 sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (out)));
  sipservlet_request_defer (request);
  b2bua_send (out);
}

static void
b2bua_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  /* The other leg's 2xx was acknowledged when it came (b2bua_response). */
}

/* A BYE from either side: the same on the other leg; its answer is
 * relayed back (b2bua_response). */
static void
b2bua_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  SipB2buaHelper *helper = b2bua_helper (user_data, request);
  SipSession *peer = helper != NULL
                         ? sipservlet_b2bua_get_linked_session (helper, session_of (request))
                         : NULL;
  SipServletRequest *out
      = peer != NULL ? sipservlet_b2bua_create_request_for_session (helper, peer, request, NULL,
                                                                      &error)
                     : NULL;

  if (out == NULL)
    {
      example_debug ("b2bua: BYE %s: no other leg to hang up%s%s",
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)),
                     error != NULL ? ": " : "", error != NULL ? error->message : "");
      example_respond (request, 200, NULL);
      return;
    }
  sipservlet_request_defer (request);
  b2bua_send (out);
}

/* The caller gave up: the container answered its CANCEL and INVITE; the
 * other leg is cancelled in turn unless it was answered already. */
static void
b2bua_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  Composed *composed = user_data;
  g_autoptr (GError) error = NULL;
  SipSession *peer = composed->b2bua != NULL
                         ? sipservlet_b2bua_get_linked_session (composed->b2bua,
                                                                session_of (request))
                         : NULL;
  SipServletRequest *cancel
      = peer != NULL ? sipservlet_b2bua_create_cancel (composed->b2bua, peer, &error) : NULL;

  if (cancel != NULL)
    b2bua_send (cancel);
  else
    example_debug ("b2bua: CANCEL %s: nothing to cancel on the other leg%s%s",
                   sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)),
                   error != NULL ? ": " : "", error != NULL ? error->message : "");
}

/* An answer on the other leg: a 2xx to the INVITE is acknowledged and
 * relayed (with its body); any other answer is relayed while the request
 * it answers waits. */
static void
b2bua_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  Composed *composed = user_data;
  g_autoptr (GError) error = NULL;
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  SipServletRequest *request = sipservlet_response_get_request (response);
  guint status = sipservlet_response_get_status (response);

  if (composed->b2bua == NULL)
    return;
  SipServletRequest *original = sipservlet_b2bua_get_linked_request (composed->b2bua, request);
  if (g_str_equal (sipservlet_message_get_method (message), "INVITE") && status >= 200
      && status < 300)
    {
      SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
      if (ack != NULL)
        b2bua_send (ack);
      else
        {
          g_warning ("b2bua: cannot acknowledge %u: %s", status, error->message);
          g_clear_error (&error);
        }
      SipSession *in = sipservlet_b2bua_get_linked_session (composed->b2bua,
                                                            session_of (request));
      g_autoptr (SipServletResponse) relayed
          = in != NULL ? sipservlet_b2bua_create_response_to_original_request (
                             composed->b2bua, in, status, NULL, &error)
                       : NULL;
      gsize length = 0;
      gconstpointer body = sipservlet_message_get_content (message, &length);
      if (relayed == NULL)
        g_warning ("b2bua: cannot relay %u: %s", status,
                   error != NULL ? error->message : "no linked session");
      else if (body != NULL
               && !sipservlet_message_set_content (SIPSERVLET_MESSAGE (relayed), body,
                                                   (gssize) length,
                                                   sipservlet_message_get_content_type (message),
                                                   &error))
        g_warning ("b2bua: cannot copy the body of %u: %s", status, error->message);
      else if (!sipservlet_response_send (relayed, &error))
        g_warning ("b2bua: cannot relay %u: %s", status, error->message);
      return;
    }
  if (status > 100 && original != NULL
      && !sipservlet_message_is_committed (SIPSERVLET_MESSAGE (original))
      && !sipservlet_request_is_cancelled (original)
      && !sipservlet_request_respond (original, status, NULL, &error))
    g_warning ("b2bua: cannot relay %u: %s", status, error->message);
}

static const SipServletHandlers b2bua_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = b2bua_invite,
  .do_ack = b2bua_ack,
  .do_bye = b2bua_bye,
  .do_cancel = b2bua_cancel,
  .do_response = b2bua_response,
};

/* ---- the applications and the router ------------------------------------- */

/* Deploys an application named @name whose main servlet is @servlet
 * (taken). */
static gboolean
deploy (SipContainer *container, const char *name, const char *servlet_name, SipServlet *servlet,
        GError **error)
{
  g_autoptr (SipApplication) app = sipservlet_application_new (name, error);
  gboolean ok = app != NULL && sipservlet_application_add_servlet (app, servlet, error)
                && sipservlet_application_set_main_servlet (app, servlet_name, error)
                && sipservlet_container_deploy (container, app, error);

  sipservlet_servlet_unref (servlet);
  if (!ok)
    g_prefix_error (error, "application %s: ", name);
  return ok;
}

static gboolean
deploy_all (Composed *composed, GError **error)
{
  return deploy (composed->container, "registrar", "registrar",
                 registrar_servlet_new (composed->registrar), error)
         && deploy (composed->container, "call-blocking", "blocking",
                    sipservlet_servlet_new_with_callback ("blocking", on_blocking, composed, NULL),
                    error)
         && deploy (composed->container, "call-forwarding", "forwarding",
                    sipservlet_servlet_new_with_callback ("forwarding", on_forwarding, composed,
                                                          NULL),
                    error)
         && deploy (composed->container, "location", "location",
                    sipservlet_servlet_new_with_callback ("location", on_location, composed, NULL),
                    error)
         && deploy (composed->container, "b2bua", "b2bua",
                    sipservlet_servlet_new ("b2bua", &b2bua_handlers, composed, NULL), error);
}

/* SIGHUP: the DAR file again; on error the rules in use stay. */
static void
reload_dar (gpointer data)
{
  Composed *composed = data;
  g_autoptr (GError) error = NULL;

  if (sipservlet_container_reload_application_router (composed->container, &error))
    g_message ("SIGHUP: DAR reloaded from %s", composed->dar_path);
  else
    g_warning ("SIGHUP: DAR not reloaded, the previous rules stay: %s", error->message);
}

/* ---- options ------------------------------------------------------------ */

static void
composed_clear (Composed *composed)
{
  g_clear_pointer (&composed->registrar, registrar_free);
  g_clear_pointer (&composed->dar_path, g_free);
  g_clear_pointer (&composed->denied, g_ptr_array_unref);
  g_clear_pointer (&composed->forwards, g_hash_table_unref);
}

/* A sip or sips URI of an option, or NULL after printing why not. */
static SipURI *
parse_sip_uri (const char *option, const char *text)
{
  g_autoptr (GError) error = NULL;
  SipURI *uri = sipservlet_uri_parse (text, &error);

  if (uri != NULL && sipservlet_uri_is_sip (uri))
    return uri;
  g_printerr ("error: --%s %s: %s\n", option, text,
              uri == NULL ? error->message : "not a sip or sips URI");
  g_clear_pointer (&uri, sipservlet_uri_unref);
  return NULL;
}

/* --deny and --forward into @composed; FALSE after printing the error. */
static gboolean
parse_lists (Composed *composed, char **deny, char **forward)
{
  composed->denied = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_uri_unref);
  composed->forwards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) sipservlet_uri_unref);
  for (char **d = deny; d != NULL && *d != NULL; d++)
    {
      SipURI *uri = parse_sip_uri ("deny", *d);
      if (uri == NULL)
        return FALSE;
      g_ptr_array_add (composed->denied, uri);
    }
  for (char **f = forward; f != NULL && *f != NULL; f++)
    {
      const char *equal = strchr (*f, '=');
      if (equal == NULL || equal == *f)
        {
          g_printerr ("error: --forward expects USER=URI, got '%s'\n", *f);
          return FALSE;
        }
      g_autofree char *user = g_strndup (*f, (gsize) (equal - *f));
      if (g_hash_table_contains (composed->forwards, user))
        {
          g_printerr ("error: --forward: user '%s' given twice\n", user);
          return FALSE;
        }
      SipURI *uri = parse_sip_uri ("forward", equal + 1);
      if (uri == NULL)
        return FALSE;
      g_hash_table_insert (composed->forwards, g_steal_pointer (&user), uri);
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  RegistrarOptions registrar_options;
  Composed composed = { 0 };
  char **deny = NULL, **forward = NULL;
  GOptionEntry entries[] = {
    { "dar", 0, 0, G_OPTION_ARG_FILENAME, &composed.dar_path,
      "The Default Application Router file that composes the applications "
      "(required; SIGHUP re-reads it)", "FILE" },
    { "deny", 0, 0, G_OPTION_ARG_STRING_ARRAY, &deny,
      "call-blocking: refuse requests from this From URI with 403 (repeatable)", "URI" },
    { "forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &forward,
      "call-forwarding: retarget requests for USER (the Request-URI's user) to URI "
      "(repeatable)", "USER=URI" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context = g_option_context_new (
      "- registrar, call blocking, call forwarding and location, composed by a DAR file");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *registrar_entries = NULL;
  GError *error = NULL;
  int status = 2;

  registrar_options_init (&registrar_options);
  registrar_entries = registrar_option_entries (&registrar_options);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, registrar_entries, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_clear_error (&error);
      goto out;
    }
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto out;
    }
  if (composed.dar_path == NULL)
    {
      g_printerr ("error: --dar FILE is required: it composes the applications\n");
      goto out;
    }
  if (!parse_lists (&composed, deny, forward))
    goto out;
  composed.registrar = registrar_new (&registrar_options);
  if (composed.registrar == NULL)
    goto out;
  registrar_set_track_aors (composed.registrar, TRUE);
  registrar_set_domain_func (composed.registrar, is_ours, &composed);
  /* The realm of --auth-file's challenges, unless --realm names one. */
  if (registrar_options.domains != NULL)
    options.default_realm = g_strdup (registrar_options.domains[0]);

  status = 1;
  SipContainer *container = example_container_new (&options);
  if (container == NULL)
    goto out;
  composed.container = container;
  registrar_set_container (composed.registrar, container);
  /* The applications first: the router is told of the deployed ones. */
  if (!deploy_all (&composed, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_clear_error (&error);
      sipservlet_container_unref (container);
      goto out;
    }
  if (!sipservlet_container_set_dar_file (container, composed.dar_path, &error))
    {
      /* The message names the file (and the line of a parse error). */
      g_printerr ("error: --dar: %s\n", error->message);
      g_clear_error (&error);
      sipservlet_container_unref (container);
      goto out;
    }
  example_set_reload_func (reload_dar, &composed);
  registrar_start_purge (composed.registrar);
  status = example_run (container);
  example_set_reload_func (NULL, NULL);

out:
  g_option_context_free (context);
  g_free (common);
  g_free (registrar_entries);
  g_strfreev (deny);
  g_strfreev (forward);
  registrar_options_clear (&registrar_options);
  example_options_clear (&options);
  composed_clear (&composed);
  return status;
}
