/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - stateless nonces (an HMAC over a per-instance secret)
 * and the table of (nonce, nc) pairs that refuses replays. */
#include "config-private.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "auth-private.h"

#define SECRET_LENGTH 32
#define MAC_LENGTH    16 /* bytes of HMAC-SHA-256 kept in a nonce */
#define NONCE_LENGTH  (16 + 16 + 2 * MAC_LENGTH)

struct _SipsvAuthNonces
{
  guint8 secret[SECRET_LENGTH];
  guint64 counter;
};

/* Fills @buffer with random bytes from the kernel. */
static void
random_bytes (void *buffer, gsize length)
{
  guint8 *p = buffer;

  while (length > 0)
    {
      gssize n = getrandom (p, length, 0);

      if (n < 0)
        {
          /* Only EINTR is possible once the pool is initialised; never
           * fall back to a weak generator for a secret. */
          g_assert (errno == EINTR);
          continue;
        }
      p += n;
      length -= (gsize) n;
    }
}

char *
sipsv_auth_random_hex (gsize bytes)
{
  guint8 *buffer = g_malloc (bytes);
  GString *hex = g_string_sized_new (2 * bytes);

  random_bytes (buffer, bytes);
  for (gsize i = 0; i < bytes; i++)
    g_string_append_printf (hex, "%02x", buffer[i]);
  g_free (buffer);
  return g_string_free (hex, FALSE);
}

SipsvAuthNonces *
sipsv_auth_nonces_new (void)
{
  SipsvAuthNonces *nonces = g_new0 (SipsvAuthNonces, 1);

  random_bytes (nonces->secret, sizeof nonces->secret);
  random_bytes (&nonces->counter, sizeof nonces->counter);
  return nonces;
}

void
sipsv_auth_nonces_free (SipsvAuthNonces *nonces)
{
  if (nonces == NULL)
    return;
  explicit_bzero (nonces, sizeof *nonces);
  g_free (nonces);
}

static void
put_be64 (guint8 *out, guint64 value)
{
  for (int i = 7; i >= 0; i--)
    {
      out[i] = (guint8) (value & 0xff);
      value >>= 8;
    }
}

/* The first MAC_LENGTH bytes of HMAC-SHA-256(secret, prefix || text) as
 * lowercase hex in @hex (2 * MAC_LENGTH + 1 bytes). */
static void
mac_hex (SipsvAuthNonces *nonces, const guint8 *prefix, gsize prefix_length, const char *text,
         char *hex)
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, nonces->secret, sizeof nonces->secret);
  guint8 digest[32];
  gsize digest_length = sizeof digest;

  g_hmac_update (hmac, prefix, (gssize) prefix_length);
  g_hmac_update (hmac, (const guchar *) text, -1);
  g_hmac_get_digest (hmac, digest, &digest_length);
  g_hmac_unref (hmac);
  for (gsize i = 0; i < MAC_LENGTH; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
}

static void
nonce_mac (SipsvAuthNonces *nonces, guint64 issued_at, guint64 counter, const char *realm,
           char *hex)
{
  guint8 prefix[16];

  put_be64 (prefix, issued_at);
  put_be64 (prefix + 8, counter);
  mac_hex (nonces, prefix, sizeof prefix, realm, hex);
}

char *
sipsv_auth_nonces_make (SipsvAuthNonces *nonces, const char *realm, gint64 now)
{
  guint64 counter = nonces->counter++;
  char mac[2 * MAC_LENGTH + 1];

  nonce_mac (nonces, (guint64) now, counter, realm, mac);
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x%s", (guint64) now,
                          counter, mac);
}

static guint64
parse_hex64 (const char *text)
{
  char digits[17];

  memcpy (digits, text, 16);
  digits[16] = '\0';
  return g_ascii_strtoull (digits, NULL, 16);
}

