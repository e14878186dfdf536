/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test support: a fake SIP peer on loopback sockets (see fake-peer.h). */
#include "fake-peer.h"

#include <gio/gio.h>
#include <string.h>

struct _FakePeer {
  GMainContext *context;
  GSocketAddress *server;
  GSocket *udp;
  GSource *udp_source;
  GSocket *tcp;
  GSource *tcp_source;
  GByteArray *tcp_buffer;
  gboolean tcp_closed;
  GQueue queue;
};

/* ---- parsing ------------------------------------------------------------ */

static const struct {
  char compact;
  const char *full;
} compact_names[] = {
  { 'v', "Via" }, { 'f', "From" }, { 't', "To" }, { 'i', "Call-ID" },
  { 'm', "Contact" }, { 'l', "Content-Length" }, { 'c', "Content-Type" },
  { 'k', "Supported" }, { 's', "Subject" }, { 'e', "Content-Encoding" },
};

static char *
full_name (const char *name)
{
  if (strlen (name) == 1)
    for (guint i = 0; i < G_N_ELEMENTS (compact_names); i++)
      if (g_ascii_tolower (name[0]) == compact_names[i].compact)
        return g_strdup (compact_names[i].full);
  return g_strdup (name);
}

void
fake_message_free (FakeMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->raw);
  g_free (message->reason);
  g_free (message->method);
  g_free (message->request_uri);
  g_ptr_array_unref (message->names);
  g_ptr_array_unref (message->values);
  g_free (message->body);
  g_free (message);
}

/* Parses one complete message (head and body). NULL when unparseable. */
static FakeMessage *
parse_message (const char *data, gsize length, FakeTransport transport)
{
  const char *end = g_strstr_len (data, length, "\r\n\r\n");
  if (end == NULL)
    return NULL;

  FakeMessage *m = g_new0 (FakeMessage, 1);
  m->transport = transport;
  m->raw = g_strndup (data, length);
  m->names = g_ptr_array_new_with_free_func (g_free);
  m->values = g_ptr_array_new_with_free_func (g_free);
  m->received_at = g_get_monotonic_time ();

  char *head = g_strndup (data, end - data);
  char **lines = g_strsplit (head, "\r\n", -1);
  g_free (head);

  char **start = g_strsplit (lines[0], " ", 3);
  if (g_strv_length (start) < 3)
    {
      g_strfreev (start);
      g_strfreev (lines);
      fake_message_free (m);
      return NULL;
    }
  if (g_str_has_prefix (start[0], "SIP/"))
    {
      m->status = (guint) g_ascii_strtoull (start[1], NULL, 10);
      m->reason = g_strdup (start[2]);
    }
  else
    {
      m->is_request = TRUE;
      m->method = g_strdup (start[0]);
      m->request_uri = g_strdup (start[1]);
    }
  g_strfreev (start);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      if ((line[0] == ' ' || line[0] == '\t') && m->values->len > 0)
        {
          /* Folded line: append to the previous value. */
          guint last = m->values->len - 1;
          char *joined = g_strconcat (m->values->pdata[last], " ", g_strstrip (g_strdup (line)), NULL);
          g_free (m->values->pdata[last]);
          m->values->pdata[last] = joined;
          continue;
        }
      const char *colon = strchr (line, ':');
      if (colon == NULL)
        continue;
      char *name = g_strstrip (g_strndup (line, colon - line));
      char *value = g_strstrip (g_strdup (colon + 1));
      g_ptr_array_add (m->names, full_name (name));
      g_ptr_array_add (m->values, value);
      g_free (name);
    }
  g_strfreev (lines);

  const char *body = end + 4;
  m->body_length = length - (gsize) (body - data);
  m->body = g_strndup (body, m->body_length);
  return m;
}

const char *
fake_message_header (const FakeMessage *message, const char *name)
{
  for (guint i = 0; i < message->names->len; i++)
    if (g_ascii_strcasecmp (message->names->pdata[i], name) == 0)
      return message->values->pdata[i];
  return NULL;
}

guint
fake_message_count_headers (const FakeMessage *message, const char *name)
{
  guint n = 0;
  for (guint i = 0; i < message->names->len; i++)
    if (g_ascii_strcasecmp (message->names->pdata[i], name) == 0)
      {
        /* A comma-separated Via counts each element. */
        if (g_ascii_strcasecmp (name, "Via") == 0)
          {
            const char *v = message->values->pdata[i];
            n++;
            for (; *v; v++)
              n += *v == ',';
          }
        else
          n++;
      }
  return n;
}

