/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the signalling B2BUA of sipservlet-b2bua, as
 * the program runs it (the container's implicit application, listeners
 * on the container) and as the b2bua module deploys it (an application
 * named "b2bua" with its own listeners). It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "example-app.h"

typedef struct {
  char *target;                 /* --target, or NULL: the Request-URI */
} B2buaOptions;

/* The option entry for --target, to add to a GOptionContext or to read a
 * configuration group with; g_free() the array. */
GOptionEntry *b2bua_option_entries (B2buaOptions *options);

/* Frees what option parsing allocated. */
void b2bua_options_clear (B2buaOptions *options);

typedef struct _B2bua B2bua;

/* The B2BUA's state; NULL with G_OPTION_ERROR_BAD_VALUE when --target is
 * not a sip or sips URI. */
B2bua *b2bua_new (const B2buaOptions *options, GError **error);

/* Drops the caller's reference (accepts NULL). */
void b2bua_release (B2bua *b2b);

/* Installs the servlet "b2bua" for every request and its listeners, as
 * @how says; they hold references on @b2b, which the caller keeps. */
gboolean b2bua_deploy (B2bua *b2b, SipContainer *container, ExampleInstall how,
                       GError **error);
