/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the session layer's part of JSR 289 SipSessionsUtil and
 * request targeting: lookups by id and by key, application-session ids,
 * encoded URIs, the dialog a Join or Replaces names, the corresponding
 * session, and the serialisable attributes of application sessions. */
#include <sipservlet/sipservlet.h>

#include <string.h>

#include "check-main.h"
#include "unit-helpers.h"

#define INVITE_TEXT                                                           \
  "INVITE sip:bob@example.com SIP/2.0" CRLF                                   \
  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-su1" CRLF                   \
  "Max-Forwards: 70" CRLF                                                     \
  "From: <sip:alice@example.com>;tag=rt" CRLF                                 \
  "To: <sip:bob@example.com>" CRLF                                            \
  "Call-ID: c1" CRLF                                                          \
  "CSeq: 1 INVITE" CRLF                                                       \
  "Contact: <sip:alice@192.0.2.1:5060>" CRLF                                  \
  "Content-Length: 0" CRLF CRLF

static SipContainer *container;
static SipsvSessionManager *manager;
/* References the tests hold, released by the fixture so that a failing
 * assertion (which leaves the test early) does not leak them. */
static GPtrArray *held_sessions;
static GPtrArray *held_apps;
/* What the application_session_destroyed listener found by id and key. */
static SipApplicationSession *found_while_destroyed;
static guint destroyed;

static void
on_app_destroyed (SipApplicationSession *app, gpointer user_data)
{
  destroyed++;
  /* Through the manager: the fixture's container pointer is already
   * NULL when the container's release invalidates what is left. */
  found_while_destroyed = sipsv_session_manager_find_application_session (
      manager, sipservlet_application_session_get_id (app));
  if (found_while_destroyed == NULL)
    found_while_destroyed = sipsv_session_manager_find_by_key (manager, "app1", "k");
}

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
  .application_session_destroyed = on_app_destroyed,
};

static void
setup (void)
{
  held_sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_session_unref);
  held_apps
      = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_application_session_unref);
  container = unit_container_new ();
  manager = &container->runtime.sessions;
  found_while_destroyed = NULL;
  destroyed = 0;
  ck_assert (sipservlet_container_add_listeners (container, &listeners, NULL, NULL));
}

static void
teardown (void)
{
  unit_defer_flush ();
  g_clear_pointer (&container, sipservlet_container_unref);
  manager = NULL;
  g_clear_pointer (&held_sessions, g_ptr_array_unref);
  g_clear_pointer (&held_apps, g_ptr_array_unref);
}

static SipApplicationSession *
new_app (void)
{
  SipApplicationSession *app = sipsv_application_session_new (manager);
  ck_assert_ptr_nonnull (app);
  g_ptr_array_add (held_apps, sipservlet_application_session_ref (app));
  return app;
}

static SipSession *
new_session (SipApplicationSession *app, gboolean uac, const char *call_id, const char *local_tag)
{
  SipSession *session = sipsv_session_new (app, uac, call_id, local_tag, NULL, NULL);
  ck_assert_ptr_nonnull (session);
  g_ptr_array_add (held_sessions, session);
  /* Kept until the test invalidates it, whatever its state. */
  sipservlet_session_set_invalidate_when_ready (session, FALSE);
  return session;
}

/* A registered dialog (call_id, local_tag, remote_tag) in state, created
 * by an INVITE or not; uac: this UA sent the initial request. */
static SipSession *
new_dialog (gboolean uac, const char *call_id, const char *local_tag, const char *remote_tag,
            SipSessionState state, gboolean invite)
{
  SipSession *session = new_session (new_app (), uac, call_id, local_tag);
  session->dialog_method = TRUE;
  session->invite_dialog = invite;
  sipsv_session_set_remote_tag (session, remote_tag);
  sipsv_session_register_dialog (session);
  sipsv_session_set_state (session, state);
  return session;
}

/* find_dialog_target that also checks status and phrase. */
static SipSession *
target (const char *header, const char *value, guint expected_status, const char *expected_phrase)
{
  guint status = 12345;
  const char *phrase = "unset";
  SipSession *found
      = sipsv_session_manager_find_dialog_target (manager, header, value, &status, &phrase);
  ck_assert_msg (status == expected_status, "%s: %s: status %u, expected %u", header,
                 value ? value : "(null)", status, expected_status);
  if (expected_phrase == NULL)
    ck_assert_ptr_null (phrase);
  else
    ck_assert_str_eq (phrase, expected_phrase);
  if (expected_status != 0)
    ck_assert_ptr_null (found);
  return found;
}

#define NO_DIALOG "Call/Transaction Does Not Exist"

/* ---- ids ---------------------------------------------------------------------- */

static gboolean
is_hex (const char *s, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]) || g_ascii_isupper (s[i]))
      return FALSE;
  return TRUE;
}

