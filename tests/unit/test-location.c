/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the location service (registrar bindings). */
#include <sipservlet/sipservlet.h>

#include <math.h>
#include <string.h>

#include "check-main.h"

#define AOR "sip:alice@example.com"
#define T0 ((gint64) 1000)

/* An update for contact uri with the given expiry and q; other fields
 * empty. */
static SipLocationUpdate
make_update (const char *uri, guint expires, gdouble q)
{
  SipLocationUpdate update = {
    .contact_uri = uri,
    .expires = expires,
    .q = q,
  };
  return update;
}

static SipLocationService *
new_memory_service (void)
{
  SipLocationStore *store = sipservlet_location_store_new_memory ();
  SipLocationService *service = sipservlet_location_service_new (store);

  sipservlet_location_store_unref (store);
  return service;
}

/* Registers one contact; asserts success. */
static void
register_one (SipLocationService *service, const char *aor, const char *call_id, guint32 cseq,
              const char *uri, guint expires, gdouble q, gint64 now)
{
  SipLocationUpdate update = make_update (uri, expires, q);
  GError *error = NULL;

  ck_assert (sipservlet_location_service_apply (service, aor, call_id, cseq, &update, 1, now,
                                                &error));
  ck_assert_ptr_null (error);
}

static guint
count_bindings (SipLocationService *service, const char *aor, gint64 now)
{
  GPtrArray *bindings = sipservlet_location_service_lookup (service, aor, now);
  guint n = bindings->len;

  g_ptr_array_unref (bindings);
  return n;
}

static const SipLocationBinding *
binding_at (GPtrArray *bindings, guint i)
{
  return g_ptr_array_index (bindings, i);
}

