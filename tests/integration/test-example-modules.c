/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The example applications as application modules (examples/modules), on
 * the shared library as a host such as sipservlet-server loads them: each
 * module reads its group of a configuration file (example_config_load())
 * and deploys its applications; a bad value is refused with the file, line
 * and key, and deploys nothing; an unknown key is a warning; a module
 * loads once; and the registrar, location, call-blocking and
 * click-to-call applications work over a socket with the fake peer, and
 * click-to-call's web API over HTTP.
 * SIPSERVLET_EXAMPLE_MODULES names the folder of the modules. */
#include <sipservlet/sipservlet.h>

#include <glib/gstdio.h>
#include <sipservlet/sipservlet-http.h>
#include <string.h>

#include "check-main.h"
#include "example-config.h"
#include "listening-container.h"
#include "peer-checks.h"
#include "warning-catcher.h"

static SipContainer *container;
static guint16 port;
static FakePeer *peer;
static char *dir;                  /* the configuration and DAR files */
static char *config_path;
static char *dar_path;
static GKeyFile *config;
static guint sequence;

static void
setup (void)
{
  GError *error = NULL;
  container = listening_container_new (&port);
  peer = fake_peer_new (g_main_context_default (), "127.0.0.1", port, &error);
  ck_assert_ptr_nonnull (peer);
  dir = g_dir_make_tmp ("sipservlet-example-modules-XXXXXX", NULL);
  config_path = g_build_filename (dir, "server.conf", NULL);
  dar_path = g_build_filename (dir, "dar.properties", NULL);
}

static void
teardown (void)
{
  catch_warnings_end ();
  fake_peer_free (peer);
  g_clear_pointer (&container, sipservlet_container_unref);
  g_clear_pointer (&config, example_config_free);
  g_unlink (config_path);
  g_unlink (dar_path);
  g_rmdir (dir);
  g_clear_pointer (&config_path, g_free);
  g_clear_pointer (&dar_path, g_free);
  g_clear_pointer (&dir, g_free);
}

static guint16
peer_port (void)
{
  return fake_peer_get_port (peer, FAKE_UDP);
}

/* Writes @text as the configuration file and loads it; "@PEER@" stands
 * for the fake peer's UDP port. */
static void
write_config (const char *text)
{
  GError *error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", peer_port ());
  g_auto (GStrv) parts = g_strsplit (text, "@PEER@", -1);
  g_autofree char *expanded = g_strjoinv (port_text, parts);
  ck_assert (g_file_set_contents (config_path, expanded, -1, NULL));
  g_clear_pointer (&config, example_config_free);
  config = example_config_load (config_path, &error);
  ck_assert_msg (config != NULL, "%s", error != NULL ? error->message : "");
}

static void
set_dar (const char *rules)
{
  GError *error = NULL;
  ck_assert (g_file_set_contents (dar_path, rules, -1, NULL));
  ck_assert_msg (sipservlet_container_set_dar_file (container, dar_path, &error), "%s",
                 error != NULL ? error->message : "");
}

static char *
module_path (const char *name)
{
  const char *modules = g_getenv ("SIPSERVLET_EXAMPLE_MODULES");
  ck_assert_ptr_nonnull (modules);
  g_autofree char *file = g_strdup_printf ("%s.%s", name, G_MODULE_SUFFIX);
  return g_build_filename (modules, file, NULL);
}

/* Loads module @name with its own group, as sipservlet-server does. */
static const char *
load (const char *name, GError **error)
{
  g_autofree char *path = module_path (name);
  return sipservlet_container_load_module (container, path, config, name, error);
}

static void
load_ok (const char *name)
{
  GError *error = NULL;
  const char *loaded = load (name, &error);
  ck_assert_msg (loaded != NULL, "%s: %s", name, error != NULL ? error->message : "");
  ck_assert_str_eq (loaded, name);
}

static guint
count_applications (void)
{
  g_auto (GStrv) names = sipservlet_container_get_application_names (container);
  return g_strv_length (names);
}

/* ---- messages ------------------------------------------------------------ */

/* A request from the fake peer: @ruri, From @from_user@@from_host, To
 * @to_uri; @extra ends with CRLF or is empty. Returns the text; *call_id
 * gets its Call-ID and *branch its Via branch. */
