/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - RFC 4028 session timers of UA dialogs.
 *
 * When the container has session timers on (sipservlet_container_set_
 * session_timers()), every INVITE and UPDATE it sends in a UA session asks
 * for an interval, every 2xx it sends to one grants it, and the outcome is
 * read back from the message actually sent or received, so a servlet that
 * edits Session-Expires is obeyed. The side that refreshes sends an UPDATE
 * without a body half-way through the interval when the peer allows
 * UPDATE, else a re-INVITE that repeats our last SDP unchanged (same o=
 * version, RFC 3264 §8); the other side gives up a little before the
 * interval ends (RFC 4028 §10). Refreshes the peer sends are answered
 * here, not by the servlet: they change nothing it cares about. A session
 * that expires is reported to the session_expired listeners, then ended
 * with sipservlet_session_terminate(), its B2BUA partner with it.
 */
#include "config-private.h"

#include <string.h>

#include "ua/ua-private.h"

#define SIPSV_RFC4028_MIN_SE 90

static gboolean
enabled (SipSession *session)
{
  return session != NULL && !session->proxy && session->valid && session->manager != NULL
    && sipsv_runtime (session->manager->container)->session_expires > 0;
}

static gboolean
is_refreshable (sip_t const *sip)
{
  sip_method_t m = sip->sip_request->rq_method;
  return m == sip_method_invite || m == sip_method_update;
}

/* Session-Expires and Min-SE go in as sofia's structures: every INVITE
 * and its 2xx carry them, and text would be formatted here only to be
 * parsed again. @refresher is "uac", "uas" or NULL. */
static void
add_session_expires (msg_t *msg, sip_t *sip, guint interval, const char *refresher)
{
  su_home_t *home = msg_home (msg);
  sip_session_expires_t *x
    = (sip_session_expires_t *) msg_header_alloc (home, sip_session_expires_class, 0);

  if (x == NULL)
    return;
  x->x_delta = interval;
  if (refresher != NULL
      && msg_header_add_param (home, (msg_common_t *) x,
                               strcmp (refresher, "uas") == 0 ? "refresher=uas"
                                                              : "refresher=uac") < 0)
    return;
  msg_header_insert (msg, (msg_pub_t *) sip, (msg_header_t *) x);
}

/* The option tag "timer" in a new Supported or Require header, as a
 * list of one item (the sofia class lays the items after the header).
 * A header of that kind already there takes the tag into its own list,
 * as sip_add_make() does. */
static void
add_timer_tag (msg_t *msg, sip_t *sip, msg_hclass_t *hc, msg_list_t const *existing)
{
  if (existing != NULL)
    {
      sip_add_make (msg, sip, hc, "timer");
      return;
    }
  msg_list_t *list = (msg_list_t *) msg_header_alloc (msg_home (msg), hc, 2 * sizeof (msg_param_t));
  if (list == NULL)
    return;
  msg_param_t *items = (msg_param_t *) ((char *) list + hc->hc_size);
  items[0] = "timer";
  items[1] = NULL;
  list->k_items = items;
  msg_header_insert (msg, (msg_pub_t *) sip, (msg_header_t *) list);
}

static void
add_min_se (msg_t *msg, sip_t *sip, guint delta)
{
  sip_min_se_t *m = (sip_min_se_t *) msg_header_alloc (msg_home (msg), sip_min_se_class, 0);

  if (m == NULL)
    return;
  m->min_delta = delta;
  msg_header_insert (msg, (msg_pub_t *) sip, (msg_header_t *) m);
}

static gboolean
supports_timer (sip_t const *sip)
{
  return sipsv_lists_option ((msg_list_t const *) sip->sip_supported, "timer")
    || sipsv_lists_option ((msg_list_t const *) sip->sip_require, "timer");
}

