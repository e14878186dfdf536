/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipContainer: the SIP servlet container.
 *
 * A container runs a sofia-sip transaction stack inside a GMainContext,
 * listens on UDP and TCP, classifies every request (initial or subsequent,
 * JSR 289 Appendix B), keeps dialogs and sessions, and dispatches to its
 * servlets. Until the application router exists, a container selects the
 * servlet registered for the request's method, else its default servlet.
 *
 * Threading: the container is bound to the GMainContext that is
 * thread-default when sipservlet_container_new() runs. All callbacks run
 * on that context's thread and the container's objects must only be used
 * from it; only _ref()/_unref() and sipservlet_container_invoke() may be
 * called from other threads.
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
 * SipTransportFlags:
 * @SIPSERVLET_TRANSPORT_UDP: UDP
 * @SIPSERVLET_TRANSPORT_TCP: TCP
 * @SIPSERVLET_TRANSPORT_ALL: UDP and TCP
 * @SIPSERVLET_TRANSPORT_TLS: TLS over TCP, with the files given to
 *   sipservlet_container_set_tls_files(); a TLS listening point has a
 *   port of its own, so this flag is used alone
 *
 * Transports of a listening point. %SIPSERVLET_TRANSPORT_ALL does not
 * include TLS.
 */
typedef enum {
  SIPSERVLET_TRANSPORT_UDP = 1 << 0,
  SIPSERVLET_TRANSPORT_TCP = 1 << 1,
  SIPSERVLET_TRANSPORT_ALL = SIPSERVLET_TRANSPORT_UDP | SIPSERVLET_TRANSPORT_TCP,
  SIPSERVLET_TRANSPORT_TLS = 1 << 2,
} SipTransportFlags;

/**
 * SipServletListeners:
 * @struct_size: set with %SIPSERVLET_LISTENERS_INIT
 * @session_created: a #SipSession was created
 * @session_destroyed: a #SipSession was invalidated
 * @session_ready_to_invalidate: a #SipSession became ready to invalidate
 *   (before it is invalidated when invalidate-when-ready is on)
 * @application_session_created: a #SipApplicationSession was created
 * @application_session_destroyed: a #SipApplicationSession was invalidated
 * @application_session_expired: a #SipApplicationSession expired; call
 *   sipservlet_application_session_set_expires() here to keep it
 * @application_session_ready_to_invalidate: it has no session and no timer
 * @timer_fired: a #SipServletTimer expired
 * @no_ack_received: a 2xx to INVITE sent by a servlet got no ACK within
 *   64*T1; the request and the unacknowledged response are given
 * @no_prack_received: a reliable provisional response got no PRACK within
 *   64*T1 (RFC 3262); the container has answered the INVITE 503
 * @dialog_started: the session's dialog was confirmed (a 2xx to its
 *   INVITE, SUBSCRIBE or REFER was sent or received, proxied dialogs
 *   included): a call has begun
 * @dialog_ended: a dialog that started has ended: a BYE was answered, or
 *   its session was invalidated or expired first; called once, before
 *   @session_destroyed
 * @session_expired: the session timer (RFC 4028) of a UA dialog ran out:
 *   the peer stopped refreshing, or our refresh failed with 408 or 481.
 *   When it returns, the container ends the dialog with
 *   sipservlet_session_terminate(), and a B2BUA partner's dialog too
 *
 * Container-wide listeners (JSR 289 SipSessionListener,
 * SipApplicationSessionListener, TimerListener, SipErrorListener). Members
 * are appended only; the table is copied on registration.
 */
typedef struct {
  gsize struct_size;
  void (*session_created) (SipSession *session, gpointer user_data);
  void (*session_destroyed) (SipSession *session, gpointer user_data);
  void (*session_ready_to_invalidate) (SipSession *session, gpointer user_data);
  void (*application_session_created) (SipApplicationSession *app_session, gpointer user_data);
  void (*application_session_destroyed) (SipApplicationSession *app_session, gpointer user_data);
  void (*application_session_expired) (SipApplicationSession *app_session, gpointer user_data);
  void (*application_session_ready_to_invalidate) (SipApplicationSession *app_session, gpointer user_data);
  void (*timer_fired) (SipServletTimer *timer, gpointer user_data);
  void (*no_ack_received) (SipServletRequest *request, SipServletResponse *response, gpointer user_data);
  void (*no_prack_received) (SipServletRequest *request, SipServletResponse *response, gpointer user_data);
  void (*dialog_started) (SipSession *session, gpointer user_data);
  void (*dialog_ended) (SipSession *session, gpointer user_data);
  void (*session_expired) (SipSession *session, gpointer user_data);
} SipServletListeners;

