/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a fake SIP peer that speaks raw SIP text over a loopback
 * UDP socket and a TCP connection, driven by the GMainContext of the
 * container under test.
 *
 * The peer attaches its socket sources to the given context, so waiting
 * for a message is just iterating that context (which also runs the
 * container) until something arrives or a deadline passes. Nothing here
 * knows libsipservlet: the peer only sees the bytes on the wire.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FAKE_UDP,
  FAKE_TCP,
} FakeTransport;

/* One message as received: start line, headers in order (compact names
 * expanded), body. */
typedef struct {
  FakeTransport transport;
  char *raw;
  gboolean is_request;
  guint status;          /* responses */
  char *reason;          /* responses */
  char *method;          /* requests */
  char *request_uri;     /* requests */
  GPtrArray *names;      /* header names, full form */
  GPtrArray *values;     /* header values, same order */
  char *body;
  gsize body_length;
  gint64 received_at;    /* g_get_monotonic_time() */
} FakeMessage;

typedef struct _FakePeer FakePeer;

FakePeer *fake_peer_new (GMainContext *context, const char *server_host,
                         guint16 server_port, GError **error);
void fake_peer_free (FakePeer *peer);

/* The local port of the UDP socket, or of the TCP connection (0 when not
 * connected yet). */
guint16 fake_peer_get_port (FakePeer *peer, FakeTransport transport);
const char *fake_peer_transport_name (FakeTransport transport);

/* Opens the TCP connection to the server now (fake_peer_send() does it
 * on first use); reconnects when the server closed it. */
gboolean fake_peer_connect_tcp (FakePeer *peer, GError **error);

/* Sends raw text to the server (the TCP connection is opened on first
 * use). */
gboolean fake_peer_send (FakePeer *peer, FakeTransport transport, const char *text,
                         GError **error);

/* Iterates the context until a message is queued or @timeout_ms passes;
 * returns the oldest one (free with fake_message_free()) or NULL. */
FakeMessage *fake_peer_wait (FakePeer *peer, guint timeout_ms);

/* Like fake_peer_wait() but skips 100 Trying responses. */
FakeMessage *fake_peer_wait_final_or_provisional (FakePeer *peer, guint timeout_ms);

/* Iterates the context for @ms milliseconds, queueing what arrives. */
void fake_peer_run (FakePeer *peer, guint ms);

/* Iterates until @done returns TRUE or @timeout_ms passes; returns the last
 * value of @done. */
gboolean fake_peer_run_until (FakePeer *peer, gboolean (*done) (gpointer data), gpointer data,
                              guint timeout_ms);

/* Number of queued messages; fake_peer_pop() takes the oldest one without
 * iterating. */
guint fake_peer_pending (FakePeer *peer);
FakeMessage *fake_peer_pop (FakePeer *peer);

/* Builds the text of a response to @request: every Via, From, To (with
 * @to_tag added when it has none), Call-ID and CSeq copied, then
 * @extra_headers ("Name: value\r\n" lines, may be NULL) and
 * Content-Length: 0. */
char *fake_peer_build_response (const FakeMessage *request, guint status, const char *reason,
                                const char *to_tag, const char *extra_headers);

void fake_message_free (FakeMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeMessage, fake_message_free)

/* The first header called @name (case-insensitive, full name), or NULL. */
const char *fake_message_header (const FakeMessage *message, const char *name);
guint fake_message_count_headers (const FakeMessage *message, const char *name);

/* Every element of the headers called @name, in the order they travel:
 * header lines top to bottom, each split at the commas that separate
 * values (not those inside <...> or quotes), trimmed. NULL-terminated;
 * g_strfreev() it. */
char **fake_message_header_elements (const FakeMessage *message, const char *name);

/* The value of parameter @param ("tag", "branch") in a header value, ""
 * for a flag, NULL when absent. g_free() it. Parameters inside <...> are
 * not looked at. */
char *fake_header_param (const char *value, const char *param);

/* The URI of a name-addr (between < and >) or of an addr-spec. */
char *fake_header_uri (const char *value);

/* The method of a CSeq value ("1 INVITE" -> "INVITE"). */
char *fake_cseq_method (const FakeMessage *message);

G_END_DECLS