static char *
request_text (const char *method, const char *ruri, const char *from, const char *to,
              const char *extra, char **call_id, char **branch)
{
  sequence++;
  *call_id = g_strdup_printf ("example-modules-%u@test", sequence);
  *branch = g_strdup_printf ("z9hG4bK-em-%u", sequence);
  return g_strdup_printf ("%s %s SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <%s>;tag=f%u\r\n"
                          "To: <%s>\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: 1 %s\r\n"
                          "Contact: <sip:caller@127.0.0.1:%u>\r\n"
                          "%s"
                          "Content-Length: 0\r\n\r\n",
                          method, ruri, peer_port (), *branch, from, sequence, to, *call_id,
                          method, peer_port (), extra);
}

/* Sends a request and returns the next response, which must be @status. */
static FakeMessage *
ask (const char *method, const char *ruri, const char *from, const char *to, const char *extra,
     guint status)
{
  g_autofree char *call_id = NULL, *branch = NULL;
  g_autofree char *text = request_text (method, ruri, from, to, extra, &call_id, &branch);
  peer_send (peer, text);
  return peer_next_response (peer, status);
}

/* The next request of @method the container sends to the fake peer,
 * skipping other requests (the ACK of a branch's error response). */
static FakeMessage *
next_request (const char *method)
{
  for (guint i = 0; i < 5; i++)
    {
      FakeMessage *m = peer_next (peer);
      if (m->is_request && g_str_equal (m->method, method))
        return m;
      ck_assert_msg (m->is_request, "expected a %s, got:\n%s", method, m->raw);
      fake_message_free (m);
    }
  ck_abort_msg ("no %s", method);
  return NULL;
}

/* The next response, skipping requests (the ACK of a branch's error
 * response); it must be @status. */
static FakeMessage *
next_response (guint status)
{
  for (guint i = 0; i < 5; i++)
    {
      FakeMessage *m = peer_next (peer);
      if (!m->is_request)
        {
          ck_assert_msg (m->status == status, "expected %u, got:\n%s", status, m->raw);
          return m;
        }
      fake_message_free (m);
    }
  ck_abort_msg ("no %u", status);
  return NULL;
}

/* Answers a request the container sent to the fake peer. */
static void
answer (const FakeMessage *request, guint status, const char *reason)
{
  g_autofree char *text = fake_peer_build_response (request, status, reason, "callee", NULL);
  peer_send (peer, text);
}

/* Acknowledges the error response to the last request sent (its Call-ID,
 * branch and From tag follow from the sequence number). */
static void
ack_last (const char *ruri, const char *from, const FakeMessage *response)
{
  g_autofree char *to_tag = fake_header_param (fake_message_header (response, "To"), "tag");
  g_autofree char *ack = g_strdup_printf ("ACK %s SIP/2.0\r\n"
                                          "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-em-%u;"
                                          "rport\r\n"
                                          "Max-Forwards: 70\r\n"
                                          "From: <%s>;tag=f%u\r\n"
                                          "To: <%s>;tag=%s\r\n"
                                          "Call-ID: example-modules-%u@test\r\n"
                                          "CSeq: 1 ACK\r\n"
                                          "Content-Length: 0\r\n\r\n",
                                          ruri, peer_port (), sequence, from, sequence, ruri,
                                          to_tag, sequence);
  peer_send (peer, ack);
  fake_peer_run (peer, 50);
}

/* An INVITE of ours that the far side refuses with @status: proxied to
 * the fake peer, which answers @status; the caller gets it and
 * acknowledges it. Returns the INVITE the peer got. */
static FakeMessage *
invite_refused_by_peer (const char *ruri, const char *from, guint status, const char *reason)
{
  g_autofree char *call_id = NULL, *branch = NULL;
  g_autofree char *text = request_text ("INVITE", ruri, from, ruri, "", &call_id, &branch);
  peer_send (peer, text);
  FakeMessage *relayed = next_request ("INVITE");
  answer (relayed, status, reason);
  g_autoptr (FakeMessage) refused = next_response (status);
  ack_last (ruri, from, refused);
  return relayed;
}

/* ---- the tests --------------------------------------------------------------- */

