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
void sipsv_uas_receive_ack (SipContainer *container, SipSession *session, msg_t *msg);

/* UAC: client-call.c, a request sent with a callback of its own. */
typedef struct _SipsvClientCall SipsvClientCall;
void sipsv_client_call_saw_provisional (SipServletRequest *request);
void sipsv_client_call_on_response (SipServletRequest *request, SipServletResponse *response,
                                    guint status);
void sipsv_client_call_on_forked_2xx (SipServletRequest *request, SipServletResponse *response);
void sipsv_client_call_abandon (SipServletRequest *request);

/* UAC */
SipServletRequest *sipsv_uac_new_request (SipContainer *container, SipSession *session,
                                          msg_t *msg);
/* Our Contact: the first listening point, or the one a request came in on. */
