/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's security policy (sipservlet-security.h):
 * which requests must authenticate, 401 or 407, the relaying and identity
 * checks, trusted sources, and what a failed attempt logs.
 *
 * lib/auth/ decides whether credentials are valid; this file decides
 * whether a request needs them and what it may claim once it has them.
 * dispatch.c calls sipsv_container_security_check() for every request
 * that is neither ACK nor CANCEL, before any servlet or session sees it.
 * Answers are stateless (sipsv_stack_reply()): a challenge costs no
 * transaction, and the ACK of one to an INVITE carries our stateless
 * To-tag, which dispatch.c drops.
 */
#include "config-private.h"

#include <string.h>
#include <gio/gio.h>

#include "container/container-private.h"

/* ------------------------------------------------------------------------ */
/* Domains and trusted sources                                               */
/* ------------------------------------------------------------------------ */

/* A host as compared: lowercase, IPv6 literals in GLib's canonical text
 * without brackets. */
static char *
normalize_host (const char *host)
{
  g_autofree char *bare = sipsv_unbracket (host);
  GInetAddress *address = strchr (bare, ':') != NULL ? g_inet_address_new_from_string (bare)
                                                     : NULL;
  if (address != NULL)
    {
      char *text = g_inet_address_to_string (address);
      g_object_unref (address);
      return text;
    }
  return g_ascii_strdown (bare, -1);
}

static gboolean
host_is_domain (SipsvSecurity *security, const char *host)
{
  if (security->domains == NULL || host == NULL)
    return FALSE;
  /* Only IPv6 literals need the allocation of normalize_host(). */
  g_autofree char *normal = host[0] == '[' ? normalize_host (host) : NULL;
  for (guint i = 0; i < security->domains->len; i++)
    if (g_ascii_strcasecmp (security->domains->pdata[i], normal != NULL ? normal : host) == 0)
      return TRUE;
  return FALSE;
}

gboolean
sipsv_container_url_is_ours (SipContainer *container, const url_t *url)
{
  if (url == NULL || url->url_host == NULL
      || (url->url_type != url_sip && url->url_type != url_sips))
    return FALSE;
  return host_is_domain (&container->security, url->url_host)
         || sipsv_stack_url_is_self (&container->runtime.stack, url);
}

gboolean
sipservlet_container_add_domain (SipContainer *container, const char *domain, GError **error)
{
  g_return_val_if_fail (container != NULL && domain != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autofree char *bare = sipsv_unbracket (domain);
  if (!sipsv_valid_host (bare))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "domain \"%s\" is not a host name or an IP address", domain);
      return FALSE;
    }
  if (container->security.domains == NULL)
    container->security.domains = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (container->security.domains, normalize_host (bare));
  return TRUE;
}

gboolean
sipservlet_container_is_our_domain (SipContainer *container, const SipURI *uri)
{
  g_return_val_if_fail (container != NULL, FALSE);
  if (uri == NULL || !sipservlet_uri_is_sip (uri))
    return FALSE;
  const char *host = sipservlet_uri_get_host (uri);
  g_autofree char *normal = normalize_host (host);
  if (host_is_domain (&container->security, normal))
    return TRUE;
  return sipservlet_container_is_self (container, uri);
}

gboolean
sipservlet_container_add_trusted_source (SipContainer *container, const char *source,
                                         GError **error)
{
  g_return_val_if_fail (container != NULL && source != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  GInetAddressMask *mask = NULL;
  g_autofree char *bare = sipsv_unbracket (source);
  if (strchr (bare, '/') != NULL)
    mask = g_inet_address_mask_new_from_string (bare, NULL);
  else
    {
      GInetAddress *address = g_inet_address_new_from_string (bare);
      if (address != NULL)
        {
          mask = g_inet_address_mask_new (address,
                                          (guint) g_inet_address_get_native_size (address) * 8,
                                          NULL);
          g_object_unref (address);
        }
    }
  if (mask == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "trusted source \"%s\" is not an IP address or ADDRESS/PREFIX", source);
      return FALSE;
    }
  if (container->security.trusted == NULL)
    container->security.trusted = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (container->security.trusted, mask);
  return TRUE;
}