static const char *const all_settings
    = "# every module, in the group of its name\n"
      "[registrar]\n"
      "domain = example.com\n"
      "min-expires = 30\n"
      "max-contacts = 5\n"
      "[call-blocking]\n"
      "deny = sip:mallory@example.com;sip:eve@example.com\n"
      "[call-forwarding]\n"
      "forward = bob=sip:bob@127.0.0.1:@PEER@;carol=sip:carol@example.org\n"
      "[proxy]\n"
      "record-route = off\n"
      "foreign = deny\n"
      "branch-timeout = 20\n"
      "[b2bua]\n"
      "target = sip:callee@127.0.0.1:@PEER@\n"
      "[uas]\n"
      "answer-delay = 10\n";

/* Every module but click-to-call (which places a call) deploys its
 * applications, under their names, in one container. */
START_TEST (test_modules_deploy)
{
  static const char *const modules[][3] = {
    { "registrar", "registrar", "location" },
    { "call-blocking", "call-blocking", NULL },
    { "call-forwarding", "call-forwarding", NULL },
    { "proxy", "proxy", NULL },
    { "b2bua", "b2bua", NULL },
    { "uas", "uas", NULL },
  };
  write_config (all_settings);
  for (gsize i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      load_ok (modules[i][0]);
      for (guint a = 1; a < 3 && modules[i][a] != NULL; a++)
        ck_assert_msg (sipservlet_container_get_application (container, modules[i][a]) != NULL,
                       "%s did not deploy %s", modules[i][0], modules[i][a]);
    }
  ck_assert_uint_eq (count_applications (), 7);
  g_auto (GStrv) names = sipservlet_container_get_module_names (container);
  ck_assert_uint_eq (g_strv_length (names), G_N_ELEMENTS (modules));

  /* Without a configuration they deploy with their defaults too. */
  g_clear_pointer (&config, example_config_free);
  GError *error = NULL;
  ck_assert (sipservlet_container_unload_module (container, "uas", &error));
  ck_assert_ptr_null (sipservlet_container_get_application (container, "uas"));
  load_ok ("uas");
  ck_assert_ptr_nonnull (sipservlet_container_get_application (container, "uas"));
}
END_TEST

/* A bad value: an error naming the file, the line and the key; nothing
 * deployed. Values that do not parse are found by the reader (their own
 * line), values that do not fit by the application's checks (the group's
 * line). */