char **
fake_message_header_elements (const FakeMessage *message, const char *name)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < message->names->len; i++)
    {
      if (g_ascii_strcasecmp (message->names->pdata[i], name) != 0)
        continue;
      const char *v = message->values->pdata[i];
      const char *start = v;
      gboolean in_angle = FALSE, in_quote = FALSE;
      for (const char *c = v;; c++)
        {
          if (*c == '\0' || (*c == ',' && !in_angle && !in_quote))
            {
              g_ptr_array_add (out, g_strstrip (g_strndup (start, (gsize) (c - start))));
              if (*c == '\0')
                break;
              start = c + 1;
            }
          else if (*c == '"')
            in_quote = !in_quote;
          else if (*c == '<' && !in_quote)
            in_angle = TRUE;
          else if (*c == '>' && !in_quote)
            in_angle = FALSE;
        }
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char *
fake_header_param (const char *value, const char *param)
{
  if (value == NULL)
    return NULL;
  const char *gt = strrchr (value, '>');
  const char *p = gt != NULL ? gt + 1 : value;
  gsize plen = strlen (param);

  while ((p = strchr (p, ';')) != NULL)
    {
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      if (g_ascii_strncasecmp (p, param, plen) == 0
          && (p[plen] == '=' || p[plen] == ';' || p[plen] == '\0' || p[plen] == ' '
              || p[plen] == ','))
        {
          if (p[plen] != '=')
            return g_strdup ("");
          const char *v = p + plen + 1;
          gsize n = strcspn (v, ";, \t");
          return g_strndup (v, n);
        }
    }
  return NULL;
}

char *
fake_header_uri (const char *value)
{
  if (value == NULL)
    return NULL;
  const char *lt = strchr (value, '<');
  if (lt != NULL)
    {
      const char *gt = strchr (lt, '>');
      return gt != NULL ? g_strndup (lt + 1, gt - lt - 1) : NULL;
    }
  return g_strndup (value, strcspn (value, "; \t"));
}

char *
fake_cseq_method (const FakeMessage *message)
{
  const char *cseq = fake_message_header (message, "CSeq");
  if (cseq == NULL)
    return NULL;
  const char *space = strchr (cseq, ' ');
  return space != NULL ? g_strstrip (g_strdup (space + 1)) : NULL;
}

char *
fake_peer_build_response (const FakeMessage *request, guint status, const char *reason,
                          const char *to_tag, const char *extra_headers)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "SIP/2.0 %u %s\r\n", status, reason);
  for (guint i = 0; i < request->names->len; i++)
    {
      const char *name = request->names->pdata[i];
      const char *value = request->values->pdata[i];
      if (g_ascii_strcasecmp (name, "Via") == 0 || g_ascii_strcasecmp (name, "From") == 0
          || g_ascii_strcasecmp (name, "Call-ID") == 0 || g_ascii_strcasecmp (name, "CSeq") == 0)
        g_string_append_printf (text, "%s: %s\r\n", name, value);
      else if (g_ascii_strcasecmp (name, "To") == 0)
        {
          char *tag = fake_header_param (value, "tag");
          if (tag == NULL && to_tag != NULL)
            g_string_append_printf (text, "To: %s;tag=%s\r\n", value, to_tag);
          else
            g_string_append_printf (text, "To: %s\r\n", value);
          g_free (tag);
        }
    }
  if (extra_headers != NULL)
    g_string_append (text, extra_headers);
  g_string_append (text, "Content-Length: 0\r\n\r\n");
  return g_string_free (text, FALSE);
}

/* ---- sockets --------------------------------------------------------- */

static void
enqueue (FakePeer *peer, FakeMessage *message)
{
  if (message != NULL)
    g_queue_push_tail (&peer->queue, message);
}

static gboolean
on_udp_readable (GSocket *socket, GIOCondition condition, gpointer data)
{
  FakePeer *peer = data;
  char buffer[70000];

  for (;;)
    {
      GError *error = NULL;
      gssize n = g_socket_receive_from (socket, NULL, buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          g_clear_error (&error);
          break;
        }
      enqueue (peer, parse_message (buffer, (gsize) n, FAKE_UDP));
    }
  return G_SOURCE_CONTINUE;
}

