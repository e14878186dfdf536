/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the command-line and lifecycle code the example
 * servers share: --listen parsing, the "ready" line, clean SIGINT/SIGTERM.
 * It uses only the public API, like any host program. */
#pragma once

#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

/* TRUE when debug messages are shown (--verbose): worth building
 * arguments for them. GLib's g_log_writer_default_would_drop() reads
 * G_MESSAGES_DEBUG from the environment on every call, a few hundred
 * instructions several times per SIP call: the environment is read at the
 * first check (the programs set it at start-up), and
 * g_log_set_debug_enabled() counts at once. */
static inline gboolean
example_debug_enabled (void)
{
  static gsize shown;           /* 1: no, 2: yes, as the environment said */

  if (g_log_get_debug_enabled ())
    return TRUE;
  if (g_once_init_enter (&shown))
    g_once_init_leave (&shown,
                       g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) ? 1 : 2);
  return shown == 2;
}

/* g_debug() formats its message even when debug output is off, which costs
 * more than some of the SIP work it describes: check first. */
#define example_debug(...)                                                    \
  G_STMT_START {                                                              \
    if (example_debug_enabled ())                                             \
      g_debug (__VA_ARGS__);                                                  \
  } G_STMT_END

typedef struct {
  char **listen;          /* "HOST:PORT" values, NULL-terminated; default 127.0.0.1:5060 */
  char **aliases;         /* --alias values, or NULL */
  char *advertise;        /* --advertise, or NULL */
  char *tls_cert;         /* --tls-cert, --tls-key, --tls-ca: files, or NULL */
  char *tls_key;
  char *tls_ca;
  gint session_expires;   /* --session-expires: RFC 4028 interval, s; 0 = off */
  gint min_se;            /* --min-se, s; 0 = 90 */
  gint app_session_timeout; /* --app-session-timeout, minutes; -1 = the default (3) */
  char *auth_file;        /* --auth-file: credentials (user:realm:HA1[:SHA256]), or NULL */
  char *realm;            /* --realm, or NULL: default_realm */
  char *default_realm;    /* set by the program before example_container_new() (the
                           * first --domain), or NULL */
  char **trusted;         /* --trusted values, or NULL */
  char *rate_limit;       /* --rate-limit RATE[/BURST], or NULL */
  char *rate_limit_action; /* --rate-limit-action reject|drop, or NULL */
  gint max_transactions;  /* --max-transactions; 0 = no guard */
  char *timer_j;          /* --timer-j milliseconds, or NULL: RFC 3261's 64*T1 */
  char **http;            /* --http addresses, or NULL */
  char **http_operations; /* --http-operations addresses, or NULL */
  char **http_hosts;      /* --http-host names, or NULL */
  gboolean sip_trace;      /* --sip-trace */
  gboolean verbose;
  GKeyFile *config;       /* not owned: when the options came from this
                           * configuration (example-config.h), errors name
                           * its lines instead of the flags */
  const char *config_group; /* ... and this group of it */
} ExampleOptions;

/* Option entries for --listen, --alias, --advertise, --tls-cert, --tls-key,
 * --tls-ca, --session-expires, --min-se, --app-session-timeout,
 * --auth-file, --realm, --trusted, --rate-limit, --rate-limit-action,
 * --max-transactions, --timer-j, --http, --http-operations, --http-host, --sip-trace and
 * --verbose, to add to a GOptionContext; set
 * app_session_timeout to -1 before parsing. A program that wants session
 * timers by default sets session_expires before parsing. */
GOptionEntry *example_option_entries (ExampleOptions *options);

/* Creates a container listening on every --listen address (UDP and TCP;
 * TLS for a "tls:" one, with the --tls-* files),
 * advertising --advertise for those that do not say "advertise" in their
 * own value, and knowing every --alias; with --auth-file, authentication
 * on (realm --realm, else default_realm) and every --trusted source
 * exempt. Prints a clear error and returns NULL on failure. */
SipContainer *example_container_new (ExampleOptions *options);

/* Answers @request with sipservlet_request_respond(); when that fails (a
 * CANCEL won the race, the transport broke) it logs a warning saying why,
 * which is all a server can do about it. Returns what the call returned. */
gboolean example_respond (SipServletRequest *request, guint status, const char *reason);

/* Frees what the options hold. */
void example_options_clear (ExampleOptions *options);

/* Called on the first SIGINT or SIGTERM, before the container's graceful
 * shutdown begins: the last moment to send requests (an un-REGISTER), which
 * the shutdown then waits for. */
typedef void (*ExampleStoppingFunc) (gpointer data);

/* Called on SIGHUP, after the credentials were reloaded: a program's own
 * configuration to re-read. */
typedef void (*ExampleReloadFunc) (gpointer data);

/* Sets the function example_serve() calls on SIGHUP (NULL: none). */
void example_set_reload_func (ExampleReloadFunc func, gpointer data);

/* Prints "ready HOST:PORT ..." (then "http URL ..." with --http), runs the main loop until SIGINT or SIGTERM
 * (SIGHUP reloads the --auth-file credentials, then calls the function of
 * example_set_reload_func()) and shuts the container
 * down cleanly (a second signal stops at once); the container stays yours.
 * @stopping (nullable) runs first. */
void example_serve (SipContainer *container, ExampleStoppingFunc stopping, gpointer data);

/* example_serve(), then drops the container. Returns the exit status. */
int example_run (SipContainer *container);
