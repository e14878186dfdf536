/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - floods and overload (sipservlet-overload.h): a token
 * bucket per source address, and the guard that sheds new initial
 * requests when too many transactions are in flight.
 *
 * dispatch.c asks sipsv_container_overload_check() first for every
 * request that reaches it, before the security policy: a flooded source
 * costs a hash lookup, not a digest check. */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"

/* A source address: the family and up to 16 bytes of address. */
typedef struct {
  guint8 family;
  guint8 bytes[16];
} SourceKey;

typedef struct {
  SourceKey key;
  double tokens;
  gint64 refilled_us;        /* monotonic time of the last refill */
  gint64 logged_us;          /* when its loss was last logged, 0: never */
} Bucket;

/* A source over its rate is logged at most this often: the log must not
 * become the flood. */
#define SIPSV_RATE_LIMIT_LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

/* Sources remembered at most; an idle source's bucket is full again and
 * can be forgotten. */
#define SIPSV_RATE_LIMIT_SOURCES 65536u

static guint
source_hash (gconstpointer data)
{
  const SourceKey *key = data;
  guint hash = 2166136261u ^ key->family;
  for (gsize i = 0; i < sizeof key->bytes; i++)
    hash = (hash ^ key->bytes[i]) * 16777619u;
  return hash;
}

static gboolean
source_equal (gconstpointer a, gconstpointer b)
{
  return memcmp (a, b, sizeof (SourceKey)) == 0;
}

static gboolean
source_key (msg_t *msg, SourceKey *key)
{
  su_addrinfo_t *ai = msg_addrinfo (msg);

  memset (key, 0, sizeof *key);
  if (ai == NULL || ai->ai_addr == NULL)
    return FALSE;
  su_sockaddr_t *su = (su_sockaddr_t *) ai->ai_addr;
  key->family = (guint8) su->su_family;
  if (su->su_family == AF_INET)
    memcpy (key->bytes, &su->su_sin.sin_addr, 4);
  else if (su->su_family == AF_INET6)
    memcpy (key->bytes, &su->su_sin6.sin6_addr, 16);
  else
    return FALSE;
  return TRUE;
}

gboolean
sipservlet_container_set_rate_limit (SipContainer *container, guint requests_per_second,
                                     guint burst, SipRateLimitAction action, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  SipsvOverload *overload = &container->overload;
  if (requests_per_second > 0
      && (burst == 0
          || (action != SIPSERVLET_RATE_LIMIT_REJECT && action != SIPSERVLET_RATE_LIMIT_DROP)))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   burst == 0 ? "the burst of a rate limit must be at least 1"
                              : "unknown rate limit action %d", (int) action);
      return FALSE;
    }
  overload->rate = requests_per_second;
  overload->burst = burst;
  overload->action = action;
  if (requests_per_second == 0)
    g_clear_pointer (&overload->buckets, g_hash_table_unref);
  else if (overload->buckets == NULL)
    overload->buckets = g_hash_table_new_full (source_hash, source_equal, NULL, g_free);
  return TRUE;
}

void
sipservlet_container_set_max_transactions (SipContainer *container, guint max_transactions)
{
  g_return_if_fail (container != NULL);
  container->overload.max_transactions = max_transactions;
}

void
sipsv_container_overload_clear (SipsvOverload *overload)
{
  g_clear_pointer (&overload->buckets, g_hash_table_unref);
}

/* Forgets the sources whose bucket has filled up again; when none has
 * (a flood from more addresses than the table holds), forgets them all:
 * memory stays bounded, and the limit starts again from full buckets. */
