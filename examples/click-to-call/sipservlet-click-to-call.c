/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sipservlet-click-to-call: third-party call control on libsipservlet.
 *
 *   sipservlet-click-to-call --from URI --to URI [--listen HOST:PORT]
 *
 * A controller connects two parties that it calls itself, following
 * RFC 3725 flow I:
 *
 *   controller          A (--from)                 B (--to)
 *     INVITE (no SDP) ->
 *                    <- 200 OK (offer)
 *     INVITE (A's offer) ------------------------->
 *                    <------------------------------ 200 OK (answer)
 *     ACK -------------------------------------------->
 *     ACK (B's answer) ->
 *
 * A and B then exchange media directly. A BYE from either side is
 * answered 200 and a BYE goes to the other; once both legs have ended the
 * program exits 0.
 *
 * Standard output carries "ready HOST:PORT..." when listening, "connected"
 * once both ACKs are sent and "ended" when the program is done; errors go
 * to standard error. Exit status: 0 when the call was connected (and then
 * torn down), 1 when it could not be set up (A or B rejected it, a leg
 * gave no final response within --timeout seconds, or SIGINT/SIGTERM came
 * first), 2 for bad arguments. On SIGINT or SIGTERM the controller cancels
 * the INVITEs still ringing and hangs up the established legs before it
 * exits; a second signal stops at once.
 *
 * Out of scope: re-INVITEs are answered 488 rather than relayed between
 * the legs (so a party cannot put the other on hold), and calls to the
 * controller itself are refused with 403.
 *
 * The two legs are two UAC sessions of one application session, created
 * through the SipFactory; each session carries its leg as an attribute,
 * and each leg knows its peer.
 */
#include <sipservlet/sipservlet.h>

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "example-main.h"

#define LEG_ATTRIBUTE "click-to-call.leg"
/* After a hang-up has started, how long to wait for the far ends before
 * giving up (a non-INVITE transaction times out after 64*T1 = 32 s). */
#define TEARDOWN_GRACE_S 40

typedef enum {
  LEG_IDLE,        /* no INVITE sent */
  LEG_CALLING,     /* INVITE sent, no final response */
  LEG_ANSWERED,    /* 2xx received, not acknowledged yet */
  LEG_CONFIRMED,   /* 2xx acknowledged */
  LEG_ENDING,      /* BYE sent, or CANCEL sent and the INVITE not finished */
  LEG_ENDED,
} LegState;

typedef struct _Call Call;
typedef struct _Leg Leg;

struct _Leg {
  const char *name;                /* "A" or "B" */
  Call *call;
  Leg *peer;
  SipAddress *target;              /* whom this leg calls */
  SipSession *session;             /* ref */
  SipServletRequest *invite;       /* ref until its final response */
  SipServletResponse *answer;      /* the 2xx, ref until acknowledged */
  LegState state;
  gboolean cancelled;
  guint timeout_id;
};

struct _Call {
  SipContainer *container;
  SipFactory *factory;
  SipServlet *servlet;
  GMainLoop *loop;
  guint timeout_s;
  Leg a;
  Leg b;
  gboolean connected;
  gboolean finishing;              /* tearing down: no new legs */
  gboolean done;
  gboolean signalled;
  guint grace_id;
  int status;
};

static const char *
leg_state_name (LegState state)
{
  static const char *const names[] = {
    "idle", "calling", "answered", "confirmed", "ending", "ended",
  };
  return names[state];
}

static void check_done (Call *call);
static void hang_up (Leg *leg);
static void hang_up_all (Call *call);

/* Records why the call failed (the first reason wins) and tears down. */
static void
fail (Call *call, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
fail (Call *call, const char *format, ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (call->status == 0 && !call->connected)
    {
      g_printerr ("error: %s\n", text);
      call->status = 1;
    }
  else
    example_debug ("after the failure: %s", text);
  g_free (text);
  hang_up_all (call);
}

static gboolean
is_sdp (const char *content_type)
{
  return content_type != NULL
    && g_ascii_strncasecmp (content_type, "application/sdp", strlen ("application/sdp")) == 0;
}

/* An SDP answer that rejects every stream of @offer (RFC 3264 §6: same
 * m= lines, port 0). The controller owes A an answer in the ACK even when
 * B never provided one. */
static char *
rejecting_answer (const char *offer, gsize length)
{
  GString *sdp = g_string_new ("v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\n"
                               "c=IN IP4 0.0.0.0\r\nt=0 0\r\n");
  char *text = g_strndup (offer, length);
  char **lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    {
      g_strchomp (*l);
      if (!g_str_has_prefix (*l, "m="))
        continue;
      /* m=<media> <port> <proto> <fmt> ... */
      char **f = g_strsplit_set (*l + 2, " ", -1);
      if (g_strv_length (f) >= 4)
        g_string_append_printf (sdp, "m=%s 0 %s %s\r\n", f[0], f[2], f[3]);
      g_strfreev (f);
    }
  g_strfreev (lines);
  g_free (text);
  return g_string_free (sdp, FALSE);
}

static Leg *
leg_of (SipServletMessage *message)
{
  SipSession *session = sipservlet_message_get_session (message);
  return session != NULL ? sipservlet_session_get_attribute (session, LEG_ATTRIBUTE) : NULL;
}

static void
leg_stop_timeout (Leg *leg)
{
  if (leg->timeout_id != 0)
    {
      g_source_remove (leg->timeout_id);
      leg->timeout_id = 0;
    }
}

static void
leg_set_state (Leg *leg, LegState state)
{
  if (leg->state == state)
    return;
  example_debug ("leg %s: %s -> %s", leg->name, leg_state_name (leg->state), leg_state_name (state));
  leg->state = state;
  if (state == LEG_ENDED)
    {
      leg_stop_timeout (leg);
      g_clear_pointer (&leg->invite, sipservlet_request_unref);
      g_clear_pointer (&leg->answer, sipservlet_response_unref);
    }
}

static gboolean
send_request (SipServletRequest *request, const char *what)
{
  GError *error = NULL;
  if (!sipservlet_request_send (request, &error))
    {
      g_printerr ("error: cannot send %s: %s\n", what, error->message);
      g_error_free (error);
      return FALSE;
    }
  return TRUE;
}

/* Sends a BYE in the leg's dialog: the leg ends with its final response. */
static void
send_bye (Leg *leg)
{
  GError *error = NULL;
  SipServletRequest *bye = sipservlet_session_create_request (leg->session, "BYE", &error);

  if (bye == NULL)
    {
      g_printerr ("error: cannot hang up %s: %s\n", leg->name, error->message);
      g_error_free (error);
      leg_set_state (leg, LEG_ENDED);
      return;
    }
  if (send_request (bye, "a BYE"))
    leg_set_state (leg, LEG_ENDING);
  else
    leg_set_state (leg, LEG_ENDED);
  sipservlet_request_unref (bye);
}

/* Acknowledges the leg's 2xx, with @body (or none). FALSE when the ACK
 * could not be sent; the leg is then ended. */
static gboolean
send_ack (Leg *leg, gconstpointer body, gsize length, const char *content_type)
{
  GError *error = NULL;
  SipServletRequest *ack = sipservlet_response_create_ack (leg->answer, &error);
  gboolean ok = FALSE;

  if (ack == NULL)
    {
      g_printerr ("error: cannot acknowledge %s: %s\n", leg->name, error->message);
      g_error_free (error);
    }
  else if (body != NULL
           && !sipservlet_message_set_content (SIPSERVLET_MESSAGE (ack), body, length,
                                               content_type, &error))
    {
      g_printerr ("error: cannot put the answer in the ACK to %s: %s\n", leg->name,
                  error->message);
      g_error_free (error);
    }
  else
    ok = send_request (ack, "an ACK");
  g_clear_pointer (&ack, sipservlet_request_unref);
  g_clear_pointer (&leg->answer, sipservlet_response_unref);
  leg_set_state (leg, ok ? LEG_CONFIRMED : LEG_ENDED);
  return ok;
}

/* Acknowledges a 2xx that will not be used: A gets an answer that
 * rejects its offer, B (who got A's offer) an empty ACK. */
static void
send_refusing_ack (Leg *leg)
{
  SipServletMessage *answer = SIPSERVLET_MESSAGE (leg->answer);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (answer, &length);

  if (leg == &leg->call->a && offer != NULL
      && is_sdp (sipservlet_message_get_content_type (answer)))
    {
      char *sdp = rejecting_answer (offer, length);
      send_ack (leg, sdp, strlen (sdp), "application/sdp");
      g_free (sdp);
    }
  else
    send_ack (leg, NULL, 0, NULL);
}

/* Ends a leg whatever its state: CANCEL while calling, ACK then BYE once
 * answered, BYE once confirmed. */
static void
hang_up (Leg *leg)
{
  GError *error = NULL;

  switch (leg->state)
    {
    case LEG_IDLE:
      leg_set_state (leg, LEG_ENDED);
      break;
    case LEG_CALLING:
      if (!leg->cancelled)
        {
          SipServletRequest *cancel = sipservlet_request_create_cancel (leg->invite, &error);
          leg->cancelled = TRUE;
          if (cancel == NULL)
            {
              /* A final response is on its way: it ends the leg. */
              example_debug ("cannot cancel %s: %s", leg->name, error->message);
              g_clear_error (&error);
              break;
            }
          example_debug ("cancelling %s", leg->name);
          send_request (cancel, "a CANCEL");
          sipservlet_request_unref (cancel);
        }
      break;
    case LEG_ANSWERED:
      send_refusing_ack (leg);
      if (leg->state == LEG_CONFIRMED)
        send_bye (leg);
      break;
    case LEG_CONFIRMED:
      send_bye (leg);
      break;
    case LEG_ENDING:
    case LEG_ENDED:
      break;
    }
}

static gboolean
on_teardown_grace (gpointer data)
{
  Call *call = data;

  call->grace_id = 0;
  g_printerr ("error: the call legs did not end within %d s, giving up\n", TEARDOWN_GRACE_S);
  leg_set_state (&call->a, LEG_ENDED);
  leg_set_state (&call->b, LEG_ENDED);
  if (!call->connected)
    call->status = 1;
  check_done (call);
  return G_SOURCE_REMOVE;
}

static void
hang_up_all (Call *call)
{
  if (!call->finishing)
    {
      call->finishing = TRUE;
      call->grace_id = g_timeout_add_seconds (TEARDOWN_GRACE_S, on_teardown_grace, call);
    }
  hang_up (&call->a);
  hang_up (&call->b);
  check_done (call);
}

static void
on_shutdown_done (SipContainer *container, gpointer data)
{
  Call *call = data;
  g_main_loop_quit (call->loop);
}

static void
check_done (Call *call)
{
  if (call->done || call->a.state != LEG_ENDED || call->b.state != LEG_ENDED)
    return;
  call->done = TRUE;
  if (call->grace_id != 0)
    {
      g_source_remove (call->grace_id);
      call->grace_id = 0;
    }
  printf ("ended\n");
  fflush (stdout);
  sipservlet_container_shutdown (call->container, on_shutdown_done, call);
}

static gboolean
on_leg_timeout (gpointer data)
{
  Leg *leg = data;

  leg->timeout_id = 0;
  fail (leg->call, "no final response from %s within %u s", leg->name, leg->call->timeout_s);
  return G_SOURCE_REMOVE;
}

/* Sends the INVITE of @leg, with @body as the offer when given. */
static gboolean
place_leg (Leg *leg, const SipAddress *from, gconstpointer body, gsize length,
           const char *content_type, SipApplicationSession *app)
{
  Call *call = leg->call;
  GError *error = NULL;
  SipServletRequest *invite = sipservlet_factory_create_request (call->factory, app, "INVITE",
                                                                 from, leg->target, &error);
  if (invite == NULL)
    {
      g_printerr ("error: cannot create the INVITE to %s: %s\n", leg->name, error->message);
      g_error_free (error);
      return FALSE;
    }
  if (body != NULL
      && !sipservlet_message_set_content (SIPSERVLET_MESSAGE (invite), body, length,
                                          content_type, &error))
    {
      g_printerr ("error: cannot put A's offer in the INVITE to B: %s\n", error->message);
      g_error_free (error);
      sipservlet_request_unref (invite);
      return FALSE;
    }

  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (invite));
  leg->session = sipservlet_session_ref (session);
  sipservlet_session_set_attribute (session, LEG_ATTRIBUTE, leg, NULL);
  sipservlet_session_set_handler (session, call->servlet);
  if (!send_request (invite, "the INVITE"))
    {
      sipservlet_request_unref (invite);
      return FALSE;
    }
  leg->invite = invite;
  leg_set_state (leg, LEG_CALLING);
  leg->timeout_id = g_timeout_add_seconds (call->timeout_s, on_leg_timeout, leg);
  example_debug ("calling %s (Call-ID %s)", leg->name, sipservlet_session_get_call_id (session));
  return TRUE;
}

/* A answered with its offer: call B with it. */
static void
on_a_answered (Call *call)
{
  SipServletMessage *answer = SIPSERVLET_MESSAGE (call->a.answer);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (answer, &length);

  if (offer == NULL)
    {
      fail (call, "A answered without an offer");
      return;
    }
  /* B sees A as the caller; both legs share one application session. */
  if (!place_leg (&call->b, call->a.target, offer, length,
                  sipservlet_message_get_content_type (answer),
                  sipservlet_session_get_application_session (call->a.session)))
    {
      leg_set_state (&call->b, LEG_ENDED);
      fail (call, "cannot call B");
    }
}

/* B answered: ACK B, then ACK A with B's answer. */
static void
on_b_answered (Call *call)
{
  SipServletMessage *answer = SIPSERVLET_MESSAGE (call->b.answer);
  gsize length = 0;
  gconstpointer sdp = sipservlet_message_get_content (answer, &length);
  const char *content_type = sipservlet_message_get_content_type (answer);
  char *body;

  if (sdp == NULL)
    {
      fail (call, "B answered without an answer to A's offer");
      return;
    }
  /* Keep the answer: acknowledging B drops its response. */
  body = g_memdup2 (sdp, length);
  char *type = g_strdup (content_type);
  if (send_ack (&call->b, NULL, 0, NULL) && send_ack (&call->a, body, length, type))
    {
      call->connected = TRUE;
      printf ("connected\n");
      fflush (stdout);
    }
  else
    fail (call, "cannot acknowledge the answers");
  g_free (body);
  g_free (type);
}

/* A 2xx to INVITE from another fork than the one we kept: acknowledge it
 * and hang it up at once. */
static void
drop_extra_dialog (SipServletResponse *response)
{
  GError *error = NULL;
  SipServletRequest *ack = sipservlet_response_create_ack (response, &error);
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (response));

  if (ack == NULL)
    {
      example_debug ("cannot acknowledge an extra 2xx: %s", error->message);
      g_error_free (error);
      return;
    }
  send_request (ack, "an ACK");
  sipservlet_request_unref (ack);
  SipServletRequest *bye = sipservlet_session_create_request (session, "BYE", &error);
  if (bye == NULL)
    {
      example_debug ("cannot hang up an extra dialog: %s", error->message);
      g_error_free (error);
      return;
    }
  send_request (bye, "a BYE");
  sipservlet_request_unref (bye);
}

static void
on_invite_response (Call *call, Leg *leg, SipServletResponse *response, guint status)
{
  if (status < 200)
    {
      example_debug ("%s: %u %s", leg->name, status, sipservlet_response_get_reason_phrase (response));
      return;
    }
  leg_stop_timeout (leg);
  g_clear_pointer (&leg->invite, sipservlet_request_unref);

  if (status >= 300)
    {
      leg_set_state (leg, LEG_ENDED);
      if (leg->cancelled)
        check_done (call);
      else
        fail (call, "the call to %s failed: %u %s", leg->name, status,
              sipservlet_response_get_reason_phrase (response));
      return;
    }

  leg->answer = sipservlet_response_ref (response);
  leg_set_state (leg, LEG_ANSWERED);
  if (call->finishing)
    hang_up (leg);
  else if (leg == &call->a)
    on_a_answered (call);
  else
    on_b_answered (call);
  check_done (call);
}

static void
on_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  Call *call = user_data;
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  const char *method = sipservlet_message_get_method (message);
  guint status = sipservlet_response_get_status (response);
  Leg *leg = leg_of (message);

  if (leg == NULL || sipservlet_message_get_session (message) != leg->session)
    {
      /* Sessions we do not track: extra dialogs of a forked INVITE. */
      if (g_strcmp0 (method, "INVITE") == 0 && status >= 200 && status < 300)
        drop_extra_dialog (response);
      return;
    }
  if (g_strcmp0 (method, "INVITE") == 0 && leg->state == LEG_CALLING)
    on_invite_response (call, leg, response, status);
  else if (g_strcmp0 (method, "BYE") == 0 && status >= 200)
    {
      example_debug ("%s answered the BYE: %u", leg->name, status);
      leg_set_state (leg, LEG_ENDED);
      check_done (call);
    }
}

