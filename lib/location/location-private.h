/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - location service, private helpers shared by its sources. */
#pragma once

#include <sipservlet/sipservlet.h>

G_BEGIN_DECLS

/* A binding is live while its expiry time is in the future. */
static inline gboolean
sip_location_binding_is_live (const SipLocationBinding *binding, gint64 now)
{
  return binding->expires_at > now;
}

/* A binding whose struct_size covers every member this version knows. */
static inline gboolean
sip_location_binding_is_valid (const SipLocationBinding *binding)
{
  return binding != NULL && binding->struct_size >= sizeof (SipLocationBinding);
}

G_END_DECLS
