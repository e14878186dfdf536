/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SIP messages: SipServletMessage, SipServletRequest,
 * SipServletResponse (JSR 289 chapters 4 and 5).
 *
 * A request or response is an opaque, reference-counted object. Requests
 * and responses share the header, body and attribute API of
 * SipServletMessage: pass them through SIPSERVLET_MESSAGE(), and back with
 * SIPSERVLET_REQUEST() or SIPSERVLET_RESPONSE().
 *
 * Ownership: objects handed to a servlet callback are borrowed for the
 * call; _ref() one to keep it (for example to answer later). Strings
 * returned as `const char *` belong to the message and stay valid as long
 * as the message lives. Everything runs on the container thread.
 *
 * System headers (From, To, Call-ID, CSeq, Via, Route, Record-Route, Path,
 * RSeq, RAck; Contact except in REGISTER, 3xx, 485 and 200-to-OPTIONS
 * messages; Path except in responses to REGISTER, which echo it) cannot
 * be added, set or removed by applications:
 * %SIPSERVLET_ERROR_INVALID_ARGUMENT. A committed message cannot be
 * modified: %SIPSERVLET_ERROR_INVALID_STATE.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <gio/gio.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>

G_BEGIN_DECLS

/**
 * sipservlet_message_check:
 * @instance: (nullable): a pointer that should be a message
 *
 * What SIPSERVLET_MESSAGE() does with an untyped pointer: checks that
 * @instance is a live #SipServletRequest or #SipServletResponse.
 *
 * Returns: (transfer none) (nullable): @instance as a message, or %NULL
 *   (with a critical warning) when it is not one.
 */
SIPSERVLET_API SipServletMessage *sipservlet_message_check (gconstpointer instance);

/**
 * SIPSERVLET_MESSAGE:
 * @m: a #SipServletRequest, a #SipServletResponse, a #SipServletMessage, or
 *   an untyped pointer to one of them
 *
 * Views a request or response as its #SipServletMessage base. In C11 and
 * C++ a typed pointer is checked by the compiler: passing a #SipURI or a
 * #SipSession does not compile. An untyped pointer (gpointer user data) is
 * checked at run time by sipservlet_message_check().
 */
#if defined(__cplusplus)
#define SIPSERVLET_MESSAGE(m) (sipservlet_message_upcast_ (m))
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SIPSERVLET_MESSAGE(m)                                                 \
  _Generic ((m),                                                              \
    SipServletMessage *: (SipServletMessage *) (m),                           \
    SipServletRequest *: (SipServletMessage *) (m),                           \
    SipServletResponse *: (SipServletMessage *) (m),                          \
    const SipServletMessage *: (SipServletMessage *) (m),                     \
    const SipServletRequest *: (SipServletMessage *) (m),                     \
    const SipServletResponse *: (SipServletMessage *) (m),                    \
    void *: sipservlet_message_check (m),                                     \
    const void *: sipservlet_message_check (m))
#else
#define SIPSERVLET_MESSAGE(m) (sipservlet_message_check (m))
#endif

/**
 * sipservlet_message_as_request:
 * @message: (nullable): a message
 *
 * The checked way back from the base: %NULL (without a warning) when
 * @message is a response or %NULL. SIPSERVLET_REQUEST() is the short form.
 *
 * Returns: (transfer none) (nullable): @message as a request, or %NULL.
 */
SIPSERVLET_API SipServletRequest *sipservlet_message_as_request (SipServletMessage *message);

/**
 * sipservlet_message_as_response:
 * @message: (nullable): a message
 *
 * As sipservlet_message_as_request(), for responses.
 *
 * Returns: (transfer none) (nullable): @message as a response, or %NULL.
 */
SIPSERVLET_API SipServletResponse *sipservlet_message_as_response (SipServletMessage *message);

/**
 * sipservlet_request_get_message:
 * @request: a request
 *
 * The request as its #SipServletMessage base, for language bindings,
 * which cannot use SIPSERVLET_MESSAGE().
 *
 * Returns: (transfer none): @request as a message.
 */
SIPSERVLET_API SipServletMessage *sipservlet_request_get_message (SipServletRequest *request);

/**
 * sipservlet_response_get_message:
 * @response: a response
 *
 * As sipservlet_request_get_message(), for responses.
 *
 * Returns: (transfer none): @response as a message.
 */
SIPSERVLET_API SipServletMessage *sipservlet_response_get_message (SipServletResponse *response);

/**
 * SIPSERVLET_REQUEST:
 * @m: anything SIPSERVLET_MESSAGE() accepts
 *
 * Returns: the #SipServletRequest, or %NULL when @m is a response.
 */
#define SIPSERVLET_REQUEST(m) (sipservlet_message_as_request (SIPSERVLET_MESSAGE (m)))

