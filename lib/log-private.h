/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - log records with fields (GLib structured logging), for
 * what concerns one call: the journal, or any GLib log writer, can then
 * select a call's records by SIP_CALL_ID and an application's by
 * SIP_APPLICATION (doc/operations.md lists the fields).
 *
 * Warnings stay plain g_warning(): the test harness catches those through
 * g_log handlers, which structured records bypass. */
#pragma once

#include <glib.h>

/* Whether a record of level would be written (the default writer's
 * filter): check first when its arguments cost something to build.
 * GLib's check reads G_MESSAGES_DEBUG from the environment each time for
 * info and debug (some 370 instructions, several times per call), so
 * that is read once, at the first check; g_log_set_debug_enabled()
 * counts at once. */
gboolean sipsv_log_enabled (GLogLevelFlags level);

/* A record of level in the library's domain with SIP_CALL_ID and
 * SIP_APPLICATION fields (each left out when NULL) and any extra fields
 * (n_extra of them, may be 0). */
void sipsv_log_call (GLogLevelFlags level, const char *call_id, const char *application,
                     const GLogField *extra, gsize n_extra, const char *format, ...)
  G_GNUC_PRINTF (6, 7);
