/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's security policy: who must authenticate
 * (digest, RFC 7616 / RFC 8760), with which credentials, and what an
 * authenticated user may claim to be.
 *
 * A container with authentication turned on
 * (sipservlet_container_set_authentication()) checks every request before a
 * servlet sees it:
 *
 *   - a request from a trusted source address
 *     (sipservlet_container_add_trusted_source()) passes unchecked;
 *   - an initial request neither from one of our domains (the From URI)
 *     nor to one (the Request-URI) is answered 403 "Relaying Denied";
 *   - REGISTER, and initial requests whose From is one of our domains, must
 *     carry valid credentials: without them they are answered with a
 *     challenge, 401 (WWW-Authenticate) for REGISTER and requests addressed
 *     to this container, 407 (Proxy-Authenticate) for requests it will
 *     route on; ACK and CANCEL never are (RFC 3261 §22.1), in-dialog
 *     requests only with %SIPSERVLET_AUTH_IN_DIALOG;
 *   - the authenticated user must own what it claims: the To user of a
 *     REGISTER (in one of our domains), the From user of other requests;
 *     otherwise 403;
 *   - the credentials that answered our challenge are removed, so they are
 *     never proxied onward, and the servlet finds the user with
 *     sipservlet_message_get_remote_user().
 *
 * Failed attempts are logged with their source address and user.
 * doc/security.md describes every check and answer.
 *
 * Threading: configure a container before sipservlet_container_run(), or
 * from its thread; a #SipCredentialStore is used from the container thread
 * only (its _ref()/_unref() are atomic).
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * SipDigestAlgorithm:
 * @SIPSERVLET_DIGEST_MD5: MD5 (RFC 2617, the algorithm every SIP phone
 *   knows)
 * @SIPSERVLET_DIGEST_SHA256: SHA-256 (RFC 7616, RFC 8760)
 *
 * The digest algorithms of a challenge and its credentials. A set of them
 * is a bitmask of `1 << algorithm`.
 */
typedef enum
{
  SIPSERVLET_DIGEST_MD5 = 0,
  SIPSERVLET_DIGEST_SHA256 = 1,
} SipDigestAlgorithm;

/**
 * SipAuthPolicyFlags:
 * @SIPSERVLET_AUTH_REGISTER: challenge REGISTER requests
 * @SIPSERVLET_AUTH_INITIAL: challenge initial requests (INVITE, MESSAGE,
 *   SUBSCRIBE, OPTIONS...) whose From URI is in one of our domains; an
 *   OPTIONS to the container itself without a user part (a keep-alive) is
 *   not challenged
 * @SIPSERVLET_AUTH_IN_DIALOG: challenge requests inside a dialog too (From
 *   in one of our domains, never ACK)
 * @SIPSERVLET_AUTH_DEFAULT: %SIPSERVLET_AUTH_REGISTER and
 *   %SIPSERVLET_AUTH_INITIAL, the policy of Kamailio's default
 *   configuration
 *
 * Which requests must authenticate.
 */
typedef enum /*< flags >*/
{
  SIPSERVLET_AUTH_REGISTER = 1 << 0,
  SIPSERVLET_AUTH_INITIAL = 1 << 1,
  SIPSERVLET_AUTH_IN_DIALOG = 1 << 2,
  SIPSERVLET_AUTH_DEFAULT = SIPSERVLET_AUTH_REGISTER | SIPSERVLET_AUTH_INITIAL,
} SipAuthPolicyFlags;

/**
 * SipCredentialStoreFuncs:
 * @lookup: returns the HA1 hash, H(user:realm:password) in lowercase hex,
 *   of @user in @realm for @algorithm, newly allocated (it is overwritten
 *   and freed after use), or %NULL when the store has none
 * @get_algorithms: returns the set (a bitmask of `1 << algorithm`) of
 *   algorithms to offer by default: those for which every user has a hash
 * @reload: (nullable): reads the store's source again; on failure the
 *   store keeps its previous contents and sets @error
 *
 * The functions of a credential store written by the host program (a
 * database, a directory). Passwords never pass through the library; only
 * their HA1 hashes do.
 */
