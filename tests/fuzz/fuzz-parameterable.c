/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the parameterable header parser ("value;name=value",
 * lib/address/parameterable.c, params.c) and what a parsed header must
 * allow: formatting, parameter access, and parsing its own text again
 * into an equal header. */
#include <sipservlet/sipservlet.h>

#include <stdint.h>

#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  if (text == NULL)
    return 0;
  g_autoptr (SipParameterable) header = sipservlet_parameterable_parse (text, NULL);
  if (header == NULL)
    return 0;

  g_autofree char *formatted = sipservlet_parameterable_to_string (header);
  fuzz_check (formatted != NULL, text, formatted);
  (void) sipservlet_parameterable_get_value (header);
  g_auto (GStrv) names = sipservlet_parameterable_get_parameter_names (header);
  for (char **n = names; n != NULL && *n != NULL; n++)
    (void) sipservlet_parameterable_get_parameter (header, *n);

  g_autoptr (SipParameterable) again = sipservlet_parameterable_parse (formatted, NULL);
  fuzz_check (again != NULL, text, formatted);
  fuzz_check (sipservlet_parameterable_equal (header, again), text, formatted);
  g_autoptr (SipParameterable) copy = sipservlet_parameterable_clone (header);
  fuzz_check (sipservlet_parameterable_equal (header, copy), text, formatted);
  return 0;
}
