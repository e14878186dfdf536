/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the receive path. Each input is one UDP datagram,
 * handed to a container's stack below the socket
 * (sipsv_stack_inject_datagram()) as if it came from 127.0.0.1: sofia's
 * parser, NTA, dispatch.c and the servlets below all see it.
 *
 * The servlets choose by the Request-URI's user, so that inputs steer
 * them: "proxy..." is proxied (record-routed) to the contacts registered
 * for the To URI, else to a loopback port nobody listens on; "defer..."
 * is deferred and answered with the next input; "busy..." gets 486; any
 * other INVITE gets 180 then 200 with the offer as answer, any other
 * request 200. REGISTER goes to the registrar of the examples
 * (examples/common/registrar-servlet.c). An application router sends
 * requests whose Request-URI user starts with "app" to the application
 * "mapped" (its servlet chosen by a mapping over most pattern variables;
 * "approute..." also gets a route pushed, "appgone..." names an
 * application that is not deployed, "appback..." goes out with
 * ROUTE_BACK, and "appchain..." is proxied by "mapped" twice in a row:
 * composition inside the process); the rest go to the servlets above,
 * the implicit application.
 *
 * The container and the registrar are made again every RESET_EVERY inputs
 * so that transactions, sessions and bindings left behind do not pile up;
 * all is freed at exit, so LeakSanitizer sees only real leaks.
 *
 * Responses and proxied requests really are sent. The process therefore
 * first moves into a network namespace of its own, with only loopback
 * (unshare(2)), where /etc/resolv.conf names a server on loopback; it
 * refuses to run when it cannot: fuzzed Via, Route and Contact headers
 * name any host.
 */
#define _GNU_SOURCE 1 /* unshare() */
#include <sipservlet/sipservlet.h>

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/container-private.h"
#include "fuzz-common.h"
#include "registrar-servlet.h"

#define RESET_EVERY 2000
/* A port on 127.0.0.1 nobody listens on in the namespace: proxied
 * requests get an ICMP error, hence NTA's 503, as from a dead server. */
#define DEAD_TARGET "sip:dead@127.0.0.1:9"

static SipContainer *container;
static Registrar *registrar;
static GPtrArray *deferred;          /* SipServletRequest, answered next time */
static int sink = -1;                /* the source address: our replies land here */
static struct sockaddr_in source;
static guint inputs;

/* ---- the network namespace ---------------------------------------------- */

static void
bring_loopback_up (void)
{
  struct ifreq ifr;
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  memset (&ifr, 0, sizeof ifr);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) != 0)
    g_error ("fuzz-receive: cannot read the flags of lo: %s", g_strerror (errno));
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) != 0)
    g_error ("fuzz-receive: cannot bring lo up: %s", g_strerror (errno));
  close (fd);
}

static void
refuse (const char *what)
{
  fprintf (stderr, "fuzz-receive: %s (%s); refusing to run, since fuzzed messages would "
           "be sent to the hosts they name\n", what, g_strerror (errno));
  exit (77);
}

/* sofia's resolver spins when it cannot send a query at all (no route to
 * the name server, as in a namespace with only loopback): it gets a name
 * server on loopback instead, where queries go out and are refused. */
static void
use_loopback_resolver (void)
{
  char path[] = "/tmp/sipservlet-fuzz-resolv.XXXXXX";
  int fd = mkstemp (path);
  static const char conf[] = "nameserver 127.0.0.1\n";

  if (fd < 0 || write (fd, conf, sizeof conf - 1) != (ssize_t) (sizeof conf - 1))
    refuse ("cannot write a resolv.conf");
  close (fd);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
      || mount (path, "/etc/resolv.conf", NULL, MS_BIND, NULL) != 0)
    refuse ("cannot mount a resolv.conf of our own");
  unlink (path);
}

