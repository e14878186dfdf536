/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipApplication: a named set of servlets deployed on a
 * container, the unit the application router composes (JSR 289 chapters
 * 15 and 16).
 *
 * An application has a name unique in its container, its servlets, and a
 * rule choosing which servlet gets an initial request the router gives it:
 * either one main servlet (every request) or servlet mappings (the first
 * mapping whose #SipPattern matches; no match: 404). It may have its own
 * listeners (for the sessions of this application only), a key function
 * (requests with the same key join one application session, JSR 289
 * §15.11.2) and security constraints (methods whose initial requests need
 * an authenticated user, with the container's credentials,
 * sipservlet-security.h).
 *
 * Build an application, then sipservlet_container_deploy() it; it cannot
 * be changed afterwards. sipservlet_container_undeploy() stops new initial
 * requests reaching it while its live sessions finish.
 *
 * Servlets added with sipservlet_container_add_servlet() (by method) form
 * the container's implicit application, %SIPSERVLET_IMPLICIT_APPLICATION:
 * it gets an initial request after the router has no (further)
 * application for it, unless the router named it earlier in the chain.
 * doc/applications.md describes the whole model.
 *
 * Threading: build applications on any thread; deploy and undeploy on the
 * container's thread. _ref()/_unref() are atomic.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>
#include <sipservlet/sipservlet-container.h>

G_BEGIN_DECLS

/**
 * SIPSERVLET_IMPLICIT_APPLICATION:
 * The name of a container's implicit application: the servlets added with
 * sipservlet_container_add_servlet(). A router may name it to place those
 * servlets in its chain; an application cannot be deployed with this name.
 */
#define SIPSERVLET_IMPLICIT_APPLICATION "sipservlet.implicit"

/**
 * SipApplicationKeyFunc:
 * @request: an initial request for the application (read it, do not
 *   change it)
 * @user_data: data given to sipservlet_application_set_key_func()
 *
 * Computes an initial request's session key (JSR 289 @SipApplicationKey):
 * requests of one application with the same key share one
 * #SipApplicationSession while it lives.
 *
 * Returns: (transfer full) (nullable): the key (g_free()d by the
 *   container), or %NULL for a new application session.
 */
typedef char *(*SipApplicationKeyFunc) (SipServletRequest *request, gpointer user_data);

/**
 * sipservlet_application_new:
 * @name: the application's name: non-empty, printable ASCII without
 *   spaces, quotes or commas (it appears in DAR files and Record-Route
 *   parameters)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): an application without servlets, or %NULL
 *   with %SIPSERVLET_ERROR_INVALID_ARGUMENT for a bad or reserved name.
 */
SIPSERVLET_API SipApplication *sipservlet_application_new (const char *name, GError **error);

/**
 * sipservlet_application_ref:
 * @application: an application
 *
 * Returns: (transfer full): @application with one more reference.
 */
SIPSERVLET_API SipApplication *sipservlet_application_ref (SipApplication *application);

/**
 * sipservlet_application_unref:
 * @application: (transfer full): an application
 *
 * Drops one reference. A deployed application is kept by its container
 * and its sessions.
 */
SIPSERVLET_API void sipservlet_application_unref (SipApplication *application);

/**
 * sipservlet_application_get_name:
 * @application: an application
 *
 * Returns: its name.
 */
SIPSERVLET_API const char *sipservlet_application_get_name (SipApplication *application);

/**
 * sipservlet_application_add_servlet:
 * @application: an application, not deployed
 * @servlet: a servlet (the application takes a reference); its name
 *   (sipservlet_servlet_new()) must be unique in the application
 * @error: return location for a #GError
 *
 * Adds a servlet. Its init handler runs when the application is deployed.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT for a name
 *   already used, %SIPSERVLET_ERROR_INVALID_STATE when deployed or when
 *   @servlet belongs to another application or container.
 */
SIPSERVLET_API gboolean sipservlet_application_add_servlet (SipApplication *application,
                                                            SipServlet *servlet,
                                                            GError **error);

/**
 * sipservlet_application_get_servlet:
 * @application: an application
 * @name: a servlet name
 *
 * Returns: (transfer none) (nullable): the servlet of that name.
 */
SIPSERVLET_API SipServlet *sipservlet_application_get_servlet (SipApplication *application,
                                                               const char *name);

/**
 * sipservlet_application_set_main_servlet:
 * @application: an application, not deployed, without mappings
 * @servlet_name: the name of the servlet that gets every initial request
 *   given to this application
 * @error: return location for a #GError
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when deployed or
 *   when the application has mappings (JSR 289: main servlet or mappings,
 *   not both).
 */
SIPSERVLET_API gboolean sipservlet_application_set_main_servlet (SipApplication *application,
                                                                 const char *servlet_name,
                                                                 GError **error);

/**
 * sipservlet_application_add_mapping:
 * @application: an application, not deployed, without a main servlet
 * @servlet_name: the servlet that gets the requests @pattern matches
 * @pattern: the condition (the application takes a reference)
 * @error: return location for a #GError
 *
 * Appends a servlet mapping; mappings are tried in the order added.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when deployed or
 *   when the application has a main servlet.
 */
SIPSERVLET_API gboolean sipservlet_application_add_mapping (SipApplication *application,
                                                            const char *servlet_name,
                                                            SipPattern *pattern,
                                                            GError **error);

/**
 * sipservlet_application_load_descriptor:
 * @application: an application, not deployed
 * @xml: the text of a sip.xml deployment descriptor
 * @length: its length in bytes, or -1 when nul-terminated
 * @filename: (nullable): the file it came from, for messages
 * @error: return location for a #GError
 *
 * Reads servlet selection from sip.xml (JSR 289 §16, schema 1.1, and the
 * 1.0 form with top-level `<servlet-mapping>`): `<main-servlet>` or
 * `<servlet-mapping>` elements (`<servlet-name>` and `<pattern>`), as
 * sipservlet_application_set_main_servlet() and
 * sipservlet_application_add_mapping() would. `<app-name>`, when given,
 * must be the application's name. `<servlet>` elements declare servlet
 * names the host adds with sipservlet_application_add_servlet() (before
 * or after this call; deploying checks that every name has its servlet).
 * Every other element is ignored with a warning naming the file and line.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_PARSE naming the file and line
 *   for malformed XML, an invalid pattern or a different `<app-name>`,
 *   or the errors of the two calls above.
 */
SIPSERVLET_API gboolean sipservlet_application_load_descriptor (SipApplication *application,
                                                                const char *xml, gssize length,
                                                                const char *filename,
                                                                GError **error);

/**
 * sipservlet_application_load_descriptor_file:
 * @application: an application, not deployed
 * @path: a sip.xml file
 * @error: return location for a #GError
 *
 * sipservlet_application_load_descriptor() on the contents of @path.
 *
 * Returns: %FALSE with the file's read error or the parse errors.
 */
SIPSERVLET_API gboolean sipservlet_application_load_descriptor_file (SipApplication *application,
                                                                     const char *path,
                                                                     GError **error);

/**
 * sipservlet_application_set_key_func:
 * @application: an application, not deployed
 * @func: (nullable): computes the session key of an initial request
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data, once
 *
 * Sets the application's key function (JSR 289 §15.11.2).
 */
SIPSERVLET_API void sipservlet_application_set_key_func (SipApplication *application,
                                                        SipApplicationKeyFunc func,
                                                        gpointer user_data,
                                                        GDestroyNotify destroy);

/**
 * sipservlet_application_add_listeners:
 * @application: an application, not deployed
 * @listeners: the callbacks (copied)
 * @user_data: data for them
 * @destroy: (nullable): frees @user_data, once, when the application goes
 *
 * Listeners for the sessions, application sessions and timers of this
 * application only (the container's own, sipservlet_container_add_listeners(),
 * see every application's).
 *
 * Returns: %FALSE when deployed or when @listeners is from a newer library.
 */
SIPSERVLET_API gboolean sipservlet_application_add_listeners (SipApplication *application,
                                                              const SipServletListeners *listeners,
                                                              gpointer user_data,
                                                              GDestroyNotify destroy);

/**
 * sipservlet_application_require_authentication:
 * @application: an application, not deployed
 * @methods: (array zero-terminated=1) (nullable): the methods whose
 *   initial requests need an authenticated user ("INVITE", "MESSAGE"), or
 *   %NULL for every method but ACK and CANCEL
 *
 * A security constraint (JSR 289 `<security-constraint>`): before the
 * application gets such a request without an authenticated user, the
 * container challenges it (401, or 407 when it is not addressed to the
 * container) with the container's credential store and realm. Deploying
 * fails when the container has no authentication
 * (sipservlet_container_set_authentication()).
 */
SIPSERVLET_API void sipservlet_application_require_authentication (SipApplication *application,
                                                                   const char *const *methods);

/**
 * sipservlet_container_deploy:
 * @container: a container
 * @application: an application with at least one servlet and a main
 *   servlet or mappings naming its servlets (the container takes a
 *   reference)
 * @error: return location for a #GError
 *
 * Deploys @application: runs its servlets' init handlers and tells the
 * application router (sipservlet-router.h).
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_STATE when an application
 *   of that name is deployed, @application is deployed elsewhere, it has no
 *   servlet selection, a mapping names a missing servlet, or it needs
 *   authentication the container lacks; or an init handler's error.
 */
SIPSERVLET_API gboolean sipservlet_container_deploy (SipContainer *container,
                                                     SipApplication *application,
                                                     GError **error);

/**
 * sipservlet_container_undeploy:
 * @container: a container
 * @name: a deployed application's name
 * @error: return location for a #GError
 *
 * Undeploys an application: the router is told, new initial requests
 * no longer reach it (a router that still names it gets 500 answers),
 * and its live sessions finish with it: their subsequent requests,
 * responses and timers still reach its servlets. Its servlets' destroy
 * handlers run when the last of them has ended.
 *
 * Returns: %FALSE with %SIPSERVLET_ERROR_INVALID_ARGUMENT when no
 *   application of that name is deployed.
 */
SIPSERVLET_API gboolean sipservlet_container_undeploy (SipContainer *container,
                                                       const char *name, GError **error);

/**
 * sipservlet_container_get_application:
 * @container: a container
 * @name: an application name
 *
 * Returns: (transfer none) (nullable): the deployed application of that
 *   name.
 */
SIPSERVLET_API SipApplication *sipservlet_container_get_application (SipContainer *container,
                                                                     const char *name);

/**
 * sipservlet_container_get_application_names:
 * @container: a container
 *
 * Returns: (transfer full): the names of the deployed applications, in
 *   the order deployed, %NULL-terminated; g_strfreev() it.
 */
SIPSERVLET_API char **sipservlet_container_get_application_names (SipContainer *container);

/**
 * sipservlet_application_session_get_application_name:
 * @app_session: an application session
 *
 * Returns: the name of the application it belongs to
 *   (%SIPSERVLET_IMPLICIT_APPLICATION for the implicit one).
 */
SIPSERVLET_API const char *sipservlet_application_session_get_application_name (SipApplicationSession *app_session);

/**
 * sipservlet_application_create_application_session:
 * @application: a deployed #SipApplication
 * @error: return location for a #GError, or %NULL
 *
 * A new application session of @application (JSR 289's
 * SipFactory.createApplicationSession() called from one of its servlets):
 * the requests created in it, their sessions and its timers belong to
 * @application, its listeners hear of it, and its HTTP handlers find it
 * by id (sipservlet-http.h). sipservlet_factory_create_application_session()
 * makes one of the implicit application instead.
 *
 * Returns: (transfer full) (nullable): the application session, or %NULL
 *   with %SIPSERVLET_ERROR_INVALID_STATE when @application is not
 *   deployed.
 */
SIPSERVLET_API SipApplicationSession *sipservlet_application_create_application_session (SipApplication *application,
                                                                                        GError **error);

G_END_DECLS