START_TEST (test_add_refresh_remove)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate update = make_update ("sip:alice@192.0.2.1", 3600, -1.0);
  GPtrArray *bindings;
  GError *error = NULL;

  update.contact_text = "<sip:alice@192.0.2.1>;expires=3600";
  update.user_agent = "softphone/1.0";
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, &update, 1, T0,
                                                &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);

  bindings = sipservlet_location_service_lookup (service, AOR, T0);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_uint_eq (binding_at (bindings, 0)->struct_size, sizeof (SipLocationBinding));
  ck_assert_str_eq (binding_at (bindings, 0)->aor, AOR);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:alice@192.0.2.1");
  ck_assert_str_eq (binding_at (bindings, 0)->contact_text, "<sip:alice@192.0.2.1>;expires=3600");
  ck_assert_int_eq (binding_at (bindings, 0)->expires_at, T0 + 3600);
  ck_assert_int_eq (binding_at (bindings, 0)->registered_at, T0);
  ck_assert_double_eq (binding_at (bindings, 0)->q, -1.0);
  ck_assert_str_eq (binding_at (bindings, 0)->call_id, "call-1");
  ck_assert_uint_eq (binding_at (bindings, 0)->cseq, 1);
  ck_assert_ptr_null (binding_at (bindings, 0)->instance_id);
  ck_assert_int_eq (binding_at (bindings, 0)->reg_id, 0);
  ck_assert_ptr_null (binding_at (bindings, 0)->path);
  ck_assert_ptr_null (binding_at (bindings, 0)->source);
  ck_assert_str_eq (binding_at (bindings, 0)->user_agent, "softphone/1.0");
  g_ptr_array_unref (bindings);

  /* Refresh: same Call-ID, higher CSeq, new expiry and q. */
  update.expires = 600;
  update.q = 0.5;
  update.contact_text = NULL;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 2, &update, 1, T0 + 100,
                                                &error));
  ck_assert_ptr_null (error);
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 100);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_int_eq (binding_at (bindings, 0)->expires_at, T0 + 700);
  ck_assert_int_eq (binding_at (bindings, 0)->registered_at, T0 + 100);
  ck_assert_double_eq (binding_at (bindings, 0)->q, 0.5);
  ck_assert_uint_eq (binding_at (bindings, 0)->cseq, 2);
  /* Without a contact text the URI is stored in angle brackets. */
  ck_assert_str_eq (binding_at (bindings, 0)->contact_text, "<sip:alice@192.0.2.1>");
  g_ptr_array_unref (bindings);

  /* Remove with expires 0. */
  update.expires = 0;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 3, &update, 1, T0 + 200,
                                                &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 200), 0);
  /* The AOR went with its last binding. */
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 0);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_expires_zero_unknown_contact)
{
  SipLocationService *service = new_memory_service ();
  GPtrArray *bindings;

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  /* Removing a contact that is not bound succeeds and changes nothing. */
  register_one (service, AOR, "call-1", 2, "sip:alice@192.0.2.99", 0, -1.0, T0);
  register_one (service, "sip:bob@example.com", "call-2", 1, "sip:bob@192.0.2.2", 0, -1.0, T0);

  bindings = sipservlet_location_service_lookup (service, AOR, T0);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:alice@192.0.2.1");
  ck_assert_uint_eq (binding_at (bindings, 0)->cseq, 1);
  g_ptr_array_unref (bindings);
  ck_assert_uint_eq (count_bindings (service, "sip:bob@example.com", T0), 0);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);

  /* An empty request is a query: it succeeds and changes nothing. */
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, NULL, 0, T0, NULL));
  ck_assert_uint_eq (count_bindings (service, AOR, T0), 1);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_q_ordering)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate updates[] = {
    make_update ("sip:low@192.0.2.1", 3600, 0.1),
    make_update ("sip:none@192.0.2.2", 3600, -1.0),
    make_update ("sip:high@192.0.2.3", 3600, 0.9),
    make_update ("sip:full@192.0.2.4", 3600, 1.0),
  };
  GPtrArray *bindings;
  GError *error = NULL;

  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, updates,
                                                G_N_ELEMENTS (updates), T0, &error));
  ck_assert_ptr_null (error);
  /* Later, other devices: one with q 0.9, one without q. */
  register_one (service, AOR, "call-2", 1, "sip:later-high@192.0.2.5", 3600, 0.9, T0 + 10);
  register_one (service, AOR, "call-3", 1, "sip:later-none@192.0.2.6", 3600, -1.0, T0 + 20);

  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 30);
  ck_assert_uint_eq (bindings->len, 6);
  /* q 1.0 (absent counts as 1.0), most recent first, then header order. */
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:later-none@192.0.2.6");
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:none@192.0.2.2");
  ck_assert_str_eq (binding_at (bindings, 2)->contact_uri, "sip:full@192.0.2.4");
  /* q 0.9, most recent first. */
  ck_assert_str_eq (binding_at (bindings, 3)->contact_uri, "sip:later-high@192.0.2.5");
  ck_assert_str_eq (binding_at (bindings, 4)->contact_uri, "sip:high@192.0.2.3");
  ck_assert_str_eq (binding_at (bindings, 5)->contact_uri, "sip:low@192.0.2.1");
  g_ptr_array_unref (bindings);

  /* Refreshing the old q 0.9 contact makes it the most recent one. */
  register_one (service, AOR, "call-1", 2, "sip:high@192.0.2.3", 3600, 0.9, T0 + 40);
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 40);
  ck_assert_uint_eq (bindings->len, 6);
  ck_assert_str_eq (binding_at (bindings, 3)->contact_uri, "sip:high@192.0.2.3");
  ck_assert_str_eq (binding_at (bindings, 4)->contact_uri, "sip:later-high@192.0.2.5");
  g_ptr_array_unref (bindings);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_out_of_order_nothing_applied)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate updates[] = {
    make_update ("sip:new@192.0.2.9", 3600, -1.0),      /* valid on its own */
    make_update ("sip:alice@192.0.2.1", 0, -1.0),       /* remove, valid too */
    make_update ("sip:alice@192.0.2.2", 1800, -1.0),    /* CSeq not higher */
  };
  GPtrArray *bindings;
  GError *error = NULL;

  register_one (service, AOR, "call-1", 5, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  register_one (service, AOR, "call-2", 10, "sip:alice@192.0.2.2", 3600, -1.0, T0);

  /* Request of call-2 with CSeq 10 (equal) then 7 (lower): both refused. */
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-2", 10, updates,
                                                 G_N_ELEMENTS (updates), T0 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER));
  g_clear_error (&error);
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-2", 7, updates,
                                                 G_N_ELEMENTS (updates), T0 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER));
  g_clear_error (&error);

  /* Neither the addition nor the removal before the bad entry happened. */
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 1);
  ck_assert_uint_eq (bindings->len, 2);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:alice@192.0.2.2");
  ck_assert_int_eq (binding_at (bindings, 0)->expires_at, T0 + 3600);
  ck_assert_uint_eq (binding_at (bindings, 0)->cseq, 10);
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:alice@192.0.2.1");
  g_ptr_array_unref (bindings);

  /* With a higher CSeq the same request goes through. */
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-2", 11, updates,
                                                G_N_ELEMENTS (updates), T0 + 1, &error));
  ck_assert_ptr_null (error);
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 1);
  ck_assert_uint_eq (bindings->len, 2);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:new@192.0.2.9");
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:alice@192.0.2.2");
  ck_assert_int_eq (binding_at (bindings, 1)->expires_at, T0 + 1 + 1800);
  g_ptr_array_unref (bindings);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_new_call_id_lower_cseq)
{
  SipLocationService *service = new_memory_service ();
  GPtrArray *bindings;

  register_one (service, AOR, "call-1", 100, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  /* The UA rebooted: new Call-ID, CSeq restarts at 1. */
  register_one (service, AOR, "call-2", 1, "sip:alice@192.0.2.1", 1200, -1.0, T0 + 5);

  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 5);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_str_eq (binding_at (bindings, 0)->call_id, "call-2");
  ck_assert_uint_eq (binding_at (bindings, 0)->cseq, 1);
  ck_assert_int_eq (binding_at (bindings, 0)->expires_at, T0 + 5 + 1200);
  g_ptr_array_unref (bindings);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_remove_all)
{
  SipLocationService *service = new_memory_service ();
  GError *error = NULL;

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  register_one (service, AOR, "call-2", 8, "sip:alice@192.0.2.2", 3600, -1.0, T0);
  register_one (service, "sip:bob@example.com", "call-3", 1, "sip:bob@192.0.2.3", 3600, -1.0, T0);

  /* Another Call-ID with any CSeq removes everything. */
  ck_assert (sipservlet_location_service_remove_all (service, AOR, "call-9", 1, T0 + 1, &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 1), 0);
  ck_assert_uint_eq (count_bindings (service, "sip:bob@example.com", T0 + 1), 1);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);

  /* Nothing to remove is a success. */
  ck_assert (sipservlet_location_service_remove_all (service, AOR, "call-9", 2, T0 + 1, &error));
  ck_assert_ptr_null (error);

  /* Same Call-ID with a higher CSeq is in order. */
  ck_assert (sipservlet_location_service_remove_all (service, "sip:bob@example.com", "call-3", 2,
                                                     T0 + 1, &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 0);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_remove_all_out_of_order)
{
  SipLocationService *service = new_memory_service ();
  GError *error = NULL;

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  register_one (service, AOR, "call-2", 8, "sip:alice@192.0.2.2", 3600, -1.0, T0);

  ck_assert (!sipservlet_location_service_remove_all (service, AOR, "call-2", 8, T0 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER));
  g_clear_error (&error);
  ck_assert (!sipservlet_location_service_remove_all (service, AOR, "call-2", 3, T0 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER));
  g_clear_error (&error);
  /* Nothing removed, not even the binding of the other Call-ID. */
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 1), 2);

  ck_assert (sipservlet_location_service_remove_all (service, AOR, "call-2", 9, T0 + 1, &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 1), 0);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_instance_reg_id_replacement)
{
  SipLocationService *service = new_memory_service ();
  const char *instance = "\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
  SipLocationUpdate flow1 = make_update ("sip:alice@192.0.2.1:5060;transport=tcp", 3600, -1.0);
  SipLocationUpdate flow2 = make_update ("sip:alice@192.0.2.1:5070;transport=tcp", 3600, -1.0);
  SipLocationUpdate moved = make_update ("sip:alice@198.51.100.7:6000;transport=tcp", 3600, -1.0);
  GPtrArray *bindings;
  GError *error = NULL;

  flow1.instance_id = instance;
  flow1.reg_id = 1;
  flow2.instance_id = instance;
  flow2.reg_id = 2;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, &flow1, 1, T0, &error));
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-2", 1, &flow2, 1, T0, &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0), 2);

  /* Same instance, reg-id 1, new address (new Call-ID after a reboot):
   * replaces flow 1, keeps flow 2. */
  moved.instance_id = instance;
  moved.reg_id = 1;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-3", 1, &moved, 1, T0 + 10,
                                                &error));
  ck_assert_ptr_null (error);
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 10);
  ck_assert_uint_eq (bindings->len, 2);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri,
                    "sip:alice@198.51.100.7:6000;transport=tcp");
  ck_assert_str_eq (binding_at (bindings, 0)->instance_id, instance);
  ck_assert_int_eq (binding_at (bindings, 0)->reg_id, 1);
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:alice@192.0.2.1:5070;transport=tcp");
  g_ptr_array_unref (bindings);

  /* The replacement obeys the Call-ID/CSeq rule of the replaced binding. */
  flow1.contact_uri = "sip:alice@203.0.113.5:7000;transport=tcp";
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-3", 1, &flow1, 1, T0 + 20,
                                                 &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_OUT_OF_ORDER));
  g_clear_error (&error);

  /* Without reg-id the instance alone does not replace anything. */
  moved.contact_uri = "sip:alice@203.0.113.5:7000;transport=tcp";
  moved.reg_id = 0;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-4", 1, &moved, 1, T0 + 30,
                                                &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 30), 3);

  /* Removing by instance and reg-id with expires 0. */
  flow2.contact_uri = "sip:alice@192.0.2.200:5999;transport=tcp";
  flow2.expires = 0;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-2", 2, &flow2, 1, T0 + 40,
                                                &error));
  ck_assert_ptr_null (error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 40), 2);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_path_source_kept)
{
  SipLocationService *service = new_memory_service ();
  const char *const path[] = { "<sip:edge1.example.com;lr>", "<sip:edge2.example.net;lr>", NULL };
  SipLocationUpdate update = make_update ("sip:alice@10.0.0.5:5060", 3600, -1.0);
  GPtrArray *bindings;
  const SipLocationBinding *binding;
  GError *error = NULL;

  update.path = path;
  update.source = "udp:192.0.2.1:5060";
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, &update, 1, T0, &error));
  ck_assert_ptr_null (error);

  bindings = sipservlet_location_service_lookup (service, AOR, T0);
  ck_assert_uint_eq (bindings->len, 1);
  binding = binding_at (bindings, 0);
  ck_assert_ptr_nonnull (binding->path);
  ck_assert_uint_eq (g_strv_length (binding->path), 2);
  ck_assert_str_eq (binding->path[0], "<sip:edge1.example.com;lr>");
  ck_assert_str_eq (binding->path[1], "<sip:edge2.example.net;lr>");
  ck_assert_ptr_ne (binding->path, (char **) path);
  ck_assert_str_eq (binding->source, "udp:192.0.2.1:5060");
  g_ptr_array_unref (bindings);

  /* A refresh through another edge proxy replaces the path. */
  update.path = NULL;
  update.source = "tcp:192.0.2.77:5060";
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 2, &update, 1, T0 + 1,
                                                &error));
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 1);
  ck_assert_ptr_null (binding_at (bindings, 0)->path);
  ck_assert_str_eq (binding_at (bindings, 0)->source, "tcp:192.0.2.77:5060");
  g_ptr_array_unref (bindings);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_expiry_by_time)
{
  SipLocationService *service = new_memory_service ();
  GError *error = NULL;

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 60, -1.0, T0);
  register_one (service, AOR, "call-2", 1, "sip:alice@192.0.2.2", 120, -1.0, T0);

  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 59), 2);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 60), 1);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 120), 0);
  /* Not purged yet: the AOR is still counted. */
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);

  /* An expired binding no longer exists: its Call-ID and CSeq do not make
   * a later REGISTER out of order, and an expires 0 for it is a no-op. */
  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 60, -1.0, T0 + 61);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 61), 2);
  ck_assert (sipservlet_location_service_remove_all (service, AOR, "call-1", 2, T0 + 200,
                                                     &error));
  ck_assert_ptr_null (error);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_purge_count)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate updates[] = {
    make_update ("sip:a@192.0.2.1", 10, -1.0),
    make_update ("sip:b@192.0.2.2", 20, -1.0),
    make_update ("sip:c@192.0.2.3", 30, -1.0),
  };
  GPtrArray *bindings;

  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 1, updates, 3, T0, NULL));
  register_one (service, "sip:bob@example.com", "call-2", 1, "sip:bob@192.0.2.9", 15, -1.0, T0);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 2);

  ck_assert_uint_eq (sipservlet_location_service_purge_expired (service, T0 + 5), 0);
  ck_assert_uint_eq (sipservlet_location_service_purge_expired (service, T0 + 20), 3);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);
  /* The survivor keeps its place and data. */
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 20);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:c@192.0.2.3");
  g_ptr_array_unref (bindings);
  ck_assert_uint_eq (sipservlet_location_service_purge_expired (service, T0 + 20), 0);
  ck_assert_uint_eq (sipservlet_location_service_purge_expired (service, T0 + 30), 1);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 0);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_repeated_contact_in_request)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate updates[] = {
    make_update ("sip:alice@192.0.2.1", 3600, 0.2),
    make_update ("sip:alice@192.0.2.1", 600, 0.7),
  };
  GPtrArray *bindings;
  GError *error = NULL;

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 100, -1.0, T0);
  /* The repeated contact is not out of order against its own entry. */
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 2, updates, 2, T0, &error));
  ck_assert_ptr_null (error);
  bindings = sipservlet_location_service_lookup (service, AOR, T0);
  ck_assert_uint_eq (bindings->len, 1);
  ck_assert_int_eq (binding_at (bindings, 0)->expires_at, T0 + 600);
  ck_assert_double_eq (binding_at (bindings, 0)->q, 0.7);
  g_ptr_array_unref (bindings);

  sipservlet_location_service_unref (service);
}
END_TEST

