/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - location service: bindings, store wrapper and the
 * RFC 3261 section 10.3 update rules. */
#include "config-private.h"

#include <string.h>

#include "location-private.h"

G_DEFINE_QUARK (sipservlet-location-error-quark, sipservlet_location_error)

/* ------------------------------------------------------------------------ */
/* Bindings                                                                  */
/* ------------------------------------------------------------------------ */

SipLocationBinding *
sipservlet_location_binding_copy (const SipLocationBinding *binding)
{
  SipLocationBinding *copy;

  g_return_val_if_fail (binding != NULL, NULL);
  g_return_val_if_fail (sip_location_binding_is_valid (binding), NULL);

  copy = g_new0 (SipLocationBinding, 1);
  copy->struct_size = sizeof (SipLocationBinding);
  copy->aor = g_strdup (binding->aor);
  copy->contact_uri = g_strdup (binding->contact_uri);
  copy->contact_text = g_strdup (binding->contact_text);
  copy->expires_at = binding->expires_at;
  copy->registered_at = binding->registered_at;
  copy->q = binding->q;
  copy->call_id = g_strdup (binding->call_id);
  copy->cseq = binding->cseq;
  copy->instance_id = g_strdup (binding->instance_id);
  copy->reg_id = binding->reg_id;
  copy->path = g_strdupv (binding->path);
  copy->source = g_strdup (binding->source);
  copy->user_agent = g_strdup (binding->user_agent);
  return copy;
}

void
sipservlet_location_binding_free (SipLocationBinding *binding)
{
  if (binding == NULL)
    return;
  g_return_if_fail (sip_location_binding_is_valid (binding));

  g_free (binding->aor);
  g_free (binding->contact_uri);
  g_free (binding->contact_text);
  g_free (binding->call_id);
  g_free (binding->instance_id);
  g_strfreev (binding->path);
  g_free (binding->source);
  g_free (binding->user_agent);
  g_free (binding);
}

/* ------------------------------------------------------------------------ */
/* Stores                                                                    */
/* ------------------------------------------------------------------------ */

struct _SipLocationStore {
  gatomicrefcount ref_count;
  SipLocationStoreVTable vtable;
  gpointer data;
};

SipLocationStore *
sipservlet_location_store_new (const SipLocationStoreVTable *vtable,
                               gpointer store_data,
                               GError **error)
{
  SipLocationStore *store;

  g_return_val_if_fail (vtable != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (vtable->struct_size > sizeof (SipLocationStoreVTable)) {
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "Location store vtable has %" G_GSIZE_FORMAT " bytes, more than the %"
                 G_GSIZE_FORMAT " this library knows: the store needs a newer libsipservlet",
                 vtable->struct_size, sizeof (SipLocationStoreVTable));
    return NULL;
  }
  /* Every member of the first version is present in any valid table;
   * count_bindings came later and may be missing. */
  if (vtable->struct_size < G_STRUCT_OFFSET (SipLocationStoreVTable, count_bindings)) {
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "Location store vtable has %" G_GSIZE_FORMAT " bytes, fewer than the %"
                 G_GSIZE_FORMAT " expected: declare it with SIPSERVLET_LOCATION_STORE_VTABLE_INIT",
                 vtable->struct_size,
                 (gsize) G_STRUCT_OFFSET (SipLocationStoreVTable, count_bindings));
    return NULL;
  }
  if (vtable->lookup == NULL || vtable->replace_aor == NULL ||
      vtable->purge_expired == NULL || vtable->count_aors == NULL) {
    g_set_error_literal (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                         "Location store vtable lacks a mandatory function "
                         "(lookup, replace_aor, purge_expired or count_aors)");
    return NULL;
  }

  store = g_new0 (SipLocationStore, 1);
  g_atomic_ref_count_init (&store->ref_count);
  memcpy (&store->vtable, vtable, vtable->struct_size);
  store->data = store_data;
  return store;
}

SipLocationStore *
sipservlet_location_store_ref (SipLocationStore *store)
{
  g_return_val_if_fail (store != NULL, NULL);

  g_atomic_ref_count_inc (&store->ref_count);
  return store;
}

void
sipservlet_location_store_unref (SipLocationStore *store)
{
  if (store == NULL)
    return;
  if (!g_atomic_ref_count_dec (&store->ref_count))
    return;

  if (store->vtable.destroy != NULL)
    store->vtable.destroy (store->data);
  g_free (store);
}

/* Reads the live bindings of aor from the store, in the store's order.
 * NULL when the store cannot be read. */