/* The o= line of an SDP body, or NULL. */
static char *
sdp_origin (sip_t const *sip)
{
  const char *type = sip->sip_content_type != NULL ? sip->sip_content_type->c_type : NULL;
  if (sip->sip_payload == NULL || type == NULL
      || (strcmp (type, "application/sdp") != 0
          && g_ascii_strcasecmp (type, "application/sdp") != 0))
    return NULL;
  const char *body = sip->sip_payload->pl_data;
  gsize len = sip->sip_payload->pl_len;
  const char *stop = body + len;

  /* Every SDP sent or received in a session comes here: memchr goes
   * from line to line, without a test per byte. */
  for (const char *line = body; line < stop;)
    {
      const char *nl = memchr (line, '\n', (gsize) (stop - line));
      const char *end = nl != NULL ? nl : stop;
      if (end - line >= 2 && line[0] == 'o' && line[1] == '=')
        {
          const char *cr = memchr (line, '\r', (gsize) (end - line));
          return g_strndup (line, (gsize) ((cr != NULL ? cr : end) - line));
        }
      line = end + 1;
    }
  return NULL;
}

void
sipsv_ua_timer_note_sdp (SipSession *session, sip_t const *sip, gboolean sent)
{
  if (!enabled (session))
    return;
  if (sent)
    {
      char *origin = sdp_origin (sip);
      if (origin != NULL)
        {
          g_clear_pointer (&session->local_sdp, g_bytes_unref);
          session->local_sdp = g_bytes_new (sip->sip_payload->pl_data, sip->sip_payload->pl_len);
        }
      g_free (origin);
      return;
    }
  char *origin = sdp_origin (sip);
  if (origin != NULL)
    {
      g_free (session->remote_sdp_origin);
      session->remote_sdp_origin = origin;
    }
  /* Whether we may refresh with UPDATE: the peer's latest Allow says. */
  if (sip->sip_allow != NULL)
    session->st_peer_update = sipsv_lists_option ((msg_list_t const *) sip->sip_allow, "UPDATE");
}

/* ---- the timer ------------------------------------------------------------------------- */

static void on_timer (gpointer data);

static void
arm_at (SipSession *session, gint64 when)
{
  gint64 ms = MAX (0, (when - g_get_monotonic_time ()) / 1000);
  if (session->st_timer == NULL)
    session->st_timer = sipsv_timer_new (session->manager->timers, on_timer, session);
  sipsv_timer_start (session->st_timer, (guint) MIN (ms, G_MAXUINT));
}

/* A refresh succeeded (or the session began): the interval starts again. */
static void
restart (SipSession *session, guint interval, gboolean we_refresh)
{
  gint64 now = g_get_monotonic_time ();
  session->st_interval = interval;
  session->st_we_refresh = we_refresh;
  if (interval == 0)
    {
      if (session->st_timer != NULL)
        sipsv_timer_stop (session->st_timer);
      return;
    }
  if (we_refresh)
    {
      session->st_deadline = now + (gint64) interval * G_USEC_PER_SEC;
      arm_at (session, now + (gint64) interval * G_USEC_PER_SEC / 2);
    }
  else
    {
      /* RFC 4028 §10: BYE a third of the interval (32 s at most) early. */
      gint64 margin = MIN (32, interval / 3);
      session->st_deadline = now + (gint64) (interval - margin) * G_USEC_PER_SEC;
      arm_at (session, session->st_deadline);
    }
}

static void
expire (SipSession *session)
{
  sipservlet_session_ref (session);
  g_debug ("session %s expired (RFC 4028)", session->id);
  session->st_interval = 0;
  SIPSV_NOTIFY (session->manager, session->app->scope, session_expired, session);
  SipSession *partner = session->linked;
  if (partner != NULL)
    sipservlet_session_ref (partner);
  if (session->valid && session->state != SIPSERVLET_SESSION_STATE_TERMINATED)
    sipservlet_session_terminate (session, NULL);
  /* A B2BUA call ends on both legs. */
  if (partner != NULL && partner->valid && partner->state != SIPSERVLET_SESSION_STATE_TERMINATED)
    sipservlet_session_terminate (partner, NULL);
  if (partner != NULL)
    sipservlet_session_unref (partner);
  sipservlet_session_unref (session);
}

