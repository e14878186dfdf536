/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the address parser (name-addr and addr-spec with
 * header parameters, lib/address/address.c) and what a parsed address
 * must allow: formatting, parameter access, and parsing its own text again
 * into an equal address. */
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
  g_autoptr (SipAddress) address = sipservlet_address_parse (text, NULL);
  if (address == NULL)
    return 0;

  g_autofree char *formatted = sipservlet_address_to_string (address);
  fuzz_check (formatted != NULL, text, formatted);
  (void) sipservlet_address_get_display_name (address);
  (void) sipservlet_address_get_q (address);
  (void) sipservlet_address_get_expires (address);
  (void) sipservlet_address_get_tag (address);
  g_auto (GStrv) names = sipservlet_address_get_parameter_names (address);
  for (char **n = names; n != NULL && *n != NULL; n++)
    (void) sipservlet_address_get_parameter (address, *n);

  g_autoptr (SipAddress) again = sipservlet_address_parse (formatted, NULL);
  fuzz_check (again != NULL, text, formatted);
  fuzz_check (sipservlet_address_equal (address, again), text, formatted);
  g_autoptr (SipAddress) copy = sipservlet_address_clone (address);
  fuzz_check (sipservlet_address_equal (address, copy), text, formatted);
  return 0;
}
