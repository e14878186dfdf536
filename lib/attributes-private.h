/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - named attributes with destroy notifies. */
#pragma once

#include <glib.h>

typedef struct {
  gpointer value;
  GDestroyNotify destroy;
} SipsvAttribute;

GHashTable *sipsv_attributes_new (void);
/* value NULL removes; the table is created on first use. */
void sipsv_attributes_set (GHashTable **table, const char *name,
                           gpointer value, GDestroyNotify destroy);
gpointer sipsv_attributes_get (GHashTable *table, const char *name);
