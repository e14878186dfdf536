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
#include <openssl/ssl.h>
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

/* The three files, read and checked. */
typedef struct {
  char *cert_text, *key_text, *ca_text;
  gsize cert_len, key_len, ca_len;
  STACK_OF (X509) *certs;         /* the certificate, then its chain */
  STACK_OF (X509) *cas;
  EVP_PKEY *key;
} TlsFiles;

static void
tls_files_clear (TlsFiles *files)
{
  g_free (files->cert_text);
  g_free (files->key_text);
  g_free (files->ca_text);
  if (files->certs != NULL)
    sk_X509_pop_free (files->certs, X509_free);
  if (files->cas != NULL)
    sk_X509_pop_free (files->cas, X509_free);
  EVP_PKEY_free (files->key);
}

/* Reads the files and checks each holds what it is for, and the key is
 * the certificate's; on error @files holds what was read (clear it). */
static gboolean
tls_files_read (TlsFiles *files, const char *cert_file, const char *key_file,
                const char *ca_file, GError **error)
{
  if (!read_pem ("certificate", cert_file, &files->cert_text, &files->cert_len, error)
      || (key_file != NULL
          && !read_pem ("key", key_file, &files->key_text, &files->key_len, error))
      || !read_pem ("CA", ca_file, &files->ca_text, &files->ca_len, error))
    return FALSE;
  files->certs = certificates_of (files->cert_text, files->cert_len);
  if (sk_X509_num (files->certs) == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS certificate file \"%s\" holds no PEM certificate", cert_file);
      return FALSE;
    }
  files->key = key_file != NULL ? key_of (files->key_text, files->key_len)
                                : key_of (files->cert_text, files->cert_len);
  if (files->key == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS key file \"%s\" holds no PEM private key (or an encrypted one: "
                   "keys with a passphrase are not supported)",
                   key_file != NULL ? key_file : cert_file);
      return FALSE;
    }
  if (X509_check_private_key (sk_X509_value (files->certs, 0), files->key) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS key file \"%s\" does not hold the key of the certificate in \"%s\"",
                   key_file != NULL ? key_file : cert_file, cert_file);
      return FALSE;
    }
  files->cas = certificates_of (files->ca_text, files->ca_len);
  if (sk_X509_num (files->cas) == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS CA file \"%s\" holds no PEM certificate", ca_file);
      return FALSE;
    }
  return TRUE;
}

/* Writes agent.pem (key, then certificate and its chain) and cafile.pem
 * into a new private directory; *dir_out is set only when every step
 * worked. */
static gboolean
build_dir (const TlsFiles *files, char **dir_out, GError **error)
{
  GString *agent;
  char *dir = g_dir_make_tmp ("sipservlet-tls-XXXXXX", NULL);   /* mode 0700 */
  gboolean ok;

  if (dir == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "cannot create a private directory for the TLS files: %s",
                   g_strerror (errno));
      return FALSE;
    }
  /* sofia reads the key and the certificate from the one agent.pem. */
  agent = g_string_new_len (files->key_text != NULL ? files->key_text : "",
                            (gssize) files->key_len);
  if (agent->len > 0 && agent->str[agent->len - 1] != '\n')
    g_string_append_c (agent, '\n');
  g_string_append_len (agent, files->cert_text, (gssize) files->cert_len);
  ok = write_private (dir, "agent.pem", agent->str, agent->len, error)
       && write_private (dir, "cafile.pem", files->ca_text, files->ca_len, error);
  g_string_free (agent, TRUE);
  if (ok)
    *dir_out = dir;
  else
    remove_dir (dir);
  return ok;
}

/* The CA file to read: the one given, or the system's bundle. */
static const char *
ca_file_or_system (const char *ca_file, GError **error)
{
  const char *system_cas = X509_get_default_cert_file ();

  if (ca_file != NULL)
    return ca_file;
  if (g_file_test (system_cas, G_FILE_TEST_EXISTS))
    return system_cas;
  g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
               "no TLS CA file given, and the system has none at \"%s\"", system_cas);
  return NULL;
}

/* Reads and checks the files and builds sofia's directory of them. */
static gboolean
prepare (const char *cert_file, const char *key_file, const char *ca_file, TlsFiles *files,
         char **dir_out, GError **error)
{
  const char *cas = ca_file_or_system (ca_file, error);

  return cas != NULL && tls_files_read (files, cert_file, key_file, cas, error)
         && build_dir (files, dir_out, error);
}

/* The new directory replaces the old one; the files are remembered. */
static void
adopt (SipsvStack *stack, char *dir, const char *cert_file, const char *key_file,
       const char *ca_file)
{
  const char *names[] = { cert_file, key_file, ca_file };
  char *copies[G_N_ELEMENTS (names)];

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    copies[i] = g_strdup (names[i]);
  if (stack->tls_dir != NULL)
    remove_dir (stack->tls_dir);
  stack->tls_dir = dir;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_free (stack->tls_files[i]);
      stack->tls_files[i] = copies[i];
    }
}