/**
 * SIPSERVLET_RESPONSE:
 * @m: anything SIPSERVLET_MESSAGE() accepts
 *
 * Returns: the #SipServletResponse, or %NULL when @m is a request.
 */
#define SIPSERVLET_RESPONSE(m) (sipservlet_message_as_response (SIPSERVLET_MESSAGE (m)))

/* ---- SipServletMessage: the shared base ------------------------------ */

/**
 * sipservlet_message_ref:
 * @message: a message
 *
 * Returns: (transfer full): @message with one more reference.
 */
SIPSERVLET_API SipServletMessage *sipservlet_message_ref (SipServletMessage *message);

/**
 * sipservlet_message_unref:
 * @message: (transfer full): a message
 *
 * Drops one reference; the last one frees the message.
 */
SIPSERVLET_API void sipservlet_message_unref (SipServletMessage *message);

/**
 * sipservlet_message_is_request:
 * @message: a message
 *
 * Returns: %TRUE for a request, %FALSE for a response.
 */
SIPSERVLET_API gboolean sipservlet_message_is_request (SipServletMessage *message);

/**
 * sipservlet_message_get_method:
 * @message: a message
 *
 * Returns: (transfer none): the request method, or for a response the
 *   method of the request it answers (from CSeq).
 */
SIPSERVLET_API const char *sipservlet_message_get_method (SipServletMessage *message);

/**
 * sipservlet_message_get_call_id:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): the Call-ID.
 */
SIPSERVLET_API const char *sipservlet_message_get_call_id (SipServletMessage *message);

/**
 * sipservlet_message_get_cseq:
 * @message: a message
 *
 * Returns: the CSeq sequence number, 0 if absent.
 */
SIPSERVLET_API guint32 sipservlet_message_get_cseq (SipServletMessage *message);

/**
 * sipservlet_message_get_header:
 * @message: a message
 * @name: header name, long or compact form, any case ("Via", "v")
 *
 * Returns: (transfer none) (nullable): the first value of the header, or
 *   %NULL when absent. Owned by the message.
 */
SIPSERVLET_API const char *sipservlet_message_get_header (SipServletMessage *message,
                                                          const char *name);

/**
 * sipservlet_message_get_headers:
 * @message: a message
 * @name: header name, long or compact form
 *
 * Every value of a multi-valued header, one element per value (a header
 * line with comma-separated values yields several elements).
 *
 * Returns: (transfer full): a %NULL-terminated array, empty when the header
 *   is absent. Free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_message_get_headers (SipServletMessage *message,
                                                      const char *name);

/**
 * sipservlet_message_has_option_tag:
 * @message: a message
 * @name: a header whose values are option tags: "Supported", "Require",
 *   "Proxy-Require" or "Unsupported" (long or compact form, any case)
 * @tag: an option tag, e.g. "100rel", "timer", "path"
 *
 * Looks for @tag among the comma-separated values of every @name header,
 * without regard to case (RFC 3261 §7.3.1).
 *
 * Returns: %TRUE when one of the values is @tag.
 */
SIPSERVLET_API gboolean sipservlet_message_has_option_tag (SipServletMessage *message,
                                                           const char *name, const char *tag);

/**
 * sipservlet_message_get_header_names:
 * @message: a message
 *
 * Returns: (transfer full): the names (long form) of the headers present,
 *   each once, in message order. Free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_message_get_header_names (SipServletMessage *message);

/**
 * sipservlet_message_add_header:
 * @message: a message
 * @name: header name
 * @value: header value
 * @error: return location for a #GError
 *
 * Appends a header value.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT for a system
 *   header or a value that does not parse as that header,
 *   %SIPSERVLET_ERROR_INVALID_STATE when the message is committed.
 */
SIPSERVLET_API gboolean sipservlet_message_add_header (SipServletMessage *message,
                                                       const char *name,
                                                       const char *value,
                                                       GError **error);

/**
 * sipservlet_message_set_header:
 * @message: a message
 * @name: header name
 * @value: header value
 * @error: return location for a #GError
 *
 * Replaces every value of the header with @value.
 *
 * Returns: as sipservlet_message_add_header().
 */
SIPSERVLET_API gboolean sipservlet_message_set_header (SipServletMessage *message,
                                                       const char *name,
                                                       const char *value,
                                                       GError **error);

/**
 * sipservlet_message_remove_header:
 * @message: a message
 * @name: header name
 * @error: return location for a #GError
 *
 * Removes every value of the header (nothing happens if it is absent).
 *
 * Returns: as sipservlet_message_add_header().
 */
SIPSERVLET_API gboolean sipservlet_message_remove_header (SipServletMessage *message,
                                                          const char *name,
                                                          GError **error);

/**
 * sipservlet_message_get_address_header:
 * @message: a message
 * @name: an address-valued header (From, To, Contact, Route, Record-Route,
 *   Reply-To, Refer-To, P-Asserted-Identity, Path...)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the first value parsed as an address,
 *   %NULL without error when absent, %NULL with %SIPSERVLET_ERROR_PARSE when
 *   it is not an address. Changing the returned object does not change the
 *   message: use sipservlet_message_set_address_header().
 */