START_TEST (test_app_session_ids_unguessable)
{
  /* More than one refill of the kernel bytes (32 ids each). */
  const guint n = 100;
  GHashTable *randoms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < n; i++)
    {
      const char *id = sipservlet_application_session_get_id (new_app ());
      gsize len = strlen (id);
      /* as-<16 hex digits>-<counter> */
      ck_assert_msg (g_str_has_prefix (id, "as-"), "%s", id);
      ck_assert_msg (len > 3 + 16 + 1 && id[3 + 16] == '-', "%s", id);
      ck_assert_msg (is_hex (id + 3, 16), "%s", id);
      const char *counter = id + 3 + 16 + 1;
      ck_assert_uint_eq (len, 3 + 16 + 1 + strlen (counter));
      for (const char *c = counter; *c != '\0'; c++)
        ck_assert (g_ascii_isdigit (*c));
      /* Short, and a token: it goes in URI parameters as it is. */
      ck_assert_uint_le (len, 40);
      g_hash_table_add (randoms, g_strndup (id + 3, 16));
    }
  /* Every random part differs from every other. */
  ck_assert_uint_eq (g_hash_table_size (randoms), n);
  g_hash_table_unref (randoms);

  /* Two ids in a row share nothing but the prefix and a counter step. */
  const char *a = sipservlet_application_session_get_id (new_app ());
  const char *b = sipservlet_application_session_get_id (new_app ());
  ck_assert_str_ne (a, b);
  ck_assert (strncmp (a + 3, b + 3, 16) != 0);

  /* Session ids keep their short form. */
  SipSession *s = new_session (new_app (), FALSE, "c-id", "lt");
  ck_assert (g_str_has_prefix (sipservlet_session_get_id (s), "ss-"));
}
END_TEST

START_TEST (test_lookup_by_id)
{
  SipApplicationSession *app = new_app ();
  SipSession *s1 = new_session (app, FALSE, "c-l1", "lt1");
  SipSession *s2 = new_session (app, TRUE, "c-l2", "lt2");
  const char *app_id = sipservlet_application_session_get_id (app);

  ck_assert_ptr_eq (sipservlet_container_get_application_session (container, app_id), app);
  ck_assert_ptr_eq (sipservlet_container_get_session (container, sipservlet_session_get_id (s1)),
                    s1);
  ck_assert_ptr_eq (sipservlet_container_get_session (container, sipservlet_session_get_id (s2)),
                    s2);
  /* Each kind of id in its own table. */
  ck_assert_ptr_null (sipservlet_container_get_session (container, app_id));
  ck_assert_ptr_null (
      sipservlet_container_get_application_session (container, sipservlet_session_get_id (s1)));
  ck_assert_ptr_null (sipservlet_container_get_application_session (container, "as-0-1"));
  ck_assert_ptr_null (sipservlet_container_get_session (container, ""));

  /* An invalidated session leaves; its application session stays. */
  ck_assert (sipservlet_session_invalidate (s1, NULL));
  ck_assert_ptr_null (sipservlet_container_get_session (container, sipservlet_session_get_id (s1)));
  ck_assert_ptr_eq (sipservlet_container_get_application_session (container, app_id), app);

  /* An invalidated application session leaves with its sessions, and is
   * not found by its own destroyed listener. */
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (destroyed, 1);
  ck_assert_ptr_null (found_while_destroyed);
  ck_assert_ptr_null (sipservlet_container_get_application_session (container, app_id));
  ck_assert_ptr_null (sipservlet_container_get_session (container, sipservlet_session_get_id (s2)));

  /* Misuse. */
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  ck_assert_ptr_null (sipservlet_container_get_session (container, NULL));
  ck_assert_ptr_null (sipservlet_container_get_application_session (NULL, "x"));
  ck_assert_uint_eq (catcher.criticals, 2);
  unit_log_catcher_end (&catcher);
}
END_TEST

/* Ids enter the lookup tables when first handed out (get_id, encodeURI):
 * sessions whose ids nobody reads (a REGISTER's) never touch them, and
 * an id first read after invalidation finds nothing. */
