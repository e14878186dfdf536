/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - registering to an upstream registrar. */
#include "upstream-registration.h"

#include <string.h>

#include "example-main.h"

/* A refresh never comes sooner than this after the last one, whatever
 * lifetime the registrar grants. */
#define REFRESH_FLOOR_S 2
/* After a failure: the first retry, doubling up to the last. */
#define RETRY_FIRST_S 4
#define RETRY_MAX_S 300
#define EXPIRES_MAX_S 86400

struct _UpstreamRegistration {
  SipContainer *container;
  SipURI *registrar;
  SipAddress *aor;
  SipAddress *contact;
  char *what;                  /* "AOR at REGISTRAR", for the log */
  char *username;
  char *password;              /* zeroed when freed; NULL: no credentials */
  char *pinned_realm;          /* --auth-realm, or NULL */
  GPtrArray *realms;           /* the realms the credentials were given for */
  SipAuthInfo *info;           /* NULL: no credentials */
  SipSession *session;         /* the registration's Call-ID and CSeq */
  gint expires;                /* what we ask for */
  gint granted;                /* 0: not registered */
  guint retry_delay;           /* the next delay after a failure, s */
  guint next_delay_ms;         /* decided by the final response, acted on
                                * at the outcome; G_MAXUINT: none */
  guint timer;
  gboolean in_flight;
  gboolean unregistering;
};

void
upstream_options_init (UpstreamOptions *options)
{
  memset (options, 0, sizeof *options);
  options->expires = 3600;
}

GOptionEntry *
upstream_option_entries (UpstreamOptions *options)
{
  GOptionEntry entries[] = {
    { "register-to", 0, 0, G_OPTION_ARG_STRING, &options->register_to,
      "Register --aor at this registrar and keep the registration refreshed "
      "(e.g. sip:192.0.2.1:5060)", "SIP-URI" },
    { "aor", 0, 0, G_OPTION_ARG_STRING, &options->aor,
      "The address of record to register (e.g. sip:alice@example.net)", "SIP-URI" },
    { "auth-user", 0, 0, G_OPTION_ARG_STRING, &options->auth_user,
      "The username for digest authentication (default: the AOR's user)", "USER" },
    { "auth-realm", 0, 0, G_OPTION_ARG_STRING, &options->auth_realm,
      "Answer challenges of this realm only (default: the realm the registrar names)",
      "REALM" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &options->password_file,
      "Read the password from the first line of FILE", "FILE" },
    { "register-expires", 0, 0, G_OPTION_ARG_INT, &options->expires,
      "The registration lifetime to ask for, in seconds (default 3600)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
upstream_options_clear (UpstreamOptions *options)
{
  g_clear_pointer (&options->register_to, g_free);
  g_clear_pointer (&options->aor, g_free);
  g_clear_pointer (&options->auth_user, g_free);
  g_clear_pointer (&options->auth_realm, g_free);
  g_clear_pointer (&options->password_file, g_free);
}

/* ---- checking the options ------------------------------------------------- */

static void
free_secret (char *secret)
{
  if (secret != NULL)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

/* The first line of the file, without its line end. */
static char *
read_password (const char *path, GError **error)
{
  char *text = NULL;
  gsize length = 0;
  GError *local = NULL;

  if (!g_file_get_contents (path, &text, &length, &local))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--password-file: %s", local->message);
      g_error_free (local);
      return NULL;
    }
  gsize line = strcspn (text, "\r\n");
  char *password = g_strndup (text, line);
  memset (text, 0, length);
  g_free (text);
  if (password[0] == '\0')
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--password-file: the first line of %s is empty", path);
      g_free (password);
      return NULL;
    }
  return password;
}

static SipURI *
parse_sip_uri (const char *option, const char *text, GError **error)
{
  GError *local = NULL;
  SipURI *uri = sipservlet_uri_parse (text, &local);
  if (uri == NULL || !sipservlet_uri_is_sip (uri))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s %s: not a sip: or sips: URI%s%s", option, text,
                   local ? ": " : "", local ? local->message : "");
      g_clear_error (&local);
      g_clear_pointer (&uri, sipservlet_uri_unref);
    }
  return uri;
}

