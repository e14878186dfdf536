/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - forward declarations of every public opaque type.
 *
 * All types are opaque and reference counted (_ref/_unref, atomic) unless
 * their header says otherwise. Objects passed to a callback are borrowed
 * for the duration of the call: _ref() one to keep it.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SipContainer SipContainer;
typedef struct _SipServlet SipServlet;
typedef struct _SipServletMessage SipServletMessage;
typedef struct _SipServletRequest SipServletRequest;
typedef struct _SipServletResponse SipServletResponse;
typedef struct _SipSession SipSession;
typedef struct _SipApplicationSession SipApplicationSession;
typedef struct _SipServletTimer SipServletTimer;
typedef struct _SipFactory SipFactory;
typedef struct _SipURI SipURI;
typedef struct _SipAddress SipAddress;
typedef struct _SipParameterable SipParameterable;
typedef struct _SipLocationService SipLocationService;
typedef struct _SipLocationStore SipLocationStore;
typedef struct _SipProxy SipProxy;
typedef struct _SipProxyBranch SipProxyBranch;
typedef struct _SipB2buaHelper SipB2buaHelper;

G_END_DECLS
