/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - in-memory location store.
 *
 * A hash table from AOR to an array of bindings, in the order given by the
 * last replace_aor. Lookups copy the live bindings of one AOR; expired
 * bindings stay until purge_expired. */
#include "config-private.h"

#include "location-private.h"

typedef struct {
  GHashTable *aors; /* char *aor -> GPtrArray of SipLocationBinding */
} MemoryStore;

static GPtrArray *
memory_lookup (gpointer store_data, const char *aor, gint64 now)
{
  MemoryStore *self = store_data;
  GPtrArray *stored = g_hash_table_lookup (self->aors, aor);
  GPtrArray *result;

  result = g_ptr_array_new_full (stored != NULL ? stored->len : 0,
                                 (GDestroyNotify) sipservlet_location_binding_free);
  if (stored == NULL)
    return result;

  for (guint i = 0; i < stored->len; i++) {
    const SipLocationBinding *binding = g_ptr_array_index (stored, i);

    if (sip_location_binding_is_live (binding, now))
      g_ptr_array_add (result, sipservlet_location_binding_copy (binding));
  }
  return result;
}

static gboolean
memory_replace_aor (gpointer store_data, const char *aor, GPtrArray *bindings, GError **error)
{
  MemoryStore *self = store_data;
  GPtrArray *copy;

  if (bindings->len == 0) {
    g_hash_table_remove (self->aors, aor);
    return TRUE;
  }

  /* Check everything before changing anything. */
  for (guint i = 0; i < bindings->len; i++) {
    if (!sip_location_binding_is_valid (g_ptr_array_index (bindings, i))) {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "Binding %u of %s is NULL or has a wrong struct_size", i, aor);
      return FALSE;
    }
  }

  copy = g_ptr_array_new_full (bindings->len, (GDestroyNotify) sipservlet_location_binding_free);
  for (guint i = 0; i < bindings->len; i++)
    g_ptr_array_add (copy, sipservlet_location_binding_copy (g_ptr_array_index (bindings, i)));
  g_hash_table_replace (self->aors, g_strdup (aor), copy);
  return TRUE;
}

static guint
memory_purge_expired (gpointer store_data, gint64 now)
{
  MemoryStore *self = store_data;
  GHashTableIter iter;
  gpointer value;
  guint removed = 0;

  g_hash_table_iter_init (&iter, self->aors);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    GPtrArray *bindings = value;

    /* Backwards, with the order-keeping removal: lookups rely on it. */
    for (guint i = bindings->len; i > 0; i--) {
      if (!sip_location_binding_is_live (g_ptr_array_index (bindings, i - 1), now)) {
        g_ptr_array_remove_index (bindings, i - 1);
        removed++;
      }
    }
    if (bindings->len == 0)
      g_hash_table_iter_remove (&iter);
  }
  return removed;
}

static guint
memory_count_aors (gpointer store_data)
{
  MemoryStore *self = store_data;

  return g_hash_table_size (self->aors);
}

static guint
memory_count_bindings (gpointer store_data, gint64 now)
{
  MemoryStore *self = store_data;
  GHashTableIter iter;
  gpointer value;
  guint live = 0;

  g_hash_table_iter_init (&iter, self->aors);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    GPtrArray *bindings = value;

    for (guint i = 0; i < bindings->len; i++)
      if (sip_location_binding_is_live (g_ptr_array_index (bindings, i), now))
        live++;
  }
  return live;
}

static void
memory_destroy (gpointer store_data)
{
  MemoryStore *self = store_data;

  g_hash_table_unref (self->aors);
  g_free (self);
}

static const SipLocationStoreVTable memory_vtable = {
  SIPSERVLET_LOCATION_STORE_VTABLE_INIT,
  .lookup = memory_lookup,
  .replace_aor = memory_replace_aor,
  .purge_expired = memory_purge_expired,
  .count_aors = memory_count_aors,
  .destroy = memory_destroy,
  .count_bindings = memory_count_bindings,
};

SipLocationStore *
sipservlet_location_store_new_memory (void)
{
  MemoryStore *self = g_new0 (MemoryStore, 1);
  SipLocationStore *store;

  self->aors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  store = sipservlet_location_store_new (&memory_vtable, self, NULL);
  g_assert (store != NULL);
  return store;
}
