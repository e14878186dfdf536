/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* In-process test of the TLS transport: the files of
 * sipservlet_container_set_tls_files() (each error names its file; the
 * private directory sofia-sip reads is 0700 and goes away with the
 * container), a TLS listening point, sipservlet_message_is_secure(), the
 * Record-Route of a proxy crossing from TLS to UDP, the RFC 5630 rule
 * that a sips request is never forwarded over UDP, and files reloaded
 * while a TLS listening point is open.
 *
 * A throw-away CA, server certificate and keys are made with the openssl
 * command for every test. The TLS client is OpenSSL in a thread of its
 * own (it blocks), which verifies the container's certificate with the
 * CA, while the test thread runs the container's main context. */
#include <sipservlet/sipservlet.h>

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check-main.h"
#include "test-certificates.h"
#include "peer-checks.h"
#include "record-routing-proxy.h"
#include "container/container-private.h"

static SipContainer *container;
static char *work;              /* the certificates' temporary directory */

static char *
path_of (const char *name)
{
  return g_build_filename (work, name, NULL);
}

static void
run_openssl (const char *args)
{
  certs_openssl (work, args);
}

/* Besides certs_new()'s ca.pem, server.pem and server.key: other.key (a
 * key of no certificate), rogue.pem with rogue.key (self-signed for
 * 127.0.0.1), and renewal.pem with renewal.key (of a second CA, ca2.pem). */
static void
make_certificates (void)
{
  const char *ec = CERTS_EC_KEY;
  run_openssl ("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out other.key");
  /* A certificate for 127.0.0.1 that the container does not trust. */
  g_autofree char *rogue = g_strdup_printf ("req -x509 %s -keyout rogue.key -out rogue.pem "
                                            "-days 2 -subj /CN=127.0.0.1", ec);
  run_openssl (rogue);
  /* A second CA, and a certificate of it for 127.0.0.1 (renewal.pem,
   * renewal.key): what a renewal may bring. */
  g_autofree char *ca2 = g_strdup_printf ("req -x509 %s -keyout ca2.key -out ca2.pem -days 2 "
                                          "-subj /CN=sipservlet-test-CA-2", ec);
  g_autofree char *csr2 = g_strdup_printf ("req %s -keyout renewal.key -out renewal.csr "
                                           "-subj /CN=127.0.0.1", ec);
  run_openssl (ca2);
  run_openssl (csr2);
  run_openssl ("x509 -req -in renewal.csr -CA ca2.pem -CAkey ca2.key -CAcreateserial "
               "-out renewal.pem -days 2 -extfile ext.cnf");
}

static void
setup (void)
{
  work = certs_new ("sipservlet-test-CA");
  make_certificates ();
  container = sipservlet_container_new (NULL);
  ck_assert_ptr_nonnull (container);
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
  g_clear_pointer (&work, certs_free);
}

/* Sets the files (names in the work directory; NULL: none) and expects
 * failure with a message that holds every string of expect. */
static void
expect_files_error (const char *cert, const char *key, const char *ca, const char *expect)
{
  g_autofree char *cert_path = path_of (cert);
  g_autofree char *key_path = key != NULL ? path_of (key) : NULL;
  g_autofree char *ca_path = ca != NULL ? path_of (ca) : NULL;
  GError *error = NULL;

  ck_assert (!sipservlet_container_set_tls_files (container, cert_path, key_path, ca_path,
                                                  &error));
  ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT),
                 "%s", error != NULL ? error->message : "no error");
  g_autofree char *named = path_of (expect);
  ck_assert_msg (strstr (error->message, named) != NULL, "'%s' does not name %s",
                 error->message, named);
  g_error_free (error);
}

static void
write_file (const char *name, const char *text)
{
  g_autofree char *path = path_of (name);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
}

