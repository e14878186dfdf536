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

#include "call-blocking.h"
#include "call-forwarding.h"
#include "example-app.h"
#include "example-main.h"
#include "location-servlet.h"
#include "proxying.h"
#include "registrar-servlet.h"

typedef struct {
  SipContainer *container;      /* not owned */
  char *dar_path;
  SipB2buaHelper *b2bua;        /* the container's, from b2bua's first INVITE */
} Composed;

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
    g_warning ("b2bua: cannot send %s: %s", proxying_method (request), error->message);
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
      g_warning ("b2bua: no helper for %s: %s", proxying_method (request), error->message);
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

/* The servlets of the applications that need no container yet, built
 * before it: a bad --deny or --forward is a usage error. */
typedef struct {
  SipServlet *blocking;
  SipServlet *forwarding;
} Servlets;

static void
servlets_clear (Servlets *servlets)
{
  g_clear_pointer (&servlets->blocking, sipservlet_servlet_unref);
  g_clear_pointer (&servlets->forwarding, sipservlet_servlet_unref);
}

/* Deploys an application named @name whose main servlet is @servlet
 * (taken). */
static gboolean
deploy (SipContainer *container, const char *name, SipServlet *servlet, GError **error)
{
  return example_install_servlet (container, EXAMPLE_INSTALL_APPLICATION, name, NULL, servlet,
                                  NULL, NULL, NULL, error);
}

/* The applications, in their order; the registrar's two servlets share it. */
static gboolean
deploy_all (Composed *composed, Registrar *registrar, Servlets *servlets, GError **error)
{
  SipContainer *container = composed->container;

  return deploy (container, "registrar", registrar_servlet_new (registrar), error)
         && deploy (container, "call-blocking", g_steal_pointer (&servlets->blocking), error)
         && deploy (container, "call-forwarding", g_steal_pointer (&servlets->forwarding), error)
         && deploy (container, "location", location_servlet_new (registrar, container), error)
         && deploy (container, "b2bua",
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

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  RegistrarOptions registrar_options;
  CallBlockingOptions blocking = { NULL };
  CallForwardingOptions forwarding = { NULL };
  Composed composed = { 0 };
  Registrar *registrar = NULL;
  Servlets servlets = { NULL, NULL };
  GOptionEntry entries[] = {
    { "dar", 0, 0, G_OPTION_ARG_FILENAME, &composed.dar_path,
      "The Default Application Router file that composes the applications "
      "(required; SIGHUP re-reads it)", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context = g_option_context_new (
      "- registrar, call blocking, call forwarding and location, composed by a DAR file");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *registrar_entries = NULL;
  GOptionEntry *blocking_entries = call_blocking_option_entries (&blocking);
  GOptionEntry *forwarding_entries = call_forwarding_option_entries (&forwarding);
  GError *error = NULL;
  int status = 2;

  registrar_options_init (&registrar_options);
  registrar_entries = registrar_option_entries (&registrar_options);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, registrar_entries, NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, blocking_entries, NULL);
  g_option_context_add_main_entries (context, forwarding_entries, NULL);
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
  servlets.blocking = call_blocking_servlet_new (&blocking, "--deny", &error);
  servlets.forwarding
      = servlets.blocking != NULL
            ? call_forwarding_servlet_new (&forwarding, "--forward", &error)
            : NULL;
  if (servlets.forwarding != NULL)
    registrar = registrar_new (&registrar_options, &error);
  if (registrar == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      g_clear_error (&error);
      goto out;
    }
  registrar_set_track_aors (registrar, TRUE);
  /* The realm of --auth-file's challenges, unless --realm names one. */
  if (registrar_options.domains != NULL)
    options.default_realm = g_strdup (registrar_options.domains[0]);

  SipContainer *container = example_container_new (&options);
  if (container == NULL)
    {
      status = 1;
      goto out;
    }
  composed.container = container;
  registrar_set_container (registrar, container);
  /* Our domains: the --domain values (registrar_set_container() made them
   * the container's) and the server's own addresses. */
  registrar_serve_container_domains (registrar);
  /* The applications first: the router is told of the deployed ones. */
  status = 1;
  if (!deploy_all (&composed, registrar, &servlets, &error))
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
  registrar_start_purge (registrar);
  g_clear_pointer (&registrar, registrar_unref);
  status = example_run (container);
  example_set_reload_func (NULL, NULL);

out:
  g_option_context_free (context);
  g_free (common);
  g_free (registrar_entries);
  g_free (blocking_entries);
  g_free (forwarding_entries);
  call_blocking_options_clear (&blocking);
  call_forwarding_options_clear (&forwarding);
  registrar_options_clear (&registrar_options);
  example_options_clear (&options);
  registrar_unref (registrar);
  servlets_clear (&servlets);
  g_free (composed.dar_path);
  return status;
}
