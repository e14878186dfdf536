/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - location service: registrar bindings.
 *
 * A #SipLocationService keeps, for each address-of-record (AOR), the set of
 * contacts registered for it (RFC 3261 section 10.3), with the RFC 5626
 * +sip.instance/reg-id pair and the RFC 3327 Path of each binding. It does
 * not parse SIP: the registrar servlet parses the REGISTER, canonicalises
 * the AOR and the Contact URIs, and hands the service plain strings.
 *
 * Time is always a parameter (@now, in seconds): the service never reads a
 * clock, so the caller chooses between monotonic and wall-clock time and
 * tests control it. Use the same clock for every call on one service.
 *
 * Bindings live in a #SipLocationStore. The library provides an in-memory
 * store (sipservlet_location_store_new_memory()); other stores (SQLite,
 * Redis...) implement #SipLocationStoreVTable. Store calls are synchronous;
 * an asynchronous variant of the store interface will be added for remote
 * stores.
 *
 * Threading: a #SipLocationService and its #SipLocationStore are not
 * thread-safe. They are used from the container thread only; one service
 * may be shared by the servlets of one container. Only _ref()/_unref() are
 * atomic.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * SIPSERVLET_LOCATION_ERROR:
 *
 * Error domain of the location service. Errors in this domain are from the
 * #SipLocationError enumeration. Invalid arguments are reported in the
 * %SIPSERVLET_ERROR domain instead.
 */
#define SIPSERVLET_LOCATION_ERROR (sipservlet_location_error_quark ())

/**
 * SipLocationError:
 * @SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER: the request carries the Call-ID
 *   of a stored binding with a CSeq that is not higher than the stored one
 *   (RFC 3261 section 10.3 steps 6 and 7). Nothing was changed; the
 *   registrar answers 500 (Server Internal Error).
 * @SIPSERVLET_LOCATION_ERROR_STORE: the #SipLocationStore failed to read or
 *   write the bindings. The message includes the store's own error message.
 *   Nothing was changed, provided the store honours its atomicity contract.
 * @SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS: the request would leave the
 *   address-of-record with more bindings than
 *   sipservlet_location_service_set_max_contacts() allows. Nothing was
 *   changed; a registrar answers 403 (Kamailio's max_contacts).
 *
 * Error codes of the %SIPSERVLET_LOCATION_ERROR domain.
 */
typedef enum {
  SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER,
  SIPSERVLET_LOCATION_ERROR_STORE,
  SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS,
} SipLocationError;

/**
 * sipservlet_location_error_quark:
 *
 * Returns: the #GQuark of the %SIPSERVLET_LOCATION_ERROR domain.
 */
SIPSERVLET_API GQuark sipservlet_location_error_quark (void);

/**
 * SipLocationClock:
 * @SIPSERVLET_LOCATION_CLOCK_MONOTONIC: seconds of g_get_monotonic_time():
 *   immune to changes of the wall clock
 * @SIPSERVLET_LOCATION_CLOCK_REAL: seconds since the epoch, of
 *   g_get_real_time(): what a store shared by several processes needs
 *
 * The clock a location service's user reads its @now from. The service
 * never reads a clock itself; the container's metrics need to know which
 * one (sipservlet_container_add_location_service()).
 */
typedef enum {
  SIPSERVLET_LOCATION_CLOCK_MONOTONIC,
  SIPSERVLET_LOCATION_CLOCK_REAL,
} SipLocationClock;

