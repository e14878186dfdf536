/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the signalling B2BUA of sipservlet-b2bua (its
 * header comment says what it does), shared with the b2bua module. */
#include "b2bua-app.h"
#include "example-main.h"

#include <string.h>

/* On the session that received an INVITE (initial or re-INVITE): the
 * INVITE relayed for it on the other leg, until its final response. */
#define RELAYED_INVITE "sipservlet-b2bua.relayed-invite"

/* Shared by the servlet and the listeners (g_rc_box). */
struct _B2bua {
  SipURI *target;              /* --target, or NULL: the Request-URI */
  SipB2buaHelper *helper;      /* the container's, from the first request */
};

/* ---- small helpers ----------------------------------------------------------- */

static const char *
method_of (SipServletMessage *message)
{
  return sipservlet_message_get_method (message);
}

static gboolean
is_method (SipServletMessage *message, const char *method)
{
  return g_strcmp0 (method_of (message), method) == 0;
}

static SipSession *
session_of (gpointer message)
{
  return sipservlet_message_get_session (SIPSERVLET_MESSAGE (message));
}

static SipB2buaHelper *
helper_for (B2bua *b2b, SipServletRequest *request)
{
  if (b2b->helper == NULL)
    {
      GError *error = NULL;
      b2b->helper = sipservlet_request_get_b2bua_helper (request, &error);
      if (b2b->helper == NULL)
        {
          g_warning ("no B2BUA helper: %s", error->message);
          g_error_free (error);
        }
    }
  return b2b->helper;
}

/* The partner of a leg, or NULL. */
static SipSession *
linked_peer (B2bua *b2b, SipSession *session)
{
  return session != NULL && b2b->helper != NULL
    ? sipservlet_b2bua_get_linked_session (b2b->helper, session) : NULL;
}

/* The partner of a leg, when it can still carry requests. */
static SipSession *
live_peer (B2bua *b2b, SipSession *session)
{
  SipSession *peer = linked_peer (b2b, session);
  if (peer == NULL || !sipservlet_session_is_valid (peer)
      || sipservlet_session_get_state (peer) == SIPSERVLET_SESSION_STATE_TERMINATED)
    return NULL;
  return peer;
}

static gboolean
send_request (SipServletRequest *request)
{
  GError *error = NULL;
  if (sipservlet_request_send (request, &error))
    return TRUE;
  if (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_SHUTTING_DOWN))
    example_debug ("not sending %s: %s", method_of (SIPSERVLET_MESSAGE (request)), error->message);
  else
    g_warning ("cannot send %s: %s", method_of (SIPSERVLET_MESSAGE (request)), error->message);
  g_error_free (error);
  return FALSE;
}

static void
send_response (SipServletResponse *response, gboolean reliably)
{
  GError *error = NULL;
  gboolean ok = reliably ? sipservlet_response_send_reliably (response, &error)
                         : sipservlet_response_send (response, &error);
  if (!ok)
    {
      g_warning ("cannot send %u to %s: %s", sipservlet_response_get_status (response),
                 method_of (SIPSERVLET_MESSAGE (response)), error->message);
      g_error_free (error);
    }
}

/* A received request that still waits for its final response. */
static gboolean
awaits_answer (SipServletRequest *request)
{
  return request != NULL && !sipservlet_message_is_committed (SIPSERVLET_MESSAGE (request))
    && !sipservlet_request_is_cancelled (request);
}

static void
copy_body (SipServletMessage *to, SipServletMessage *from)
{
  GError *error = NULL;

  if (sipservlet_message_get_content (from, NULL) == NULL)
    return;
  if (!sipservlet_message_copy_content (to, from, &error))
    {
      g_warning ("cannot copy the %s body: %s", method_of (from), error->message);
      g_error_free (error);
    }
}