START_TEST (test_invalid_update)
{
  SipLocationService *service = new_memory_service ();
  SipLocationUpdate updates[] = {
    make_update ("sip:alice@192.0.2.1", 3600, -1.0),
    make_update ("sip:alice@192.0.2.2", 3600, 1.5),
  };
  GError *error = NULL;

  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-1", 1, updates, 2, T0, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  updates[1].q = NAN;
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-1", 1, updates, 2, T0, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  updates[1].q = 0.0;
  updates[1].contact_uri = "";
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-1", 1, updates, 2, T0, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  ck_assert_uint_eq (count_bindings (service, AOR, T0), 0);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 0);

  sipservlet_location_service_unref (service);
}
END_TEST

/* A minimal custom store: one hash table, with switches to fail. */
typedef struct {
  GHashTable *aors; /* aor -> GPtrArray of bindings */
  gboolean fail_replace;
  gboolean fail_lookup;
  guint replace_calls;
  gboolean *destroyed;
} TestStore;

static GPtrArray *
test_store_lookup (gpointer data, const char *aor, gint64 now)
{
  TestStore *self = data;
  GPtrArray *stored;
  GPtrArray *result;

  if (self->fail_lookup)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_location_binding_free);
  stored = g_hash_table_lookup (self->aors, aor);
  for (guint i = 0; stored != NULL && i < stored->len; i++) {
    const SipLocationBinding *binding = g_ptr_array_index (stored, i);

    if (binding->expires_at > now)
      g_ptr_array_add (result, sipservlet_location_binding_copy (binding));
  }
  return result;
}

