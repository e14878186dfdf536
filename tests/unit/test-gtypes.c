/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every public type as a boxed GType and under g_autoptr(): the type's
 * name is the C type's, copying takes a reference that freeing drops, a
 * GValue holds one, and g_autoptr() releases what it holds (the valgrind
 * setup sees any reference left behind). */
#include <sipservlet/sipservlet.h>

#include "check-main.h"
#include "container-fixture.h"


/* A boxed copy of a reference-counted type is the same object with one
 * more reference; the binding, a plain structure, is copied. */
static void
assert_boxed (GType type, const char *name, gpointer instance)
{
  ck_assert_msg (G_TYPE_IS_BOXED (type), "%s is not boxed", name);
  ck_assert_str_eq (g_type_name (type), name);
  gpointer copy = g_boxed_copy (type, instance);
  ck_assert_ptr_nonnull (copy);
  if (type != SIPSERVLET_TYPE_LOCATION_BINDING)
    ck_assert_ptr_eq (copy, instance);
  GValue value = G_VALUE_INIT;
  g_value_init (&value, type);
  g_value_set_boxed (&value, copy);
  ck_assert_ptr_nonnull (g_value_get_boxed (&value));
  g_value_unset (&value);
  g_boxed_free (type, copy);
}

START_TEST (test_every_type_is_boxed)
{
  GError *error = NULL;
  SipFactory *factory = sipservlet_container_get_factory (container);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  g_autoptr (SipAddress) from = sipservlet_address_parse ("<sip:alice@example.com>;tag=a1", &error);
  g_autoptr (SipAddress) to = sipservlet_address_parse ("<sip:bob@example.com>", &error);
  g_autoptr (SipURI) uri = sipservlet_uri_parse ("sip:bob@example.com", &error);
  g_autoptr (SipParameterable) parameterable = sipservlet_parameterable_parse ("v;p=1", &error);
  g_autoptr (SipServletRequest) request = sipservlet_factory_create_request (factory, app, "OPTIONS",
                                                                             from, to, &error);
  ck_assert_msg (request != NULL, "%s", error ? error->message : "");
  g_autoptr (SipServletMessage) message = sipservlet_message_ref (SIPSERVLET_MESSAGE (request));
  g_autoptr (SipSession) session = sipservlet_session_ref (sipservlet_message_get_session (message));
  static const SipServletHandlers handlers = { SIPSERVLET_HANDLERS_INIT };
  g_autoptr (SipServlet) servlet = sipservlet_servlet_new ("boxed", &handlers, NULL, NULL);
  g_autoptr (SipServletTimer) timer = sipservlet_application_session_create_timer (app, 60000, 0,
                                                                                  FALSE, NULL,
                                                                                  NULL, &error);
  g_autoptr (SipLocationStore) store = sipservlet_location_store_new_memory ();
  g_autoptr (SipLocationService) location = sipservlet_location_service_new (store);
  g_autoptr (SipLocationBinding) binding = g_new0 (SipLocationBinding, 1);
  binding->struct_size = sizeof *binding;
  binding->aor = g_strdup ("sip:alice@example.com");
  g_autoptr (SipAuthInfo) auth_info = sipservlet_factory_create_auth_info (factory);
  g_autoptr (SipFactory) factory_ref = sipservlet_factory_ref (factory);
  g_autoptr (SipContainer) container_ref = sipservlet_container_ref (container);

  assert_boxed (SIPSERVLET_TYPE_CONTAINER, "SipContainer", container);
  assert_boxed (SIPSERVLET_TYPE_SERVLET, "SipServlet", servlet);
  assert_boxed (SIPSERVLET_TYPE_MESSAGE, "SipServletMessage", message);
  assert_boxed (SIPSERVLET_TYPE_REQUEST, "SipServletRequest", request);
  assert_boxed (SIPSERVLET_TYPE_SESSION, "SipSession", session);
  assert_boxed (SIPSERVLET_TYPE_APPLICATION_SESSION, "SipApplicationSession", app);
  assert_boxed (SIPSERVLET_TYPE_TIMER, "SipServletTimer", timer);
  assert_boxed (SIPSERVLET_TYPE_FACTORY, "SipFactory", factory_ref);
  assert_boxed (SIPSERVLET_TYPE_URI, "SipURI", uri);
  assert_boxed (SIPSERVLET_TYPE_ADDRESS, "SipAddress", from);
  assert_boxed (SIPSERVLET_TYPE_PARAMETERABLE, "SipParameterable", parameterable);
  assert_boxed (SIPSERVLET_TYPE_LOCATION_STORE, "SipLocationStore", store);
  assert_boxed (SIPSERVLET_TYPE_LOCATION_SERVICE, "SipLocationService", location);
  assert_boxed (SIPSERVLET_TYPE_LOCATION_BINDING, "SipLocationBinding", binding);
  assert_boxed (SIPSERVLET_TYPE_AUTH_INFO, "SipAuthInfo", auth_info);

  /* The types that need a received request (the response, the proxy, its
   * branches, the B2BUA helper) are checked by name here and used under
   * g_autoptr() by the in-process suites. */
  const struct {
    GType type;
    const char *name;
  } others[] = {
    { SIPSERVLET_TYPE_RESPONSE, "SipServletResponse" },
    { SIPSERVLET_TYPE_PROXY, "SipProxy" },
    { SIPSERVLET_TYPE_PROXY_BRANCH, "SipProxyBranch" },
    { SIPSERVLET_TYPE_B2BUA_HELPER, "SipB2buaHelper" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      ck_assert (G_TYPE_IS_BOXED (others[i].type));
      ck_assert_str_eq (g_type_name (others[i].type), others[i].name);
    }
  sipservlet_timer_cancel (timer);
}
END_TEST

/* A reference on the factory keeps its container: dropping the host's
 * last container reference first leaves the factory usable. */
START_TEST (test_factory_keeps_container)
{
  SipFactory *factory = sipservlet_factory_ref (sipservlet_container_get_factory (container));
  g_clear_pointer (&container, sipservlet_container_unref);
  g_autoptr (SipURI) uri = sipservlet_factory_create_uri (factory, "sip:carol@example.com", NULL);
  ck_assert_ptr_nonnull (uri);
  sipservlet_factory_unref (factory);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("gtypes");
  TCase *tc = tcase_create ("gtypes");
  tcase_add_checked_fixture (tc, container_fixture_setup, container_fixture_teardown);
  tcase_add_test (tc, test_every_type_is_boxed);
  tcase_add_test (tc, test_factory_keeps_container);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
