/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-b2bua: a signalling back-to-back user agent built on
 * libsipservlet's public API (SipB2buaHelper, JSR 289 chapter 12).
 *
 * The caller's INVITE is terminated here (the UAS leg) and a new INVITE is
 * placed to --target, or to the Request-URI of the caller's INVITE without
 * it (the UAC leg). The two legs share nothing but what this program
 * copies: the helper gives the UAC leg its own Call-ID, From tag, Contact
 * and Via, and drops the caller's Via, Route, Record-Route and Contact;
 * responses are rebuilt on the UAS leg (its own To tag and Contact). Bodies
 * (SDP) are passed through untouched.
 *
 * What is relayed, and when:
 *   - 1xx (other than 100) on the UAC leg: the same status on the UAS leg,
 *     with the same body. A reliable 1xx (RFC 3262) is acknowledged with
 *     PRACK on its own leg and sent reliably to the caller when the caller
 *     supports 100rel: 100rel is hop by hop here, so a body in a PRACK is
 *     not relayed.
 *   - The final response to the INVITE: a 2xx is answered on the UAS leg
 *     with the same body; the UAC leg's 2xx is acknowledged only when the
 *     caller's ACK arrives, with the body of that ACK (so a caller that
 *     sent no offer in the INVITE can put its answer in the ACK: the
 *     third-party call control flow of RFC 3725). A non-2xx is relayed with
 *     its status and reason.
 *   - CANCEL from the caller (the container has answered it 200 and the
 *     INVITE 487): the UAC leg is cancelled with sipservlet_b2bua_create_cancel().
 *     A 2xx that crosses the CANCEL is acknowledged and hung up with BYE.
 *   - BYE from either side: a BYE on the other leg; the received BYE is
 *     answered 200 when that BYE gets its final response (whatever it is:
 *     the dialog ends either way). A BYE on a leg whose partner is already
 *     gone is answered 200 at once. A BYE from the caller in an early
 *     dialog answers the INVITE 487 and cancels the UAC leg.
 *   - re-INVITE, UPDATE, INFO, MESSAGE, OPTIONS, NOTIFY, REFER (and any
 *     other method) inside the dialog, from either side: the same request
 *     on the other leg (sipservlet_b2bua_create_request_for_session(), which
 *     links the two requests); the received request is answered when the
 *     other leg's response comes, with its status, reason and body. The
 *     2xx to a relayed re-INVITE is acknowledged when the ACK of the leg
 *     that sent the re-INVITE arrives, with that ACK's body, as for the
 *     initial INVITE. A CANCEL of a re-INVITE cancels the relayed one.
 *   - MESSAGE and OPTIONS outside a dialog are relayed like the INVITE, as
 *     one transaction; other initial methods get 501.
 *   - A forked far side that answers the INVITE with two 2xx (two To tags):
 *     the first one is relayed to the caller; every later one arrives on a
 *     derived session of the UAC leg and is acknowledged and hung up with
 *     BYE at once. A caller that cannot take part in two dialogs is never
 *     given a second one, and the kept dialog is the one its answer
 *     already describes. (Relaying it with
 *     sipservlet_b2bua_create_response_to_original_request() would give the
 *     caller a second dialog; this program does not.)
 *   - No ACK from the caller for a 2xx within 64*T1 (no_ack_received): the
 *     UAC leg's 2xx is acknowledged and both legs are hung up. No PRACK
 *     for a reliable 1xx (no_prack_received: the container has answered
 *     the caller 503): the UAC leg is cancelled.
 *   - Legs are ended with sipservlet_session_terminate(), which does what
 *     the leg's state needs (CANCEL once a provisional came, ACK then BYE
 *     for a 2xx nobody will take, BYE).
 *   - Session timers (RFC 4028) run on each leg separately (on by
 *     default: --session-expires 1800, --min-se 90); the container answers
 *     each side's refreshes itself, so they are not relayed. When one
 *     leg's peer stops refreshing, the container ends both legs.
 *
 * Bookkeeping lives in the sessions: the two legs are linked sessions, a
 * relayed request is linked with its original, and the relayed INVITE a
 * CANCEL may have to cancel is a session attribute. There is no global
 * table.
 */
#include <sipservlet/sipservlet.h>

#include "b2bua-app.h"
#include "example-main.h"

int
main (int argc, char **argv)
{
  /* Session timers on by default: a call whose far end vanished ends. */
  ExampleOptions options = { .session_expires = 1800, .app_session_timeout = -1 };
  B2buaOptions b2bua_options = { NULL };
  GOptionContext *context = g_option_context_new ("- a signalling B2BUA on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GOptionEntry *extra = b2bua_option_entries (&b2bua_options);
  GError *error = NULL;
  B2bua *b2b = NULL;
  int status = 2;

  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto out;
    }
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto out;
    }
  b2b = b2bua_new (&b2bua_options, &error);
  if (b2b == NULL)
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      goto out;
    }

  SipContainer *container = example_container_new (&options);
  if (container == NULL)
    {
      status = 1;
      goto out;
    }
  if (!b2bua_deploy (b2b, container, EXAMPLE_INSTALL_IMPLICIT, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      sipservlet_container_unref (container);
      status = 1;
      goto out;
    }
  status = example_run (container);

out:
  g_option_context_free (context);
  g_free (common);
  g_free (extra);
  example_options_clear (&options);
  b2bua_options_clear (&b2bua_options);
  b2bua_release (b2b);
  return status;
}
