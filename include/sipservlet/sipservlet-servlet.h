/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServlet: the application's callback table
 * (JSR 289 SipServlet, chapter 2).
 *
 * A servlet is a #SipServletHandlers vtable plus user data. The table is
 * copied when the servlet is created, so a host may keep it
 * `static const`:
 *
 *     static const SipServletHandlers handlers = {
 *       SIPSERVLET_HANDLERS_INIT,
 *       .do_invite = on_invite,
 *       .do_bye = on_bye,
 *     };
 *     SipServlet *s = sipservlet_servlet_new ("uas", &handlers, app, NULL);
 *
 * Dispatch (JSR 289 §2.3): a request goes to do_request when it is set,
 * otherwise to the per-method handler. A response goes to do_response
 * when set, otherwise to the handler of its class. A handler left %NULL
 * gets the JSR 289 default: requests are answered 500 ("Request not
 * handled by application"; 501 for MESSAGE, NOTIFY, SUBSCRIBE, PUBLISH and
 * unknown methods), a PRACK is answered 200, ACK, CANCEL and responses are
 * ignored.
 *
 * Handlers run on the container thread; the objects they get are borrowed
 * for the call. A request handler must answer the request (final
 * response), or call sipservlet_request_defer() and answer later; when it
 * does neither, the container answers 500 and logs a warning.
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
 * SipServletRequestFunc:
 * @servlet: the servlet
 * @request: (transfer none): the request
 * @user_data: the servlet's user data
 *
 * A request handler.
 */
typedef void (*SipServletRequestFunc) (SipServlet *servlet,
                                       SipServletRequest *request,
                                       gpointer user_data);

/**
 * SipServletResponseFunc:
 * @servlet: the servlet
 * @response: (transfer none): the response
 * @user_data: the servlet's user data
 *
 * A response handler.
 */
typedef void (*SipServletResponseFunc) (SipServlet *servlet,
                                        SipServletResponse *response,
                                        gpointer user_data);

/**
 * SipServletHandlers:
 * @struct_size: sizeof (SipServletHandlers) as the host saw it; set it
 *   with %SIPSERVLET_HANDLERS_INIT
 * @init: called once when the servlet is added to a container; return
 *   %FALSE and set the error to refuse
 * @destroy: called once when the container shuts down (or is freed),
 *   while the servlet is still usable; the #GDestroyNotify given to
 *   sipservlet_servlet_new() runs later, when the last reference goes
 * @do_request: catch-all request handler: when set it receives every
 *   request, ACK and CANCEL included, and the per-method handlers are not
 *   called
 * @do_invite: INVITE
 * @do_ack: ACK for a 2xx the servlet sent
 * @do_options: OPTIONS
 * @do_bye: BYE
 * @do_cancel: CANCEL, as a notification: the container already answered
 *   200 to the CANCEL and 487 to the request
 * @do_register: REGISTER
 * @do_subscribe: SUBSCRIBE
 * @do_notify: NOTIFY
 * @do_message: MESSAGE
 * @do_info: INFO
 * @do_prack: PRACK
 * @do_update: UPDATE
 * @do_refer: REFER
 * @do_publish: PUBLISH
 * @do_unknown: a method not listed above (initial ones default to 501)
 * @do_response: catch-all response handler
 * @do_provisional_response: 1xx
 * @do_success_response: 2xx
 * @do_redirect_response: 3xx
 * @do_error_response: 4xx, 5xx, 6xx
 * @do_branch_response: intermediate final response of a proxy branch
 *
 * The servlet vtable. Members are only ever appended; the container copies
 * MIN (struct_size, sizeof) bytes and refuses a larger struct_size.
 */
typedef struct {
  gsize struct_size;
  gboolean (*init) (SipServlet *servlet, gpointer user_data, GError **error);
  void (*destroy) (SipServlet *servlet, gpointer user_data);

  SipServletRequestFunc do_request;
  SipServletRequestFunc do_invite;
  SipServletRequestFunc do_ack;
  SipServletRequestFunc do_options;
  SipServletRequestFunc do_bye;
  SipServletRequestFunc do_cancel;
  SipServletRequestFunc do_register;
  SipServletRequestFunc do_subscribe;
  SipServletRequestFunc do_notify;
  SipServletRequestFunc do_message;
  SipServletRequestFunc do_info;
  SipServletRequestFunc do_prack;
  SipServletRequestFunc do_update;
  SipServletRequestFunc do_refer;
  SipServletRequestFunc do_publish;
  SipServletRequestFunc do_unknown;

  SipServletResponseFunc do_response;
  SipServletResponseFunc do_provisional_response;
  SipServletResponseFunc do_success_response;
  SipServletResponseFunc do_redirect_response;
  SipServletResponseFunc do_error_response;
  SipServletResponseFunc do_branch_response;
} SipServletHandlers;

