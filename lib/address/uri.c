/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipURI: sip/sips (RFC 3261 §19.1), tel (RFC 3966) and
 * other absolute URIs kept opaque: life cycle, formatting, accessors and
 * RFC 3261 §19.1.4 comparison. Parsing is in uri-parse.c. */
#include "config-private.h"

#include <string.h>

#include "address/address-private.h"
#include "format-private.h"

/* Parameters that must be present in both sip URIs to compare equal. */
static const char *const strict_params[] = { "user", "ttl", "method", "maddr", "transport" };

static void
uri_clear (gpointer data)
{
  SipURI *uri = data;

  g_free (uri->scheme);
  g_free (uri->user);
  g_free (uri->password);
  g_free (uri->host);
  g_free (uri->number);
  g_free (uri->opaque);
  g_ptr_array_unref (uri->params);
  g_ptr_array_unref (uri->headers);
}

SipURI *
sipsv_uri_alloc (SipsvUriKind kind, const char *scheme)
{
  SipURI *uri = g_atomic_rc_box_new0 (SipURI);

  uri->kind = kind;
  uri->scheme = g_strdup (scheme);
  uri->port = -1;
  uri->params = sipsv_params_new ();
  uri->headers = sipsv_params_new ();
  return uri;
}

/* ---- Life cycle ------------------------------------------------------- */

SipURI *
sipservlet_uri_new_sip (const char *user, const char *host, gint port, gboolean secure)
{
  SipURI *uri;
  char *stored_host;

  g_return_val_if_fail (user == NULL || *user != '\0', NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port >= -1 && port <= 65535, NULL);
  stored_host = sipsv_uri_host_from_text (host);
  g_return_val_if_fail (stored_host != NULL, NULL);

  uri = sipsv_uri_alloc (SIPSV_URI_KIND_SIP, secure ? "sips" : "sip");
  uri->user = g_strdup (user);
  uri->host = stored_host;
  uri->port = port;
  return uri;
}

SipURI *
sipservlet_uri_ref (SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return g_atomic_rc_box_acquire (uri);
}

void
sipservlet_uri_unref (SipURI *uri)
{
  g_return_if_fail (uri != NULL);
  g_atomic_rc_box_release_full (uri, uri_clear);
}

SipURI *
sipservlet_uri_clone (const SipURI *uri)
{
  SipURI *copy;

  g_return_val_if_fail (uri != NULL, NULL);
  copy = g_atomic_rc_box_new0 (SipURI);
  copy->kind = uri->kind;
  copy->scheme = g_strdup (uri->scheme);
  copy->user = g_strdup (uri->user);
  copy->password = g_strdup (uri->password);
  copy->host = g_strdup (uri->host);
  copy->port = uri->port;
  copy->params = sipsv_params_copy (uri->params);
  copy->headers = sipsv_params_copy (uri->headers);
  copy->number = g_strdup (uri->number);
  copy->opaque = g_strdup (uri->opaque);
  return copy;
}

/* ---- Formatting ------------------------------------------------------- */

/* ":port"; every URI of every message built goes through here. */
static void
append_port (GString *out, int port)
{
  char digits[24];

  g_string_append_c (out, ':');
  g_string_append (out, sipsv_format_uint (digits, (guint64) port));
}

char *
sipservlet_uri_to_string (const SipURI *uri)
{
  GString *out;

  g_return_val_if_fail (uri != NULL, NULL);
  out = g_string_new (uri->scheme);
  g_string_append_c (out, ':');
  switch (uri->kind)
    {
    case SIPSV_URI_KIND_SIP:
      if (uri->user != NULL)
        {
          sipsv_escape_append (out, uri->user, SIP_USER_EXTRA);
          if (uri->password != NULL)
            {
              g_string_append_c (out, ':');
              sipsv_escape_append (out, uri->password, SIP_PASSWORD_EXTRA);
            }
          g_string_append_c (out, '@');
        }
      g_string_append (out, uri->host);
      if (uri->port >= 0)
        append_port (out, uri->port);
      sipsv_params_format_escaped (uri->params, out, ';', ';', SIP_PARAM_EXTRA, FALSE);
      sipsv_params_format_escaped (uri->headers, out, '?', '&', SIP_HEADER_EXTRA, TRUE);
      break;
    case SIPSV_URI_KIND_TEL:
      g_string_append (out, uri->number);
      sipsv_params_format_escaped (uri->params, out, ';', ';', SIP_PARAM_EXTRA, FALSE);
      break;
    case SIPSV_URI_KIND_OTHER:
    default:
      g_string_append (out, uri->opaque);
      break;
    }
  return g_string_free (out, FALSE);
}

