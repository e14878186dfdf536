/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - error domain. */
#include "config-private.h"

G_DEFINE_QUARK (sipservlet-error-quark, sipservlet_error)
