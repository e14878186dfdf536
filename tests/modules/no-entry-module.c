/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test module without the entry point: some other shared object. */
#include <gmodule.h>

G_MODULE_EXPORT int not_a_module (void);

G_MODULE_EXPORT int
not_a_module (void)
{
  return 42;
}