char *
sipservlet_uri_to_canonical_string (const SipURI *uri)
{
  GString *out;

  g_return_val_if_fail (uri != NULL, NULL);
  out = g_string_new (uri->scheme);
  g_string_append_c (out, ':');
  switch (uri->kind)
    {
    case SIPSV_URI_KIND_SIP:
      if (uri->user != NULL)
        {
          sipsv_escape_append (out, uri->user, SIP_USER_EXTRA);
          g_string_append_c (out, '@');
        }
      sipsv_uri_host_canonical_append (out, uri->host);
      if (uri->port >= 0)
        append_port (out, uri->port);
      break;
    case SIPSV_URI_KIND_TEL:
      {
        char *digits = sipsv_uri_tel_normalize (uri->number);
        const char *context = sipsv_params_get (uri->params, "phone-context");

        g_string_append (out, digits);
        g_free (digits);
        if (context != NULL)
          {
            g_string_append (out, ";phone-context=");
            if (context[0] == '+')
              {
                char *c = sipsv_uri_tel_normalize (context);

                g_string_append (out, c);
                g_free (c);
              }
            else
              sipsv_uri_host_canonical_append (out, context);  /* domain names keep their dots */
          }
      }
      break;
    case SIPSV_URI_KIND_OTHER:
    default:
      for (const char *p = uri->opaque; *p != '\0'; p++)
        g_string_append_c (out, g_ascii_tolower (*p));
      break;
    }
  return g_string_free (out, FALSE);
}

/* ---- Kind and scheme -------------------------------------------------- */

const char *
sipservlet_uri_get_scheme (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->scheme;
}

gboolean
sipservlet_uri_is_sip (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == SIPSV_URI_KIND_SIP;
}

gboolean
sipservlet_uri_is_tel (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == SIPSV_URI_KIND_TEL;
}

gboolean
sipservlet_uri_is_secure (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == SIPSV_URI_KIND_SIP && strcmp (uri->scheme, "sips") == 0;
}

void
sipservlet_uri_set_secure (SipURI *uri, gboolean secure)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind == SIPSV_URI_KIND_SIP);
  g_free (uri->scheme);
  uri->scheme = g_strdup (secure ? "sips" : "sip");
}

/* ---- sip: user, password, host, port ---------------------------------- */

const char *
sipservlet_uri_get_user (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->user;
}

const char *
sipservlet_uri_get_user_password (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->password;
}

const char *
sipservlet_uri_get_host (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return uri->host;
}

gint
sipservlet_uri_get_port (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, -1);
  return uri->port;
}

gboolean
sipservlet_uri_set_user (SipURI *uri, const char *user, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == SIPSV_URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (user == NULL)
    {
      g_clear_pointer (&uri->user, g_free);
      g_clear_pointer (&uri->password, g_free);
      return TRUE;
    }
  if (*user == '\0')
    return sipsv_invalid_arg (error, "empty user part");
  {
    char *copy = g_strdup (user);

    g_free (uri->user);
    uri->user = copy;
  }
  return TRUE;
}

gboolean
sipservlet_uri_set_user_password (SipURI *uri, const char *password, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == SIPSV_URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (password == NULL)
    {
      g_clear_pointer (&uri->password, g_free);
      return TRUE;
    }
  if (uri->user == NULL)
    return sipsv_invalid_arg (error, "a password needs a user part");
  {
    char *copy = g_strdup (password);

    g_free (uri->password);
    uri->password = copy;
  }
  return TRUE;
}

gboolean
sipservlet_uri_set_host (SipURI *uri, const char *host, GError **error)
{
  char *stored;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == SIPSV_URI_KIND_SIP, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stored = sipsv_uri_host_from_text (host);
  if (stored == NULL)
    return sipsv_invalid_arg (error, "invalid host '%s'", host);
  g_free (uri->host);
  uri->host = stored;
  return TRUE;
}

gboolean
sipservlet_uri_set_port (SipURI *uri, gint port, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (uri->kind == SIPSV_URI_KIND_SIP, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (port < -1 || port > 65535)
    return sipsv_invalid_arg (error, "invalid port %d", port);
  uri->port = port;
  return TRUE;
}

/* ---- Parameters ------------------------------------------------------- */

const char *
sipservlet_uri_get_parameter (const SipURI *uri, const char *name)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (uri->params, name);
}