static void
forget_idle (SipsvOverload *overload, gint64 now)
{
  GHashTableIter iter;
  gpointer value;
  gint64 full_after_us = (gint64) ((double) overload->burst / overload->rate * G_USEC_PER_SEC);

  g_hash_table_iter_init (&iter, overload->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (now - ((Bucket *) value)->refilled_us >= full_after_us)
      g_hash_table_iter_remove (&iter);
  if (g_hash_table_size (overload->buckets) >= SIPSV_RATE_LIMIT_SOURCES)
    {
      g_warning ("rate limit: more than %u sources sending at once; starting afresh",
                 SIPSV_RATE_LIMIT_SOURCES);
      g_hash_table_remove_all (overload->buckets);
    }
}

/* TRUE when @key may send one more request now; *first_loss tells when
 * a loss is to be logged. */
static gboolean
take_token (SipsvOverload *overload, const SourceKey *key, gboolean *first_loss)
{
  gint64 now = g_get_monotonic_time ();
  Bucket *bucket = g_hash_table_lookup (overload->buckets, key);

  *first_loss = FALSE;
  if (bucket == NULL)
    {
      if (g_hash_table_size (overload->buckets) >= SIPSV_RATE_LIMIT_SOURCES)
        forget_idle (overload, now);
      bucket = g_new0 (Bucket, 1);
      bucket->key = *key;
      bucket->tokens = overload->burst;
      bucket->refilled_us = now;
      g_hash_table_insert (overload->buckets, &bucket->key, bucket);
    }
  else
    {
      double earned = (double) (now - bucket->refilled_us) * overload->rate / G_USEC_PER_SEC;
      bucket->tokens = MIN ((double) overload->burst, bucket->tokens + earned);
      bucket->refilled_us = now;
    }
  if (bucket->tokens >= 1.0)
    {
      bucket->tokens -= 1.0;
      return TRUE;
    }
  *first_loss = bucket->logged_us == 0
                || now - bucket->logged_us >= SIPSV_RATE_LIMIT_LOG_INTERVAL_US;
  if (*first_loss)
    bucket->logged_us = now;
  return FALSE;
}

gboolean
sipsv_container_overload_check (SipContainer *container, msg_t *msg, sip_t const *sip)
{
  SipsvOverload *overload = &container->overload;
  sip_method_t method = sip->sip_request->rq_method;

  if (method == sip_method_ack || method == sip_method_cancel)
    return TRUE;
  if (overload->rate > 0 && !sipsv_container_source_is_trusted (container, msg))
    {
      SourceKey key;
      gboolean first_loss;
      if (source_key (msg, &key) && !take_token (overload, &key, &first_loss))
        {
          if (first_loss)
            {
              g_autofree char *source = sipsv_container_source_text (msg);
              g_message ("rate limit: %s sends more than %u requests/s; %s its requests", source,
                         overload->rate,
                         overload->action == SIPSERVLET_RATE_LIMIT_DROP ? "dropping"
                                                                       : "answering 503 to");
            }
          container->runtime.stack.metrics.shed++;
          if (overload->action == SIPSERVLET_RATE_LIMIT_DROP)
            msg_destroy (msg);
          else
            sipsv_stack_reply (&container->runtime.stack, msg, 503, "Rate Limit Exceeded",
                               "Retry-After: 5");
          return FALSE;
        }
    }
  /* New work only: requests inside dialogs let established calls end. */
  if (overload->max_transactions > 0 && sip->sip_to->a_tag == NULL
      && sipsv_stack_transaction_count (&container->runtime.stack) >= overload->max_transactions)
    {
      gint64 now = g_get_monotonic_time ();
      if (!overload->shedding
          && now - overload->shed_logged_us >= SIPSV_RATE_LIMIT_LOG_INTERVAL_US)
        {
          g_message ("overload: %u transactions in flight or more; answering 503 to new "
                     "requests", overload->max_transactions);
          overload->shed_logged_us = now;
        }
      overload->shedding = TRUE;
      container->runtime.stack.metrics.shed++;
      sipsv_stack_reply (&container->runtime.stack, msg, 503, "Server Overloaded",
                         "Retry-After: 5");
      return FALSE;
    }
  if (overload->shedding && sip->sip_to->a_tag == NULL)
    {
      /* Logged when the episode was, so the log holds one line a side
       * per 10 s however often the limit is crossed. */
      if (overload->shed_logged_us != overload->unshed_logged_us)
        g_message ("overload: back under %u transactions in flight", overload->max_transactions);
      overload->unshed_logged_us = overload->shed_logged_us;
      overload->shedding = FALSE;
    }
  return TRUE;
}
