/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipSession, SipApplicationSession and SipServletTimer
 * (JSR 289 chapters 6 and 7).
 *
 * A SipSession is one dialog (or one transaction's worth of state for
 * requests that create no dialog); a SipApplicationSession groups the
 * sessions and timers of one application instance. The container owns
 * them: sessions live until they are invalidated, explicitly or when they
 * become ready to invalidate (invalidate-when-ready is on by default, so
 * REGISTER, OPTIONS and MESSAGE sessions go away when their transaction
 * ends, and dialogs when they terminate). Application sessions also expire
 * (default 3 minutes of inactivity; see
 * sipservlet_application_session_set_expires()).
 *
 * Pointers to sessions handed to callbacks are borrowed; _ref() to keep
 * one beyond the callback. A reference keeps the memory, not the session
 * valid: check sipservlet_session_is_valid(). All calls run on the
 * container thread.
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
 * SipSessionState:
 * @SIPSERVLET_SESSION_STATE_INITIAL: no dialog yet (or a UAC got a non-2xx
 *   final response and may retry)
 * @SIPSERVLET_SESSION_STATE_EARLY: a provisional response with a To-tag
 * @SIPSERVLET_SESSION_STATE_CONFIRMED: a 2xx established the dialog
 * @SIPSERVLET_SESSION_STATE_TERMINATED: the dialog ended (BYE, or a UAS
 *   sent a non-2xx final response)
 *
 * JSR 289 §6.2.1 session states.
 */
typedef enum {
  SIPSERVLET_SESSION_STATE_INITIAL,
  SIPSERVLET_SESSION_STATE_EARLY,
  SIPSERVLET_SESSION_STATE_CONFIRMED,
  SIPSERVLET_SESSION_STATE_TERMINATED,
} SipSessionState;

/* ---- SipSession ------------------------------------------------------ */

/**
 * sipservlet_session_ref:
 * @session: a session
 *
 * Returns: (transfer full): @session with one more reference.
 */
SIPSERVLET_API SipSession *sipservlet_session_ref (SipSession *session);

/**
 * sipservlet_session_unref:
 * @session: (transfer full): a session
 *
 * Drops one reference.
 */
SIPSERVLET_API void sipservlet_session_unref (SipSession *session);

/**
 * sipservlet_session_get_id:
 * @session: a session
 *
 * From this call on, while @session is valid,
 * sipservlet_container_get_session() finds it by this id (the container
 * lists a session's id when it is first handed out).
 *
 * Returns: (transfer none): a unique identifier.
 */
SIPSERVLET_API const char *sipservlet_session_get_id (SipSession *session);

/**
 * sipservlet_session_get_state:
 * @session: a session
 *
 * Returns: the JSR 289 §6.2.1 state.
 */
SIPSERVLET_API SipSessionState sipservlet_session_get_state (SipSession *session);

/**
 * sipservlet_session_get_call_id:
 * @session: a session
 *
 * Returns: (transfer none): the Call-ID of the session's dialog.
 */
SIPSERVLET_API const char *sipservlet_session_get_call_id (SipSession *session);

/**
 * sipservlet_session_get_local_party:
 * @session: a session
 *
 * Returns: (transfer full): our address in the dialog (with our tag).
 */
SIPSERVLET_API SipAddress *sipservlet_session_get_local_party (SipSession *session);

/**
 * sipservlet_session_get_remote_party:
 * @session: a session
 *
 * Returns: (transfer full): the peer's address (with its tag once known).
 */
SIPSERVLET_API SipAddress *sipservlet_session_get_remote_party (SipSession *session);

/**
 * sipservlet_session_get_application_session:
 * @session: a session
 *
 * Returns: (transfer none): the application session it belongs to.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_session_get_application_session (SipSession *session);

/**
 * sipservlet_session_create_request:
 * @session: a session with an established or early dialog, or an INITIAL
 *   UAC session with no transaction in progress
 * @method: the method ("BYE", "INFO", "INVITE" for a re-INVITE...)
 * @error: return location for a #GError
 *
 * Builds a request inside the dialog: Request-URI from the remote target,
 * Route from the route set, next local CSeq, dialog tags.
 *
 * Returns: (transfer full): the request to send with
 *   sipservlet_request_send(), or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for ACK or CANCEL (use
 *   sipservlet_response_create_ack() / sipservlet_request_create_cancel())
 *   and %SIPSERVLET_ERROR_INVALID_STATE on an invalid or terminated session
 *   and on the session of a proxied dialog (a proxy sends no request in
 *   the dialogs it proxies).
 */