START_TEST (test_file_errors)
{
  GError *error = NULL;

  /* Missing, unreadable (a directory: the tests may run as root, who
   * reads any file), not PEM, the wrong kind of PEM, another key. */
  expect_files_error ("missing.pem", "server.key", "ca.pem", "missing.pem");
  expect_files_error ("server.pem", "missing.key", "ca.pem", "missing.key");
  expect_files_error ("server.pem", "server.key", "missing-ca.pem", "missing-ca.pem");
  g_autofree char *dir = path_of ("a-directory");
  ck_assert (g_mkdir (dir, 0700) == 0);
  expect_files_error ("a-directory", "server.key", "ca.pem", "a-directory");
  write_file ("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"
                             "-----END CERTIFICATE-----\n");
  expect_files_error ("garbage.pem", "server.key", "ca.pem", "garbage.pem");
  expect_files_error ("server.key", "server.key", "ca.pem", "server.key");
  expect_files_error ("server.pem", "server.pem", "ca.pem", "server.pem");
  expect_files_error ("server.pem", NULL, "ca.pem", "server.pem");     /* no key in it */
  expect_files_error ("server.pem", "other.key", "ca.pem", "other.key");
  expect_files_error ("server.pem", "server.key", "garbage.pem", "garbage.pem");
  write_file ("empty.pem", "");
  expect_files_error ("server.pem", "server.key", "empty.pem", "empty.pem");

  /* None was taken: TLS cannot listen, and says why. */
  ck_assert (!sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_TLS,
                                           &error));
  ck_assert_msg (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE), "%s",
                 error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (container->runtime.stack.tls_dir);
}
END_TEST

START_TEST (test_private_directory)
{
  GError *error = NULL;
  g_autofree char *cert = path_of ("server.pem");
  g_autofree char *key = path_of ("server.key");
  g_autofree char *ca = path_of ("ca.pem");
  GStatBuf st;

  /* The key may be in the certificate file. */
  g_autofree char *both = path_of ("both.pem");
  g_autofree char *cert_text = NULL, *key_text = NULL;
  ck_assert (g_file_get_contents (cert, &cert_text, NULL, NULL));
  ck_assert (g_file_get_contents (key, &key_text, NULL, NULL));
  g_autofree char *joined = g_strconcat (cert_text, key_text, NULL);
  ck_assert (g_file_set_contents (both, joined, -1, NULL));
  ck_assert_msg (sipservlet_container_set_tls_files (container, both, NULL, ca, &error), "%s",
                 error ? error->message : "");
  ck_assert (sipservlet_container_set_tls_files (container, cert, key, ca, &error));

  g_autofree char *dir = g_strdup (container->runtime.stack.tls_dir);
  ck_assert_ptr_nonnull (dir);
  ck_assert (g_stat (dir, &st) == 0);
  ck_assert_int_eq (st.st_mode & 0777, 0700);
  g_autofree char *agent = g_build_filename (dir, "agent.pem", NULL);
  ck_assert (g_stat (agent, &st) == 0);
  ck_assert_int_eq (st.st_mode & 0777, 0600);

  /* TLS takes a port of its own. */
  ck_assert (!sipservlet_container_listen (container, "127.0.0.1", 0,
                                           SIPSERVLET_TRANSPORT_TLS | SIPSERVLET_TRANSPORT_UDP,
                                           &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  ck_assert_msg (sipservlet_container_listen (container, "127.0.0.1", 0,
                                              SIPSERVLET_TRANSPORT_TLS, &error),
                 "%s", error ? error->message : "");
  guint16 port = sipservlet_container_get_port (container, NULL);
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  g_autofree char *expected = g_strdup_printf ("tls:127.0.0.1:%u", port);
  ck_assert_str_eq (addresses[0], expected);

  /* The container's end takes its files with it. */
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert (!g_file_test (dir, G_FILE_TEST_EXISTS));
}
END_TEST

/* ---- a TLS client in a thread ------------------------------------------- */

typedef struct {
  guint16 port;
  char *ca;
  char *request;
  char *response;               /* the first final response, or NULL */
  char *failure;
  gint done;
} TlsClient;

static gboolean
has_final (const GString *got)
{
  for (const char *line = got->str; line != NULL && *line != '\0';)
    {
      const char *end = strstr (line, "\r\n\r\n");
      if (end == NULL)
        return FALSE;
      if (g_str_has_prefix (line, "SIP/2.0 ") && line[8] >= '2' && line[8] <= '6')
        return TRUE;
      line = end + 4;
    }
  return FALSE;
}

static gpointer
tls_client_run (gpointer data)
{
  TlsClient *client = data;
  SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());
  SSL *ssl = NULL;
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons (client->port) };
  struct timeval timeout = { .tv_sec = 20 };
  GString *got = g_string_new (NULL);
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  if (SSL_CTX_load_verify_locations (ctx, client->ca, NULL) != 1)
    client->failure = g_strdup ("cannot load the CA");
  else if (connect (fd, (struct sockaddr *) &sin, sizeof sin) != 0)
    client->failure = g_strdup_printf ("connect: %s", g_strerror (errno));
  else
    {
      SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
      ssl = SSL_new (ctx);
      SSL_set_fd (ssl, fd);
      /* The container's certificate must name the address connected to. */
      X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (ssl), "127.0.0.1");
      if (SSL_connect (ssl) != 1)
        client->failure = g_strdup_printf ("handshake: %s",
                                           ERR_reason_error_string (ERR_get_error ()));
      else if (SSL_write (ssl, client->request, (int) strlen (client->request)) <= 0)
        client->failure = g_strdup ("cannot send");
      else
        {
          char buf[4096];
          int n;
          while (!has_final (got) && (n = SSL_read (ssl, buf, sizeof buf)) > 0)
            g_string_append_len (got, buf, n);
          if (has_final (got))
            {
              /* the final response, without the provisional ones */
              const char *at = got->str, *final = NULL;
              while ((at = strstr (at, "SIP/2.0 ")) != NULL)
                final = at++;
              client->response = g_strdup (final);
            }
          else
            client->failure = g_strdup_printf ("no final response: '%s'", got->str);
        }
    }
  if (ssl != NULL)
    SSL_free (ssl);
  SSL_CTX_free (ctx);
  close (fd);
  g_string_free (got, TRUE);
  g_atomic_int_set (&client->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

/* Sends request over TLS to the container's port, trusting the CA file
 * ca (a name in the work directory), and returns the final response, or
 * NULL with *failure set; runs the container's context meanwhile. */
static char *
tls_try (guint16 port, const char *ca, const char *request, char **failure)
{
  TlsClient client = { .port = port, .ca = path_of (ca), .request = (char *) request };
  GThread *thread = g_thread_new ("tls-client", tls_client_run, &client);

  while (!g_atomic_int_get (&client.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_free (client.ca);
  *failure = client.failure;
  return client.response;
}

/* tls_try() trusting ca.pem, which must work. */
static char *
tls_exchange (guint16 port, const char *request)
{
  g_autofree char *failure = NULL;
  char *response = tls_try (port, "ca.pem", request, &failure);
  ck_assert_msg (failure == NULL, "%s", failure);
  return response;
}

static void
listen_tls_and_udp (guint16 *tls_port, guint16 *udp_port)
{
  GError *error = NULL;
  g_autofree char *cert = path_of ("server.pem");
  g_autofree char *key = path_of ("server.key");
  g_autofree char *ca = path_of ("ca.pem");

  ck_assert (sipservlet_container_set_tls_files (container, cert, key, ca, &error));
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_TLS,
                                          &error));
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  ck_assert (addresses[0] != NULL && addresses[1] != NULL);
  *udp_port = (guint16) atoi (strrchr (addresses[0], ':') + 1);
  *tls_port = (guint16) atoi (strrchr (addresses[1], ':') + 1);
}

static char *
request_text (const char *method, const char *ruri, const char *via_transport, guint16 port,
              const char *call_id)
{
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-%s;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=alice1\r\n"
                          "To: <%s>\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: 1 %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u;transport=%s>\r\n"
                          "Content-Length: 0\r\n\r\n",
                          method, ruri, via_transport, port, call_id, ruri, call_id, method,
                          port, via_transport);
}