/**
 * SipLocationBinding:
 * @struct_size: size of the structure, set by
 *   %SIPSERVLET_LOCATION_BINDING_INIT; lets the structure grow in later
 *   versions. Must be at least sizeof (SipLocationBinding) as declared by
 *   this header.
 * @aor: the address-of-record, canonical text such as
 *   "sip:alice@example.com".
 * @contact_uri: the Contact URI, the text inside the angle brackets.
 *   Contacts are compared by exact string.
 * @contact_text: the full Contact header field value as registered, with
 *   its parameters, to be echoed back in the 200 (OK).
 * @expires_at: absolute expiry time in seconds, on the caller's clock. The
 *   binding is live while @expires_at is greater than the current time.
 * @registered_at: time of the REGISTER that created or last refreshed the
 *   binding, on the same clock; orders bindings of equal q.
 * @q: the q value between 0.0 and 1.0, or -1.0 when the contact had none.
 * @call_id: Call-ID of the REGISTER that created or last refreshed the
 *   binding.
 * @cseq: CSeq number of that REGISTER.
 * @instance_id: the +sip.instance value (RFC 5626), or %NULL.
 * @reg_id: the reg-id value (RFC 5626), or 0 when absent.
 * @path: (array zero-terminated=1) (nullable): the Path header field
 *   values of the REGISTER (RFC 3327), first one first, or %NULL.
 * @source: (nullable): where the REGISTER came from, such as
 *   "udp:192.0.2.1:5060", or %NULL.
 * @user_agent: (nullable): the User-Agent header field value, or %NULL.
 *
 * A plain value describing one binding. The strings and @path are owned by
 * the structure: sipservlet_location_binding_free() frees them with
 * g_free() and g_strfreev(). A binding that the caller builds by hand is
 * initialised with %SIPSERVLET_LOCATION_BINDING_INIT.
 */
struct _SipLocationBinding {
  gsize struct_size;
  char *aor;
  char *contact_uri;
  char *contact_text;
  gint64 expires_at;
  gint64 registered_at;
  gdouble q;
  char *call_id;
  guint32 cseq;
  char *instance_id;
  gint reg_id;
  char **path;
  char *source;
  char *user_agent;
};

/**
 * SIPSERVLET_LOCATION_BINDING_INIT:
 *
 * Designated initialiser of @struct_size for a #SipLocationBinding:
 *
 *     SipLocationBinding b = { SIPSERVLET_LOCATION_BINDING_INIT, .q = -1.0 };
 *
 * The other members are zero; remember that an absent q is -1.0, not 0.
 */
#define SIPSERVLET_LOCATION_BINDING_INIT .struct_size = sizeof (SipLocationBinding)

/**
 * sipservlet_location_binding_copy:
 * @binding: the binding to copy.
 *
 * Makes a deep copy of @binding: every string and the @path array are
 * duplicated. The copy's @struct_size is that of this version of the
 * library; members unknown to it are not copied.
 *
 * Returns: (transfer full): a new binding; free it with
 *   sipservlet_location_binding_free().
 */
SIPSERVLET_API SipLocationBinding *sipservlet_location_binding_copy (const SipLocationBinding *binding);

/**
 * sipservlet_location_binding_free:
 * @binding: (nullable) (transfer full): a binding allocated with g_malloc()
 *   (g_new0() or sipservlet_location_binding_copy()).
 *
 * Frees @binding, its strings and its @path array. Does nothing when
 * @binding is %NULL. Usable as a #GDestroyNotify.
 */
SIPSERVLET_API void sipservlet_location_binding_free (SipLocationBinding *binding);

/**
 * SipLocationStoreVTable:
 * @struct_size: size of the structure, set by
 *   %SIPSERVLET_LOCATION_STORE_VTABLE_INIT.
 * @lookup: returns the live bindings of @aor, those whose expires_at is
 *   greater than @now, in the order last given to @replace_aor (the
 *   service relies on it to order bindings of equal q and registration
 *   time). Returns (transfer full) a new #GPtrArray of
 *   #SipLocationBinding whose element free function is
 *   sipservlet_location_binding_free(); an empty array when @aor has no
 *   binding; %NULL when the store cannot be read. Mandatory.
 * @replace_aor: atomically replaces every binding of @aor by @bindings
 *   (transfer none: the store copies them or keeps a reference on the
 *   array; the service no longer modifies it). An empty array deletes
 *   @aor. On failure returns %FALSE, sets @error (any domain) and leaves
 *   the stored bindings unchanged. Mandatory.
 * @purge_expired: removes every binding whose expires_at is less than or
 *   equal to @now, and every AOR left without binding; returns the number
 *   of bindings removed. Mandatory.
 * @count_aors: returns the number of AORs held, including AORs whose
 *   bindings have all expired but were not purged yet. Mandatory.
 * @destroy: (nullable): frees the store data when the last reference to
 *   the #SipLocationStore is dropped.
 * @count_bindings: (nullable): returns the number of live bindings, those
 *   whose expires_at is greater than @now, over every AOR (the
 *   `sipservlet_registrations_bindings` metric). Optional: a table made
 *   before it existed leaves it out.
 *
 * The functions of a custom location store. The table is copied by
 * sipservlet_location_store_new(), so it may live on the stack. Declare it
 * with %SIPSERVLET_LOCATION_STORE_VTABLE_INIT so that a store compiled
 * against this header keeps working when later versions add members.
 *
 * Every call is synchronous and made from the thread that uses the
 * service. An asynchronous variant of this interface will be added for
 * remote stores.
 */
