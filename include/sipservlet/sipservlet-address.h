/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - addressing: SipURI, SipAddress, SipParameterable
 * (JSR 289 URI, SipURI, TelURL, Address and Parameterable).
 *
 * All three types are opaque, reference counted (_ref/_unref, atomic) and
 * mutable; _clone() makes an independent deep copy. Strings returned as
 * `const char *` belong to the object and stay valid until the object is
 * changed or freed. _to_string() returns a new string to g_free().
 *
 * Parameter names (URI parameters, header parameters, URI header names)
 * compare case-insensitively; parameters keep their document order. A
 * flag parameter (";lr") has the value "" and a missing one is NULL.
 *
 * Passing NULL for an object or a required string is a programming error
 * (a g_return_if_fail() critical). Text that does not parse gives NULL and
 * %SIPSERVLET_ERROR_PARSE; an unacceptable value given to a setter gives
 * FALSE and %SIPSERVLET_ERROR_INVALID_ARGUMENT.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/* ---- SipURI ----------------------------------------------------------- */

/**
 * sipservlet_uri_parse:
 * @text: a URI such as `sip:alice@example.com;transport=tcp`,
 *   `sips:[2001:db8::1]:5061`, `tel:+1-201-555-0123` or any absolute URI
 *   (`mailto:`, `urn:`, `http:`...) which is kept opaque
 * @error: return location for a #GError, or %NULL
 *
 * Parses a URI. sip and sips URIs follow RFC 3261 §19.1 (userinfo with
 * %-escapes and password, hostname, IPv4 or bracketed IPv6 host, port
 * 0-65535, parameters, headers); tel URIs follow RFC 3966 (a local number
 * needs a phone-context parameter). The scheme is lowercased; user,
 * password, parameters and headers are stored unescaped.
 *
 * Errors: %SIPSERVLET_ERROR_PARSE for a missing scheme, white space,
 * control or non-ASCII characters, an empty user or host, a bad port,
 * unbalanced brackets, a bad IPv6 address, a bad %-escape (or %00), an
 * empty parameter name or value, a bad telephone number or tel parameter,
 * or trailing garbage. The message names the problem and the input.
 *
 * Returns: (transfer full) (nullable): the new URI, or %NULL on error.
 */
SIPSERVLET_API SipURI *sipservlet_uri_parse (const char *text, GError **error);

/**
 * sipservlet_uri_new_sip:
 * @user: (nullable): the user part, unescaped; %NULL for none (not "")
 * @host: a hostname, IPv4 address, or IPv6 address with or without
 *   brackets (brackets are added); must be valid, use
 *   sipservlet_uri_parse() for untrusted input
 * @port: the port, or -1 for none
 * @secure: %TRUE for a sips URI
 *
 * Builds a sip or sips URI without parameters or headers. An invalid
 * argument is a programming error (critical, returns %NULL).
 *
 * Returns: (transfer full): the new URI.
 */
SIPSERVLET_API SipURI *sipservlet_uri_new_sip (const char *user, const char *host,
                                               gint port, gboolean secure);

/**
 * sipservlet_uri_ref:
 * @uri: a URI
 *
 * Returns: (transfer full): @uri with one more reference.
 */
SIPSERVLET_API SipURI *sipservlet_uri_ref (SipURI *uri);

/**
 * sipservlet_uri_unref:
 * @uri: (transfer full): a URI
 *
 * Drops one reference; the last one frees the URI.
 */
SIPSERVLET_API void sipservlet_uri_unref (SipURI *uri);

/**
 * sipservlet_uri_clone:
 * @uri: a URI
 *
 * Returns: (transfer full): an independent deep copy of @uri.
 */
SIPSERVLET_API SipURI *sipservlet_uri_clone (const SipURI *uri);

