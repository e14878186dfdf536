/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - logging in to a provider: digest credentials of a client
 * (JSR 289 AuthInfo, SipServletRequest.addAuthHeader(),
 * SipServletResponse.getChallengeRealms()).
 *
 * A #SipAuthInfo holds usernames and passwords per realm and per kind of
 * challenge (401 from a registrar or user agent, 407 from a proxy).
 * sipservlet_request_add_auth_header() answers a 401/407 in a new request;
 * sipservlet_request_set_auth_info() lets the client callback API
 * (sipservlet_request_send_with_callback()) retry once by itself.
 *
 * Digest (RFC 7616 and RFC 8760): MD5 and SHA-256, qop=auth, the strongest
 * algorithm offered for which there are credentials (SHA-256 first).
 *
 * Threading: a #SipAuthInfo is not thread-safe; use it from the container
 * thread. Only _ref()/_unref() are atomic.
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
 * sipservlet_auth_info_new:
 *
 * Creates an empty set of credentials (JSR 289 SipFactory.createAuthInfo()).
 *
 * Returns: (transfer full): a new #SipAuthInfo; free with
 *   sipservlet_auth_info_unref().
 */
SIPSERVLET_API SipAuthInfo *sipservlet_auth_info_new (void);

/**
 * sipservlet_auth_info_add:
 * @info: a #SipAuthInfo
 * @status: 401 for a user agent's or registrar's challenge
 *   (WWW-Authenticate), 407 for a proxy's (Proxy-Authenticate)
 * @realm: the realm of the challenge, as the server sends it
 * @username: the username
 * @password: the password (copied; the copy is overwritten with zeros when
 *   @info is freed)
 * @error: return location for a #GError
 *
 * Adds credentials for @realm (JSR 289 AuthInfo.addAuthInfo()). Adding
 * again for the same @status and @realm replaces them.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @status is
 *   neither 401 nor 407, or a string is %NULL or @realm or @username empty.
 */
SIPSERVLET_API gboolean sipservlet_auth_info_add (SipAuthInfo *info,
                                                  guint status,
                                                  const char *realm,
                                                  const char *username,
                                                  const char *password,
                                                  GError **error);

/**
 * sipservlet_auth_info_ref:
 * @info: a #SipAuthInfo
 *
 * Returns: (transfer full): @info.
 */
SIPSERVLET_API SipAuthInfo *sipservlet_auth_info_ref (SipAuthInfo *info);

/**
 * sipservlet_auth_info_unref:
 * @info: (transfer full): a #SipAuthInfo
 *
 * Drops a reference; the last one frees @info and zeroes its passwords.
 */
SIPSERVLET_API void sipservlet_auth_info_unref (SipAuthInfo *info);

/**
 * sipservlet_factory_create_auth_info:
 * @factory: a factory
 *
 * JSR 289 SipFactory.createAuthInfo(): the same as
 * sipservlet_auth_info_new().
 *
 * Returns: (transfer full): a new, empty #SipAuthInfo.
 */
SIPSERVLET_API SipAuthInfo *sipservlet_factory_create_auth_info (SipFactory *factory);

/**
 * sipservlet_request_add_auth_header:
 * @request: a new request, not yet sent (e.g. from
 *   sipservlet_session_create_request() or sipservlet_factory_create_request())
 * @response: a 401 or 407 received for an earlier request
 * @info: the credentials
 * @error: return location for a #GError
 *
 * Answers the challenges of @response in @request (JSR 289
 * SipServletRequest.addAuthHeader(SipServletResponse, AuthInfo)): for each
 * realm challenged for which @info has credentials of the response's
 * status, an Authorization (401) or Proxy-Authorization (407) header for
 * the strongest algorithm offered (SHA-256, then MD5), with qop=auth, a
 * random cnonce, the challenge's opaque and uri set to @request's
 * Request-URI. Credentials of @request for the same realm are replaced.
 * @info counts the uses of each nonce, so answering the same challenge
 * again sends the next nc.
 *
 * Returns: %FALSE, leaving @request unchanged, with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT when @response is not a 401 or 407,
 *   %SIPSERVLET_ERROR_INVALID_STATE when @request was sent or is incoming,
 *   %SIPSERVLET_ERROR_NO_CREDENTIALS when @info has no credentials for any realm
 *   challenged, %SIPSERVLET_ERROR_NOT_SUPPORTED when every challenge for
 *   such a realm is unsupported or malformed (another scheme than Digest,
 *   another algorithm, no qop=auth; the message says which).
 */
SIPSERVLET_API gboolean sipservlet_request_add_auth_header (SipServletRequest *request,
                                                            SipServletResponse *response,
                                                            SipAuthInfo *info,
                                                            GError **error);

/**
 * sipservlet_request_add_auth_header_for:
 * @request: a new request, not yet sent
 * @response: a 401 or 407 received for an earlier request
 * @username: the username
 * @password: the password
 * @error: return location for a #GError
 *
 * JSR 289 SipServletRequest.addAuthHeader(SipServletResponse, String,
 * String): like sipservlet_request_add_auth_header() with these
 * credentials for every realm challenged. The nonce count is 1: to answer
 * one challenge several times, use a #SipAuthInfo, which counts.
 *
 * Returns: as sipservlet_request_add_auth_header().
 */
SIPSERVLET_API gboolean sipservlet_request_add_auth_header_for (SipServletRequest *request,
                                                                SipServletResponse *response,
                                                                const char *username,
                                                                const char *password,
                                                                GError **error);

/**
 * sipservlet_request_set_auth_info:
 * @request: a new request, not yet sent
 * @info: (nullable): the credentials, or %NULL to remove them
 *
 * For a request sent with sipservlet_request_send_with_callback(): a 401
 * or 407 is answered once by the library. The request goes out again with
 * the next CSeq, a new transaction and the credentials
 * (sipservlet_request_add_auth_header()); the callback sees the responses
 * to that retry only, on the same @request. A second 401 or 407 (a wrong
 * password), or one that @info cannot answer, is delivered as is. A
 * reference on @info is kept until @request goes.
 */
SIPSERVLET_API void sipservlet_request_set_auth_info (SipServletRequest *request,
                                                     SipAuthInfo *info);

/**
 * sipservlet_response_get_challenge_realms:
 * @response: a response
 *
 * JSR 289 SipServletResponse.getChallengeRealms(): the realms of the
 * WWW-Authenticate headers of @response, then of its Proxy-Authenticate
 * headers, each realm once, in message order within each kind (of any
 * scheme: a Basic challenge's realm is listed too).
 *
 * Returns: (transfer full) (array zero-terminated=1): the realms, empty
 *   when there is no challenge. Free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_response_get_challenge_realms (SipServletResponse *response);

G_END_DECLS