/**
 * SIPSERVLET_HANDLERS_INIT:
 *
 * First initialiser of a #SipServletHandlers: sets struct_size.
 */
#define SIPSERVLET_HANDLERS_INIT .struct_size = sizeof (SipServletHandlers)

/**
 * sipservlet_servlet_new:
 * @name: the servlet name (copied)
 * @handlers: the vtable (copied)
 * @user_data: (nullable): passed to every handler
 * @destroy: (nullable): called exactly once on @user_data when the servlet
 *   is freed
 *
 * Returns: (transfer full): a servlet, or %NULL with a critical when
 *   @handlers->struct_size is 0 or larger than this library knows.
 */
SIPSERVLET_API SipServlet *sipservlet_servlet_new (const char *name,
                                                   const SipServletHandlers *handlers,
                                                   gpointer user_data,
                                                   GDestroyNotify destroy);

/**
 * SipRequestCallback:
 * @request: the request, borrowed for the call
 * @user_data: the data given to sipservlet_servlet_new_with_callback()
 *
 * Handles a request: answer it (sipservlet_request_respond()), proxy it,
 * or defer it, as a servlet's do_request handler would.
 */
typedef void (*SipRequestCallback) (SipServletRequest *request, gpointer user_data);

/**
 * sipservlet_servlet_new_with_callback:
 * @name: the servlet name (copied)
 * @callback: (scope notified) (closure user_data) (destroy destroy): gets
 *   every request the servlet receives, ACK and CANCEL included (those two
 *   as notifications: nothing to answer)
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data when the servlet is freed
 *
 * A servlet made of one callback instead of a #SipServletHandlers table:
 * what language bindings use (a vtable cannot be implemented from Python),
 * and a short way to write a one-method servlet in C. Register it per
 * method with sipservlet_container_add_servlet(). Responses to requests
 * it sends are best received with sipservlet_request_send_with_callback().
 *
 * Returns: (transfer full): a servlet.
 */
SIPSERVLET_API SipServlet *sipservlet_servlet_new_with_callback (const char *name,
                                                                 SipRequestCallback callback,
                                                                 gpointer user_data,
                                                                 GDestroyNotify destroy);

/**
 * sipservlet_servlet_ref:
 * @servlet: a servlet
 *
 * Returns: (transfer full): @servlet with one more reference.
 */
SIPSERVLET_API SipServlet *sipservlet_servlet_ref (SipServlet *servlet);

/**
 * sipservlet_servlet_unref:
 * @servlet: (transfer full): a servlet
 *
 * Drops one reference; the last one calls the destroy notify.
 */
SIPSERVLET_API void sipservlet_servlet_unref (SipServlet *servlet);

/**
 * sipservlet_servlet_get_name:
 * @servlet: a servlet
 *
 * Returns: (transfer none): its name.
 */
SIPSERVLET_API const char *sipservlet_servlet_get_name (SipServlet *servlet);

/**
 * sipservlet_servlet_get_user_data:
 * @servlet: a servlet
 *
 * Returns: (transfer none) (nullable): the user data given at creation.
 */
SIPSERVLET_API gpointer sipservlet_servlet_get_user_data (SipServlet *servlet);

/**
 * sipservlet_servlet_get_container:
 * @servlet: a servlet
 *
 * Returns: (transfer none) (nullable): the container it was added to.
 */
SIPSERVLET_API SipContainer *sipservlet_servlet_get_container (SipServlet *servlet);

/**
 * sipservlet_servlet_get_factory:
 * @servlet: a servlet added to a container
 *
 * Returns: (transfer none) (nullable): the container's factory.
 */
SIPSERVLET_API SipFactory *sipservlet_servlet_get_factory (SipServlet *servlet);

G_END_DECLS
