/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - registering to an upstream registrar (a
 * provider), so that it routes calls for an address of record to us, and
 * keeping the registration refreshed (RFC 3261 section 10.2).
 *
 * Each REGISTER goes in the same Call-ID with the next CSeq; a 401/407 is
 * answered with the credentials by the library (sipservlet_request_set_auth_info()),
 * so every refresh authenticates again. Refreshes come at half the granted
 * expiry, failures are logged with their status and retried with a
 * growing delay, and upstream_registration_stop() unregisters before the
 * container shuts down. It uses only the public API, like any host
 * program. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef struct {
  char *register_to;        /* --register-to: the registrar's SIP URI, or NULL */
  char *aor;                /* --aor */
  char *auth_user;          /* --auth-user, or NULL: the AOR's user */
  char *auth_realm;         /* --auth-realm, or NULL: the realm challenged */
  char *password_file;      /* --password-file, or NULL: no credentials */
  gint expires;             /* --register-expires, seconds */
} UpstreamOptions;

/* Sets the defaults: no registration, 3600 s. */
void upstream_options_init (UpstreamOptions *options);

/* Option entries for --register-to, --aor, --auth-user, --auth-realm,
 * --password-file and --register-expires, to add to a GOptionContext;
 * g_free() the array. */
GOptionEntry *upstream_option_entries (UpstreamOptions *options);

/* Frees what option parsing allocated. */
void upstream_options_clear (UpstreamOptions *options);

typedef struct _UpstreamRegistration UpstreamRegistration;

/* Checks the options and reads the password file (its first line).
 * Returns NULL with a message naming the bad option or file. The Contact
 * is our first listening address, or @advertise (nullable) with its port.
 * The registration starts when the main loop runs. */
UpstreamRegistration *upstream_registration_new (SipContainer *container,
                                                 const UpstreamOptions *options,
                                                 const char *advertise,
                                                 GError **error);

/* Stops refreshing and, when registered, sends an un-REGISTER
 * (Expires: 0). Call it before the container's shutdown begins (an
 * ExampleStoppingFunc): the shutdown waits for the un-REGISTER. */
void upstream_registration_stop (UpstreamRegistration *registration);

/* Stops refreshing and frees the state; call it after the main loop
 * ended, before the last reference of the container. */
void upstream_registration_free (UpstreamRegistration *registration);
