/* libsipservlet - error domain. */
#include "config-private.h"

G_DEFINE_QUARK (sipservlet-error-quark, sipservlet_error)
