/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: the fake peer's sending and receiving as Check assertions,
 * for the in-process suites (a failed send, or nothing arriving within
 * PEER_WAIT_MS, fails the test at the caller's line).
 *
 * Header only (static inline); include it after check-main.h.
 */
#pragma once

#include <check.h>
#include <string.h>

#include "fake-peer.h"

#define PEER_WAIT_MS 5000

/* Sends raw SIP text over @transport. */
static inline void
peer_send_over (FakePeer *peer, FakeTransport transport, const char *text)
{
  GError *error = NULL;
  ck_assert_msg (fake_peer_send (peer, transport, text, &error), "send over %s: %s",
                 fake_peer_transport_name (transport), error ? error->message : "");
}

/* Sends raw SIP text over UDP. */
static inline void
peer_send (FakePeer *peer, const char *text)
{
  peer_send_over (peer, FAKE_UDP, text);
}

/* The next message other than 100 Trying. */
static inline FakeMessage *
peer_next (FakePeer *peer)
{
  FakeMessage *m = fake_peer_wait_final_or_provisional (peer, PEER_WAIT_MS);
  ck_assert_msg (m != NULL, "nothing arrived");
  return m;
}

/* The next message, which must be a request of @method. */
static inline FakeMessage *
peer_next_request (FakePeer *peer, const char *method)
{
  FakeMessage *m = peer_next (peer);
  ck_assert_msg (m->is_request && strcmp (m->method, method) == 0, "expected %s, got:\n%s",
                 method, m->raw);
  return m;
}

/* The next message, which must be a response @status. */
static inline FakeMessage *
peer_next_response (FakePeer *peer, guint status)
{
  FakeMessage *m = peer_next (peer);
  ck_assert_msg (!m->is_request && m->status == status, "expected %u, got:\n%s", status, m->raw);
  return m;
}

/* The next message, which must be a response @status to a @cseq_method
 * request. */
static inline FakeMessage *
peer_next_response_to (FakePeer *peer, guint status, const char *cseq_method)
{
  FakeMessage *m = fake_peer_wait_final_or_provisional (peer, PEER_WAIT_MS);
  ck_assert_msg (m != NULL, "nothing arrived (expected %u to %s)", status, cseq_method);
  char *method = m->is_request ? NULL : fake_cseq_method (m);
  ck_assert_msg (!m->is_request && m->status == status && g_strcmp0 (method, cseq_method) == 0,
                 "expected %u to %s, got:\n%s", status, cseq_method, m->raw);
  g_free (method);
  return m;
}

/* A loopback TCP port that refuses connections: bound, then closed, so
 * nobody listens on it (a target the transaction layer cannot reach). */
static inline guint16
closed_tcp_port (void)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                             NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *any = g_inet_socket_address_new (lo, 0);
  ck_assert (g_socket_bind (s, any, FALSE, NULL));
  GSocketAddress *bound = g_socket_get_local_address (s, NULL);
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (any);
  g_object_unref (lo);
  g_object_unref (s);
  return port;
}