SIPSERVLET_API SipServletRequest *sipservlet_session_create_request (SipSession *session,
                                                                     const char *method,
                                                                     GError **error);

/**
 * sipservlet_session_set_attribute:
 * @session: a valid session
 * @name: attribute name
 * @value: (nullable): the value; %NULL removes the attribute
 * @destroy: (nullable): called exactly once on @value when it is replaced,
 *   removed, or the session is invalidated or freed
 *
 * Attaches application data to the session.
 */
SIPSERVLET_API void sipservlet_session_set_attribute (SipSession *session,
                                                      const char *name,
                                                      gpointer value,
                                                      GDestroyNotify destroy);

/**
 * sipservlet_session_get_attribute:
 * @session: a session
 * @name: attribute name
 *
 * Returns: (transfer none) (nullable): the value, or %NULL.
 */
SIPSERVLET_API gpointer sipservlet_session_get_attribute (SipSession *session,
                                                          const char *name);

/**
 * sipservlet_session_is_valid:
 * @session: a session
 *
 * Returns: %FALSE once the session has been invalidated.
 */
SIPSERVLET_API gboolean sipservlet_session_is_valid (SipSession *session);

/**
 * sipservlet_session_invalidate:
 * @session: a session
 * @error: return location for a #GError
 *
 * Invalidates the session now: attributes are released, the
 * session_destroyed listener runs, and later messages of its dialog are
 * answered 481.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when already
 *   invalid.
 */
SIPSERVLET_API gboolean sipservlet_session_invalidate (SipSession *session,
                                                       GError **error);

/**
 * sipservlet_session_terminate:
 * @session: a session
 * @error: return location for a #GError
 *
 * Ends the session's dialog in one call, whatever state it is in (JSR 359
 * SipSession.terminate):
 *
 * - our INVITE without a final response: CANCEL, sent once a provisional
 *   response has arrived (RFC 3261 §9.1: at once if one has); a 2xx that
 *   still wins the race is acknowledged and then answered with BYE, and
 *   the servlet does not see it;
 * - an INVITE we received and have not answered: 487;
 * - a confirmed dialog: BYE; if our 2xx is not acknowledged yet, the BYE
 *   waits for the ACK, or for its timeout (RFC 3261 §15); if a 2xx we
 *   received is not acknowledged yet, the ACK goes first;
 * - a dialog we proxied and record-routed: a BYE to each side (a proxied
 *   INVITE still ringing is cancelled instead, see sipservlet_proxy_cancel()).
 *
 * The requests and responses this sends are the container's: the
 * servlet's handlers do not see them. The session reaches
 * %SIPSERVLET_SESSION_STATE_TERMINATED when the BYE (or the INVITE) is
 * answered, and the dialog_ended listeners run then as for any BYE.
 *
 * Returns: %TRUE once the termination is under way; %FALSE with
 *   %SIPSERVLET_ERROR_INVALID_STATE when the session is invalidated,
 *   already terminated or has no dialog (a proxy that did not
 *   record-route), or another error when a request cannot be sent.
 */
SIPSERVLET_API gboolean sipservlet_session_terminate (SipSession *session, GError **error);

/**
 * sipservlet_session_set_invalidate_when_ready:
 * @session: a session
 * @invalidate_when_ready: %TRUE (the default) to invalidate the session as
 *   soon as it is ready to invalidate
 *
 * JSR 289 §6.1.2.2.2.
 */
SIPSERVLET_API void sipservlet_session_set_invalidate_when_ready (SipSession *session,
                                                                  gboolean invalidate_when_ready);

/**
 * sipservlet_session_get_invalidate_when_ready:
 * @session: a session
 *
 * Returns: whether the session is invalidated once ready.
 */