static void
refresh (SipSession *session)
{
  gint64 now = g_get_monotonic_time ();
  /* An INVITE under way in either direction refreshes when it completes;
   * look again shortly. */
  if (session->st_refreshing || session->invite_uac_pending || session->invite_uas_pending)
    {
      arm_at (session, MIN (now + G_USEC_PER_SEC, session->st_deadline));
      return;
    }
  gboolean update = session->st_peer_update || session->local_sdp == NULL;
  SipServletRequest *request = sipservlet_session_create_request (session, update ? "UPDATE"
                                                                                  : "INVITE",
                                                                  NULL);
  if (request == NULL)
    {
      expire (session);
      return;
    }
  request->internal = TRUE;
  if (!update)
    sipservlet_message_set_content (SIPSERVLET_MESSAGE (request),
                                    g_bytes_get_data (session->local_sdp, NULL),
                                    (gssize) g_bytes_get_size (session->local_sdp),
                                    "application/sdp", NULL);
  GError *error = NULL;
  if (sipservlet_request_send (request, &error))
    session->st_refreshing = TRUE;
  else
    {
      g_debug ("session %s: cannot refresh: %s", session->id, error->message);
      g_clear_error (&error);
      arm_at (session, session->st_deadline);
    }
  sipservlet_request_unref (request);
}

static void
on_timer (gpointer data)
{
  SipSession *session = data;

  if (!session->valid || session->st_interval == 0)
    return;
  if (session->st_we_refresh && g_get_monotonic_time () < session->st_deadline)
    refresh (session);
  else
    expire (session);
}

/* ---- requests -------------------------------------------------------------------------- */

gboolean
sipsv_ua_timer_reject_brief (SipsvRuntime *runtime, msg_t *msg, sip_t const *sip)
{
  if (runtime->session_expires == 0 || sip->sip_session_expires == NULL
      || !is_refreshable (sip) || sip->sip_session_expires->x_delta >= runtime->min_se)
    return FALSE;
  char *min_se = g_strdup_printf ("Min-SE: %u", runtime->min_se);
  sipsv_stack_reply (&runtime->stack, msg, 422, "Session Interval Too Small", min_se);
  g_free (min_se);
  return TRUE;
}

/* The interval and refresher a request asks of its session. */
void
sipsv_ua_timer_decorate_request (SipServletRequest *request)
{
  SipSession *session = request->base.session;
  sip_t *sip = request->base.sip;
  msg_t *msg = request->base.msg;

  if (!enabled (session))
    return;
  if (sip->sip_request->rq_method == sip_method_ack || is_refreshable (sip))
    sipsv_ua_timer_note_sdp (session, sip, TRUE);
  if (!is_refreshable (sip) || sip->sip_session_expires != NULL)
    return;
  SipsvRuntime *runtime = sipsv_runtime (session->manager->container);
  guint min_se = MAX (runtime->min_se, session->st_min_se);
  guint interval = MAX (session->st_interval ? session->st_interval : runtime->session_expires,
                        min_se);
  if (!supports_timer (sip))
    add_timer_tag (msg, sip, sip_supported_class, (msg_list_t const *) sip->sip_supported);
  add_session_expires (msg, sip, interval,
                       session->st_interval == 0 ? NULL : session->st_we_refresh ? "uac" : "uas");
  add_min_se (msg, sip, min_se);
}

/* A refresh the peer sends: an UPDATE without a body, or a re-INVITE whose
 * SDP has the version we last saw. Answered here; TRUE when it was. */
gboolean
sipsv_ua_timer_on_request (SipServletRequest *request)
{
  SipSession *session = request->base.session;
  sip_t const *sip = request->base.sip;

  if (!enabled (session))
    return FALSE;
  if (session->st_interval == 0 || !is_refreshable (sip)
      || session->state != SIPSERVLET_SESSION_STATE_CONFIRMED)
    {
      sipsv_ua_timer_note_sdp (session, sip, FALSE);
      return FALSE;
    }
  gboolean refresh;
  if (sip->sip_request->rq_method == sip_method_update)
    refresh = sip->sip_payload == NULL || sip->sip_payload->pl_len == 0;
  else
    {
      char *origin = sdp_origin (sip);
      refresh = origin != NULL && session->local_sdp != NULL
                && g_strcmp0 (origin, session->remote_sdp_origin) == 0;
      g_free (origin);
    }
  sipsv_ua_timer_note_sdp (session, sip, FALSE);
  if (!refresh)
    return FALSE;
  request->internal = TRUE;
  SipServletResponse *ok = sipsv_uas_build_response (request, 200, NULL);
  if (ok != NULL && sip->sip_request->rq_method == sip_method_invite)
    sipservlet_message_set_content (SIPSERVLET_MESSAGE (ok),
                                    g_bytes_get_data (session->local_sdp, NULL),
                                    (gssize) g_bytes_get_size (session->local_sdp),
                                    "application/sdp", NULL);
  if (ok == NULL || !sipservlet_response_send (ok, NULL))
    sipsv_uas_answer (request, 500, "Cannot Refresh Session");
  g_clear_pointer (&ok, sipservlet_response_unref);
  return TRUE;
}

