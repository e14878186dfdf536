/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipsvHop: a request one application sends to the next
 * one of this process (JSR 289 §15 composition), and what comes back.
 *
 * The upstream side (a proxy branch) holds the hop where it would hold a
 * client transaction; the downstream side is the request the next
 * application receives, with the hop where it would have a server
 * transaction. Nothing crosses a socket: the request enters the
 * container's message callback through sipsv_stack_deliver_local(), and
 * responses and CANCEL come back as messages of their own. Every crossing
 * goes through the runtime's work queue, so that one application's
 * callback never runs inside another's, and in order.
 */
#include "config-private.h"

#include "runtime/runtime-private.h"

typedef enum { HOP_REQUEST, HOP_RESPONSE, HOP_CANCEL } HopWorkKind;

typedef struct {
  SipsvHop *hop;                /* a reference */
  HopWorkKind kind;
  msg_t *msg;                   /* request or response, owned; NULL for CANCEL */
  char *reason;                 /* CANCEL's Reason header value, or NULL */
} HopWork;

static void downstream_finalize (gpointer data);

static const SipsvRequestRole downstream_role = {
  .finalize = downstream_finalize,
};

SipsvHop *
sipsv_hop_new (SipsvRuntime *runtime, SipServletRequest *from, guint depth, tport_t *primary,
               SipsvHopResponse on_response, gpointer client)
{
  SipsvHop *hop = g_new0 (SipsvHop, 1);

  g_atomic_ref_count_init (&hop->ref_count);
  hop->runtime = runtime;
  hop->on_response = on_response;
  hop->client = client;
  hop->primary = primary;
  hop->depth = depth;
  hop->source_tls = from != NULL && from->base.source_tls;
  if (from != NULL && from->base.has_source)
    {
      /* getRemoteAddr() of the next application: the caller's address. */
      hop->has_source = TRUE;
      hop->source_tcp = from->base.source_tcp;
      hop->source = from->base.source;
    }
  hop->remote_user = from != NULL ? g_strdup (from->base.remote_user) : NULL;
  return hop;
}

SipsvHop *
sipsv_hop_ref (SipsvHop *hop)
{
  g_atomic_ref_count_inc (&hop->ref_count);
  return hop;
}

void
sipsv_hop_unref (SipsvHop *hop)
{
  if (hop == NULL || !g_atomic_ref_count_dec (&hop->ref_count))
    return;
  if (hop->routing_free != NULL)
    hop->routing_free (hop->routing);
  g_free (hop->remote_user);
  g_free (hop);
}

void
sipsv_hop_set_routing (SipsvHop *hop, gpointer routing, GDestroyNotify routing_free)
{
  hop->routing = routing;
  hop->routing_free = routing_free;
}

/* An answer the container made without a request object (a 404, the 500
 * of a failed router): it goes upstream like any response. */
static void
on_local_reply (gpointer data, msg_t *response)
{
  sipsv_hop_respond (data, response);
}

static void
run (gpointer data)
{
  HopWork *work = data;
  SipsvHop *hop = work->hop;
  SipsvStack *stack = &hop->runtime->stack;

  switch (work->kind)
    {
    case HOP_REQUEST:
      sipsv_stack_deliver_local (stack, g_steal_pointer (&work->msg), on_local_reply, hop);
      break;
    case HOP_RESPONSE:
      if (hop->on_response != NULL)
        hop->on_response (hop->client, g_steal_pointer (&work->msg));
      break;
    case HOP_CANCEL:
      {
        SipServletRequest *request = hop->downstream;
        if (request == NULL || request->final_sent || request->cancelled)
          break;
        msg_t *cancel = sipsv_stack_cancel_for (stack, request->base.msg, work->reason);
        if (cancel != NULL)
          sipsv_stack_deliver_local (stack, cancel, NULL, hop);
        break;
      }
    }
  if (work->msg != NULL)
    msg_destroy (work->msg);
  g_free (work->reason);
  sipsv_hop_unref (hop);
  g_free (work);
}

static void
queue (SipsvHop *hop, HopWorkKind kind, msg_t *msg, const char *reason)
{
  HopWork *work = g_new0 (HopWork, 1);
  work->hop = sipsv_hop_ref (hop);
  work->kind = kind;
  work->msg = msg;
  work->reason = g_strdup (reason);
  sipsv_runtime_defer (hop->runtime, run, work);
}

void
sipsv_hop_send (SipsvHop *hop, msg_t *msg)
{
  queue (hop, HOP_REQUEST, msg, NULL);
}

void
sipsv_hop_respond (SipsvHop *hop, msg_t *response)
{
  if (hop->on_response == NULL)
    {
      msg_destroy (response);
      return;
    }
  queue (hop, HOP_RESPONSE, response, NULL);
}

void
sipsv_hop_cancel (SipsvHop *hop, const char *reason)
{
  queue (hop, HOP_CANCEL, NULL, reason);
}

void
sipsv_hop_close (SipsvHop *hop)
{
  hop->on_response = NULL;
  hop->client = NULL;
  sipsv_hop_unref (hop);
}

static void
upstream_finalize (gpointer data)
{
  sipsv_hop_close (data);
}

const SipsvRequestRole sipsv_hop_upstream_role = {
  .finalize = upstream_finalize,
};

SipsvHop *
sipsv_hop_of (SipsvRuntime *runtime, msg_t *msg)
{
  return sipsv_stack_local_data (&runtime->stack, msg);
}

void
sipsv_hop_attach (SipsvHop *hop, SipServletRequest *request)
{
  g_return_if_fail (hop->downstream == NULL);
  request->hop = sipsv_hop_ref (hop);
  request->hop_role = &downstream_role;
  request->depth = hop->depth;
  request->base.source_tls = hop->source_tls;
  request->base.has_source = hop->has_source;
  request->base.source_tcp = hop->source_tcp;
  request->base.source = hop->source;
  hop->downstream = request;
}

static void
downstream_finalize (gpointer data)
{
  SipsvHop *hop = data;
  SipServletRequest *request = hop->downstream;

  if (request != NULL && !request->final_sent && !request->cancelled)
    {
      /* As a server transaction dropped unanswered (lib/message/message.c). */
      g_warning ("%s %s was dropped without a final response: answering 500",
                 request->base.sip->sip_request->rq_method_name,
                 request->base.sip->sip_call_id->i_id);
      msg_t *response = sipsv_stack_response_to (&hop->runtime->stack, request->base.msg, 500,
                                                 "Request Not Answered");
      if (response != NULL)
        sipsv_hop_respond (hop, response);
    }
  hop->downstream = NULL;
  sipsv_hop_unref (hop);
}