START_TEST (test_bad_values)
{
  static const struct {
    const char *module;
    const char *settings;
    guint line;
    const char *key;
  } cases[] = {
    { "registrar", "[registrar]\ndomain = example.com\nmin-expires = abc\n", 3, "min-expires" },
    { "registrar", "[registrar]\nmin-expires = 600\nmax-expires = 60\n", 1, "min-expires" },
    { "registrar", "[registrar]\ndomain = not a host\n", 1, "domain" },
    { "call-blocking", "# deny\n[call-blocking]\ndeny = sip:ok@example.com;mallory\n", 3, "deny" },
    { "call-forwarding", "[call-forwarding]\nforward = bob\n", 2, "forward" },
    { "call-forwarding", "[call-forwarding]\nforward = bob=sip:a@b;bob=sip:c@d\n", 2, "forward" },
    { "proxy", "[proxy]\nbranch-timeout = soon\n", 2, "branch-timeout" },
    { "proxy", "[proxy]\n\nforeign = maybe\n", 1, "foreign" },
    { "proxy", "[proxy]\nmax-expires = x\n", 2, "max-expires" },
    { "b2bua", "[b2bua]\ntarget = tel:+123\n", 1, "target" },
    { "uas", "[uas]\nanswer-delay = -5\n", 1, "answer-delay" },
    { "uas", "[uas]\nanswer-delay = 1.5\n", 2, "answer-delay" },
    { "click-to-call", "[click-to-call]\nfrom = sip:a@example.com\nto = sip:b@example.com\n"
      "timeout = never\n", 4, "timeout" },
    { "click-to-call", "[click-to-call]\ntimeout = 5\n", 1, "from" },
    { "click-to-call", "[click-to-call]\nfrom = sip:a@example.com\nto = bob\n", 1, "--to" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      write_config (cases[i].settings);
      ck_assert_ptr_null (load (cases[i].module, &error));
      ck_assert_ptr_nonnull (error);
      g_autofree char *where = g_strdup_printf ("%s:%u: [%s]", config_path, cases[i].line,
                                                cases[i].module);
      ck_assert_msg (strstr (error->message, where) != NULL
                         && strstr (error->message, cases[i].key) != NULL,
                     "case %zu: '%s' lacks '%s' or '%s'", i, error->message, where,
                     cases[i].key);
      g_clear_error (&error);
      ck_assert_msg (count_applications () == 0, "case %zu deployed something", i);
      g_auto (GStrv) names = sipservlet_container_get_module_names (container);
      ck_assert_uint_eq (g_strv_length (names), 0);
    }
}
END_TEST

/* A key no option has: a warning naming it, and the module loads. */
START_TEST (test_unknown_key_warns)
{
  write_config ("[uas]\nanswer-delay = 5\nanswer-dealy = 5\n");
  catch_warnings_begin ();
  load_ok ("uas");
  g_autofree char *expected = g_strdup_printf ("%s:3: [uas] answer-dealy: unknown key",
                                               config_path);
  ck_assert_msg (caught_warning (expected), "no warning '%s'", expected);
  ck_assert_uint_eq (catcher.messages->len, 1);
  /* Program options are the host's, not the module's. */
  write_config ("[registrar]\nlisten = 127.0.0.1:5060\n");
  load_ok ("registrar");
  g_autofree char *listen = g_strdup_printf ("%s:2: [registrar] listen: unknown key",
                                             config_path);
  ck_assert_msg (caught_warning (listen), "no warning '%s'", listen);
}
END_TEST

/* A module loads once; unloaded, it loads again. */
START_TEST (test_loaded_twice)
{
  GError *error = NULL;
  write_config (all_settings);
  load_ok ("registrar");
  ck_assert_ptr_null (load ("registrar", &error));
  ck_assert_ptr_nonnull (strstr (error->message, "loaded already"));
  g_clear_error (&error);
  ck_assert_uint_eq (count_applications (), 2);
  ck_assert (sipservlet_container_unload_module (container, "registrar", &error));
  ck_assert_uint_eq (count_applications (), 0);
  load_ok ("registrar");
  ck_assert_uint_eq (count_applications (), 2);
}
END_TEST

/* REGISTER through the registrar application: 200 with the contact; then
 * location routes a call to that contact, and knows who never registered. */
START_TEST (test_registrar_exchange)
{
  write_config ("[registrar]\ndomain = example.com\n");
  load_ok ("registrar");
  set_dar ("REGISTER: (\"registrar\", \"DAR:To\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n"
           "INVITE: (\"location\", \"DAR:To\", \"TERMINATING\", \"\", \"NO_ROUTE\", \"0\")\n");
  /* The contact is the one every request_text() names. */
  g_autoptr (FakeMessage) ok = ask ("REGISTER", "sip:example.com", "sip:alice@example.com",
                                    "sip:alice@example.com", "Expires: 600\r\n", 200);
  g_autofree char *registered = g_strdup_printf ("sip:caller@127.0.0.1:%u", peer_port ());
  ck_assert_uint_eq (fake_message_count_headers (ok, "Contact"), 1);
  const char *binding = fake_message_header (ok, "Contact");
  gboolean found = strstr (binding, registered) != NULL && strstr (binding, "expires=600") != NULL;
  ck_assert_msg (found, "no binding of %s in:\n%s", registered, ok->raw);

  /* A domain the registrar does not serve. */
  g_autoptr (FakeMessage) foreign = ask ("REGISTER", "sip:example.net", "sip:alice@example.net",
                                         "sip:alice@example.net", "", 404);
  ck_assert_str_eq (foreign->reason, "Domain Not Served");

  /* location: to the registered contact, and 404 for a stranger. */
  g_autoptr (FakeMessage) relayed
      = invite_refused_by_peer ("sip:alice@example.com", "sip:bob@example.org", 486,
                                "Busy Here");
  ck_assert_str_eq (relayed->request_uri, registered);
  g_autoptr (FakeMessage) unknown = ask ("INVITE", "sip:nobody@example.com",
                                         "sip:bob@example.org", "sip:nobody@example.com", "",
                                         404);
  ack_last ("sip:nobody@example.com", "sip:bob@example.org", unknown);
}
END_TEST

/* Without a domain of its own, the registrar serves the container's. */
START_TEST (test_registrar_container_domains)
{
  GError *error = NULL;
  ck_assert (sipservlet_container_add_domain (container, "example.org", &error));
  write_config ("[registrar]\nmax-contacts = 3\n");
  load_ok ("registrar");
  set_dar ("REGISTER: (\"registrar\", \"DAR:To\", \"NEUTRAL\", \"\", \"NO_ROUTE\", \"0\")\n");
  g_autoptr (FakeMessage) ok = ask ("REGISTER", "sip:example.org", "sip:carol@example.org",
                                    "sip:carol@example.org", "", 200);
  ck_assert_uint_eq (fake_message_count_headers (ok, "Contact"), 1);
  g_autoptr (FakeMessage) foreign = ask ("REGISTER", "sip:example.com", "sip:carol@example.com",
                                         "sip:carol@example.com", "", 404);
}
END_TEST

/* call-blocking: a denied caller gets 403, another one is proxied on,
 * marked. */
START_TEST (test_call_blocking_exchange)
{
  write_config ("[call-blocking]\ndeny = sip:mallory@example.com\n");
  load_ok ("call-blocking");
  set_dar ("INVITE: (\"call-blocking\", \"DAR:From\", \"ORIGINATING\", \"\", \"NO_ROUTE\", "
           "\"0\")\n");
  g_autofree char *callee = g_strdup_printf ("sip:bob@127.0.0.1:%u", peer_port ());
  g_autoptr (FakeMessage) blocked = ask ("INVITE", callee, "sip:mallory@example.com", callee, "",
                                         403);
  ck_assert_str_eq (blocked->reason, "Blocked");
  ack_last (callee, "sip:mallory@example.com", blocked);

  g_autoptr (FakeMessage) passed
      = invite_refused_by_peer (callee, "sip:alice@example.com", 486, "Busy Here");
  ck_assert_str_eq (passed->request_uri, callee);
  ck_assert_str_eq (fake_message_header (passed, "X-Blocking"),
                    "passed;region=originating;subscriber=\"sip:alice@example.com\"");
}
END_TEST

/* click-to-call places its call when it is deployed: A (the fake peer)
 * is called and refuses; the controller acknowledges and is done. */
START_TEST (test_click_to_call_exchange)
{
  write_config ("[click-to-call]\nfrom = sip:a@127.0.0.1:@PEER@\n"
                "to = sip:b@127.0.0.1:@PEER@\ntimeout = 5\n");
  load_ok ("click-to-call");
  ck_assert_ptr_nonnull (sipservlet_container_get_application (container, "click-to-call"));
  g_autoptr (FakeMessage) invite = next_request ("INVITE");
  g_autofree char *a = g_strdup_printf ("sip:a@127.0.0.1:%u", peer_port ());
  g_autofree char *b = g_strdup_printf ("sip:b@127.0.0.1:%u", peer_port ());
  ck_assert_str_eq (invite->request_uri, a);
  /* A is called on behalf of B. */
  ck_assert_ptr_nonnull (strstr (fake_message_header (invite, "From"), b));
  answer (invite, 486, "Busy Here");
  g_autoptr (FakeMessage) ack = next_request ("ACK");
  fake_peer_run (peer, 100);
}
END_TEST

/* The container goes while the call rings: the controller lets go of its
 * sessions and is freed with its servlet (valgrind: no leak). */
START_TEST (test_click_to_call_container_goes)
{
  write_config ("[click-to-call]\nfrom = sip:a@127.0.0.1:@PEER@\n"
                "to = sip:b@127.0.0.1:@PEER@\n");
  load_ok ("click-to-call");
  g_autoptr (FakeMessage) invite = next_request ("INVITE");
  answer (invite, 180, "Ringing");
  fake_peer_run (peer, 50);
}
END_TEST

/* ---- the click-to-call web API ----------------------------------------------- */

typedef struct {
  GBytes *body;
  guint status;
  gboolean done;
} HttpResult;

static void
on_http_done (GObject *source, GAsyncResult *result, gpointer data)
{
  HttpResult *http = data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  http->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  http->status = soup_message_get_status (message);
  http->done = TRUE;
}

/* One request to the container's HTTP listener, the container serving it
 * in this thread meanwhile; returns the status, *body the text. */
static guint
http_request (const char *method, const char *path, const char *token, const char *json,
              char **body)
{
  g_auto (GStrv) urls = sipservlet_container_get_http_urls (container);
  ck_assert_ptr_nonnull (urls[0]);
  g_autofree char *url = g_strdup_printf ("%s%s", urls[0], path + 1);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  HttpResult http = { NULL, 0, FALSE };

  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                    value);
    }
  if (json != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (json, strlen (json));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, on_http_done,
                                    &http);
  for (guint i = 0; i < 500 && !http.done; i++)
    fake_peer_run (peer, 10);
  ck_assert_msg (http.done, "%s %s: no answer", method, path);
  gsize length = 0;
  const char *data = http.body != NULL ? g_bytes_get_data (http.body, &length) : "";
  *body = g_strndup (data, length);
  g_clear_pointer (&http.body, g_bytes_unref);
  return http.status;
}

