/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a container listening on 127.0.0.1 (UDP, a free port),
 * made with the public API; *port gets the port. Header only; include it
 * after check-main.h. */
#pragma once

#include <check.h>
#include <sipservlet/sipservlet.h>

static inline SipContainer *
listening_container_new (guint16 *port)
{
  GError *error = NULL;
  SipContainer *container = sipservlet_container_new (&error);
  ck_assert_msg (container != NULL, "%s", error != NULL ? error->message : "");
  ck_assert_msg (sipservlet_container_listen (container, "127.0.0.1", 0,
                                              SIPSERVLET_TRANSPORT_UDP, &error),
                 "%s", error != NULL ? error->message : "");
  *port = sipservlet_container_get_port (container, NULL);
  return container;
}