/* sip:USER@HOST:PORT on our first listening address (or the advertised
 * name with its port). */
static SipAddress *
our_contact (SipContainer *container, const char *user, const char *advertise,
             GError **error)
{
  g_auto (GStrv) addresses = sipservlet_container_get_listen_addresses (container);
  if (addresses == NULL || addresses[0] == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "--register-to: the container listens nowhere");
      return NULL;
    }
  g_autofree char *text = g_strdup_printf ("sip:%s", addresses[0]);
  g_autoptr (SipURI) uri = sipservlet_uri_parse (text, error);
  if (uri == NULL)
    return NULL;
  if (advertise != NULL && !sipservlet_uri_set_host (uri, advertise, error))
    return NULL;
  const char *host = sipservlet_uri_get_host (uri);
  if (strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0 || strcmp (host, "[::]") == 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--register-to: the first --listen address is a wildcard; "
                   "name the address to register with --advertise");
      return NULL;
    }
  if (user != NULL && !sipservlet_uri_set_user (uri, user, error))
    return NULL;
  return sipservlet_address_new (uri, NULL);
}

static gboolean
check_options (const UpstreamOptions *options, GError **error)
{
  const char *missing = options->aor == NULL ? "--aor" : NULL;
  if (missing == NULL && options->auth_user != NULL && options->password_file == NULL)
    missing = "--password-file (for --auth-user)";
  if (missing != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--register-to needs %s", missing);
      return FALSE;
    }
  if (options->expires < 1 || options->expires > EXPIRES_MAX_S)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--register-expires %d: must be between 1 and %d seconds",
                   options->expires, EXPIRES_MAX_S);
      return FALSE;
    }
  if ((options->auth_user != NULL && options->auth_user[0] == '\0')
      || (options->auth_realm != NULL && options->auth_realm[0] == '\0'))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--auth-user and --auth-realm cannot be empty");
      return FALSE;
    }
  return TRUE;
}

/* ---- sending ------------------------------------------------------------------ */

static void send_register (UpstreamRegistration *reg);
static void on_answer (SipServletRequest *request, SipServletResponse *response,
                       const GError *error, gpointer user_data);

static gboolean
on_timer (gpointer data)
{
  UpstreamRegistration *reg = data;
  reg->timer = 0;
  send_register (reg);
  return G_SOURCE_REMOVE;
}

static void
schedule (UpstreamRegistration *reg, guint ms)
{
  if (reg->timer != 0)
    g_source_remove (reg->timer);
  reg->timer = g_timeout_add (ms, on_timer, reg);
}

static void
fail_and_retry (UpstreamRegistration *reg, const char *why)
{
  g_warning ("registration of %s failed: %s; retrying in %u s", reg->what, why,
             reg->retry_delay);
  reg->granted = 0;
  reg->next_delay_ms = reg->retry_delay * 1000;
  reg->retry_delay = MIN (reg->retry_delay * 2, RETRY_MAX_S);
}

/* A REGISTER in the registration's session (same Call-ID, next CSeq), or
 * the first one in a new application session kept until we free it. */
static SipServletRequest *
new_register (UpstreamRegistration *reg, GError **error)
{
  SipServletRequest *request;

  if (reg->session != NULL)
    return sipservlet_session_create_request (reg->session, "REGISTER", error);
  SipFactory *factory = sipservlet_container_get_factory (reg->container);
  g_autoptr (SipApplicationSession) app = sipservlet_factory_create_application_session (factory);
  sipservlet_application_session_set_invalidate_when_ready (app, FALSE);
  sipservlet_application_session_set_expires (app, 0);
  request = sipservlet_factory_create_request (factory, app, "REGISTER", reg->aor, reg->aor,
                                               error);
  if (request == NULL)
    {
      sipservlet_application_session_invalidate (app, NULL);
      return NULL;
    }
  SipSession *session = sipservlet_message_get_session (SIPSERVLET_MESSAGE (request));
  reg->session = sipservlet_session_ref (session);
  sipservlet_session_set_invalidate_when_ready (reg->session, FALSE);
  return request;
}