/* With a token, the module serves the web API on the container's HTTP
 * listener: a call placed with POST /calls calls A (the fake peer), who
 * refuses; the call is then failed with A's status. Without the token,
 * 401; a destination outside "allow", 403. */
START_TEST (test_click_to_call_http)
{
  GError *error = NULL;
  ck_assert_msg (sipservlet_container_listen_http (container, "127.0.0.1:0",
                                                   SIPSERVLET_HTTP_ALL, &error),
                 "%s", error != NULL ? error->message : "");
  write_config ("[click-to-call]\nhttp-token = secret\nallow = 127.0.0.1\ntimeout = 5\n");
  load_ok ("click-to-call");

  g_autofree char *a = g_strdup_printf ("sip:a@127.0.0.1:%u", peer_port ());
  g_autofree char *json = g_strdup_printf ("{\"from\": \"%s\", \"to\": \"%s\"}", a, a);
  g_autofree char *body = NULL;
  ck_assert_uint_eq (http_request ("POST", "/calls", NULL, json, &body), 401);
  g_clear_pointer (&body, g_free);
  ck_assert_uint_eq (http_request ("POST", "/calls", "secret",
                                   "{\"from\": \"sip:a@example.com\", \"to\": \"sip:b@127.0.0.1\"}",
                                   &body), 403);
  g_clear_pointer (&body, g_free);
  ck_assert_uint_eq (http_request ("POST", "/calls", "secret", json, &body), 201);
  ck_assert_ptr_nonnull (strstr (body, "\"state\": \"calling-a\""));
  /* {"id": "ID", ...} */
  const char *end = strchr (body + 8, '"');
  ck_assert (g_str_has_prefix (body, "{\"id\": \"") && end != NULL);
  g_autofree char *id = g_strndup (body + 8, (gsize) (end - body - 8));

  g_autoptr (FakeMessage) invite = next_request ("INVITE");
  ck_assert_str_eq (invite->request_uri, a);
  answer (invite, 486, "Busy Here");
  g_autoptr (FakeMessage) ack = next_request ("ACK");
  fake_peer_run (peer, 50);

  g_autofree char *path = g_strdup_printf ("/calls/%s", id);
  g_clear_pointer (&body, g_free);
  ck_assert_uint_eq (http_request ("GET", path, "secret", NULL, &body), 200);
  ck_assert_msg (strstr (body, "\"state\": \"failed\", \"status\": 486") != NULL, "%s", body);
  g_clear_pointer (&body, g_free);
  ck_assert_uint_eq (http_request ("GET", "/calls/nothing", "secret", NULL, &body), 404);
}
END_TEST