/**
 * SIPSERVLET_LISTENERS_INIT:
 *
 * First initialiser of a #SipServletListeners: sets struct_size.
 */
#define SIPSERVLET_LISTENERS_INIT .struct_size = sizeof (SipServletListeners)

/**
 * SipContainerShutdownFunc:
 * @container: the container
 * @user_data: data given to sipservlet_container_shutdown()
 *
 * Called once the container has finished its transactions and closed its
 * transports.
 */
typedef void (*SipContainerShutdownFunc) (SipContainer *container, gpointer user_data);

/**
 * sipservlet_container_new:
 * @error: return location for a #GError
 *
 * Creates a container on the thread-default GMainContext. It does not
 * listen until sipservlet_container_listen() is called.
 *
 * Returns: (transfer full): a container, or %NULL with
 *   %SIPSERVLET_ERROR_FAILED when the SIP stack cannot start.
 */
SIPSERVLET_API SipContainer *sipservlet_container_new (GError **error);

/**
 * sipservlet_container_ref:
 * @container: a container
 *
 * Returns: (transfer full): @container with one more reference.
 */
SIPSERVLET_API SipContainer *sipservlet_container_ref (SipContainer *container);

/**
 * sipservlet_container_unref:
 * @container: (transfer full): a container
 *
 * Drops one reference. The last one tears the stack down at once: call
 * sipservlet_container_shutdown() first to finish live transactions.
 * Release the messages you hold a reference to before the last
 * reference of their container.
 */
SIPSERVLET_API void sipservlet_container_unref (SipContainer *container);

/**
 * sipservlet_container_listen:
 * @container: a container
 * @host: an IPv4 or IPv6 address ("127.0.0.1", "::1", "0.0.0.0")
 * @port: the port; 0 picks a free one, the same for UDP and TCP (read it
 *   back with sipservlet_container_get_port())
 * @transports: which transports to open
 * @error: return location for a #GError
 *
 * Adds a listening point. Can be called several times, also while the
 * container runs: when an interface gets an address after the container
 * started, listen on that address (with the same port) to answer there.
 *
 * A wildcard address ("0.0.0.0", "::") is bound by sofia-sip as one
 * socket per address the host has at that moment (not one socket for
 * every address): each of them is the container (see
 * sipservlet_container_is_self()), and addresses that appear later are
 * not, until listened on.
 *
 * With %SIPSERVLET_TRANSPORT_TLS (alone), the listening point speaks TLS
 * with the files of sipservlet_container_set_tls_files(); its Via,
 * Record-Route and Contact say transport=tls (sips: in a sips dialog).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_BIND when the address cannot be
 *   bound, %SIPSERVLET_ERROR_INVALID_ARGUMENT for a bad host or TLS mixed
 *   with another transport, %SIPSERVLET_ERROR_INVALID_STATE for TLS
 *   before sipservlet_container_set_tls_files().
 */
SIPSERVLET_API gboolean sipservlet_container_listen (SipContainer *container,
                                                     const char *host,
                                                     guint16 port,
                                                     SipTransportFlags transports,
                                                     GError **error);

/**
 * sipservlet_container_set_tls_files:
 * @container: a container
 * @cert_file: the PEM file of the container's certificate, followed by
 *   the intermediate certificates of its chain, if any
 * @key_file: (nullable): the PEM file of the certificate's private key
 *   (not encrypted), or %NULL when it is in @cert_file
 * @ca_file: (nullable): a PEM file of the certificates trusted to sign
 *   the certificates of peers the container connects to, or %NULL for the
 *   system's bundle (OpenSSL's default certificate file)
 * @error: return location for a #GError
 *
 * Sets the certificate of the TLS listening points opened after this
 * call (sipservlet_container_listen() with %SIPSERVLET_TRANSPORT_TLS).
 * The files are read and checked now: each must be readable and hold
 * what it is for, and the key must be the certificate's. sofia-sip wants
 * them in a directory of its own; the container builds it in a private
 * temporary folder (mode 0700) and removes it when it is freed, so the
 * files may change or go away after this call.
 *
 * When the container connects to a peer over TLS (a sips: or
 * transport=tls target with no connection open), the peer's certificate
 * must chain to a certificate of @ca_file and name the host connected to
 * as a DNS subjectAltName, or as its common name when it has no DNS
 * subjectAltName (sofia-sip ignores IP address subjectAltNames):
 * otherwise the connection is closed before anything is sent, and the
 * request times out. Peers connecting to the container are not asked for
 * a certificate. See doc/tls.md.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT, naming the
 *   file, when a file is missing or unreadable, holds no PEM certificate
 *   or key, holds an encrypted key, or the key does not match the
 *   certificate; %SIPSERVLET_ERROR_FAILED when the private folder cannot
 *   be written. The previous files, if any, stay in force then.
 */