/* What do_options saw. */
typedef struct {
  gboolean secure;
  char *transport;
} Seen;

static void
on_options (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  Seen *seen = user_data;
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  seen->secure = sipservlet_message_is_secure (message);
  g_free (seen->transport);
  seen->transport = g_strdup (sipservlet_message_get_transport (message));
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers options_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = on_options,
};

START_TEST (test_is_secure)
{
  GError *error = NULL;
  guint16 tls_port, udp_port;
  Seen seen = { 0 };

  listen_tls_and_udp (&tls_port, &udp_port);
  SipServlet *servlet = sipservlet_servlet_new ("options", &options_handlers, &seen, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);

  g_autofree char *ruri = g_strdup_printf ("sip:127.0.0.1:%u;transport=tls", tls_port);
  g_autofree char *options = request_text ("OPTIONS", ruri, "TLS", 5999, "tls-options");
  g_autofree char *response = tls_exchange (tls_port, options);
  ck_assert_msg (g_str_has_prefix (response, "SIP/2.0 200 "), "%s", response);
  ck_assert (seen.secure);
  ck_assert_str_eq (seen.transport, "TLS");

  /* The same over UDP is not secure. */
  FakePeer *peer = fake_peer_new (g_main_context_default (), "127.0.0.1", udp_port, &error);
  ck_assert_ptr_nonnull (peer);
  g_autofree char *udp = request_text ("OPTIONS", "sip:127.0.0.1", "UDP",
                                       fake_peer_get_port (peer, FAKE_UDP), "udp-options");
  peer_send (peer, udp);
  g_autoptr (FakeMessage) ok = fake_peer_wait (peer, 5000);
  ck_assert_ptr_nonnull (ok);
  ck_assert (!seen.secure);
  ck_assert_str_eq (seen.transport, "UDP");
  fake_peer_free (peer);
  g_free (seen.transport);
}
END_TEST