SIPSERVLET_API gboolean sipservlet_session_get_invalidate_when_ready (SipSession *session);

/**
 * sipservlet_session_is_ready_to_invalidate:
 * @session: a session
 *
 * Returns: %TRUE when the session has no transaction in progress and its
 *   dialog (if any) has terminated, or it never created one.
 */
SIPSERVLET_API gboolean sipservlet_session_is_ready_to_invalidate (SipSession *session);

/**
 * sipservlet_session_set_handler:
 * @session: a session
 * @servlet: the servlet that receives the session's later messages
 *
 * JSR 289 SipSession.setHandler().
 */
SIPSERVLET_API void sipservlet_session_set_handler (SipSession *session,
                                                    SipServlet *servlet);

/* ---- SipApplicationSession -------------------------------------------- */

/**
 * sipservlet_application_session_ref:
 * @app_session: an application session
 *
 * Returns: (transfer full): @app_session with one more reference.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_application_session_ref (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_unref:
 * @app_session: (transfer full): an application session
 *
 * Drops one reference.
 */
SIPSERVLET_API void sipservlet_application_session_unref (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_get_id:
 * @app_session: an application session
 *
 * An unguessable identifier: who knows it can reach @app_session through
 * sipservlet_container_get_application_session(), an encoded URI
 * (sipservlet_application_session_encode_uri()) or a converged HTTP
 * request, from the moment it is first handed out (this call, an encoded
 * URI or URL, a session cookie) while @app_session is valid.
 *
 * Returns: (transfer none): a unique identifier.
 */
SIPSERVLET_API const char *sipservlet_application_session_get_id (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_get_creation_time:
 * @app_session: an application session
 *
 * Returns: creation time, g_get_real_time() microseconds.
 */
SIPSERVLET_API gint64 sipservlet_application_session_get_creation_time (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_get_last_accessed_time:
 * @app_session: an application session
 *
 * Returns: when a message of this application session was last sent or
 *   received, g_get_real_time() microseconds.
 */
SIPSERVLET_API gint64 sipservlet_application_session_get_last_accessed_time (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_get_expiration_time:
 * @app_session: an application session
 *
 * Returns: when it expires (g_get_real_time() microseconds), 0 if never.
 */
SIPSERVLET_API gint64 sipservlet_application_session_get_expiration_time (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_set_expires:
 * @app_session: a valid application session
 * @minutes: minutes from now; 0 or less means never expire
 *
 * Changes the expiry; may be called from the application_session_expired
 * listener to extend the session. An application session with a dialog
 * that is early or confirmed does not expire: its expiry waits another
 * lifetime while the call lasts (the listener is not called then).
 *
 * Returns: the minutes granted (%G_MAXINT for never), 0 when invalid.
 */
SIPSERVLET_API gint sipservlet_application_session_set_expires (SipApplicationSession *app_session,
                                                                gint minutes);

/**
 * sipservlet_application_session_is_valid:
 * @app_session: an application session
 *
 * Returns: %FALSE once invalidated.
 */
SIPSERVLET_API gboolean sipservlet_application_session_is_valid (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_invalidate:
 * @app_session: an application session
 * @error: return location for a #GError
 *
 * Invalidates its sessions, cancels its timers, releases its attributes.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when already
 *   invalid.
 */
SIPSERVLET_API gboolean sipservlet_application_session_invalidate (SipApplicationSession *app_session,
                                                                   GError **error);

/**
 * sipservlet_application_session_set_invalidate_when_ready:
 * @app_session: an application session
 * @invalidate_when_ready: %TRUE (the default) to invalidate it once all
 *   its sessions are gone and no timer is active
 *
 * JSR 289 §6.1.2.2.
 */
SIPSERVLET_API void sipservlet_application_session_set_invalidate_when_ready (SipApplicationSession *app_session,
                                                                              gboolean invalidate_when_ready);

/**
 * sipservlet_application_session_is_ready_to_invalidate:
 * @app_session: an application session
 *
 * Returns: %TRUE when it has no valid session and no active timer.
 */
SIPSERVLET_API gboolean sipservlet_application_session_is_ready_to_invalidate (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_set_attribute:
 * @app_session: a valid application session
 * @name: attribute name
 * @value: (nullable): the value; %NULL removes the attribute
 * @destroy: (nullable): called exactly once on @value when it is replaced,
 *   removed, or the application session is invalidated or freed
 *
 * Attaches application data. Pointer, variant and bytes attributes share
 * one namespace: this replaces a variant or bytes attribute of the same
 * name (see sipservlet_application_session_set_attribute_variant()).
 */
SIPSERVLET_API void sipservlet_application_session_set_attribute (SipApplicationSession *app_session,
                                                                  const char *name,
                                                                  gpointer value,
                                                                  GDestroyNotify destroy);

/**
 * sipservlet_application_session_get_attribute:
 * @app_session: an application session
 * @name: attribute name
 *
 * Reads a pointer attribute only: a variant or bytes attribute is read
 * with its own getter, so that no caller takes a #GVariant for data of
 * its own.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL when there is
 *   no attribute @name or it holds a variant or bytes.
 */
SIPSERVLET_API gpointer sipservlet_application_session_get_attribute (SipApplicationSession *app_session,
                                                                      const char *name);

/**
 * sipservlet_application_session_set_attribute_variant:
 * @app_session: a valid application session
 * @name: attribute name
 * @value: (nullable): the value; a floating reference is taken over,
 *   otherwise one is added. %NULL removes the attribute
 *
 * Attaches a value that can be written out: a session store keeps
 * variant and bytes attributes, which a pointer attribute cannot give it
 * (see sipservlet_application_session_is_serializable()). The namespace
 * is shared with pointer and bytes attributes: the value replaces
 * whatever @name held, and a replaced pointer attribute gets its destroy
 * notify. The reference is dropped when the attribute is replaced or
 * removed, or the application session is invalidated or freed. Setting
 * an attribute of an invalidated application session is a programming
 * error.
 */
SIPSERVLET_API void sipservlet_application_session_set_attribute_variant (SipApplicationSession *app_session,
                                                                          const char *name,
                                                                          GVariant *value);

/**
 * sipservlet_application_session_get_attribute_variant:
 * @app_session: an application session
 * @name: attribute name
 *
 * Returns: (transfer none) (nullable): the value, or %NULL when there is
 *   no attribute @name or it is not a variant.
 */
SIPSERVLET_API GVariant *sipservlet_application_session_get_attribute_variant (SipApplicationSession *app_session,
                                                                               const char *name);

/**
 * sipservlet_application_session_set_attribute_bytes:
 * @app_session: a valid application session
 * @name: attribute name
 * @type_name: (nullable): what the bytes encode, in terms of the
 *   application (a class or schema name), so that whoever reads them
 *   back knows how to decode them; copied
 * @value: (nullable): the serialised value, a reference is added; %NULL
 *   removes the attribute
 *
 * Attaches a value the application serialised itself, for a session
 * store. Like sipservlet_application_session_set_attribute_variant(): one
 * namespace with the other kinds, the reference dropped on replacement,
 * removal, invalidation or free, and a programming error on an
 * invalidated application session.
 */
SIPSERVLET_API void sipservlet_application_session_set_attribute_bytes (SipApplicationSession *app_session,
                                                                        const char *name,
                                                                        const char *type_name,
                                                                        GBytes *value);

/**
 * sipservlet_application_session_get_attribute_bytes:
 * @app_session: an application session
 * @name: attribute name
 * @type_name: (out) (optional) (nullable) (transfer none): the type name
 *   given with the bytes, %NULL when none was or there are no bytes
 *
 * Returns: (transfer none) (nullable): the bytes, or %NULL when there is
 *   no attribute @name or it does not hold bytes.
 */
SIPSERVLET_API GBytes *sipservlet_application_session_get_attribute_bytes (SipApplicationSession *app_session,
                                                                           const char *name,
                                                                           const char **type_name);

/**
 * sipservlet_application_session_is_serializable:
 * @app_session: an application session
 *
 * Whether a session store can write out every attribute.
 *
 * Returns: %TRUE when every attribute is a variant or bytes (also when
 *   there is none, as after invalidation), %FALSE when one is a pointer.
 */
SIPSERVLET_API gboolean sipservlet_application_session_is_serializable (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_get_sessions:
 * @app_session: an application session
 *
 * Returns: (transfer full) (element-type SipSession): its valid
 *   sessions. The array holds a reference on each element, so an element
 *   invalidated meanwhile (by you, or by a listener your calls trigger)
 *   stays readable: check sipservlet_session_is_valid().
 *   g_ptr_array_unref() drops the references.
 */
SIPSERVLET_API GPtrArray *sipservlet_application_session_get_sessions (SipApplicationSession *app_session);

/**
 * sipservlet_application_session_create_timer:
 * @app_session: a valid application session
 * @delay_ms: first expiry, in milliseconds from now
 * @period_ms: 0 for a one-shot timer, else the repeat period
 * @fixed_delay: for repeating timers, %TRUE to count the period from each
 *   expiry's run (drifts), %FALSE for a fixed rate (catches up)
 * @info: (nullable): application data, read back with
 *   sipservlet_timer_get_info()
 * @info_destroy: (nullable): called exactly once on @info when the timer
 *   is freed
 * @error: return location for a #GError
 *
 * Creates a servlet timer (JSR 289 TimerService.createTimer). On expiry the
 * timer_fired listener runs. Timers die with their application session
 * and keep it from being ready to invalidate while active; dropping your
 * reference neither cancels the timer nor stops it firing.
 *
 * Returns: (transfer full): the timer, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE for an invalid application session.
 */
SIPSERVLET_API SipServletTimer *sipservlet_application_session_create_timer (SipApplicationSession *app_session,
                                                                             guint delay_ms,
                                                                             guint period_ms,
                                                                             gboolean fixed_delay,
                                                                             gpointer info,
                                                                             GDestroyNotify info_destroy,
                                                                             GError **error);

/**
 * sipservlet_application_session_get_timers:
 * @app_session: an application session
 *
 * Returns: (transfer full) (element-type SipServletTimer): its active
 *   timers. The array holds a reference on each element, so a timer
 *   cancelled meanwhile stays readable (its application session is then
 *   %NULL). g_ptr_array_unref() drops the references.
 */
SIPSERVLET_API GPtrArray *sipservlet_application_session_get_timers (SipApplicationSession *app_session);

/* ---- SipServletTimer -------------------------------------------------- */

/**
 * sipservlet_timer_ref:
 * @timer: a timer
 *
 * Returns: (transfer full): @timer with one more reference.
 */
SIPSERVLET_API SipServletTimer *sipservlet_timer_ref (SipServletTimer *timer);

/**
 * sipservlet_timer_unref:
 * @timer: (transfer full): a timer
 *
 * Drops one reference.
 */
SIPSERVLET_API void sipservlet_timer_unref (SipServletTimer *timer);

/**
 * sipservlet_timer_get_id:
 * @timer: a timer
 *
 * Returns: (transfer none): a unique identifier.
 */
SIPSERVLET_API const char *sipservlet_timer_get_id (SipServletTimer *timer);

/**
 * sipservlet_timer_get_info:
 * @timer: a timer
 *
 * Returns: (transfer none) (nullable): the info given at creation.
 */
SIPSERVLET_API gpointer sipservlet_timer_get_info (SipServletTimer *timer);

/**
 * sipservlet_timer_get_application_session:
 * @timer: a timer
 *
 * Returns: (transfer none) (nullable): its application session, %NULL once
 *   the timer is cancelled.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_timer_get_application_session (SipServletTimer *timer);

/**
 * sipservlet_timer_get_time_remaining:
 * @timer: a timer
 *
 * Returns: milliseconds until the next expiry (negative if overdue), 0 once
 *   cancelled.
 */
SIPSERVLET_API gint64 sipservlet_timer_get_time_remaining (SipServletTimer *timer);

/**
 * sipservlet_timer_cancel:
 * @timer: a timer
 *
 * Cancels the timer; idempotent. Called from its own timer_fired
 * callback, it guarantees no further expiry.
 */
SIPSERVLET_API void sipservlet_timer_cancel (SipServletTimer *timer);

G_END_DECLS