/**
 * sipservlet_uri_to_string:
 * @uri: a URI
 *
 * Formats @uri. Every character not allowed unescaped in its component
 * is %-escaped (user: unreserved and `&=+$,;?/`; password: unreserved and
 * `&=+$,`; parameters: unreserved and `[]/:&+$`; headers: unreserved and
 * `[]/?:+$`), so escapes that were not needed are written plainly.
 * Parameters and headers keep their order. Opaque URIs are written as
 * parsed, with the scheme lowercased.
 *
 * Returns: (transfer full): the URI text; g_free() it.
 */
SIPSERVLET_API char *sipservlet_uri_to_string (const SipURI *uri);

/**
 * sipservlet_uri_to_canonical_string:
 * @uri: a URI
 *
 * A key for an address of record, as registrars use: for sip and sips,
 * `scheme:user@host[:port]` with the user escaped consistently, the host
 * lowercased (IPv6 in RFC 5952 form), no password, parameters or headers.
 * For tel, `tel:` and the number without visual separators, lowercased,
 * plus `;phone-context=` for a local number. Other URIs are lowercased.
 * URIs that compare equal with sipservlet_uri_equal() and differ only in
 * parameters, headers or password give the same key.
 *
 * Returns: (transfer full): the key; g_free() it.
 */
SIPSERVLET_API char *sipservlet_uri_to_canonical_string (const SipURI *uri);

/**
 * sipservlet_uri_get_scheme:
 * @uri: a URI
 *
 * Returns: (transfer none): the lowercased scheme: "sip", "sips", "tel"
 *   or another one.
 */
SIPSERVLET_API const char *sipservlet_uri_get_scheme (const SipURI *uri);

/**
 * sipservlet_uri_is_sip:
 * @uri: a URI
 *
 * Returns: %TRUE for a sip or sips URI (JSR 289 SipURI).
 */
SIPSERVLET_API gboolean sipservlet_uri_is_sip (const SipURI *uri);

/**
 * sipservlet_uri_is_tel:
 * @uri: a URI
 *
 * Returns: %TRUE for a tel URI (JSR 289 TelURL).
 */
SIPSERVLET_API gboolean sipservlet_uri_is_tel (const SipURI *uri);

/**
 * sipservlet_uri_is_secure:
 * @uri: a URI
 *
 * Returns: %TRUE for a sips URI.
 */
SIPSERVLET_API gboolean sipservlet_uri_is_secure (const SipURI *uri);

/**
 * sipservlet_uri_set_secure:
 * @uri: a sip or sips URI
 * @secure: %TRUE for sips, %FALSE for sip
 *
 * Changes the scheme between sip and sips. @uri must be a sip or sips URI.
 */
SIPSERVLET_API void sipservlet_uri_set_secure (SipURI *uri, gboolean secure);

/**
 * sipservlet_uri_get_user:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the unescaped user part of a sip or
 *   sips URI, or %NULL when there is none or @uri is not a sip URI.
 */
SIPSERVLET_API const char *sipservlet_uri_get_user (const SipURI *uri);

/**
 * sipservlet_uri_set_user:
 * @uri: a sip or sips URI
 * @user: (nullable): the unescaped user part; %NULL removes the user and
 *   the password
 * @error: return location for a #GError, or %NULL
 *
 * Sets the user part; it is escaped when formatted.
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for an empty string.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_user (SipURI *uri, const char *user, GError **error);

/**
 * sipservlet_uri_get_user_password:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the unescaped password of a sip or
 *   sips URI, or %NULL when there is none.
 */
SIPSERVLET_API const char *sipservlet_uri_get_user_password (const SipURI *uri);

/**
 * sipservlet_uri_set_user_password:
 * @uri: a sip or sips URI
 * @password: (nullable): the unescaped password ("" is allowed); %NULL
 *   removes it
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT when @uri has no user part.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_user_password (SipURI *uri, const char *password,
                                                          GError **error);

/**
 * sipservlet_uri_get_host:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the host of a sip or sips URI as
 *   written, an IPv6 host with its brackets ("[::1]"); %NULL for other
 *   URIs.
 */
