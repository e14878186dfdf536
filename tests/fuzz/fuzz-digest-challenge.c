/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the digest challenge parser (lib/auth/challenge.c) on
 * a WWW-Authenticate header value as sofia parses it (sofia's parser is
 * not instrumented: Debian's library), the realm of a challenge of any
 * scheme, and the credentials answering a challenge that parsed. */
#include "config-private.h"

#include <stdint.h>

#include <sofia-sip/sip_header.h>

#include "auth/auth-private.h"
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
  /* Everything sofia allocates for this input. */
  su_home_t *home = su_home_new (sizeof (su_home_t));
  msg_auth_t *au = (msg_auth_t *) sip_www_authenticate_make (home, text);
  if (au != NULL)
    {
      SipsvAuthChallenge challenge = { 0 };
      g_autoptr (GError) error = NULL;
      g_autofree char *realm = sipsv_auth_challenge_realm (au);

      if (sipsv_auth_challenge_parse (&challenge, au, &error))
        {
          g_autofree char *answer
              = sipsv_auth_challenge_answer (&challenge, "INVITE", "sip:bob@example.com", "alice",
                                             "secret", "0a4f113b", 1);
          fuzz_check (answer != NULL, text, answer);
          /* What we answer, sofia must read as credentials. */
          fuzz_check (sip_authorization_make (home, answer) != NULL, text, answer);
        }
      /* The realm both ways is the same text. */
      fuzz_check (challenge.realm == NULL || g_strcmp0 (realm, challenge.realm) == 0, text, realm);
      sipsv_auth_challenge_clear (&challenge);
    }
  su_home_unref (home);
  return 0;
}
