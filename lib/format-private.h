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

/* Dotted-quad text of the IPv4 address @addr (4 bytes, network order),
 * as inet_ntop() writes it, for a fifth of its cost; returns @buf. */
static inline const char *
sipsv_format_ipv4 (char buf[16], const guint8 addr[4])
{
  char *p = buf;

  for (int i = 0; i < 4; i++)
    {
      guint v = addr[i];

      if (v >= 100)
        *p++ = (char) ('0' + v / 100);
      if (v >= 10)
        *p++ = (char) ('0' + v / 10 % 10);
      *p++ = (char) ('0' + v % 10);
      *p++ = i < 3 ? '.' : '\0';
    }
  return buf;
}