/* ---- responses we send ----------------------------------------------------------------- */

/* RFC 4028 §9: the 2xx of a UAS grants an interval and names the refresher. */
void
sipsv_ua_timer_decorate_response (SipServletRequest *request, msg_t *msg, guint status)
{
  SipSession *session = request->base.session;
  sip_t const *rsip = request->base.sip;
  sip_t *sip = sip_object (msg);

  if (!enabled (session) || !is_refreshable (rsip))
    return;
  SipsvRuntime *runtime = sipsv_runtime (session->manager->container);
  if (status == 422)
    {
      add_min_se (msg, sip, MAX (runtime->min_se, session->st_min_se));
      return;
    }
  if (status < 200 || status >= 300)
    return;
  gboolean peer_supports = supports_timer (rsip);
  sip_session_expires_t const *asked = rsip->sip_session_expires;
  guint interval;
  const char *refresher;
  if (asked != NULL)
    {
      /* The refresher the request names is kept; else the caller
       * refreshes when it can. */
      interval = (guint) MIN (asked->x_delta, G_MAXUINT);
      if (asked->x_refresher != NULL)
        refresher = g_ascii_strcasecmp (asked->x_refresher, "uas") == 0 ? "uas" : "uac";
      else
        refresher = peer_supports ? "uac" : "uas";
    }
  else
    {
      guint min_se = rsip->sip_min_se ? (guint) MIN (rsip->sip_min_se->min_delta, G_MAXUINT) : 0;
      interval = MAX (runtime->session_expires, min_se);
      refresher = peer_supports ? "uac" : "uas";
    }
  add_session_expires (msg, sip, interval, refresher);
  if (peer_supports)
    add_timer_tag (msg, sip, sip_require_class, (msg_list_t const *) sip->sip_require);
}

/* What the 2xx we sent settled. */
void
sipsv_ua_timer_response_sent (SipServletRequest *request, SipServletResponse *response,
                              guint status)
{
  SipSession *session = request->base.session;
  sip_t const *rsip = request->base.sip;
  sip_t const *sip = response->base.sip;

  if (!enabled (session) || sip->sip_cseq == NULL)
    return;
  if (rsip->sip_request->rq_method == sip_method_invite && status > 100 && status < 300)
    sipsv_ua_timer_note_sdp (session, sip, TRUE);
  if (!is_refreshable (rsip) || status < 200 || status >= 300)
    return;
  if (rsip->sip_min_se != NULL)
    session->st_min_se = MAX (session->st_min_se, (guint) MIN (rsip->sip_min_se->min_delta, 3600u * 24));
  sip_session_expires_t const *granted = sip->sip_session_expires;
  if (granted == NULL)
    restart (session, 0, FALSE);
  else
    restart (session, (guint) MIN (granted->x_delta, 3600u * 24),
             granted->x_refresher != NULL && g_ascii_strcasecmp (granted->x_refresher, "uas") == 0);
}

/* ---- responses we receive -------------------------------------------------------------- */

/* RFC 4028 §7.4: a 422 tells the interval the peer needs; ask again once
 * with it. TRUE when the request went out again (the 422 is swallowed). */
