/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - servlet internals and the JSR 289 dispatch tables. */
#pragma once

#include "message/message-private.h"

struct _SipServlet {
  gatomicrefcount ref_count;
  char *name;
  SipServletHandlers handlers;
  gpointer user_data;
  GDestroyNotify destroy;
  SipContainer *container;          /* not owned; set when added */
  SipApplication *application;      /* not owned; the one it was added to */
  SipFactory *factory;              /* the container's, not owned */
  gboolean initialized;
};

/* Gives the servlet its container and factory and runs its init handler,
 * once; on failure the servlet is left unbound. */
gboolean sipsv_servlet_bind (SipServlet *servlet, SipContainer *container, SipFactory *factory,
                             GError **error);
/* Runs its destroy handler when init ran, so that it may be bound again. */
void sipsv_servlet_finish (SipServlet *servlet);

/* Calls the handler for the request's method (or do_request). Returns
 * FALSE when the servlet has none, so the caller applies the default. */
gboolean sipsv_servlet_dispatch_request (SipServlet *servlet, SipServletRequest *request);
/* Calls do_response or the handler of the response's class, if any. */
void sipsv_servlet_dispatch_response (SipServlet *servlet, SipServletResponse *response);