/* Headers of a response that are not copied to the other leg: the body's
 * own, those that describe this hop (100rel is hop by hop here; each leg
 * negotiates its own session timer), and Contact, which only a redirect
 * passes on. System headers (Via, Call-ID, Record-Route...) are refused
 * by the library anyway. */
static gboolean
keeps_header (const char *name, guint status)
{
#define HOP(n) { n, sizeof n - 1 }
  static const struct {
    const char *name;
    gsize length;
  } hop[] = {
    HOP ("Content-Type"), HOP ("Content-Length"), HOP ("Content-Encoding"), HOP ("RSeq"),
    HOP ("Require"), HOP ("Via"), HOP ("From"), HOP ("To"), HOP ("Call-ID"), HOP ("CSeq"),
    HOP ("Route"), HOP ("Record-Route"), HOP ("Path"), HOP ("RAck"), HOP ("Max-Forwards"),
    HOP ("Session-Expires"), HOP ("Min-SE"),
  };
#undef HOP
  /* Length and first letter rule out most of the list before the full
   * comparison: every relayed response runs this for each header. */
  gsize length = strlen (name);
  char first = g_ascii_tolower (name[0]);
  for (gsize i = 0; i < G_N_ELEMENTS (hop); i++)
    if (hop[i].length == length && g_ascii_tolower (hop[i].name[0]) == first
        && (strcmp (name, hop[i].name) == 0 || g_ascii_strcasecmp (name, hop[i].name) == 0))
      return FALSE;
  if (length == strlen ("Contact") && g_ascii_strcasecmp (name, "Contact") == 0)
    return status >= 300 && status < 400;
  return TRUE;
}

/* Copies the end-to-end part of a response: body and the headers above. */
static void
copy_response (SipServletResponse *to, SipServletResponse *from)
{
  SipServletMessage *dst = SIPSERVLET_MESSAGE (to);
  SipServletMessage *src = SIPSERVLET_MESSAGE (from);
  guint status = sipservlet_response_get_status (from);
  char **names = sipservlet_message_get_header_names (src);

  for (char **n = names; *n != NULL; n++)
    {
      if (!keeps_header (*n, status))
        continue;
      char **values = sipservlet_message_get_headers (src, *n);
      for (char **v = values; *v != NULL; v++)
        {
          GError *error = NULL;
          if (!sipservlet_message_add_header (dst, *n, *v, &error))
            {
              example_debug ("not relaying %s: %s", *n, error->message);
              g_error_free (error);
            }
        }
      g_strfreev (values);
    }
  g_strfreev (names);
  copy_body (dst, src);
}

/* TRUE when one value of header @name lists option tag @tag. */
static gboolean
lists_option (SipServletMessage *message, const char *name, const char *tag)
{
  char **values = sipservlet_message_get_headers (message, name);
  gboolean found = FALSE;

  for (char **v = values; *v != NULL && !found; v++)
    {
      char **items = g_strsplit (*v, ",", -1);
      for (char **i = items; *i != NULL && !found; i++)
        found = g_ascii_strcasecmp (g_strstrip (*i), tag) == 0;
      g_strfreev (items);
    }
  g_strfreev (values);
  return found;
}

/* Acknowledges a 2xx we will not relay (a re-INVITE's). */
static void
acknowledge (SipServletResponse *response)
{
  GError *error = NULL;
  SipServletRequest *ack = sipservlet_response_create_ack (response, &error);

  if (ack == NULL)
    {
      example_debug ("no ACK for this %u: %s", sipservlet_response_get_status (response), error->message);
      g_clear_error (&error);
      return;
    }
  send_request (ack);
  sipservlet_request_unref (ack);
}

/* Ends a leg whatever its state: the container cancels, answers 487,
 * acknowledges a pending 2xx and BYEs as that state needs. */
static void
end_leg (SipSession *session)
{
  GError *error = NULL;

  if (session == NULL || !sipservlet_session_is_valid (session)
      || sipservlet_session_get_state (session) == SIPSERVLET_SESSION_STATE_TERMINATED)
    return;
  if (!sipservlet_session_terminate (session, &error))
    {
      example_debug ("cannot end the leg: %s", error->message);
      g_error_free (error);
    }
}

