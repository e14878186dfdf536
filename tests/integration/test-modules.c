/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Application modules (sipservlet-module.h), on the public API and the
 * shared library as a host sees them: a module loads, reads its
 * configuration group and deploys its application, which the router
 * reaches; bad modules are refused with an error naming the file; a
 * failed deploy function leaves nothing deployed; unloading during a call
 * lets the call finish. The modules are in tests/modules/. */
#include <sipservlet/sipservlet.h>

#include <glib/gstdio.h>
#include <string.h>

#include "check-main.h"
#include "listening-container.h"
#include "peer-checks.h"
#include "warning-catcher.h"

static SipContainer *container;
static guint16 port;
static FakePeer *peer;
static char *dir;                  /* holds the DAR file */
static guint sequence;

static char *
module_path (const char *name)
{
  const char *modules = g_getenv ("SIPSERVLET_TEST_MODULES");
  ck_assert_ptr_nonnull (modules);
  g_autofree char *file = g_strdup_printf ("sipservlet-test-%s.%s", name, G_MODULE_SUFFIX);
  return g_build_filename (modules, file, NULL);
}

static void
setup (void)
{
  GError *error = NULL;
  container = listening_container_new (&port);
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert_ptr_nonnull (peer);
  dir = g_dir_make_tmp ("sipservlet-modules-XXXXXX", NULL);
  g_autofree char *dar = g_build_filename (dir, "dar.properties", NULL);
  ck_assert (g_file_set_contents (
      dar, "ALL: (\"echo\", \"DAR:To\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n", -1, NULL));
  ck_assert (sipservlet_container_set_dar_file (container, dar, &error));
}

static void
teardown (void)
{
  catch_warnings_end ();
  fake_peer_free (peer);
  g_clear_pointer (&container, sipservlet_container_unref);
  g_autofree char *dar = g_build_filename (dir, "dar.properties", NULL);
  g_unlink (dar);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
}

/* Sends a request of method to the container itself; returns the text. */
static char *
request_text (const char *method, const char *to_tag, guint cseq)
{
  sequence++;
  return g_strdup_printf ("%s sip:echo@127.0.0.1:%u SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-mod-%u;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=a1\r\n"
                          "To: <sip:echo@example.com>%s%s\r\n"
                          "Call-ID: modules-call@test\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1:%u>\r\n"
                          "Content-Length: 0\r\n\r\n",
                          method, port, fake_peer_get_port (peer, FAKE_UDP), sequence,
                          to_tag != NULL ? ";tag=" : "", to_tag != NULL ? to_tag : "", cseq,
                          method, fake_peer_get_port (peer, FAKE_UDP));
}

static FakeMessage *
ask (const char *method, const char *to_tag, guint cseq, guint status)
{
  g_autofree char *text = request_text (method, to_tag, cseq);
  peer_send (peer, text);
  return peer_next_response (peer, status);
}

static const char *
load (const char *name, GKeyFile *config, GError **error)
{
  g_autofree char *path = module_path (name);
  return sipservlet_container_load_module (container, path, config, "echo", error);
}

/* A module loads with its configuration group and its application works. */
START_TEST (test_load_and_configure)
{
  GError *error = NULL;
  g_autoptr (GKeyFile) config = g_key_file_new ();
  g_key_file_set_string (config, "echo", "reason", "Hello From Module");
  ck_assert_str_eq (load ("echo", config, &error), "echo");
  g_auto (GStrv) names = sipservlet_container_get_module_names (container);
  ck_assert_uint_eq (g_strv_length (names), 1);
  ck_assert_str_eq (names[0], "echo");
  ck_assert_ptr_nonnull (sipservlet_container_get_application (container, "echo"));
  g_autoptr (FakeMessage) ok = ask ("OPTIONS", NULL, 1, 200);
  ck_assert_str_eq (ok->reason, "Hello From Module");

  /* The same name twice is refused; unloaded, the name is free again. */
  ck_assert_ptr_null (load ("echo", NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "sipservlet-test-echo"));
  ck_assert_ptr_nonnull (strstr (error->message, "loaded already"));
  g_clear_error (&error);
  ck_assert (sipservlet_container_unload_module (container, "echo", &error));
  ck_assert_ptr_null (sipservlet_container_get_application (container, "echo"));
  /* The router still names it: 500, as for any application not deployed. */
  catch_warnings_begin ();
  g_autoptr (FakeMessage) gone = ask ("OPTIONS", NULL, 2, 500);
  ck_assert (caught_warning ("'echo'"));
  ck_assert_str_eq (load ("echo", NULL, &error), "echo");
  ck_assert (!sipservlet_container_unload_module (container, "nobody", &error));
  g_clear_error (&error);
}
END_TEST

/* Files that are no module of ours: errors name them. */
START_TEST (test_bad_modules)
{
  GError *error = NULL;
  const char *const bad[][2] = {
    { "old-abi", "ABI 99" },
    { "no-entry", "not a libsipservlet module" },
    { "missing", "cannot load the module" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = module_path (bad[i][0]);
      ck_assert_ptr_null (sipservlet_container_load_module (container, path, NULL, NULL, &error));
      ck_assert_msg (strstr (error->message, path) != NULL && strstr (error->message, bad[i][1]),
                     "%s", error->message);
      g_clear_error (&error);
    }
  g_auto (GStrv) names = sipservlet_container_get_module_names (container);
  ck_assert_uint_eq (g_strv_length (names), 0);
}
END_TEST

/* A deploy function that fails: what it deployed goes again. */
START_TEST (test_failed_deploy_undeploys)
{
  GError *error = NULL;
  g_autofree char *path = module_path ("failing");
  ck_assert_ptr_null (sipservlet_container_load_module (container, path, NULL, NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "no database"));
  ck_assert_ptr_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  ck_assert_ptr_null (sipservlet_container_get_application (container, "half"));
}
END_TEST

/* Unloaded while a call is up: the call's requests still reach the
 * module's servlet, and the container ends cleanly (valgrind: no leak). */
START_TEST (test_unload_during_call)
{
  GError *error = NULL;
  ck_assert_str_eq (load ("echo", NULL, &error), "echo");
  g_autoptr (FakeMessage) ok = ask ("INVITE", NULL, 1, 200);
  g_autofree char *tag = fake_header_param (fake_message_header (ok, "To"), "tag");
  ck_assert (sipservlet_container_unload_module (container, "echo", &error));
  g_autofree char *ack = request_text ("ACK", tag, 1);
  peer_send (peer, ack);
  g_autoptr (FakeMessage) bye_ok = ask ("BYE", tag, 2, 200);
  ck_assert_str_eq (bye_ok->reason, "Echo");
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("modules");
  TCase *tc = tcase_create ("modules");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_load_and_configure);
  tcase_add_test (tc, test_bad_modules);
  tcase_add_test (tc, test_failed_deploy_undeploys);
  tcase_add_test (tc, test_unload_during_call);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