/* The source address of a received message, or NULL. */
static GInetAddress *
source_address (msg_t *msg)
{
  su_addrinfo_t *ai = msg_addrinfo (msg);

  if (ai == NULL || ai->ai_addr == NULL)
    return NULL;
  su_sockaddr_t *su = (su_sockaddr_t *) ai->ai_addr;
  if (su->su_family == AF_INET)
    return g_inet_address_new_from_bytes ((const guint8 *) &su->su_sin.sin_addr,
                                          G_SOCKET_FAMILY_IPV4);
  if (su->su_family == AF_INET6)
    return g_inet_address_new_from_bytes ((const guint8 *) &su->su_sin6.sin6_addr,
                                          G_SOCKET_FAMILY_IPV6);
  return NULL;
}

gboolean
sipsv_container_source_is_trusted (SipContainer *container, msg_t *msg)
{
  SipsvSecurity *security = &container->security;
  if (security->trusted == NULL)
    return FALSE;
  GInetAddress *address = source_address (msg);
  gboolean trusted = FALSE;
  for (guint i = 0; address != NULL && !trusted && i < security->trusted->len; i++)
    {
      GInetAddressMask *mask = security->trusted->pdata[i];
      trusted = g_inet_address_get_family (address) == g_inet_address_mask_get_family (mask)
                && g_inet_address_mask_matches (mask, address);
    }
  g_clear_object (&address);
  return trusted;
}

char *
sipsv_container_source_text (msg_t *msg)
{
  su_addrinfo_t *ai = msg_addrinfo (msg);
  GInetAddress *address = source_address (msg);
  if (address == NULL)
    return g_strdup ("(unknown)");
  su_sockaddr_t *su = (su_sockaddr_t *) ai->ai_addr;
  char *ip = g_inet_address_to_string (address);
  gboolean v6 = su->su_family == AF_INET6;
  char *text = g_strdup_printf ("%s%s%s:%u", v6 ? "[" : "", ip, v6 ? "]" : "",
                                (guint) g_ntohs (su->su_port));
  g_free (ip);
  g_object_unref (address);
  return text;
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                             */
/* ------------------------------------------------------------------------ */

static gboolean
valid_realm (const char *realm)
{
  if (realm == NULL || realm[0] == '\0')
    return FALSE;
  for (const char *p = realm; *p != '\0'; p++)
    if (*p == '"' || *p == '\\' || g_ascii_iscntrl (*p))
      return FALSE;
  return TRUE;
}

static void
security_off (SipsvSecurity *security)
{
  g_clear_pointer (&security->verifier, sipsv_auth_verifier_free);
  g_clear_pointer (&security->store, sipsv_auth_store_unref);
  g_clear_pointer (&security->realm, g_free);
}

gboolean
sipservlet_container_set_authentication (SipContainer *container, SipCredentialStore *store,
                                         const char *realm, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (store != NULL && !valid_realm (realm))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the realm must be a non-empty string without quotes, backslashes or "
                   "control characters");
      return FALSE;
    }
  security_off (&container->security);
  if (store == NULL)
    return TRUE;
  container->security.store = sipsv_auth_store_ref (store);
  container->security.verifier = sipsv_auth_verifier_new (store);
  container->security.realm = g_strdup (realm);
  container->security.flags = SIPSERVLET_AUTH_DEFAULT;
  return TRUE;
}

void
sipservlet_container_set_auth_policy (SipContainer *container, SipAuthPolicyFlags flags)
{
  g_return_if_fail (container != NULL);
  container->security.flags = flags;
}

gboolean
sipservlet_container_set_auth_algorithms (SipContainer *container,
                                          const SipDigestAlgorithm *algorithms, guint n_algorithms,
                                          GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  const char *problem = NULL;
  guint seen = 0;
  if (container->security.verifier == NULL)
    problem = "authentication is off";
  else if (n_algorithms > 0 && algorithms == NULL)
    problem = "no algorithms given";
  for (guint i = 0; problem == NULL && i < n_algorithms; i++)
    {
      if ((guint) algorithms[i] >= SIPSV_AUTH_N_ALGORITHMS)
        problem = "unknown algorithm";
      else if (seen & SIPSV_AUTH_ALGORITHM_BIT (algorithms[i]))
        problem = "an algorithm is listed twice";
      else
        seen |= SIPSV_AUTH_ALGORITHM_BIT (algorithms[i]);
    }
  if (problem != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "cannot set the digest algorithms: %s", problem);
      return FALSE;
    }
  sipsv_auth_verifier_set_algorithms (container->security.verifier, algorithms, n_algorithms);
  return TRUE;
}

gboolean
sipservlet_container_reload_credentials (SipContainer *container, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  if (container->security.store == NULL)
    return TRUE;
  return sipservlet_credential_store_reload (container->security.store, error);
}

