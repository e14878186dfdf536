/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the user-agent server of sipservlet-uas (its
 * header comment says what it does), shared with the uas module. */
#include "uas-app.h"
#include "example-main.h"

/* Shared by the servlet and the listeners (g_rc_box). */
struct _Uas {
  guint answer_delay_ms;
  guint active_calls;
};

static void
on_dialog_started (SipSession *session, gpointer user_data)
{
  Uas *uas = user_data;
  example_debug ("call %s answered: %u in progress", sipservlet_session_get_call_id (session),
             ++uas->active_calls);
}

static void
on_dialog_ended (SipSession *session, gpointer user_data)
{
  Uas *uas = user_data;
  example_debug ("call %s ended: %u in progress", sipservlet_session_get_call_id (session),
             --uas->active_calls);
}

static void
on_session_expired (SipSession *session, gpointer user_data)
{
  g_message ("call %s: the session timer expired, hanging up",
             sipservlet_session_get_call_id (session));
}

static const SipServletListeners call_counter = {
  SIPSERVLET_LISTENERS_INIT,
  .dialog_started = on_dialog_started,
  .dialog_ended = on_dialog_ended,
  .session_expired = on_session_expired,
};

/* 200 to the INVITE, with its offer echoed as the answer. */
static void
answer_call (SipServletRequest *request)
{
  g_autoptr (GError) error = NULL;
  SipServletMessage *invite = SIPSERVLET_MESSAGE (request);
  gsize length = 0;
  gconstpointer offer = sipservlet_message_get_content (invite, &length);
  if (!sipservlet_request_respond_with (request, 200, NULL, NULL,
                                        sipservlet_message_get_content_type (invite), offer,
                                        (gssize) length, &error))
    g_warning ("cannot answer the INVITE: %s", error->message);
}

static gboolean
answer_later (gpointer data)
{
  SipServletRequest *request = data;
  /* A CANCEL may have won the race: the container then answered 487. */
  if (!sipservlet_request_is_cancelled (request))
    answer_call (request);
  return G_SOURCE_REMOVE;
}

static void
on_invite (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  Uas *uas = user_data;

  example_respond (request, 180, NULL);
  if (uas->answer_delay_ms == 0)
    {
      answer_call (request);
      return;
    }
  sipservlet_request_defer (request);
  g_timeout_add_full (G_PRIORITY_DEFAULT, uas->answer_delay_ms, answer_later,
                      sipservlet_request_ref (request), (GDestroyNotify) sipservlet_request_unref);
}

static void
on_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_respond (request, 200, NULL);
}

static void
on_ack (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_debug ("call %s confirmed", sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
}

static void
on_cancel (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  example_debug ("call %s cancelled", sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
}

static const SipServletHandlers uas_handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_invite = on_invite,
  .do_ack = on_ack,
  .do_cancel = on_cancel,
  .do_bye = on_ok,
  .do_options = on_ok,
  .do_message = on_ok,
  .do_info = on_ok,
  .do_update = on_ok,
};

/* ---- options and deployment ------------------------------------------------------ */

GOptionEntry *
uas_option_entries (UasOptions *options)
{
  GOptionEntry entries[] = {
    { "answer-delay", 0, 0, G_OPTION_ARG_INT, &options->answer_delay,
      "Ring this many milliseconds before answering INVITE", "MS" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

Uas *
uas_new (const UasOptions *options, GError **error)
{
  if (options->answer_delay < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--answer-delay must not be negative");
      return NULL;
    }
  Uas *uas = g_rc_box_new0 (Uas);
  uas->answer_delay_ms = (guint) options->answer_delay;
  return uas;
}

void
uas_release (Uas *uas)
{
  if (uas != NULL)
    g_rc_box_release (uas);
}

gboolean
uas_deploy (Uas *uas, SipContainer *container, ExampleInstall how, GError **error)
{
  /* The servlet and the listeners hold a reference each. */
  SipServlet *servlet = sipservlet_servlet_new ("uas", &uas_handlers, g_rc_box_acquire (uas),
                                                (GDestroyNotify) uas_release);
  return example_install_servlet (container, how, "uas", NULL, servlet, &call_counter,
                                  g_rc_box_acquire (uas), (GDestroyNotify) uas_release, error);
}