START_TEST (test_ids_published_when_handed_out)
{
  SipApplicationSession *app = new_app ();
  SipSession *unread = new_session (app, FALSE, "c-p1", "pt1");
  SipSession *read = new_session (app, FALSE, "c-p2", "pt2");

  ck_assert_uint_eq (g_hash_table_size (manager->session_ids), 0);
  ck_assert_uint_eq (g_hash_table_size (manager->app_session_ids), 0);

  const char *id = sipservlet_session_get_id (read);
  ck_assert_ptr_nonnull (id);
  ck_assert (g_str_has_prefix (id, "ss-"));
  ck_assert_ptr_eq (sipservlet_session_get_id (read), id);        /* the same string */
  ck_assert_uint_eq (g_hash_table_size (manager->session_ids), 1);
  ck_assert_ptr_eq (sipservlet_container_get_session (container, id), read);

  /* Read first once invalidated: an id, found nowhere. */
  ck_assert (sipservlet_session_invalidate (unread, NULL));
  const char *late = sipservlet_session_get_id (unread);
  ck_assert_ptr_nonnull (late);
  ck_assert (g_str_has_prefix (late, "ss-"));
  ck_assert_str_ne (late, id);
  ck_assert_ptr_null (sipservlet_container_get_session (container, late));
  ck_assert_uint_eq (g_hash_table_size (manager->session_ids), 1);

  /* encodeURI hands out the application session's id. */
  SipURI *uri = unit_defer (sipservlet_uri_parse ("sip:alice@example.com", NULL),
                            (GDestroyNotify) sipservlet_uri_unref);
  SipURI *encoded = unit_defer (sipservlet_application_session_encode_uri (app, uri),
                                (GDestroyNotify) sipservlet_uri_unref);
  ck_assert_uint_eq (g_hash_table_size (manager->app_session_ids), 1);
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, encoded), app);

  /* Invalidation empties both tables. */
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (g_hash_table_size (manager->session_ids), 0);
  ck_assert_uint_eq (g_hash_table_size (manager->app_session_ids), 0);
  ck_assert_ptr_null (sipservlet_container_get_session (container, id));

  /* An application session whose id is first read once invalidated. */
  SipApplicationSession *other = new_app ();
  ck_assert (sipservlet_application_session_invalidate (other, NULL));
  const char *other_id = sipservlet_application_session_get_id (other);
  ck_assert (g_str_has_prefix (other_id, "as-"));
  ck_assert_ptr_null (sipservlet_container_get_application_session (container, other_id));
  ck_assert_uint_eq (g_hash_table_size (manager->app_session_ids), 0);
}
END_TEST

/* ---- keys --------------------------------------------------------------------- */

START_TEST (test_keys)
{
  SipApplicationSession *a = new_app ();
  SipApplicationSession *b = new_app ();
  SipApplicationSession *c = new_app ();

  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "app1", "k"));
  ck_assert (sipsv_session_manager_bind_key (manager, a, "app1", "k"));
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app1", "k"), a);
  ck_assert_ptr_eq (sipservlet_container_get_application_session_by_key (container, "app1", "k"),
                    a);
  /* The same binding again. */
  ck_assert (sipsv_session_manager_bind_key (manager, a, "app1", "k"));
  /* A key bound to a live application session is refused to another. */
  ck_assert (!sipsv_session_manager_bind_key (manager, b, "app1", "k"));
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app1", "k"), a);
  /* Keys are per application. */
  ck_assert (sipsv_session_manager_bind_key (manager, b, "app2", "k"));
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app2", "k"), b);
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app1", "k"), a);
  /* One key per application session. */
  ck_assert (!sipsv_session_manager_bind_key (manager, a, "app1", "k2"));
  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "app1", "k2"));
  /* No pair reads as another. */
  ck_assert (sipsv_session_manager_bind_key (manager, c, "x:y", "z"));
  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "x", "y:z"));
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "x:y", "z"), c);
  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "app1", ""));
  ck_assert_ptr_null (sipservlet_container_get_application_session_by_key (container, "App1", "k"));

  /* Invalidation unbinds, and the key is free again. */
  ck_assert (sipservlet_application_session_invalidate (a, NULL));
  ck_assert_ptr_null (found_while_destroyed);
  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "app1", "k"));
  ck_assert_ptr_null (sipservlet_container_get_application_session_by_key (container, "app1", "k"));
  ck_assert (!sipsv_session_manager_bind_key (manager, a, "app1", "k"));
  SipApplicationSession *d = new_app ();
  ck_assert (sipsv_session_manager_bind_key (manager, d, "app1", "k"));
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app1", "k"), d);

  /* The others keep theirs; the container releases everything. */
  ck_assert_ptr_eq (sipsv_session_manager_find_by_key (manager, "app2", "k"), b);
  ck_assert (sipservlet_application_session_invalidate (b, NULL));
  ck_assert_ptr_null (sipsv_session_manager_find_by_key (manager, "app2", "k"));
}
END_TEST

/* ---- encoded URIs --------------------------------------------------------------- */

