/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the SIP message trace (lib/stack/trace.c,
 * sipservlet_container_set_message_trace()): the records' fields, the
 * redaction of Authorization and Proxy-Authorization, sofia's log pieces
 * that are not a traced message, and a real exchange on a socket with
 * the trace on and off; the library's check of whether debug records
 * are shown.
 *
 * A log writer of ours records every structured record; it must be set
 * once per process, so the tests share it (g_once). */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

#include <gio/gio.h>
#include <string.h>

#include "check-main.h"
#include "log-private.h"
#include "stack/stack-private.h"

typedef struct {
  char *message;
  char *call_id;          /* or NULL */
  char *direction;
  char *peer;
} Record;

static GPtrArray *records;   /* Record, while a test records */

static void
record_free (gpointer data)
{
  Record *record = data;
  g_free (record->message);
  g_free (record->call_id);
  g_free (record->direction);
  g_free (record->peer);
  g_free (record);
}

static char *
field_text (const GLogField *field)
{
  return field->length < 0 ? g_strdup (field->value)
                           : g_strndup (field->value, (gsize) field->length);
}

static GLogWriterOutput
writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  Record *record = g_new0 (Record, 1);
  gboolean traced = FALSE;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "MESSAGE") == 0)
        record->message = field_text (&fields[i]);
      else if (strcmp (fields[i].key, "SIP_CALL_ID") == 0)
        record->call_id = field_text (&fields[i]);
      else if (strcmp (fields[i].key, "SIP_DIRECTION") == 0)
        record->direction = field_text (&fields[i]), traced = TRUE;
      else if (strcmp (fields[i].key, "SIP_PEER") == 0)
        record->peer = field_text (&fields[i]);
    }
  if (records != NULL && traced)
    {
      g_ptr_array_add (records, record);
      return G_LOG_WRITER_HANDLED;
    }
  record_free (record);
  return g_log_writer_default (level, fields, n_fields, data);
}

static void
setup (void)
{
  static gsize once;
  if (g_once_init_enter (&once))
    {
      g_log_set_writer_func (writer, NULL, NULL);
      g_once_init_leave (&once, 1);
    }
  records = g_ptr_array_new_with_free_func (record_free);
}

static void
teardown (void)
{
  g_clear_pointer (&records, g_ptr_array_unref);
}

#define SEPARATOR "------------------------------------------------------------------------\n"

/* The pieces sofia's tport_log_msg() hands its default log for one
 * message, as sofia-sip 1.12.11 writes them. */
static void
feed_message (const char *direction, const char *peer, const char *const *lines)
{
  g_autofree char *stamp = g_strdup_printf ("%s 300 bytes %s at 10:00:00.000001:\n   " SEPARATOR,
                                            direction, peer);
  ck_assert (sipsv_stack_trace_piece (stamp));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strdup_printf ("   %s", lines[i]);
      ck_assert (sipsv_stack_trace_piece (line));
      ck_assert (sipsv_stack_trace_piece ("\n"));
    }
  ck_assert (sipsv_stack_trace_piece ("   " SEPARATOR));
}

START_TEST (test_fields_and_redaction)
{
  static const char *const lines[] = {
    "INVITE sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-1",
    "i: compact-call-id@10.0.0.1",
    "Authorization: Digest username=\"alice\", response=\"0123456789abcdef\"",
    "proxy-authorization : Digest username=\"alice\", response=\"fedcba9876543210\"",
    "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\"",
    "Content-Length: 0",
    "",
    NULL,
  };
  feed_message ("recv", "from udp/[10.0.0.1]:5060", lines);

  ck_assert_uint_eq (records->len, 1);
  Record *record = records->pdata[0];
  ck_assert_str_eq (record->direction, "recv");
  ck_assert_str_eq (record->peer, "from udp/[10.0.0.1]:5060");
  ck_assert_str_eq (record->call_id, "compact-call-id@10.0.0.1");
  ck_assert_msg (strstr (record->message, "sip recv from udp/[10.0.0.1]:5060:\nINVITE sip:bob@")
                     == record->message, "%s", record->message);
  ck_assert_msg (strstr (record->message, "\nAuthorization: Digest <redacted>\n") != NULL,
                 "%s", record->message);
  ck_assert_msg (strstr (record->message, "\nproxy-authorization : Digest <redacted>\n") != NULL,
                 "%s", record->message);
  ck_assert (strstr (record->message, "0123456789abcdef") == NULL);
  ck_assert (strstr (record->message, "fedcba9876543210") == NULL);
  ck_assert (strstr (record->message, "username") == NULL);
  /* Challenges carry no secret: they stay. */
  ck_assert (strstr (record->message, "nonce=\"abc\"") != NULL);
  /* No blank line at the end, no three-space indentation. */
  ck_assert (g_str_has_suffix (record->message, "Content-Length: 0"));
  ck_assert (strstr (record->message, "\n   ") == NULL);
}
END_TEST

/* Anything else on sofia's default log is not taken, and a message
 * without Call-ID has no SIP_CALL_ID field. */