gboolean
sipservlet_uri_set_parameter (SipURI *uri, const char *name, const char *value,
                              GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value != NULL && *value == '\0')
    value = NULL;
  if (uri->kind == SIPSV_URI_KIND_OTHER)
    return sipsv_invalid_arg (error, "'%s' URIs have no parameters", uri->scheme);
  if (*name == '\0')
    return sipsv_invalid_arg (error, "empty parameter name");
  if (uri->kind == SIPSV_URI_KIND_TEL)
    {
      const char *problem = sipsv_uri_tel_param_problem (uri, name, value);

      if (problem != NULL)
        return sipsv_invalid_arg (error, "%s: '%s'", problem, name);
    }
  sipsv_params_set (uri->params, name, value, FALSE);
  return TRUE;
}

void
sipservlet_uri_remove_parameter (SipURI *uri, const char *name)
{
  gboolean removes_required_context;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL);
  removes_required_context = uri->kind == SIPSV_URI_KIND_TEL && uri->number[0] != '+' &&
                             g_ascii_strcasecmp (name, "phone-context") == 0;
  g_return_if_fail (!removes_required_context);
  sipsv_params_remove (uri->params, name);
}

char **
sipservlet_uri_get_parameter_names (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return sipsv_params_names (uri->params);
}

const char *
sipservlet_uri_get_transport_param (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != SIPSV_URI_KIND_SIP)
    return NULL;
  return sipsv_params_get (uri->params, "transport");
}

gboolean
sipservlet_uri_get_lr_param (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == SIPSV_URI_KIND_SIP && sipsv_params_find (uri->params, "lr") != NULL;
}

void
sipservlet_uri_set_lr_param (SipURI *uri, gboolean lr)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind == SIPSV_URI_KIND_SIP);
  if (lr)
    sipsv_params_set (uri->params, "lr", NULL, FALSE);
  else
    sipsv_params_remove (uri->params, "lr");
}

/* ---- Headers ---------------------------------------------------------- */

const char *
sipservlet_uri_get_header (const SipURI *uri, const char *name)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return sipsv_params_get (uri->headers, name);
}

gboolean
sipservlet_uri_set_header (SipURI *uri, const char *name, const char *value, GError **error)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (uri->kind != SIPSV_URI_KIND_SIP)
    return sipsv_invalid_arg (error, "'%s' URIs have no headers", uri->scheme);
  if (*name == '\0')
    return sipsv_invalid_arg (error, "empty header name");
  sipsv_params_set (uri->headers, name, value, FALSE);
  return TRUE;
}

void
sipservlet_uri_remove_header (SipURI *uri, const char *name)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL);
  sipsv_params_remove (uri->headers, name);
}

char **
sipservlet_uri_get_header_names (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  return sipsv_params_names (uri->headers);
}

/* ---- tel -------------------------------------------------------------- */

const char *
sipservlet_uri_get_phone_number (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != SIPSV_URI_KIND_TEL)
    return NULL;
  return uri->number[0] == '+' ? uri->number + 1 : uri->number;
}

gboolean
sipservlet_uri_is_global (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  return uri->kind == SIPSV_URI_KIND_TEL && uri->number[0] == '+';
}

const char *
sipservlet_uri_get_phone_context (const SipURI *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);
  if (uri->kind != SIPSV_URI_KIND_TEL)
    return NULL;
  return sipsv_params_get (uri->params, "phone-context");
}

/* ---- Comparison ------------------------------------------------------- */