/* A 2xx nobody will take: an initial INVITE's ends its dialog. */
static void
refuse_2xx (SipServletResponse *response)
{
  if (sipservlet_request_is_initial (sipservlet_response_get_request (response)))
    end_leg (session_of (response));
  else
    acknowledge (response);
}

/* Remembers, on the leg that received an INVITE, the INVITE relayed for it. */
static void
remember_relayed_invite (SipServletRequest *received, SipServletRequest *relayed)
{
  if (is_method (SIPSERVLET_MESSAGE (received), "INVITE"))
    sipservlet_session_set_attribute (session_of (received), RELAYED_INVITE,
                                      sipservlet_request_ref (relayed),
                                      (GDestroyNotify) sipservlet_request_unref);
}

static void
forget_relayed_invite (SipServletRequest *received, SipServletRequest *relayed)
{
  SipSession *session = received != NULL ? session_of (received) : NULL;
  if (session != NULL && sipservlet_session_is_valid (session)
      && sipservlet_session_get_attribute (session, RELAYED_INVITE) == relayed)
    sipservlet_session_set_attribute (session, RELAYED_INVITE, NULL, NULL);
}

/* ---- requests ------------------------------------------------------------------ */

/* An initial request: a new leg to the target. */
static void
relay_initial (B2bua *b2b, SipServletRequest *request)
{
  GError *error = NULL;
  SipB2buaHelper *helper = helper_for (b2b, request);
  SipServletRequest *out;

  if (helper == NULL)
    {
      example_respond (request, 500, "No B2BUA Helper");
      return;
    }
  out = sipservlet_b2bua_create_request (helper, request, TRUE, NULL, &error);
  if (out == NULL)
    {
      /* Max-Forwards 0: the container has answered 483. */
      if (!g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_TOO_MANY_HOPS))
        {
          g_warning ("cannot create the other leg's %s: %s",
                     method_of (SIPSERVLET_MESSAGE (request)), error->message);
          example_respond (request, 500, "Cannot Create The Other Leg");
        }
      g_error_free (error);
      return;
    }
  if (b2b->target != NULL && !sipservlet_request_set_request_uri (out, b2b->target, &error))
    {
      g_warning ("cannot set the target: %s", error->message);
      g_clear_error (&error);
    }
  sipservlet_request_defer (request);
  if (!send_request (out))
    {
      example_respond (request, 503, "Cannot Reach The Target");
      sipservlet_session_invalidate (session_of (out), NULL);
    }
  else
    {
      remember_relayed_invite (request, out);
      example_debug ("%s %s relayed as %s", method_of (SIPSERVLET_MESSAGE (request)),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (out)));
    }
  sipservlet_request_unref (out);
}

/* A request inside a dialog: the same request on the other leg. */
static void
relay_in_dialog (B2bua *b2b, SipServletRequest *request)
{
  GError *error = NULL;
  SipSession *peer = live_peer (b2b, session_of (request));
  SipServletRequest *out;

  if (peer == NULL)
    {
      example_respond (request, 481, "Call Leg Does Not Exist");
      return;
    }
  out = sipservlet_b2bua_create_request_for_session (b2b->helper, peer, request, NULL, &error);
  if (out == NULL)
    {
      g_warning ("cannot relay %s: %s", method_of (SIPSERVLET_MESSAGE (request)), error->message);
      g_error_free (error);
      example_respond (request, 500, "Cannot Relay");
      return;
    }
  sipservlet_request_defer (request);
  if (send_request (out))
    remember_relayed_invite (request, out);
  else
    example_respond (request, 500, "Cannot Relay");
  sipservlet_request_unref (out);
}