START_TEST (test_other_pieces)
{
  ck_assert (!sipsv_stack_trace_piece ("su_root: something\n"));
  ck_assert (!sipsv_stack_trace_piece ("recv is a word\n"));
  ck_assert_uint_eq (records->len, 0);

  static const char *const lines[] = { "OPTIONS sip:x SIP/2.0", "Content-Length: 0", NULL };
  feed_message ("send", "to tcp/[::1]:5061", lines);
  ck_assert_uint_eq (records->len, 1);
  Record *record = records->pdata[0];
  ck_assert_ptr_null (record->call_id);
  ck_assert_str_eq (record->direction, "send");
  ck_assert_str_eq (record->peer, "to tcp/[::1]:5061");
  /* After the closing separator, pieces are sofia's own again. */
  ck_assert (!sipsv_stack_trace_piece ("   *** message truncated at 2047 ***\n"));
}
END_TEST

/* A real exchange: an OPTIONS over UDP and its 200, traced with the
 * trace on (_i == 1), nothing with it off (_i == 0). */
static void
answer_ok (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  ck_assert (sipservlet_request_respond (request, 200, NULL, NULL));
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = answer_ok,
};

START_TEST (test_container_trace)
{
  GError *error = NULL;
  SipContainer *container = sipservlet_container_new (&error);
  ck_assert_ptr_nonnull (container);
  ck_assert (sipservlet_container_listen (container, "127.0.0.1", 0, SIPSERVLET_TRANSPORT_UDP,
                                          &error));
  SipServlet *servlet = sipservlet_servlet_new ("options", &handlers, NULL, NULL);
  ck_assert (sipservlet_container_add_servlet (container, servlet, NULL, &error));
  sipservlet_servlet_unref (servlet);
  sipservlet_container_set_message_trace (container, _i == 1);

  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);
  ck_assert_ptr_nonnull (socket);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  ck_assert (g_socket_bind (socket, any, FALSE, &error));
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, &error);
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_autofree char *request = g_strdup_printf (
      "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-trace\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
      "Call-ID: traced-call\r\nCSeq: 1 OPTIONS\r\n"
      "Proxy-Authorization: Digest username=\"a\", response=\"secretsecret\"\r\n"
      "Content-Length: 0\r\n\r\n", port);
  g_autoptr (GSocketAddress) server = g_inet_socket_address_new (
      loopback, sipservlet_container_get_port (container, NULL));
  ck_assert (g_socket_send_to (socket, server, request, strlen (request), NULL, &error) > 0);

  char buffer[4096];
  gssize got = -1;
  for (guint i = 0; i < 200 && got < 0; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      if (g_socket_condition_check (socket, G_IO_IN) & G_IO_IN)
        got = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
      else
        g_usleep (10000);
    }
  ck_assert_int_gt (got, 0);
  buffer[got] = '\0';
  ck_assert (g_str_has_prefix (buffer, "SIP/2.0 200"));

  if (_i == 0)
    ck_assert_uint_eq (records->len, 0);
  else
    {
      ck_assert_uint_eq (records->len, 2);
      Record *in = records->pdata[0], *out = records->pdata[1];
      ck_assert_str_eq (in->direction, "recv");
      ck_assert_str_eq (out->direction, "send");
      ck_assert_str_eq (in->call_id, "traced-call");
      ck_assert_str_eq (out->call_id, "traced-call");
      g_autofree char *peer = g_strdup_printf ("udp/[127.0.0.1]:%u", port);
      ck_assert_msg (strstr (in->peer, peer) != NULL, "%s", in->peer);
      ck_assert (strstr (in->message, "secretsecret") == NULL);
      ck_assert (strstr (in->message, "Proxy-Authorization: Digest <redacted>") != NULL);
      ck_assert (strstr (out->message, "SIP/2.0 200") != NULL);
    }
  g_object_unref (socket);
  sipservlet_container_unref (container);
}
END_TEST

/* The library's check before it builds a debug record: it reads
 * G_MESSAGES_DEBUG once, g_log_set_debug_enabled() at every check. */
START_TEST (test_debug_switch)
{
  gboolean was = g_log_get_debug_enabled ();

  ck_assert (sipsv_log_enabled (G_LOG_LEVEL_WARNING));
  g_log_set_debug_enabled (TRUE);
  ck_assert (sipsv_log_enabled (G_LOG_LEVEL_DEBUG));
  ck_assert (sipsv_log_enabled (G_LOG_LEVEL_INFO));
  g_log_set_debug_enabled (FALSE);
  if (g_getenv ("G_MESSAGES_DEBUG") == NULL)
    {
      ck_assert (!sipsv_log_enabled (G_LOG_LEVEL_DEBUG));
      ck_assert (!sipsv_log_enabled (G_LOG_LEVEL_INFO));
    }
  g_log_set_debug_enabled (was);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("trace");
  TCase *tc = tcase_create ("trace");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_fields_and_redaction);
  tcase_add_test (tc, test_other_pieces);
  tcase_add_test (tc, test_debug_switch);
  tcase_add_loop_test (tc, test_container_trace, 0, 2);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