SIPSERVLET_API SipAddress *sipservlet_message_get_address_header (SipServletMessage *message,
                                                                  const char *name,
                                                                  GError **error);

/**
 * sipservlet_message_get_address_headers:
 * @message: a message
 * @name: an address-valued header
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type SipAddress): every value parsed as
 *   an address (possibly empty), or %NULL with %SIPSERVLET_ERROR_PARSE.
 *   Free with g_ptr_array_unref().
 */
SIPSERVLET_API GPtrArray *sipservlet_message_get_address_headers (SipServletMessage *message,
                                                                  const char *name,
                                                                  GError **error);

/**
 * sipservlet_message_set_address_header:
 * @message: a message
 * @name: an address-valued, non-system header
 * @address: the new value (copied)
 * @error: return location for a #GError
 *
 * Returns: as sipservlet_message_add_header().
 */
SIPSERVLET_API gboolean sipservlet_message_set_address_header (SipServletMessage *message,
                                                               const char *name,
                                                               const SipAddress *address,
                                                               GError **error);

/**
 * sipservlet_message_add_address_header:
 * @message: a message
 * @name: an address-valued, non-system header
 * @address: the value to add (copied)
 * @first: %TRUE to put it before the existing values
 * @error: return location for a #GError
 *
 * Returns: as sipservlet_message_add_header().
 */
SIPSERVLET_API gboolean sipservlet_message_add_address_header (SipServletMessage *message,
                                                               const char *name,
                                                               const SipAddress *address,
                                                               gboolean first,
                                                               GError **error);

/**
 * sipservlet_message_get_parameterable_header:
 * @message: a message
 * @name: a header whose value is a value plus parameters (Content-Type,
 *   Via, Accept, Event, Content-Disposition...)
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the first value, %NULL when absent
 *   or with %SIPSERVLET_ERROR_PARSE.
 */
SIPSERVLET_API SipParameterable *sipservlet_message_get_parameterable_header (SipServletMessage *message,
                                                                              const char *name,
                                                                              GError **error);

/**
 * sipservlet_message_set_parameterable_header:
 * @message: a message
 * @name: a non-system header
 * @value: the new value (copied)
 * @error: return location for a #GError
 *
 * Returns: as sipservlet_message_add_header().
 */
SIPSERVLET_API gboolean sipservlet_message_set_parameterable_header (SipServletMessage *message,
                                                                     const char *name,
                                                                     const SipParameterable *value,
                                                                     GError **error);

/**
 * sipservlet_message_get_from:
 * @message: a message
 *
 * Returns: (transfer full): the From address (a copy).
 */
SIPSERVLET_API SipAddress *sipservlet_message_get_from (SipServletMessage *message);

/**
 * sipservlet_message_get_to:
 * @message: a message
 *
 * Returns: (transfer full): the To address (a copy).
 */
SIPSERVLET_API SipAddress *sipservlet_message_get_to (SipServletMessage *message);

/**
 * sipservlet_message_get_expires:
 * @message: a message
 *
 * Returns: the Expires header in seconds, -1 when absent.
 */
SIPSERVLET_API gint sipservlet_message_get_expires (SipServletMessage *message);

/**
 * sipservlet_message_set_expires:
 * @message: a message
 * @seconds: the value, or -1 to remove the header
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when committed.
 */
SIPSERVLET_API gboolean sipservlet_message_set_expires (SipServletMessage *message,
                                                        gint seconds,
                                                        GError **error);

/**
 * sipservlet_message_get_content_type:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): the Content-Type value, or %NULL.
 */
SIPSERVLET_API const char *sipservlet_message_get_content_type (SipServletMessage *message);

/**
 * sipservlet_message_get_content:
 * @message: a message
 * @length: (out) (optional): the body length in bytes
 *
 * Returns: (transfer none) (nullable): the body bytes (NUL-terminated for
 *   convenience; the body may itself contain NULs), %NULL when empty.
 */
SIPSERVLET_API gconstpointer sipservlet_message_get_content (SipServletMessage *message,
                                                             gsize *length);

/**
 * sipservlet_message_set_content:
 * @message: a message
 * @content: (nullable): body bytes (copied), %NULL to remove the body
 * @length: length of @content, or -1 if it is a NUL-terminated string
 * @content_type: (nullable): the Content-Type, required with a body
 * @error: return location for a #GError
 *
 * Sets the body, Content-Type and Content-Length.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when committed,
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for a body without a content type or
 *   a content type that does not parse.
 */
SIPSERVLET_API gboolean sipservlet_message_set_content (SipServletMessage *message,
                                                        gconstpointer content,
                                                        gssize length,
                                                        const char *content_type,
                                                        GError **error);