/* Cuts complete messages out of the TCP stream buffer. */
static void
split_stream (FakePeer *peer)
{
  GByteArray *buf = peer->tcp_buffer;

  for (;;)
    {
      /* Keep-alive CRLFs between messages. */
      guint skip = 0;
      while (skip + 1 < buf->len && buf->data[skip] == '\r' && buf->data[skip + 1] == '\n')
        skip += 2;
      if (skip > 0)
        g_byte_array_remove_range (buf, 0, skip);

      const char *data = (const char *) buf->data;
      const char *end = g_strstr_len (data, buf->len, "\r\n\r\n");
      if (end == NULL)
        return;
      gsize head_len = (gsize) (end - data) + 4;
      FakeMessage *head = parse_message (data, head_len, FAKE_TCP);
      if (head == NULL)
        {
          /* Unparseable: drop the head so the stream can recover. */
          g_byte_array_remove_range (buf, 0, head_len);
          continue;
        }
      const char *cl = fake_message_header (head, "Content-Length");
      gsize body_len = cl != NULL ? (gsize) g_ascii_strtoull (cl, NULL, 10) : 0;
      fake_message_free (head);
      if (buf->len < head_len + body_len)
        return;
      enqueue (peer, parse_message (data, head_len + body_len, FAKE_TCP));
      g_byte_array_remove_range (buf, 0, head_len + body_len);
    }
}

