/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the SIP Servlet programming model (JSR 116/289/359) in C.
 *
 * This umbrella header is the only one host programs include:
 *
 *     #include <sipservlet/sipservlet.h>
 *
 * It pulls in GLib and libsipservlet's own headers, never sofia-sip.
 *
 * Threading: a SipContainer is bound to the GMainContext that is
 * thread-default when it is created; sofia-sip runs inside that context.
 * All callbacks are dispatched on that context's thread, and libsipservlet
 * objects must only be used from it. Exceptions: _ref()/_unref() are
 * atomic, and sipservlet_container_invoke() queues work onto the container
 * thread from any thread. Run one container per thread to use more cores.
 */
#pragma once

#define SIPSERVLET_INSIDE
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-version.h>
#include <sipservlet/sipservlet-types.h>
#include <sipservlet/sipservlet-error.h>
#include <sipservlet/sipservlet-address.h>
#include <sipservlet/sipservlet-message.h>
#include <sipservlet/sipservlet-session.h>
#include <sipservlet/sipservlet-sessions-util.h>
#include <sipservlet/sipservlet-factory.h>
#include <sipservlet/sipservlet-proxy.h>
#include <sipservlet/sipservlet-b2bua.h>
#include <sipservlet/sipservlet-servlet.h>
#include <sipservlet/sipservlet-container.h>
#include <sipservlet/sipservlet-pattern.h>
#include <sipservlet/sipservlet-application.h>
#include <sipservlet/sipservlet-module.h>
#include <sipservlet/sipservlet-router.h>
#include <sipservlet/sipservlet-location.h>
#include <sipservlet/sipservlet-auth.h>
#include <sipservlet/sipservlet-security.h>
#include <sipservlet/sipservlet-overload.h>
#include <sipservlet/sipservlet-metrics.h>
#include <sipservlet/sipservlet-autocleanups.h>
#undef SIPSERVLET_INSIDE