/**
 * sipservlet_message_copy_content:
 * @to: the message to change
 * @from: the message whose body to copy
 * @error: return location for a #GError
 *
 * Gives @to the body and Content-Type of @from, or no body when @from has
 * none, and a Content-Length to match: what a B2BUA does for each message
 * it relays. The same as sipservlet_message_set_content() with @from's
 * content and content type, without formatting the type as text and
 * parsing it again.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when @to is
 *   committed, %SIPSERVLET_ERROR_INVALID_ARGUMENT when @from has a body
 *   without a Content-Type.
 */
SIPSERVLET_API gboolean sipservlet_message_copy_content (SipServletMessage *to,
                                                         SipServletMessage *from,
                                                         GError **error);

/**
 * sipservlet_message_is_committed:
 * @message: a message
 *
 * JSR 289 §5.2: an incoming request once a final response was sent, an
 * outgoing request once sent, a response once sent or received...
 *
 * Returns: %TRUE when the message can no longer be modified.
 */
SIPSERVLET_API gboolean sipservlet_message_is_committed (SipServletMessage *message);

/**
 * sipservlet_message_set_attribute:
 * @message: a message
 * @name: attribute name (names starting "javax.servlet.sip." and
 *   "sipservlet." are reserved)
 * @value: (nullable): the value; %NULL removes the attribute
 * @destroy: (nullable): called exactly once on @value when it is replaced,
 *   removed or the message is freed
 *
 * Attaches application data to the message.
 */
SIPSERVLET_API void sipservlet_message_set_attribute (SipServletMessage *message,
                                                      const char *name,
                                                      gpointer value,
                                                      GDestroyNotify destroy);

/**
 * sipservlet_message_get_attribute:
 * @message: a message
 * @name: attribute name
 *
 * Returns: (transfer none) (nullable): the value, or %NULL.
 */
SIPSERVLET_API gpointer sipservlet_message_get_attribute (SipServletMessage *message,
                                                          const char *name);

/**
 * sipservlet_message_get_session:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): the #SipSession the message belongs
 *   to, or %NULL for a message with none.
 */
SIPSERVLET_API SipSession *sipservlet_message_get_session (SipServletMessage *message);

/**
 * sipservlet_message_get_application_session:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): the #SipApplicationSession of the
 *   message's session.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_message_get_application_session (SipServletMessage *message);

/**
 * sipservlet_message_get_transport:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): "UDP", "TCP" or "TLS" for a
 *   received message, %NULL for one created locally.
 */
SIPSERVLET_API const char *sipservlet_message_get_transport (SipServletMessage *message);

/**
 * sipservlet_message_is_secure:
 * @message: a message
 *
 * JSR 289 isSecure(): whether the message arrived over TLS, on a
 * listening point opened with %SIPSERVLET_TRANSPORT_TLS (or, for a
 * response, over a TLS connection the container opened). This says how
 * the last hop was protected, not the hops before it: a sips:
 * Request-URI asks for TLS on every hop (RFC 5630), which only the
 * request's path can tell.
 *
 * Returns: %TRUE for a message received over TLS, %FALSE for one received
 *   over UDP or TCP and for one created locally.
 */
SIPSERVLET_API gboolean sipservlet_message_is_secure (SipServletMessage *message);

/**
 * sipservlet_message_get_remote_addr:
 * @message: a message
 *
 * Returns: (transfer none) (nullable): the IP address the message came
 *   from, %NULL for one created locally.
 */
SIPSERVLET_API const char *sipservlet_message_get_remote_addr (SipServletMessage *message);

/**
 * sipservlet_message_get_remote_port:
 * @message: a message
 *
 * Returns: the port the message came from, -1 for one created locally.
 */
SIPSERVLET_API gint sipservlet_message_get_remote_port (SipServletMessage *message);

/**
 * sipservlet_message_to_string:
 * @message: a message
 *
 * Returns: (transfer full): the message as it would be sent. Free with
 *   g_free().
 */
SIPSERVLET_API char *sipservlet_message_to_string (SipServletMessage *message);

/* ---- SipServletRequest ---------------------------------------------- */

/**
 * sipservlet_request_ref:
 * @request: a request
 *
 * Returns: (transfer full): @request with one more reference.
 */
SIPSERVLET_API SipServletRequest *sipservlet_request_ref (SipServletRequest *request);

/**
 * sipservlet_request_unref:
 * @request: (transfer full): a request
 *
 * Drops one reference. An incoming request that was deferred and is freed
 * without a final response is answered 500 and a warning is logged.
 */
SIPSERVLET_API void sipservlet_request_unref (SipServletRequest *request);

/**
 * sipservlet_request_get_request_uri:
 * @request: a request
 *
 * Returns: (transfer none): the Request-URI, owned by the request. Use
 *   sipservlet_request_set_request_uri() to change it.
 */