typedef struct {
  gsize struct_size;
  GPtrArray *(*lookup) (gpointer store_data, const char *aor, gint64 now);
  gboolean (*replace_aor) (gpointer store_data, const char *aor, GPtrArray *bindings, GError **error);
  guint (*purge_expired) (gpointer store_data, gint64 now);
  guint (*count_aors) (gpointer store_data);
  void (*destroy) (gpointer store_data);
  guint (*count_bindings) (gpointer store_data, gint64 now);
} SipLocationStoreVTable;

/**
 * SIPSERVLET_LOCATION_STORE_VTABLE_INIT:
 *
 * Designated initialiser of @struct_size for a #SipLocationStoreVTable:
 *
 *     static const SipLocationStoreVTable vtable = {
 *       SIPSERVLET_LOCATION_STORE_VTABLE_INIT,
 *       .lookup = my_lookup,
 *       ...
 *     };
 */
#define SIPSERVLET_LOCATION_STORE_VTABLE_INIT .struct_size = sizeof (SipLocationStoreVTable)

/**
 * sipservlet_location_store_new:
 * @vtable: the store functions; copied, so it need not outlive the call.
 * @store_data: (transfer full) (nullable): the store's private data,
 *   passed to every function of @vtable and to its @destroy.
 * @error: return location for a #GError, or %NULL.
 *
 * Creates a location store backed by custom functions.
 *
 * On failure @store_data is not taken over: @destroy is not called and the
 * caller still owns it.
 *
 * Returns: (transfer full) (nullable): a new store, or %NULL with @error
 *   set to %SIPSERVLET_ERROR_INVALID_ARGUMENT when @vtable's struct_size is
 *   larger than this library knows (the store was built against a newer
 *   header), too small, or a mandatory member is %NULL.
 */
SIPSERVLET_API SipLocationStore *sipservlet_location_store_new (const SipLocationStoreVTable *vtable,
                                                               gpointer store_data,
                                                               GError **error);

/**
 * sipservlet_location_store_new_memory:
 *
 * Creates a store that keeps the bindings in a hash table, in memory, for
 * the lifetime of the store. Lookups filter expired bindings out; they are
 * freed by sipservlet_location_service_purge_expired(), which the caller
 * runs from a timer.
 *
 * Returns: (transfer full): a new, empty store.
 */
SIPSERVLET_API SipLocationStore *sipservlet_location_store_new_memory (void);

/**
 * sipservlet_location_store_ref:
 * @store: a store.
 *
 * Adds a reference to @store. Atomic.
 *
 * Returns: (transfer full): @store.
 */
SIPSERVLET_API SipLocationStore *sipservlet_location_store_ref (SipLocationStore *store);

/**
 * sipservlet_location_store_unref:
 * @store: (nullable) (transfer full): a store.
 *
 * Drops a reference to @store; the last one calls the vtable's destroy
 * function and frees the store. Atomic. Does nothing when @store is %NULL.
 */
SIPSERVLET_API void sipservlet_location_store_unref (SipLocationStore *store);

/**
 * sipservlet_location_service_new:
 * @store: (transfer none): where the bindings are kept; the service takes
 *   its own reference.
 *
 * Creates a location service on top of @store. Several services may share
 * one store, from the same thread.
 *
 * Returns: (transfer full): a new location service.
 */
SIPSERVLET_API SipLocationService *sipservlet_location_service_new (SipLocationStore *store);

