/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the click-to-call controller of
 * sipservlet-click-to-call (its header comment says what a call does),
 * shared with the click-to-call module. Each call is an application
 * session with two UAC sessions, one per leg; each session carries its
 * leg as an attribute, and each leg knows its peer and its call. */
#include "click-to-call-private.h"
#include "example-main.h"

#include <string.h>

#define LEG_ATTRIBUTE "click-to-call.leg"
/* After a hang-up has started, how long to wait for the far ends before
 * giving up (a non-INVITE transaction times out after 64*T1 = 32 s). */
#define TEARDOWN_GRACE_S 40
/* Ended calls kept for GET /calls/ID; the oldest go first. */
#define MAX_ENDED_CALLS 100

static const char *
leg_state_name (LegState state)
{
  static const char *const names[] = {
    "idle", "calling", "answered", "confirmed", "ending", "ended",
  };
  return names[state];
}

const char *
leg_state_api_name (Leg *leg)
{
  if (leg->state == LEG_CALLING && leg->ringing)
    return "ringing";
  return leg_state_name (leg->state);
}

const char *
call_state_name (Call *call)
{
  if (call->done)
    return call->status != 0 && !call->hung_up ? "failed" : "ended";
  if (call->finishing)
    return "ending";
  if (call->connected)
    return "answered";
  if (call->b.state != LEG_IDLE)
    return call->b.ringing ? "ringing-b" : "calling-b";
  return call->a.ringing ? "ringing-a" : "calling-a";
}

/* Tells whoever listens when the call's state changed. */
static void
call_changed (Call *call)
{
  const char *state = call_state_name (call);

  if (call->id == NULL || call->notified == state)
    return;
  call->notified = state;
  example_debug ("call %s: %s", call->id, state);
  c2c_http_notify (call->c2c, call);
}

static void check_done (Call *call);
static void call_ended (Call *call);
static void release_legs (Call *call);
static void hang_up (Leg *leg);
static void hang_up_all (Call *call);

static void
call_error (Call *call, const char *text)
{
  if (call->one_shot)
    g_printerr ("error: %s\n", text);
  else
    g_message ("click-to-call: call %s: %s", call->id, text);
}