SIPSERVLET_API const SipURI *sipservlet_request_get_request_uri (SipServletRequest *request);

/**
 * sipservlet_request_set_request_uri:
 * @request: an outgoing request not yet sent
 * @uri: the new Request-URI (copied)
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when committed.
 */
SIPSERVLET_API gboolean sipservlet_request_set_request_uri (SipServletRequest *request,
                                                            const SipURI *uri,
                                                            GError **error);

/**
 * sipservlet_request_get_max_forwards:
 * @request: a request
 *
 * Returns: Max-Forwards, or -1 when absent.
 */
SIPSERVLET_API gint sipservlet_request_get_max_forwards (SipServletRequest *request);

/**
 * sipservlet_request_set_max_forwards:
 * @request: a request
 * @value: 0..255
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT outside 0..255,
 *   %SIPSERVLET_ERROR_INVALID_STATE when committed.
 */
SIPSERVLET_API gboolean sipservlet_request_set_max_forwards (SipServletRequest *request,
                                                             gint value,
                                                             GError **error);

/**
 * sipservlet_request_is_initial:
 * @request: a request
 *
 * JSR 289 Appendix B: an initial request starts a new application path; a
 * subsequent one belongs to an existing dialog or transaction.
 *
 * Returns: %TRUE for an initial request.
 */
SIPSERVLET_API gboolean sipservlet_request_is_initial (SipServletRequest *request);

/**
 * sipservlet_request_push_route:
 * @request: an outgoing initial request not yet sent
 * @route: the address to route through (copied)
 * @error: return location for a #GError
 *
 * Adds a Route header on top of the existing ones (a loose route: add the
 * "lr" URI parameter yourself when the next hop expects it).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE on a committed or
 *   subsequent request.
 */
SIPSERVLET_API gboolean sipservlet_request_push_route (SipServletRequest *request,
                                                       const SipAddress *route,
                                                       GError **error);

/**
 * SipDestinationFlags:
 * @SIPSERVLET_DESTINATION_DEFAULT: open a connection when a stream
 *   transport has none to the destination
 * @SIPSERVLET_DESTINATION_EXISTING_CONNECTION: over TCP or TLS, only over a
 *   connection that exists (one the peer opened, as a phone behind NAT
 *   that registered over TCP, which cannot accept a new one); when there
 *   is none the request is not sent: a proxy branch completes with 480
 *   Temporarily Unavailable, a client request fails with
 *   %SIPSERVLET_ERROR_TRANSPORT
 *
 * How sipservlet_request_set_destination() reaches its destination.
 */
typedef enum {
  SIPSERVLET_DESTINATION_DEFAULT = 0,
  SIPSERVLET_DESTINATION_EXISTING_CONNECTION = 1 << 0,
} SipDestinationFlags;

/**
 * sipservlet_request_set_destination:
 * @request: an outgoing request not yet sent: a client request, or the
 *   request of a proxy branch (sipservlet_proxy_branch_get_request())
 * @destination: where to send it, as "TRANSPORT:IP:PORT" ("udp:192.0.2.1:5060",
 *   "tcp:[2001:db8::1]:5062", "tls:192.0.2.1:5061"), the form of a
 *   #SipLocationBinding's source
 * @flags: how to reach it
 * @error: return location for a #GError
 *
 * Sends @request to @destination instead of the address its Route or
 * Request-URI names, without changing either (Kamailio's destination URI,
 * RFC 5626's flow): a registrar's proxy reaches a phone behind NAT at the
 * address its REGISTER came from, while the Request-URI stays the
 * registered Contact. See doc/deployment.md.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when
 *   @destination does not parse (the transport is not udp or tcp, the host
 *   not an IP address, the port not 1..65535), %SIPSERVLET_ERROR_INVALID_STATE
 *   for an incoming or committed request.
 */
SIPSERVLET_API gboolean sipservlet_request_set_destination (SipServletRequest *request,
                                                            const char *destination,
                                                            SipDestinationFlags flags,
                                                            GError **error);

/**
 * sipservlet_request_create_response:
 * @request: an incoming request
 * @status: 100..699
 * @reason: (nullable): reason phrase, %NULL for the standard one
 * @error: return location for a #GError
 *
 * Creates a response to send with sipservlet_response_send(). The response
 * carries the dialog's To-tag.
 *
 * Returns: (transfer full): the response, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for a bad status,
 *   %SIPSERVLET_ERROR_INVALID_STATE when a final response was already sent,
 *   the request was cancelled, or it is an ACK or an outgoing request.
 */
SIPSERVLET_API SipServletResponse *sipservlet_request_create_response (SipServletRequest *request,
                                                                       guint status,
                                                                       const char *reason,
                                                                       GError **error);