gboolean
sipsv_stack_set_tls_files (SipsvStack *stack, const char *cert_file, const char *key_file,
                           const char *ca_file, GError **error)
{
  TlsFiles files = { 0 };
  char *dir = NULL;
  gboolean ok = prepare (cert_file, key_file, ca_file, &files, &dir, error);

  tls_files_clear (&files);
  if (ok)
    adopt (stack, dir, cert_file, key_file, ca_file);
  return ok;
}

/* ---- the SSL_CTX of the sockets open --------------------------------------- */

/* The stack binding a TLS socket on this thread now, or NULL. */
static __thread SipsvStack *capturing;

/* OpenSSL calls this inside every SSL_CTX_new() of the process: keep
 * the ones sofia makes while a stack binds. */
static void
on_ssl_ctx_new (void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
  (void) ptr, (void) ad, (void) idx, (void) argl, (void) argp;
  if (capturing == NULL || parent == NULL)
    return;
  SSL_CTX_up_ref (parent);
  g_ptr_array_add (capturing->tls_contexts, parent);
}

void
sipsv_stack_tls_capture_begin (SipsvStack *stack)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      SSL_CTX_get_ex_new_index (0, NULL, on_ssl_ctx_new, NULL, NULL);
      g_once_init_leave (&registered, 1);
    }
  if (stack->tls_contexts == NULL)
    stack->tls_contexts = g_ptr_array_new_with_free_func ((GDestroyNotify) SSL_CTX_free);
  capturing = stack;
  stack->tls_capture_mark = stack->tls_contexts->len;
}

void
sipsv_stack_tls_capture_end (SipsvStack *stack, gboolean bound)
{
  capturing = NULL;
  if (!bound)
    g_ptr_array_remove_range (stack->tls_contexts, stack->tls_capture_mark,
                              stack->tls_contexts->len - stack->tls_capture_mark);
}

/* Puts the files in force on one SSL_CTX: what SSL_new() copies for each
 * new connection. SSL_CTX_use_cert_and_key() checks the key first. */
static gboolean
apply (SSL_CTX *ctx, const TlsFiles *files, GError **error)
{
  STACK_OF (X509) *chain = sk_X509_dup (files->certs);
  X509 *leaf = sk_X509_shift (chain);
  X509_STORE *store = X509_STORE_new ();
  gboolean ok = store != NULL && SSL_CTX_use_cert_and_key (ctx, leaf, files->key, chain, 1) == 1;

  sk_X509_free (chain);
  for (int i = 0; ok && i < sk_X509_num (files->cas); i++)
    ok = X509_STORE_add_cert (store, sk_X509_value (files->cas, i)) == 1;
  if (!ok)
    {
      X509_STORE_free (store);
      ERR_clear_error ();
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "OpenSSL refused the new TLS certificate or CA certificates");
      return FALSE;
    }
  SSL_CTX_set_cert_store (ctx, store);
  /* A resumed session would skip the new certificate. */
  SSL_CTX_flush_sessions (ctx, LONG_MAX);
  return TRUE;
}

gboolean
sipsv_stack_reload_tls (SipsvStack *stack, GError **error)
{
  TlsFiles files = { 0 };
  char *dir = NULL;
  gboolean ok;

  if (stack->tls_files[0] == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "no TLS files were set: nothing to reload");
      return FALSE;
    }
  ok = prepare (stack->tls_files[0], stack->tls_files[1], stack->tls_files[2], &files, &dir,
                error);
  for (guint i = 0; ok && stack->tls_contexts != NULL && i < stack->tls_contexts->len; i++)
    ok = apply (stack->tls_contexts->pdata[i], &files, error);
  tls_files_clear (&files);
  if (!ok)
    {
      if (dir != NULL)
        remove_dir (dir);
      return FALSE;
    }
  /* Copies: adopt() frees the names it replaces. */
  g_autofree char *cert = g_strdup (stack->tls_files[0]);
  g_autofree char *key = g_strdup (stack->tls_files[1]);
  g_autofree char *ca = g_strdup (stack->tls_files[2]);
  adopt (stack, dir, cert, key, ca);
  return TRUE;
}

void
sipsv_stack_clear_tls (SipsvStack *stack)
{
  if (stack->tls_dir != NULL)
    remove_dir (g_steal_pointer (&stack->tls_dir));
  for (gsize i = 0; i < G_N_ELEMENTS (stack->tls_files); i++)
    g_clear_pointer (&stack->tls_files[i], g_free);
  g_clear_pointer (&stack->tls_contexts, g_ptr_array_unref);
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