static void
on_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  Call *call = user_data;
  Leg *leg = leg_of (SIPSERVLET_MESSAGE (request));

  example_respond (request, 200, NULL);
  if (leg == NULL)
    return;
  example_debug ("%s hung up; hanging up %s", leg->name, leg->peer->name);
  leg_set_state (leg, LEG_ENDED);
  if (!call->connected)
    fail (call, "%s hung up before the call was connected", leg->name);
  else
    hang_up_all (call);
}

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  /* Nobody calls a click-to-call controller, and re-INVITEs are not
   * relayed between the legs. */
  if (sipservlet_request_is_initial (request))
    example_respond (request, 403, NULL);
  else
    example_respond (request, 488, NULL);
}

static void
on_options (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_respond (request, 200, NULL);
}

static const SipServletHandlers click_to_call_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_bye = on_bye,
  .do_options = on_options,
  .do_response = on_response,
};

static gboolean
on_stop_signal (gpointer data)
{
  Call *call = data;

  if (call->signalled || call->done)
    {
      /* Second signal: stop now. */
      if (!call->done)
        {
          g_printerr ("error: stopped before the call legs ended\n");
          leg_set_state (&call->a, LEG_ENDED);
          leg_set_state (&call->b, LEG_ENDED);
          if (!call->connected)
            call->status = 1;
          check_done (call);
        }
      return G_SOURCE_CONTINUE;
    }
  call->signalled = TRUE;
  if (call->finishing)
    return G_SOURCE_CONTINUE;
  example_debug ("stopping: hanging up");
  if (!call->connected)
    fail (call, "interrupted before the call was connected");
  else
    hang_up_all (call);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_start (gpointer data)
{
  Call *call = data;
  g_autoptr (SipApplicationSession) app
    = sipservlet_factory_create_application_session (call->factory);

  /* A leg calls A on behalf of B. */
  if (!place_leg (&call->a, call->b.target, NULL, 0, NULL, app))
    {
      call->status = 1;
      leg_set_state (&call->a, LEG_ENDED);
      leg_set_state (&call->b, LEG_ENDED);
      if (sipservlet_application_session_is_valid (app))
        sipservlet_application_session_invalidate (app, NULL);
      check_done (call);
    }
  return G_SOURCE_REMOVE;
}

static SipAddress *
parse_party (SipFactory *factory, const char *option, const char *text)
{
  GError *error = NULL;
  SipAddress *address;

  address = sipservlet_factory_create_address (factory, text, &error);
  if (address == NULL)
    {
      g_printerr ("error: %s: %s\n", option, error->message);
      g_error_free (error);
      return NULL;
    }
  if (!sipservlet_uri_is_sip (sipservlet_address_get_uri (address)))
    {
      g_printerr ("error: %s: '%s' is not a SIP URI\n", option, text);
      sipservlet_address_unref (address);
      return NULL;
    }
  return address;
}

int
main (int argc, char **argv)
{
  ExampleOptions options = { .app_session_timeout = -1 };
  char *from = NULL, *to = NULL;
  gint timeout = 32;
  GOptionEntry extra[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &from,
      "The party called first (A), who gets B's number as caller", "URI" },
    { "to", 't', 0, G_OPTION_ARG_STRING, &to,
      "The party called once A answered (B)", "URI" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
      "Seconds to wait for each leg's final response (default 32)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context = g_option_context_new ("- click-to-call (RFC 3725 third-party call "
                                                  "control) on libsipservlet");
  GOptionEntry *common = example_option_entries (&options);
  GError *error = NULL;
  Call call = { 0 };
  char **addresses, *joined;
  guint sigint, sigterm;
  int status = 2;

  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, extra, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      g_option_context_free (context);
      g_free (common);
      goto out;
    }
  g_option_context_free (context);
  g_free (common);
  if (argc > 1)
    {
      g_printerr ("error: unexpected argument '%s'\n", argv[1]);
      goto out;
    }
  if (timeout <= 0)
    {
      g_printerr ("error: --timeout must be positive\n");
      goto out;
    }

  if (from == NULL || to == NULL)
    {
      g_printerr ("error: %s is required\n", from == NULL ? "--from" : "--to");
      goto out;
    }

  call.container = example_container_new (&options);
  if (call.container == NULL)
    {
      status = 1;
      goto out;
    }
  call.factory = sipservlet_container_get_factory (call.container);
  call.timeout_s = (guint) timeout;
  call.a = (Leg) { .name = "A", .call = &call, .peer = &call.b };
  call.b = (Leg) { .name = "B", .call = &call, .peer = &call.a };
  call.a.target = parse_party (call.factory, "--from", from);
  call.b.target = parse_party (call.factory, "--to", to);
  if (call.a.target == NULL || call.b.target == NULL)
    goto out;
  /* A call lasts as long as the parties talk. */
  sipservlet_container_set_application_session_timeout (call.container, 0);

  call.servlet = sipservlet_servlet_new ("click-to-call", &click_to_call_handlers, &call, NULL);
  if (!sipservlet_container_add_servlet (call.container, call.servlet, NULL, &error))
    {
      g_printerr ("error: %s\n", error->message);
      g_error_free (error);
      status = 1;
      goto out;
    }

  call.loop = g_main_loop_new (NULL, FALSE);
  addresses = sipservlet_container_get_listen_addresses (call.container);
  joined = g_strjoinv (" ", addresses);
  printf ("ready %s\n", joined);
  fflush (stdout);
  g_free (joined);
  g_strfreev (addresses);

  sigint = g_unix_signal_add (SIGINT, on_stop_signal, &call);
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &call);
  g_idle_add (on_start, &call);
  g_main_loop_run (call.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  status = call.status;

out:
  leg_stop_timeout (&call.a);
  leg_stop_timeout (&call.b);
  for (Leg *leg = &call.a; leg != NULL; leg = leg == &call.a ? &call.b : NULL)
    {
      g_clear_pointer (&leg->invite, sipservlet_request_unref);
      g_clear_pointer (&leg->answer, sipservlet_response_unref);
      g_clear_pointer (&leg->session, sipservlet_session_unref);
      g_clear_pointer (&leg->target, sipservlet_address_unref);
    }
  g_clear_pointer (&call.servlet, sipservlet_servlet_unref);
  g_clear_pointer (&call.container, sipservlet_container_unref);
  g_clear_pointer (&call.loop, g_main_loop_unref);
  example_options_clear (&options);
  g_free (from);
  g_free (to);
  return status;
}
