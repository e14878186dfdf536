/* libsipservlet examples - the command-line and lifecycle code the example
 * servers share: --listen parsing, the "ready" line, clean SIGINT/SIGTERM.
 * It uses only the public API, like any host program. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef struct {
  char **listen;          /* "HOST:PORT" values, NULL-terminated; default 127.0.0.1:5060 */
  gboolean verbose;
} ExampleOptions;

/* Option entries for --listen and --verbose, to add to a GOptionContext. */
GOptionEntry *example_option_entries (ExampleOptions *options);

/* Creates a container listening on every --listen address (UDP and TCP).
 * Prints a clear error and returns NULL on failure. */
SipContainer *example_container_new (ExampleOptions *options);

/* Prints "ready HOST:PORT ...", runs the main loop until SIGINT or SIGTERM,
 * shuts the container down cleanly and drops it. Returns the exit status. */
int example_run (SipContainer *container);
