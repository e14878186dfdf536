/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipProxy and SipProxyBranch: stateful forking proxy
 * (JSR 289 chapter 10, RFC 3261 §16).
 *
 * A servlet proxies an initial request by getting its proxy
 * (sipservlet_request_get_proxy()) and giving it targets:
 *
 *     SipProxy *proxy = sipservlet_request_get_proxy (request, &error);
 *     sipservlet_proxy_set_record_route (proxy, TRUE, NULL);
 *     sipservlet_proxy_to (proxy, target_uri, &error);
 *
 * The container then forks (in parallel by default, or one target at a
 * time), forwards provisional responses, forwards every 2xx at once and
 * cancels the other branches, collects the other final responses and
 * forwards the best one (RFC 3261 §16.7). With supervision on (the
 * default), the servlet sees the responses first: do_provisional_response
 * and do_success_response as they pass, do_branch_response for each
 * branch's final response, and the best response through do_response /
 * do_error_response... where it may still call sipservlet_proxy_to() to try
 * more targets or answer the original request itself.
 *
 * Subsequent requests of a record-routed dialog (BYE, INFO, re-INVITE)
 * reach the servlet's handlers first, then the container forwards them
 * along the route set unless the servlet answered them itself.
 *
 * The proxy belongs to its original request; branches belong to the proxy.
 * Pointers returned here are borrowed for as long as the request lives.
 * Everything runs on the container thread.
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
 * sipservlet_request_get_proxy:
 * @request: an incoming initial request
 * @error: return location for a #GError
 *
 * Returns the request's proxy, creating it on the first call. Once a proxy
 * exists the container answers the request only through it: the servlet
 * need not defer.
 *
 * Returns: (transfer none): the proxy, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE (a final response was sent, the
 *   request is not an incoming initial one), or
 *   %SIPSERVLET_ERROR_TOO_MANY_HOPS (Max-Forwards is 0: the container has
 *   answered 483).
 */
SIPSERVLET_API SipProxy *sipservlet_request_get_proxy (SipServletRequest *request,
                                                       GError **error);

/**
 * sipservlet_request_get_popped_route:
 * @request: an incoming request
 *
 * The Route header the container removed because it named this container:
 * on subsequent requests of a record-routed dialog it carries the
 * parameters the servlet set on sipservlet_proxy_get_record_route_uri().
 *
 * Returns: (transfer none) (nullable): the popped route URI, or %NULL.
 */
SIPSERVLET_API const SipURI *sipservlet_request_get_popped_route (SipServletRequest *request);

/**
 * sipservlet_proxy_get_original_request:
 * @proxy: a proxy
 *
 * Returns: (transfer none): the request being proxied.
 */
SIPSERVLET_API SipServletRequest *sipservlet_proxy_get_original_request (SipProxy *proxy);

/**
 * sipservlet_proxy_to:
 * @proxy: a proxy
 * @uri: the target (copied); sip or sips
 * @error: return location for a #GError
 *
 * Proxies to one more target, started at once (JSR 289 proxyTo()).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when the proxy has
 *   completed (a final response went upstream, the 487 to a CANCEL that
 *   came before the start included) or was cancelled, or
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for a URI that is not sip or sips.
 */
SIPSERVLET_API gboolean sipservlet_proxy_to (SipProxy *proxy, const SipURI *uri,
                                             GError **error);

/**
 * sipservlet_proxy_to_list:
 * @proxy: a proxy
 * @uris: (array length=n_uris): the targets (copied)
 * @n_uris: number of targets
 * @error: return location for a #GError
 *
 * Proxies to several targets: all at once in parallel mode, one after the
 * other in sequential mode.
 *
 * Returns: as sipservlet_proxy_to().
 */
SIPSERVLET_API gboolean sipservlet_proxy_to_list (SipProxy *proxy, const SipURI * const *uris,
                                                  gsize n_uris, GError **error);