/* Encodes text for app, then reads the URI back from its text. */
static SipURI *
encode_round_trip (SipApplicationSession *app, const char *text)
{
  SipURI *uri
      = unit_defer (sipservlet_uri_parse (text, NULL), (GDestroyNotify) sipservlet_uri_unref);
  ck_assert_ptr_nonnull (uri);
  SipURI *encoded = sipservlet_application_session_encode_uri (app, uri);
  ck_assert_ptr_nonnull (encoded);
  unit_defer (encoded, (GDestroyNotify) sipservlet_uri_unref);
  /* The original is not changed. */
  ck_assert_ptr_null (sipservlet_uri_get_parameter (uri, "sipsv-as"));
  ck_assert_str_eq (sipservlet_uri_get_parameter (encoded, "sipsv-as"),
                    sipservlet_application_session_get_id (app));

  char *written = sipservlet_uri_to_string (encoded);
  char *expected = g_strconcat ("sipsv-as=", sipservlet_application_session_get_id (app), NULL);
  ck_assert_msg (strstr (written, expected) != NULL, "%s", written);
  g_free (expected);
  GError *error = NULL;
  SipURI *parsed = sipservlet_uri_parse (written, &error);
  UNIT_ASSERT_NO_ERROR (error);
  g_free (written);
  return unit_defer (parsed, (GDestroyNotify) sipservlet_uri_unref);
}

START_TEST (test_encode_uri)
{
  SipApplicationSession *app = new_app ();
  SipApplicationSession *other = new_app ();

  SipURI *parsed = encode_round_trip (app, "sip:alice@example.com:5070;transport=tcp");
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, parsed), app);
  ck_assert_str_eq (sipservlet_uri_get_transport_param (parsed), "tcp");
  ck_assert_int_eq (sipservlet_uri_get_port (parsed), 5070);

  /* sips and tel too; the other application session has its own. */
  SipURI *secure = encode_round_trip (other, "sips:bob@example.com;lr");
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, secure), other);
  ck_assert (sipservlet_uri_get_lr_param (secure));
  SipURI *tel = encode_round_trip (app, "tel:+15551234567");
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, tel), app);

  /* Encoding twice replaces the parameter. */
  SipURI *twice = sipservlet_application_session_encode_uri (other, parsed);
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, twice), other);
  sipservlet_uri_unref (twice);

  /* No parameter, an unknown or a forged id. */
  SipURI *plain = unit_defer (sipservlet_uri_parse ("sip:alice@example.com", NULL),
                              (GDestroyNotify) sipservlet_uri_unref);
  ck_assert_ptr_null (sipsv_session_manager_find_encoded (manager, plain));
  SipURI *forged
      = unit_defer (sipservlet_uri_clone (parsed), (GDestroyNotify) sipservlet_uri_unref);
  char *id = g_strdup (sipservlet_application_session_get_id (app));
  id[3] = id[3] == '0' ? '1' : '0';
  ck_assert (sipservlet_uri_set_parameter (forged, "sipsv-as", id, NULL));
  g_free (id);
  ck_assert_ptr_null (sipsv_session_manager_find_encoded (manager, forged));
  ck_assert (sipservlet_uri_set_parameter (forged, "sipsv-as", NULL, NULL));
  ck_assert_ptr_null (sipsv_session_manager_find_encoded (manager, forged));

  /* A URI that takes no parameters. */
  SipURI *opaque = sipservlet_uri_parse ("mailto:alice@example.com", NULL);
  if (opaque != NULL)
    {
      ck_assert_ptr_null (sipservlet_application_session_encode_uri (app, opaque));
      sipservlet_uri_unref (opaque);
    }

  /* An invalidated application session is no longer a target. */
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_ptr_null (sipsv_session_manager_find_encoded (manager, parsed));
  ck_assert_ptr_null (sipsv_session_manager_find_encoded (manager, tel));
  ck_assert_ptr_null (sipservlet_application_session_encode_uri (app, plain));
  ck_assert_ptr_eq (sipsv_session_manager_find_encoded (manager, secure), other);
}
END_TEST

/* ---- Join and Replaces ----------------------------------------------------------- */

