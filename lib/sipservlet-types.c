/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the public types as boxed GTypes, so that GObject
 * Introspection, GValue and signals can carry them: copying a boxed value
 * takes a reference, freeing it drops one (a SipLocationBinding, the one
 * plain structure, is copied). Only the public API is used here. */
#include "config-private.h"

#include <sipservlet/sipservlet.h>

G_DEFINE_BOXED_TYPE (SipContainer, sipservlet_container, sipservlet_container_ref, sipservlet_container_unref)
G_DEFINE_BOXED_TYPE (SipServlet, sipservlet_servlet, sipservlet_servlet_ref, sipservlet_servlet_unref)
G_DEFINE_BOXED_TYPE (SipServletMessage, sipservlet_message, sipservlet_message_ref, sipservlet_message_unref)
G_DEFINE_BOXED_TYPE (SipServletRequest, sipservlet_request, sipservlet_request_ref, sipservlet_request_unref)
G_DEFINE_BOXED_TYPE (SipServletResponse, sipservlet_response, sipservlet_response_ref, sipservlet_response_unref)
G_DEFINE_BOXED_TYPE (SipSession, sipservlet_session, sipservlet_session_ref, sipservlet_session_unref)
G_DEFINE_BOXED_TYPE (SipApplicationSession, sipservlet_application_session, sipservlet_application_session_ref, sipservlet_application_session_unref)
G_DEFINE_BOXED_TYPE (SipServletTimer, sipservlet_timer, sipservlet_timer_ref, sipservlet_timer_unref)
G_DEFINE_BOXED_TYPE (SipFactory, sipservlet_factory, sipservlet_factory_ref, sipservlet_factory_unref)
G_DEFINE_BOXED_TYPE (SipURI, sipservlet_uri, sipservlet_uri_ref, sipservlet_uri_unref)
G_DEFINE_BOXED_TYPE (SipAddress, sipservlet_address, sipservlet_address_ref, sipservlet_address_unref)
G_DEFINE_BOXED_TYPE (SipParameterable, sipservlet_parameterable, sipservlet_parameterable_ref, sipservlet_parameterable_unref)
G_DEFINE_BOXED_TYPE (SipLocationService, sipservlet_location_service, sipservlet_location_service_ref, sipservlet_location_service_unref)
G_DEFINE_BOXED_TYPE (SipLocationStore, sipservlet_location_store, sipservlet_location_store_ref, sipservlet_location_store_unref)
G_DEFINE_BOXED_TYPE (SipLocationBinding, sipservlet_location_binding, (GBoxedCopyFunc) sipservlet_location_binding_copy, sipservlet_location_binding_free)
G_DEFINE_BOXED_TYPE (SipAuthInfo, sipservlet_auth_info, sipservlet_auth_info_ref, sipservlet_auth_info_unref)
G_DEFINE_BOXED_TYPE (SipCredentialStore, sipservlet_credential_store,
                     sipservlet_credential_store_ref, sipservlet_credential_store_unref)
G_DEFINE_BOXED_TYPE (SipProxy, sipservlet_proxy, sipservlet_proxy_ref, sipservlet_proxy_unref)
G_DEFINE_BOXED_TYPE (SipProxyBranch, sipservlet_proxy_branch, sipservlet_proxy_branch_ref, sipservlet_proxy_branch_unref)
G_DEFINE_BOXED_TYPE (SipB2buaHelper, sipservlet_b2bua, sipservlet_b2bua_ref, sipservlet_b2bua_unref)
G_DEFINE_BOXED_TYPE (SipApplication, sipservlet_application, sipservlet_application_ref,
                     sipservlet_application_unref)
G_DEFINE_BOXED_TYPE (SipPattern, sipservlet_pattern, sipservlet_pattern_ref, sipservlet_pattern_unref)