/**
 * sipservlet_proxy_create_branch:
 * @proxy: a proxy not started yet
 * @uri: the target (copied)
 * @error: return location for a #GError
 *
 * Creates a branch without starting it, so its settings can be changed;
 * sipservlet_proxy_start() starts the created branches. The proxy keeps
 * the branch too: dropping your reference does not remove it.
 *
 * Returns: (transfer full): the branch, or %NULL as sipservlet_proxy_to().
 */
SIPSERVLET_API SipProxyBranch *sipservlet_proxy_create_branch (SipProxy *proxy, const SipURI *uri,
                                                               GError **error);

/**
 * sipservlet_proxy_start:
 * @proxy: a proxy with created branches
 * @error: return location for a #GError
 *
 * Starts the created branches.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when there is no
 *   branch to start or the proxy completed.
 */
SIPSERVLET_API gboolean sipservlet_proxy_start (SipProxy *proxy, GError **error);

/**
 * sipservlet_proxy_set_parallel:
 * @proxy: a proxy
 * @parallel: %TRUE (the default) to fork to all targets at once, %FALSE to
 *   try them one at a time, each for the proxy timeout
 *
 * Sets the search mode.
 */
SIPSERVLET_API void sipservlet_proxy_set_parallel (SipProxy *proxy, gboolean parallel);

/**
 * sipservlet_proxy_get_parallel:
 * @proxy: a proxy
 *
 * Returns: the search mode.
 */
SIPSERVLET_API gboolean sipservlet_proxy_get_parallel (SipProxy *proxy);

/**
 * sipservlet_proxy_set_recurse:
 * @proxy: a proxy
 * @recurse: %TRUE (the default) to proxy to the Contacts of 3xx responses
 *
 * Applies to branches created afterwards.
 */
SIPSERVLET_API void sipservlet_proxy_set_recurse (SipProxy *proxy, gboolean recurse);

/**
 * sipservlet_proxy_get_recurse:
 * @proxy: a proxy
 *
 * Returns: whether 3xx responses are recursed.
 */
SIPSERVLET_API gboolean sipservlet_proxy_get_recurse (SipProxy *proxy);

/**
 * sipservlet_proxy_set_record_route:
 * @proxy: a proxy not started yet
 * @record_route: %TRUE to stay on the dialog's path (default %FALSE)
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE once started.
 */
SIPSERVLET_API gboolean sipservlet_proxy_set_record_route (SipProxy *proxy,
                                                           gboolean record_route,
                                                           GError **error);

/**
 * sipservlet_proxy_get_record_route:
 * @proxy: a proxy
 *
 * Returns: whether the proxy record-routes.
 */
SIPSERVLET_API gboolean sipservlet_proxy_get_record_route (SipProxy *proxy);

/**
 * sipservlet_proxy_get_record_route_uri:
 * @proxy: a record-routing proxy
 * @error: return location for a #GError
 *
 * The URI put in Record-Route. The servlet may set parameters on it
 * (sipservlet_uri_set_parameter()) before branches are created; they come
 * back on subsequent requests through sipservlet_request_get_popped_route().
 * Changing its scheme, user, host, port or the parameters transport, lr,
 * maddr, ttl, method or user makes the next sipservlet_proxy_to(),
 * sipservlet_proxy_to_list(), sipservlet_proxy_create_branch() or
 * sipservlet_proxy_start() fail with %SIPSERVLET_ERROR_INVALID_ARGUMENT.
 *
 * Returns: (transfer none): the URI, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE when the proxy does not record-route.
 */
SIPSERVLET_API SipURI *sipservlet_proxy_get_record_route_uri (SipProxy *proxy, GError **error);

/**
 * sipservlet_proxy_set_supervised:
 * @proxy: a proxy
 * @supervised: %TRUE (the default) to show responses to the servlet
 *
 * Sets supervision.
 */
SIPSERVLET_API void sipservlet_proxy_set_supervised (SipProxy *proxy, gboolean supervised);

/**
 * sipservlet_proxy_get_supervised:
 * @proxy: a proxy
 *
 * Returns: whether the servlet sees responses.
 */
