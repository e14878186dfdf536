/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: throw-away certificates made with the openssl command in
 * a temporary folder of the test's (integration-tls, integration-http).
 *
 * certs_new() makes the folder with ca.pem (and ca.key) and server.pem
 * with server.key for 127.0.0.1, which it names as an IP subjectAltName
 * (what OpenSSL and GnuTLS clients check) and as a DNS one (all that
 * sofia-sip 1.12.11 reads, doc/tls.md); ext.cnf holds those names for
 * more certificates a test makes with certs_openssl(). */
#pragma once

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

/* The EC key options of every request. */
#define CERTS_EC_KEY "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

/* Runs "openssl ARGS" in folder; the test fails when it does. */
static inline void
certs_openssl (const char *folder, const char *args)
{
  g_autofree char *command = g_strdup_printf ("openssl %s", args);
  g_auto (GStrv) argv = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  GError *error = NULL;

  ck_assert (g_shell_parse_argv (command, NULL, &argv, NULL));
  ck_assert_msg (g_spawn_sync (folder, argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error),
                 "%s: %s", command, error != NULL ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "%s: %s", command, err);
}

/* A new temporary folder with the CA and the server's certificate (see
 * above); free it with certs_free(). */
static inline char *
certs_new (const char *ca_name)
{
  char *folder = g_dir_make_tmp ("sipservlet-certs-XXXXXX", NULL);
  ck_assert_ptr_nonnull (folder);
  g_autofree char *ca = g_strdup_printf ("req -x509 " CERTS_EC_KEY " -keyout ca.key -out ca.pem "
                                         "-days 2 -subj /CN=%s", ca_name);
  certs_openssl (folder, ca);
  certs_openssl (folder, "req " CERTS_EC_KEY " -keyout server.key -out server.csr "
                         "-subj /CN=127.0.0.1");
  g_autofree char *ext = g_build_filename (folder, "ext.cnf", NULL);
  ck_assert (g_file_set_contents (ext, "subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\n", -1,
                                  NULL));
  certs_openssl (folder, "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                         "-out server.pem -days 2 -extfile ext.cnf");
  return folder;
}

static inline void
certs_remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        certs_remove_tree (path);
      else
        g_unlink (path);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

/* Removes the folder and everything in it; NULL does nothing. */
static inline void
certs_free (char *folder)
{
  if (folder == NULL)
    return;
  certs_remove_tree (folder);
  g_free (folder);
}