static GPtrArray *
store_lookup (SipLocationStore *store, const char *aor, gint64 now)
{
  GPtrArray *stored;
  GPtrArray *result;

  stored = store->vtable.lookup (store->data, aor, now);
  if (stored == NULL)
    return NULL;

  /* The store's array and its bindings are ours (transfer full): the
   * bindings kept move to the result without a copy. */
  guint n = stored->len;
  gpointer *items = g_ptr_array_steal (stored, NULL);
  g_ptr_array_unref (stored);
  result = g_ptr_array_new_full (n, (GDestroyNotify) sipservlet_location_binding_free);
  for (guint i = 0; i < n; i++) {
    SipLocationBinding *binding = items[i];

    if (!sip_location_binding_is_valid (binding)) {
      /* Not ours to free either: it has not the shape free() expects. */
      g_critical ("Location store returned an invalid binding for %s", aor);
      continue;
    }
    /* Stores are asked to filter; never trust it with expiry. */
    if (!sip_location_binding_is_live (binding, now)) {
      sipservlet_location_binding_free (binding);
      continue;
    }
    g_ptr_array_add (result, binding);
  }
  g_free (items);
  return result;
}

/* Writes bindings as the new set of aor; wraps a failure as a STORE error. */
static gboolean
store_replace (SipLocationStore *store, const char *aor, GPtrArray *bindings, GError **error)
{
  GError *cause = NULL;

  if (store->vtable.replace_aor (store->data, aor, bindings, &cause))
    return TRUE;

  g_set_error (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_STORE,
               "Location store failed to write the bindings of %s: %s",
               aor, cause != NULL ? cause->message : "unknown error");
  g_clear_error (&cause);
  return FALSE;
}

static void
set_store_read_error (GError **error, const char *aor)
{
  g_set_error (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_STORE,
               "Location store failed to read the bindings of %s", aor);
}

/* ------------------------------------------------------------------------ */
/* Service                                                                   */
/* ------------------------------------------------------------------------ */

struct _SipLocationService {
  gatomicrefcount ref_count;
  SipLocationStore *store;
  guint max_contacts;           /* 0: no limit */
};

SipLocationService *
sipservlet_location_service_new (SipLocationStore *store)
{
  SipLocationService *service;

  g_return_val_if_fail (store != NULL, NULL);

  service = g_new0 (SipLocationService, 1);
  g_atomic_ref_count_init (&service->ref_count);
  service->store = sipservlet_location_store_ref (store);
  return service;
}

SipLocationService *
sipservlet_location_service_ref (SipLocationService *service)
{
  g_return_val_if_fail (service != NULL, NULL);

  g_atomic_ref_count_inc (&service->ref_count);
  return service;
}

void
sipservlet_location_service_unref (SipLocationService *service)
{
  if (service == NULL)
    return;
  if (!g_atomic_ref_count_dec (&service->ref_count))
    return;

  sipservlet_location_store_unref (service->store);
  g_free (service);
}

void
sipservlet_location_service_set_max_contacts (SipLocationService *service, guint max_contacts)
{
  g_return_if_fail (service != NULL);
  service->max_contacts = max_contacts;
}

SipLocationStore *
sipservlet_location_service_get_store (SipLocationService *service)
{
  g_return_val_if_fail (service != NULL, NULL);

  return service->store;
}

/* A contact without q ranks as q=1.0 (RFC 3261 section 16.6 uses the same
 * default when the proxy forks). */
static gdouble
effective_q (const SipLocationBinding *binding)
{
  return binding->q < 0.0 ? 1.0 : binding->q;
}

/* Higher q first, then the most recent registration first. The sort is
 * stable, so the store order (most recent REGISTER first, then Contact
 * header order) breaks the remaining ties. */
static gint
compare_bindings (gconstpointer pa, gconstpointer pb)
{
  const SipLocationBinding *a = *(SipLocationBinding *const *) pa;
  const SipLocationBinding *b = *(SipLocationBinding *const *) pb;
  gdouble qa = effective_q (a);
  gdouble qb = effective_q (b);

  if (qa != qb)
    return qa > qb ? -1 : 1;
  if (a->registered_at != b->registered_at)
    return a->registered_at > b->registered_at ? -1 : 1;
  return 0;
}

GPtrArray *
sipservlet_location_service_lookup (SipLocationService *service, const char *aor, gint64 now)
{
  GPtrArray *bindings;

  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (aor != NULL, NULL);

  bindings = store_lookup (service->store, aor, now);
  if (bindings == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_location_binding_free);

  /* g_ptr_array_sort() is stable (GLib >= 2.32). */
  g_ptr_array_sort (bindings, compare_bindings);
  return bindings;
}