static void
on_request (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);

  if (!sipservlet_request_is_initial (request))
    relay_in_dialog (b2b, request);
  else if (is_method (message, "INVITE") || is_method (message, "MESSAGE")
           || is_method (message, "OPTIONS"))
    relay_initial (b2b, request);
  else
    example_respond (request, 501, NULL);
}

/* The caller's BYE in an early dialog: the call never started. */
static gboolean
end_early_dialog (B2bua *b2b, SipServletRequest *bye)
{
  SipSession *session = session_of (bye);
  GPtrArray *pending = sipservlet_b2bua_get_pending_messages (b2b->helper, session,
                                                              SIPSERVLET_UA_MODE_UAS);
  SipServletRequest *invite = NULL;

  for (guint i = 0; i < pending->len && invite == NULL; i++)
    {
      SipServletRequest *r = pending->pdata[i];
      if (is_method (SIPSERVLET_MESSAGE (r), "INVITE") && sipservlet_request_is_initial (r))
        invite = r;
    }
  if (invite != NULL)
    {
      sipservlet_request_ref (invite);
      end_leg (sipservlet_b2bua_get_linked_session (b2b->helper, session));
      example_respond (invite, 487, NULL);
      example_respond (bye, 200, NULL);
      sipservlet_request_unref (invite);
    }
  g_ptr_array_unref (pending);
  return invite != NULL;
}

static void
on_bye (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  B2bua *b2b = user_data;
  GError *error = NULL;
  SipSession *peer = live_peer (b2b, session_of (request));
  SipServletRequest *out;

  if (b2b->helper != NULL && end_early_dialog (b2b, request))
    return;
  if (peer == NULL)
    {
      example_respond (request, 200, NULL);
      return;
    }
  out = sipservlet_b2bua_create_request_for_session (b2b->helper, peer, request, NULL, &error);
  if (out == NULL)
    {
      example_debug ("the other leg cannot take the BYE: %s", error->message);
      g_error_free (error);
      example_respond (request, 200, NULL);
      return;
    }
  /* Answered when the other leg answers (on_response). */
  sipservlet_request_defer (request);
  if (!send_request (out))
    example_respond (request, 200, NULL);
  sipservlet_request_unref (out);
}

/* The ACK for a 2xx we relayed: acknowledge the other leg's 2xx now, with
 * this ACK's body. */
static void
on_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipSession *peer = linked_peer (b2b, session_of (request));

  if (peer == NULL)
    return;
  GPtrArray *pending = sipservlet_b2bua_get_pending_messages (b2b->helper, peer,
                                                              SIPSERVLET_UA_MODE_UAC);
  for (guint i = 0; i < pending->len; i++)
    {
      GError *error = NULL;
      SipServletRequest *ack = sipservlet_response_create_ack (pending->pdata[i], &error);
      if (ack == NULL)
        {
          g_warning ("cannot acknowledge the other leg: %s", error->message);
          g_error_free (error);
          continue;
        }
      copy_body (SIPSERVLET_MESSAGE (ack), SIPSERVLET_MESSAGE (request));
      send_request (ack);
      sipservlet_request_unref (ack);
    }
  g_ptr_array_unref (pending);
}

/* The container has answered the CANCEL 200 and the INVITE 487. */
static void
on_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipSession *session = session_of (request);
  SipServletRequest *relayed = session != NULL
    ? sipservlet_session_get_attribute (session, RELAYED_INVITE) : NULL;
  SipServletRequest *cancel = NULL;
  GError *error = NULL;

  if (relayed == NULL || b2b->helper == NULL)
    return;
  if (sipservlet_request_is_initial (relayed))
    cancel = sipservlet_b2bua_create_cancel (b2b->helper, session_of (relayed), &error);
  else
    cancel = sipservlet_request_create_cancel (relayed, &error);
  if (cancel == NULL)
    {
      /* Its final response is here already: a 2xx is hung up on arrival. */
      example_debug ("nothing to cancel: %s", error->message);
      g_error_free (error);
    }
  else
    {
      send_request (cancel);
      sipservlet_request_unref (cancel);
    }
  if (sipservlet_session_is_valid (session))
    sipservlet_session_set_attribute (session, RELAYED_INVITE, NULL, NULL);
}