/* The web API needs a token, or http-no-auth. */
START_TEST (test_click_to_call_http_needs_token)
{
  GError *error = NULL;
  write_config ("[click-to-call]\nhttp-no-auth = false\nallow = example.com\n");
  ck_assert_ptr_null (load ("click-to-call", &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, "http-token") != NULL, "%s", error->message);
  g_clear_error (&error);
  write_config ("[click-to-call]\nhttp-no-auth = true\n");
  load_ok ("click-to-call");
  ck_assert_ptr_nonnull (sipservlet_container_get_application (container, "click-to-call"));
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("example-modules");
  TCase *tc = tcase_create ("example-modules");
  tcase_set_timeout (tc, 60);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_modules_deploy);
  tcase_add_test (tc, test_bad_values);
  tcase_add_test (tc, test_unknown_key_warns);
  tcase_add_test (tc, test_loaded_twice);
  tcase_add_test (tc, test_registrar_exchange);
  tcase_add_test (tc, test_registrar_container_domains);
  tcase_add_test (tc, test_call_blocking_exchange);
  tcase_add_test (tc, test_click_to_call_exchange);
  tcase_add_test (tc, test_click_to_call_container_goes);
  tcase_add_test (tc, test_click_to_call_http);
  tcase_add_test (tc, test_click_to_call_http_needs_token);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
