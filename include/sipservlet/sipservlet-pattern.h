/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - servlet mapping rules: conditions on an initial request
 * (JSR 289 §16.2), as built in C or read from sip.xml's <pattern>.
 *
 * A #SipPattern is one condition: a comparison of a request variable with
 * a value (equal, contains, subdomain-of), the presence of a variable
 * (exists), or a logical combination (and, or, not). An application maps
 * a pattern to a servlet with sipservlet_application_add_mapping(); the
 * first mapping whose pattern matches an initial request chooses the
 * servlet that gets it.
 *
 * Variables (a variable the request lacks makes every comparison on it
 * false and exists false):
 *
 *   request.method                the method ("INVITE")
 *   request.uri                   the Request-URI as text
 *   request.uri.scheme            "sip", "sips", "tel"
 *   request.uri.user              the user part of a sip/sips URI
 *   request.uri.host              its host
 *   request.uri.port              its port; 5060 (sip) or 5061 (sips)
 *                                 when absent
 *   request.uri.tel               the number of a tel URI, or of a sip URI
 *                                 with user=phone (its user part up to
 *                                 any ';'), without the visual separators
 *                                 "-", ".", "(", ")" and without a leading
 *                                 "+", as TelURL's getPhoneNumber() gives
 *                                 it, so that both forms of a number
 *                                 compare the same: "+1-212-555-0100"
 *                                 reads "12125550100" (JSR 289's reference
 *                                 implementation keeps the "+" of a sip
 *                                 URI's user part)
 *   request.uri.param.NAME        the value of URI parameter NAME ("" for
 *                                 a flag); NAME matches without case
 *   request.from, request.to      the header as sipservlet_address_to_string()
 *                                 writes it (display name, URI, tag)
 *   request.from.uri, request.from.uri.scheme, … (as for request.uri)
 *   request.from.display-name     the display name, unquoted; missing when
 *                                 none is given (Address.getDisplayName()
 *                                 returns null)
 *   (and the same under request.to)
 *
 * Variable names are case-sensitive. ignore-case folds ASCII letters only.
 *
 * An unknown variable is an error when the pattern is built, as it is a
 * deployment error in JSR 289.
 *
 * Threading: a pattern is immutable once built; _ref()/_unref() are atomic.
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
 * sipservlet_pattern_equal:
 * @variable: a variable (see the top of this header)
 * @value: the value it must equal
 * @ignore_case: compare ASCII letters without regard to case
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "@variable equals @value", or
 *   %NULL with %SIPSERVLET_ERROR_INVALID_ARGUMENT for an unknown variable.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_equal (const char *variable, const char *value,
                                                     gboolean ignore_case, GError **error);

/**
 * sipservlet_pattern_contains:
 * @variable: a variable
 * @value: the text it must contain
 * @ignore_case: compare ASCII letters without regard to case
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "@variable contains @value", or
 *   %NULL with %SIPSERVLET_ERROR_INVALID_ARGUMENT for an unknown variable.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_contains (const char *variable, const char *value,
                                                        gboolean ignore_case, GError **error);

/**
 * sipservlet_pattern_exists:
 * @variable: a variable
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "the request has @variable", or
 *   %NULL with %SIPSERVLET_ERROR_INVALID_ARGUMENT for an unknown variable.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_exists (const char *variable, GError **error);

/**
 * sipservlet_pattern_subdomain_of:
 * @variable: a variable, normally a host
 * @domain: a domain ("example.com")
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "@variable is @domain or ends
 *   with a dot followed by @domain" (case-insensitive), or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for an unknown variable.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_subdomain_of (const char *variable,
                                                            const char *domain, GError **error);

/**
 * sipservlet_pattern_and:
 * @children: (array length=n_children) (transfer full): the conditions;
 *   the pattern takes them, also on error
 * @n_children: how many, at least one
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "every child holds", or %NULL
 *   with %SIPSERVLET_ERROR_INVALID_ARGUMENT when there is no child or a
 *   child is %NULL. So that an error building a child can be passed on,
 *   an error already set in @error (by the call that returned that %NULL)
 *   is kept rather than replaced.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_and (SipPattern **children, guint n_children,
                                                   GError **error);

/**
 * sipservlet_pattern_or:
 * @children: (array length=n_children) (transfer full): the conditions
 * @n_children: how many, at least one
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "some child holds"; errors as
 *   sipservlet_pattern_and().
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_or (SipPattern **children, guint n_children,
                                                  GError **error);

/**
 * sipservlet_pattern_not:
 * @child: (transfer full) (nullable): a condition
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the condition "@child does not hold", or
 *   %NULL with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @child is %NULL
 *   (an error already set in @error is kept, as for
 *   sipservlet_pattern_and()).
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_not (SipPattern *child, GError **error);

/**
 * sipservlet_pattern_parse_xml:
 * @xml: one `<pattern>` element of sip.xml, or the condition element
 *   inside it (`<equal>`, `<and>`, …)
 * @length: length of @xml in bytes, or -1 when nul-terminated
 * @error: return location for a #GError
 *
 * Reads a condition in sip.xml's form, e.g.
 * `<pattern><and><equal><var>request.method</var><value>INVITE</value></equal>
 * <subdomain-of><var>request.uri.host</var><value>example.com</value></subdomain-of></and></pattern>`.
 * `<equal>` and `<contains>` take `ignore-case="true"` (or "false", "1",
 * "0"). The text of `<var>` and `<value>` is read as the schema's
 * xsd:token: outer white space dropped, inner runs made one space.
 * Namespace prefixes on elements are accepted and not checked.
 *
 * Returns: (transfer full): the condition, or %NULL with
 *   %SIPSERVLET_ERROR_PARSE naming the line (malformed XML, an unknown
 *   element or variable, a wrong number of children).
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_parse_xml (const char *xml, gssize length,
                                                         GError **error);

/**
 * sipservlet_pattern_matches:
 * @pattern: a condition
 * @request: an initial request
 *
 * Returns: whether @request satisfies @pattern.
 */
SIPSERVLET_API gboolean sipservlet_pattern_matches (SipPattern *pattern,
                                                    SipServletRequest *request);

/**
 * sipservlet_pattern_to_string:
 * @pattern: a condition
 *
 * Returns: (transfer full): the condition in a compact text form for logs,
 *   e.g. `and(equal(request.method, "INVITE"), exists(request.uri.user))`;
 *   g_free() it.
 */
SIPSERVLET_API char *sipservlet_pattern_to_string (SipPattern *pattern);

/**
 * sipservlet_pattern_ref:
 * @pattern: a condition
 *
 * Returns: (transfer full): @pattern with one more reference.
 */
SIPSERVLET_API SipPattern *sipservlet_pattern_ref (SipPattern *pattern);

/**
 * sipservlet_pattern_unref:
 * @pattern: (transfer full): a condition
 *
 * Drops one reference.
 */
SIPSERVLET_API void sipservlet_pattern_unref (SipPattern *pattern);

G_END_DECLS