SIPSERVLET_API const char *sipservlet_uri_get_host (const SipURI *uri);

/**
 * sipservlet_uri_set_host:
 * @uri: a sip or sips URI
 * @host: a hostname, an IPv4 address, or an IPv6 address with or without
 *   brackets (brackets are added when missing)
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT when @host is none of these.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_host (SipURI *uri, const char *host, GError **error);

/**
 * sipservlet_uri_get_port:
 * @uri: a URI
 *
 * Returns: the port of a sip or sips URI, or -1 when absent (or not a sip
 *   URI).
 */
SIPSERVLET_API gint sipservlet_uri_get_port (const SipURI *uri);

/**
 * sipservlet_uri_set_port:
 * @uri: a sip or sips URI
 * @port: 0 to 65535, or -1 to remove the port
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for any other value.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_port (SipURI *uri, gint port, GError **error);

/**
 * sipservlet_uri_get_parameter:
 * @uri: a URI
 * @name: a parameter name, compared case-insensitively
 *
 * Returns: (transfer none) (nullable): the unescaped value, "" for a flag
 *   parameter such as `;lr`, %NULL when absent (always for opaque URIs).
 */
SIPSERVLET_API const char *sipservlet_uri_get_parameter (const SipURI *uri, const char *name);

/**
 * sipservlet_uri_set_parameter:
 * @uri: a URI
 * @name: the parameter name
 * @value: (nullable): the unescaped value; %NULL or "" makes a flag
 * @error: return location for a #GError, or %NULL
 *
 * Replaces the value of an existing parameter in place or appends a new
 * one. Values are escaped when formatted.
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for an empty name, for a URI
 * that is neither sip, sips nor tel, and for tel URIs a name that is not
 * alphanumerics and '-', a bad phone-context (or one on a global number),
 * a bad ext or an isub flag.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_parameter (SipURI *uri, const char *name,
                                                      const char *value, GError **error);

/**
 * sipservlet_uri_remove_parameter:
 * @uri: a URI
 * @name: the parameter name
 *
 * Removes every parameter called @name; nothing happens when there is
 * none. Removing the phone-context of a local tel number is a programming
 * error.
 */
SIPSERVLET_API void sipservlet_uri_remove_parameter (SipURI *uri, const char *name);

/**
 * sipservlet_uri_get_parameter_names:
 * @uri: a URI
 *
 * Returns: (transfer full) (array zero-terminated=1): the parameter names
 *   in document order, each once; free with g_strfreev(). Never %NULL.
 */
SIPSERVLET_API char **sipservlet_uri_get_parameter_names (const SipURI *uri);

/**
 * sipservlet_uri_get_header:
 * @uri: a URI
 * @name: a header name, compared case-insensitively
 *
 * URI headers are the `?name=value&name=value` part of a sip URI.
 *
 * Returns: (transfer none) (nullable): the unescaped value of the first
 *   header called @name, or %NULL.
 */
SIPSERVLET_API const char *sipservlet_uri_get_header (const SipURI *uri, const char *name);

/**
 * sipservlet_uri_set_header:
 * @uri: a URI
 * @name: the header name
 * @value: the unescaped value (may be "")
 * @error: return location for a #GError, or %NULL
 *
 * Replaces the first header called @name in place (dropping others of
 * that name) or appends one.
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for an empty name or a URI
 * that is not sip or sips.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_uri_set_header (SipURI *uri, const char *name,
                                                   const char *value, GError **error);

/**
 * sipservlet_uri_remove_header:
 * @uri: a URI
 * @name: the header name
 *
 * Removes every header called @name.
 */
SIPSERVLET_API void sipservlet_uri_remove_header (SipURI *uri, const char *name);

/**
 * sipservlet_uri_get_header_names:
 * @uri: a URI
 *
 * Returns: (transfer full) (array zero-terminated=1): the header names in
 *   document order, each once; free with g_strfreev(). Never %NULL.
 */
SIPSERVLET_API char **sipservlet_uri_get_header_names (const SipURI *uri);