/**
 * sipservlet_request_respond:
 * @request: an incoming request
 * @status: 100..699
 * @reason: (nullable): reason phrase, %NULL for the standard one
 * @error: return location for a #GError
 *
 * Answers in one call: sipservlet_request_create_response(),
 * sipservlet_response_send() and sipservlet_response_unref() together.
 *
 * |[<!-- language="C" -->
 * if (!sipservlet_request_respond (request, 486, NULL, &error))
 *   g_warning ("cannot answer: %s", error->message);
 * ]|
 *
 * Returns: %FALSE with the errors of sipservlet_request_create_response()
 *   and sipservlet_response_send().
 */
SIPSERVLET_API gboolean sipservlet_request_respond (SipServletRequest *request, guint status,
                                                    const char *reason, GError **error);

/**
 * sipservlet_request_respond_with:
 * @request: an incoming request
 * @status: 100..699
 * @reason: (nullable): reason phrase, %NULL for the standard one
 * @headers: (nullable) (array zero-terminated=1): header lines
 *   `"Name: value"` added to the response in order, or %NULL
 * @content_type: (nullable): the body's Content-Type, required with a body
 * @content: (nullable) (array length=length) (element-type guint8): body
 *   bytes (copied), or %NULL for none
 * @length: length of @content, or -1 if it is a NUL-terminated string
 * @error: return location for a #GError
 *
 * Answers in one call with extra headers and a body, e.g. a 200 with SDP:
 *
 * |[<!-- language="C" -->
 * const char *headers[] = { "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS", NULL };
 * sipservlet_request_respond_with (request, 200, NULL, headers,
 *                                  "application/sdp", sdp, -1, &error);
 * ]|
 *
 * Nothing is sent when a header or the body is refused: the request is
 * still to be answered.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT for a header
 *   line without a colon, a header or body that
 *   sipservlet_message_add_header() or sipservlet_message_set_content()
 *   refuses, and the errors of sipservlet_request_respond().
 */
SIPSERVLET_API gboolean sipservlet_request_respond_with (SipServletRequest *request,
                                                         guint status, const char *reason,
                                                         const char *const *headers,
                                                         const char *content_type,
                                                         gconstpointer content, gssize length,
                                                         GError **error);

/**
 * sipservlet_request_defer:
 * @request: an incoming request, inside the servlet callback that got it
 *
 * Tells the container "I will answer later". Without it, a request left
 * with no final response when the callback returns is answered 500 and a
 * warning is logged. Keep a reference (sipservlet_request_ref()) and send
 * the response later from the container thread.
 */
SIPSERVLET_API void sipservlet_request_defer (SipServletRequest *request);

/**
 * sipservlet_request_send:
 * @request: an outgoing request (from sipservlet_factory_create_request(),
 *   sipservlet_session_create_request(), a create_ack or create_cancel)
 * @error: return location for a #GError
 *
 * Sends the request. Responses are delivered to the session's servlet
 * response callbacks (do_response or do_provisional_response...). A
 * client transaction that times out delivers a locally made 408.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when already sent or
 *   incoming, %SIPSERVLET_ERROR_TRANSPORT when it cannot be sent,
 *   %SIPSERVLET_ERROR_SHUTTING_DOWN during shutdown.
 */
SIPSERVLET_API gboolean sipservlet_request_send (SipServletRequest *request,
                                                 GError **error);

/**
 * SipSendFlags:
 * @SIPSERVLET_SEND_DEFAULT: the library acknowledges a 2xx to INVITE once
 *   the callback returns, and ends the dialogs of other forks' 2xx (ACK,
 *   then BYE) without showing them.
 * @SIPSERVLET_SEND_MANUAL_ACK: the callback's caller acknowledges each 2xx
 *   itself (sipservlet_response_create_ack()), e.g. to put the answer in
 *   the ACK of a late offer.
 * @SIPSERVLET_SEND_FORKED_2XX: the 2xx of other forks of an INVITE reach
 *   the callback too, each with its own derived #SipSession; ending those
 *   dialogs is then the caller's job.
 *
 * How sipservlet_request_send_with_callback() handles 2xx responses.
 */
typedef enum {
  SIPSERVLET_SEND_DEFAULT = 0,
  SIPSERVLET_SEND_MANUAL_ACK = 1 << 0,
  SIPSERVLET_SEND_FORKED_2XX = 1 << 1,
} SipSendFlags;

/**
 * SipResponseCallback:
 * @request: the request as it was sent
 * @response: (nullable): a response received for @request, or %NULL for
 *   the outcome call
 * @error: (nullable): in the outcome call, why no final response came, or
 *   %NULL when one did
 * @user_data: the data given to sipservlet_request_send_with_callback()
 *
 * Receives, in order: each provisional response but 100 Trying (a
 * reliable one once, however often it is retransmitted), the final
 * response, then the outcome: one call with @response %NULL. With
 * %SIPSERVLET_SEND_FORKED_2XX, 2xx responses of other forks of an INVITE
 * may follow the outcome. @request and @response are borrowed for the
 * call.
 *
 * The outcome's @error is %NULL when a final response arrived (whatever
 * its status), %G_IO_ERROR_CANCELLED when the request was cancelled
 * through its #GCancellable and did not succeed (the 487 was shown
 * before), %SIPSERVLET_ERROR_TIMEOUT when no final response came in time
 * (the transaction layer's 408 is not shown as a response),
 * %SIPSERVLET_ERROR_TRANSPORT when the request could not reach the next
 * hop (its 503 is not shown either), and %SIPSERVLET_ERROR_SHUTTING_DOWN
 * when the container was dropped first.
 */
