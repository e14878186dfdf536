/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - protection against floods and overload: a rate limit per
 * source address (like Kamailio's pike module) and a global guard that
 * sheds new work when too many transactions are in flight.
 *
 * Both are off by default. They run before the security policy
 * (sipservlet-security.h) and before any servlet, so a flood costs one
 * table lookup per request. Sources trusted with
 * sipservlet_container_add_trusted_source() are never limited: an edge
 * proxy in front of us sends everything from one address.
 *
 * Stream connections: a peer that stops in the middle of a message is cut
 * off after 16 seconds, and a connection that carries nothing for 10
 * minutes is closed (RFC 5626 keep-alives count as traffic). Debian's
 * sofia-sip offers no hook to cap the number of connections: see
 * doc/security.md.
 *
 * Threading: configure from the container thread.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * SipRateLimitAction:
 * @SIPSERVLET_RATE_LIMIT_REJECT: answer 503 with Retry-After, so a
 *   well-behaved client backs off
 * @SIPSERVLET_RATE_LIMIT_DROP: drop the request silently, so a flood gets
 *   no traffic back (an attacker spoofing a victim's address gets no
 *   amplification either)
 *
 * What becomes of a request over its source's rate.
 */
typedef enum
{
  SIPSERVLET_RATE_LIMIT_REJECT,
  SIPSERVLET_RATE_LIMIT_DROP,
} SipRateLimitAction;

/**
 * sipservlet_container_set_rate_limit:
 * @container: a #SipContainer
 * @requests_per_second: the sustained rate each source address may send
 *   requests at; 0 turns the limit off
 * @burst: how many requests above that rate a source may send at once
 *   (the size of its token bucket), at least 1
 * @action: what becomes of a request over the rate
 * @error: return location for a #GError
 *
 * Limits the requests each source address sends (a token bucket per
 * address). ACK and CANCEL are never limited (they end transactions that
 * already cost us), nor are retransmissions the transaction layer absorbs.
 * A source losing requests is logged, at most once every 10 seconds.
 * The table of sources is bounded; idle sources are forgotten.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @burst is 0
 *   with a rate, or @action is unknown.
 */
SIPSERVLET_API gboolean sipservlet_container_set_rate_limit (SipContainer *container,
                                                             guint requests_per_second,
                                                             guint burst,
                                                             SipRateLimitAction action,
                                                             GError **error);

/**
 * sipservlet_container_set_max_transactions:
 * @container: a #SipContainer
 * @max_transactions: the most transactions (server and client, live or
 *   waiting for their RFC 3261 timers) the container takes on: with that
 *   many, new initial requests are answered 503 with Retry-After; 0 turns
 *   the guard off
 *
 * Sheds new work under overload while requests inside dialogs (BYE,
 * re-INVITE, ACK) still pass, so established calls can end. A completed
 * non-INVITE transaction lasts 32 seconds over UDP (RFC 3261 Timer J), so
 * size the limit above 32 times the busiest request rate expected.
 */
SIPSERVLET_API void sipservlet_container_set_max_transactions (SipContainer *container,
                                                               guint max_transactions);

G_END_DECLS
