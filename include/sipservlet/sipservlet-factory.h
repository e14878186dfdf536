/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipFactory (JSR 289 SipFactory): creates URIs,
 * addresses, application sessions and new requests for UAC servlets.
 *
 * The factory belongs to its container (sipservlet_container_get_factory())
 * and lives as long as it. Use it from the container thread.
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
 * sipservlet_factory_create_application_session:
 * @factory: the container's factory
 *
 * The application_session_created listener runs before this returns.
 *
 * Returns: (transfer full): a new application session. The container
 *   keeps it too, until it is invalidated or expires: dropping your
 *   reference does not end it.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_factory_create_application_session (SipFactory *factory);

/**
 * sipservlet_factory_create_uri:
 * @factory: the container's factory
 * @text: a URI (sip:, sips:, tel: or any absolute URI)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the URI, or %NULL with %SIPSERVLET_ERROR_PARSE.
 */
SIPSERVLET_API SipURI *sipservlet_factory_create_uri (SipFactory *factory,
                                                      const char *text,
                                                      GError **error);

/**
 * sipservlet_factory_create_address:
 * @factory: the container's factory
 * @text: a name-addr or addr-spec with parameters, or "*"
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the address, or %NULL with
 *   %SIPSERVLET_ERROR_PARSE.
 */
SIPSERVLET_API SipAddress *sipservlet_factory_create_address (SipFactory *factory,
                                                              const char *text,
                                                              GError **error);

/**
 * sipservlet_factory_create_request:
 * @factory: the container's factory
 * @app_session: a valid application session; the request gets a new
 *   #SipSession in it
 * @method: the method; not ACK or CANCEL
 * @from: the From address (copied; any tag is replaced by a new one)
 * @to: the To address (copied; any tag is removed); its URI is the
 *   Request-URI
 * @error: return location for a #GError
 *
 * Creates an initial request with a new Call-ID, From tag, CSeq 1,
 * Max-Forwards 70 and, except for REGISTER, a Contact for this container.
 * Send it with sipservlet_request_send(); its responses reach the servlet
 * set with sipservlet_session_set_handler() on its session, or the
 * container's default servlet.
 *
 * Returns: (transfer full): the request, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT (ACK, CANCEL, bad method) or
 *   %SIPSERVLET_ERROR_INVALID_STATE (invalid application session).
 */
SIPSERVLET_API SipServletRequest *sipservlet_factory_create_request (SipFactory *factory,
                                                                     SipApplicationSession *app_session,
                                                                     const char *method,
                                                                     const SipAddress *from,
                                                                     const SipAddress *to,
                                                                     GError **error);

/**
 * sipservlet_factory_ref:
 * @factory: a factory
 *
 * The factory belongs to its container: a reference on the factory is a
 * reference on the container.
 *
 * Returns: (transfer full): @factory.
 */
SIPSERVLET_API SipFactory *sipservlet_factory_ref (SipFactory *factory);

/**
 * sipservlet_factory_unref:
 * @factory: (transfer full): a factory
 *
 * Drops a reference taken with sipservlet_factory_ref().
 */
SIPSERVLET_API void sipservlet_factory_unref (SipFactory *factory);

G_END_DECLS