static gboolean
send_with_expires (UpstreamRegistration *reg, gint expires, GError **error)
{
  g_autoptr (SipServletRequest) request = new_register (reg, error);
  if (request == NULL)
    return FALSE;
  SipServletMessage *message = SIPSERVLET_MESSAGE (request);
  if (!sipservlet_request_set_request_uri (request, reg->registrar, error)
      || !sipservlet_message_set_address_header (message, "Contact", reg->contact, error)
      || !sipservlet_message_set_expires (message, expires, error))
    return FALSE;
  if (reg->info != NULL)
    sipservlet_request_set_auth_info (request, reg->info);
  example_debug ("REGISTER %s, CSeq %u, Expires %d", reg->what,
                 sipservlet_message_get_cseq (message), expires);
  if (!sipservlet_request_send_with_callback (request, SIPSERVLET_SEND_DEFAULT, NULL, on_answer,
                                              reg, NULL, error))
    return FALSE;
  reg->in_flight = TRUE;
  reg->next_delay_ms = G_MAXUINT;
  return TRUE;
}

static void
send_register (UpstreamRegistration *reg)
{
  g_autoptr (GError) error = NULL;
  if (!send_with_expires (reg, reg->expires, &error))
    {
      fail_and_retry (reg, error->message);
      schedule (reg, reg->next_delay_ms);
    }
}

/* ---- answers ------------------------------------------------------------------ */

/* The lifetime granted to our Contact: its expires parameter in the 200's
 * Contact list, else the Expires header, else what we asked for. */
static gint
granted_expiry (UpstreamRegistration *reg, SipServletResponse *response)
{
  SipServletMessage *message = SIPSERVLET_MESSAGE (response);
  gint granted = -1;
  GPtrArray *contacts = sipservlet_message_get_address_headers (message, "Contact", NULL);
  SipURI *ours = sipservlet_address_get_uri (reg->contact);

  for (guint i = 0; contacts != NULL && i < contacts->len && granted < 0; i++)
    if (sipservlet_uri_equal (sipservlet_address_get_uri (contacts->pdata[i]), ours))
      granted = sipservlet_address_get_expires (contacts->pdata[i]);
  g_clear_pointer (&contacts, g_ptr_array_unref);
  if (granted < 0)
    granted = sipservlet_message_get_expires (message);
  return granted < 0 ? reg->expires : granted;
}

static void
on_registered (UpstreamRegistration *reg, SipServletResponse *response)
{
  gint granted = granted_expiry (reg, response);
  guint refresh = CLAMP (granted / 2, REFRESH_FLOOR_S, EXPIRES_MAX_S);

  if (granted == 0)
    {
      fail_and_retry (reg, "the registrar granted our Contact 0 s");
      return;
    }
  if (reg->granted != granted)
    {
      g_autofree char *contact = sipservlet_address_to_string (reg->contact);
      g_message ("registered %s for %d s (Contact %s); refreshing every %u s", reg->what,
                 granted, contact, refresh);
    }
  else
    example_debug ("registration of %s refreshed for %d s", reg->what, granted);
  reg->granted = granted;
  reg->retry_delay = RETRY_FIRST_S;
  reg->next_delay_ms = refresh * 1000;
}

static gboolean
knows_realm (UpstreamRegistration *reg, const char *realm)
{
  for (guint i = 0; i < reg->realms->len; i++)
    if (strcmp (reg->realms->pdata[i], realm) == 0)
      return TRUE;
  return FALSE;
}

/* Credentials for a registrar's (401) and a proxy's (407) challenges. */
static gboolean
add_credentials (UpstreamRegistration *reg, const char *realm, GError **error)
{
  return sipservlet_auth_info_add (reg->info, 401, realm, reg->username, reg->password, error)
         && sipservlet_auth_info_add (reg->info, 407, realm, reg->username, reg->password,
                                      error);
}