SIPSERVLET_API gboolean sipservlet_proxy_get_supervised (SipProxy *proxy);

/**
 * sipservlet_proxy_set_add_to_path:
 * @proxy: a proxy of a REGISTER, not started yet
 * @add_to_path: %TRUE to add a Path header for this container (RFC 3327)
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE once started.
 */
SIPSERVLET_API gboolean sipservlet_proxy_set_add_to_path (SipProxy *proxy, gboolean add_to_path,
                                                          GError **error);

/**
 * sipservlet_proxy_set_no_cancel:
 * @proxy: a proxy
 * @no_cancel: %TRUE not to cancel other branches on a 2xx (RFC 3841)
 *
 * Default %FALSE: a 2xx or 6xx cancels the branches still pending.
 */
SIPSERVLET_API void sipservlet_proxy_set_no_cancel (SipProxy *proxy, gboolean no_cancel);

/**
 * sipservlet_proxy_set_proxy_timeout:
 * @proxy: a proxy
 * @seconds: 1..3600; default 180
 * @error: return location for a #GError
 *
 * Sequential mode: how long each branch may try before it is cancelled and
 * the next target tried. Parallel mode: each branch's limit. Provisional
 * responses restart an INVITE branch's timer (RFC 3261 Timer C). A branch
 * that times out counts as a 408 for the best response at once, but a
 * 2xx that crosses its CANCEL is still forwarded upstream (RFC 3261
 * §16.7), even after the caller got a final response.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT out of range.
 */
SIPSERVLET_API gboolean sipservlet_proxy_set_proxy_timeout (SipProxy *proxy, guint seconds,
                                                            GError **error);

/**
 * sipservlet_proxy_get_proxy_timeout:
 * @proxy: a proxy
 *
 * Returns: the timeout in seconds.
 */
SIPSERVLET_API guint sipservlet_proxy_get_proxy_timeout (SipProxy *proxy);

/**
 * sipservlet_proxy_cancel:
 * @proxy: a proxy
 * @reason: (nullable): a Reason header value for the CANCELs (RFC 3326),
 *   e.g. "SIP;cause=600;text=\"Busy Everywhere\""
 * @error: return location for a #GError
 *
 * Cancels every pending branch; no new branch starts. Once every branch
 * has ended, the best response goes upstream (the branches' 487 at worst).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when no branch was
 *   started yet (the request is still the servlet's to answer), when the
 *   proxy was already cancelled, or when it has completed (a final
 *   response went upstream, the caller's CANCEL answered before the start
 *   included).
 */
SIPSERVLET_API gboolean sipservlet_proxy_cancel (SipProxy *proxy, const char *reason,
                                                 GError **error);

/**
 * sipservlet_proxy_get_branches:
 * @proxy: a proxy
 *
 * Returns: (transfer full) (element-type SipProxyBranch): the top-level
 *   branches (not the recursed ones). The array holds a reference on each element; g_ptr_array_unref() drops them.
 */
SIPSERVLET_API GPtrArray *sipservlet_proxy_get_branches (SipProxy *proxy);

/**
 * sipservlet_proxy_get_branch:
 * @proxy: a proxy
 * @uri: a target URI
 *
 * Returns: (transfer none) (nullable): the top-level branch for @uri.
 */
SIPSERVLET_API SipProxyBranch *sipservlet_proxy_get_branch (SipProxy *proxy, const SipURI *uri);

/* ---- SipProxyBranch --------------------------------------------------- */

/**
 * sipservlet_proxy_branch_get_proxy:
 * @branch: a branch
 *
 * Returns: (transfer none): its proxy.
 */