START_TEST (test_dialog_target_parse_errors)
{
  SipSession *s = new_dialog (FALSE, "c1", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  static const char *const bad[] = {
    "",
    "   ",
    ";to-tag=lt;from-tag=rt",             /* no Call-ID */
    "c1",                                 /* no tags */
    "c1;to-tag=lt",                       /* no from-tag */
    "c1;from-tag=rt",                     /* no to-tag */
    "c1;to-tag=;from-tag=rt",             /* empty value */
    "c1;to-tag=\"\";from-tag=rt",         /* empty quoted value */
    "c1;to-tag=\"l t\";from-tag=rt",      /* a quoted tag that is no token */
    "c1;to-tag;from-tag=rt",              /* a flag */
    "c1;to-tag=lt;to-tag=lt;from-tag=rt", /* twice */
    "c1;to-tag=lt;from-tag=rt junk",      /* trailing text */
    "c1;to-tag=lt;from-tag=rt;",          /* empty parameter */
    "c1@;to-tag=lt;from-tag=rt",          /* empty word after @ */
    "@c1;to-tag=lt;from-tag=rt",          /* empty word before @ */
    "c1@a@b;to-tag=lt;from-tag=rt",       /* two @ */
    "c\x01;to-tag=lt;from-tag=rt",        /* not a word */
    "c1;to-tag=\"lt;from-tag=rt",         /* unterminated quote */
    "c1,c2;to-tag=lt;from-tag=rt",        /* a list */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      target ("Replaces", bad[i], 400, "Bad Replaces Header");
      target ("Join", bad[i], 400, "Bad Join Header");
    }
  target ("Replaces", NULL, 400, "Bad Replaces Header");
  /* The same dialog well written is found. */
  ck_assert_ptr_eq (target ("Replaces", "c1;to-tag=lt;from-tag=rt", 0, NULL), s);

  /* Neither Join nor Replaces is a programming error. */
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  ck_assert_ptr_null (sipsv_session_manager_find_dialog_target (
      manager, "Also", "c1;to-tag=lt;from-tag=rt", NULL, NULL));
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
}
END_TEST

START_TEST (test_dialog_target_forms)
{
  SipSession *s = new_dialog (FALSE, "c1", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  SipSession *at = new_dialog (TRUE, "a.b-1@host.example", "Lt2", "Rt2",
                               SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  static const char *const forms[] = {
    "c1;to-tag=lt;from-tag=rt",
    "c1;from-tag=rt;to-tag=lt",                /* any order */
    "  c1 ; TO-TAG = lt ; From-Tag=rt  ",      /* white space, any case */
    "c1;to-tag=\"lt\";from-tag=\"rt\"",        /* quoted */
    "c1;x-other=1;to-tag=lt;flag;from-tag=rt", /* other parameters */
  };

  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      ck_assert_ptr_eq (target ("Replaces", forms[i], 0, NULL), s);
      ck_assert_ptr_eq (target ("Join", forms[i], 0, NULL), s);
    }
  /* The header name in any case. */
  ck_assert_ptr_eq (target ("replaces", forms[0], 0, NULL), s);
  ck_assert_ptr_eq (target ("JOIN", forms[0], 0, NULL), s);
  /* Call-IDs with '@'; Call-IDs and tags compare with case. */
  ck_assert_ptr_eq (target ("Replaces", "a.b-1@host.example;to-tag=Lt2;from-tag=Rt2", 0, NULL), at);
  target ("Replaces", "A.b-1@host.example;to-tag=Lt2;from-tag=Rt2", 481, NO_DIALOG);
  target ("Replaces", "a.b-1@host.example;to-tag=lt2;from-tag=Rt2", 481, NO_DIALOG);
  /* Status and phrase are optional. */
  ck_assert_ptr_eq (
      sipsv_session_manager_find_dialog_target (manager, "Replaces", forms[0], NULL, NULL), s);
  ck_assert_ptr_null (
      sipsv_session_manager_find_dialog_target (manager, "Replaces", "", NULL, NULL));
}
END_TEST

START_TEST (test_dialog_target_statuses)
{
  /* Confirmed, we were its UAS. */
  SipSession *uas = new_dialog (FALSE, "c1", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  ck_assert_ptr_eq (target ("Replaces", "c1;to-tag=lt;from-tag=rt", 0, NULL), uas);
  ck_assert_ptr_eq (target ("Join", "c1;to-tag=lt;from-tag=rt", 0, NULL), uas);
  /* No such dialog; the tags read the wrong way round (to-tag is ours). */
  target ("Replaces", "c9;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  target ("Join", "c9;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  target ("Replaces", "c1;to-tag=rt;from-tag=lt", 481, NO_DIALOG);
  target ("Join", "c1;to-tag=rt;from-tag=lt", 481, NO_DIALOG);
  /* early-only and the call was answered. */
  target ("Replaces", "c1;to-tag=lt;from-tag=rt;early-only", 486, "Busy Here");
  /* Join has no early-only. */
  ck_assert_ptr_eq (target ("Join", "c1;to-tag=lt;from-tag=rt;early-only", 0, NULL), uas);

  /* Early, we are its UAS: not ours to replace (RFC 3891 §3), but to join. */
  SipSession *early_uas
      = new_dialog (FALSE, "c2", "lt", "rt", SIPSERVLET_SESSION_STATE_EARLY, TRUE);
  target ("Replaces", "c2;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  target ("Replaces", "c2;to-tag=lt;from-tag=rt;early-only", 481, NO_DIALOG);
  ck_assert_ptr_eq (target ("Join", "c2;to-tag=lt;from-tag=rt", 0, NULL), early_uas);
  /* Before any provisional response, likewise. */
  SipSession *new_uas
      = new_dialog (FALSE, "c3", "lt", "rt", SIPSERVLET_SESSION_STATE_INITIAL, TRUE);
  target ("Replaces", "c3;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  ck_assert_ptr_eq (target ("Join", "c3;to-tag=lt;from-tag=rt", 0, NULL), new_uas);

  /* Early, we initiated it (call pickup): replaceable, early-only too. */
  SipSession *early_uac = new_dialog (TRUE, "c4", "lt", "rt", SIPSERVLET_SESSION_STATE_EARLY, TRUE);
  ck_assert_ptr_eq (target ("Replaces", "c4;to-tag=lt;from-tag=rt", 0, NULL), early_uac);
  ck_assert_ptr_eq (target ("Replaces", "c4;to-tag=lt;from-tag=rt;early-only", 0, NULL), early_uac);
  ck_assert_ptr_eq (target ("Join", "c4;to-tag=lt;from-tag=rt", 0, NULL), early_uac);
  /* Once answered, early-only refuses it. */
  sipsv_session_set_state (early_uac, SIPSERVLET_SESSION_STATE_CONFIRMED);
  target ("Replaces", "c4;to-tag=lt;from-tag=rt;early-only", 486, "Busy Here");

  /* A dialog no INVITE created (SUBSCRIBE, REFER). */
  new_dialog (FALSE, "c5", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, FALSE);
  target ("Replaces", "c5;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  target ("Join", "c5;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  /* ... unless its initial request says otherwise (a B2BUA's session for
   * an extra 2xx does not carry the flag). */
  SipSession *derived
      = new_dialog (FALSE, "c1", "lt2", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, FALSE);
  derived->initial_request = unit_request_new (container, INVITE_TEXT, TRUE);
  ck_assert_ptr_eq (target ("Replaces", "c1;to-tag=lt2;from-tag=rt", 0, NULL), derived);

  /* A proxied dialog is not ours. */
  SipSession *proxied
      = new_dialog (FALSE, "c6", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  proxied->proxy = TRUE;
  target ("Replaces", "c6;to-tag=lt;from-tag=rt", 481, NO_DIALOG);

  /* Terminated while its session lives: Replaces 603, Join 481. */
  sipsv_session_set_state (uas, SIPSERVLET_SESSION_STATE_TERMINATED);
  target ("Replaces", "c1;to-tag=lt;from-tag=rt", 603, "Declined");
  target ("Replaces", "c1;to-tag=lt;from-tag=rt;early-only", 603, "Declined");
  target ("Join", "c1;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  /* Terminated early (a UAS's non-2xx final response). */
  sipsv_session_set_state (early_uas, SIPSERVLET_SESSION_STATE_TERMINATED);
  target ("Replaces", "c2;to-tag=lt;from-tag=rt", 603, "Declined");
  target ("Join", "c2;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  /* Invalidated: forgotten. */
  ck_assert (sipservlet_session_invalidate (uas, NULL));
  target ("Replaces", "c1;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  ck_assert (sipservlet_session_invalidate (early_uac, NULL));
  target ("Replaces", "c4;to-tag=lt;from-tag=rt", 481, NO_DIALOG);
  /* The other dialog of the call is still there. */
  ck_assert_ptr_eq (target ("Replaces", "c1;to-tag=lt2;from-tag=rt", 0, NULL), derived);
}
END_TEST

/* ---- corresponding session -------------------------------------------------------- */

START_TEST (test_corresponding_session)
{
  SipSession *old_call
      = new_dialog (FALSE, "c1", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  SipSession *joined
      = new_dialog (FALSE, "c2", "lt", "rt", SIPSERVLET_SESSION_STATE_CONFIRMED, TRUE);
  SipSession *replacing = new_session (new_app (), FALSE, "c3", "lt");
  SipSession *joining = new_session (new_app (), FALSE, "c4", "lt");
  SipSession *plain = new_session (new_app (), FALSE, "c5", "lt");

  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (replacing, "Replaces"));
  sipsv_session_set_corresponding (replacing, SIPSERVLET_TARGETED_REPLACES, old_call);
  sipsv_session_set_corresponding (joining, SIPSERVLET_TARGETED_JOIN, joined);

  ck_assert_ptr_eq (sipservlet_session_get_corresponding_session (replacing, "Replaces"), old_call);
  ck_assert_ptr_eq (sipservlet_session_get_corresponding_session (replacing, "replaces"), old_call);
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (replacing, "Join"));
  ck_assert_ptr_eq (sipservlet_session_get_corresponding_session (joining, "JOIN"), joined);
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (joining, "Replaces"));
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (plain, "Join"));
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (plain, "Replaces"));

  /* The replaced call ends; its session is still given, invalid. */
  ck_assert (sipservlet_session_invalidate (old_call, NULL));
  ck_assert_ptr_eq (sipservlet_session_get_corresponding_session (replacing, "Replaces"), old_call);
  ck_assert (!sipservlet_session_is_valid (old_call));
  /* The new session going drops the link. */
  ck_assert (sipservlet_session_invalidate (replacing, NULL));
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (replacing, "Replaces"));
  /* An invalidated session takes no new link. */
  sipsv_session_set_corresponding (replacing, SIPSERVLET_TARGETED_REPLACES, joined);
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (replacing, "Replaces"));

  /* Other header names and types are programming errors. */
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (joining, "Referred-By"));
  sipsv_session_set_corresponding (plain, SIPSERVLET_TARGETED_ENCODED_URI, joined);
  sipsv_session_set_corresponding (plain, SIPSERVLET_TARGETED_JOIN, plain);
  ck_assert_uint_eq (catcher.criticals, 3);
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (sipservlet_session_get_corresponding_session (plain, "Join"));
}
END_TEST

/* ---- serialisable attributes -------------------------------------------------------- */

static guint bytes_freed;

/* Bytes whose memory release is counted in bytes_freed. */
static GBytes *
counted_bytes (const char *text)
{
  return g_bytes_new_with_free_func (text, strlen (text), unit_count_destroy, &bytes_freed);
}

START_TEST (test_variant_attributes)
{
  SipApplicationSession *app = new_app ();

  ck_assert (sipservlet_application_session_is_serializable (app));
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "n"));

  /* A floating value is taken over. */
  GVariant *floating = g_variant_new_int32 (5);
  sipservlet_application_session_set_attribute_variant (app, "n", floating);
  GVariant *got = sipservlet_application_session_get_attribute_variant (app, "n");
  ck_assert_ptr_eq (got, floating);
  ck_assert (!g_variant_is_floating (got));
  ck_assert_int_eq (g_variant_get_int32 (got), 5);
  /* Each kind is read by its own getter. */
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "n"));
  const char *type_name = "unset";
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_bytes (app, "n", &type_name));
  ck_assert_ptr_null (type_name);
  ck_assert (sipservlet_application_session_is_serializable (app));

  /* A value the caller keeps: a reference is added. */
  GVariant *kept = g_variant_ref_sink (g_variant_new_string ("kept"));
  sipservlet_application_session_set_attribute_variant (app, "s", kept);
  g_variant_unref (kept);
  ck_assert_str_eq (
      g_variant_get_string (sipservlet_application_session_get_attribute_variant (app, "s"), NULL),
      "kept");

  /* Replacement and removal release the value. */
  bytes_freed = 0;
  GBytes *payload = counted_bytes ("abc");
  sipservlet_application_session_set_attribute_variant (
      app, "s", g_variant_new_from_bytes (G_VARIANT_TYPE ("ay"), payload, TRUE));
  g_bytes_unref (payload);
  ck_assert_uint_eq (
      g_variant_n_children (sipservlet_application_session_get_attribute_variant (app, "s")), 3);
  sipservlet_application_session_set_attribute_variant (app, "s", g_variant_new_boolean (TRUE));
  ck_assert_uint_eq (bytes_freed, 1);
  ck_assert (
      g_variant_get_boolean (sipservlet_application_session_get_attribute_variant (app, "s")));
  sipservlet_application_session_set_attribute_variant (app, "s", NULL);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "s"));
  ck_assert_int_eq (
      g_variant_get_int32 (sipservlet_application_session_get_attribute_variant (app, "n")), 5);

  /* Invalidation releases them; setting then is a programming error that
   * still consumes a floating value (valgrind checks). */
  payload = counted_bytes ("xyz");
  sipservlet_application_session_set_attribute_variant (
      app, "t", g_variant_new_from_bytes (G_VARIANT_TYPE ("ay"), payload, TRUE));
  g_bytes_unref (payload);
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (bytes_freed, 2);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "n"));
  ck_assert (sipservlet_application_session_is_serializable (app));
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  sipservlet_application_session_set_attribute_variant (app, "n", g_variant_new_int32 (1));
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "n"));
}
END_TEST

