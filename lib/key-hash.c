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
