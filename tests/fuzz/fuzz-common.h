/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the libFuzzer targets of tests/fuzz/: logging and checks.
 * Header only (each target is one executable of one file). */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry points, defined by each target. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

/* GLib's log: a critical is a g_return_if_fail() that input reached, a bug
 * to report, so it aborts (libFuzzer then keeps the input); warnings and
 * below are what the library says about bad input and are dropped, to keep
 * the runs fast and their output readable. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                 gpointer user_data)
{
  (void) user_data;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (level, fields, n_fields, NULL);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

static inline void
fuzz_quiet_logs (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
}

/* The input as a C string, or NULL when it holds a NUL (every text the
 * parsers get comes from a C string). g_free() it. */
static inline char *
fuzz_text (const unsigned char *data, size_t size)
{
  if (memchr (data, '\0', size) != NULL)
    return NULL;
  return g_strndup ((const char *) data, size);
}

/* A property the parsers promise; aborts with both texts when broken. */
#define fuzz_check(cond, input, output)                                                 \
  do                                                                                    \
    {                                                                                   \
      if (!(cond))                                                                      \
        {                                                                               \
          fprintf (stderr, "%s:%d: %s failed\n  input:  '%s'\n  output: '%s'\n",       \
                   __FILE__, __LINE__, #cond, (input), (output) ? (output) : "(null)"); \
          abort ();                                                                     \
        }                                                                               \
    }                                                                                   \
  while (0)