static gboolean
test_store_replace_aor (gpointer data, const char *aor, GPtrArray *bindings, GError **error)
{
  TestStore *self = data;

  self->replace_calls++;
  if (self->fail_replace) {
    g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO, "connection lost");
    return FALSE;
  }
  if (bindings->len == 0)
    g_hash_table_remove (self->aors, aor);
  else
    /* The service does not touch the array after the call. */
    g_hash_table_replace (self->aors, g_strdup (aor), g_ptr_array_ref (bindings));
  return TRUE;
}

static guint
test_store_purge_expired (gpointer data, gint64 now)
{
  return 0;
}

static guint
test_store_count_aors (gpointer data)
{
  TestStore *self = data;

  return g_hash_table_size (self->aors);
}

static void
test_store_destroy (gpointer data)
{
  TestStore *self = data;

  *self->destroyed = TRUE;
  g_hash_table_unref (self->aors);
  g_free (self);
}

static const SipLocationStoreVTable test_store_vtable = {
  SIPSERVLET_LOCATION_STORE_VTABLE_INIT,
  .lookup = test_store_lookup,
  .replace_aor = test_store_replace_aor,
  .purge_expired = test_store_purge_expired,
  .count_aors = test_store_count_aors,
  .destroy = test_store_destroy,
};

