/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the user-agent server of sipservlet-uas, as
 * the program runs it (the container's implicit application, its call
 * counter on the container) and as the uas module deploys it (an
 * application named "uas" with its own listeners). Registering upstream
 * (--register-to) stays the program's: it needs the program's shutdown.
 * It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "example-app.h"

typedef struct {
  gint answer_delay;            /* --answer-delay, ms; 0: answer at once */
} UasOptions;

/* The option entry for --answer-delay, to add to a GOptionContext or to
 * read a configuration group with; g_free() the array. */
GOptionEntry *uas_option_entries (UasOptions *options);

typedef struct _Uas Uas;

/* The UAS's state; NULL with G_OPTION_ERROR_BAD_VALUE for a negative
 * delay. */
Uas *uas_new (const UasOptions *options, GError **error);

/* Drops the caller's reference (accepts NULL). */
void uas_release (Uas *uas);

/* Installs the servlet "uas" for every request and the call counter, as
 * @how says; they hold references on @uas, which the caller keeps. */
gboolean uas_deploy (Uas *uas, SipContainer *container, ExampleInstall how, GError **error);
