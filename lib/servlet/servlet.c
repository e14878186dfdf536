/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServlet: the vtable and JSR 289 dispatch
 * (doRequest by method, doResponse by status class). The JSR 289 defaults
 * for requests no handler took are applied by the caller (lib/ua/). */
#include "config-private.h"

#include <string.h>

#include "servlet/servlet-private.h"

SipServlet *
sipservlet_servlet_new (const char *name, const SipServletHandlers *handlers,
                        gpointer user_data, GDestroyNotify destroy)
{
  g_return_val_if_fail (name != NULL && handlers != NULL, NULL);
  /* A larger table comes from newer headers: refuse rather than silently
   * drop callbacks this library does not know. */
  g_return_val_if_fail (handlers->struct_size > 0
                        && handlers->struct_size <= sizeof (SipServletHandlers), NULL);

  SipServlet *servlet = g_new0 (SipServlet, 1);
  g_atomic_ref_count_init (&servlet->ref_count);
  servlet->name = g_strdup (name);
  memcpy (&servlet->handlers, handlers, handlers->struct_size);
  servlet->handlers.struct_size = sizeof (SipServletHandlers);
  servlet->user_data = user_data;
  servlet->destroy = destroy;
  return servlet;
}

SipServlet *
sipservlet_servlet_ref (SipServlet *servlet)
{
  g_return_val_if_fail (servlet != NULL, NULL);
  g_atomic_ref_count_inc (&servlet->ref_count);
  return servlet;
}

void
sipservlet_servlet_unref (SipServlet *servlet)
{
  g_return_if_fail (servlet != NULL);
  if (!g_atomic_ref_count_dec (&servlet->ref_count))
    return;
  if (servlet->destroy != NULL)
    servlet->destroy (servlet->user_data);
  g_free (servlet->name);
  g_free (servlet);
}

const char *
sipservlet_servlet_get_name (SipServlet *servlet)
{
  g_return_val_if_fail (servlet != NULL, NULL);
  return servlet->name;
}

gpointer
sipservlet_servlet_get_user_data (SipServlet *servlet)
{
  g_return_val_if_fail (servlet != NULL, NULL);
  return servlet->user_data;
}

SipContainer *
sipservlet_servlet_get_container (SipServlet *servlet)
{
  g_return_val_if_fail (servlet != NULL, NULL);
  return servlet->container;
}

SipFactory *
sipservlet_servlet_get_factory (SipServlet *servlet)
{
  g_return_val_if_fail (servlet != NULL, NULL);
  return servlet->factory;
}

static SipServletRequestFunc
handler_for_method (const SipServletHandlers *h, sip_method_t method)
{
  switch (method)
    {
    case sip_method_invite: return h->do_invite;
    case sip_method_ack: return h->do_ack;
    case sip_method_options: return h->do_options;
    case sip_method_bye: return h->do_bye;
    case sip_method_cancel: return h->do_cancel;
    case sip_method_register: return h->do_register;
    case sip_method_subscribe: return h->do_subscribe;
    case sip_method_notify: return h->do_notify;
    case sip_method_message: return h->do_message;
    case sip_method_info: return h->do_info;
    case sip_method_prack: return h->do_prack;
    case sip_method_update: return h->do_update;
    case sip_method_refer: return h->do_refer;
    case sip_method_publish: return h->do_publish;
    default: return h->do_unknown;
    }
}

gboolean
sipsv_servlet_dispatch_request (SipServlet *servlet, SipServletRequest *request)
{
  const SipServletHandlers *h = &servlet->handlers;
  SipServletRequestFunc func = h->do_request;

  if (func == NULL)
    func = handler_for_method (h, request->base.sip->sip_request->rq_method);
  if (func == NULL)
    return FALSE;
  request->dispatching = TRUE;
  func (servlet, request, servlet->user_data);
  request->dispatching = FALSE;
  return TRUE;
}

void
sipsv_servlet_dispatch_response (SipServlet *servlet, SipServletResponse *response)
{
  const SipServletHandlers *h = &servlet->handlers;
  guint status = response->base.sip->sip_status->st_status;
  SipServletResponseFunc func = h->do_response;

  if (func == NULL)
    {
      if (status < 200)
        func = h->do_provisional_response;
      else if (status < 300)
        func = h->do_success_response;
      else if (status < 400)
        func = h->do_redirect_response;
      else
        func = h->do_error_response;
    }
  if (func != NULL)
    func (servlet, response, servlet->user_data);
}

gboolean
sipsv_servlet_bind (SipServlet *servlet, SipContainer *container, SipFactory *factory,
                    GError **error)
{
  servlet->container = container;
  servlet->factory = factory;
  if (servlet->initialized)
    return TRUE;
  if (servlet->handlers.init != NULL
      && !servlet->handlers.init (servlet, servlet->user_data, error))
    {
      servlet->container = NULL;
      servlet->factory = NULL;
      return FALSE;
    }
  servlet->initialized = TRUE;
  return TRUE;
}

void
sipsv_servlet_finish (SipServlet *servlet)
{
  if (servlet->initialized && servlet->handlers.destroy != NULL)
    servlet->handlers.destroy (servlet, servlet->user_data);
  servlet->initialized = FALSE;
}