/**
 * sipservlet_location_service_ref:
 * @service: a location service.
 *
 * Adds a reference to @service. Atomic.
 *
 * Returns: (transfer full): @service.
 */
SIPSERVLET_API SipLocationService *sipservlet_location_service_ref (SipLocationService *service);

/**
 * sipservlet_location_service_unref:
 * @service: (nullable) (transfer full): a location service.
 *
 * Drops a reference to @service; the last one frees it and drops its
 * reference to the store. Atomic. Does nothing when @service is %NULL.
 */
SIPSERVLET_API void sipservlet_location_service_unref (SipLocationService *service);

/**
 * sipservlet_location_service_get_store:
 * @service: a location service.
 *
 * Returns: (transfer none): the store of @service.
 */
SIPSERVLET_API SipLocationStore *sipservlet_location_service_get_store (SipLocationService *service);

/**
 * sipservlet_location_service_lookup:
 * @service: a location service.
 * @aor: the canonical address-of-record.
 * @now: the current time in seconds, on the service's clock.
 *
 * Returns the live bindings of @aor (expires_at greater than @now), sorted
 * by q, highest first (a contact without q counts as 1.0), then by
 * registration time, most recent first; among bindings registered by the
 * same REGISTER, in the order of its Contact header fields. When the store
 * cannot be read, the array is empty (sipservlet_location_service_apply()
 * reports store failures).
 *
 * Returns: (transfer full) (element-type SipLocationBinding): a new array,
 *   possibly empty, never %NULL; its element free function is
 *   sipservlet_location_binding_free(), so g_ptr_array_unref() frees all.
 */
SIPSERVLET_API GPtrArray *sipservlet_location_service_lookup (SipLocationService *service,
                                                             const char *aor,
                                                             gint64 now);

/**
 * SipLocationUpdate:
 * @contact_uri: the Contact URI (the text inside the angle brackets),
 *   canonical; not %NULL nor empty.
 * @contact_text: (nullable): the whole Contact header field value, kept to
 *   be echoed back; %NULL stores "<@contact_uri>".
 * @expires: the granted duration in seconds (the registrar has already
 *   applied its minimum and maximum); 0 removes the binding.
 * @q: the q value between 0.0 and 1.0, or a negative value (-1.0) when the
 *   contact has none.
 * @instance_id: (nullable): the +sip.instance value (RFC 5626).
 * @reg_id: the reg-id value (RFC 5626), or 0 when absent.
 * @path: (array zero-terminated=1) (nullable): the Path header field
 *   values of the REGISTER (RFC 3327).
 * @source: (nullable): where the REGISTER came from, such as
 *   "udp:192.0.2.1:5060".
 * @user_agent: (nullable): the User-Agent header field value.
 *
 * One Contact of a REGISTER request, as given to
 * sipservlet_location_service_apply(). All strings are borrowed for the
 * duration of the call. Unlike #SipLocationBinding this structure has no
 * size member: it is passed in arrays and cannot grow without a new
 * function.
 */
typedef struct {
  const char *contact_uri;
  const char *contact_text;
  guint expires;
  gdouble q;
  const char *instance_id;
  gint reg_id;
  const char *const *path;
  const char *source;
  const char *user_agent;
} SipLocationUpdate;

/**
 * sipservlet_location_service_set_max_contacts:
 * @service: a location service.
 * @max_contacts: the most bindings one address-of-record may have; 0 for
 *   no limit (the default).
 *
 * Protects the store from a client that registers contact after contact.
 * A REGISTER that would leave an address-of-record with more bindings
 * than this fails with %SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS; one
 * that refreshes or removes bindings without adding any still succeeds
 * when the limit was lowered below what is stored.
 */
SIPSERVLET_API void sipservlet_location_service_set_max_contacts (SipLocationService *service,
                                                                  guint max_contacts);

