/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - servlet mapping conditions (JSR 289 §16.2): building,
 * evaluating and printing a SipPattern. */
#include "config-private.h"

#include "application/application-private.h"

typedef enum {
  SIPSV_PATTERN_EQUAL,
  SIPSV_PATTERN_CONTAINS,
  SIPSV_PATTERN_EXISTS,
  SIPSV_PATTERN_SUBDOMAIN_OF,
  SIPSV_PATTERN_AND,
  SIPSV_PATTERN_OR,
  SIPSV_PATTERN_NOT,
} SipsvPatternKind;

struct _SipPattern {
  gatomicrefcount ref_count;
  SipsvPatternKind kind;
  char *variable;               /* comparisons and exists */
  char *value;                  /* equal, contains, subdomain-of */
  gboolean ignore_case;
  GPtrArray *children;          /* and, or, not: SipPattern, owned */
};

SipPattern *
sipservlet_pattern_ref (SipPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);
  g_atomic_ref_count_inc (&pattern->ref_count);
  return pattern;
}

void
sipservlet_pattern_unref (SipPattern *pattern)
{
  g_return_if_fail (pattern != NULL);
  if (!g_atomic_ref_count_dec (&pattern->ref_count))
    return;
  g_free (pattern->variable);
  g_free (pattern->value);
  g_clear_pointer (&pattern->children, g_ptr_array_unref);
  g_free (pattern);
}
