/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - where an example's servlets go. The programs
 * add them to the container's implicit application: every initial request
 * reaches them by method, without an application router, as before
 * applications existed. The application modules (examples/modules) deploy
 * them as named applications, which the host's router composes with the
 * others. One function does both, so that each example builds its
 * servlets once for the two. It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef enum {
  EXAMPLE_INSTALL_IMPLICIT,     /* the container's implicit application */
  EXAMPLE_INSTALL_APPLICATION,  /* an application of its own, deployed */
} ExampleInstall;

/* Installs @servlet (taken). EXAMPLE_INSTALL_APPLICATION: as the main
 * servlet of a new application named @application, deployed on
 * @container, with @listeners (nullable) as the application's own.
 * EXAMPLE_INSTALL_IMPLICIT: as the container's servlet for @method (NULL:
 * its default servlet), with @listeners as the container's.
 * @listeners_destroy (nullable) frees @listeners_data when the
 * application or the container goes, or at once on failure. An error is
 * prefixed with the application's name. */
gboolean example_install_servlet (SipContainer *container, ExampleInstall how,
                                  const char *application, const char *method,
                                  SipServlet *servlet, const SipServletListeners *listeners,
                                  gpointer listeners_data, GDestroyNotify listeners_destroy,
                                  GError **error);