SIPSERVLET_API gboolean sipservlet_container_set_tls_files (SipContainer *container,
                                                            const char *cert_file,
                                                            const char *key_file,
                                                            const char *ca_file,
                                                            GError **error);

/**
 * sipservlet_container_reload_tls_files:
 * @container: a container with TLS files (sipservlet_container_set_tls_files())
 * @error: return location for a #GError
 *
 * Reads the files of sipservlet_container_set_tls_files() again, checks
 * them as it does, and puts them in force at once on the TLS listening
 * points open now as well as those opened later: connections accepted or
 * opened from now on present the new certificate and trust the new CA
 * file; connections already up keep what they were set up with. Meant for
 * SIGHUP, after a certificate was renewed.
 *
 * Returns: %FALSE with @error set, and the files in force unchanged, when
 *   a file does not load (the errors of
 *   sipservlet_container_set_tls_files()); %SIPSERVLET_ERROR_INVALID_STATE
 *   when no TLS files were set
 */
SIPSERVLET_API gboolean sipservlet_container_reload_tls_files (SipContainer *container,
                                                               GError **error);

/**
 * sipservlet_container_listen_advertised:
 * @container: a container
 * @host: an IPv4 or IPv6 address to bind, as for sipservlet_container_listen()
 * @port: the port; 0 picks a free one
 * @transports: which transports to open
 * @advertise: (nullable): the host name or IP address the peers reach
 *   this listening point by (a NAT's public address), or %NULL
 * @error: return location for a #GError
 *
 * sipservlet_container_listen(), and the messages that leave by these
 * sockets name @advertise instead of the bound address in Via,
 * Record-Route and Contact (Kamailio's `listen=... advertise`). The
 * advertised name counts as the container (sipservlet_container_is_self()),
 * at the bound port: the advertised port is always the listening port.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @advertise
 *   is not a host name or an IP address, or the errors of
 *   sipservlet_container_listen().
 */
SIPSERVLET_API gboolean sipservlet_container_listen_advertised (SipContainer *container,
                                                                const char *host,
                                                                guint16 port,
                                                                SipTransportFlags transports,
                                                                const char *advertise,
                                                                GError **error);

/**
 * sipservlet_container_add_alias:
 * @container: a container
 * @alias: "HOST", "HOST:PORT", an IPv6 address, or "[IPV6]:PORT": a host
 *   name or address that names this container although it is not
 *   listened on (a DNS name of the host, a load balancer's address)
 * @error: return location for a #GError
 *
 * Adds a name for the container, as Kamailio's `alias`. Without a port it
 * names the container at any port; with one, at that port only.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when @alias does
 *   not parse.
 */
SIPSERVLET_API gboolean sipservlet_container_add_alias (SipContainer *container,
                                                        const char *alias,
                                                        GError **error);

/**
 * sipservlet_container_is_self:
 * @container: a container
 * @uri: a URI
 *
 * Whether @uri names this container: a sip or sips URI whose host and
 * port (5060 when absent, 5061 for sips) are those of a bound socket, an
 * advertised name (sipservlet_container_listen_advertised()) or an alias
 * (sipservlet_container_add_alias()). IP addresses compare by value
 * ("[::1]" and "[0::1]" are the same). This is the one test the container
 * uses itself: to pop a Route that names it, to take a request whose
 * Request-URI names it as addressed to it (Require, unknown dialogs), and
 * to refuse a proxy target that would loop back to it.
 *
 * Returns: %TRUE when @uri names the container.
 */
SIPSERVLET_API gboolean sipservlet_container_is_self (SipContainer *container,
                                                      const SipURI *uri);