void
sipsv_container_security_clear (SipsvSecurity *security)
{
  security_off (security);
  g_clear_pointer (&security->domains, g_ptr_array_unref);
  g_clear_pointer (&security->trusted, g_ptr_array_unref);
}

/* ------------------------------------------------------------------------ */
/* The check                                                                 */
/* ------------------------------------------------------------------------ */

/* Whether @user (a digest username) is the user of @url: its user part, or
 * user@host for clients that send the whole address as username. */
static gboolean
user_owns (const char *user, const url_t *url)
{
  if (url == NULL || url->url_user == NULL)
    return FALSE;
  g_autofree char *part = g_uri_unescape_string (url->url_user, NULL);
  if (part == NULL)
    return FALSE;
  if (strcmp (part, user) == 0)
    return TRUE;
  const char *at = strrchr (user, '@');
  return at != NULL && url->url_host != NULL && (gsize) (at - user) == strlen (part)
         && strncmp (user, part, strlen (part)) == 0
         && g_ascii_strcasecmp (at + 1, url->url_host) == 0;
}

/* Which requests need credentials (sipservlet-security.h). */
static gboolean
needs_credentials (SipContainer *container, sip_t const *sip, gboolean in_dialog,
                   gboolean from_ours)
{
  SipAuthPolicyFlags flags = container->security.flags;
  sip_method_t method = sip->sip_request->rq_method;

  if (method == sip_method_ack || method == sip_method_cancel)
    return FALSE;
  if (in_dialog)
    return (flags & SIPSERVLET_AUTH_IN_DIALOG) != 0 && from_ours;
  if (method == sip_method_register)
    return (flags & SIPSERVLET_AUTH_REGISTER) != 0;
  if ((flags & SIPSERVLET_AUTH_INITIAL) == 0 || !from_ours)
    return FALSE;
  /* A keep-alive OPTIONS to the server itself. */
  url_t const *uri = sip->sip_request->rq_url;
  return !(method == sip_method_options && uri->url_user == NULL
           && sipsv_stack_url_is_self (&container->runtime.stack, uri));
}

/* 401 for REGISTER and for the server itself (a Request-URI of ours
 * without a user part), 407 for what we route on (RFC 3261 §22.3). */
static gboolean
as_user_agent (SipContainer *container, sip_t const *sip)
{
  url_t const *uri = sip->sip_request->rq_url;
  return sip->sip_request->rq_method == sip_method_register
         || (uri->url_user == NULL && sipsv_stack_url_is_self (&container->runtime.stack, uri));
}

static void
challenge (SipContainer *container, msg_t *msg, gboolean www, gboolean stale)
{
  SipsvSecurity *security = &container->security;
  g_auto (GStrv) values = sipsv_auth_verifier_challenge (security->verifier, security->realm,
                                                         stale);
  GString *headers = g_string_new (NULL);
  for (guint i = 0; values[i] != NULL; i++)
    g_string_append_printf (headers, "%s%s: %s", i > 0 ? "\r\n" : "",
                            www ? "WWW-Authenticate" : "Proxy-Authenticate", values[i]);
  sipsv_stack_reply (&container->runtime.stack, msg, www ? 401 : 407,
                     www ? "Unauthorized" : "Proxy Authentication Required", headers->str);
  g_string_free (headers, TRUE);
}

/* A refused request, logged with its source and user, then answered. */
static void
refuse (SipContainer *container, msg_t *msg, sip_t const *sip, const char *user, guint status,
        const char *phrase, const char *why)
{
  g_autofree char *source = sipsv_container_source_text (msg);
  g_message ("security: %s from %s (user \"%s\") refused with %u: %s",
             sip->sip_request->rq_method_name, source, user != NULL ? user : "", status, why);
  sipsv_stack_reply (&container->runtime.stack, msg, (int) status, phrase, NULL);
}

/* The credentials for our realm answered our challenge: they go no
 * further (RFC 3261 §22.3: a proxy removes the credentials meant for
 * it). */
static void
consume_credentials (SipsvSecurity *security, msg_t *msg, sip_t *sip, gboolean www)
{
  msg_auth_t *au = www ? sip->sip_authorization : sip->sip_proxy_authorization;
  while (au != NULL)
    {
      msg_auth_t *next = au->au_next;
      g_autofree char *realm = sipsv_auth_challenge_realm (au);
      if (g_strcmp0 (realm, security->realm) == 0)
        msg_header_remove (msg, (msg_pub_t *) sip, (msg_header_t *) au);
      au = next;
    }
}