static void
isolate_network (void)
{
  /* As root namespaces of our own are enough; otherwise a user namespace
   * gives the capabilities to make them. */
  if (unshare (CLONE_NEWNET | CLONE_NEWNS) != 0
      && unshare (CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0)
    refuse ("cannot make a network namespace");
  bring_loopback_up ();
  use_loopback_resolver ();
}

/* ---- servlets ----------------------------------------------------------- */

static gboolean
user_is (SipServletRequest *request, const char *prefix)
{
  const SipURI *uri = sipservlet_request_get_request_uri (request);
  const char *user = sipservlet_uri_is_sip (uri) ? sipservlet_uri_get_user (uri) : NULL;
  return user != NULL && g_str_has_prefix (user, prefix);
}

static void
proxy (SipServletRequest *request)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  SipProxy *proxy = sipservlet_request_get_proxy (request, NULL);
  GPtrArray *targets = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_uri_unref);

  if (proxy == NULL)
    {
      g_ptr_array_unref (targets);
      return;
    }
  sipservlet_proxy_set_record_route (proxy, TRUE, NULL);
  g_autoptr (SipAddress) to = sipservlet_message_get_to (message);
  if (to != NULL)
    {
      const SipURI *uri = sipservlet_address_get_uri (to);
      g_autofree char *aor = uri != NULL ? registrar_aor_key (registrar, uri) : NULL;
      GPtrArray *bindings = aor != NULL ? registrar_lookup (registrar, aor)
                                        : g_ptr_array_new ();
      for (guint i = 0; i < bindings->len; i++)
        {
          const SipLocationBinding *binding = bindings->pdata[i];
          SipURI *contact = sipservlet_uri_parse (binding->contact_uri, NULL);
          if (contact != NULL && sipservlet_uri_is_sip (contact))
            g_ptr_array_add (targets, contact);
          else if (contact != NULL)
            sipservlet_uri_unref (contact);
        }
      g_ptr_array_unref (bindings);
    }
  if (targets->len == 0)
    g_ptr_array_add (targets, sipservlet_uri_parse (DEAD_TARGET, NULL));
  if (!sipservlet_proxy_to_list (proxy, (const SipURI *const *) targets->pdata, targets->len,
                                 NULL)
      && !sipservlet_message_is_committed (message))
    sipservlet_request_respond (request, 500, NULL, NULL);
  g_ptr_array_unref (targets);
}

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  const char *method = sipservlet_message_get_method (message);

  if (g_str_equal (method, "ACK") || g_str_equal (method, "CANCEL"))
    return;
  if (user_is (request, "proxy") || user_is (request, "appchain"))
    {
      proxy (request);
      return;
    }
  if (user_is (request, "defer"))
    {
      sipservlet_request_defer (request);
      g_ptr_array_add (deferred, sipservlet_request_ref (request));
      return;
    }
  if (user_is (request, "busy"))
    {
      sipservlet_request_respond (request, 486, NULL, NULL);
      return;
    }
  if (g_str_equal (method, "INVITE"))
    {
      sipservlet_request_respond (request, 180, NULL, NULL);
      g_autoptr (SipServletResponse) ok = sipservlet_request_create_response (request, 200, NULL,
                                                                             NULL);
      gsize length = 0;
      gconstpointer offer = sipservlet_message_get_content (message, &length);
      const char *type = sipservlet_message_get_content_type (message);
      if (ok != NULL && offer != NULL && type != NULL)
        sipservlet_message_set_content (sipservlet_response_get_message (ok), offer, length,
                                        type, NULL);
      if (ok != NULL)
        sipservlet_response_send (ok, NULL);
      return;
    }
  sipservlet_request_respond (request, 200, NULL, NULL);
}

static void
answer_deferred (void)
{
  for (guint i = 0; i < deferred->len; i++)
    {
      SipServletRequest *request = deferred->pdata[i];
      if (!sipservlet_message_is_committed (sipservlet_request_get_message (request)))
        sipservlet_request_respond (request, i % 2 ? 200 : 404, NULL, NULL);
    }
  g_ptr_array_set_size (deferred, 0);
}

/* ---- applications --------------------------------------------------------- */

static gboolean
next_application (SipServletRequest *request, SipRoutingRegion region,
                  SipRoutingDirective directive, SipTargetedRequestType targeted_type,
                  const char *targeted, GVariant *state, SipRouterInfo *info, gpointer user_data,
                  GError **error)
{
  static const char *const routes[] = { DEAD_TARGET ";lr", NULL };
  gint32 step = state != NULL && g_variant_is_of_type (state, G_VARIANT_TYPE_INT32)
                    ? g_variant_get_int32 (state)
                    : 0;

  if (!user_is (request, "app") || step >= 2 || (step == 1 && !user_is (request, "appchain")))
    return TRUE;
  if (user_is (request, "appgone"))
    sipservlet_router_info_set_application (info, "gone", NULL, SIPSERVLET_REGION_NEUTRAL);
  else
    sipservlet_router_info_set_application (info, "mapped", "sip:subscriber@example.com",
                                            SIPSERVLET_REGION_TERMINATING);
  if (user_is (request, "approute"))
    sipservlet_router_info_set_routes (info, routes, SIPSERVLET_ROUTE_ROUTE);
  else if (user_is (request, "appback"))
    sipservlet_router_info_set_routes (info, routes, SIPSERVLET_ROUTE_ROUTE_BACK);
  sipservlet_router_info_set_state (info, g_variant_new_int32 (step + 1));
  return TRUE;
}

