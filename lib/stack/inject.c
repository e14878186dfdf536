/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - stack glue: a datagram delivered without a socket read.
 *
 * For tests that feed the receive path bytes of their own (the fuzz target
 * tests/fuzz/fuzz-receive.c): the bytes go where tport's UDP receive would
 * put them, and from there the path is the one every datagram takes
 * (sofia's parser, NTA, the container's message callback). */
#include "config-private.h"

#include <string.h>

#include "stack/stack-private.h"

/* sofia's own receive steps, exported by libsofia-sip-ua but declared only
 * in its uninstalled tport_internal.h (the same in 1.12.11 and 1.13):
 * a message with room for N bytes as a tport allocates it, and the hand
 * over of a parsed message to the agent. */
extern ssize_t tport_recv_iovec (tport_t const *self, msg_t **in_out_msg,
                                 msg_iovec_t iovec[msg_n_fragments], size_t n, int exact);
extern void tport_deliver (tport_t *self, msg_t *msg, msg_t *next, void *compressor,
                           su_time_t now);

gboolean
sipsv_stack_inject_datagram (SipsvStack *stack, const void *data, gsize length,
                             const struct sockaddr *from, gsize from_length)
{
  tport_t *tp = tport_by_protocol (tport_primaries (nta_agent_tports (stack->agent)), "udp");
  msg_iovec_t iovec[msg_n_fragments];
  msg_t *msg = NULL;
  const char *bytes = data;
  gsize copied = 0;

  g_return_val_if_fail (length > 0 && from_length <= sizeof (su_sockaddr_t), FALSE);
  if (tp == NULL)
    return FALSE;
  ssize_t n = tport_recv_iovec (tp, &msg, iovec, length, 1);
  if (n < 0)
    return FALSE;
  for (ssize_t i = 0; i < n && copied < length; i++)
    {
      gsize chunk = MIN ((gsize) iovec[i].mv_len, length - copied);
      memcpy (iovec[i].mv_base, bytes + copied, chunk);
      copied += chunk;
    }
  su_addrinfo_t *ai = msg_addrinfo (msg);
  memcpy (ai->ai_addr, from, from_length);
  ai->ai_addrlen = (socklen_t) from_length;
  msg_recv_commit (msg, copied, 1);

  /* As tport parses a datagram: all of it is there, so a message the
   * parser finds incomplete is an error. */
  if (msg_extract (msg) == 0)
    msg_mark_as_complete (msg, MSG_FLG_ERROR);

  /* As if sofia's source dispatched it (see dispatch_then_deferred_work()
   * in stack.c): the container's deferred work runs right after. */
  stack->dispatching = TRUE;
  tport_deliver (tp, msg, NULL, NULL, su_now ());
  if (stack->after_dispatch != NULL)
    stack->after_dispatch (stack->after_dispatch_data);
  stack->dispatching = FALSE;
  return TRUE;
}
