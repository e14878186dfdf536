/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the files of sofia-sip's TLS transport.
 *
 * sofia-sip 1.12.11 takes one directory (TPTAG_CERTIFICATE) holding
 * agent.pem (the private key and the certificate, in one file) and
 * cafile.pem (the certificates it trusts), and says little when they are
 * wrong: a certificate or key it cannot load is only logged at debug
 * level, and the socket opens anyway and fails every handshake later; a
 * CA file it cannot load fails the bind with EIO. So the files are read
 * and checked here (each a PEM file of the right kind, the key the one of
 * the certificate), every error names its file, and the directory is
 * built from them in a private temporary folder (mode 0700, files 0600),
 * removed with the stack.
 */
#include "config-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "stack/stack-private.h"

/* Refuses to ask for a passphrase: OpenSSL would prompt on the terminal. */
static int
no_passphrase (char *buf, int size, int rwflag, void *data)
{
  (void) buf, (void) size, (void) rwflag, (void) data;
  return -1;
}

static gboolean
read_pem (const char *what, const char *path, char **text, gsize *length, GError **error)
{
  GError *read_error = NULL;

  if (!g_file_get_contents (path, text, length, &read_error))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS %s file \"%s\" cannot be read: %s", what, path,
                   read_error->code == G_FILE_ERROR_NOENT ? "no such file"
                   : read_error->code == G_FILE_ERROR_ACCES ? "permission denied"
                   : read_error->message);
      g_error_free (read_error);
      return FALSE;
    }
  return TRUE;
}

/* The certificates in text, in order; empty when there is none. */
static STACK_OF (X509) *
certificates_of (const char *text, gsize length)
{
  STACK_OF (X509) *certs = sk_X509_new_null ();
  BIO *bio = BIO_new_mem_buf (text, (int) length);
  X509 *cert;

  while (bio != NULL && (cert = PEM_read_bio_X509 (bio, NULL, no_passphrase, NULL)) != NULL)
    sk_X509_push (certs, cert);
  BIO_free (bio);
  ERR_clear_error ();
  return certs;
}

static EVP_PKEY *
key_of (const char *text, gsize length)
{
  BIO *bio = BIO_new_mem_buf (text, (int) length);
  EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey (bio, NULL, no_passphrase, NULL) : NULL;

  BIO_free (bio);
  ERR_clear_error ();
  return key;
}

static gboolean
write_private (const char *dir, const char *name, const char *text, gsize length,
               GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *write_error = NULL;

  if (!g_file_set_contents_full (path, text, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &write_error))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot write the TLS files for sofia-sip: %s", write_error->message);
      g_error_free (write_error);
      return FALSE;
    }
  return TRUE;
}