/* The condition of the "mapped" application's first servlet: most
 * variables, every operator. */
static const char mapping[]
    = "<pattern><or>"
      "<and><equal ignore-case=\"true\"><var>request.method</var><value>invite</value></equal>"
      "<subdomain-of><var>request.uri.host</var><value>example.com</value></subdomain-of></and>"
      "<contains><var>request.from.display-name</var><value>a</value></contains>"
      "<exists><var>request.uri.param.transport</var></exists>"
      "<equal><var>request.to.uri.tel</var><value>15550100</value></equal>"
      "<not><equal><var>request.uri.port</var><value>5060</value></equal></not>"
      "<contains ignore-case=\"true\"><var>request.to</var><value>BOB</value></contains>"
      "<equal><var>request.from.uri.scheme</var><value>sips</value></equal>"
      "</or></pattern>";

static void
deploy_mapped (SipServlet *first, SipServlet *second)
{
  static const SipApplicationRouterFuncs router = {
    SIPSERVLET_APPLICATION_ROUTER_INIT,
    .get_next_application = next_application,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (SipApplication) app = sipservlet_application_new ("mapped", &error);
  g_autoptr (SipPattern) pattern = sipservlet_pattern_parse_xml (mapping, -1, &error);
  g_autoptr (SipPattern) any = sipservlet_pattern_exists ("request.method", &error);

  if (app == NULL || pattern == NULL || any == NULL
      || !sipservlet_application_add_servlet (app, first, &error)
      || !sipservlet_application_add_servlet (app, second, &error)
      || !sipservlet_application_add_mapping (app, "mapped-first", pattern, &error)
      || !sipservlet_application_add_mapping (app, "mapped-second", any, &error)
      || !sipservlet_container_deploy (container, app, &error)
      || !sipservlet_container_set_application_router (container, &router, NULL, NULL, &error))
    g_error ("fuzz-receive: %s", error->message);
}

/* ---- the container ------------------------------------------------------ */

static void
settle (void)
{
  char buffer[65536];

  /* Due timers and idle work, then what we sent to ourselves. */
  for (int i = 0; i < 4 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  while (recv (sink, buffer, sizeof buffer, MSG_DONTWAIT) > 0)
    ;
}

static void
stop (void)
{
  if (container == NULL)
    return;
  answer_deferred ();
  g_clear_pointer (&container, sipservlet_container_unref);
  g_clear_pointer (&registrar, registrar_unref);
  settle ();
}

static void
start (void)
{
  static const SipServletHandlers handlers = {
    SIPSERVLET_HANDLERS_INIT,
    .do_request = on_request,
  };
  RegistrarOptions options;
  g_autoptr (GError) error = NULL;

  container = sipservlet_container_new (&error);
  if (container == NULL
      || !sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_ALL,
                                       &error))
    g_error ("fuzz-receive: %s", error->message);
  registrar_options_init (&options);
  registrar = registrar_new (&options, NULL);
  registrar_set_container (registrar, container);
  SipServlet *servlet = sipservlet_servlet_new ("fuzz", &handlers, NULL, NULL);
  SipServlet *register_servlet = registrar_servlet_new (registrar);
  sipservlet_container_add_servlet (container, servlet, NULL, NULL);
  sipservlet_container_add_servlet (container, register_servlet, "REGISTER", NULL);
  sipservlet_servlet_unref (servlet);
  sipservlet_servlet_unref (register_servlet);
  SipServlet *first = sipservlet_servlet_new ("mapped-first", &handlers, NULL, NULL);
  SipServlet *second = sipservlet_servlet_new ("mapped-second", &handlers, NULL, NULL);
  deploy_mapped (first, second);
  sipservlet_servlet_unref (first);
  sipservlet_servlet_unref (second);
}

static void
at_exit (void)
{
  stop ();
  g_clear_pointer (&deferred, g_ptr_array_unref);
  if (sink >= 0)
    close (sink);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  socklen_t length = sizeof source;

  isolate_network ();
  fuzz_quiet_logs ();
  sink = socket (AF_INET, SOCK_DGRAM, 0);
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (sink < 0 || bind (sink, (struct sockaddr *) &source, sizeof source) != 0
      || getsockname (sink, (struct sockaddr *) &source, &length) != 0)
    g_error ("fuzz-receive: cannot bind the source socket: %s", g_strerror (errno));
  deferred = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_request_unref);
  start ();
  atexit (at_exit);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  if (++inputs % RESET_EVERY == 0)
    {
      stop ();
      start ();
    }
  answer_deferred ();
  sipsv_stack_inject_datagram (&container->runtime.stack, data, size,
                               (const struct sockaddr *) &source, sizeof source);
  settle ();
  return 0;
}
