/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the hash of the string keys of the per-message tables.
 *
 * A dialog key (Call-ID and two tags) is hashed several times per message
 * (lookup, insert, remove in more than one table): with g_str_hash(), a
 * multiply per byte, that was about 300 instructions each time. */
#include "config-private.h"

#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "key-hash-private.h"

static guint64 key_seed;

static guint64
seed (void)
{
  static gsize once;

  if (g_once_init_enter (&once))
    {
      guint64 s;
      if (getrandom (&s, sizeof s, GRND_NONBLOCK) != (ssize_t) sizeof s)
        s = (guint64) g_get_real_time () ^ ((guint64) getpid () << 32);
      key_seed = s;
      g_once_init_leave (&once, 1);
    }
  return key_seed;
}

static inline guint64
mix (guint64 h, guint64 word)
{
  h = (h ^ word) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  return h ^ (h >> 32);
}

guint
sipsv_key_hash (gconstpointer key)
{
  const char *s = key;
  gsize n = strlen (s);
  guint64 h = seed () ^ n;
  guint64 word;

  for (; n >= sizeof word; n -= sizeof word, s += sizeof word)
    {
      memcpy (&word, s, sizeof word);
      h = mix (h, word);
    }
  word = 0;
  memcpy (&word, s, n);
  h = mix (h, word);
  h *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  return (guint) (h ^ (h >> 29));
}

char *
sipsv_key_join (char *buf, gsize size, const char *const *parts, gsize n_parts)
{
  gsize lengths[8], total = n_parts;     /* the separators and the NUL */

  g_return_val_if_fail (n_parts > 0 && n_parts <= G_N_ELEMENTS (lengths), NULL);
  for (gsize i = 0; i < n_parts; i++)
    total += lengths[i] = parts[i] != NULL ? strlen (parts[i]) : 0;
  char *key = total <= size ? buf : g_malloc (total), *p = key;
  for (gsize i = 0; i < n_parts; i++)
    {
      if (i > 0)
        *p++ = '\n';
      memcpy (p, parts[i] != NULL ? parts[i] : "", lengths[i]);
      p += lengths[i];
    }
  *p = '\0';
  return key;
}