/* ---- reloading the files ---------------------------------------------------- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *from_path = path_of (from);
  g_autofree char *text = NULL;
  ck_assert (g_file_get_contents (from_path, &text, NULL, NULL));
  write_file (to, text);
}

/* An OPTIONS over TLS to the container: "200" when it worked, else the
 * client's failure. */
static char *
options_over_tls (guint16 tls_port, const char *ca)
{
  g_autofree char *ruri = g_strdup_printf ("sip:127.0.0.1:%u;transport=tls", tls_port);
  g_autofree char *options = request_text ("OPTIONS", ruri, "TLS", 5999, "tls-reload");
  char *failure = NULL;
  g_autofree char *response = tls_try (tls_port, ca, options, &failure);
  if (response != NULL && g_str_has_prefix (response, "SIP/2.0 200 "))
    return g_strdup ("200");
  return failure != NULL ? failure : g_strdup (response);
}

/* The certificate is renewed by another CA: after a reload, new
 * connections get the new one, on the listening point already open; a
 * broken file at reload keeps the one in force. */
START_TEST (test_reload_files)
{
  GError *error = NULL;
  Seen seen = { 0 };

  /* Nothing to reload yet. */
  ck_assert (!sipservlet_container_reload_tls_files (container, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE));
  g_clear_error (&error);

  copy_file ("server.pem", "live.pem");
  copy_file ("server.key", "live.key");
  copy_file ("ca.pem", "live-ca.pem");
  g_autofree char *cert = path_of ("live.pem");
  g_autofree char *key = path_of ("live.key");
  g_autofree char *ca = path_of ("live-ca.pem");
  ck_assert (sipservlet_container_set_tls_files (container, cert, key, ca, &error));
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_TLS,
                                          &error));
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  guint16 tls_port = (guint16) atoi (strrchr (addresses[0], ':') + 1);
  SipServlet *servlet = sipservlet_servlet_new ("options", &options_handlers, &seen, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);

  g_autofree char *before = options_over_tls (tls_port, "ca.pem");
  ck_assert_str_eq (before, "200");
  g_autofree char *before_other = options_over_tls (tls_port, "ca2.pem");
  ck_assert_str_ne (before_other, "200");

  /* Renewed: the same file names, another certificate and key. */
  copy_file ("renewal.pem", "live.pem");
  copy_file ("renewal.key", "live.key");
  ck_assert_msg (sipservlet_container_reload_tls_files (container, &error), "%s",
                 error != NULL ? error->message : "");
  g_autofree char *after = options_over_tls (tls_port, "ca2.pem");
  ck_assert_str_eq (after, "200");
  g_autofree char *after_old = options_over_tls (tls_port, "ca.pem");
  ck_assert_str_ne (after_old, "200");

  /* A key that is not the certificate's: refused, naming the file; the
   * renewal stays in force. */
  copy_file ("server.key", "live.key");
  ck_assert (!sipservlet_container_reload_tls_files (container, &error));
  ck_assert_msg (strstr (error->message, key) != NULL, "%s", error->message);
  g_clear_error (&error);
  g_autofree char *kept = options_over_tls (tls_port, "ca2.pem");
  ck_assert_str_eq (kept, "200");
  g_free (seen.transport);
}
END_TEST

/* ---- a UAS over TLS: its Contact ---------------------------------------------- */

static void
on_invite_answer (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers uas_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite_answer,
};