/**
 * sipservlet_uri_get_transport_param:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the "transport" parameter of a sip
 *   or sips URI, as written, or %NULL.
 */
SIPSERVLET_API const char *sipservlet_uri_get_transport_param (const SipURI *uri);

/**
 * sipservlet_uri_get_lr_param:
 * @uri: a URI
 *
 * Returns: %TRUE when a sip or sips URI has the "lr" parameter.
 */
SIPSERVLET_API gboolean sipservlet_uri_get_lr_param (const SipURI *uri);

/**
 * sipservlet_uri_set_lr_param:
 * @uri: a sip or sips URI
 * @lr: %TRUE to add the `;lr` flag, %FALSE to remove it
 */
SIPSERVLET_API void sipservlet_uri_set_lr_param (SipURI *uri, gboolean lr);

/**
 * sipservlet_uri_get_phone_number:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the number of a tel URI with its
 *   visual separators as written and without the leading '+' of a global
 *   number; %NULL for other URIs.
 */
SIPSERVLET_API const char *sipservlet_uri_get_phone_number (const SipURI *uri);

/**
 * sipservlet_uri_is_global:
 * @uri: a URI
 *
 * Returns: %TRUE for a tel URI with a global ('+') number.
 */
SIPSERVLET_API gboolean sipservlet_uri_is_global (const SipURI *uri);

/**
 * sipservlet_uri_get_phone_context:
 * @uri: a URI
 *
 * Returns: (transfer none) (nullable): the phone-context parameter of a
 *   tel URI, or %NULL.
 */
SIPSERVLET_API const char *sipservlet_uri_get_phone_context (const SipURI *uri);

/**
 * sipservlet_uri_equal:
 * @a: a URI
 * @b: another URI
 *
 * Compares two URIs. sip and sips follow RFC 3261 §19.1.4: sip never
 * equals sips; user and password compare case-sensitively after
 * unescaping; the host compares case-insensitively (IPv6 references as
 * addresses, so `[2001:db8::1]` equals `[2001:DB8:0:0:0:0:0:1]`); the port
 * and the user, ttl, method, maddr and transport parameters must be absent
 * from both or equal; other parameters are compared only when present in
 * both; headers must match both ways (names case-insensitive, values
 * exactly). tel follows RFC 3966 §5: both local or both global, numbers
 * equal without visual separators, same parameters both ways. Other URIs
 * compare as case-insensitive strings. URIs of different schemes never
 * compare equal. This relation is not transitive (RFC 3261 notes so).
 *
 * Returns: %TRUE when @a and @b are equivalent.
 */
SIPSERVLET_API gboolean sipservlet_uri_equal (const SipURI *a, const SipURI *b);

/**
 * sipservlet_uri_hash:
 * @uri: a URI
 *
 * A hash consistent with sipservlet_uri_equal() (scheme, user, host and
 * port for sip; the normalized number for tel), for #GHashTable.
 *
 * Returns: the hash.
 */
SIPSERVLET_API guint sipservlet_uri_hash (const SipURI *uri);

/* ---- SipAddress ------------------------------------------------------- */

/**
 * sipservlet_address_parse:
 * @text: a From, To, Contact, Route... value: `"Alice" <sip:a@b>;tag=x`,
 *   `Alice Smith <sip:a@b>`, `<sip:a@b;lr>;expires=60`, `sip:a@b;tag=x`
 *   or `*`
 * @error: return location for a #GError, or %NULL
 *
 * Parses a name-addr or addr-spec followed by header parameters. In the
 * addr-spec form (no angle brackets) the parameters after the URI belong
 * to the header, as RFC 3261 §20 says. Display names may be quoted (with
 * `\` escapes) or a sequence of tokens. White space and line folds are
 * accepted around the parts; parameter values may be quoted strings.
 *
 * Errors: %SIPSERVLET_ERROR_PARSE for a bad URI, an unterminated quoted
 * string, a missing '<' or '>', a bad parameter, or trailing garbage.
 *
 * Returns: (transfer full) (nullable): the new address, or %NULL on error.
 */
