/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the URI parser (lib/address/uri-parse.c) and what a
 * parsed URI must allow: formatting, the canonical form, parameter and
 * header access, and parsing its own text again into an equal URI. */
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
  g_autoptr (SipURI) uri = sipservlet_uri_parse (text, NULL);
  if (uri == NULL)
    return 0;

  g_autofree char *formatted = sipservlet_uri_to_string (uri);
  g_autofree char *canonical = sipservlet_uri_to_canonical_string (uri);
  fuzz_check (formatted != NULL && canonical != NULL, text, formatted);
  (void) sipservlet_uri_hash (uri);
  g_auto (GStrv) names = sipservlet_uri_get_parameter_names (uri);
  for (char **n = names; n != NULL && *n != NULL; n++)
    (void) sipservlet_uri_get_parameter (uri, *n);
  g_auto (GStrv) headers = sipservlet_uri_get_header_names (uri);
  for (char **n = headers; n != NULL && *n != NULL; n++)
    (void) sipservlet_uri_get_header (uri, *n);

  g_autoptr (SipURI) again = sipservlet_uri_parse (formatted, NULL);
  fuzz_check (again != NULL, text, formatted);
  fuzz_check (sipservlet_uri_equal (uri, again), text, formatted);
  g_autoptr (SipURI) copy = sipservlet_uri_clone (uri);
  fuzz_check (sipservlet_uri_equal (uri, copy), text, formatted);
  return 0;
}
