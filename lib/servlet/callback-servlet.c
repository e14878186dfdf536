/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - a servlet made of one request callback
 * (sipservlet_servlet_new_with_callback()): a handler table whose
 * catch-all do_request calls it. */
#include "config-private.h"

#include "servlet/servlet-private.h"

typedef struct {
  SipRequestCallback callback;
  gpointer user_data;
  GDestroyNotify destroy;
} SipsvRequestCallback;

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer data)
{
  SipsvRequestCallback *cb = data;
  cb->callback (request, cb->user_data);
}

static void
callback_free (gpointer data)
{
  SipsvRequestCallback *cb = data;
  if (cb->destroy != NULL)
    cb->destroy (cb->user_data);
  g_free (cb);
}

static const SipServletHandlers callback_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_request = on_request,
};

SipServlet *
sipservlet_servlet_new_with_callback (const char *name, SipRequestCallback callback,
                                      gpointer user_data, GDestroyNotify destroy)
{
  g_return_val_if_fail (name != NULL && callback != NULL, NULL);
  SipsvRequestCallback *cb = g_new (SipsvRequestCallback, 1);
  cb->callback = callback;
  cb->user_data = user_data;
  cb->destroy = destroy;
  return sipservlet_servlet_new (name, &callback_handlers, cb, callback_free);
}
