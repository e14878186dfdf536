/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - credential stores: the interface the verifier asks for
 * HA1 hashes, and the file store (htdigest lines with an optional SHA-256
 * field). */
#include "config-private.h"

#include <string.h>

#include "auth-private.h"

struct _SipCredentialStore
{
  gatomicrefcount ref_count;
  SipCredentialStoreFuncs funcs;
  gpointer data;
  GDestroyNotify destroy;
};

SipsvAuthStore *
sipsv_auth_store_new (const SipCredentialStoreFuncs *funcs, gpointer store_data,
                      GDestroyNotify destroy)
{
  SipsvAuthStore *store = g_new0 (SipsvAuthStore, 1);

  g_atomic_ref_count_init (&store->ref_count);
  store->funcs = *funcs;
  store->data = store_data;
  store->destroy = destroy;
  return store;
}

SipsvAuthStore *
sipsv_auth_store_ref (SipsvAuthStore *store)
{
  g_atomic_ref_count_inc (&store->ref_count);
  return store;
}

void
sipsv_auth_store_unref (SipsvAuthStore *store)
{
  if (store == NULL || !g_atomic_ref_count_dec (&store->ref_count))
    return;
  if (store->destroy != NULL)
    store->destroy (store->data);
  g_free (store);
}

SipCredentialStore *
sipservlet_credential_store_new (const SipCredentialStoreFuncs *funcs, gpointer store_data,
                                 GDestroyNotify destroy)
{
  g_return_val_if_fail (funcs != NULL, NULL);
  g_return_val_if_fail (funcs->lookup != NULL && funcs->get_algorithms != NULL, NULL);
  return sipsv_auth_store_new (funcs, store_data, destroy);
}

SipCredentialStore *
sipservlet_credential_store_ref (SipCredentialStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);
  return sipsv_auth_store_ref (store);
}

void
sipservlet_credential_store_unref (SipCredentialStore *store)
{
  sipsv_auth_store_unref (store);
}

/* The module's file errors become the public INVALID_ARGUMENT, keeping
 * their "FILE:LINE: " message. */
static gboolean
public_error (gboolean ok, GError **error)
{
  if (!ok && error != NULL && *error != NULL && (*error)->domain == SIPSV_AUTH_ERROR)
    {
      (*error)->domain = SIPSERVLET_ERROR;
      (*error)->code = SIPSERVLET_ERROR_INVALID_ARGUMENT;
    }
  return ok;
}

SipCredentialStore *
sipservlet_credential_store_new_from_file (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  SipsvAuthStore *store = sipsv_auth_file_store_new (path, error);
  public_error (store != NULL, error);
  return store;
}

gboolean
sipservlet_credential_store_reload (SipCredentialStore *store, GError **error)
{
  g_return_val_if_fail (store != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return public_error (sipsv_auth_store_reload (store, error), error);
}

char *
sipsv_auth_store_lookup (SipsvAuthStore *store, const char *user, const char *realm,
                         SipsvAuthAlgorithm algorithm)
{
  return store->funcs.lookup (store->data, user, realm, algorithm);
}

guint
sipsv_auth_store_algorithms (SipsvAuthStore *store)
{
  return store->funcs.get_algorithms (store->data) & SIPSV_AUTH_ALGORITHMS_ALL;
}

gboolean
sipsv_auth_store_reload (SipsvAuthStore *store, GError **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (store->funcs.reload == NULL)
    return TRUE;
  return store->funcs.reload (store->data, error);
}

/* ------------------------------------------------------------------------ */
/* File store                                                                */
/* ------------------------------------------------------------------------ */

typedef struct
{
  char *ha1[SIPSV_AUTH_N_ALGORITHMS]; /* lowercase hex, NULL when absent */
  guint line;
} FileEntry;

typedef struct
{
  char *path;
  GHashTable *entries; /* "user:realm" -> FileEntry (neither may hold ':') */
  guint algorithms;
} FileStore;

static void
file_entry_free (gpointer data)
{
  FileEntry *entry = data;

  for (guint i = 0; i < SIPSV_AUTH_N_ALGORITHMS; i++)
    sipsv_auth_free_secret (entry->ha1[i]);
  g_free (entry);
}

/* A hash field of line @number: empty (NULL, TRUE), or @algorithm's hex
 * digest, lowercased. */
static gboolean
parse_hash (const char *path, guint number, const char *field, SipsvAuthAlgorithm algorithm,
            char **out, GError **error)
{
  gsize length = sipsv_auth_algorithm_hex_length (algorithm);

  *out = NULL;
  if (field[0] == '\0')
    return TRUE;
  if (!sipsv_auth_is_hex (field, length))
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE,
                   "%s:%u: the %s hash must be %" G_GSIZE_FORMAT " hex digits", path, number,
                   sipsv_auth_algorithm_name (algorithm), length);
      return FALSE;
    }
  *out = g_ascii_strdown (field, -1);
  return TRUE;
}