SipsvAuthNonceCheck
sipsv_auth_nonces_check (SipsvAuthNonces *nonces, const char *nonce, const char *realm, gint64 now,
                         guint lifetime, gint64 *issued_at)
{
  char mac[2 * MAC_LENGTH + 1];
  guint64 issued;

  if (!sipsv_auth_is_hex (nonce, NONCE_LENGTH))
    return SIPSV_AUTH_NONCE_INVALID;
  issued = parse_hex64 (nonce);
  nonce_mac (nonces, issued, parse_hex64 (nonce + 16), realm, mac);
  if (!sipsv_auth_equal_constant_time (nonce + 32, mac, 2 * MAC_LENGTH))
    return SIPSV_AUTH_NONCE_INVALID;
  if (issued_at != NULL)
    *issued_at = (gint64) issued;
  /* A nonce from the future (the clock went back) is ours and counts as
   * fresh; its replay entry then lives a little longer. */
  if (now > (gint64) issued && (guint64) (now - (gint64) issued) > lifetime)
    return SIPSV_AUTH_NONCE_EXPIRED;
  return SIPSV_AUTH_NONCE_VALID;
}

char *
sipsv_auth_nonces_opaque (SipsvAuthNonces *nonces, const char *realm)
{
  static const guint8 label[] = "opaque";
  char mac[2 * MAC_LENGTH + 1];

  /* The label (with its NUL) keeps the opaque apart from every nonce MAC,
   * whose prefix is 16 bytes of timestamp and counter. */
  mac_hex (nonces, label, sizeof label, realm, mac);
  return g_strdup (mac);
}

/* ------------------------------------------------------------------------ */
/* Replay table                                                              */
/* ------------------------------------------------------------------------ */

typedef struct
{
  guint32 highest; /* highest nc seen */
  guint64 window;  /* bit i: nc highest - i seen */
  gint64 expires_at;
} ReplayEntry;

G_STATIC_ASSERT (SIPSV_AUTH_NC_WINDOW == 64); /* the width of ReplayEntry.window */

struct _SipsvAuthReplay
{
  GHashTable *entries; /* char *nonce -> ReplayEntry */
  guint capacity;
};

SipsvAuthReplay *
sipsv_auth_replay_new (guint capacity)
{
  SipsvAuthReplay *replay;

  g_return_val_if_fail (capacity > 0, NULL);
  replay = g_new0 (SipsvAuthReplay, 1);
  replay->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  replay->capacity = capacity;
  return replay;
}

void
sipsv_auth_replay_free (SipsvAuthReplay *replay)
{
  if (replay == NULL)
    return;
  g_hash_table_unref (replay->entries);
  g_free (replay);
}

static gboolean
entry_expired (gpointer key, gpointer value, gpointer user_data)
{
  const ReplayEntry *entry = value;
  const gint64 *now = user_data;

  (void) key;
  return entry->expires_at < *now;
}

SipsvAuthReplayVerdict
sipsv_auth_replay_check (SipsvAuthReplay *replay, const char *nonce, guint32 nc, gint64 expires_at,
                         gint64 now)
{
  ReplayEntry *entry = g_hash_table_lookup (replay->entries, nonce);
  guint32 distance;

  if (entry == NULL)
    {
      /* Sweeping costs a walk of the table, but only when it is full, and
       * only authenticated requests get this far. */
      if (g_hash_table_size (replay->entries) >= replay->capacity
          && g_hash_table_foreach_remove (replay->entries, entry_expired, &now) == 0)
        return SIPSV_AUTH_REPLAY_FULL;
      entry = g_new0 (ReplayEntry, 1);
      entry->highest = nc;
      entry->window = 1;
      entry->expires_at = expires_at;
      g_hash_table_insert (replay->entries, g_strdup (nonce), entry);
      return SIPSV_AUTH_REPLAY_FRESH;
    }
  if (nc > entry->highest)
    {
      distance = nc - entry->highest;
      entry->window = distance >= SIPSV_AUTH_NC_WINDOW ? 0 : entry->window << distance;
      entry->window |= 1;
      entry->highest = nc;
      return SIPSV_AUTH_REPLAY_FRESH;
    }
  distance = entry->highest - nc;
  if (distance >= SIPSV_AUTH_NC_WINDOW || (entry->window & (G_GUINT64_CONSTANT (1) << distance)))
    return SIPSV_AUTH_REPLAY_SEEN;
  entry->window |= G_GUINT64_CONSTANT (1) << distance;
  return SIPSV_AUTH_REPLAY_FRESH;
}

guint
sipsv_auth_replay_size (SipsvAuthReplay *replay)
{
  return g_hash_table_size (replay->entries);
}