/* Does the stored binding designate the same contact as the update: same
 * URI, or same RFC 5626 instance-id and reg-id (a new flow of the same
 * instance replaces the old one)? */
static gboolean
update_matches (const SipLocationUpdate *update, const SipLocationBinding *binding)
{
  if (g_strcmp0 (binding->contact_uri, update->contact_uri) == 0)
    return TRUE;
  return update->instance_id != NULL && update->reg_id > 0 &&
         binding->reg_id == update->reg_id &&
         g_strcmp0 (binding->instance_id, update->instance_id) == 0;
}

/* RFC 3261 section 10.3 steps 6 and 7: a request that reuses the Call-ID of
 * a binding must carry a higher CSeq. */
static gboolean
is_out_of_order (const SipLocationBinding *binding, const char *call_id, guint32 cseq)
{
  return g_strcmp0 (binding->call_id, call_id) == 0 && cseq <= binding->cseq;
}

static void
set_out_of_order_error (GError **error, const char *aor, const char *contact, guint32 cseq,
                        guint32 stored_cseq)
{
  g_set_error (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER,
               "REGISTER for %s with CSeq %" G_GUINT32_FORMAT " is out of order: "
               "binding %s has the same Call-ID and CSeq %" G_GUINT32_FORMAT,
               aor, cseq, contact != NULL ? contact : "(null)", stored_cseq);
}

static SipLocationBinding *
binding_from_update (const SipLocationUpdate *update, const char *aor, const char *call_id,
                     guint32 cseq, gint64 now)
{
  SipLocationBinding *binding = g_new0 (SipLocationBinding, 1);

  binding->struct_size = sizeof (SipLocationBinding);
  binding->aor = g_strdup (aor);
  binding->contact_uri = g_strdup (update->contact_uri);
  if (update->contact_text != NULL)
    binding->contact_text = g_strdup (update->contact_text);
  else
    binding->contact_text = g_strdup_printf ("<%s>", update->contact_uri);
  binding->expires_at = now + (gint64) update->expires;
  binding->registered_at = now;
  binding->q = update->q < 0.0 ? -1.0 : update->q;
  binding->call_id = g_strdup (call_id);
  binding->cseq = cseq;
  binding->instance_id = g_strdup (update->instance_id);
  binding->reg_id = update->reg_id;
  binding->path = g_strdupv ((char **) update->path);
  binding->source = g_strdup (update->source);
  binding->user_agent = g_strdup (update->user_agent);
  return binding;
}

static gboolean
validate_update (const SipLocationUpdate *update, gsize index, GError **error)
{
  if (update->contact_uri[0] == '\0') {
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "Location update %" G_GSIZE_FORMAT " has an empty contact URI", index);
    return FALSE;
  }
  /* Written so that NaN fails too. */
  if (!(update->q <= 1.0) && !(update->q < 0.0)) {
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "Location update %" G_GSIZE_FORMAT " (%s) has q=%g, above 1.0",
                 index, update->contact_uri, update->q);
    return FALSE;
  }
  return TRUE;
}

/* Removes from bindings, keeping the order of the others, every binding the
 * update matches. When check_order is set, fails (removing nothing more)
 * on a binding the update may not touch. */
static gboolean
remove_matches (GPtrArray *bindings, const SipLocationUpdate *update, gboolean check_order,
                const char *aor, const char *call_id, guint32 cseq, gboolean *changed,
                GError **error)
{
  for (guint i = bindings->len; i > 0; i--) {
    const SipLocationBinding *binding = g_ptr_array_index (bindings, i - 1);

    if (!update_matches (update, binding))
      continue;
    if (check_order && is_out_of_order (binding, call_id, cseq)) {
      set_out_of_order_error (error, aor, binding->contact_uri, cseq, binding->cseq);
      return FALSE;
    }
    g_ptr_array_remove_index (bindings, i - 1);
    *changed = TRUE;
  }
  return TRUE;
}

