/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - named attributes with destroy notifies, shared by
 * messages, sessions and application sessions. */
#include "config-private.h"

#include "attributes-private.h"

static void
attribute_free (gpointer data)
{
  SipsvAttribute *attr = data;
  if (attr->destroy != NULL && attr->value != NULL)
    attr->destroy (attr->value);
  g_free (attr);
}

GHashTable *
sipsv_attributes_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, attribute_free);
}

void
sipsv_attributes_set (GHashTable **table, const char *name, gpointer value,
                      GDestroyNotify destroy)
{
  if (value == NULL)
    {
      if (*table != NULL)
        g_hash_table_remove (*table, name);
      return;
    }
  if (*table == NULL)
    *table = sipsv_attributes_new ();
  SipsvAttribute *attr = g_new (SipsvAttribute, 1);
  attr->value = value;
  attr->destroy = destroy;
  g_hash_table_replace (*table, g_strdup (name), attr);
}

gpointer
sipsv_attributes_get (GHashTable *table, const char *name)
{
  SipsvAttribute *attr = table != NULL ? g_hash_table_lookup (table, name) : NULL;
  return attr != NULL ? attr->value : NULL;
}

