/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipB2buaHelper: back-to-back user agents
 * (JSR 289 chapter 12).
 *
 * A B2BUA answers one call leg as a UAS and places another as a UAC, and
 * relays between them. The helper creates the other leg's requests from
 * the received ones (new Call-ID, From tag and Contact; headers copied as
 * JSR 289 §12.2 says), keeps the two legs' sessions linked, and finds what
 * is still waiting on a leg (an INVITE not answered yet, a 2xx not
 * acknowledged yet) so the servlet can finish it when the other leg moves.
 *
 *     SipB2buaHelper *b2b = sipservlet_request_get_b2bua_helper (invite, &error);
 *     SipServletRequest *out = sipservlet_b2bua_create_request (b2b, invite, TRUE,
 *                                                               NULL, &error);
 *     sipservlet_request_set_request_uri (out, target, &error);
 *     sipservlet_request_send (out, &error);
 *     ... in do_success_response (response on the outgoing leg):
 *     SipSession *in = sipservlet_b2bua_get_linked_session (b2b,
 *         sipservlet_message_get_session (SIPSERVLET_MESSAGE (response)));
 *
 * Header overrides are a %NULL-terminated list of name, value pairs:
 *     const char *overrides[] = { "From", "<sip:ivr@example.com>",
 *                                 "X-Call-Type", "ivr", NULL };
 * They may set From and To (display name, URI, parameters; never the tag),
 * the user part, display name and non-reserved parameters of Contact,
 * Route, and any non-system header; other system headers are refused
 * with %SIPSERVLET_ERROR_INVALID_ARGUMENT.
 *
 * The helper belongs to the container; pointers are borrowed. Everything
 * runs on the container thread.
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
 * SipUAMode:
 * @SIPSERVLET_UA_MODE_UAC: the messages a session's UAC side waits on:
 *   2xx responses to INVITE not yet acknowledged
 * @SIPSERVLET_UA_MODE_UAS: the messages a session's UAS side waits on:
 *   requests not yet answered
 *
 * Which side of a session sipservlet_b2bua_get_pending_messages() looks at.
 */
typedef enum {
  SIPSERVLET_UA_MODE_UAC,
  SIPSERVLET_UA_MODE_UAS,
} SipUAMode;

/**
 * sipservlet_request_get_b2bua_helper:
 * @request: an incoming request
 * @error: return location for a #GError
 *
 * Marks the request's application as a B2BUA for it and returns the
 * helper. A request that has a proxy cannot get a helper (and the other way
 * round).
 *
 * Returns: (transfer none): the helper, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE when the request is proxied.
 */
SIPSERVLET_API SipB2buaHelper *sipservlet_request_get_b2bua_helper (SipServletRequest *request,
                                                                    GError **error);

/**
 * sipservlet_b2bua_create_request:
 * @helper: the helper
 * @original: an incoming initial request
 * @linked: %TRUE to link the new request and its session with @original
 *   and its session
 * @overrides: (nullable) (array zero-terminated=1): name, value pairs
 * @error: return location for a #GError
 *
 * Creates the initial request of the other leg: same method, Request-URI
 * and body, non-system headers copied, new Call-ID, From tag and CSeq,
 * Contact of this container, no Via, Route or Record-Route from the
 * original, Max-Forwards one less. From and To not overridden are the
 * original's as received (display name and parameters as written), with
 * the new tag in From and none in To. The new request has a new session
 * in the same application session.
 *
 * Returns: (transfer full): the request to send, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT (a system header in @overrides, a
 *   bad value, @original already linked while @linked), 
 *   %SIPSERVLET_ERROR_INVALID_STATE (@original is not an incoming initial
 *   request), %SIPSERVLET_ERROR_TOO_MANY_HOPS (Max-Forwards 0: the
 *   container answered @original 483).
 */
SIPSERVLET_API SipServletRequest *sipservlet_b2bua_create_request (SipB2buaHelper *helper,
                                                                   SipServletRequest *original,
                                                                   gboolean linked,
                                                                   const char *const *overrides,
                                                                   GError **error);

/**
 * sipservlet_b2bua_create_request_for_session:
 * @helper: the helper
 * @session: the session of the other leg (usually the linked session)
 * @original: a request received on this leg (BYE, INFO, re-INVITE...)
 * @overrides: (nullable) (array zero-terminated=1): name, value pairs
 * @error: return location for a #GError
 *
 * Creates the same request inside @session's dialog: method, body and
 * non-system headers from @original, dialog headers from @session. Links
 * the sessions and the requests.
 *
 * Returns: (transfer full): the request to send, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT or %SIPSERVLET_ERROR_INVALID_STATE
 *   (@session terminated or invalid, sessions linked elsewhere).
 */