START_TEST (test_bytes_attributes)
{
  SipApplicationSession *app = new_app ();
  const char *type_name = "unset";

  bytes_freed = 0;
  GBytes *value = counted_bytes ("serialised");
  sipservlet_application_session_set_attribute_bytes (app, "b", "com.example.Cart", value);
  g_bytes_unref (value);
  ck_assert_uint_eq (bytes_freed, 0);
  GBytes *got = sipservlet_application_session_get_attribute_bytes (app, "b", &type_name);
  ck_assert_ptr_eq (got, value);
  ck_assert_str_eq (type_name, "com.example.Cart");
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute_bytes (app, "b", NULL), value);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "b"));
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "b"));
  ck_assert (sipservlet_application_session_is_serializable (app));

  /* Without a type name; replacing releases the old bytes. */
  GBytes *other = g_bytes_new_static ("x", 1);
  sipservlet_application_session_set_attribute_bytes (app, "b", NULL, other);
  ck_assert_uint_eq (bytes_freed, 1);
  type_name = "unset";
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute_bytes (app, "b", &type_name),
                    other);
  ck_assert_ptr_null (type_name);
  /* Removal. */
  sipservlet_application_session_set_attribute_bytes (app, "b", "ignored", NULL);
  type_name = "unset";
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_bytes (app, "b", &type_name));
  ck_assert_ptr_null (type_name);
  g_bytes_unref (other);

  /* Invalidation releases them; setting then is a programming error. */
  value = counted_bytes ("again");
  sipservlet_application_session_set_attribute_bytes (app, "b", "t", value);
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (bytes_freed, 1);
  g_bytes_unref (value);
  ck_assert_uint_eq (bytes_freed, 2);
  UnitLogCatcher catcher;
  unit_log_catcher_begin (&catcher);
  value = counted_bytes ("late");
  sipservlet_application_session_set_attribute_bytes (app, "b", "t", value);
  ck_assert_uint_eq (catcher.criticals, 1);
  unit_log_catcher_end (&catcher);
  g_bytes_unref (value);
  ck_assert_uint_eq (bytes_freed, 3);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_bytes (app, "b", NULL));
}
END_TEST

