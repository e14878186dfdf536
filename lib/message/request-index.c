/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - requests by key: the initial requests a container
 * serves as a UAS, by their merge key (RFC 3261 §8.2.2.2), so that a copy
 * that arrives by another path is recognised. A request leaves the index
 * when it is freed. */
#include "config-private.h"

#include "key-hash-private.h"
#include "message/message-private.h"

void
sipsv_request_index_init (SipsvRequestIndex *index)
{
  index->by_key = g_hash_table_new (sipsv_key_hash, g_str_equal);
}

void
sipsv_request_index_clear (SipsvRequestIndex *index)
{
  g_clear_pointer (&index->by_key, g_hash_table_destroy);
}

SipServletRequest *
sipsv_request_index_find (SipsvRequestIndex *index, const char *key)
{
  return index->by_key != NULL ? g_hash_table_lookup (index->by_key, key) : NULL;
}

void
sipsv_request_index_add (SipsvRequestIndex *index, SipServletRequest *request, char *key)
{
  g_free (request->merge_key);
  request->merge_key = key;
  request->merge_index = index;
  /* replace, not insert: the table must hold the newest copy's key. */
  g_hash_table_replace (index->by_key, request->merge_key, request);
}

void
sipsv_request_index_remove (SipServletRequest *request)
{
  SipsvRequestIndex *index = request->merge_index;

  if (index != NULL && index->by_key != NULL && request->merge_key != NULL
      && g_hash_table_lookup (index->by_key, request->merge_key) == request)
    g_hash_table_remove (index->by_key, request->merge_key);
  g_clear_pointer (&request->merge_key, g_free);
  request->merge_index = NULL;
}