static gboolean
is_strict_param (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (strict_params); i++)
    if (g_ascii_strcasecmp (name, strict_params[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
param_values_equal_ci (const SipsvParam *a, const SipsvParam *b)
{
  return g_ascii_strcasecmp (a->value != NULL ? a->value : "",
                             b->value != NULL ? b->value : "") == 0;
}

/* The n-th header called name, or NULL. */
static const SipsvParam *
nth_header (const GPtrArray *headers, const char *name, guint n)
{
  for (guint i = 0; i < headers->len; i++)
    {
      const SipsvParam *h = g_ptr_array_index (headers, i);

      if (g_ascii_strcasecmp (h->name, name) == 0 && n-- == 0)
        return h;
    }
  return NULL;
}

/* Same headers, in any order between names; repeated headers of one name
 * in the same order; values compared exactly after unescaping. */
static gboolean
headers_equal (const GPtrArray *a, const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const SipsvParam *h = g_ptr_array_index (a, i);
      const SipsvParam *other;
      guint n = 0;

      for (guint j = 0; j < i; j++)
        {
          const SipsvParam *prev = g_ptr_array_index (a, j);

          if (g_ascii_strcasecmp (prev->name, h->name) == 0)
            n++;
        }
      other = nth_header (b, h->name, n);
      if (other == NULL || g_strcmp0 (h->value, other->value) != 0)
        return FALSE;
    }
  return TRUE;
}

static gboolean
sipsv_uris_equal (const SipURI *a, const SipURI *b)
{
  if (strcmp (a->scheme, b->scheme) != 0)
    return FALSE;
  if (g_strcmp0 (a->user, b->user) != 0 || g_strcmp0 (a->password, b->password) != 0)
    return FALSE;
  if (!sipsv_uri_hosts_equal (a->host, b->host) || a->port != b->port)
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (strict_params); i++)
    {
      const SipsvParam *pa = sipsv_params_find (a->params, strict_params[i]);
      const SipsvParam *pb = sipsv_params_find (b->params, strict_params[i]);

      if ((pa == NULL) != (pb == NULL))
        return FALSE;
      if (pa != NULL && !param_values_equal_ci (pa, pb))
        return FALSE;
    }
  for (guint i = 0; i < a->params->len; i++)
    {
      const SipsvParam *pa = g_ptr_array_index (a->params, i);
      const SipsvParam *pb;

      if (is_strict_param (pa->name))
        continue;
      pb = sipsv_params_find (b->params, pa->name);
      if (pb != NULL && !param_values_equal_ci (sipsv_params_find (a->params, pa->name), pb))
        return FALSE;
    }
  return headers_equal (a->headers, b->headers);
}

static gboolean
tel_param_values_equal (const SipsvParam *a, const SipsvParam *b)
{
  const char *va = a->value != NULL ? a->value : "";
  const char *vb = b->value != NULL ? b->value : "";
  gboolean digits = g_ascii_strcasecmp (a->name, "ext") == 0 ||
                    (g_ascii_strcasecmp (a->name, "phone-context") == 0 && va[0] == '+');
  gboolean equal;

  if (!digits)
    return g_ascii_strcasecmp (va, vb) == 0;
  {
    char *na = sipsv_uri_tel_normalize (va);
    char *nb = sipsv_uri_tel_normalize (vb);

    equal = strcmp (na, nb) == 0;
    g_free (na);
    g_free (nb);
  }
  return equal;
}

static gboolean
tel_uris_equal (const SipURI *a, const SipURI *b)
{
  char *na, *nb;
  gboolean equal;

  if ((a->number[0] == '+') != (b->number[0] == '+'))
    return FALSE;
  na = sipsv_uri_tel_normalize (a->number);
  nb = sipsv_uri_tel_normalize (b->number);
  equal = strcmp (na, nb) == 0;
  g_free (na);
  g_free (nb);
  if (!equal)
    return FALSE;

  for (guint i = 0; i < a->params->len; i++)
    {
      const SipsvParam *pa = g_ptr_array_index (a->params, i);
      const SipsvParam *pb = sipsv_params_find (b->params, pa->name);

      if (pb == NULL || !tel_param_values_equal (sipsv_params_find (a->params, pa->name), pb))
        return FALSE;
    }
  for (guint i = 0; i < b->params->len; i++)
    {
      const SipsvParam *pb = g_ptr_array_index (b->params, i);

      if (sipsv_params_find (a->params, pb->name) == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
sipservlet_uri_equal (const SipURI *a, const SipURI *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case SIPSV_URI_KIND_SIP:
      return sipsv_uris_equal (a, b);
    case SIPSV_URI_KIND_TEL:
      return tel_uris_equal (a, b);
    case SIPSV_URI_KIND_OTHER:
    default:
      return strcmp (a->scheme, b->scheme) == 0 &&
             g_ascii_strcasecmp (a->opaque, b->opaque) == 0;
    }
}

static guint
hash_lower (guint h, const char *s)
{
  for (; *s != '\0'; s++)
    h = h * 31 + (guint) g_ascii_tolower (*s);
  return h;
}

guint
sipservlet_uri_hash (const SipURI *uri)
{
  guint h;

  g_return_val_if_fail (uri != NULL, 0);
  h = g_str_hash (uri->scheme);
  switch (uri->kind)
    {
    case SIPSV_URI_KIND_SIP:
      {
        guint8 a[16];

        h = h * 31 + (uri->user != NULL ? g_str_hash (uri->user) : 0);
        if (sipsv_uri_host_ipv6 (uri->host, a))
          for (gsize i = 0; i < sizeof a; i++)
            h = h * 31 + a[i];
        else
          h = hash_lower (h, uri->host);
        h = h * 31 + (guint) (uri->port + 1);
      }
      break;
    case SIPSV_URI_KIND_TEL:
      {
        char *digits = sipsv_uri_tel_normalize (uri->number);

        h = hash_lower (h, digits);
        g_free (digits);
      }
      break;
    case SIPSV_URI_KIND_OTHER:
    default:
      h = hash_lower (h, uri->opaque);
      break;
    }
  return h;
}