/* A 401/407 the library did not answer: a realm we have no credentials
 * for yet (learn it and try again at once), or our credentials refused. */
static void
on_challenge (UpstreamRegistration *reg, SipServletResponse *response, guint status)
{
  g_auto (GStrv) realms = sipservlet_response_get_challenge_realms (response);
  gboolean learned = FALSE;

  for (guint i = 0; reg->password != NULL && realms[i] != NULL; i++)
    {
      if (knows_realm (reg, realms[i]) || reg->pinned_realm != NULL
          || !add_credentials (reg, realms[i], NULL))
        continue;
      g_ptr_array_add (reg->realms, g_strdup (realms[i]));
      example_debug ("answering realm \"%s\" as %s", realms[i], reg->username);
      learned = TRUE;
    }
  if (learned)
    {
      reg->next_delay_ms = 0;
      return;
    }
  g_autofree char *names = g_strjoinv ("\", \"", realms);
  g_autofree char *why = NULL;
  if (reg->password == NULL)
    why = g_strdup_printf ("%u %s: the registrar asks for credentials (realm \"%s\"); "
                           "give --password-file", status,
                           sipservlet_response_get_reason_phrase (response), names);
  else if (reg->pinned_realm != NULL && realms[0] != NULL && !knows_realm (reg, realms[0]))
    why = g_strdup_printf ("%u %s: challenged for realm \"%s\", not --auth-realm \"%s\"",
                           status, sipservlet_response_get_reason_phrase (response), names,
                           reg->pinned_realm);
  else
    why = g_strdup_printf ("%u %s: the credentials of \"%s\" for realm \"%s\" were refused "
                           "(wrong user or password?)", status,
                           sipservlet_response_get_reason_phrase (response), reg->username,
                           names);
  fail_and_retry (reg, why);
}

/* 423 Interval Too Brief: ask for the registrar's Min-Expires at once. */
static gboolean
on_too_brief (UpstreamRegistration *reg, SipServletResponse *response)
{
  const char *text = sipservlet_message_get_header (SIPSERVLET_MESSAGE (response), "Min-Expires");
  guint64 min = 0;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, EXPIRES_MAX_S, &min, NULL)
      || (gint) min <= reg->expires)
    return FALSE;
  g_message ("%s: the registrar's minimum lifetime is %u s: asking for that",
             reg->what, (guint) min);
  reg->expires = (gint) min;
  reg->next_delay_ms = 0;
  return TRUE;
}

static void
on_final (UpstreamRegistration *reg, SipServletResponse *response)
{
  guint status = sipservlet_response_get_status (response);

  if (reg->unregistering)
    {
      if (status >= 200 && status < 300)
        g_message ("unregistered %s", reg->what);
      else
        g_warning ("unregistering %s failed: %u %s", reg->what, status,
                   sipservlet_response_get_reason_phrase (response));
      return;
    }
  if (status >= 200 && status < 300)
    on_registered (reg, response);
  else if (status == 401 || status == 407)
    on_challenge (reg, response, status);
  else if (status != 423 || !on_too_brief (reg, response))
    {
      g_autofree char *why = g_strdup_printf ("%u %s", status,
                                              sipservlet_response_get_reason_phrase (response));
      fail_and_retry (reg, why);
    }
}

static void
on_answer (SipServletRequest *request, SipServletResponse *response, const GError *error,
           gpointer user_data)
{
  UpstreamRegistration *reg = user_data;

  if (response != NULL)
    {
      if (sipservlet_response_get_status (response) >= 200)
        on_final (reg, response);
      return;
    }
  /* The outcome: the session is free for the next REGISTER. */
  reg->in_flight = FALSE;
  if (error != NULL && reg->unregistering)
    g_warning ("unregistering %s failed: %s", reg->what, error->message);
  else if (error != NULL)
    fail_and_retry (reg, error->message);
  if (!reg->unregistering && reg->next_delay_ms != G_MAXUINT)
    schedule (reg, reg->next_delay_ms);
}

