/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the click-to-call controller (RFC 3725 flow I)
 * of sipservlet-click-to-call and of the click-to-call module.
 *
 * One controller places calls between two parties it calls itself: the
 * one-shot call of --from and --to, placed once it is deployed (the
 * program runs it, prints what it reports and exits when it has ended),
 * and, when it serves HTTP (click-to-call-http.c), the calls of its web
 * API and page, each in an application session of its own. It uses only
 * the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "example-app.h"

typedef struct {
  char *from;                   /* --from: A, called first */
  char *to;                     /* --to: B */
  gint timeout;                 /* --timeout: seconds for each leg's final response */
  char *http_token;             /* --http-token: the bearer token of the web API */
  gboolean http_no_auth;        /* --http-no-auth: serve the web API without a token */
  char **allow;                 /* --allow: the destinations the web API may call */
} ClickToCallOptions;

/* Sets the defaults: no parties, 32 s, no token, any destination. */
void click_to_call_options_init (ClickToCallOptions *options);

/* Option entries for --from, --to, --timeout, --http-token,
 * --http-no-auth and --allow, to add to a GOptionContext or to read a
 * configuration group with; g_free() the array. */
GOptionEntry *click_to_call_option_entries (ClickToCallOptions *options);

/* Frees what option parsing allocated. */
void click_to_call_options_clear (ClickToCallOptions *options);

typedef struct _ClickToCall ClickToCall;
typedef struct _Call Call;

/* What the one-shot call reports: "connected" once both ACKs are sent,
 * "ended" when both legs have ended. */
typedef void (*ClickToCallReportFunc) (Call *call, const char *event, gpointer data);

/* Checks the options and creates the controller; NULL with
 * G_OPTION_ERROR_BAD_VALUE when --from or --to is not a SIP URI, only one
 * of them is given, neither is given and @serve_http is FALSE, the
 * timeout is not positive, an --allow pattern is empty, or @serve_http is
 * TRUE without --http-token or --http-no-auth. */
ClickToCall *click_to_call_new (const ClickToCallOptions *options, gboolean serve_http,
                                GError **error);

/* Frees a controller that was not deployed (accepts NULL). */
void click_to_call_free (ClickToCall *c2c);

/* TRUE when the options gave a one-shot call (--from and --to). */
gboolean click_to_call_has_one_shot (ClickToCall *c2c);

/* Installs the servlet "click-to-call" as @how says (with the HTTP API:
 * only EXAMPLE_INSTALL_APPLICATION, as the application "click-to-call")
 * and places the one-shot call, if any, when the main loop next runs.
 * Takes @c2c: the servlet frees it, also on failure; until then the
 * caller may use it. @report is for the one-shot call. */
gboolean click_to_call_deploy (ClickToCall *c2c, SipContainer *container, ExampleInstall how,
                               ClickToCallReportFunc report, gpointer report_data,
                               GError **error);

/* SIGINT or SIGTERM: the first cancels the INVITEs still ringing and
 * hangs up the established legs of every call; the next one stops the
 * one-shot call at once. */
void click_to_call_interrupt (ClickToCall *c2c);

/* Hangs up every call (the container is stopping). */
void click_to_call_hang_up_all (ClickToCall *c2c);

/* The one-shot call's result: 0 when it was connected, 1 when it could
 * not be set up. */
int click_to_call_get_status (ClickToCall *c2c);