static TestStore *
test_store_data_new (gboolean *destroyed)
{
  TestStore *self = g_new0 (TestStore, 1);

  self->aors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  self->destroyed = destroyed;
  return self;
}

START_TEST (test_custom_store_failure)
{
  gboolean destroyed = FALSE;
  TestStore *data = test_store_data_new (&destroyed);
  SipLocationStore *store;
  SipLocationService *service;
  SipLocationUpdate updates[] = {
    make_update ("sip:alice@192.0.2.1", 0, -1.0),
    make_update ("sip:alice@192.0.2.3", 3600, -1.0),
  };
  GPtrArray *bindings;
  GError *error = NULL;

  store = sipservlet_location_store_new (&test_store_vtable, data, &error);
  ck_assert_ptr_nonnull (store);
  ck_assert_ptr_null (error);
  service = sipservlet_location_service_new (store);
  ck_assert_ptr_eq (sipservlet_location_service_get_store (service), store);

  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  register_one (service, AOR, "call-1", 2, "sip:alice@192.0.2.2", 3600, 0.5, T0);
  ck_assert_uint_eq (data->replace_calls, 2);

  data->fail_replace = TRUE;
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-1", 3, updates, 2, T0 + 1,
                                                 &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_STORE));
  ck_assert_ptr_nonnull (strstr (error->message, "connection lost"));
  g_clear_error (&error);
  ck_assert (!sipservlet_location_service_remove_all (service, AOR, "call-1", 3, T0 + 1, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_STORE));
  g_clear_error (&error);

  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 1);
  ck_assert_uint_eq (bindings->len, 2);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:alice@192.0.2.1");
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:alice@192.0.2.2");
  g_ptr_array_unref (bindings);

  /* A store that cannot be read: apply fails, lookup is empty. */
  data->fail_lookup = TRUE;
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-1", 3, updates, 2, T0 + 1,
                                                 &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR, SIPSERVLET_LOCATION_ERROR_STORE));
  g_clear_error (&error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0 + 1), 0);

  /* Back to normal: the same request now succeeds. */
  data->fail_lookup = FALSE;
  data->fail_replace = FALSE;
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-1", 3, updates, 2, T0 + 1,
                                                &error));
  ck_assert_ptr_null (error);
  bindings = sipservlet_location_service_lookup (service, AOR, T0 + 1);
  ck_assert_uint_eq (bindings->len, 2);
  ck_assert_str_eq (binding_at (bindings, 0)->contact_uri, "sip:alice@192.0.2.3");
  ck_assert_str_eq (binding_at (bindings, 1)->contact_uri, "sip:alice@192.0.2.2");
  g_ptr_array_unref (bindings);
  ck_assert_uint_eq (sipservlet_location_service_count_aors (service), 1);

  /* The service holds its own reference to the store. */
  sipservlet_location_store_unref (store);
  ck_assert (!destroyed);
  sipservlet_location_service_unref (service);
  ck_assert (destroyed);
}
END_TEST