/* ---- starting and stopping -------------------------------------------------- */

void
upstream_registration_stop (UpstreamRegistration *reg)
{
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&reg->timer, g_source_remove);
  reg->unregistering = TRUE;
  if (reg->in_flight)
    g_message ("not unregistering %s: a REGISTER is in progress; the registration "
               "expires by itself", reg->what);
  else if (reg->granted > 0)
    {
      g_message ("unregistering %s", reg->what);
      if (!send_with_expires (reg, 0, &error))
        g_warning ("cannot unregister %s: %s", reg->what, error->message);
    }
}

static gboolean
on_start (gpointer data)
{
  UpstreamRegistration *reg = data;
  reg->timer = 0;
  g_message ("registering %s", reg->what);
  send_register (reg);
  return G_SOURCE_REMOVE;
}

UpstreamRegistration *
upstream_registration_new (SipContainer *container, const UpstreamOptions *options,
                           const char *advertise, GError **error)
{
  if (!check_options (options, error))
    return NULL;
  g_autoptr (SipURI) registrar = parse_sip_uri ("--register-to", options->register_to, error);
  g_autoptr (SipURI) aor_uri = registrar ? parse_sip_uri ("--aor", options->aor, error) : NULL;
  if (aor_uri == NULL)
    return NULL;
  const char *user = sipservlet_uri_get_user (aor_uri);
  const char *username = options->auth_user ? options->auth_user : user;
  if (options->password_file != NULL && username == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "--aor %s has no user: give --auth-user", options->aor);
      return NULL;
    }
  char *password = NULL;
  if (options->password_file != NULL
      && (password = read_password (options->password_file, error)) == NULL)
    return NULL;
  SipAddress *contact = our_contact (container, user, advertise, error);
  if (contact == NULL)
    {
      free_secret (password);
      return NULL;
    }

  UpstreamRegistration *reg = g_new0 (UpstreamRegistration, 1);
  reg->container = sipservlet_container_ref (container);
  reg->registrar = sipservlet_uri_ref (registrar);
  reg->aor = sipservlet_address_new (aor_uri, NULL);
  reg->contact = contact;
  reg->what = g_strdup_printf ("%s at %s", options->aor, options->register_to);
  reg->username = g_strdup (username);
  reg->password = password;
  reg->pinned_realm = g_strdup (options->auth_realm);
  reg->realms = g_ptr_array_new_with_free_func (g_free);
  reg->expires = options->expires;
  reg->retry_delay = RETRY_FIRST_S;
  if (password != NULL)
    {
      reg->info = sipservlet_auth_info_new ();
      if (reg->pinned_realm != NULL && !add_credentials (reg, reg->pinned_realm, error))
        {
          upstream_registration_free (reg);
          return NULL;
        }
      if (reg->pinned_realm != NULL)
        g_ptr_array_add (reg->realms, g_strdup (reg->pinned_realm));
    }
  reg->timer = g_idle_add (on_start, reg);
  return reg;
}

void
upstream_registration_free (UpstreamRegistration *reg)
{
  if (reg == NULL)
    return;
  g_clear_handle_id (&reg->timer, g_source_remove);
  if (reg->session != NULL)
    {
      SipApplicationSession *app = sipservlet_session_get_application_session (reg->session);
      if (app != NULL && sipservlet_application_session_is_valid (app))
        sipservlet_application_session_invalidate (app, NULL);
      sipservlet_session_unref (reg->session);
    }
  g_clear_pointer (&reg->info, sipservlet_auth_info_unref);
  g_ptr_array_unref (reg->realms);
  g_free (reg->pinned_realm);
  free_secret (reg->password);
  g_free (reg->username);
  g_free (reg->what);
  sipservlet_address_unref (reg->contact);
  sipservlet_address_unref (reg->aor);
  sipservlet_uri_unref (reg->registrar);
  sipservlet_container_unref (reg->container);
  g_free (reg);
}
