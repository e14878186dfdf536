/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - error domain.
 *
 * Runtime failures (bind, send, parse of user input, illegal state) return
 * FALSE or NULL and set a GError in the SIPSERVLET_ERROR domain. Programming
 * errors (NULL objects, wrong thread) are g_return_if_fail() criticals.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>

G_BEGIN_DECLS

/**
 * SIPSERVLET_ERROR:
 *
 * Error domain of libsipservlet. Errors in this domain are from the
 * #SipError enumeration.
 */
#define SIPSERVLET_ERROR (sipservlet_error_quark ())

/**
 * SipError:
 * @SIPSERVLET_ERROR_FAILED: generic failure; the message says what failed.
 * @SIPSERVLET_ERROR_INVALID_ARGUMENT: an argument is not acceptable
 *   (JSR 289 IllegalArgumentException): a system header, a bad status code,
 *   a reserved URI parameter...
 * @SIPSERVLET_ERROR_INVALID_STATE: the operation is illegal in the object's
 *   current state (JSR 289 IllegalStateException): sending twice, modifying
 *   a committed message, answering a cancelled request, using an
 *   invalidated session...
 * @SIPSERVLET_ERROR_PARSE: text could not be parsed as a URI, address,
 *   header or message (JSR 289 ServletParseException).
 * @SIPSERVLET_ERROR_BIND: a listening address could not be bound.
 * @SIPSERVLET_ERROR_TRANSPORT: a message could not be sent.
 * @SIPSERVLET_ERROR_TIMEOUT: no final response came in time: the outcome
 *   of sipservlet_request_send_with_callback(). (The servlet response
 *   path shows the transaction layer's locally made 408 instead.)
 * @SIPSERVLET_ERROR_SHUTTING_DOWN: the container is shutting down and
 *   refuses new work.
 * @SIPSERVLET_ERROR_TOO_MANY_HOPS: Max-Forwards reached 0 (JSR 289
 *   TooManyHopsException); the container has answered 483.
 * @SIPSERVLET_ERROR_NO_CREDENTIALS: a 401 or 407 challenges no realm for
 *   which credentials were given (sipservlet_request_add_auth_header()).
 * @SIPSERVLET_ERROR_NOT_SUPPORTED: what the peer asks for is not supported:
 *   an authentication scheme, digest algorithm or qop; or what a setting
 *   asks for is not in this build (sipservlet_container_set_timer_j()
 *   with `-Dsofia=system`); the message says which.
 *
 * Error codes of the %SIPSERVLET_ERROR domain.
 */
typedef enum {
  SIPSERVLET_ERROR_FAILED,
  SIPSERVLET_ERROR_INVALID_ARGUMENT,
  SIPSERVLET_ERROR_INVALID_STATE,
  SIPSERVLET_ERROR_PARSE,
  SIPSERVLET_ERROR_BIND,
  SIPSERVLET_ERROR_TRANSPORT,
  SIPSERVLET_ERROR_TIMEOUT,
  SIPSERVLET_ERROR_SHUTTING_DOWN,
  SIPSERVLET_ERROR_TOO_MANY_HOPS,
  SIPSERVLET_ERROR_NO_CREDENTIALS,
  SIPSERVLET_ERROR_NOT_SUPPORTED,
} SipError;

#ifndef __GI_SCANNER__
/* The name up to 0.1: the type is named after its quark function,
 * sipservlet_error_quark(), so that GObject Introspection pairs them. */
typedef SipError SipServletError;
#endif

/**
 * sipservlet_error_quark:
 *
 * Returns: the #GQuark of the %SIPSERVLET_ERROR domain.
 */
SIPSERVLET_API GQuark sipservlet_error_quark (void);

G_END_DECLS
