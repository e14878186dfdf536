/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - digest authentication, server side (issue 14).
 *
 * A service above the message layer: it reads sofia's parsed credentials
 * (msg_auth_t, which is sip_authorization_t and sip_proxy_authorization_t)
 * and otherwise works on text. It knows nothing of containers, proxies or
 * user agents: which requests are challenged, whether the authenticated
 * user may use the From or To of a request, trusted sources and 401 versus
 * 407 are decided above it.
 *
 * What it does (doc/security.md, "Digest authentication: what is
 * checked"):
 *   - RFC 7616 / RFC 8760 digest for SIP, algorithms MD5 and SHA-256,
 *     qop=auth only: HA1 = H(user:realm:password) comes from a credential
 *     store, HA2 = H(method:uri), response = H(HA1:nonce:nc:cnonce:qop:HA2);
 *     responses are compared in constant time;
 *   - stateless nonces: an HMAC-SHA-256 over a per-verifier random secret,
 *     a timestamp, a counter and the realm, so any nonce we made is
 *     recognised without storing it and a forged one is refused; expiry is
 *     reported as stale;
 *   - replay protection: a bounded table of the (nonce, nc) pairs seen;
 *   - a strict parser of the digest credentials;
 *   - the text of WWW-Authenticate / Proxy-Authenticate challenges;
 *   - a credential store interface and a file store (htdigest lines, with
 *     an optional SHA-256 field).
 *
 * Threading: nothing here is thread-safe; a verifier and its store are
 * used from the container's thread. Memory: GLib aborts on OOM.
 */
#pragma once

#include <glib.h>
#include <sofia-sip/msg_types.h>
#include <sipservlet/sipservlet.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Domain of the errors of this module: why credentials are malformed
 * (the verifier's SIPSV_AUTH_MALFORMED outcome) and why a credential file
 * cannot be loaded. */
#define SIPSV_AUTH_ERROR (sipsv_auth_error_quark ())
GQuark sipsv_auth_error_quark (void);

typedef enum
{
  SIPSV_AUTH_ERROR_DUPLICATE,    /* a digest parameter appears twice */
  SIPSV_AUTH_ERROR_MISSING,      /* a mandatory digest parameter is absent */
  SIPSV_AUTH_ERROR_QUOTING,      /* a value is quoted where it must not be, or
                                 * the other way round, or its quotes or
                                 * escapes are broken */
  SIPSV_AUTH_ERROR_BAD_VALUE,    /* nc is not 8 hex digits (or is 0), response
                                 * is not hex, a parameter has no name or "=" */
  SIPSV_AUTH_ERROR_UNSUPPORTED,  /* algorithm other than MD5 / SHA-256, qop
                                 * other than auth */
  SIPSV_AUTH_ERROR_URI_MISMATCH, /* the uri parameter differs from the
                                 * Request-URI (RFC 7616 §3.4.6: 400) */
  SIPSV_AUTH_ERROR_FILE,         /* a credential file has a malformed line;
                                 * the message starts with "FILE:LINE: " */
} SipsvAuthError;

/* ------------------------------------------------------------------------ */
/* Algorithms and digest arithmetic (digest.c)                               */
/* ------------------------------------------------------------------------ */

/* The public enum (sipservlet-security.h) under this module's names. */
typedef SipDigestAlgorithm SipsvAuthAlgorithm;
#define SIPSV_AUTH_MD5    SIPSERVLET_DIGEST_MD5
#define SIPSV_AUTH_SHA256 SIPSERVLET_DIGEST_SHA256

#define SIPSV_AUTH_N_ALGORITHMS 2

/* A set of algorithms: a bit (1 << algorithm) for each. */
#define SIPSV_AUTH_ALGORITHM_BIT(a) (1u << (a))
#define SIPSV_AUTH_ALGORITHMS_ALL   ((1u << SIPSV_AUTH_N_ALGORITHMS) - 1)

/* The name in the algorithm parameter: "MD5", "SHA-256". */
const char *sipsv_auth_algorithm_name (SipsvAuthAlgorithm algorithm);

/* Parses an algorithm parameter's value, ASCII case-insensitively.
 * Returns FALSE for any other algorithm, the -sess variants included. */
gboolean sipsv_auth_algorithm_from_name (const char *name, SipsvAuthAlgorithm *algorithm);

/* Length of the algorithm's digest as lowercase hex: 32 for MD5, 64 for
 * SHA-256. Every hash this module handles (HA1, HA2, response) has it. */
gsize sipsv_auth_algorithm_hex_length (SipsvAuthAlgorithm algorithm);

/* HA1 = H(user:realm:password), lowercase hex, newly allocated. For the
 * tools that write credential files and for tests: the verifier itself
 * never sees a password. */
char *sipsv_auth_digest_ha1 (SipsvAuthAlgorithm algorithm, const char *user, const char *realm,
                             const char *password);

/* The request-digest for qop=auth (RFC 7616 §3.4.1):
 * H(ha1:nonce:nc:cnonce:qop:H(method:uri)), lowercase hex, newly allocated.
 * @ha1 is lowercase hex; @nc is the 8 hex digits as the client sent them. */
char *sipsv_auth_digest_response (SipsvAuthAlgorithm algorithm, const char *ha1, const char *nonce,
                                  const char *nc, const char *cnonce, const char *qop,
                                  const char *method, const char *uri);

/* TRUE when the @length bytes at @a and @b are equal; the time taken
 * depends on @length only, not on where they differ. */
gboolean sipsv_auth_equal_constant_time (const char *a, const char *b, gsize length);

/* TRUE when @text is exactly @length hex digits (either case). */
gboolean sipsv_auth_is_hex (const char *text, gsize length);

/* Overwrites @text (a NUL-terminated secret: a hash, a key) with zeros and
 * frees it. NULL is allowed. */
void sipsv_auth_free_secret (char *text);

/* ------------------------------------------------------------------------ */
/* Credentials: Authorization / Proxy-Authorization (credentials.c)          */
/* ------------------------------------------------------------------------ */

/* The digest parameters of one Authorization or Proxy-Authorization
 * header, unquoted. Every string is owned and NULL when absent. */
typedef struct
{
  char *username;
  char *realm;
  char *nonce;
  char *uri;
  char *response;               /* hex, lowercased */
  SipsvAuthAlgorithm algorithm; /* MD5 when absent (RFC 7616 §3.4) */
  char *cnonce;
  char *opaque;
  char *qop;     /* as sent: "auth" is the only one accepted */
  char *nc_text; /* the 8 hex digits as sent, for the digest */
  guint32 nc;    /* their value, 1 or more */
} SipsvAuthCredentials;

/* Parses the parameters of a Digest credentials header: sofia's
 * au_params, a NULL-terminated array of "name=value" strings with values
 * as written (quotes included). Names are case-insensitive; unknown
 * parameters are ignored.
 *
 * Strict on purpose: username, realm, nonce, uri, response, cnonce and
 * opaque are quoted-strings (RFC 7616 §3.4) and must be quoted; algorithm,
 * qop and nc are tokens, accepted bare or quoted (clients following RFC
 * 2617's examples quote qop). A parameter given twice, a broken quoted
 * string, an nc that is not 8 hex digits or is 0, a response that is not
 * hex, an algorithm other than MD5 and SHA-256 (the -sess variants
 * included), a qop other than auth, a missing username, realm, nonce, uri or response, and credentials
 * without qop (or qop without cnonce and nc) are errors.
 *
 * On success fills @credentials (which the caller zeroed or cleared) and
 * returns TRUE; on failure returns FALSE with @error set in
 * SIPSV_AUTH_ERROR, naming the parameter, and leaves @credentials
 * cleared. */
gboolean sipsv_auth_credentials_parse (SipsvAuthCredentials *credentials, const char *const *params,
                                       GError **error);

/* Frees the strings of @credentials and zeroes it. */
void sipsv_auth_credentials_clear (SipsvAuthCredentials *credentials);

typedef enum
{
  SIPSV_AUTH_VALUE_QUOTED, /* a quoted-string, and only that */
  SIPSV_AUTH_VALUE_TOKEN,  /* a token; a quoted one is tolerated (RFC 2617's
                            * examples quote qop) */
} SipsvAuthValueKind;

/* The value of digest parameter @name written @value (as sofia keeps it,
 * quotes included), of @kind: unquoted, newly allocated; NULL with @error
 * set (SIPSV_AUTH_ERROR_QUOTING or _BAD_VALUE) when it is not well formed.
 * Shared by the credentials and the challenge parsers. */
char *sipsv_auth_param_value (const char *name, const char *value, SipsvAuthValueKind kind,
                              GError **error);

/* ------------------------------------------------------------------------ */
/* Nonces and replay protection (nonce.c)                                    */
/* ------------------------------------------------------------------------ */

/* Makes and checks nonces and the opaque value. A nonce is 64 lowercase
 * hex digits: a timestamp (seconds, 16 digits), a counter (16 digits) and
 * the first 128 bits of HMAC-SHA-256(secret, timestamp || counter ||
 * realm) (32 digits). The counter makes every nonce unique, even two made
 * in the same second, so two clients never share one (their nc would
 * collide in the replay table). The secret is 32 random bytes per
 * instance: nonces of another instance, or of this process before a
 * restart, are refused like forged ones. */
typedef struct _SipsvAuthNonces SipsvAuthNonces;

typedef enum
{
  SIPSV_AUTH_NONCE_VALID,
  SIPSV_AUTH_NONCE_EXPIRED, /* ours, but older than the lifetime */
  SIPSV_AUTH_NONCE_INVALID, /* not ours: malformed, forged, or for another realm */
} SipsvAuthNonceCheck;

SipsvAuthNonces *sipsv_auth_nonces_new (void);
void sipsv_auth_nonces_free (SipsvAuthNonces *nonces);

/* A new nonce for @realm at @now (seconds since the epoch). */
char *sipsv_auth_nonces_make (SipsvAuthNonces *nonces, const char *realm, gint64 now);

/* Checks @nonce for @realm at @now: valid while now - timestamp <=
 * @lifetime seconds. On VALID and EXPIRED, sets @issued_at (nullable) to
 * the nonce's timestamp. The MAC is compared in constant time. */
SipsvAuthNonceCheck sipsv_auth_nonces_check (SipsvAuthNonces *nonces, const char *nonce,
                                             const char *realm, gint64 now, guint lifetime,
                                             gint64 *issued_at);

/* The opaque value for @realm: 32 hex digits derived from the secret, so
 * the same for every challenge of this instance and realm. Newly
 * allocated. */
char *sipsv_auth_nonces_opaque (SipsvAuthNonces *nonces, const char *realm);

/* The nc values of one nonce that are remembered: out-of-order nc within
 * this distance of the highest seen are accepted once; older ones are
 * refused as replays (they cannot be told apart). */
#define SIPSV_AUTH_NC_WINDOW 64

/* Default capacity of the replay table, in nonces. */
#define SIPSV_AUTH_REPLAY_CAPACITY 16384

/* The (nonce, nc) pairs seen, per nonce: the highest nc and a bitmap of
 * the SIPSV_AUTH_NC_WINDOW values below it. An entry goes when its nonce
 * expires. Only credentials with a correct response are recorded, so
 * only authenticated users can fill the table. */
typedef struct _SipsvAuthReplay SipsvAuthReplay;

typedef enum
{
  SIPSV_AUTH_REPLAY_FRESH, /* first use of this (nonce, nc): recorded */
  SIPSV_AUTH_REPLAY_SEEN,  /* used before, or too old to tell: a replay */
  SIPSV_AUTH_REPLAY_FULL,  /* a new nonce and no room for it: not recorded */
} SipsvAuthReplayVerdict;

SipsvAuthReplay *sipsv_auth_replay_new (guint capacity);
void sipsv_auth_replay_free (SipsvAuthReplay *replay);

/* Checks and records (@nonce, @nc). A new nonce gets an entry that lives
 * until @expires_at (seconds); when the table holds @capacity nonces, the
 * entries expired at @now are dropped first, and if none was, FULL. */
SipsvAuthReplayVerdict sipsv_auth_replay_check (SipsvAuthReplay *replay, const char *nonce,
                                                guint32 nc, gint64 expires_at, gint64 now);

/* @bytes random bytes from the kernel as lowercase hex (a client's
 * cnonce), newly allocated. */
char *sipsv_auth_random_hex (gsize bytes);

/* Number of nonces in the table (tests). */
guint sipsv_auth_replay_size (SipsvAuthReplay *replay);

/* ------------------------------------------------------------------------ */
/* Credential stores (store.c)                                               */
/* ------------------------------------------------------------------------ */

/* A credential store is the public SipCredentialStore
 * (sipservlet-security.h): its functions (SipCredentialStoreFuncs) hold
 * hashes, never passwords; lookup's result is freed with
 * sipsv_auth_free_secret(). Refcounted atomically. */
typedef struct _SipCredentialStore SipsvAuthStore;

SipsvAuthStore *sipsv_auth_store_new (const SipCredentialStoreFuncs *funcs, gpointer store_data,
                                      GDestroyNotify destroy);
SipsvAuthStore *sipsv_auth_store_ref (SipsvAuthStore *store);
void sipsv_auth_store_unref (SipsvAuthStore *store);

char *sipsv_auth_store_lookup (SipsvAuthStore *store, const char *user, const char *realm,
                               SipsvAuthAlgorithm algorithm);
guint sipsv_auth_store_algorithms (SipsvAuthStore *store);

/* Reloads the store. A store without reload succeeds and keeps its
 * contents. On failure the store keeps what it had (all or nothing). */
gboolean sipsv_auth_store_reload (SipsvAuthStore *store, GError **error);

/* The file store: one entry a line,
 *     user:realm:MD5-HA1[:SHA-256-HA1]
 * (htdigest's format with an optional fourth field). The MD5 field may be
 * empty when the SHA-256 one is present (a user who may not use MD5).
 * Hashes are 32 and 64 hex digits; lines whose first non-blank character is
 * '#' and blank lines are skipped; leading and trailing blanks of a line
 * are ignored. A user:realm given twice is an error.
 *
 * Default algorithms: those every entry has a hash for, SHA-256 being
 * offered only when all have one (so an htdigest file offers MD5 only);
 * when no algorithm is common to all entries, those any entry has; an
 * empty file, MD5.
 *
 * Returns NULL with @error set when the file cannot be read (G_FILE_ERROR)
 * or has a malformed line (SIPSV_AUTH_ERROR_FILE, "FILE:LINE: what");
 * sipsv_auth_store_reload() re-reads @path with the same rules. */
SipsvAuthStore *sipsv_auth_file_store_new (const char *path, GError **error);

/* ------------------------------------------------------------------------ */
/* The verifier (verifier.c)                                                 */
/* ------------------------------------------------------------------------ */

typedef enum
{
  SIPSV_AUTH_OK,        /* authenticated: result->user is the user */
  SIPSV_AUTH_CHALLENGE, /* no usable credentials, unknown user, wrong
                         * response, forged nonce, wrong opaque or realm,
                         * algorithm not offered, replay table full:
                         * answer with a fresh challenge */
  SIPSV_AUTH_STALE,     /* correct response on an expired nonce: challenge
                         * with stale=true, the client retries without
                         * asking its user */
  SIPSV_AUTH_REPLAY,    /* correct response, but this (nonce, nc) was used
                         * already: challenge (stale=false) and log */
  SIPSV_AUTH_MALFORMED, /* credentials for our realm that break the syntax,
                         * or whose uri is not the Request-URI: 400,
                         * result->error says why */
} SipsvAuthOutcome;

/* What sipsv_auth_verifier_verify() found. Clear with
 * sipsv_auth_result_clear(). */
typedef struct
{
  SipsvAuthOutcome outcome;
  char *user;                   /* the username of the credentials used (for
                                 * the log when not OK), NULL when none */
  SipsvAuthAlgorithm algorithm; /* the credentials' algorithm, when parsed */
  const char *why;              /* a short static explanation for the log
                                 * ("wrong response", "unknown user"...);
                                 * NULL on OK */
  GError *error;                /* MALFORMED only: the details
                                 * (SIPSV_AUTH_ERROR) */
} SipsvAuthResult;

void sipsv_auth_result_clear (SipsvAuthResult *result);

/* Default nonce lifetime, seconds. */
#define SIPSV_AUTH_NONCE_LIFETIME 300

typedef struct _SipsvAuthVerifier SipsvAuthVerifier;

/* The clock: seconds since the epoch. The default reads g_get_real_time();
 * tests set their own. */
typedef gint64 (*SipsvAuthClockFunc) (gpointer user_data);

/* A verifier over @store (a reference is taken), with a new random
 * secret, the default lifetime, replay capacity and offer. */
SipsvAuthVerifier *sipsv_auth_verifier_new (SipsvAuthStore *store);
void sipsv_auth_verifier_free (SipsvAuthVerifier *verifier);

void sipsv_auth_verifier_set_nonce_lifetime (SipsvAuthVerifier *verifier, guint seconds);

/* Replaces the replay table by an empty one of @capacity nonces (1 or
 * more). Meant for configuration, before any request. */
void sipsv_auth_verifier_set_replay_capacity (SipsvAuthVerifier *verifier, guint capacity);

/* The algorithms offered, in order (the client takes the first it
 * supports, RFC 8760 §3). @n 0 restores the default: the store's
 * algorithms, SHA-256 first. Credentials with an algorithm not offered are
 * answered with a challenge. */
void sipsv_auth_verifier_set_algorithms (SipsvAuthVerifier *verifier,
                                         const SipsvAuthAlgorithm *algorithms, guint n);

/* The algorithms that challenges offer now, in order; returns how many
 * were written to @out (room for SIPSV_AUTH_N_ALGORITHMS). */
guint sipsv_auth_verifier_get_offer (SipsvAuthVerifier *verifier, SipsvAuthAlgorithm *out);

void sipsv_auth_verifier_set_clock (SipsvAuthVerifier *verifier, SipsvAuthClockFunc func,
                                    gpointer user_data);

/* Checks the credentials of a request for @realm.
 * @method: the request's method ("REGISTER");
 * @request_uri: the Request-URI exactly as in the request line;
 * @credentials: (nullable) the request's Authorization (as UAS or
 *   registrar) or Proxy-Authorization (as proxy) headers, a list through
 *   au_next; the first with scheme Digest whose realm is @realm is used,
 *   the others are ignored (they are for other servers);
 * @realm: the realm the request must authenticate in.
 * Fills @result (zeroed or cleared by the caller) and returns its outcome.
 * Order of the checks: credentials present, syntax, uri, algorithm
 * offered, opaque, nonce ours, user known, response, nonce age, replay. */
SipsvAuthOutcome sipsv_auth_verifier_verify (SipsvAuthVerifier *verifier, const char *method,
                                             const char *request_uri, const msg_auth_t *credentials,
                                             const char *realm, SipsvAuthResult *result);

/* The challenges for @realm, one header value per algorithm offered, in
 * order of preference (RFC 8760 §2.4: several WWW-Authenticate or
 * Proxy-Authenticate headers), sharing one fresh nonce:
 *     Digest realm="R", nonce="N", opaque="O", algorithm=A, qop="auth"
 * followed by ", stale=true" when @stale. Returns a new NULL-terminated
 * array (g_strfreev). */
GStrv sipsv_auth_verifier_challenge (SipsvAuthVerifier *verifier, const char *realm,
                                     gboolean stale);

/* ------------------------------------------------------------------------ */
/* Client side: challenges and the credentials that answer them              */
/* (challenge.c)                                                             */
/* ------------------------------------------------------------------------ */

/* The parameters of one WWW-Authenticate or Proxy-Authenticate challenge
 * (RFC 7616 §3.3), unquoted. Strings are owned; opaque is NULL when
 * absent. */
typedef struct
{
  char *realm;
  char *nonce;
  char *opaque;
  SipsvAuthAlgorithm algorithm; /* MD5 when absent */
  gboolean stale;
} SipsvAuthChallenge;

/* Parses one challenge: sofia's msg_auth_t (its scheme and au_params).
 * Strict like the credentials parser: the scheme must be Digest; realm,
 * nonce, opaque, domain and qop are quoted-strings (qop is tolerated
 * bare); algorithm and stale are tokens; a parameter given twice, a
 * missing realm or nonce, an algorithm other than MD5 and SHA-256, and a
 * challenge without qop or whose qop list lacks "auth" are errors
 * (SIPSV_AUTH_ERROR_UNSUPPORTED for the scheme, algorithm and qop). Only
 * @challenge->next is not looked at. On failure @challenge is left
 * cleared. */
gboolean sipsv_auth_challenge_parse (SipsvAuthChallenge *challenge, const msg_auth_t *header,
                                     GError **error);

void sipsv_auth_challenge_clear (SipsvAuthChallenge *challenge);

/* The realm of a challenge of any scheme, unquoted, or NULL when it has
 * none or it is malformed. Newly allocated. */
char *sipsv_auth_challenge_realm (const msg_auth_t *header);

/* The value of an Authorization / Proxy-Authorization header answering
 * @challenge for a request @method to @uri, qop=auth:
 *     Digest username="U", realm="R", nonce="N", uri="URI",
 *     response="...", algorithm=A, cnonce="C", qop=auth, nc=NNNNNNNN
 * and opaque="O" when the challenge had one. @cnonce is the client's
 * nonce (sipsv_auth_random_hex()), @nc the nonce count, 1 or more.
 * Newly allocated. */
char *sipsv_auth_challenge_answer (const SipsvAuthChallenge *challenge, const char *method,
                                   const char *uri, const char *username, const char *password,
                                   const char *cnonce, guint32 nc);

G_END_DECLS