SIPSERVLET_API SipAddress *sipservlet_address_parse (const char *text, GError **error);

/**
 * sipservlet_address_new:
 * @uri: (transfer none): the URI; the address keeps a clone
 * @display_name: (nullable): the display name, unquoted; it must not hold
 *   CR or LF and must be UTF-8
 *
 * Returns: (transfer full): a new address without parameters.
 */
SIPSERVLET_API SipAddress *sipservlet_address_new (SipURI *uri, const char *display_name);

/**
 * sipservlet_address_new_wildcard:
 *
 * The `*` Contact value of a REGISTER removing every binding. It has no
 * URI, display name or parameters.
 *
 * Returns: (transfer full): a new wildcard address.
 */
SIPSERVLET_API SipAddress *sipservlet_address_new_wildcard (void);

/**
 * sipservlet_address_ref:
 * @address: an address
 *
 * Returns: (transfer full): @address with one more reference.
 */
SIPSERVLET_API SipAddress *sipservlet_address_ref (SipAddress *address);

/**
 * sipservlet_address_unref:
 * @address: (transfer full): an address
 *
 * Drops one reference; the last one frees the address.
 */
SIPSERVLET_API void sipservlet_address_unref (SipAddress *address);

/**
 * sipservlet_address_clone:
 * @address: an address
 *
 * Returns: (transfer full): an independent deep copy of @address,
 *   including its URI.
 */
SIPSERVLET_API SipAddress *sipservlet_address_clone (const SipAddress *address);

/**
 * sipservlet_address_to_string:
 * @address: an address
 *
 * Formats @address in name-addr form, `Display <uri>;params`, or `*`.
 * The display name is written plainly when it is tokens separated by
 * single spaces, else as a quoted string with `\"` and `\\` escapes.
 * Parameter values are quoted when they were quoted or need it.
 *
 * Returns: (transfer full): the text; g_free() it.
 */
SIPSERVLET_API char *sipservlet_address_to_string (const SipAddress *address);

/**
 * sipservlet_address_get_display_name:
 * @address: an address
 *
 * Returns: (transfer none) (nullable): the unquoted display name, or
 *   %NULL when there is none.
 */
SIPSERVLET_API const char *sipservlet_address_get_display_name (const SipAddress *address);

/**
 * sipservlet_address_set_display_name:
 * @address: an address, not the wildcard
 * @display_name: (nullable): the unquoted display name (no CR or LF,
 *   UTF-8), or %NULL to remove it
 */
SIPSERVLET_API void sipservlet_address_set_display_name (SipAddress *address,
                                                         const char *display_name);

/**
 * sipservlet_address_get_uri:
 * @address: an address
 *
 * The URI can be changed in place.
 *
 * Returns: (transfer none) (nullable): the URI, or %NULL for the wildcard.
 */
SIPSERVLET_API SipURI *sipservlet_address_get_uri (const SipAddress *address);

/**
 * sipservlet_address_set_uri:
 * @address: an address, not the wildcard
 * @uri: (transfer none): the new URI; the address keeps a clone
 */
SIPSERVLET_API void sipservlet_address_set_uri (SipAddress *address, SipURI *uri);

/**
 * sipservlet_address_is_wildcard:
 * @address: an address
 *
 * Returns: %TRUE for the `*` address.
 */
SIPSERVLET_API gboolean sipservlet_address_is_wildcard (const SipAddress *address);

/**
 * sipservlet_address_get_parameter:
 * @address: an address
 * @name: a header parameter name, compared case-insensitively
 *
 * Returns: (transfer none) (nullable): the value (unquoted, escapes
 *   removed), "" for a flag, %NULL when absent.
 */
SIPSERVLET_API const char *sipservlet_address_get_parameter (const SipAddress *address,
                                                             const char *name);