/**
 * sipservlet_container_get_port:
 * @container: a container
 * @host: (nullable): the host given to sipservlet_container_listen() (IPv6
 *   with or without brackets), or %NULL for the first listening point
 *
 * Returns: the bound port, 0 if not listening there.
 */
SIPSERVLET_API guint16 sipservlet_container_get_port (SipContainer *container,
                                                      const char *host);

/**
 * sipservlet_container_get_listen_addresses:
 * @container: a container
 *
 * Returns: (transfer full): one "host:port" per listening point (IPv6
 *   hosts in brackets; "tls:host:port" for a TLS one), %NULL-terminated.
 *   Free with g_strfreev().
 */
SIPSERVLET_API char **sipservlet_container_get_listen_addresses (SipContainer *container);

/**
 * sipservlet_container_add_servlet:
 * @container: a container
 * @servlet: a servlet (the container takes a reference)
 * @method: (nullable): the method it serves ("REGISTER"), or %NULL for the
 *   default servlet that gets every other method
 * @error: return location for a #GError
 *
 * Adds a servlet and runs its init handler (once, even when the same
 * servlet is added for several methods). When neither a servlet for the
 * request's method nor a default servlet exists, initial requests are
 * answered 405 with an Allow header listing the registered methods.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when a servlet is
 *   already registered for @method or the servlet is in another container,
 *   or the init handler's error.
 */
SIPSERVLET_API gboolean sipservlet_container_add_servlet (SipContainer *container,
                                                          SipServlet *servlet,
                                                          const char *method,
                                                          GError **error);

/**
 * sipservlet_container_add_listeners:
 * @container: a container
 * @listeners: the table (copied)
 * @user_data: (nullable): passed to every listener
 * @destroy: (nullable): called exactly once on @user_data when the
 *   container is freed
 *
 * Adds a set of listeners; several sets may be added.
 *
 * Returns: %FALSE with a critical when struct_size is unknown.
 */
SIPSERVLET_API gboolean sipservlet_container_add_listeners (SipContainer *container,
                                                            const SipServletListeners *listeners,
                                                            gpointer user_data,
                                                            GDestroyNotify destroy);

/**
 * sipservlet_container_add_supported:
 * @container: a container
 * @option_tag: an option tag the application implements ("path", "gruu"...)
 *
 * Declares an extension as supported. A request whose Require header
 * lists an option tag that was not declared is answered 420 (Bad
 * Extension) with an Unsupported header before any servlet sees it
 * (RFC 3261 §8.2.2.3). "100rel" is declared by default: the container
 * implements reliable provisional responses.
 */
SIPSERVLET_API void sipservlet_container_add_supported (SipContainer *container,
                                                        const char *option_tag);

/**
 * sipservlet_container_get_factory:
 * @container: a container
 *
 * Returns: (transfer none): the container's #SipFactory.
 */
SIPSERVLET_API SipFactory *sipservlet_container_get_factory (SipContainer *container);

/**
 * sipservlet_container_set_application_session_timeout:
 * @container: a container
 * @minutes: default lifetime of new application sessions; 0 = never expire
 *
 * Default: 3 minutes (JSR 289).
 */
SIPSERVLET_API void sipservlet_container_set_application_session_timeout (SipContainer *container,
                                                                          guint minutes);

