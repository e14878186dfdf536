/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the click-to-call controller (RFC 3725 flow I)
 * of sipservlet-click-to-call: one call between --from and --to, placed
 * once it is deployed. The program runs it on the container's implicit
 * application, prints what it reports and exits when the call has ended;
 * the click-to-call module deploys it as the application
 * "click-to-call" and logs what it reports. It uses only the public
 * API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "example-app.h"

typedef struct {
  char *from;                   /* --from: A, called first */
  char *to;                     /* --to: B */
  gint timeout;                 /* --timeout: seconds for each leg's final response */
} ClickToCallOptions;

/* Sets the defaults: no parties, 32 s. */
void click_to_call_options_init (ClickToCallOptions *options);

/* Option entries for --from, --to and --timeout, to add to a
 * GOptionContext or to read a configuration group with; g_free() the
 * array. */
GOptionEntry *click_to_call_option_entries (ClickToCallOptions *options);

/* Frees what option parsing allocated. */
void click_to_call_options_clear (ClickToCallOptions *options);

typedef struct _Call Call;

/* What the call reports: "connected" once both ACKs are sent, "ended"
 * when both legs have ended (then the call holds nothing any more). */
typedef void (*ClickToCallReportFunc) (Call *call, const char *event, gpointer data);

/* Checks the options and creates the call; NULL with
 * G_OPTION_ERROR_BAD_VALUE when --from or --to is missing or not a SIP
 * URI, or the timeout is not positive. */
Call *click_to_call_new (const ClickToCallOptions *options, GError **error);

/* Frees a call that was not deployed (accepts NULL). */
void click_to_call_free (Call *call);

/* Installs the servlet "click-to-call" as @how says and places the call
 * when the main loop next runs. Takes @call: the servlet frees it, also
 * on failure; until then the caller may use it. */
gboolean click_to_call_deploy (Call *call, SipContainer *container, ExampleInstall how,
                               ClickToCallReportFunc report, gpointer report_data,
                               GError **error);

/* SIGINT or SIGTERM: the first cancels the INVITEs still ringing and
 * hangs up the established legs; the next one stops at once. */
void click_to_call_interrupt (Call *call);

/* 0 when the call was connected, 1 when it could not be set up. */
int click_to_call_get_status (Call *call);