static void
remove_dir (char *dir)
{
  static const char *const names[] = { "agent.pem", "cafile.pem" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
  g_free (dir);
}

/* Checks the files, then writes agent.pem (key, then certificate and its
 * chain) and cafile.pem into a new private directory; *dir_out is set
 * only when every step worked. */
static gboolean
build_dir (const char *cert_file, const char *key_file, const char *ca_file, char **dir_out,
           GError **error)
{
  g_autofree char *cert_text = NULL, *key_text = NULL, *ca_text = NULL;
  gsize cert_len = 0, key_len = 0, ca_len = 0;
  STACK_OF (X509) *certs = NULL, *cas = NULL;
  EVP_PKEY *key = NULL;
  GString *agent = NULL;
  char *dir = NULL;
  gboolean ok = FALSE;

  if (!read_pem ("certificate", cert_file, &cert_text, &cert_len, error)
      || (key_file != NULL && !read_pem ("key", key_file, &key_text, &key_len, error))
      || !read_pem ("CA", ca_file, &ca_text, &ca_len, error))
    goto out;

  certs = certificates_of (cert_text, cert_len);
  if (sk_X509_num (certs) == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS certificate file \"%s\" holds no PEM certificate", cert_file);
      goto out;
    }
  key = key_file != NULL ? key_of (key_text, key_len) : key_of (cert_text, cert_len);
  if (key == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS key file \"%s\" holds no PEM private key (or an encrypted one: "
                   "keys with a passphrase are not supported)",
                   key_file != NULL ? key_file : cert_file);
      goto out;
    }
  if (X509_check_private_key (sk_X509_value (certs, 0), key) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS key file \"%s\" does not hold the key of the certificate in \"%s\"",
                   key_file != NULL ? key_file : cert_file, cert_file);
      goto out;
    }
  cas = certificates_of (ca_text, ca_len);
  if (sk_X509_num (cas) == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS CA file \"%s\" holds no PEM certificate", ca_file);
      goto out;
    }

  dir = g_dir_make_tmp ("sipservlet-tls-XXXXXX", NULL);   /* mode 0700 */
  if (dir == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot create a private directory for the TLS files: %s",
                   g_strerror (errno));
      goto out;
    }
  /* sofia reads the key and the certificate from the one agent.pem. */
  agent = g_string_new_len (key_text != NULL ? key_text : "", (gssize) key_len);
  if (agent->len > 0 && agent->str[agent->len - 1] != '\n')
    g_string_append_c (agent, '\n');
  g_string_append_len (agent, cert_text, (gssize) cert_len);
  ok = write_private (dir, "agent.pem", agent->str, agent->len, error)
       && write_private (dir, "cafile.pem", ca_text, ca_len, error);
  if (ok)
    *dir_out = g_steal_pointer (&dir);

out:
  if (agent != NULL)
    g_string_free (agent, TRUE);
  if (dir != NULL)
    remove_dir (dir);
  if (certs != NULL)
    sk_X509_pop_free (certs, X509_free);
  if (cas != NULL)
    sk_X509_pop_free (cas, X509_free);
  EVP_PKEY_free (key);
  return ok;
}

gboolean
sipsv_stack_set_tls_files (SipsvStack *stack, const char *cert_file, const char *key_file,
                           const char *ca_file, GError **error)
{
  char *dir = NULL;
  const char *system_cas = X509_get_default_cert_file ();

  if (ca_file == NULL && !g_file_test (system_cas, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "no TLS CA file given, and the system has none at \"%s\"", system_cas);
      return FALSE;
    }
  if (!build_dir (cert_file, key_file, ca_file != NULL ? ca_file : system_cas, &dir, error))
    return FALSE;
  sipsv_stack_clear_tls (stack);
  stack->tls_dir = dir;
  return TRUE;
}

void
sipsv_stack_clear_tls (SipsvStack *stack)
{
  if (stack->tls_dir != NULL)
    remove_dir (g_steal_pointer (&stack->tls_dir));
}

gboolean
sipsv_stack_url_is_tls (const url_t *url)
{
  char transport[8] = "";

  if (url == NULL)
    return FALSE;
  if (url->url_type == url_sips)
    return TRUE;
  sipsv_stack_url_param (url, "transport", transport, sizeof transport);
  return g_ascii_strcasecmp (transport, "tls") == 0;
}

gboolean
sipsv_stack_tport_is_tls (tport_t *tp)
{
  return tp != NULL && tport_has_tls (tp);
}

gboolean
sipsv_stack_received_over_tls (SipsvStack *stack, msg_t *msg, nta_incoming_t *irq,
                               nta_outgoing_t *orq)
{
  tport_t *tp = NULL;
  gboolean tls;

  if (stack->tls_dir == NULL)
    return FALSE;               /* no TLS socket was ever bound */
  if (irq != NULL)
    tp = nta_incoming_transport (stack->agent, irq, NULL);
  else if (orq != NULL)
    tp = nta_outgoing_transport (orq);
  if (tp != NULL)
    {
      tls = tport_has_tls (tp);
      tport_unref (tp);
      return tls;
    }
  return sipsv_stack_tport_is_tls (tport_delivered_by (nta_agent_tports (stack->agent), msg));
}