static gboolean
on_tcp_readable (GSocket *socket, GIOCondition condition, gpointer data)
{
  FakePeer *peer = data;
  char buffer[65536];

  for (;;)
    {
      GError *error = NULL;
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          gboolean again = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          g_clear_error (&error);
          if (again)
            break;
          n = 0;
        }
      if (n == 0)
        {
          split_stream (peer);
          peer->tcp_closed = TRUE;
          g_clear_pointer (&peer->tcp_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      g_byte_array_append (peer->tcp_buffer, (const guint8 *) buffer, (guint) n);
    }
  split_stream (peer);
  return G_SOURCE_CONTINUE;
}

static GSource *
watch (FakePeer *peer, GSocket *socket, GSocketSourceFunc func)
{
  GSource *source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (source, (GSourceFunc) (void (*) (void)) func, peer, NULL);
  g_source_attach (source, peer->context);
  return source;
}

FakePeer *
fake_peer_new (GMainContext *context, const char *server_host, guint16 server_port,
               GError **error)
{
  GInetAddress *loopback = g_inet_address_new_from_string (server_host);
  GSocketAddress *local = g_inet_socket_address_new (loopback, 0);
  FakePeer *peer = g_new0 (FakePeer, 1);

  peer->context = g_main_context_ref (context);
  peer->server = g_inet_socket_address_new (loopback, server_port);
  g_queue_init (&peer->queue);
  peer->tcp_buffer = g_byte_array_new ();
  peer->udp = g_socket_new (g_inet_address_get_family (loopback), G_SOCKET_TYPE_DATAGRAM,
                            G_SOCKET_PROTOCOL_UDP, error);
  g_object_unref (loopback);
  if (peer->udp == NULL || !g_socket_bind (peer->udp, local, FALSE, error))
    {
      g_object_unref (local);
      fake_peer_free (peer);
      return NULL;
    }
  g_object_unref (local);
  g_socket_set_blocking (peer->udp, FALSE);
  peer->udp_source = watch (peer, peer->udp, on_udp_readable);
  return peer;
}

void
fake_peer_free (FakePeer *peer)
{
  if (peer == NULL)
    return;
  if (peer->udp_source != NULL)
    {
      g_source_destroy (peer->udp_source);
      g_source_unref (peer->udp_source);
    }
  if (peer->tcp_source != NULL)
    {
      g_source_destroy (peer->tcp_source);
      g_source_unref (peer->tcp_source);
    }
  if (peer->tcp != NULL)
    g_socket_close (peer->tcp, NULL);
  g_clear_object (&peer->tcp);
  if (peer->udp != NULL)
    g_socket_close (peer->udp, NULL);
  g_clear_object (&peer->udp);
  g_clear_object (&peer->server);
  g_queue_clear_full (&peer->queue, (GDestroyNotify) fake_message_free);
  g_byte_array_unref (peer->tcp_buffer);
  g_main_context_unref (peer->context);
  g_free (peer);
}

static guint16
socket_port (GSocket *socket)
{
  GSocketAddress *address = socket ? g_socket_get_local_address (socket, NULL) : NULL;
  guint16 port = 0;
  if (address != NULL)
    {
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
      g_object_unref (address);
    }
  return port;
}

guint16
fake_peer_get_port (FakePeer *peer, FakeTransport transport)
{
  return socket_port (transport == FAKE_UDP ? peer->udp : peer->tcp);
}

const char *
fake_peer_transport_name (FakeTransport transport)
{
  return transport == FAKE_UDP ? "UDP" : "TCP";
}

gboolean
fake_peer_connect_tcp (FakePeer *peer, GError **error)
{
  if (peer->tcp != NULL && !peer->tcp_closed)
    return TRUE;
  if (peer->tcp != NULL)
    {
      if (peer->tcp_source != NULL)
        {
          g_source_destroy (peer->tcp_source);
          g_clear_pointer (&peer->tcp_source, g_source_unref);
        }
      g_socket_close (peer->tcp, NULL);
      g_clear_object (&peer->tcp);
      g_byte_array_set_size (peer->tcp_buffer, 0);
    }
  GSocketFamily family = g_socket_address_get_family (peer->server);
  peer->tcp = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (peer->tcp == NULL)
    return FALSE;
  /* Loopback: the kernel completes the handshake from the listen queue,
   * so a blocking connect returns at once. */
  if (!g_socket_connect (peer->tcp, peer->server, NULL, error))
    {
      g_clear_object (&peer->tcp);
      return FALSE;
    }
  g_socket_set_blocking (peer->tcp, FALSE);
  peer->tcp_closed = FALSE;
  peer->tcp_source = watch (peer, peer->tcp, on_tcp_readable);
  return TRUE;
}

gboolean
fake_peer_send (FakePeer *peer, FakeTransport transport, const char *text, GError **error)
{
  gsize length = strlen (text);

  if (transport == FAKE_UDP)
    return g_socket_send_to (peer->udp, peer->server, text, length, NULL, error)
           == (gssize) length;

  if (!fake_peer_connect_tcp (peer, error))
    return FALSE;
  while (length > 0)
    {
      GError *local = NULL;
      gssize n = g_socket_send (peer->tcp, text, length, NULL, &local);
      if (n < 0)
        {
          if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          g_clear_error (&local);
          g_main_context_iteration (peer->context, FALSE);
          continue;
        }
      text += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* ---- waiting ---------------------------------------------------------- */

static gboolean
on_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
fake_peer_run_until (FakePeer *peer, gboolean (*done) (gpointer data), gpointer data,
                     guint timeout_ms)
{
  gboolean expired = FALSE;
  GSource *timer = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timer, on_deadline, &expired, NULL);
  g_source_attach (timer, peer->context);
  while (!(done != NULL && done (data)) && !expired)
    g_main_context_iteration (peer->context, TRUE);
  g_source_destroy (timer);
  g_source_unref (timer);
  return done != NULL && done (data);
}

void
fake_peer_run (FakePeer *peer, guint ms)
{
  fake_peer_run_until (peer, NULL, NULL, ms);
}

static gboolean
have_message (gpointer data)
{
  FakePeer *peer = data;
  return !g_queue_is_empty (&peer->queue);
}

FakeMessage *
fake_peer_wait (FakePeer *peer, guint timeout_ms)
{
  fake_peer_run_until (peer, have_message, peer, timeout_ms);
  return g_queue_pop_head (&peer->queue);
}

FakeMessage *
fake_peer_wait_final_or_provisional (FakePeer *peer, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      FakeMessage *m = fake_peer_wait (peer, left > 0 ? (guint) left : 0);
      if (m == NULL || m->is_request || m->status != 100)
        return m;
      fake_message_free (m);
    }
}

guint
fake_peer_pending (FakePeer *peer)
{
  return g_queue_get_length (&peer->queue);
}

FakeMessage *
fake_peer_pop (FakePeer *peer)
{
  return g_queue_pop_head (&peer->queue);
}
