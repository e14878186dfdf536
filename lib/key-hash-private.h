/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the hash of the string keys of the per-message tables
 * (dialogs, session ids, merged requests, our Contacts and routes). */
#pragma once

#include <glib.h>

/* A GHashFunc for NUL-terminated keys, to use with g_str_equal: it reads
 * eight bytes at a step where g_str_hash() takes one, and mixes in a seed
 * drawn once per process, so that keys a peer chooses (a Call-ID, tags)
 * cannot be crafted to collide without knowing it. */
guint sipsv_key_hash (gconstpointer key);

/* Joins @n_parts strings (NULL counts as "") with '\n' between them: the
 * form of the tables' composite keys (a Call-ID and tags). Written into
 * @buf when it fits in @size bytes (a lookup's key, on the stack), else
 * into a new string (pass NULL and 0 for a key to keep); free the result
 * with g_free() when it is not @buf. */
char *sipsv_key_join (char *buf, gsize size, const char *const *parts, gsize n_parts);

/* The size of a lookup's key buffer: a Call-ID and two tags fit in it. */
#define SIPSV_KEY_BUF 192