/* Records why the call failed (the first reason wins) and tears down. */
static void
fail (Call *call, guint sip_status, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
fail (Call *call, guint sip_status, const char *format, ...)
{
  va_list args;
  char *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (call->status == 0 && !call->connected)
    {
      call_error (call, text);
      call->status = 1;
      call->sip_status = sip_status;
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
  call_changed (leg->call);
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
  g_autofree char *why = g_strdup_printf ("the call legs did not end within %d s, giving up",
                                          TEARDOWN_GRACE_S);
  call_error (call, why);
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
  call_changed (call);
  hang_up (&call->a);
  hang_up (&call->b);
  check_done (call);
}

static void
check_done (Call *call)
{
  if (call->done || call->a.state != LEG_ENDED || call->b.state != LEG_ENDED)
    return;
  call->done = TRUE;
  /* Nothing of the call is needed any more: its timers and sessions go. */
  release_legs (call);
  call_changed (call);
  call_ended (call);
}

static gboolean
on_leg_timeout (gpointer data)
{
  Leg *leg = data;

  leg->timeout_id = 0;
  fail (leg->call, 408, "no final response from %s within %u s", leg->name,
        leg->call->c2c->timeout_s);
  return G_SOURCE_REMOVE;
}

/* Sends the INVITE of @leg, with @body as the offer when given. */
static gboolean
place_leg (Leg *leg, const SipAddress *from, gconstpointer body, gsize length,
           const char *content_type, SipApplicationSession *app)
{
  Call *call = leg->call;
  GError *error = NULL;
  SipServletRequest *invite = sipservlet_factory_create_request (call->c2c->factory, app, "INVITE",
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
  sipservlet_session_set_handler (session, call->c2c->servlet);
  if (!send_request (invite, "the INVITE"))
    {
      sipservlet_request_unref (invite);
      return FALSE;
    }
  leg->invite = invite;
  leg_set_state (leg, LEG_CALLING);
  leg->timeout_id = g_timeout_add_seconds (call->c2c->timeout_s, on_leg_timeout, leg);
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
      fail (call, 0, "A answered without an offer");
      return;
    }
  /* B sees A as the caller; both legs share one application session. */
  if (!place_leg (&call->b, call->a.target, offer, length,
                  sipservlet_message_get_content_type (answer),
                  sipservlet_session_get_application_session (call->a.session)))
    {
      leg_set_state (&call->b, LEG_ENDED);
      fail (call, 0, "cannot call B");
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
      fail (call, 0, "B answered without an answer to A's offer");
      return;
    }
  /* Keep the answer: acknowledging B drops its response. */
  body = g_memdup2 (sdp, length);
  char *type = g_strdup (content_type);
  if (send_ack (&call->b, NULL, 0, NULL) && send_ack (&call->a, body, length, type))
    {
      call->connected = TRUE;
      call_changed (call);
      if (call->one_shot && call->c2c->report != NULL)
        call->c2c->report (call, "connected", call->c2c->report_data);
    }
  else
    fail (call, 0, "cannot acknowledge the answers");
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
  leg->status = status;
  if (status < 200)
    {
      if (status > 100 && !leg->ringing)
        {
          leg->ringing = TRUE;
          call_changed (call);
        }
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
        fail (call, status, "the call to %s failed: %u %s", leg->name, status,
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
  Call *call = leg->call;
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
  Leg *leg = leg_of (SIPSERVLET_MESSAGE (request));

  example_respond (request, 200, NULL);
  if (leg == NULL)
    return;
  Call *call = leg->call;
  example_debug ("%s hung up; hanging up %s", leg->name, leg->peer->name);
  leg_set_state (leg, LEG_ENDED);
  if (!call->connected)
    fail (call, 0, "%s hung up before the call was connected", leg->name);
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

/* The container shuts down, or the application's last session ended
 * after it was undeployed: let go of the sessions and timers. */
static void
on_destroy (SipServlet *servlet, gpointer user_data)
{
  ClickToCall *c2c = user_data;
  for (GList *l = c2c->order.head; l != NULL; l = l->next)
    release_legs (l->data);
  if (c2c->one_shot != NULL)
    release_legs (c2c->one_shot);
  g_clear_handle_id (&c2c->start_id, g_source_remove);
  c2c_http_clear (c2c);
}

static const SipServletHandlers click_to_call_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .destroy = on_destroy,
  .do_invite = on_invite,
  .do_bye = on_bye,
  .do_options = on_options,
  .do_response = on_response,
};

/* ---- calls ------------------------------------------------------------------------ */

static gboolean
on_invalidate (gpointer data)
{
  Call *call = data;

  call->invalidate_id = 0;
  if (call->app != NULL && sipservlet_application_session_is_valid (call->app))
    sipservlet_application_session_invalidate (call->app, NULL);
  return G_SOURCE_REMOVE;
}

static void
call_free (gpointer data)
{
  Call *call = data;

  release_legs (call);
  g_clear_handle_id (&call->invalidate_id, g_source_remove);
  g_clear_pointer (&call->app, sipservlet_application_session_unref);
  g_free (call->a.uri);
  g_free (call->b.uri);
  g_free (call->id);
  g_free (call);
}

static Call *
call_new (ClickToCall *c2c, SipAddress *a, SipAddress *b)
{
  Call *call = g_new0 (Call, 1);

  call->c2c = c2c;
  call->a = (Leg) { .name = "A", .call = call, .peer = &call->b, .target = a };
  call->b = (Leg) { .name = "B", .call = call, .peer = &call->a, .target = b };
  call->a.uri = sipservlet_uri_to_string (sipservlet_address_get_uri (a));
  call->b.uri = sipservlet_uri_to_string (sipservlet_address_get_uri (b));
  return call;
}

/* Once ended: the one-shot call reports it; the application session of
 * the call goes (from the main loop, out of the SIP callbacks), and the
 * oldest ended calls are forgotten. */
static void
call_ended (Call *call)
{
  ClickToCall *c2c = call->c2c;
  guint ended = 0;

  if (call->app != NULL && call->invalidate_id == 0)
    call->invalidate_id = g_idle_add (on_invalidate, call);
  if (call->one_shot && c2c->report != NULL)
    c2c->report (call, "ended", c2c->report_data);
  for (GList *l = c2c->order.head; l != NULL; l = l->next)
    ended += ((Call *) l->data)->done;
  for (GList *l = c2c->order.head; l != NULL && ended > MAX_ENDED_CALLS;)
    {
      Call *old = l->data;
      GList *next = l->next;
      if (old->done && old != call && !old->one_shot)
        {
          g_queue_delete_link (&c2c->order, l);
          g_hash_table_remove (c2c->calls, old->id);
          ended--;
        }
      l = next;
    }
}

/* Sends the INVITE to A in a new application session; FALSE when it
 * could not be sent (the call is then ended). */
static gboolean
call_start (Call *call, GError **error)
{
  ClickToCall *c2c = call->c2c;
  /* Of the application "click-to-call" when it is one: its own
   * listeners and HTTP handlers then see the call's session. */
  g_autoptr (SipApplicationSession) app
    = c2c->application != NULL
          ? sipservlet_application_create_application_session (c2c->application, error)
          : sipservlet_factory_create_application_session (c2c->factory);
  if (app == NULL)
    return FALSE;

  /* A call lasts as long as the parties talk. */
  sipservlet_application_session_set_expires (app, 0);
  call->app = sipservlet_application_session_ref (app);
  call->id = g_strdup (sipservlet_application_session_get_id (app));
  g_hash_table_insert (c2c->calls, call->id, call);
  g_queue_push_tail (&c2c->order, call);
  /* A leg calls A on behalf of B. */
  if (!place_leg (&call->a, call->b.target, NULL, 0, NULL, app))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TRANSPORT,
                   "cannot send the INVITE to %s", call->a.uri);
      call->status = 1;
      call->a.state = LEG_ENDED;
      call->b.state = LEG_ENDED;
      check_done (call);
      return FALSE;
    }
  call_changed (call);
  return TRUE;
}

Call *
click_to_call_place (ClickToCall *c2c, SipAddress *a, SipAddress *b, GError **error)
{
  Call *call = call_new (c2c, a, b);
  return call_start (call, error) ? call : NULL;
}

void
click_to_call_hang_up (Call *call)
{
  if (call->done || call->finishing)
    return;
  call->hung_up = TRUE;
  if (!call->connected)
    call->status = 1;
  hang_up_all (call);
}

/* Hangs up the calls of the web API, and the one-shot call when asked. */
static void
hang_up_calls (ClickToCall *c2c, gboolean one_shot_too)
{
  /* Copied: an ended call may make room by dropping older ones. */
  g_autoptr (GPtrArray) calls = g_ptr_array_new ();
  for (GList *l = c2c->order.head; l != NULL; l = l->next)
    if (one_shot_too || !((Call *) l->data)->one_shot)
      g_ptr_array_add (calls, l->data);
  for (guint i = 0; i < calls->len; i++)
    if (g_queue_find (&c2c->order, calls->pdata[i]) != NULL)
      click_to_call_hang_up (calls->pdata[i]);
}

void
click_to_call_hang_up_all (ClickToCall *c2c)
{
  hang_up_calls (c2c, TRUE);
}

void
click_to_call_interrupt (ClickToCall *c2c)
{
  Call *call = c2c->one_shot;

  if (!c2c->signalled)
    hang_up_calls (c2c, FALSE);
  if (call == NULL || call->id == NULL)
    {
      c2c->signalled = TRUE;
      return;
    }
  if (c2c->signalled || call->done)
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
      return;
    }
  c2c->signalled = TRUE;
  if (call->finishing)
    return;
  example_debug ("stopping: hanging up");
  if (!call->connected)
    fail (call, 0, "interrupted before the call was connected");
  else
    hang_up_all (call);
}

static gboolean
on_start (gpointer data)
{
  ClickToCall *c2c = data;
  Call *call = c2c->one_shot;

  c2c->start_id = 0;
  call_start (call, NULL);
  return G_SOURCE_REMOVE;
}

/* ---- options, lifetime and deployment -------------------------------------------- */

void
click_to_call_options_init (ClickToCallOptions *options)
{
  options->from = NULL;
  options->to = NULL;
  options->timeout = 32;
  options->http_token = NULL;
  options->http_no_auth = FALSE;
  options->allow = NULL;
}

GOptionEntry *
click_to_call_option_entries (ClickToCallOptions *options)
{
  GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &options->from,
      "The party called first (A), who gets B's number as caller", "URI" },
    { "to", 't', 0, G_OPTION_ARG_STRING, &options->to,
      "The party called once A answered (B)", "URI" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options->timeout,
      "Seconds to wait for each leg's final response (default 32)", "SECONDS" },
    { "http-token", 0, 0, G_OPTION_ARG_STRING, &options->http_token,
      "The bearer token the web API (--http) requires", "TOKEN" },
    { "http-no-auth", 0, 0, G_OPTION_ARG_NONE, &options->http_no_auth,
      "Serve the web API without a token (for tests on loopback only)", NULL },
    { "allow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->allow,
      "A destination the web API may call: a domain (example.com: sip:*@example.com) "
      "or a glob on the URI (repeatable; default: any)", "PATTERN" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
click_to_call_options_clear (ClickToCallOptions *options)
{
  g_clear_pointer (&options->from, g_free);
  g_clear_pointer (&options->to, g_free);
  g_clear_pointer (&options->http_token, g_free);
  g_clear_pointer (&options->allow, g_strfreev);
}

static SipAddress *
parse_party (const char *option, const char *text, GError **error)
{
  g_autoptr (GError) local = NULL;
  SipAddress *address = sipservlet_address_parse (text, &local);

  if (address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", option,
                   local->message);
      return NULL;
    }
  if (!sipservlet_uri_is_sip (sipservlet_address_get_uri (address)))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: '%s' is not a SIP URI",
                   option, text);
      sipservlet_address_unref (address);
      return NULL;
    }
  return address;
}

