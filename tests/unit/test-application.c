/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of SipApplication and deployment (sipservlet-application.h)
 * and of setting the application router (sipservlet-router.h): names,
 * servlet selection rules, what deploying checks, undeploying, router
 * errors, DAR files and their reload. */
#include "check-main.h"
#include "unit-helpers.h"

#include <glib/gstdio.h>

static SipContainer *container;
static guint inits;
static guint destroys;

static gboolean
on_init (SipServlet *servlet, gpointer user_data, GError **error)
{
  inits++;
  if (user_data != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "init refused");
      return FALSE;
    }
  return TRUE;
}

static void
on_destroy (SipServlet *servlet, gpointer user_data)
{
  destroys++;
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .init = on_init,
  .destroy = on_destroy,
};

static void
setup (void)
{
  container = unit_container_new ();
  inits = destroys = 0;
}

static void
teardown (void)
{
  g_clear_pointer (&container, sipservlet_container_unref);
}

/* An application with one servlet "main" as its main servlet. */
static SipApplication *
simple_app (const char *name, gpointer init_data)
{
  GError *error = NULL;
  SipApplication *app = sipservlet_application_new (name, &error);
  UNIT_ASSERT_NO_ERROR (error);
  SipServlet *servlet = sipservlet_servlet_new ("main", &handlers, init_data, NULL);
  ck_assert (sipservlet_application_add_servlet (app, servlet, &error));
  sipservlet_servlet_unref (servlet);
  ck_assert (sipservlet_application_set_main_servlet (app, "main", &error));
  return app;
}

START_TEST (test_application_names)
{
  GError *error = NULL;
  static const char *const bad[] = { "", "two words", "quo\"te", "a,b", "semi;colon",
                                     "pa(ren", "back\\slash", "tab\t",
                                     SIPSERVLET_IMPLICIT_APPLICATION };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      ck_assert_ptr_null (sipservlet_application_new (bad[i], &error));
      UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
    }
  g_autoptr (SipApplication) app = sipservlet_application_new ("call-blocking.v2", &error);
  UNIT_ASSERT_NO_ERROR (error);
  ck_assert_str_eq (sipservlet_application_get_name (app), "call-blocking.v2");
}
END_TEST