typedef struct
{
  char *(*lookup) (gpointer store_data, const char *user, const char *realm,
                   SipDigestAlgorithm algorithm);
  guint (*get_algorithms) (gpointer store_data);
  gboolean (*reload) (gpointer store_data, GError **error);
  /*< private >*/
  gpointer padding[4];
} SipCredentialStoreFuncs;

/**
 * sipservlet_credential_store_new: (skip)
 * @funcs: the store's functions (copied); @lookup and @get_algorithms are
 *   required
 * @store_data: passed to every function
 * @destroy: (nullable): frees @store_data with the store
 *
 * Creates a credential store from functions of the host program.
 *
 * Returns: (transfer full): a new #SipCredentialStore; free with
 *   sipservlet_credential_store_unref().
 */
SIPSERVLET_API SipCredentialStore *sipservlet_credential_store_new (const SipCredentialStoreFuncs *funcs,
                                                                    gpointer store_data,
                                                                    GDestroyNotify destroy);

/**
 * sipservlet_credential_store_new_from_file:
 * @path: the credential file
 * @error: return location for a #GError
 *
 * Reads a credential file: one entry a line,
 * `user:realm:MD5-HA1[:SHA-256-HA1]` (the format of Apache's htdigest with
 * an optional fourth field for the SHA-256 hash; either hash may be left
 * empty, not both); blank lines and lines starting with `#` are skipped.
 * The default offer is the algorithms every entry has a hash for (SHA-256
 * first), MD5 for an empty file.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set:
 *   a #GFileError when the file cannot be read, or
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT whose message starts with
 *   "FILE:LINE: " for a malformed line (wrong number of fields, a hash of
 *   the wrong length or not hex, an empty user or realm, a user listed
 *   twice in a realm). sipservlet_credential_store_reload() reads @path
 *   again.
 */
SIPSERVLET_API SipCredentialStore *sipservlet_credential_store_new_from_file (const char *path,
                                                                              GError **error);

/**
 * sipservlet_credential_store_ref:
 * @store: a #SipCredentialStore
 *
 * Returns: (transfer full): @store
 */
SIPSERVLET_API SipCredentialStore *sipservlet_credential_store_ref (SipCredentialStore *store);

/**
 * sipservlet_credential_store_unref:
 * @store: (nullable): a #SipCredentialStore
 *
 * Drops a reference; the last one frees the store.
 */
SIPSERVLET_API void sipservlet_credential_store_unref (SipCredentialStore *store);

/**
 * sipservlet_credential_store_reload:
 * @store: a #SipCredentialStore
 * @error: return location for a #GError
 *
 * Reloads the store (the file store reads its file again; all or nothing:
 * a file that does not load leaves the previous contents in use). A store
 * without a @reload function succeeds.
 *
 * Returns: %TRUE on success; %FALSE with @error set, as
 *   sipservlet_credential_store_new_from_file() says.
 */
SIPSERVLET_API gboolean sipservlet_credential_store_reload (SipCredentialStore *store,
                                                            GError **error);

/**
 * sipservlet_container_set_authentication:
 * @container: a #SipContainer
 * @store: (nullable): the credentials; %NULL turns authentication off
 * @realm: (nullable): the realm of our challenges (a domain, by
 *   convention); required with @store
 * @error: return location for a #GError
 *
 * Turns authentication on (or off) with the default policy
 * (%SIPSERVLET_AUTH_DEFAULT), the store's default algorithms and nonces
 * valid for 300 seconds. Our domains are those of
 * sipservlet_container_add_domain() and the container's own addresses.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @store is
 *   given without a @realm, or @realm is empty or holds a quote, a
 *   backslash or a control character.
 */
SIPSERVLET_API gboolean sipservlet_container_set_authentication (SipContainer *container,
                                                                 SipCredentialStore *store,
                                                                 const char *realm,
                                                                 GError **error);