ClickToCall *
click_to_call_new (const ClickToCallOptions *options, gboolean serve_http, GError **error)
{
  if (options->timeout <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--timeout must be positive");
      return NULL;
    }
  if ((options->from == NULL) != (options->to == NULL)
      || (options->from == NULL && !serve_http))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s is required%s",
                   options->from == NULL ? "--from" : "--to",
                   serve_http ? "" : " (or --http, to serve the web API)");
      return NULL;
    }
  if (serve_http && (options->http_token == NULL || *options->http_token == '\0')
      && !options->http_no_auth)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the web API places calls for whoever reaches it: give it a secret with "
                   "--http-token TOKEN (or --http-no-auth, for tests on loopback only)");
      return NULL;
    }
  for (char **p = options->allow; p != NULL && *p != NULL; p++)
    if (**p == '\0')
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--allow: empty pattern");
        return NULL;
      }

  g_autoptr (SipAddress) a = NULL;
  g_autoptr (SipAddress) b = NULL;
  if (options->from != NULL)
    {
      a = parse_party ("--from", options->from, error);
      b = a != NULL ? parse_party ("--to", options->to, error) : NULL;
      if (b == NULL)
        return NULL;
    }

  ClickToCall *c2c = g_new0 (ClickToCall, 1);
  c2c->timeout_s = (guint) options->timeout;
  c2c->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, call_free);
  g_queue_init (&c2c->order);
  c2c->serve_http = serve_http;
  if (serve_http && !options->http_no_auth)
    c2c->token = g_strdup (options->http_token);
  c2c->allow = g_strdupv (options->allow);
  if (a != NULL)
    {
      c2c->one_shot = call_new (c2c, g_steal_pointer (&a), g_steal_pointer (&b));
      c2c->one_shot->one_shot = TRUE;
    }
  return c2c;
}