START_TEST (test_application_main_servlet_or_mappings)
{
  GError *error = NULL;
  g_autoptr (SipApplication) app = simple_app ("one", NULL);
  g_autoptr (SipPattern) pattern = sipservlet_pattern_exists ("request.method", &error);
  ck_assert (!sipservlet_application_add_mapping (app, "main", pattern, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  g_autoptr (SipApplication) mapped = sipservlet_application_new ("two", &error);
  ck_assert (sipservlet_application_add_mapping (mapped, "x", pattern, &error));
  ck_assert (!sipservlet_application_set_main_servlet (mapped, "x", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  SipServlet *servlet = sipservlet_servlet_new ("main", &handlers, NULL, NULL);
  ck_assert (!sipservlet_application_add_servlet (app, servlet, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  sipservlet_servlet_unref (servlet);
}
END_TEST

START_TEST (test_deploy_checks)
{
  GError *error = NULL;
  g_autoptr (SipApplication) empty = sipservlet_application_new ("empty", &error);
  ck_assert (!sipservlet_container_deploy (container, empty, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* A mapping that names a servlet the application lacks. */
  g_autoptr (SipApplication) missing = sipservlet_application_new ("missing", &error);
  SipServlet *servlet = sipservlet_servlet_new ("here", &handlers, NULL, NULL);
  ck_assert (sipservlet_application_add_servlet (missing, servlet, &error));
  sipservlet_servlet_unref (servlet);
  g_autoptr (SipPattern) pattern = sipservlet_pattern_exists ("request.uri.user", &error);
  ck_assert (sipservlet_application_add_mapping (missing, "elsewhere", pattern, &error));
  ck_assert (!sipservlet_container_deploy (container, missing, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "elsewhere"));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* Authentication needed, none configured. */
  g_autoptr (SipApplication) secure = simple_app ("secure", NULL);
  sipservlet_application_require_authentication (secure, NULL);
  ck_assert (!sipservlet_container_deploy (container, secure, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  /* An init handler that fails. */
  g_autoptr (SipApplication) failing = simple_app ("failing", GINT_TO_POINTER (1));
  ck_assert (!sipservlet_container_deploy (container, failing, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "init refused"));
  g_clear_error (&error);
  ck_assert_ptr_null (sipservlet_container_get_application (container, "failing"));

  /* Twice the same name; the same application twice. */
  g_autoptr (SipApplication) first = simple_app ("same", NULL);
  g_autoptr (SipApplication) second = simple_app ("same", NULL);
  ck_assert (sipservlet_container_deploy (container, first, &error));
  ck_assert_uint_eq (inits, 2);
  ck_assert (!sipservlet_container_deploy (container, second, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  ck_assert (!sipservlet_container_deploy (container, first, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
  /* Deployed, it no longer changes. */
  ck_assert (!sipservlet_application_set_main_servlet (first, "main", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);
}
END_TEST

START_TEST (test_undeploy)
{
  GError *error = NULL;
  g_autoptr (SipApplication) a = simple_app ("a", NULL);
  g_autoptr (SipApplication) b = simple_app ("b", NULL);
  ck_assert (sipservlet_container_deploy (container, a, &error));
  ck_assert (sipservlet_container_deploy (container, b, &error));
  g_auto (GStrv) names = sipservlet_container_get_application_names (container);
  ck_assert_uint_eq (g_strv_length (names), 2);
  ck_assert_str_eq (names[0], "a");
  ck_assert_str_eq (names[1], "b");
  ck_assert (sipservlet_container_get_application (container, "b") == b);

  ck_assert (!sipservlet_container_undeploy (container, "c", &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* No session: destroyed at once. */
  ck_assert (sipservlet_container_undeploy (container, "a", &error));
  ck_assert_uint_eq (destroys, 1);
  ck_assert_ptr_null (sipservlet_container_get_application (container, "a"));
  /* The rest at the container's end. */
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (destroys, 2);
}
END_TEST

static guint deployed_calls;
static guint undeployed_calls;
static char *init_names;

static gboolean
router_init (const char *const *applications, gpointer user_data, GError **error)
{
  g_free (init_names);
  init_names = g_strjoinv (",", (char **) applications);
  if (user_data != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED, "router refused");
      return FALSE;
    }
  return TRUE;
}

static void
router_deployed (const char *const *applications, gpointer user_data)
{
  deployed_calls++;
}

static void
router_undeployed (const char *const *applications, gpointer user_data)
{
  undeployed_calls++;
}

static gboolean
router_next (SipServletRequest *request, SipRoutingRegion region, SipRoutingDirective directive,
             SipTargetedRequestType targeted_type, const char *targeted, GVariant *state,
             SipRouterInfo *info, gpointer user_data, GError **error)
{
  return TRUE;
}

static guint router_freed;

static void
router_free (gpointer data)
{
  router_freed++;
}

START_TEST (test_router_lifecycle)
{
  GError *error = NULL;
  static const SipApplicationRouterFuncs funcs = {
    SIPSERVLET_APPLICATION_ROUTER_INIT,
    .init = router_init,
    .application_deployed = router_deployed,
    .application_undeployed = router_undeployed,
    .get_next_application = router_next,
  };
  static const SipApplicationRouterFuncs incomplete = { SIPSERVLET_APPLICATION_ROUTER_INIT };
  g_autoptr (SipApplication) a = simple_app ("a", NULL);
  g_autoptr (SipApplication) b = simple_app ("b", NULL);

  router_freed = deployed_calls = undeployed_calls = 0;
  ck_assert (sipservlet_container_deploy (container, a, &error));
  ck_assert (!sipservlet_container_set_application_router (container, &incomplete, NULL,
                                                           router_free, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert_uint_eq (router_freed, 1);
  ck_assert (!sipservlet_container_set_application_router (container, &funcs,
                                                           GINT_TO_POINTER (1), router_free,
                                                           &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_FAILED);
  ck_assert_uint_eq (router_freed, 2);
  ck_assert (sipservlet_container_set_application_router (container, &funcs, NULL, router_free,
                                                          &error));
  ck_assert_str_eq (init_names, "a");
  ck_assert (sipservlet_container_deploy (container, b, &error));
  ck_assert (sipservlet_container_undeploy (container, "a", &error));
  ck_assert_uint_eq (deployed_calls, 1);
  ck_assert_uint_eq (undeployed_calls, 1);
  /* Nothing to reload: fine. */
  ck_assert (sipservlet_container_reload_application_router (container, &error));
  g_clear_pointer (&container, sipservlet_container_unref);
  ck_assert_uint_eq (router_freed, 3);
  g_clear_pointer (&init_names, g_free);
}
END_TEST

START_TEST (test_dar_file_errors_and_reload)
{
  GError *error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sipservlet-dar-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "apps.dar", NULL);

  ck_assert (!sipservlet_container_set_dar_file (container, path, &error));
  ck_assert (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  g_clear_error (&error);

  ck_assert (g_file_set_contents (path, "INVITE: (\"a\", \"DAR:To\", \"ORIG\", \"\", "
                                        "\"NO_ROUTE\", \"0\")\n", -1, NULL));
  ck_assert (!sipservlet_container_set_dar_file (container, path, &error));
  ck_assert_msg (g_str_has_prefix (error->message, path), "%s", error->message);
  ck_assert_ptr_nonnull (strstr (error->message, ":1:"));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);

  ck_assert (g_file_set_contents (path, "INVITE: (\"a\", \"DAR:To\", \"TERMINATING\", \"\", "
                                        "\"NO_ROUTE\", \"0\")\n", -1, NULL));
  ck_assert (sipservlet_container_set_dar_file (container, path, &error));
  UNIT_ASSERT_NO_ERROR (error);
  /* A broken file on reload: an error, the old rules stay. */
  ck_assert (g_file_set_contents (path, "\n\nINVITE (\n", -1, NULL));
  ck_assert (!sipservlet_container_reload_application_router (container, &error));
  ck_assert_ptr_nonnull (strstr (error->message, ":3:"));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_PARSE);
  ck_assert (g_file_set_contents (path, "MESSAGE: (\"a\", \"DAR:To\", \"TERMINATING\", \"\", "
                                        "\"NO_ROUTE\", \"0\")\n", -1, NULL));
  ck_assert (sipservlet_container_reload_application_router (container, &error));
  UNIT_ASSERT_NO_ERROR (error);
  g_unlink (path);
  g_rmdir (dir);
}
END_TEST

/* The directive an application sets on a request it creates. */
START_TEST (test_routing_directive)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipApplicationSession) app
      = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:a@example.com>", NULL);
  g_autoptr (SipAddress) to = sipservlet_address_parse ("<sip:b@example.com>", NULL);
  g_autoptr (SipServletRequest) created
      = sipservlet_factory_create_request (factory, app, "INVITE", from, to, &error);
  UNIT_ASSERT_NO_ERROR (error);
  g_autoptr (SipServletRequest) received = unit_request_new (container,
      "INVITE sip:b@example.com SIP/2.0" CRLF
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-dir" CRLF
      "From: <sip:a@example.com>;tag=1" CRLF
      "To: <sip:b@example.com>" CRLF
      "Call-ID: dir@test" CRLF
      "CSeq: 1 INVITE" CRLF
      "Contact: <sip:a@192.0.2.1>" CRLF
      "Content-Length: 0" CRLF CRLF, TRUE);
  received->initial = TRUE;
  received->region = SIPSERVLET_REGION_TERMINATING;

  ck_assert_int_eq (sipservlet_request_get_routing_directive (created), SIPSERVLET_ROUTING_NEW);
  /* CONTINUE needs the request it continues, received here. */
  ck_assert (!sipservlet_request_set_routing_directive (created, SIPSERVLET_ROUTING_CONTINUE,
                                                        NULL, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  ck_assert (!sipservlet_request_set_routing_directive (created, SIPSERVLET_ROUTING_REVERSE,
                                                        created, &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_ARGUMENT);
  /* A received request's directive is not the application's to set. */
  ck_assert (!sipservlet_request_set_routing_directive (received, SIPSERVLET_ROUTING_NEW, NULL,
                                                        &error));
  UNIT_ASSERT_ERROR (error, SIPSERVLET_ERROR_INVALID_STATE);

  ck_assert (sipservlet_request_set_routing_directive (created, SIPSERVLET_ROUTING_CONTINUE,
                                                       received, &error));
  ck_assert_int_eq (sipservlet_request_get_routing_directive (created),
                    SIPSERVLET_ROUTING_CONTINUE);
  ck_assert_int_eq (sipservlet_request_get_routing_region (created),
                    SIPSERVLET_REGION_TERMINATING);
  ck_assert (sipservlet_request_set_routing_directive (created, SIPSERVLET_ROUTING_NEW, NULL,
                                                       &error));
  ck_assert_int_eq (sipservlet_request_get_routing_region (created), SIPSERVLET_REGION_NEUTRAL);
  ck_assert_ptr_null (sipservlet_request_get_subscriber_uri (created));
  ck_assert_ptr_null (sipservlet_request_get_initial_popped_route (created));
  sipservlet_application_session_invalidate (app, NULL);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("application");
  TCase *tc = tcase_create ("application");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_application_names);
  tcase_add_test (tc, test_application_main_servlet_or_mappings);
  tcase_add_test (tc, test_deploy_checks);
  tcase_add_test (tc, test_undeploy);
  tcase_add_test (tc, test_router_lifecycle);
  tcase_add_test (tc, test_dar_file_errors_and_reload);
  tcase_add_test (tc, test_routing_directive);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