typedef void (*SipResponseCallback) (SipServletRequest *request, SipServletResponse *response,
                                     const GError *error, gpointer user_data);

/**
 * sipservlet_request_send_with_callback:
 * @request: an outgoing request not sent yet, other than ACK and CANCEL
 * @flags: how 2xx responses to an INVITE are handled
 * @cancellable: (nullable): cancels the request: for an INVITE a CANCEL
 *   goes out (held until a provisional response arrived, RFC 3261 §9.1;
 *   nothing once the final response came); other methods cannot be
 *   cancelled on the wire and run to their end. g_cancellable_cancel()
 *   may be called from any thread: the work is carried into the
 *   container's context.
 * @callback: (scope notified) (closure user_data) (destroy destroy): gets
 *   the request's responses and its outcome
 * @user_data: data for @callback
 * @destroy: (nullable): frees @user_data once no call to @callback will
 *   follow: after the outcome call, or for an INVITE answered 2xx sent
 *   with %SIPSERVLET_SEND_FORKED_2XX once other forks can no longer
 *   answer (64*T1 later); also when this function fails
 * @error: return location for a #GError
 *
 * Sends @request and hands its responses to @callback instead of the
 * servlet's response handlers, so a client needs no servlet and keeps its
 * per-request state in @user_data:
 *
 * |[<!-- language="C" -->
 * static void
 * on_options_answer (SipServletRequest *request, SipServletResponse *response,
 *                    const GError *error, gpointer user_data)
 * {
 *   if (response != NULL)
 *     g_print ("%u\n", sipservlet_response_get_status (response));
 *   else if (error != NULL)
 *     g_print ("failed: %s\n", error->message);
 * }
 *
 * sipservlet_request_send_with_callback (options, SIPSERVLET_SEND_DEFAULT, NULL,
 *                                        on_options_answer, NULL, NULL, &error);
 * ]|
 *
 * The requests of a session created by the servlet response path
 * (sipservlet_request_send()) keep working unchanged; this call only
 * changes where this request's responses go.
 *
 * Returns: %FALSE with the errors of sipservlet_request_send(), or
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT for an ACK or a CANCEL.
 */
SIPSERVLET_API gboolean sipservlet_request_send_with_callback (SipServletRequest *request,
                                                               SipSendFlags flags,
                                                               GCancellable *cancellable,
                                                               SipResponseCallback callback,
                                                               gpointer user_data,
                                                               GDestroyNotify destroy,
                                                               GError **error);

/**
 * sipservlet_request_create_cancel:
 * @request: an outgoing INVITE that was sent and has no final response yet
 * @error: return location for a #GError
 *
 * Creates the CANCEL of @request (RFC 3261 §9.1). Headers added to it
 * before sipservlet_request_send() go out with it, a `Reason` (RFC 3326)
 * for example; its Request-URI, Via, From, To, Call-ID, CSeq number,
 * Route and Max-Forwards are always the INVITE's.
 *
 * Returns: (transfer full): a CANCEL to send, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE.
 */
SIPSERVLET_API SipServletRequest *sipservlet_request_create_cancel (SipServletRequest *request,
                                                                    GError **error);

/**
 * sipservlet_request_is_cancelled:
 * @request: an incoming request
 *
 * Returns: %TRUE once a CANCEL arrived for it (the container has answered
 *   487; the servlet must not answer any more).
 */
SIPSERVLET_API gboolean sipservlet_request_is_cancelled (SipServletRequest *request);

/* ---- SipServletResponse --------------------------------------------- */

/**
 * sipservlet_response_ref:
 * @response: a response
 *
 * Returns: (transfer full): @response with one more reference.
 */
SIPSERVLET_API SipServletResponse *sipservlet_response_ref (SipServletResponse *response);

/**
 * sipservlet_response_unref:
 * @response: (transfer full): a response
 *
 * Drops one reference.
 */
SIPSERVLET_API void sipservlet_response_unref (SipServletResponse *response);

/**
 * sipservlet_response_get_status:
 * @response: a response
 *
 * Returns: the status code.
 */
SIPSERVLET_API guint sipservlet_response_get_status (SipServletResponse *response);

/**
 * sipservlet_response_get_reason_phrase:
 * @response: a response
 *
 * Returns: (transfer none): the reason phrase.
 */
