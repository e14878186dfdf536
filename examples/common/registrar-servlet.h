/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - the registrar (RFC 3261 section 10.3) shared by
 * sipservlet-registrar and sipservlet-proxy: its command-line options,
 * its REGISTER processing on an in-memory location service, and lookups
 * for a proxy that routes to the registered contacts.
 * It uses only the public API, like any host program. */
#pragma once

#include <sipservlet/sipservlet.h>

typedef struct {
  char **domains;           /* --domain values, NULL-terminated, or NULL */
  gint min_expires;         /* --min-expires */
  gint max_expires;         /* --max-expires */
  gint default_expires;     /* --default-expires; G_MININT when not given */
  gint max_contacts;        /* --max-contacts; 0: no limit */
  gint nat_ping_interval;   /* --nat-ping-interval in seconds; 0: off */
} RegistrarOptions;

/* Sets the defaults: no domain, 60, 3600, a default lifetime that
 * follows the limits (3600 within [min, max]), and 10 contacts per AOR. */
void registrar_options_init (RegistrarOptions *options);

/* Option entries for --domain, --min-expires, --max-expires,
 * --default-expires and --max-contacts, to add to a GOptionContext;
 * g_free() the array. */
GOptionEntry *registrar_option_entries (RegistrarOptions *options);

/* Frees what option parsing allocated. */
void registrar_options_clear (RegistrarOptions *options);

typedef struct _Registrar Registrar;

/* Decides whether a sip/sips URI names a domain this registrar serves. */
typedef gboolean (*RegistrarDomainFunc) (const SipURI *uri, gpointer user_data);

/* Checks the options and creates a registrar with an empty in-memory
 * location service. Returns NULL with G_OPTION_ERROR_BAD_VALUE naming the
 * option when they are inconsistent (a usage error). */
Registrar *registrar_new (const RegistrarOptions *options, GError **error);

/* A registrar is shared by reference: its servlets (registrar_servlet_new(),
 * location_servlet_new()) hold one each, so it lives until the last of
 * them is destroyed. registrar_unref() accepts NULL. */
Registrar *registrar_ref (Registrar *registrar);
void registrar_unref (Registrar *registrar);

/* Starts purging expired bindings every 10 seconds on the thread-default
 * main context, and the OPTIONS pings to phones behind NAT when
 * --nat-ping-interval is set (needs registrar_set_container()); the last
 * registrar_unref() stops them. */
void registrar_start_purge (Registrar *registrar);

/* By default the registrar serves the --domain values, or any domain when
 * none was given. A function set here decides instead. */
void registrar_set_domain_func (Registrar *registrar, RegistrarDomainFunc func,
                                gpointer user_data);

/* Makes the domains served the container's (sipservlet_container_is_our_domain():
 * its sipservlet_container_add_domain() values, the --domain ones among
 * them, and its own addresses). Needs registrar_set_container(). */
void registrar_serve_container_domains (Registrar *registrar);

/* The container the registrar runs in: its own addresses are a domain it
 * serves (see registrar_aor_key()), and the --domain values become the
 * container's domains (sipservlet_container_add_domain()). Not owned; may
 * stay unset. */
void registrar_set_container (Registrar *registrar, SipContainer *container);

/* The key an address-of-record is stored and looked up under: its
 * canonical form (sipservlet_uri_to_canonical_string()), without the port
 * when the host is one of ours (a --domain value, or host and port name
 * the container): sip:bob@10.0.0.1 and sip:bob@10.0.0.1:5080 are the same
 * user when the registrar listens on 10.0.0.1:5080. g_free() it. */
char *registrar_aor_key (Registrar *registrar, const SipURI *uri);

/* Where to send requests for a binding when not to its Contact: the
 * "udp:IP:PORT" or "tcp:IP:PORT" its REGISTER came from (for
 * sipservlet_request_set_destination()), or NULL. Over TCP always, on the
 * connection the phone opened (*connection set: it cannot accept one).
 * Over UDP when the phone is behind NAT: its REGISTER came from another
 * address or port than its top Via names, and its Contact names a private
 * address (RFC 1918, RFC 6598, IPv6 unique-local or link-local) other
 * than that source (Kamailio's nat_uac_test 1 and 2). A REGISTER sent on
 * a phone's behalf by another host leaves its contact as written.
 * g_free() it. */
char *registrar_binding_destination (Registrar *registrar, const SipLocationBinding *binding,
                                     gboolean *connection);

/* TRUE when at least one --domain was given. */
gboolean registrar_has_domains (Registrar *registrar);

/* TRUE when @uri's host is one of the --domain values (FALSE without any). */
gboolean registrar_is_configured_domain (Registrar *registrar, const SipURI *uri);

/* TRUE when the registrar serves @uri's domain (the domain function, else
 * the --domain values, else any domain). */
gboolean registrar_serves (Registrar *registrar, const SipURI *uri);

/* Remember every AOR that ever had a binding (see registrar_knows_aor());
 * off by default. */
void registrar_set_track_aors (Registrar *registrar, gboolean track);

/* Processes one REGISTER and sends its final response. */
void registrar_handle_register (Registrar *registrar, SipServletRequest *request);

/* A servlet named "registrar" whose do_register is
 * registrar_handle_register(); it holds a reference on the registrar. */
SipServlet *registrar_servlet_new (Registrar *registrar);

/* The live bindings of the canonical AOR @aor, highest q first (see
 * sipservlet_location_service_lookup()); g_ptr_array_unref() it. */
GPtrArray *registrar_lookup (Registrar *registrar, const char *aor);

/* With tracking on: TRUE when @aor had a binding at some time since the
 * registrar started, even if it has none now. */
gboolean registrar_knows_aor (Registrar *registrar, const char *aor);

/* The canonical form of a host as in sip:host (lowercase, RFC 5952 IPv6
 * without brackets added twice); NULL when @host is not a valid host.
 * An IPv6 address may be given with or without brackets. */
char *registrar_canonical_host (const char *host);

/* The canonical host of a sip/sips URI, comparable with
 * registrar_canonical_host(); NULL when it has none. */
char *registrar_uri_canonical_host (const SipURI *uri);