gboolean
click_to_call_has_one_shot (ClickToCall *c2c)
{
  return c2c->one_shot != NULL;
}

/* Stops the timers and drops what the legs hold. */
static void
release_legs (Call *call)
{
  g_clear_handle_id (&call->grace_id, g_source_remove);
  for (Leg *leg = &call->a; leg != NULL; leg = leg == &call->a ? &call->b : NULL)
    {
      leg_stop_timeout (leg);
      g_clear_pointer (&leg->invite, sipservlet_request_unref);
      g_clear_pointer (&leg->answer, sipservlet_response_unref);
      /* A late message of the session must not find the leg. */
      if (leg->session != NULL && sipservlet_session_is_valid (leg->session))
        sipservlet_session_set_attribute (leg->session, LEG_ATTRIBUTE, NULL, NULL);
      g_clear_pointer (&leg->session, sipservlet_session_unref);
      g_clear_pointer (&leg->target, sipservlet_address_unref);
    }
}

void
click_to_call_free (ClickToCall *c2c)
{
  if (c2c == NULL)
    return;
  g_clear_handle_id (&c2c->start_id, g_source_remove);
  c2c_http_clear (c2c);
  /* The one-shot call is in the table once placed. */
  if (c2c->one_shot != NULL && c2c->one_shot->id == NULL)
    call_free (c2c->one_shot);
  g_queue_clear (&c2c->order);
  g_hash_table_unref (c2c->calls);
  g_free (c2c->token);
  g_strfreev (c2c->allow);
  g_free (c2c);
}

