/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support for the unit suites: build messages from raw SIP text, count
 * destroy notifies, catch an expected GLib critical, and iterate the main
 * context until a condition holds or a deadline passes.
 *
 * Header only (static inline), so the unit executables need no extra
 * source file. Include it after check-main.h.
 */
#pragma once

#include <check.h>
#include <glib.h>
#include <string.h>

#include "container/container-private.h"

/* Appends the SIP line ending. */
#define CRLF "\r\n"

/* Asserts that err is set with the given SIPSERVLET_ERROR code, then
 * clears it. A macro so that a failure names the caller's line. */
#define UNIT_ASSERT_ERROR(err, expected_code)                                 \
  do                                                                          \
    {                                                                         \
      ck_assert_msg ((err) != NULL, "expected error code %d, got no error",   \
                     (int) (expected_code));                                  \
      ck_assert_msg (g_error_matches ((err), SIPSERVLET_ERROR, (expected_code)), \
                     "expected error code %d, got %s:%d '%s'",                \
                     (int) (expected_code),                                   \
                     g_quark_to_string ((err)->domain), (err)->code,          \
                     (err)->message);                                         \
      g_clear_error (&(err));                                                 \
    }                                                                         \
  while (0)

/* Asserts that err is unset. */
#define UNIT_ASSERT_NO_ERROR(err)                                             \
  ck_assert_msg ((err) == NULL, "unexpected error: %s",                       \
                 (err) != NULL ? (err)->message : "")

/* ---- messages ----------------------------------------------------------- */

/* Parses a complete SIP message; the test fails when sofia refuses it. */
static inline msg_t *
unit_parse_msg (const char *text)
{
  msg_t *msg = msg_make (sip_default_mclass (), 0, text, (ssize_t) strlen (text));
  ck_assert_msg (msg != NULL, "msg_make refused:\n%s", text);
  sip_t *sip = sip_object (msg);
  ck_assert_msg (sip != NULL && sip->sip_error == NULL, "parse error in:\n%s", text);
  return msg;
}

static inline SipServletRequest *
unit_request_new (SipContainer *container, const char *text, gboolean incoming)
{
  SipServletRequest *request = sipsv_request_new (container, unit_parse_msg (text), incoming);
  ck_assert_ptr_nonnull (request);
  ck_assert_ptr_nonnull (request->base.sip->sip_request);
  return request;
}

static inline SipServletResponse *
unit_response_new (SipContainer *container, const char *text, gboolean incoming)
{
  SipServletResponse *response = sipsv_response_new (container, unit_parse_msg (text), NULL,
                                                     incoming);
  ck_assert_ptr_nonnull (response);
  ck_assert_ptr_nonnull (response->base.sip->sip_status);
  return response;
}

static inline SipContainer *
unit_container_new (void)
{
  GError *error = NULL;
  SipContainer *container = sipservlet_container_new (&error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_ptr_nonnull (container);
  return container;
}

/* ---- deferred release ------------------------------------------------------ */

/* Objects a test releases through the fixture (unit_defer_flush() in
 * teardown), so that a failing assertion, which leaves the test early,
 * leaks nothing. */
typedef struct {
  gpointer data;
  GDestroyNotify destroy;
} UnitDeferred;

static inline GArray **
unit_deferred_list (void)
{
  static GArray *list;
  return &list;
}

static inline gpointer
unit_defer (gpointer data, GDestroyNotify destroy)
{
  GArray **list = unit_deferred_list ();
  UnitDeferred d = { data, destroy };

  if (*list == NULL)
    *list = g_array_new (FALSE, FALSE, sizeof (UnitDeferred));
  g_array_append_val (*list, d);
  return data;
}

/* Releases the deferred objects, newest first. */
static inline void
unit_defer_flush (void)
{
  GArray **list = unit_deferred_list ();

  while (*list != NULL && (*list)->len > 0)
    {
      UnitDeferred d = g_array_index (*list, UnitDeferred, (*list)->len - 1);
      g_array_set_size (*list, (*list)->len - 1);
      if (d.data != NULL)
        d.destroy (d.data);
    }
  g_clear_pointer (list, g_array_unref);
}

/* ---- destroy notify counting --------------------------------------------- */

/* A GDestroyNotify whose data is a guint counter: each call adds one. */
static inline void
unit_count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

/* ---- expected criticals -------------------------------------------------- */

/* Between begin and end, criticals and warnings are counted instead of
 * aborting the test. */
typedef struct {
  guint criticals;
  guint warnings;
  char *last_message;
  GLogLevelFlags saved_fatal;
  GLogFunc saved_handler;
  gpointer saved_data;
} UnitLogCatcher;

static inline void
unit_log_catcher_handler (const char *domain, GLogLevelFlags level, const char *message,
                          gpointer data)
{
  UnitLogCatcher *catcher = data;

  if (level & G_LOG_LEVEL_CRITICAL)
    catcher->criticals++;
  else if (level & G_LOG_LEVEL_WARNING)
    catcher->warnings++;
  else
    return;
  g_free (catcher->last_message);
  catcher->last_message = g_strdup (message);
}

static inline void
unit_log_catcher_begin (UnitLogCatcher *catcher)
{
  memset (catcher, 0, sizeof *catcher);
  catcher->saved_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  catcher->saved_handler = g_log_set_default_handler (unit_log_catcher_handler, catcher);
}

static inline void
unit_log_catcher_end (UnitLogCatcher *catcher)
{
  g_log_set_default_handler (catcher->saved_handler, NULL);
  g_log_set_always_fatal (catcher->saved_fatal);
  g_clear_pointer (&catcher->last_message, g_free);
}

/* ---- main context --------------------------------------------------------- */

typedef gboolean (*UnitCondition) (gpointer data);

static inline gboolean
unit_deadline_reached (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the thread-default context until cond (data) is true or
 * timeout_ms passed; returns the final value of the condition. A NULL cond
 * iterates for the whole timeout. */
static inline gboolean
unit_iterate_until (UnitCondition cond, gpointer data, guint timeout_ms)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  gboolean expired = FALSE;
  GSource *deadline = g_timeout_source_new (timeout_ms);

  g_source_set_callback (deadline, unit_deadline_reached, &expired, NULL);
  g_source_attach (deadline, context);
  while (!expired && (cond == NULL || !cond (data)))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (deadline);
  g_source_unref (deadline);
  g_main_context_unref (context);
  return cond != NULL ? cond (data) : TRUE;
}

/* Dispatches whatever is ready now (idle sources included), without
 * blocking. */
static inline void
unit_drain (void)
{
  GMainContext *context = g_main_context_ref_thread_default ();
  for (guint i = 0; i < 100 && g_main_context_iteration (context, FALSE); i++)
    ;
  g_main_context_unref (context);
}