/**
 * sipservlet_address_set_parameter:
 * @address: an address
 * @name: the parameter name, a token
 * @value: (nullable): the value; %NULL or "" makes a flag. A value
 *   wrapped in double quotes (`"\"<urn:uuid:...>\""`) is stored without
 *   them and always written quoted; other values are quoted only when
 *   they are not a token or host.
 * @error: return location for a #GError, or %NULL
 *
 * Replaces the value of an existing parameter in place or appends one.
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT when @name is not a token,
 * @value holds CR or LF or is not UTF-8, or @address is the wildcard.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_address_set_parameter (SipAddress *address, const char *name,
                                                          const char *value, GError **error);

/**
 * sipservlet_address_remove_parameter:
 * @address: an address
 * @name: the parameter name
 *
 * Removes every parameter called @name.
 */
SIPSERVLET_API void sipservlet_address_remove_parameter (SipAddress *address, const char *name);

/**
 * sipservlet_address_get_parameter_names:
 * @address: an address
 *
 * Returns: (transfer full) (array zero-terminated=1): the header parameter
 *   names in document order, each once; free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_address_get_parameter_names (const SipAddress *address);

/**
 * sipservlet_address_get_q:
 * @address: an address
 *
 * Returns: the "q" parameter, 0.0 to 1.0, or -1.0 when absent or not a
 *   valid qvalue.
 */
SIPSERVLET_API gdouble sipservlet_address_get_q (const SipAddress *address);

/**
 * sipservlet_address_set_q:
 * @address: an address
 * @q: 0.0 to 1.0 (written with at most three decimals), or -1.0 to remove
 *   the parameter
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for any other value (NaN
 * included) or when @address is the wildcard.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_address_set_q (SipAddress *address, gdouble q, GError **error);

/**
 * sipservlet_address_get_expires:
 * @address: an address
 *
 * Returns: the "expires" parameter in seconds (values beyond %G_MAXINT
 *   are clamped), or -1 when absent or not a number.
 */
SIPSERVLET_API gint sipservlet_address_get_expires (const SipAddress *address);

/**
 * sipservlet_address_set_expires:
 * @address: an address, not the wildcard unless @seconds is negative
 * @seconds: the value, or a negative number to remove the parameter
 */
SIPSERVLET_API void sipservlet_address_set_expires (SipAddress *address, gint seconds);

/**
 * sipservlet_address_get_tag:
 * @address: an address
 *
 * Returns: (transfer none) (nullable): the "tag" parameter, or %NULL.
 */
SIPSERVLET_API const char *sipservlet_address_get_tag (const SipAddress *address);

/**
 * sipservlet_address_equal:
 * @a: an address
 * @b: another address
 *
 * Two addresses are equal when their URIs are equal by
 * sipservlet_uri_equal() and they have the same header parameters (names
 * case-insensitive; values case-insensitive unless quoted, RFC 3261
 * §7.3.1). The display name is ignored. The wildcard only equals the
 * wildcard.
 *
 * Returns: %TRUE when @a and @b are equal.
 */
SIPSERVLET_API gboolean sipservlet_address_equal (const SipAddress *a, const SipAddress *b);

/* ---- SipParameterable ------------------------------------------------- */

/**
 * sipservlet_parameterable_parse:
 * @text: a header value with parameters, e.g. `application/sdp;charset=utf-8`
 *   or `SIP/2.0/UDP host:5060;branch=z9hG4bK1;rport`
 * @error: return location for a #GError, or %NULL
 *
 * The value runs to the first ';' outside a quoted string or `<...>` and
 * is trimmed of white space; line folds in it are removed. Parameters
 * follow with the same syntax as address parameters.
 *
 * Errors: %SIPSERVLET_ERROR_PARSE for an empty value, control characters,
 * an unterminated quoted string or `<`, a bad parameter, or trailing
 * garbage.
 *
 * Returns: (transfer full) (nullable): the new object, or %NULL on error.
 */