int
click_to_call_get_status (ClickToCall *c2c)
{
  return c2c->one_shot != NULL ? c2c->one_shot->status : 0;
}

static gboolean
deploy_application (ClickToCall *c2c, SipContainer *container, GError **error)
{
  g_autoptr (SipApplication) application = sipservlet_application_new ("click-to-call", error);
  SipServlet *servlet = c2c->servlet;
  gboolean ok;

  if (application == NULL)
    {
      sipservlet_servlet_unref (servlet);
      return FALSE;
    }
  ok = sipservlet_application_add_servlet (application, servlet, error)
       && sipservlet_application_set_main_servlet (application, "click-to-call", error)
       && (!c2c->serve_http || c2c_http_add_routes (c2c, application, error))
       && sipservlet_container_deploy (container, application, error);
  sipservlet_servlet_unref (servlet);
  /* The container keeps it while deployed, which outlives the servlet's
   * data (this controller). */
  if (ok)
    c2c->application = application;
  if (!ok)
    g_prefix_error (error, "application click-to-call: ");
  return ok;
}

gboolean
click_to_call_deploy (ClickToCall *c2c, SipContainer *container, ExampleInstall how,
                      ClickToCallReportFunc report, gpointer report_data, GError **error)
{
  c2c->container = container;
  c2c->factory = sipservlet_container_get_factory (container);
  c2c->report = report;
  c2c->report_data = report_data;
  c2c->servlet = sipservlet_servlet_new ("click-to-call", &click_to_call_handlers, c2c,
                                         (GDestroyNotify) click_to_call_free);
  if (how == EXAMPLE_INSTALL_APPLICATION)
    {
      if (!deploy_application (c2c, container, error))
        return FALSE;
    }
  else if (c2c->serve_http)
    {
      sipservlet_servlet_unref (c2c->servlet);
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the web API needs the application click-to-call");
      return FALSE;
    }
  else if (!example_install_servlet (container, how, "click-to-call", NULL, c2c->servlet, NULL,
                                     NULL, NULL, error))
    return FALSE;
  if (c2c->one_shot != NULL)
    c2c->start_id = g_idle_add (on_start, c2c);
  return TRUE;
}