START_TEST (test_vtable_rejected)
{
  SipLocationStoreVTable vtable = test_store_vtable;
  gboolean destroyed = FALSE;
  TestStore *data = test_store_data_new (&destroyed);
  GError *error = NULL;

  /* Built against a newer header than the library. */
  vtable.struct_size = sizeof (SipLocationStoreVTable) + sizeof (gpointer);
  ck_assert_ptr_null (sipservlet_location_store_new (&vtable, data, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  /* Not initialised with SIPSERVLET_LOCATION_STORE_VTABLE_INIT. */
  vtable.struct_size = 0;
  ck_assert_ptr_null (sipservlet_location_store_new (&vtable, data, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  /* A mandatory member missing. */
  vtable = test_store_vtable;
  vtable.replace_aor = NULL;
  ck_assert_ptr_null (sipservlet_location_store_new (&vtable, data, &error));
  ck_assert (g_error_matches (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  /* The data stayed the caller's: destroy was never called. */
  ck_assert (!destroyed);
  test_store_destroy (data);
  ck_assert (destroyed);

  /* destroy is optional. */
  vtable = test_store_vtable;
  vtable.destroy = NULL;
  {
    SipLocationStore *store = sipservlet_location_store_new (&vtable, NULL, &error);

    ck_assert_ptr_nonnull (store);
    ck_assert_ptr_eq (sipservlet_location_store_ref (store), store);
    sipservlet_location_store_unref (store);
    sipservlet_location_store_unref (store);
  }
}
END_TEST

START_TEST (test_binding_copy_free)
{
  char *path[] = { "<sip:p1.example.com;lr>", NULL };
  SipLocationBinding binding = {
    SIPSERVLET_LOCATION_BINDING_INIT,
    .aor = AOR,
    .contact_uri = "sip:alice@192.0.2.1",
    .contact_text = "<sip:alice@192.0.2.1>;q=0.3",
    .expires_at = 5000,
    .registered_at = 1400,
    .q = 0.3,
    .call_id = "call-1",
    .cseq = 42,
    .instance_id = "\"<urn:uuid:1>\"",
    .reg_id = 3,
    .path = path,
    .source = "tls:192.0.2.1:5061",
    .user_agent = "ua",
  };
  SipLocationBinding *copy = sipservlet_location_binding_copy (&binding);
  SipLocationBinding *empty;
  SipLocationBinding *copy2;
  SipLocationBinding bare = { SIPSERVLET_LOCATION_BINDING_INIT, .q = -1.0 };

  ck_assert_ptr_nonnull (copy);
  ck_assert_uint_eq (copy->struct_size, sizeof (SipLocationBinding));
  ck_assert_str_eq (copy->aor, AOR);
  ck_assert_ptr_ne (copy->aor, binding.aor);
  ck_assert_str_eq (copy->contact_uri, binding.contact_uri);
  ck_assert_str_eq (copy->contact_text, binding.contact_text);
  ck_assert_int_eq (copy->expires_at, 5000);
  ck_assert_int_eq (copy->registered_at, 1400);
  ck_assert_double_eq (copy->q, 0.3);
  ck_assert_str_eq (copy->call_id, "call-1");
  ck_assert_uint_eq (copy->cseq, 42);
  ck_assert_str_eq (copy->instance_id, binding.instance_id);
  ck_assert_int_eq (copy->reg_id, 3);
  ck_assert_ptr_ne (copy->path, binding.path);
  ck_assert_uint_eq (g_strv_length (copy->path), 1);
  ck_assert_str_eq (copy->path[0], path[0]);
  ck_assert_str_eq (copy->source, binding.source);
  ck_assert_str_eq (copy->user_agent, "ua");

  /* A copy of a copy, then the free of both. */
  copy2 = sipservlet_location_binding_copy (copy);
  sipservlet_location_binding_free (copy);
  ck_assert_str_eq (copy2->path[0], path[0]);
  sipservlet_location_binding_free (copy2);

  /* NULL members stay NULL; free(NULL) is a no-op. */
  empty = sipservlet_location_binding_copy (&bare);
  ck_assert_ptr_null (empty->aor);
  ck_assert_ptr_null (empty->path);
  ck_assert_double_eq (empty->q, -1.0);
  sipservlet_location_binding_free (empty);
  sipservlet_location_binding_free (NULL);
}
END_TEST

START_TEST (test_error_quark)
{
  ck_assert_str_eq (g_quark_to_string (SIPSERVLET_LOCATION_ERROR),
                    "sipservlet-location-error-quark");
}
END_TEST

START_TEST (test_max_contacts)
{
  SipLocationService *service = new_memory_service ();
  GError *error = NULL;
  SipLocationUpdate third = make_update ("sip:alice@192.0.2.3", 3600, -1.0);

  sipservlet_location_service_set_max_contacts (service, 2);
  register_one (service, AOR, "call-1", 1, "sip:alice@192.0.2.1", 3600, -1.0, T0);
  register_one (service, AOR, "call-2", 1, "sip:alice@192.0.2.2", 3600, -1.0, T0);

  /* A third contact: refused, nothing changed. */
  ck_assert (!sipservlet_location_service_apply (service, AOR, "call-3", 1, &third, 1, T0,
                                                 &error));
  ck_assert (g_error_matches (error, SIPSERVLET_LOCATION_ERROR,
                              SIPSERVLET_LOCATION_ERROR_TOO_MANY_CONTACTS));
  g_clear_error (&error);
  ck_assert_uint_eq (count_bindings (service, AOR, T0), 2);

  /* Refreshing one is fine; replacing one (remove + add) too. */
  register_one (service, AOR, "call-1", 2, "sip:alice@192.0.2.1", 1800, -1.0, T0);
  SipLocationUpdate swap[] = {
    make_update ("sip:alice@192.0.2.2", 0, -1.0),
    make_update ("sip:alice@192.0.2.3", 3600, -1.0),
  };
  ck_assert (sipservlet_location_service_apply (service, AOR, "call-2", 2, swap,
                                                G_N_ELEMENTS (swap), T0, &error));
  ck_assert_uint_eq (count_bindings (service, AOR, T0), 2);

  /* A limit lowered below what is stored still lets refreshes through. */
  sipservlet_location_service_set_max_contacts (service, 1);
  register_one (service, AOR, "call-1", 3, "sip:alice@192.0.2.1", 1800, -1.0, T0);
  /* 0: no limit. */
  sipservlet_location_service_set_max_contacts (service, 0);
  register_one (service, AOR, "call-4", 1, "sip:alice@192.0.2.4", 3600, -1.0, T0);
  ck_assert_uint_eq (count_bindings (service, AOR, T0), 3);
  sipservlet_location_service_unref (service);
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *suite = suite_create ("location");
  TCase *tc = tcase_create ("service");

  tcase_add_test (tc, test_add_refresh_remove);
  tcase_add_test (tc, test_expires_zero_unknown_contact);
  tcase_add_test (tc, test_q_ordering);
  tcase_add_test (tc, test_out_of_order_nothing_applied);
  tcase_add_test (tc, test_new_call_id_lower_cseq);
  tcase_add_test (tc, test_remove_all);
  tcase_add_test (tc, test_remove_all_out_of_order);
  tcase_add_test (tc, test_instance_reg_id_replacement);
  tcase_add_test (tc, test_path_source_kept);
  tcase_add_test (tc, test_expiry_by_time);
  tcase_add_test (tc, test_purge_count);
  tcase_add_test (tc, test_repeated_contact_in_request);
  tcase_add_test (tc, test_invalid_update);
  tcase_add_test (tc, test_custom_store_failure);
  tcase_add_test (tc, test_vtable_rejected);
  tcase_add_test (tc, test_binding_copy_free);
  tcase_add_test (tc, test_error_quark);
  tcase_add_test (tc, test_max_contacts);
  suite_add_tcase (suite, tc);
  return suite;
}

SIPSERVLET_CHECK_MAIN (make_suite)