SIPSERVLET_API const char *sipservlet_response_get_reason_phrase (SipServletResponse *response);

/**
 * sipservlet_response_set_status:
 * @response: an outgoing response not yet sent
 * @status: 100..699
 * @reason: (nullable): reason phrase, %NULL for the standard one
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT or
 *   %SIPSERVLET_ERROR_INVALID_STATE.
 */
SIPSERVLET_API gboolean sipservlet_response_set_status (SipServletResponse *response,
                                                        guint status,
                                                        const char *reason,
                                                        GError **error);

/**
 * sipservlet_response_is_locally_generated:
 * @response: a response
 *
 * Tells a response the far end sent from one the transaction layer made
 * itself and handed over as if received: a 408 when no final response
 * came in time, a 503 when the request could not be sent. Such a response
 * has no remote address, port or transport.
 *
 * Returns: %TRUE for a received response made locally, %FALSE for one
 *   that came from the network and for responses the application creates.
 */
SIPSERVLET_API gboolean sipservlet_response_is_locally_generated (SipServletResponse *response);

/**
 * sipservlet_response_get_request:
 * @response: a response
 *
 * Returns: (transfer none): the request this response answers.
 */
SIPSERVLET_API SipServletRequest *sipservlet_response_get_request (SipServletResponse *response);

/**
 * sipservlet_response_send:
 * @response: a response made by sipservlet_request_create_response()
 * @error: return location for a #GError
 *
 * Sends the response. A 2xx to INVITE is retransmitted by the container
 * until the ACK arrives (RFC 3261 timers G and H); without an ACK the
 * no_ack_received listener fires.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when sent twice,
 *   received from the network, after a final response or after CANCEL;
 *   %SIPSERVLET_ERROR_TRANSPORT when it cannot be sent.
 */
SIPSERVLET_API gboolean sipservlet_response_send (SipServletResponse *response,
                                                  GError **error);

/**
 * sipservlet_response_send_reliably:
 * @response: a 101..199 response to a received INVITE whose sender
 *   supports 100rel (Supported or Require)
 * @error: return location for a #GError
 *
 * Sends the provisional response reliably (RFC 3262): with RSeq and
 * Require: 100rel, retransmitted until the PRACK arrives. The PRACK is
 * delivered to do_prack (answered 200 by the container when the servlet
 * leaves it unanswered); without a PRACK the no_prack_received listener
 * fires and the INVITE is answered 503. When the INVITE carried
 * Require: 100rel, sipservlet_response_send() sends every 101..199 this way.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when the response
 *   is not a 101..199 to INVITE, the UAC does not support 100rel, or it
 *   was already sent (JSR 289 Rel100Exception).
 */
SIPSERVLET_API gboolean sipservlet_response_send_reliably (SipServletResponse *response,
                                                           GError **error);

/**
 * sipservlet_response_create_prack:
 * @response: a received reliable provisional response (it has RSeq) to an
 *   INVITE this servlet sent
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the PRACK (RAck filled in) to send with
 *   sipservlet_request_send(), or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE (not a reliable 1xx, or a PRACK was
 *   already created for it).
 */
SIPSERVLET_API SipServletRequest *sipservlet_response_create_prack (SipServletResponse *response,
                                                                    GError **error);

/**
 * sipservlet_response_create_ack:
 * @response: a received 2xx response to an INVITE sent by this servlet
 * @error: return location for a #GError
 *
 * The container acknowledges non-2xx responses itself; a 2xx is
 * acknowledged by the application with this ACK (sent with
 * sipservlet_request_send()).
 *
 * Returns: (transfer full): the ACK, or %NULL with
 *   %SIPSERVLET_ERROR_INVALID_STATE (not a 2xx to INVITE, or already
 *   acknowledged).
 */
SIPSERVLET_API SipServletRequest *sipservlet_response_create_ack (SipServletResponse *response,
                                                                  GError **error);

G_END_DECLS

#if defined(__cplusplus)
/* SIPSERVLET_MESSAGE() in C++: the overloads are the type check. */
static inline SipServletMessage *
sipservlet_message_upcast_ (SipServletMessage *m)
{
  return m;
}

static inline SipServletMessage *
sipservlet_message_upcast_ (SipServletRequest *m)
{
  return reinterpret_cast<SipServletMessage *> (m);
}

static inline SipServletMessage *
sipservlet_message_upcast_ (SipServletResponse *m)
{
  return reinterpret_cast<SipServletMessage *> (m);
}

static inline SipServletMessage *
sipservlet_message_upcast_ (const void *m)
{
  return sipservlet_message_check (m);
}

static inline SipServletMessage *
sipservlet_message_upcast_ (void *m)
{
  return sipservlet_message_check (m);
}

/* Any other pointer type (a SipURI *) picks this one and does not compile. */
template <typename T> SipServletMessage *sipservlet_message_upcast_ (T *m) = delete;
#endif