/* Parses line @number (stripped, neither blank nor a comment) into a new
 * entry of @entries. */
static gboolean
parse_line (const char *path, guint number, const char *line, GHashTable *entries, GError **error)
{
  g_auto (GStrv) fields = g_strsplit (line, ":", -1);
  guint n = g_strv_length (fields);
  FileEntry *entry;
  const FileEntry *first;
  char *key;

  if (n != 3 && n != 4)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE,
                   "%s:%u: expected user:realm:MD5-HA1[:SHA-256-HA1], found %u fields", path,
                   number, n);
      return FALSE;
    }
  if (fields[0][0] == '\0' || fields[1][0] == '\0')
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE, "%s:%u: empty %s", path, number,
                   fields[0][0] == '\0' ? "user" : "realm");
      return FALSE;
    }
  key = g_strconcat (fields[0], ":", fields[1], NULL);
  first = g_hash_table_lookup (entries, key);
  if (first != NULL)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE,
                   "%s:%u: user '%s' of realm '%s' is already on line %u", path, number, fields[0],
                   fields[1], first->line);
      g_free (key);
      return FALSE;
    }
  entry = g_new0 (FileEntry, 1);
  entry->line = number;
  g_hash_table_insert (entries, key, entry);
  if (!parse_hash (path, number, fields[2], SIPSV_AUTH_MD5, &entry->ha1[SIPSV_AUTH_MD5], error)
      || (n == 4
          && !parse_hash (path, number, fields[3], SIPSV_AUTH_SHA256,
                          &entry->ha1[SIPSV_AUTH_SHA256], error)))
    return FALSE;
  if (entry->ha1[SIPSV_AUTH_MD5] == NULL && entry->ha1[SIPSV_AUTH_SHA256] == NULL)
    {
      g_set_error (error, SIPSV_AUTH_ERROR, SIPSV_AUTH_ERROR_FILE, "%s:%u: no hash", path, number);
      return FALSE;
    }
  return TRUE;
}

/* The algorithms to offer for @entries (auth-private.h,
 * sipsv_auth_file_store_new()). */
static guint
default_algorithms (GHashTable *entries)
{
  guint every = SIPSV_AUTH_ALGORITHMS_ALL;
  guint some = 0;
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (entries) == 0)
    return SIPSV_AUTH_ALGORITHM_BIT (SIPSV_AUTH_MD5);
  g_hash_table_iter_init (&iter, entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const FileEntry *entry = value;
      guint has = 0;

      for (guint i = 0; i < SIPSV_AUTH_N_ALGORITHMS; i++)
        {
          if (entry->ha1[i] != NULL)
            has |= SIPSV_AUTH_ALGORITHM_BIT (i);
        }
      every &= has;
      some |= has;
    }
  return every != 0 ? every : some;
}

/* Reads @path into a new table; NULL with @error set on the first problem. */
static GHashTable *
read_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  GHashTable *entries;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, file_entry_free);
  lines = g_strsplit (contents, "\n", -1);
  explicit_bzero (contents, strlen (contents));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (line[0] == '\0' || line[0] == '#')
        continue;
      if (!parse_line (path, i + 1, line, entries, error))
        {
          g_hash_table_unref (entries);
          entries = NULL;
          break;
        }
    }
  for (guint i = 0; lines[i] != NULL; i++)
    explicit_bzero (lines[i], strlen (lines[i]));
  return entries;
}

static char *
file_lookup (gpointer store_data, const char *user, const char *realm, SipsvAuthAlgorithm algorithm)
{
  FileStore *self = store_data;
  g_autofree char *key = g_strconcat (user, ":", realm, NULL);
  const FileEntry *entry = g_hash_table_lookup (self->entries, key);

  return entry != NULL ? g_strdup (entry->ha1[algorithm]) : NULL;
}

static guint
file_algorithms (gpointer store_data)
{
  FileStore *self = store_data;

  return self->algorithms;
}

static gboolean
file_reload (gpointer store_data, GError **error)
{
  FileStore *self = store_data;
  GHashTable *entries = read_file (self->path, error);

  if (entries == NULL)
    return FALSE;
  g_hash_table_unref (self->entries);
  self->entries = entries;
  self->algorithms = default_algorithms (entries);
  return TRUE;
}

static void
file_destroy (gpointer store_data)
{
  FileStore *self = store_data;

  g_hash_table_unref (self->entries);
  g_free (self->path);
  g_free (self);
}

SipsvAuthStore *
sipsv_auth_file_store_new (const char *path, GError **error)
{
  static const SipCredentialStoreFuncs funcs = {
    .lookup = file_lookup,
    .get_algorithms = file_algorithms,
    .reload = file_reload,
  };
  GHashTable *entries;
  FileStore *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = read_file (path, error);
  if (entries == NULL)
    return NULL;
  self = g_new0 (FileStore, 1);
  self->path = g_strdup (path);
  self->entries = entries;
  self->algorithms = default_algorithms (entries);
  return sipsv_auth_store_new (&funcs, self, file_destroy);
}