/* Checks the credentials of a request that needs them; TRUE when they
 * are valid and the user owns what the request claims. */
static gboolean
authenticate (SipContainer *container, msg_t *msg, sip_t *sip, char **remote_user)
{
  SipsvSecurity *security = &container->security;
  gboolean www = as_user_agent (container, sip);
  const msg_auth_t *credentials = www ? sip->sip_authorization : sip->sip_proxy_authorization;
  const char *uri = url_as_string (msg_home (msg), sip->sip_request->rq_url);
  SipsvAuthResult result = { 0 };

  switch (sipsv_auth_verifier_verify (security->verifier, sip->sip_request->rq_method_name,
                                      uri != NULL ? uri : "", credentials, security->realm,
                                      &result))
    {
    case SIPSV_AUTH_OK:
      break;
    case SIPSV_AUTH_CHALLENGE:
    case SIPSV_AUTH_STALE:
    case SIPSV_AUTH_REPLAY:
      if (result.user != NULL)
        {
          /* Credentials that failed; a first request without any is
           * the normal start of digest, not a failure. */
          container->runtime.stack.metrics.auth_failures++;
          g_autofree char *source = sipsv_container_source_text (msg);
          g_message ("security: %s from %s (user \"%s\") challenged again: %s",
                     sip->sip_request->rq_method_name, source, result.user, result.why);
        }
      challenge (container, msg, www, result.outcome == SIPSV_AUTH_STALE);
      sipsv_auth_result_clear (&result);
      return FALSE;
    case SIPSV_AUTH_MALFORMED:
      {
        container->runtime.stack.metrics.auth_failures++;
        g_autofree char *why = g_strdup_printf ("bad credentials: %s", result.error->message);
        refuse (container, msg, sip, result.user, 400, "Bad Credentials", why);
        sipsv_auth_result_clear (&result);
        return FALSE;
      }
    }

  /* Identity: a REGISTER for the user's own address-of-record in one of
   * our domains; other requests from the user's own address. */
  gboolean registering = sip->sip_request->rq_method == sip_method_register;
  const url_t *claimed = registering ? sip->sip_to->a_url : sip->sip_from->a_url;
  if (!user_owns (result.user, claimed)
      || (registering && !sipsv_container_url_is_ours (container, claimed)))
    {
      container->runtime.stack.metrics.auth_failures++;
      refuse (container, msg, sip, result.user, 403,
              registering ? "Not Your Address-of-Record" : "From Is Not The Authenticated User",
              registering ? "To is not the authenticated user's address-of-record"
                          : "From is not the authenticated user");
      sipsv_auth_result_clear (&result);
      return FALSE;
    }
  consume_credentials (security, msg, sip, www);
  *remote_user = g_steal_pointer (&result.user);
  sipsv_auth_result_clear (&result);
  return TRUE;
}

gboolean
sipsv_container_security_require (SipContainer *container, msg_t *msg, sip_t *sip,
                                  char **remote_user)
{
  if (*remote_user != NULL || sipsv_container_source_is_trusted (container, msg))
    return TRUE;
  if (container->security.verifier == NULL)
    {
      /* Deploying checks this; a store removed since then refuses. */
      refuse (container, msg, sip, NULL, 403, "Authentication Unavailable",
              "the application needs an authenticated user and the container has no "
              "credentials");
      return FALSE;
    }
  return authenticate (container, msg, sip, remote_user);
}

gboolean
sipsv_container_security_check (SipContainer *container, msg_t *msg, sip_t *sip,
                                gboolean in_dialog, char **remote_user)
{
  SipsvSecurity *security = &container->security;

  *remote_user = NULL;
  if (security->verifier == NULL || sipsv_container_source_is_trusted (container, msg))
    return TRUE;
  gboolean from_ours = sipsv_container_url_is_ours (container, sip->sip_from->a_url);
  /* No relaying: an initial request must come from one of our domains or
   * go to one; one still carrying a Route goes elsewhere. */
  if (!in_dialog && !from_ours
      && (sip->sip_route != NULL
          || !sipsv_container_url_is_ours (container, sip->sip_request->rq_url)))
    {
      refuse (container, msg, sip, NULL, 403, "Relaying Denied",
              "neither from nor to one of our domains");
      return FALSE;
    }
  if (!needs_credentials (container, sip, in_dialog, from_ours))
    return TRUE;
  return authenticate (container, msg, sip, remote_user);
}
