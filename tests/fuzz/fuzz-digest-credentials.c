/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the digest credentials parser (lib/auth/credentials.c)
 * on an Authorization header value as sofia parses it (sofia's parser is
 * not instrumented: Debian's library), then the verifier's checks on the
 * same header (lib/auth/verifier.c, nonce.c), with a store that knows every
 * user of realm "fuzz.example" (password "secret"). */
#include "config-private.h"

#include <stdint.h>

#include <sofia-sip/sip_header.h>

#include "auth/auth-private.h"
#include "fuzz-common.h"

#define REALM "fuzz.example"

static SipsvAuthVerifier *verifier;

static char *
lookup (gpointer store_data, const char *user, const char *realm, SipsvAuthAlgorithm algorithm)
{
  return sipsv_auth_digest_ha1 (algorithm, user, realm, "secret");
}

static guint
algorithms (gpointer store_data)
{
  return SIPSV_AUTH_ALGORITHMS_ALL;
}

static void
at_exit (void)
{
  g_clear_pointer (&verifier, sipsv_auth_verifier_free);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const SipCredentialStoreFuncs funcs = { .lookup = lookup,
                                                 .get_algorithms = algorithms };
  SipsvAuthStore *store = sipsv_auth_store_new (&funcs, NULL, NULL);

  fuzz_quiet_logs ();
  verifier = sipsv_auth_verifier_new (store);
  sipsv_auth_store_unref (store);
  atexit (at_exit);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_text (data, size);
  if (text == NULL)
    return 0;
  /* Everything sofia allocates for this input. */
  su_home_t *home = su_home_new (sizeof (su_home_t));
  msg_auth_t *au = (msg_auth_t *) sip_authorization_make (home, text);
  if (au != NULL)
    {
      SipsvAuthCredentials credentials = { 0 };
      g_autoptr (GError) error = NULL;
      gboolean parsed = sipsv_auth_credentials_parse (&credentials, au->au_params, &error);
      fuzz_check (parsed == (error == NULL), text, parsed ? "parsed" : error->message);

      SipsvAuthResult result = { 0 };
      sipsv_auth_verifier_verify (verifier, "REGISTER",
                                  credentials.uri != NULL ? credentials.uri : "sip:fuzz.example",
                                  au, REALM, &result);
      sipsv_auth_result_clear (&result);
      sipsv_auth_credentials_clear (&credentials);
    }
  su_home_unref (home);
  return 0;
}
