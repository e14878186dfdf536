/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - location, the proxy to registered contacts of
 * sipservlet-composed and the registrar module: a Request-URI of one of
 * the registrar's domains (registrar_serves()) is looked up: 404 when its
 * address-of-record never had a binding since the registrar started
 * (registrar_set_track_aors() on), 480 when it has no live one, else the
 * request is proxied to all its contacts in parallel (through their Path,
 * or to the address they registered from behind NAT, as sipservlet-proxy
 * does; that one also tries q groups in turn). Another Request-URI is
 * proxied to as it is. Requests the dialogs' record-routing brings back
 * only pass by (proxying.h). It uses only the public API. */
#pragma once

#include <sipservlet/sipservlet.h>

#include "registrar-servlet.h"

/* The servlet "location", holding a reference on @registrar (which knows
 * its container: registrar_set_container()). */
SipServlet *location_servlet_new (Registrar *registrar, SipContainer *container);