/* The Contact of the 200 a UAS servlet answers an INVITE for ruri with. */
static char *
uas_contact (guint16 tls_port, const char *ruri, const char *call_id)
{
  g_autofree char *invite = request_text ("INVITE", ruri, "TLS", 5999, call_id);
  g_autofree char *response = tls_exchange (tls_port, invite);
  ck_assert_msg (g_str_has_prefix (response, "SIP/2.0 200 "), "%s", response);
  const char *contact = strstr (response, "\r\nContact: ");
  ck_assert_msg (contact != NULL, "%s", response);
  contact += strlen ("\r\nContact: ");
  return g_strndup (contact, strcspn (contact, "\r"));
}

START_TEST (test_uas_contact)
{
  GError *error = NULL;
  guint16 tls_port, udp_port;

  listen_tls_and_udp (&tls_port, &udp_port);
  SipServlet *servlet = sipservlet_servlet_new ("uas", &uas_handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);

  /* A dialog over TLS is reached at the TLS socket, over TLS... */
  g_autofree char *sip_ruri = g_strdup_printf ("sip:svc@127.0.0.1:%u;transport=tls", tls_port);
  g_autofree char *contact = uas_contact (tls_port, sip_ruri, "uas-sip");
  g_autofree char *expected = g_strdup_printf ("<sip:127.0.0.1:%u;transport=tls>", tls_port);
  ck_assert_str_eq (contact, expected);
  /* ...and a sips dialog by a sips: Contact (RFC 3261 §12.1.1). */
  g_autofree char *sips_ruri = g_strdup_printf ("sips:svc@127.0.0.1:%u", tls_port);
  g_autofree char *sips_contact = uas_contact (tls_port, sips_ruri, "uas-sips");
  g_autofree char *sips_expected = g_strdup_printf ("<sips:127.0.0.1:%u>", tls_port);
  ck_assert_str_eq (sips_contact, sips_expected);
}
END_TEST

/* ---- a UAC over TLS: a server in a thread ------------------------------------ */

typedef struct {
  int listen_fd;
  guint16 port;
  char *cert, *key;
  char *request;                /* what it received, or NULL */
  gboolean handshake_failed;
  gint done;
} TlsServer;