gboolean
sipservlet_location_service_apply (SipLocationService *service,
                                   const char *aor,
                                   const char *call_id,
                                   guint32 cseq,
                                   const SipLocationUpdate *updates,
                                   gsize n_updates,
                                   gint64 now,
                                   GError **error)
{
  GPtrArray *kept;  /* stored bindings not touched (yet), store order */
  GPtrArray *fresh; /* bindings written by this request, Contact order */
  gboolean changed = FALSE;
  gboolean ok;

  g_return_val_if_fail (service != NULL, FALSE);
  g_return_val_if_fail (aor != NULL, FALSE);
  g_return_val_if_fail (call_id != NULL, FALSE);
  g_return_val_if_fail (updates != NULL || n_updates == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  for (gsize i = 0; i < n_updates; i++)
    g_return_val_if_fail (updates[i].contact_uri != NULL, FALSE);

  for (gsize i = 0; i < n_updates; i++)
    if (!validate_update (&updates[i], i, error))
      return FALSE;
  if (n_updates == 0)
    return TRUE;

  kept = store_lookup (service->store, aor, now);
  if (kept == NULL) {
    set_store_read_error (error, aor);
    return FALSE;
  }
  guint stored_count = kept->len;
  fresh = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_location_binding_free);

  /* Work on copies: an error anywhere leaves the store untouched. Only
   * bindings that were stored before this request are checked against its
   * Call-ID and CSeq; a contact repeated in the request replaces its own
   * earlier entry. */
  for (gsize i = 0; i < n_updates; i++) {
    const SipLocationUpdate *update = &updates[i];

    if (!remove_matches (kept, update, TRUE, aor, call_id, cseq, &changed, error)) {
      g_ptr_array_unref (kept);
      g_ptr_array_unref (fresh);
      return FALSE;
    }
    remove_matches (fresh, update, FALSE, aor, call_id, cseq, &changed, NULL);
    if (update->expires > 0) {
      g_ptr_array_add (fresh, binding_from_update (update, aor, call_id, cseq, now));
      changed = TRUE;
    }
  }

  if (!changed) {
    g_ptr_array_unref (kept);
    g_ptr_array_unref (fresh);
    return TRUE;
  }

  /* New set: this request's bindings first, then the untouched ones, so
   * the store order goes from the most to the least recent registration. */
  g_ptr_array_extend_and_steal (fresh, kept);
  if (service->max_contacts > 0 && fresh->len > service->max_contacts
      && fresh->len > stored_count) {
    g_set_error (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS,
                 "%s would have %u contacts, more than the %u allowed", aor, fresh->len,
                 service->max_contacts);
    g_ptr_array_unref (fresh);
    return FALSE;
  }
  ok = store_replace (service->store, aor, fresh, error);
  g_ptr_array_unref (fresh);
  return ok;
}

gboolean
sipservlet_location_service_remove_all (SipLocationService *service,
                                        const char *aor,
                                        const char *call_id,
                                        guint32 cseq,
                                        gint64 now,
                                        GError **error)
{
  GPtrArray *bindings;
  gboolean ok;

  g_return_val_if_fail (service != NULL, FALSE);
  g_return_val_if_fail (aor != NULL, FALSE);
  g_return_val_if_fail (call_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bindings = store_lookup (service->store, aor, now);
  if (bindings == NULL) {
    set_store_read_error (error, aor);
    return FALSE;
  }
  if (bindings->len == 0) {
    g_ptr_array_unref (bindings);
    return TRUE;
  }
  for (guint i = 0; i < bindings->len; i++) {
    const SipLocationBinding *binding = g_ptr_array_index (bindings, i);

    if (is_out_of_order (binding, call_id, cseq)) {
      set_out_of_order_error (error, aor, binding->contact_uri, cseq, binding->cseq);
      g_ptr_array_unref (bindings);
      return FALSE;
    }
  }

  g_ptr_array_set_size (bindings, 0);
  ok = store_replace (service->store, aor, bindings, error);
  g_ptr_array_unref (bindings);
  return ok;
}

guint
sipservlet_location_service_purge_expired (SipLocationService *service, gint64 now)
{
  SipLocationStore *store;

  g_return_val_if_fail (service != NULL, 0);

  store = service->store;
  return store->vtable.purge_expired (store->data, now);
}

guint
sipservlet_location_service_count_aors (SipLocationService *service)
{
  SipLocationStore *store;

  g_return_val_if_fail (service != NULL, 0);

  store = service->store;
  return store->vtable.count_aors (store->data);
}

gboolean
sipservlet_location_service_count_bindings (SipLocationService *service, gint64 now,
                                            guint *count)
{
  SipLocationStore *store;

  g_return_val_if_fail (service != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  store = service->store;
  if (store->vtable.count_bindings == NULL)
    return FALSE;
  *count = store->vtable.count_bindings (store->data, now);
  return TRUE;
}
