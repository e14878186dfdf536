/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - finding sessions again (JSR 289 SipSessionsUtil, and the
 * targeting of §15.11).
 *
 * A servlet that keeps only an identifier (in a database, a web request,
 * another protocol) finds its session or application session again
 * through the container; one that must see a new initial request in an
 * application session it already has encodes that session in a URI
 * (sipservlet_application_session_encode_uri()), gives it a key, or
 * relies on the Join and Replaces headers of the new request.
 *
 * Every lookup returns valid objects only, borrowed: an object is found
 * from its creation until it is invalidated. _ref() one to keep it
 * beyond the current callback, and check that it is still valid then.
 * All calls run on the container thread.
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
 * sipservlet_container_get_application_session:
 * @container: a container
 * @id: an application session's id (sipservlet_application_session_get_id())
 *
 * JSR 289 SipSessionsUtil.getApplicationSessionById().
 *
 * Returns: (transfer none) (nullable): the valid application session with
 *   that id, or %NULL.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_container_get_application_session (SipContainer *container,
                                                                                    const char *id);

/**
 * sipservlet_container_get_application_session_by_key:
 * @container: a container
 * @application_name: the application the key belongs to
 * @key: a session key (JSR 289 §15.11.2: what the application's key
 *   function made of an initial request)
 *
 * JSR 289 SipSessionsUtil.getApplicationSessionByKey() without creation.
 * Keys are per application: two applications may use the same key for
 * different application sessions. An application session carries at most
 * one key, from the moment the container binds it until the application
 * session is invalidated.
 *
 * Returns: (transfer none) (nullable): the valid application session bound
 *   to @key in @application_name, or %NULL.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_container_get_application_session_by_key (SipContainer *container,
                                                                                           const char *application_name,
                                                                                           const char *key);

/**
 * sipservlet_container_get_session:
 * @container: a container
 * @id: a session's id (sipservlet_session_get_id())
 *
 * Returns: (transfer none) (nullable): the valid session with that id, or
 *   %NULL.
 */
SIPSERVLET_API SipSession *sipservlet_container_get_session (SipContainer *container,
                                                             const char *id);

/**
 * sipservlet_session_get_corresponding_session:
 * @session: a session
 * @header_name: "Join" or "Replaces", in any case; another name is a
 *   programming error
 *
 * JSR 289 SipSessionsUtil.getCorrespondingSipSession(): for a session
 * whose initial request carried a Join (RFC 3911) or Replaces (RFC 3891)
 * header that named a dialog of this container, the session of that
 * dialog. The link lasts until @session is invalidated; the session
 * returned may have been invalidated meanwhile (a replaced call usually
 * is): check sipservlet_session_is_valid().
 *
 * Returns: (transfer none) (nullable): the session the @header_name header
 *   of @session's initial request named, or %NULL when that request had no
 *   such header, when it named no dialog of ours, or when @session is
 *   invalidated.
 */
SIPSERVLET_API SipSession *sipservlet_session_get_corresponding_session (SipSession *session,
                                                                         const char *header_name);

/**
 * sipservlet_application_session_encode_uri:
 * @app_session: a valid application session
 * @uri: the URI to encode, not changed
 *
 * JSR 289 SipApplicationSession.encodeURI(): a copy of @uri with a
 * `sipsv-as` parameter holding the id of @app_session. An initial request
 * whose Request-URI or popped Route carries that URI goes to @app_session's
 * application and joins @app_session while it is valid (JSR 289
 * §15.11.1), without asking the application router. Hand the
 * URI to the parties that are to come back, for instance in a Contact or
 * a Record-Route, or in a web page.
 *
 * Application session ids carry 64 random bits from the kernel, so a
 * party that was not given the URI cannot make one up. The parameter
 * survives sipservlet_uri_to_string() and sipservlet_uri_parse().
 *
 * Returns: (transfer full) (nullable): the encoded copy, or %NULL when
 *   @app_session is invalidated or @uri takes no parameters (a scheme other
 *   than sip, sips and tel).
 */
SIPSERVLET_API SipURI *sipservlet_application_session_encode_uri (SipApplicationSession *app_session,
                                                                  const SipURI *uri);

G_END_DECLS