/* The 200 to request: its Via, From, To (with a tag), Call-ID, CSeq. */
static char *
ok_for (const char *request)
{
  GString *ok = g_string_new ("SIP/2.0 200 OK\r\n");
  g_auto (GStrv) lines = g_strsplit (request, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    if (g_str_has_prefix (lines[i], "Via:") || g_str_has_prefix (lines[i], "From:")
        || g_str_has_prefix (lines[i], "Call-ID:") || g_str_has_prefix (lines[i], "CSeq:"))
      g_string_append_printf (ok, "%s\r\n", lines[i]);
    else if (g_str_has_prefix (lines[i], "To:"))
      g_string_append_printf (ok, "%s;tag=srv1\r\n", lines[i]);
  g_string_append (ok, "Content-Length: 0\r\n\r\n");
  return g_string_free (ok, FALSE);
}

static gpointer
tls_server_run (gpointer data)
{
  TlsServer *server = data;
  SSL_CTX *ctx = SSL_CTX_new (TLS_server_method ());
  struct timeval timeout = { .tv_sec = 20 };
  int fd = accept (server->listen_fd, NULL, NULL);
  SSL *ssl = NULL;

  if (fd >= 0 && SSL_CTX_use_certificate_file (ctx, server->cert, SSL_FILETYPE_PEM) == 1
      && SSL_CTX_use_PrivateKey_file (ctx, server->key, SSL_FILETYPE_PEM) == 1)
    {
      setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      ssl = SSL_new (ctx);
      SSL_set_fd (ssl, fd);
      if (SSL_accept (ssl) != 1)
        server->handshake_failed = TRUE;
      else
        {
          GString *got = g_string_new (NULL);
          char buf[4096];
          int n;
          while (strstr (got->str, "\r\n\r\n") == NULL && (n = SSL_read (ssl, buf, sizeof buf)) > 0)
            g_string_append_len (got, buf, n);
          server->request = g_string_free (got, FALSE);
          if (server->request[0] != '\0')
            {
              char *ok = ok_for (server->request);
              SSL_write (ssl, ok, (int) strlen (ok));
              g_free (ok);
              /* until the container is done with the connection */
              while (SSL_read (ssl, buf, sizeof buf) > 0)
                ;
            }
        }
    }
  if (ssl != NULL)
    SSL_free (ssl);
  SSL_CTX_free (ctx);
  if (fd >= 0)
    close (fd);
  g_atomic_int_set (&server->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static GThread *
tls_server_start (TlsServer *server, const char *cert, const char *key)
{
  struct sockaddr_in sin = { .sin_family = AF_INET };
  socklen_t len = sizeof sin;

  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server->listen_fd = socket (AF_INET, SOCK_STREAM, 0);
  ck_assert (bind (server->listen_fd, (struct sockaddr *) &sin, sizeof sin) == 0);
  ck_assert (listen (server->listen_fd, 1) == 0);
  ck_assert (getsockname (server->listen_fd, (struct sockaddr *) &sin, &len) == 0);
  server->port = ntohs (sin.sin_port);
  server->cert = path_of (cert);
  server->key = path_of (key);
  return g_thread_new ("tls-server", tls_server_run, server);
}

typedef struct {
  guint status;                 /* of the final response; 0: none */
  gboolean timed_out;           /* the outcome was SIPSERVLET_ERROR_TIMEOUT */
  gboolean done;
} Outcome;

static void
on_outcome (SipServletRequest *request, SipServletResponse *response, const GError *error,
            gpointer user_data)
{
  Outcome *outcome = user_data;
  if (response != NULL && sipservlet_response_get_status (response) >= 200)
    outcome->status = sipservlet_response_get_status (response);
  if (response == NULL)
    {
      outcome->timed_out = g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TIMEOUT);
      outcome->done = TRUE;
    }
}

/* Sends an OPTIONS to uri; returns the final status (0: none), or 408
 * when the outcome was a timeout. */
static guint
send_options (const char *uri)
{
  GError *error = NULL;
  Outcome outcome = { 0 };
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:uac@example.com>", NULL);
  g_autofree char *to_text = g_strdup_printf ("<%s>", uri);
  g_autoptr (SipAddress) to = sipservlet_address_parse (to_text, NULL);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipServletRequest) options
      = sipservlet_factory_create_request (factory, app, "OPTIONS", from, to, &error);
  ck_assert_ptr_nonnull (options);
  ck_assert (sipservlet_request_send_with_callback (options, SIPSERVLET_SEND_DEFAULT, NULL,
                                                    on_outcome, &outcome, NULL, &error));
  while (!outcome.done)
    g_main_context_iteration (NULL, TRUE);
  return outcome.status != 0 ? outcome.status : outcome.timed_out ? 408 : 0;
}

START_TEST (test_uac_over_tls)
{
  guint16 tls_port, udp_port;
  TlsServer server = { 0 };

  listen_tls_and_udp (&tls_port, &udp_port);
  GThread *thread = tls_server_start (&server, "server.pem", "server.key");
  g_autofree char *uri = g_strdup_printf ("sip:peer@127.0.0.1:%u;transport=tls", server.port);
  ck_assert_uint_eq (send_options (uri), 200);
  /* Leaves by the TLS socket, and says so. */
  ck_assert_ptr_nonnull (server.request);
  g_autofree char *via = g_strdup_printf ("\r\nVia: SIP/2.0/TLS 127.0.0.1:%u;", tls_port);
  ck_assert_msg (strstr (server.request, via) != NULL, "%s", server.request);
  g_autofree char *contact = g_strdup_printf ("<sip:127.0.0.1:%u;transport=tls>", tls_port);
  ck_assert_msg (strstr (server.request, contact) != NULL, "%s", server.request);
  g_clear_pointer (&container, sipservlet_container_unref);   /* closes the connection */
  g_thread_join (thread);
  close (server.listen_fd);
  g_free (server.request);
  g_free (server.cert);
  g_free (server.key);
}
END_TEST

START_TEST (test_uac_refuses_untrusted_server)
{
  guint16 tls_port, udp_port;
  TlsServer server = { 0 };

  /* A certificate for the right name from a CA the container does not
   * trust: the connection is dropped and the request is not delivered.
   * sofia-sip does not report the failed handshake to the transaction,
   * which ends in a timeout (timer F, 32 s). */
  listen_tls_and_udp (&tls_port, &udp_port);
  GThread *thread = tls_server_start (&server, "rogue.pem", "rogue.key");
  g_autofree char *uri = g_strdup_printf ("sip:peer@127.0.0.1:%u;transport=tls", server.port);
  guint status = send_options (uri);
  ck_assert_msg (status >= 500 || status == 408, "status %u", status);
  while (!g_atomic_int_get (&server.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  /* The handshake completed on the server's side; then the container
   * checked the certificate and hung up without sending. */
  ck_assert_msg (server.request == NULL || strstr (server.request, "OPTIONS") == NULL, "%s",
                 server.request);
  g_free (server.request);
  close (server.listen_fd);
  g_free (server.cert);
  g_free (server.key);
}
END_TEST

/* ---- proxying from TLS ---------------------------------------------------- */

/* A proxy to a UDP callee, listening on TLS and UDP; returns the callee. */
static FakePeer *
proxy_to_udp_callee (guint16 *tls_port)
{
  GError *error = NULL;
  guint16 udp_port;

  listen_tls_and_udp (tls_port, &udp_port);
  FakePeer *callee = fake_peer_new (g_main_context_default (), "127.0.0.1", udp_port, &error);
  ck_assert_ptr_nonnull (callee);
  char *target = g_strdup_printf ("sip:bob@127.0.0.1:%u", fake_peer_get_port (callee, FAKE_UDP));
  SipServlet *servlet = sipservlet_servlet_new ("proxy", &record_routing_proxy, target, g_free);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  return callee;
}

START_TEST (test_sips_never_over_udp)
{
  guint16 tls_port;
  FakePeer *callee = proxy_to_udp_callee (&tls_port);

  /* A sips request whose target is a sip: UDP Contact: refused, and
   * nothing reaches the callee. */
  g_autofree char *invite = request_text ("INVITE", "sips:bob@example.com", "TLS", 5999,
                                          "sips-call");
  g_autofree char *response = tls_exchange (tls_port, invite);
  ck_assert_msg (g_str_has_prefix (response, "SIP/2.0 480 "), "%s", response);
  fake_peer_run (callee, 200);
  ck_assert_int_eq (fake_peer_pending (callee), 0);
  fake_peer_free (callee);
}
END_TEST

/* The forwarded INVITE, read while the TLS client waits. */
static FakeMessage *forwarded;

static gboolean
answer_forwarded (gpointer data)
{
  FakePeer *callee = data;
  if (fake_peer_pending (callee) == 0)
    return G_SOURCE_CONTINUE;
  forwarded = fake_peer_pop (callee);
  char *busy = fake_peer_build_response (forwarded, 486, "Busy Here", "bob1", NULL);
  peer_send (callee, busy);
  g_free (busy);
  return G_SOURCE_REMOVE;
}

START_TEST (test_record_route_from_tls)
{
  guint16 tls_port;
  FakePeer *callee = proxy_to_udp_callee (&tls_port);

  /* sip: over TLS may continue over UDP; the proxy crosses sockets and
   * records both, the caller's side with transport=tls (RFC 5658). */
  g_autofree char *invite = request_text ("INVITE", "sip:bob@example.com", "TLS", 5999,
                                          "tls-call");
  guint source = g_timeout_add (10, answer_forwarded, callee);
  g_autofree char *response = tls_exchange (tls_port, invite);
  ck_assert_msg (g_str_has_prefix (response, "SIP/2.0 486 "), "%s", response);
  ck_assert_ptr_nonnull (forwarded);
  (void) source;
  g_auto (GStrv) rr = fake_message_header_elements (forwarded, "Record-Route");
  ck_assert (rr != NULL && rr[0] != NULL && rr[1] != NULL);
  g_autofree char *tls_side = g_strdup_printf ("<sip:127.0.0.1:%u;transport=tls;lr;r2=on>",
                                               tls_port);
  ck_assert_msg (g_str_has_suffix (rr[0], ";lr;r2=on>") && strstr (rr[0], "transport") == NULL,
                 "%s", rr[0]);
  ck_assert_str_eq (rr[1], tls_side);
  g_clear_pointer (&forwarded, fake_message_free);
  fake_peer_free (callee);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("tls");
  TCase *tc = tcase_create ("tls");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_file_errors);
  tcase_add_test (tc, test_private_directory);
  tcase_add_test (tc, test_is_secure);
  tcase_add_test (tc, test_uas_contact);
  tcase_add_test (tc, test_uac_over_tls);
  tcase_add_test (tc, test_uac_refuses_untrusted_server);
  tcase_add_test (tc, test_sips_never_over_udp);
  tcase_add_test (tc, test_record_route_from_tls);
  tcase_add_test (tc, test_reload_files);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
