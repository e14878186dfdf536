/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: warnings a test expects from the library, recorded instead
 * of aborting it (check-main.h makes warnings fatal). Call
 * catch_warnings_begin() before the code that warns, read
 * catcher.messages, and catch_warnings_end() in the teardown (it does
 * nothing when nothing was caught). Header only. */
#pragma once

#include <glib.h>

typedef struct
{
  gboolean active;
  GPtrArray *messages;          /* char *, in order */
  guint handler;
  GLogLevelFlags saved_fatal;
} WarningCatcher;

static WarningCatcher catcher;

static inline void
catcher_on_warning (const char *domain, GLogLevelFlags level, const char *message,
                    gpointer data)
{
  g_ptr_array_add (catcher.messages, g_strdup (message));
}

static inline void
catch_warnings_begin (void)
{
  catcher.active = TRUE;
  catcher.messages = g_ptr_array_new_with_free_func (g_free);
  catcher.saved_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  catcher.handler = g_log_set_handler ("sipservlet", G_LOG_LEVEL_WARNING, catcher_on_warning,
                                       NULL);
}

static inline void
catch_warnings_end (void)
{
  if (!catcher.active)
    return;
  g_log_remove_handler ("sipservlet", catcher.handler);
  g_log_set_always_fatal (catcher.saved_fatal);
  g_clear_pointer (&catcher.messages, g_ptr_array_unref);
  catcher.active = FALSE;
}

/* Whether a caught warning contains text. */
static inline gboolean
caught_warning (const char *text)
{
  for (guint i = 0; catcher.active && i < catcher.messages->len; i++)
    if (strstr (catcher.messages->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}