/* ---- responses ------------------------------------------------------------------ */

static void
relay_provisional (B2bua *b2b, SipServletResponse *response, SipServletRequest *original)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  guint status = sipservlet_response_get_status (response);
  GError *error = NULL;
  gboolean reliable = sipservlet_message_get_header (message, "RSeq") != NULL;

  if (reliable && is_method (message, "INVITE"))
    {
      /* 100rel is hop by hop: PRACK it on its own leg. */
      SipServletRequest *prack = sipservlet_response_create_prack (response, &error);
      if (prack == NULL)
        {
          example_debug ("no PRACK: %s", error->message);
          g_clear_error (&error);
        }
      else
        {
          send_request (prack);
          sipservlet_request_unref (prack);
        }
    }
  if (!awaits_answer (original) || !is_method (SIPSERVLET_MESSAGE (original), "INVITE"))
    return;
  SipServletResponse *relayed = sipservlet_request_create_response (original, status,
                                                                     sipservlet_response_get_reason_phrase (response),
                                                                     &error);
  if (relayed == NULL)
    {
      example_debug ("cannot relay %u: %s", status, error->message);
      g_error_free (error);
      return;
    }
  copy_response (relayed, response);
  SipServletMessage *orig = SIPSERVLET_MESSAGE (original);
  send_response (relayed, reliable && !lists_option (orig, "Require", "100rel")
                          && lists_option (orig, "Supported", "100rel"));
  sipservlet_response_unref (relayed);
}

static void
relay_final (B2bua *b2b, SipServletResponse *response, SipServletRequest *original)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  guint status = sipservlet_response_get_status (response);
  gboolean invite = is_method (message, "INVITE");
  gboolean bye = is_method (message, "BYE");
  GError *error = NULL;

  if (!awaits_answer (original))
    {
      /* Nobody to give it to (the caller cancelled, or hung up): a 2xx
       * to an initial INVITE is acknowledged and hung up, one to a
       * re-INVITE only acknowledged. */
      if (invite && status < 300)
        refuse_2xx (response);
      return;
    }
  /* A BYE ends the dialog whatever the other leg says. */
  SipServletResponse *relayed = sipservlet_request_create_response (original, bye ? 200 : status,
                                                                     bye ? NULL : sipservlet_response_get_reason_phrase (response),
                                                                     &error);
  if (relayed == NULL)
    {
      g_warning ("cannot relay %u to %s: %s", status, method_of (message), error->message);
      g_error_free (error);
      if (invite && status < 300)
        refuse_2xx (response);
      return;
    }
  if (!bye)
    copy_response (relayed, response);
  send_response (relayed, FALSE);
  sipservlet_response_unref (relayed);
  /* The 2xx of the other leg is acknowledged with the caller's ACK (on_ack). */
}

static void
on_response (SipServlet *servlet, SipServletResponse *response, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  SipServletRequest *request = sipservlet_response_get_request (response);
  guint status = sipservlet_response_get_status (response);
  SipServletRequest *original;

  if (b2b->helper == NULL)
    return;
  original = sipservlet_b2bua_get_linked_request (b2b->helper, request);
  if (status < 200)
    {
      relay_provisional (b2b, response, original);
      return;
    }
  if (is_method (message, "INVITE"))
    {
      forget_relayed_invite (original, request);
      /* Another To tag than the first 2xx: a derived session of a forked
       * far side. Only the first dialog is relayed. */
      if (status < 300 && session_of (response) != session_of (request))
        {
          example_debug ("extra %u from a fork of %s: acknowledged and hung up", status,
                         sipservlet_message_get_call_id (message));
          end_leg (session_of (response));
          return;
        }
    }
  relay_final (b2b, response, original);
}