START_TEST (test_attribute_kinds_share_names)
{
  SipApplicationSession *app = new_app ();
  static guint pointer_freed;
  pointer_freed = 0;
  bytes_freed = 0;

  /* A pointer replaced by a variant gets its destroy notify. */
  sipservlet_application_session_set_attribute (app, "x", &pointer_freed, unit_count_destroy);
  ck_assert (!sipservlet_application_session_is_serializable (app));
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "x"));
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_bytes (app, "x", NULL));
  sipservlet_application_session_set_attribute_variant (app, "x", g_variant_new_uint32 (7));
  ck_assert_uint_eq (pointer_freed, 1);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute (app, "x"));
  ck_assert (sipservlet_application_session_is_serializable (app));

  /* A variant replaced by bytes, bytes by a pointer. */
  GBytes *value = counted_bytes ("b");
  sipservlet_application_session_set_attribute_bytes (app, "x", "t", value);
  g_bytes_unref (value);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_variant (app, "x"));
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute_bytes (app, "x", NULL), value);
  sipservlet_application_session_set_attribute (app, "x", &pointer_freed, unit_count_destroy);
  ck_assert_uint_eq (bytes_freed, 1);
  ck_assert_ptr_eq (sipservlet_application_session_get_attribute (app, "x"), &pointer_freed);
  ck_assert_ptr_null (sipservlet_application_session_get_attribute_bytes (app, "x", NULL));
  ck_assert (!sipservlet_application_session_is_serializable (app));

  /* Removing through any setter removes whatever the name holds. */
  sipservlet_application_session_set_attribute_variant (app, "x", NULL);
  ck_assert_uint_eq (pointer_freed, 2);
  ck_assert (sipservlet_application_session_is_serializable (app));

  /* Serialisable only while every attribute is. */
  sipservlet_application_session_set_attribute_variant (app, "v", g_variant_new_int64 (1));
  value = g_bytes_new_static ("1", 1);
  sipservlet_application_session_set_attribute_bytes (app, "b", "t", value);
  g_bytes_unref (value);
  ck_assert (sipservlet_application_session_is_serializable (app));
  sipservlet_application_session_set_attribute (app, "p", &pointer_freed, unit_count_destroy);
  ck_assert (!sipservlet_application_session_is_serializable (app));
  sipservlet_application_session_set_attribute (app, "p", NULL, NULL);
  ck_assert_uint_eq (pointer_freed, 3);
  ck_assert (sipservlet_application_session_is_serializable (app));
  sipservlet_application_session_set_attribute (app, "p", &pointer_freed, unit_count_destroy);
  ck_assert (sipservlet_application_session_invalidate (app, NULL));
  ck_assert_uint_eq (pointer_freed, 4);
  ck_assert (sipservlet_application_session_is_serializable (app));
}
END_TEST

static Suite *
make_suite (void)
{
  Suite *s = suite_create ("sessions-util");
  TCase *tc = tcase_create ("sessions-util");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_app_session_ids_unguessable);
  tcase_add_test (tc, test_lookup_by_id);
  tcase_add_test (tc, test_ids_published_when_handed_out);
  tcase_add_test (tc, test_keys);
  tcase_add_test (tc, test_encode_uri);
  tcase_add_test (tc, test_dialog_target_parse_errors);
  tcase_add_test (tc, test_dialog_target_forms);
  tcase_add_test (tc, test_dialog_target_statuses);
  tcase_add_test (tc, test_corresponding_session);
  tcase_add_test (tc, test_variant_attributes);
  tcase_add_test (tc, test_bytes_attributes);
  tcase_add_test (tc, test_attribute_kinds_share_names);
  suite_add_tcase (s, tc);
  return s;
}

SIPSERVLET_CHECK_MAIN (make_suite)