/**
 * sipservlet_container_set_session_timers:
 * @container: a container
 * @session_expires: the session interval to ask for and grant, in
 *   seconds; 0 turns session timers off (the default)
 * @min_se: the shortest interval accepted, in seconds: at least 90
 *   (RFC 4028), at most @session_expires
 * @error: return location for a #GError
 *
 * Turns on RFC 4028 session timers for the dialogs this container's
 * servlets take part in, so that a call whose far end vanished without a
 * BYE ends by itself instead of staying up forever:
 *
 * - As UAC, INVITE and UPDATE requests carry `Supported: timer`,
 *   `Session-Expires` and `Min-SE` (unless the servlet put its own
 *   Session-Expires there); a 422 is answered by sending the request
 *   again, once, with the peer's Min-SE; the servlet sees only the final
 *   outcome. A 2xx without Session-Expires means no timer (§7.2).
 * - As UAS, an INVITE or UPDATE asking less than @min_se gets 422 with
 *   `Min-SE`, before any servlet sees it; a 2xx to an INVITE or UPDATE
 *   carries `Session-Expires` with the refresher: the caller when it
 *   supports timers, else us (with `Require: timer` when it does).
 * - The refresher sends refreshes half-way through the interval: an
 *   UPDATE without a body when the peer's Allow lists UPDATE, otherwise
 *   a re-INVITE that repeats our last SDP unchanged (RFC 3264 §8). The
 *   peer's refreshes (an UPDATE without a body, a re-INVITE whose SDP has
 *   the version last seen) are answered by the container; the servlet
 *   sees neither kind. A re-INVITE that changes the SDP reaches the
 *   servlet as always, and its 2xx restarts the interval.
 * - The other side waits until a third of the interval (32 s at most)
 *   before it ends; then, as when our refresh fails with 408 or 481, the
 *   #SipServletListeners session_expired listeners run and the dialog is
 *   ended with sipservlet_session_terminate() (a BYE), both legs of a
 *   B2BUA call alike.
 * - As a proxy, an initial INVITE asking less than @min_se gets 422; one
 *   without Session-Expires gets ours, and a Min-SE below ours is raised
 *   (never lowered); if the callee then answers without a timer while the
 *   caller supports them, the 2xx gets `Session-Expires;refresher=uac`.
 *
 * Test-only: with `SIPSERVLET_TEST_SHORT_SESSION_TIMERS=1` in the
 * environment, intervals from 2 s are accepted, so tests of refresh and
 * expiry take seconds. Never set it in production.
 *
 * Returns: %TRUE, or %FALSE with @error set (%SIPSERVLET_ERROR_INVALID_ARGUMENT)
 *   when the values are out of range
 */
SIPSERVLET_API gboolean sipservlet_container_set_session_timers (SipContainer *container,
                                                                 guint session_expires,
                                                                 guint min_se, GError **error);

/**
 * sipservlet_container_set_timer_j:
 * @container: a container
 * @msec: how long a completed non-INVITE server transaction waits, in
 *   milliseconds; 0 ends it as soon as its final response is sent
 * @error: return location for a #GError
 *
 * Over UDP, RFC 3261 (§17.2.2) keeps a non-INVITE server transaction for
 * timer J, 64*T1 (32 s), after its final response, so that a retransmitted
 * request is answered with the same response instead of reaching a servlet
 * again. By default the container does just that. Each waiting
 * transaction keeps the few headers it matches requests with and the
 * bytes of its response, about 1 KB, so a registrar taking 16,000
 * REGISTERs a second holds half a million of them, over half a gigabyte.
 *
 * A shorter timer J is a deviation from RFC 3261 that trades the
 * absorption of late retransmissions for that memory: a retransmission
 * that comes after timer J fired is a new request to the servlets. That
 * is harmless where handling a request twice is (REGISTER and OPTIONS
 * are idempotent; a MESSAGE would be delivered twice), and it is what a
 * stateless registrar such as Kamailio's does for every REGISTER. A
 * client retransmits for at most 64*T1 after its first send, so any
 * value of 64*T1 or more is RFC behaviour. Over TCP, TLS and WebSocket
 * timer J is always 0.
 *
 * Needs the bundled sofia-sip (the default build, doc/sofia-build.md):
 * the distribution's library has no timer J of its own.
 *
 * Returns: %TRUE, or %FALSE with @error set:
 *   %SIPSERVLET_ERROR_INVALID_ARGUMENT when @msec is longer than a day,
 *   %SIPSERVLET_ERROR_NOT_SUPPORTED when built with `-Dsofia=system`
 */
SIPSERVLET_API gboolean sipservlet_container_set_timer_j (SipContainer *container, guint msec,
                                                          GError **error);

/**
 * sipservlet_container_get_session_count:
 * @container: a container
 *
 * Returns: the number of valid #SipSession objects (a leak indicator).
 */
SIPSERVLET_API guint sipservlet_container_get_session_count (SipContainer *container);

/**
 * sipservlet_container_get_application_session_count:
 * @container: a container
 *
 * Returns: the number of valid #SipApplicationSession objects.
 */
SIPSERVLET_API guint sipservlet_container_get_application_session_count (SipContainer *container);

/**
 * sipservlet_container_set_message_trace:
 * @container: a container
 * @on: whether to log every SIP message
 *
 * Logs every SIP message this container sends or receives on the network,
 * retransmissions included, as it crossed the socket: one log record per
 * message at level %G_LOG_LEVEL_MESSAGE, in the domain `sipservlet`,
 * with the fields SIP_CALL_ID, SIP_DIRECTION (`recv` or `send`) and
 * SIP_PEER (`from udp/[127.0.0.1]:5062`), so that `journalctl
 * SIP_CALL_ID=…` shows one call. The values of Authorization and
 * Proxy-Authorization headers are replaced by `<redacted>` (their scheme
 * stays). Off by default: a trace costs far more than the message's own
 * handling. doc/operations.md shows an example.
 */