/**
 * sipservlet_location_service_apply:
 * @service: a location service.
 * @aor: the canonical address-of-record the REGISTER is for.
 * @call_id: the Call-ID of the REGISTER.
 * @cseq: the CSeq number of the REGISTER.
 * @updates: (array length=n_updates): one entry per Contact header field.
 * @n_updates: number of entries in @updates; 0 changes nothing.
 * @now: the current time in seconds, on the service's clock.
 * @error: return location for a #GError, or %NULL.
 *
 * Applies the Contact header fields of one REGISTER (RFC 3261 section
 * 10.3 steps 6 to 8), all or nothing: either every update is committed
 * with a single write to the store or nothing changes.
 *
 * An update matches the stored binding with the same contact URI and, when
 * it has both an instance-id and a non-zero reg-id, the stored binding with
 * the same instance-id and reg-id, whose contact it then replaces
 * (RFC 5626 section 6). For each matching binding: when the Call-ID is the
 * binding's and @cseq is not higher than the binding's CSeq, the whole
 * request fails with %SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER; otherwise
 * the binding is removed when expires is 0 and replaced by the update
 * (new expiry, Call-ID, CSeq, q, path...) when it is not. An update that
 * matches nothing adds a binding when expires is not 0 and does nothing
 * when it is 0. A contact listed twice in one request takes the values of
 * its last entry.
 *
 * Returns: %TRUE on success. %FALSE with @error set to
 *   %SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER as above,
 *   %SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS above the limit of
 *   sipservlet_location_service_set_max_contacts(),
 *   %SIPSERVLET_LOCATION_ERROR_STORE when the store fails, or
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT when an update has an empty contact
 *   URI or a q above 1.0; in every failure case nothing was changed.
 */
SIPSERVLET_API gboolean sipservlet_location_service_apply (SipLocationService *service,
                                                           const char *aor,
                                                           const char *call_id,
                                                           guint32 cseq,
                                                           const SipLocationUpdate *updates,
                                                           gsize n_updates,
                                                           gint64 now,
                                                           GError **error);

/**
 * sipservlet_location_service_remove_all:
 * @service: a location service.
 * @aor: the canonical address-of-record.
 * @call_id: the Call-ID of the REGISTER.
 * @cseq: the CSeq number of the REGISTER.
 * @now: the current time in seconds, on the service's clock.
 * @error: return location for a #GError, or %NULL.
 *
 * Handles "Contact: *" with "Expires: 0" (RFC 3261 section 10.3 step 6):
 * removes every binding of @aor, unless a live binding has the Call-ID
 * @call_id with a CSeq greater than or equal to @cseq. Succeeds when @aor
 * has no binding.
 *
 * Returns: %TRUE on success. %FALSE with @error set to
 *   %SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER (nothing removed) or
 *   %SIPSERVLET_LOCATION_ERROR_STORE (nothing removed, provided the store
 *   is atomic).
 */
SIPSERVLET_API gboolean sipservlet_location_service_remove_all (SipLocationService *service,
                                                                const char *aor,
                                                                const char *call_id,
                                                                guint32 cseq,
                                                                gint64 now,
                                                                GError **error);

/**
 * sipservlet_location_service_purge_expired:
 * @service: a location service.
 * @now: the current time in seconds, on the service's clock.
 *
 * Removes from the store every binding whose expiry time is less than or
 * equal to @now, and every AOR left without binding. Run it from a timer;
 * lookups never return expired bindings even when they were not purged.
 *
 * Returns: the number of bindings removed.
 */
SIPSERVLET_API guint sipservlet_location_service_purge_expired (SipLocationService *service,
                                                                gint64 now);

/**
 * sipservlet_location_service_count_aors:
 * @service: a location service.
 *
 * Returns: the number of AORs in the store, including AORs whose bindings
 *   have all expired but were not purged yet.
 */
SIPSERVLET_API guint sipservlet_location_service_count_aors (SipLocationService *service);

/**
 * sipservlet_location_service_count_bindings:
 * @service: a #SipLocationService
 * @now: the current time, in seconds since the epoch
 * @count: (out): the number of live bindings over every AOR
 *
 * Counts the live bindings, when the store can (its @count_bindings).
 *
 * Returns: %TRUE when @count was set; %FALSE for a store that cannot count.
 */
SIPSERVLET_API gboolean sipservlet_location_service_count_bindings (SipLocationService *service,
                                                                    gint64 now, guint *count);

G_END_DECLS