/* ---- listeners ------------------------------------------------------------------ */

/* The caller never acknowledged our 2xx: end both legs. */
static void
on_no_ack (SipServletRequest *request, SipServletResponse *response, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipSession *session = session_of (request);
  SipSession *peer = linked_peer (b2b, session);

  g_message ("no ACK for %u to %s %s: ending the call", sipservlet_response_get_status (response),
             method_of (SIPSERVLET_MESSAGE (request)),
             sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
  end_leg (peer);
  end_leg (session);
}

static const SipServletHandlers b2bua_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_request,
  .do_ack = on_ack,
  .do_cancel = on_cancel,
  .do_bye = on_bye,
  .do_options = on_request,
  .do_message = on_request,
  .do_info = on_request,
  .do_update = on_request,
  .do_refer = on_request,
  .do_notify = on_request,
  .do_subscribe = on_request,
  .do_publish = on_request,
  .do_register = on_request,
  .do_unknown = on_request,
  .do_response = on_response,
};

/* The caller never PRACKed a reliable 1xx: the container has answered
 * its INVITE 503, so the callee's leg is cancelled. */
static void
on_no_prack (SipServletRequest *request, SipServletResponse *response, gpointer user_data)
{
  B2bua *b2b = user_data;
  SipSession *peer = linked_peer (b2b, session_of (request));

  g_message ("no PRACK for %u to %s: cancelling the other leg",
             sipservlet_response_get_status (response),
             sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
  end_leg (peer);
}

/* A leg's session timer ran out: the container ends both legs. */
static void
on_session_expired (SipSession *session, gpointer user_data)
{
  g_message ("call %s: the session timer expired, hanging up both legs",
             sipservlet_session_get_call_id (session));
}

static const SipServletListeners b2bua_listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .no_ack_received = on_no_ack,
  .no_prack_received = on_no_prack,
  .session_expired = on_session_expired,
};

/* ---- options and deployment ------------------------------------------------------ */

GOptionEntry *
b2bua_option_entries (B2buaOptions *options)
{
  GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &options->target,
      "Place the outgoing leg to this URI (default: the Request-URI of the "
      "caller's INVITE)", "URI" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
b2bua_options_clear (B2buaOptions *options)
{
  g_clear_pointer (&options->target, g_free);
}

static void
b2bua_clear (gpointer data)
{
  B2bua *b2b = data;
  g_clear_pointer (&b2b->target, sipservlet_uri_unref);
}

void
b2bua_release (B2bua *b2b)
{
  if (b2b != NULL)
    g_rc_box_release_full (b2b, b2bua_clear);
}

B2bua *
b2bua_new (const B2buaOptions *options, GError **error)
{
  g_autoptr (SipURI) target = NULL;
  g_autoptr (GError) local = NULL;

  if (options->target != NULL)
    {
      target = sipservlet_uri_parse (options->target, &local);
      if (target == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--target '%s': %s",
                       options->target, local->message);
          return NULL;
        }
      if (!sipservlet_uri_is_sip (target))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--target must be a sip: or sips: URI, got '%s'", options->target);
          return NULL;
        }
    }
  B2bua *b2b = g_rc_box_new0 (B2bua);
  b2b->target = g_steal_pointer (&target);
  return b2b;
}

gboolean
b2bua_deploy (B2bua *b2b, SipContainer *container, ExampleInstall how, GError **error)
{
  /* The servlet and the listeners hold a reference each. */
  SipServlet *servlet = sipservlet_servlet_new ("b2bua", &b2bua_handlers, g_rc_box_acquire (b2b),
                                                (GDestroyNotify) b2bua_release);
  return example_install_servlet (container, how, "b2bua", NULL, servlet, &b2bua_listeners,
                                  g_rc_box_acquire (b2b), (GDestroyNotify) b2bua_release,
                                  error);
}