SIPSERVLET_API void sipservlet_container_set_message_trace (SipContainer *container,
                                                            gboolean on);

/**
 * sipservlet_container_invoke:
 * @container: a container
 * @func: the function to run on the container thread
 * @data: (nullable): its argument
 * @destroy: (nullable): called on @data after @func ran
 *
 * Queues @func on the container's GMainContext. Thread-safe. As with
 * g_main_context_invoke_full(), @func runs again while it returns %TRUE
 * (%G_SOURCE_CONTINUE), and @destroy runs on the container thread.
 */
SIPSERVLET_API void sipservlet_container_invoke (SipContainer *container,
                                                 GSourceFunc func,
                                                 gpointer data,
                                                 GDestroyNotify destroy);

/**
 * sipservlet_container_listen_address:
 * @container: a container
 * @address: "HOST:PORT", "[IPV6]:PORT", or a host alone for port 5060;
 *   port 0 picks a free one. It may be followed by " advertise PUBLIC"
 *   (a host name or IP, optionally with the same port) as
 *   sipservlet_container_listen_advertised() takes it:
 *   "0.0.0.0:5060 advertise 203.0.113.7"
 * @transports: UDP, TCP or both
 * @error: return location for a #GError
 *
 * sipservlet_container_listen() with the address as a command line or a
 * configuration file gives it.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT for an address
 *   that does not parse, or the errors of sipservlet_container_listen().
 */
SIPSERVLET_API gboolean sipservlet_container_listen_address (SipContainer *container,
                                                             const char *address,
                                                             SipTransportFlags transports,
                                                             GError **error);

/**
 * sipservlet_container_run:
 * @container: a container, on the thread whose context it is bound to
 *
 * Runs the container's #GMainContext until sipservlet_container_stop() or
 * SIGINT or SIGTERM, then shuts down gracefully (see
 * sipservlet_container_shutdown()) and returns once it has stopped; a
 * second signal during the shutdown stops at once. The signal handlers
 * (g_unix_signal_source_new()) are installed for the duration of the call
 * only. The container stays yours to unref.
 */
SIPSERVLET_API void sipservlet_container_run (SipContainer *container);

/**
 * sipservlet_container_stop:
 * @container: a container inside sipservlet_container_run()
 *
 * Makes sipservlet_container_run() shut down and return, e.g. when a
 * client has done its work. Does nothing when the container is not
 * running or already stopping.
 */
SIPSERVLET_API void sipservlet_container_stop (SipContainer *container);

/**
 * sipservlet_container_set_shutdown_deadline:
 * @container: a container
 * @ms: how long sipservlet_container_shutdown() waits for transactions in
 *   progress, in milliseconds; 0 does not wait
 *
 * Default: 32000 (64*T1, the longest a client transaction lasts on its
 * own). When the deadline passes, what is still pending is abandoned the
 * way the last sipservlet_container_unref() abandons it: a caller still
 * waiting is answered, a request still waiting for its answer gets its
 * outcome (%SIPSERVLET_ERROR_SHUTTING_DOWN), and nothing leaks.
 */
SIPSERVLET_API void sipservlet_container_set_shutdown_deadline (SipContainer *container,
                                                                guint ms);

/**
 * sipservlet_container_shutdown:
 * @container: a container
 * @callback: (nullable) (scope async) (closure user_data): called once the
 *   container has stopped
 * @user_data: (nullable): data for @callback
 *
 * Stops accepting new requests (they get 503), lets live transactions
 * finish (32 s at most, see sipservlet_container_set_shutdown_deadline()),
 * invalidates sessions and calls the servlets'
 * destroy handlers, then calls @callback from the main loop. The
 * transports stay open, answering 503, until the last
 * sipservlet_container_unref() closes them. Asynchronous: keep iterating
 * the GMainContext until @callback runs.
 */
SIPSERVLET_API void sipservlet_container_shutdown (SipContainer *container,
                                                   SipContainerShutdownFunc callback,
                                                   gpointer user_data);

G_END_DECLS
