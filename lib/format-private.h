/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - number formatting for text built on every message:
 * a printf costs more than the rest of building such a string. */
#pragma once

#include <glib.h>

/* Decimal text of @value, written backwards into @buf; returns its start. */
static inline const char *
sipsv_format_uint (char buf[24], guint64 value)
{
  char *p = buf + 23;

  *p = '\0';
  do
    *--p = (char) ('0' + value % 10);
  while ((value /= 10) != 0);
  return p;
}
