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
  g_free (attr->type_name);
  g_free (attr);
}

GHashTable *
sipsv_attributes_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, attribute_free);
}

/* Stores value under name, replacing (and releasing) what was there; a
 * NULL value removes the name. */
static void
store (GHashTable **table, const char *name, SipsvAttributeKind kind, gpointer value,
       GDestroyNotify destroy, const char *type_name)
{
  if (value == NULL)
    {
      if (*table != NULL)
        g_hash_table_remove (*table, name);
      return;
    }
  SipsvAttribute *attr = g_new (SipsvAttribute, 1);
  attr->value = value;
  attr->destroy = destroy;
  attr->kind = kind;
  attr->type_name = g_strdup (type_name);
  if (*table == NULL)
    *table = sipsv_attributes_new ();
  g_hash_table_replace (*table, g_strdup (name), attr);
}

static SipsvAttribute *
lookup (GHashTable *table, const char *name, SipsvAttributeKind kind)
{
  SipsvAttribute *attr = table != NULL ? g_hash_table_lookup (table, name) : NULL;
  return attr != NULL && attr->kind == kind ? attr : NULL;
}

void
sipsv_attributes_set (GHashTable **table, const char *name, gpointer value,
                      GDestroyNotify destroy)
{
  store (table, name, SIPSV_ATTRIBUTE_POINTER, value, destroy, NULL);
}

gpointer
sipsv_attributes_get (GHashTable *table, const char *name)
{
  SipsvAttribute *attr = lookup (table, name, SIPSV_ATTRIBUTE_POINTER);
  return attr != NULL ? attr->value : NULL;
}

void
sipsv_attributes_set_variant (GHashTable **table, const char *name, GVariant *value)
{
  store (table, name, SIPSV_ATTRIBUTE_VARIANT, value != NULL ? g_variant_ref_sink (value) : NULL,
         (GDestroyNotify) g_variant_unref, NULL);
}

GVariant *
sipsv_attributes_get_variant (GHashTable *table, const char *name)
{
  SipsvAttribute *attr = lookup (table, name, SIPSV_ATTRIBUTE_VARIANT);
  return attr != NULL ? attr->value : NULL;
}

void
sipsv_attributes_set_bytes (GHashTable **table, const char *name, const char *type_name,
                            GBytes *value)
{
  store (table, name, SIPSV_ATTRIBUTE_BYTES, value != NULL ? g_bytes_ref (value) : NULL,
         (GDestroyNotify) g_bytes_unref, type_name);
}

GBytes *
sipsv_attributes_get_bytes (GHashTable *table, const char *name, const char **type_name)
{
  SipsvAttribute *attr = lookup (table, name, SIPSV_ATTRIBUTE_BYTES);
  if (type_name != NULL)
    *type_name = attr != NULL ? attr->type_name : NULL;
  return attr != NULL ? attr->value : NULL;
}

gboolean
sipsv_attributes_are_serializable (GHashTable *table)
{
  GHashTableIter iter;
  gpointer value;

  if (table == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((SipsvAttribute *) value)->kind == SIPSV_ATTRIBUTE_POINTER)
      return FALSE;
  return TRUE;
}