SIPSERVLET_API SipProxy *sipservlet_proxy_branch_get_proxy (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_get_uri:
 * @branch: a branch
 *
 * Returns: (transfer none): its target.
 */
SIPSERVLET_API const SipURI *sipservlet_proxy_branch_get_uri (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_get_request:
 * @branch: a branch
 *
 * Returns: (transfer none) (nullable): the request sent on the branch, once
 *   started. Before the start, headers set on it go out with it.
 */
SIPSERVLET_API SipServletRequest *sipservlet_proxy_branch_get_request (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_get_response:
 * @branch: a branch
 *
 * Returns: (transfer none) (nullable): the last response received.
 */
SIPSERVLET_API SipServletResponse *sipservlet_proxy_branch_get_response (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_is_started:
 * @branch: a branch
 *
 * Returns: whether its request was sent.
 */
SIPSERVLET_API gboolean sipservlet_proxy_branch_is_started (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_cancel:
 * @branch: a branch
 * @reason: (nullable): Reason header value for the CANCEL
 * @error: return location for a #GError
 *
 * Cancels the branch and the branches recursed from it.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when it has completed.
 */
SIPSERVLET_API gboolean sipservlet_proxy_branch_cancel (SipProxyBranch *branch, const char *reason,
                                                        GError **error);

/**
 * sipservlet_proxy_branch_set_timeout:
 * @branch: a branch
 * @seconds: 1..the proxy timeout in parallel mode
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT out of range.
 */
SIPSERVLET_API gboolean sipservlet_proxy_branch_set_timeout (SipProxyBranch *branch, guint seconds,
                                                             GError **error);

/**
 * sipservlet_proxy_branch_get_recursed_branches:
 * @branch: a branch
 *
 * Returns: (transfer full) (element-type SipProxyBranch): the branches
 *   created by recursing on its 3xx. The array holds a reference on each element; g_ptr_array_unref() drops them.
 */
SIPSERVLET_API GPtrArray *sipservlet_proxy_branch_get_recursed_branches (SipProxyBranch *branch);

/**
 * sipservlet_response_get_proxy_branch:
 * @response: a response
 *
 * A response you keep (sipservlet_response_ref()) keeps its branch
 * reachable while the proxy lives: a provisional its branch has replaced
 * with a later response holds the proxy (and its request) until you drop
 * it. The latest response of a branch does not: once the proxy is gone
 * (its request freed), this returns %NULL for it.
 *
 * Returns: (transfer none) (nullable): the branch a proxied response came
 *   from, or %NULL for a response that was not proxied or whose proxy is
 *   gone.
 */
SIPSERVLET_API SipProxyBranch *sipservlet_response_get_proxy_branch (SipServletResponse *response);

/**
 * sipservlet_response_is_branch_response:
 * @response: a response
 *
 * Returns: %TRUE for an intermediate final response delivered to
 *   do_branch_response.
 */
SIPSERVLET_API gboolean sipservlet_response_is_branch_response (SipServletResponse *response);

/**
 * sipservlet_proxy_ref:
 * @proxy: a proxy
 *
 * A proxy lives as long as the request it proxies: a reference on the
 * proxy is a reference on that request.
 *
 * Returns: (transfer full): @proxy.
 */
SIPSERVLET_API SipProxy *sipservlet_proxy_ref (SipProxy *proxy);

/**
 * sipservlet_proxy_unref:
 * @proxy: (transfer full): a proxy
 *
 * Drops a reference taken with sipservlet_proxy_ref().
 */
SIPSERVLET_API void sipservlet_proxy_unref (SipProxy *proxy);

/**
 * sipservlet_proxy_branch_ref:
 * @branch: a proxy branch
 *
 * A branch lives as long as its proxy: a reference on the branch is a
 * reference on the proxied request.
 *
 * Returns: (transfer full): @branch.
 */
SIPSERVLET_API SipProxyBranch *sipservlet_proxy_branch_ref (SipProxyBranch *branch);

/**
 * sipservlet_proxy_branch_unref:
 * @branch: (transfer full): a proxy branch
 *
 * Drops a reference taken with sipservlet_proxy_branch_ref().
 */
SIPSERVLET_API void sipservlet_proxy_branch_unref (SipProxyBranch *branch);

G_END_DECLS