SIPSERVLET_API SipServletRequest *sipservlet_b2bua_create_request_for_session (SipB2buaHelper *helper,
                                                                               SipSession *session,
                                                                               SipServletRequest *original,
                                                                               const char *const *overrides,
                                                                               GError **error);

/**
 * sipservlet_b2bua_link_sessions:
 * @helper: the helper
 * @a: a session
 * @b: another session of the same application session
 * @error: return location for a #GError
 *
 * Links two sessions one to one (linking the same pair again is allowed).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when either is
 *   linked to a third session, they are in different application sessions,
 *   or either is terminated or invalid.
 */
SIPSERVLET_API gboolean sipservlet_b2bua_link_sessions (SipB2buaHelper *helper, SipSession *a,
                                                        SipSession *b, GError **error);

/**
 * sipservlet_b2bua_unlink_sessions:
 * @helper: the helper
 * @session: a linked session
 * @error: return location for a #GError
 *
 * Unlinks a session from its partner (and their linked requests).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when it is not
 *   linked.
 */
SIPSERVLET_API gboolean sipservlet_b2bua_unlink_sessions (SipB2buaHelper *helper,
                                                          SipSession *session, GError **error);

/**
 * sipservlet_b2bua_get_linked_session:
 * @helper: the helper
 * @session: a session
 *
 * Returns: (transfer none) (nullable): its linked session.
 */
SIPSERVLET_API SipSession *sipservlet_b2bua_get_linked_session (SipB2buaHelper *helper,
                                                                SipSession *session);

/**
 * sipservlet_b2bua_get_linked_request:
 * @helper: the helper
 * @request: a request
 *
 * Returns: (transfer none) (nullable): the request linked with it (the
 *   other leg's copy), while both are alive.
 */
SIPSERVLET_API SipServletRequest *sipservlet_b2bua_get_linked_request (SipB2buaHelper *helper,
                                                                       SipServletRequest *request);

/**
 * sipservlet_b2bua_get_pending_messages:
 * @helper: the helper
 * @session: a session
 * @mode: which side
 *
 * Returns: (transfer full) (element-type SipServletMessage): for
 *   %SIPSERVLET_UA_MODE_UAS the received requests still without a final
 *   response, for %SIPSERVLET_UA_MODE_UAC the received 2xx responses to
 *   INVITE not yet acknowledged; in CSeq order. The array holds a reference on each
 *   element; g_ptr_array_unref() drops them.
 */
SIPSERVLET_API GPtrArray *sipservlet_b2bua_get_pending_messages (SipB2buaHelper *helper,
                                                                 SipSession *session,
                                                                 SipUAMode mode);

/**
 * sipservlet_b2bua_create_response_to_original_request:
 * @helper: the helper
 * @session: a session created by a received initial request (or one of its
 *   derived sessions)
 * @status: the status
 * @reason: (nullable): the reason phrase
 * @error: return location for a #GError
 *
 * Answers the request that created @session even after a final response
 * was sent, which is how several 2xx of a forking far side are relayed:
 * another 2xx gets another To-tag and a derived session.
 *
 * Returns: (transfer full): the response to send, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE (a non-2xx after a final response, or
 *   the request was not received) or %SIPSERVLET_ERROR_INVALID_ARGUMENT.
 */
SIPSERVLET_API SipServletResponse *sipservlet_b2bua_create_response_to_original_request (SipB2buaHelper *helper,
                                                                                        SipSession *session,
                                                                                        guint status,
                                                                                        const char *reason,
                                                                                        GError **error);

/**
 * sipservlet_b2bua_create_cancel:
 * @helper: the helper
 * @session: a session whose initial INVITE was sent and is not answered
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the CANCEL to send, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE.
 */
SIPSERVLET_API SipServletRequest *sipservlet_b2bua_create_cancel (SipB2buaHelper *helper,
                                                                  SipSession *session,
                                                                  GError **error);

/**
 * sipservlet_b2bua_ref:
 * @helper: a B2BUA helper
 *
 * The helper belongs to its container: a reference on the helper is a
 * reference on the container.
 *
 * Returns: (transfer full): @helper.
 */
SIPSERVLET_API SipB2buaHelper *sipservlet_b2bua_ref (SipB2buaHelper *helper);

/**
 * sipservlet_b2bua_unref:
 * @helper: (transfer full): a B2BUA helper
 *
 * Drops a reference taken with sipservlet_b2bua_ref().
 */
SIPSERVLET_API void sipservlet_b2bua_unref (SipB2buaHelper *helper);

G_END_DECLS