gboolean
sipsv_ua_timer_retry (SipServletRequest *request, sip_t const *sip)
{
  SipSession *session = request->base.session;
  sip_t *old = request->base.sip;

  if (!enabled (session) || request->st_retried || sip->sip_min_se == NULL
      || !is_refreshable (old) || old->sip_session_expires == NULL
      || sip->sip_min_se->min_delta <= old->sip_session_expires->x_delta
      || sip->sip_min_se->min_delta > 3600u * 24)
    return FALSE;
  guint wanted = (guint) sip->sip_min_se->min_delta;
  session->st_min_se = MAX (session->st_min_se, wanted);

  msg_t *copy = sipsv_uac_next_copy (request);
  sip_t *csip = sip_object (copy);
  su_home_t *home = msg_home (copy);
  char *se = g_strdup_printf ("%u", wanted);
  msg_header_replace (copy, (msg_pub_t *) csip, (msg_header_t *) csip->sip_session_expires,
                      (msg_header_t *) sip_session_expires_make (home, se));
  if (csip->sip_min_se != NULL)
    msg_header_replace (copy, (msg_pub_t *) csip, (msg_header_t *) csip->sip_min_se,
                        (msg_header_t *) sip_min_se_make (home, se));
  else
    sip_add_make (copy, csip, sip_min_se_class, se);
  g_free (se);

  if (!sipsv_uac_resend (request, copy))
    return FALSE;
  request->st_retried = TRUE;
  return TRUE;
}

/* What a 2xx to our INVITE or UPDATE settled (RFC 4028 §7.2): no
 * Session-Expires in it, no timer. */
void
sipsv_ua_timer_response_received (SipServletRequest *request, sip_t const *sip,
                                  guint status)
{
  SipSession *session = request->base.session;
  sip_t const *rsip = request->base.sip;

  if (!enabled (session))
    return;
  if (status > 100 && status < 300)
    sipsv_ua_timer_note_sdp (session, sip, FALSE);
  if (!is_refreshable (rsip) || status < 200)
    return;
  if (request->internal)
    session->st_refreshing = FALSE;
  if (status >= 300)
    {
      if (!request->internal || session->st_interval == 0)
        return;
      /* Our refresh failed. 408 and 481 end the dialog (RFC 4028 §10);
       * after anything else, try again half-way to the deadline. */
      gint64 left = session->st_deadline - g_get_monotonic_time ();
      if (status == 408 || status == 481 || left < G_USEC_PER_SEC)
        expire (session);
      else
        arm_at (session, g_get_monotonic_time () + left / 2);
      return;
    }
  sip_session_expires_t const *granted = sip->sip_session_expires;
  if (granted != NULL)
    restart (session, (guint) MIN (granted->x_delta, 3600u * 24),
             granted->x_refresher == NULL || g_ascii_strcasecmp (granted->x_refresher, "uac") == 0);
  else if (session->st_interval > 0 && session->st_we_refresh && !supports_timer (sip))
    /* A peer that knows nothing of timers answers our refreshes without
     * one; we chose to refresh for it (RFC 4028 §9), so the interval
     * simply starts again. */
    restart (session, session->st_interval, TRUE);
  else
    /* No Session-Expires: no timer, even mid-dialog (§7.2). */
    restart (session, 0, FALSE);
}

/* ---- configuration --------------------------------------------------------------------- */

/* Test-only: SIPSERVLET_TEST_SHORT_SESSION_TIMERS=1 in the environment
 * allows intervals from 2 s, so refresh and expiry tests take seconds. */
static guint
floor_seconds (void)
{
  return g_strcmp0 (g_getenv ("SIPSERVLET_TEST_SHORT_SESSION_TIMERS"), "1") == 0
             ? 2
             : SIPSV_RFC4028_MIN_SE;
}

gboolean
sipsv_ua_timer_configure (SipsvRuntime *runtime, guint session_expires, guint min_se,
                          GError **error)
{
  guint floor = floor_seconds ();
  if (session_expires == 0)
    {
      runtime->session_expires = 0;
      runtime->min_se = 0;
      return TRUE;
    }
  if (min_se < floor || session_expires < min_se || session_expires > 3600u * 24)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "session timers need %u <= Min-SE (%u) <= Session-Expires (%u) <= 86400",
                   floor, min_se, session_expires);
      return FALSE;
    }
  runtime->session_expires = session_expires;
  runtime->min_se = min_se;
  return TRUE;
}
