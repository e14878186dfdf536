/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - structured log records of one call (log-private.h). */
#include "config-private.h"

#include "log-private.h"

/* syslog priorities, as the journal wants them. */
static const char *
priority_of (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return "3";
  if (level & G_LOG_LEVEL_WARNING)
    return "4";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "5";
  if (level & G_LOG_LEVEL_INFO)
    return "6";
  return "7";
}

gboolean
sipsv_log_enabled (GLogLevelFlags level)
{
  /* 1, plus 2 when info records are shown, 4 when debug ones are. */
  static gsize from_environment;

  if (!(level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)))
    return !g_log_writer_default_would_drop (level, G_LOG_DOMAIN);
  if (g_log_get_debug_enabled ())
    return TRUE;
  if (g_once_init_enter (&from_environment))
    {
      gsize shown = 1;

      if (!g_log_writer_default_would_drop (G_LOG_LEVEL_INFO, G_LOG_DOMAIN))
        shown |= 2;
      if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        shown |= 4;
      g_once_init_leave (&from_environment, shown);
    }
  return (from_environment & (level & G_LOG_LEVEL_DEBUG ? 4 : 2)) != 0;
}

void
sipsv_log_call (GLogLevelFlags level, const char *call_id, const char *application,
                const GLogField *extra, gsize n_extra, const char *format, ...)
{
  GLogField fields[12];
  gsize n = 0;
  va_list args;

  g_return_if_fail (n_extra <= 6);
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);

  fields[n++] = (GLogField) { "GLIB_DOMAIN", G_LOG_DOMAIN, -1 };
  fields[n++] = (GLogField) { "PRIORITY", priority_of (level), -1 };
  fields[n++] = (GLogField) { "MESSAGE", message, -1 };
  if (call_id != NULL)
    fields[n++] = (GLogField) { "SIP_CALL_ID", call_id, -1 };
  if (application != NULL)
    fields[n++] = (GLogField) { "SIP_APPLICATION", application, -1 };
  for (gsize i = 0; i < n_extra; i++)
    fields[n++] = extra[i];
  g_log_structured_array (level, fields, n);
}