SIPSERVLET_API SipParameterable *sipservlet_parameterable_parse (const char *text, GError **error);

/**
 * sipservlet_parameterable_ref:
 * @parameterable: a parameterable value
 *
 * Returns: (transfer full): @parameterable with one more reference.
 */
SIPSERVLET_API SipParameterable *sipservlet_parameterable_ref (SipParameterable *parameterable);

/**
 * sipservlet_parameterable_unref:
 * @parameterable: (transfer full): a parameterable value
 *
 * Drops one reference; the last one frees the object.
 */
SIPSERVLET_API void sipservlet_parameterable_unref (SipParameterable *parameterable);

/**
 * sipservlet_parameterable_clone:
 * @parameterable: a parameterable value
 *
 * Returns: (transfer full): an independent deep copy.
 */
SIPSERVLET_API SipParameterable *sipservlet_parameterable_clone (const SipParameterable *parameterable);

/**
 * sipservlet_parameterable_to_string:
 * @parameterable: a parameterable value
 *
 * Returns: (transfer full): `value;param=x...`; g_free() it.
 */
SIPSERVLET_API char *sipservlet_parameterable_to_string (const SipParameterable *parameterable);

/**
 * sipservlet_parameterable_get_value:
 * @parameterable: a parameterable value
 *
 * Returns: (transfer none): the value without its parameters.
 */
SIPSERVLET_API const char *sipservlet_parameterable_get_value (const SipParameterable *parameterable);

/**
 * sipservlet_parameterable_set_value:
 * @parameterable: a parameterable value
 * @value: the new value
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT for an empty value, CR or
 * LF, control characters, leading or trailing white space, a ';' outside
 * quotes or `<...>`, or an unterminated quoted string or `<`.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_parameterable_set_value (SipParameterable *parameterable,
                                                            const char *value, GError **error);

/**
 * sipservlet_parameterable_get_parameter:
 * @parameterable: a parameterable value
 * @name: a parameter name, compared case-insensitively
 *
 * Returns: (transfer none) (nullable): the value (unquoted), "" for a
 *   flag, %NULL when absent.
 */
SIPSERVLET_API const char *sipservlet_parameterable_get_parameter (const SipParameterable *parameterable,
                                                                   const char *name);

/**
 * sipservlet_parameterable_set_parameter:
 * @parameterable: a parameterable value
 * @name: the parameter name, a token
 * @value: (nullable): the value, as for sipservlet_address_set_parameter();
 *   %NULL or "" makes a flag
 * @error: return location for a #GError, or %NULL
 *
 * Errors: %SIPSERVLET_ERROR_INVALID_ARGUMENT when @name is not a token or
 * @value holds CR or LF or is not UTF-8.
 *
 * Returns: %TRUE on success.
 */
SIPSERVLET_API gboolean sipservlet_parameterable_set_parameter (SipParameterable *parameterable,
                                                                const char *name,
                                                                const char *value,
                                                                GError **error);

/**
 * sipservlet_parameterable_remove_parameter:
 * @parameterable: a parameterable value
 * @name: the parameter name
 *
 * Removes every parameter called @name.
 */
SIPSERVLET_API void sipservlet_parameterable_remove_parameter (SipParameterable *parameterable,
                                                               const char *name);

/**
 * sipservlet_parameterable_get_parameter_names:
 * @parameterable: a parameterable value
 *
 * Returns: (transfer full) (array zero-terminated=1): the parameter names
 *   in document order, each once; free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_parameterable_get_parameter_names (const SipParameterable *parameterable);

/**
 * sipservlet_parameterable_equal:
 * @a: a parameterable value
 * @b: another one
 *
 * Equal when the values are equal ignoring ASCII case and the parameters
 * are the same as for sipservlet_address_equal().
 *
 * Returns: %TRUE when @a and @b are equal.
 */
SIPSERVLET_API gboolean sipservlet_parameterable_equal (const SipParameterable *a,
                                                        const SipParameterable *b);

G_END_DECLS
