/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - named attributes with destroy notifies. */
#pragma once

#include <glib.h>

/* What an attribute holds. Variants and bytes are what a session store
 * can write out; a pointer is the application's own business. The kinds
 * share one namespace: setting a name replaces whatever it held. */
typedef enum {
  SIPSV_ATTRIBUTE_POINTER,
  SIPSV_ATTRIBUTE_VARIANT,          /* value is a GVariant *, owned */
  SIPSV_ATTRIBUTE_BYTES,            /* value is a GBytes *, owned; type_name */
} SipsvAttributeKind;

typedef struct {
  gpointer value;
  GDestroyNotify destroy;
  SipsvAttributeKind kind;
  char *type_name;                  /* bytes: what they encode, or NULL */
} SipsvAttribute;

GHashTable *sipsv_attributes_new (void);
/* value NULL removes; the table is created on first use. */
void sipsv_attributes_set (GHashTable **table, const char *name,
                           gpointer value, GDestroyNotify destroy);
/* A pointer attribute's value; NULL for a variant or bytes attribute. */
gpointer sipsv_attributes_get (GHashTable *table, const char *name);
/* value NULL removes; a floating value is sunk, else a reference taken. */
void sipsv_attributes_set_variant (GHashTable **table, const char *name, GVariant *value);
GVariant *sipsv_attributes_get_variant (GHashTable *table, const char *name);
/* value NULL removes; a reference is taken. */
void sipsv_attributes_set_bytes (GHashTable **table, const char *name,
                                 const char *type_name, GBytes *value);
/* *type_name (if asked for) is set with the value, NULL when absent. */
GBytes *sipsv_attributes_get_bytes (GHashTable *table, const char *name,
                                    const char **type_name);
/* TRUE when every attribute is a variant or bytes (an empty table too). */
gboolean sipsv_attributes_are_serializable (GHashTable *table);