/**
 * sipservlet_container_set_auth_policy:
 * @container: a #SipContainer
 * @flags: which requests are challenged
 *
 * Sets which requests must authenticate when authentication is on. The
 * relaying and identity checks apply whatever the flags.
 */
SIPSERVLET_API void sipservlet_container_set_auth_policy (SipContainer *container,
                                                          SipAuthPolicyFlags flags);

/**
 * sipservlet_container_set_auth_algorithms:
 * @container: a #SipContainer with authentication on
 * @algorithms: (array length=n_algorithms) (nullable): the algorithms to
 *   offer, preferred first (a client takes the first it supports)
 * @n_algorithms: their number; 0 restores the store's default
 * @error: return location for a #GError
 *
 * Sets the algorithms our challenges offer (RFC 8760: one challenge each,
 * in this order). Debian 12's baresip gives up on any challenge other than
 * MD5: offer MD5 alone to such phones.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when
 *   authentication is off, an algorithm is unknown or listed twice.
 */
SIPSERVLET_API gboolean sipservlet_container_set_auth_algorithms (SipContainer *container,
                                                                  const SipDigestAlgorithm *algorithms,
                                                                  guint n_algorithms,
                                                                  GError **error);

/**
 * sipservlet_container_reload_credentials:
 * @container: a #SipContainer
 * @error: return location for a #GError
 *
 * Reloads the credential store (sipservlet_credential_store_reload()); the
 * examples call it on SIGHUP. Nonces already issued stay valid.
 *
 * Returns: %TRUE on success or when authentication is off; %FALSE with
 *   @error set when the store could not reload (it keeps its contents).
 */
SIPSERVLET_API gboolean sipservlet_container_reload_credentials (SipContainer *container,
                                                                 GError **error);

/**
 * sipservlet_container_add_domain:
 * @container: a #SipContainer
 * @domain: a domain this container serves: a host name or IP address,
 *   matched case-insensitively against a URI's host whatever its port
 * @error: return location for a #GError
 *
 * Adds one of our domains. The container's own addresses (listening
 * points and aliases, with their ports) are ours without being added.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @domain is
 *   empty or not a host.
 */
SIPSERVLET_API gboolean sipservlet_container_add_domain (SipContainer *container,
                                                         const char *domain,
                                                         GError **error);

/**
 * sipservlet_container_is_our_domain:
 * @container: a #SipContainer
 * @uri: (nullable): a URI
 *
 * Returns: %TRUE when @uri is a sip: or sips: URI whose host is one of our
 *   domains (sipservlet_container_add_domain()) or names the container
 *   itself.
 */
SIPSERVLET_API gboolean sipservlet_container_is_our_domain (SipContainer *container,
                                                            const SipURI *uri);

/**
 * sipservlet_container_add_trusted_source:
 * @container: a #SipContainer
 * @source: an IPv4 or IPv6 address, or a network as ADDRESS/PREFIX
 *   ("192.0.2.0/24", "2001:db8::/32")
 * @error: return location for a #GError
 *
 * Requests from @source are not checked at all (no challenge, no relaying
 * or identity check): an edge proxy in front of us that authenticated
 * them, a media server, a gateway.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @source is
 *   not an address or network.
 */
SIPSERVLET_API gboolean sipservlet_container_add_trusted_source (SipContainer *container,
                                                                 const char *source,
                                                                 GError **error);

/**
 * sipservlet_message_get_remote_user:
 * @message: a #SipServletMessage
 *
 * The user a received request authenticated as (JSR 289 getRemoteUser()):
 * the username of the digest credentials the container checked.
 *
 * Returns: (nullable): the user, or %NULL for a request that did not
 *   authenticate (a trusted source, a request not challenged, a response,
 *   a request we send).
 */
SIPSERVLET_API const char *sipservlet_message_get_remote_user (SipServletMessage *message);

G_END_DECLS
