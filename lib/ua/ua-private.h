/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - user-agent roles on top of NTA in proxy mode.
 *
 * uas.c: responses to incoming requests, the session state they drive,
 * 2xx retransmission until ACK (timers G/H, the agent runs with
 * NTATAG_UA(0)), CANCEL handling (200 by NTA, 487 and do_cancel here).
 * uac.c: sending requests, delivering their responses, ACK for 2xx and
 * its re-sending when the 2xx is retransmitted, CANCEL, in-dialog requests.
 */
#pragma once

#include "runtime/runtime-private.h"

/* UAS */
SipServletRequest *sipsv_uas_accept (SipContainer *container, msg_t *msg, sip_t *sip,
                                     SipSession *session, gboolean initial);
/* Answers a request with a response the container makes itself (a JSR 289
 * default, a 487, a 483...); FALSE, with a warning, when it cannot. */
gboolean sipsv_uas_answer (SipServletRequest *request, guint status, const char *reason);
SipServletResponse *sipsv_uas_build_response (SipServletRequest *request, guint status,
                                              const char *reason);
void sipsv_uas_request_done (SipServletRequest *request);
/* Sends upstream a response made elsewhere (a proxy branch's); takes msg. */
gboolean sipsv_uas_send_relayed (SipServletRequest *request, msg_t *msg, guint status);
void sipsv_uas_apply_default (SipServletRequest *request);
/* The caller cancelled request (an INVITE still pending): JSR 289
 * §11.2.3, 487 (or the proxy fans the CANCEL out), then the servlet's
 * doCancel with the CANCEL (taken; may be NULL). */
void sipsv_uas_cancelled (SipServletRequest *request, msg_t *cancel_msg);
void sipsv_uas_receive_ack (SipContainer *container, SipSession *session, msg_t *msg);

/* Does a Supported, Require or Allow list name the tag (any case)? */
static inline gboolean
sipsv_lists_option (msg_list_t const *list, const char *tag)
{
  for (; list != NULL; list = list->k_next)
    for (int i = 0; list->k_items && list->k_items[i]; i++)
      if (g_ascii_strcasecmp (list->k_items[i], tag) == 0)
        return TRUE;
  return FALSE;
}

/* RFC 4028 session timers, session-timer.c. */
gboolean sipsv_ua_timer_configure (SipsvRuntime *runtime, guint session_expires,
                                   guint min_se, GError **error);
/* 422 for an INVITE or UPDATE asking less than our Min-SE; TRUE if sent. */
gboolean sipsv_ua_timer_reject_brief (SipsvRuntime *runtime, msg_t *msg, sip_t const *sip);
/* A received request: notes its SDP, and answers it when it is only a
 * refresh (TRUE: the servlet must not see it). */
gboolean sipsv_ua_timer_on_request (SipServletRequest *request);
void sipsv_ua_timer_note_sdp (SipSession *session, sip_t const *sip, gboolean sent);
void sipsv_ua_timer_decorate_request (SipServletRequest *request);
void sipsv_ua_timer_decorate_response (SipServletRequest *request, msg_t *msg,
                                       guint status);
void sipsv_ua_timer_response_sent (SipServletRequest *request,
                                   SipServletResponse *response, guint status);
/* A 422 to our request: TRUE if it was sent again with the peer's Min-SE. */
gboolean sipsv_ua_timer_retry (SipServletRequest *request, sip_t const *sip);
void sipsv_ua_timer_response_received (SipServletRequest *request, sip_t const *sip,
                                       guint status);

/* client-auth.c: a 401/407 (@sip) to a request sent with a callback and
 * sipservlet_request_set_auth_info(): sends it once more with the next
 * CSeq and credentials (sipsv_uac_resend()). TRUE when it went out again
 * (the challenge is swallowed); FALSE to deliver it (no credentials, not
 * the first challenge, or the resend failed). */
gboolean sipsv_ua_auth_retry (SipServletRequest *request, sip_t const *sip, guint status);

/* Ending dialogs, terminate.c; the requests are the container's own. */
gboolean sipsv_ua_send_bye (SipSession *session, GError **error);
gboolean sipsv_ua_send_cancel (SipServletRequest *invite, GError **error);
gboolean sipsv_ua_send_ack (SipServletResponse *response, GError **error);
gboolean sipsv_ua_ack_and_bye (SipServletResponse *response, GError **error);
/* A proxied dialog: lib/proxy/terminate.c. */
gboolean sipsv_proxy_terminate (SipSession *session, GError **error);

/* subscription.c: dialog usages (RFC 5057). A NOTIFY (received and
 * answered 2xx, or sent and answered 2xx) starts or, with
 * Subscription-State: terminated, ends the subscription of its Event; the
 * dialog ends with its last usage. */
void sipsv_ua_subscription_notified (SipSession *session, sip_t const *notify);
/* A NOTIFY whose dialog is unknown: the subscriber session still waiting
 * for its SUBSCRIBE's (or REFER's) final response, which the NOTIFY now
 * establishes (RFC 6665 §4.1.2.4); NULL when there is none. */
SipSession *sipsv_ua_session_from_notify (SipContainer *container, msg_t *msg, sip_t const *sip);

/* unwanted-2xx.c: the 2xx of a dialog no session may have (another fork's
 * after the INVITE's session or application session died): ACK it, and
 * end the dialog with BYE once (RFC 3261 §13.2.2.4). msg is not taken. */
void sipsv_uac_refuse_2xx (SipContainer *container, msg_t *msg);
/* A response that matched no transaction: TRUE, msg taken, when it was a
 * 2xx to one of our INVITEs whose dialog no valid session has (its
 * transaction ended with the session), handled as above. */
gboolean sipsv_uac_stray_2xx (SipContainer *container, msg_t *msg, sip_t const *sip);

/* UAC: client-call.c, a request sent with a callback of its own. */
typedef struct _SipsvClientCall SipsvClientCall;
void sipsv_client_call_saw_provisional (SipServletRequest *request);
void sipsv_client_call_on_response (SipServletRequest *request, SipServletResponse *response,
                                    guint status);
void sipsv_client_call_on_forked_2xx (SipServletRequest *request, SipServletResponse *response);
void sipsv_client_call_abandon (SipServletRequest *request);

/* UAC */
/* A copy of a sent request to send again (after 422, 401, 407): the next
 * CSeq of its session, without the Via NTA added. */
msg_t *sipsv_uac_next_copy (SipServletRequest *request);
/* Sends the request again as msg (taken), in a new client transaction. */
gboolean sipsv_uac_resend (SipServletRequest *request, msg_t *msg);
SipServletRequest *sipsv_uac_new_request (SipContainer *container, SipSession *session,
                                          msg_t *msg);
/* The first request of a new UAC session copied from a received initial
 * request (a B2BUA's other leg): its method, Request-URI, From with a tag
 * of ours and To without the peer's, as sofia parsed them; the rest is
 * SipFactory.createRequest's. */
SipServletRequest *sipsv_uac_create_leg (SipContainer *container, SipApplicationSession *app,
                                         sip_t const *original, GError **error);
/* Our Contact: the first listening point, or the one a request came in on. */
