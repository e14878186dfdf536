/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - g_autoptr() for every public type:
 *
 *     g_autoptr (SipAddress) from = sipservlet_message_get_from (message);
 *
 * Included by <sipservlet/sipservlet.h> after the headers that declare the
 * unref and free functions. */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipContainer, sipservlet_container_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipServlet, sipservlet_servlet_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipServletMessage, sipservlet_message_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipServletRequest, sipservlet_request_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipServletResponse, sipservlet_response_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipSession, sipservlet_session_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipApplicationSession, sipservlet_application_session_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipServletTimer, sipservlet_timer_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipFactory, sipservlet_factory_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipURI, sipservlet_uri_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipAddress, sipservlet_address_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipParameterable, sipservlet_parameterable_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipLocationService, sipservlet_location_service_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipLocationStore, sipservlet_location_store_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipLocationBinding, sipservlet_location_binding_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipAuthInfo, sipservlet_auth_info_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipCredentialStore, sipservlet_credential_store_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipProxy, sipservlet_proxy_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipProxyBranch, sipservlet_proxy_branch_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipB2buaHelper, sipservlet_b2bua_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipApplication, sipservlet_application_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SipPattern, sipservlet_pattern_unref)
