/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host program built by installed-pkgconfig.sh against an installed
 * libsipservlet, with only `pkg-config --cflags --libs sipservlet-1`.
 *
 * It registers a servlet that answers OPTIONS, listens on 127.0.0.1 port 0,
 * sends itself an OPTIONS over a plain UDP socket, waits for the 200 the
 * servlet made, then shuts the container down. It also opens an HTTP
 * listener, so that libsoup's flags are seen to come with ours.
 *
 * Built with -DHOST_USES_SYSTEM_SOFIA and the system's sofia-sip flags too,
 * it is a host that also uses the distribution's sofia-sip for its own
 * purposes while libsipservlet runs its bundled copy: each must keep
 * working with its own symbols (doc/sofia-build.md). Exit 0 on success. */
#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef HOST_USES_SYSTEM_SOFIA
#include <dlfcn.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

/* Parses the OPTIONS with the system's sofia-sip, and checks that the
 * parser the host called is the system's shared library, not a copy
 * libsipservlet would have exported. */
static gboolean
parse_with_system_sofia (const char *text)
{
  Dl_info where = { 0 };
  msg_t *msg = msg_make (sip_default_mclass (), 0, text, (isize_t) strlen (text));
  sip_t const *sip = sip_object (msg);
  gboolean ok = sip != NULL && sip->sip_call_id != NULL
    && strcmp (sip->sip_call_id->i_id, "pkgconfig-host-1@127.0.0.1") == 0;

  msg_destroy (msg);
  if (!ok)
    {
      fprintf (stderr, "the system's sofia-sip did not parse the OPTIONS\n");
      return FALSE;
    }
  if (dladdr ((void *) msg_make, &where) == 0 || where.dli_fname == NULL
      || strstr (where.dli_fname, "libsofia-sip-ua.so") == NULL)
    {
      fprintf (stderr, "msg_make resolved to %s, not the system's libsofia-sip-ua\n",
               where.dli_fname ? where.dli_fname : "(nothing)");
      return FALSE;
    }
  return TRUE;
}
#endif

static guint options_seen;

static void
on_options (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  GError *error = NULL;
  SipServletResponse *response = sipservlet_request_create_response (request, 200, NULL, &error);

  options_seen++;
  if (response == NULL)
    {
      fprintf (stderr, "create_response: %s\n", error->message);
      g_error_free (error);
      return;
    }
  sipservlet_message_set_header (SIPSERVLET_MESSAGE (response), "X-Host", "pkgconfig", NULL);
  if (!sipservlet_response_send (response, &error))
    {
      fprintf (stderr, "send: %s\n", error->message);
      g_error_free (error);
    }
  sipservlet_response_unref (response);
}

static void
on_shutdown (SipContainer *container, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = on_options,
};

int
main (void)
{
  GError *error = NULL;
  GMainContext *context = g_main_context_default ();
  SipContainer *container = sipservlet_container_new (&error);
  SipServlet *servlet;
  guint16 port;
  int fd, rc = 1;
  char reply[4096] = "";
  gboolean done = FALSE;

  if (container == NULL)
    {
      fprintf (stderr, "container_new: %s\n", error->message);
      return 1;
    }
  servlet = sipservlet_servlet_new ("host", &handlers, NULL, NULL);
  if (!sipservlet_container_add_servlet (container, servlet, NULL, &error)
      || !sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_ALL, &error)
      || !sipservlet_container_listen_http (container, "127.0.0.1:0", SIPSERVLET_HTTP_ALL, &error))
    {
      fprintf (stderr, "setup: %s\n", error->message);
      return 1;
    }
  sipservlet_servlet_unref (servlet);
  port = sipservlet_container_get_port (container, NULL);
  if (port == 0)
    {
      fprintf (stderr, "no port bound\n");
      return 1;
    }

  fd = socket (AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in to = { 0 };
  to.sin_family = AF_INET;
  to.sin_port = htons (port);
  to.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  struct sockaddr_in me = to;
  me.sin_port = 0;
  socklen_t melen = sizeof me;
  if (fd < 0 || bind (fd, (struct sockaddr *) &me, sizeof me) < 0
      || getsockname (fd, (struct sockaddr *) &me, &melen) < 0)
    {
      perror ("socket");
      return 1;
    }
  char *options = g_strdup_printf (
    "OPTIONS sip:host@127.0.0.1:%u SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-pkgconfig-1;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:probe@127.0.0.1>;tag=pc1\r\n"
    "To: <sip:host@127.0.0.1>\r\n"
    "Call-ID: pkgconfig-host-1@127.0.0.1\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n", port, ntohs (me.sin_port));
#ifdef HOST_USES_SYSTEM_SOFIA
  if (!parse_with_system_sofia (options))
    return 1;
#endif
  if (sendto (fd, options, strlen (options), 0, (struct sockaddr *) &to, sizeof to) < 0)
    {
      perror ("sendto");
      return 1;
    }
  g_free (options);

  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (context, FALSE);
      ssize_t n = recv (fd, reply, sizeof reply - 1, MSG_DONTWAIT);
      if (n > 0)
        {
          reply[n] = '\0';
          break;
        }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        {
          perror ("recv");
          return 1;
        }
      g_usleep (1000);
    }
  close (fd);
  if (strncmp (reply, "SIP/2.0 200 ", 12) != 0 || strstr (reply, "X-Host: pkgconfig") == NULL
      || options_seen != 1)
    fprintf (stderr, "unexpected answer to OPTIONS (servlet ran %u times):\n%s\n",
             options_seen, reply);
  else
    rc = 0;

  sipservlet_container_shutdown (container, on_shutdown, &done);
  deadline = g_get_monotonic_time () + 40 * G_USEC_PER_SEC;
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  if (!done)
    {
      fprintf (stderr, "shutdown did not complete\n");
      rc = 1;
    }
  sipservlet_container_unref (container);
  if (rc == 0)
    printf ("ok: OPTIONS answered 200 by the installed library on port %u\n", port);
  return rc;
}
