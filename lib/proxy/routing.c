/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - proxy routing: recognising our own URIs, popping the
 * Route that names us (RFC 3261 §16.4, strict routers included),
 * stateless forwarding of ACK for 2xx and of late 2xx retransmissions, and
 * the table of record-routed dialogs. */
#include "config-private.h"

#include <stdlib.h>
#include <string.h>

#include "format-private.h"
#include "key-hash-private.h"
#include "proxy/proxy-private.h"

char *
sipsv_proxy_pop_route (SipContainer *container, msg_t *msg, sip_t *sip)
{
  char *popped = NULL;

  if (sip->sip_route == NULL)
    return NULL;
  /* A Request-URI of ours with a first Route of ours is loose routing to
   * us (a phone whose outbound proxy is also its registrar): the Route
   * goes, the Request-URI stays (its credentials were computed over it). */
  if (sipsv_stack_url_is_self (&sipsv_runtime (container)->stack, sip->sip_request->rq_url)
      && !sipsv_stack_url_is_self (&sipsv_runtime (container)->stack, sip->sip_route->r_url))
    {
      /* A strict router upstream put our Record-Route URI in the
       * Request-URI: the real target is the last Route (RFC 3261 §16.4). */
      sip_route_t *last = sip->sip_route;
      while (last->r_next != NULL)
        last = last->r_next;
      popped = sipsv_stack_url_text (sip->sip_request->rq_url);
      sip_request_t *rq = sip_request_create (msg_home (msg), sip->sip_request->rq_method,
                                              sip->sip_request->rq_method_name,
                                              (url_string_t *) last->r_url, NULL);
      msg_header_remove (msg, (msg_pub_t *) sip, (msg_header_t *) last);
      msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_request,
                          (msg_header_t *) rq);
      return popped;
    }
  if (sipsv_stack_url_is_self (&sipsv_runtime (container)->stack, sip->sip_route->r_url))
    {
      gboolean r2 = sipsv_stack_url_has_param (sip->sip_route->r_url, "r2");
      popped = sipsv_stack_url_text (sip->sip_route->r_url);
      sip_route_remove (msg, sip);
      /* The other half of our double Record-Route (RFC 5658). */
      if (r2 && sip->sip_route != NULL && sipsv_stack_url_has_param (sip->sip_route->r_url, "r2")
          && sipsv_stack_url_is_self (&sipsv_runtime (container)->stack, sip->sip_route->r_url))
        sip_route_remove (msg, sip);
    }
  return popped;
}

/* Decrements Max-Forwards; FALSE when it was already 0. */
static gboolean
decrement_max_forwards (msg_t *msg, sip_t *sip)
{
  unsigned long count = sip->sip_max_forwards ? sip->sip_max_forwards->mf_count : 70;
  if (count == 0)
    return FALSE;
  sip_max_forwards_t *mf = sipsv_max_forwards_new (msg_home (msg), count - 1);
  msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_max_forwards,
                      (msg_header_t *) mf);
  return TRUE;
}

/* The route to hand NTA for a request forwarded as it is: with no Route
 * header, the Request-URI itself. NTA sends to the same place either way,
 * but without an explicit route it marks the request line as changed, so
 * every forwarded request had its received request line formatted again
 * (about 5,000 instructions each, measured with callgrind). With a Route
 * header NTA picks the route itself: NULL. */
const url_string_t *
sipsv_proxy_route_hint (sip_t const *sip)
{
  return sip->sip_route == NULL ? (const url_string_t *) sip->sip_request->rq_url : NULL;
}

void
sipsv_proxy_forward_stateless (SipContainer *container, msg_t *msg, sip_t *sip)
{
  const url_t *next = sip->sip_route ? sip->sip_route->r_url : sip->sip_request->rq_url;

  /* To ourselves: the next application of a composed dialog (its
   * Record-Route, or a UAS application's Contact), delivered in process.
   * Each such delivery pops a Route of ours or ends at a UAS (dispatch.c),
   * so it cannot loop. */
  if (sipsv_stack_url_is_self (&sipsv_runtime (container)->stack, next))
    {
      sipsv_stack_deliver_local (&sipsv_runtime (container)->stack, msg, NULL, NULL);
      return;
    }
  if (!decrement_max_forwards (msg, sip))
    {
      msg_destroy (msg);
      return;
    }
  sipsv_stack_forward (&sipsv_runtime (container)->stack, msg, sipsv_proxy_route_hint (sip));
}

void
sipsv_proxy_forward_stray_response (SipContainer *container, msg_t *msg, sip_t *sip)
{
  /* RFC 3261 §16.7 step 4 / §16.11: a 2xx retransmission after the client
   * transaction ended is forwarded statelessly; anything else is dropped.
   * sofia asserts when no transport exists for the next Via's protocol. */
  sip_via_t const *next = sip->sip_via ? sip->sip_via->v_next : NULL;
  if (sip->sip_status == NULL || sip->sip_status->st_status < 200
      || sip->sip_status->st_status >= 300 || next == NULL
      || tport_by_protocol (nta_agent_tports (sipsv_runtime (container)->stack.agent),
                            next->v_protocol)
             == NULL)
    {
      msg_destroy (msg);
      return;
    }
  sipsv_stack_forward (&sipsv_runtime (container)->stack, msg, NULL);
}

char *
sipsv_proxy_dialog_key (char *buf, gsize size, const char *call_id, const char *tag_a,
                        const char *tag_b, guint depth)
{
  char digits[24];

  /* Requests travel both ways: order the tags so both directions match. */
  if (tag_a == NULL)
    tag_a = "";
  if (tag_b == NULL)
    tag_b = "";
  if (strcmp (tag_a, tag_b) > 0)
    {
      const char *t = tag_a;
      tag_a = tag_b;
      tag_b = t;
    }
  const char *parts[] = { "proxy", call_id, tag_a, tag_b,
                          depth > 0 ? sipsv_format_uint (digits, depth) : NULL };
  return sipsv_key_join (buf, size, parts, depth > 0 ? 5 : 4);
}

SipSession *
sipsv_proxy_lookup_session (SipContainer *container, sip_t const *sip, const char *popped)
{
  guint depth = 0;
  const char *param = popped != NULL ? strstr (popped, ";" SIPSV_HOP_PARAM "=") : NULL;
  if (param != NULL)
    depth = (guint) MIN (g_ascii_strtoull (param + strlen (";" SIPSV_HOP_PARAM "="), NULL, 10),
                         G_MAXUINT);
  char buf[SIPSV_KEY_BUF];
  char *key = sipsv_proxy_dialog_key (buf, sizeof buf, sip->sip_call_id->i_id,
                                      sip->sip_from->a_tag, sip->sip_to->a_tag, depth);
  SipSession *session = g_hash_table_lookup (sipsv_runtime (container)->sessions.dialogs, key);
  if (key != buf)
    g_free (key);
  return session;
}

void
sipsv_proxy_register_session (SipSession *session, const char *call_id,
                              const char *tag_a, const char *tag_b, guint depth)
{
  if (session->dialog_key != NULL || session->manager == NULL || !session->valid)
    return;
  session->dialog_key = sipsv_proxy_dialog_key (NULL, 0, call_id, tag_a, tag_b, depth);
  g_hash_table_insert (session->manager->dialogs, session->dialog_key, session);
}
