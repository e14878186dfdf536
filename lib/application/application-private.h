/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - applications, servlet selection and the application
 * router, inside (sipservlet-application.h, sipservlet-pattern.h,
 * sipservlet-router.h). This layer sits below the container, which
 * deploys applications and asks the router; it uses the public face of
 * messages, addresses and servlets. */
#pragma once

#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

#include "servlet/servlet-private.h"
#include "session/session-private.h"

/* application.c */
struct _SipApplication {
  gatomicrefcount ref_count;
  char *name;
  GPtrArray *servlets;          /* SipServlet, owned, in the order added */
  char *main_servlet;           /* or mappings, not both */
  GPtrArray *mappings;          /* SipsvMapping (application.c), in order */
  GPtrArray *declared_servlets; /* names sip.xml declared, checked on deploy */
  SipApplicationKeyFunc key_func;
  gpointer key_data;
  GDestroyNotify key_destroy;
  SipsvAppScope *scope;         /* name and own listeners, shared with its sessions */
  gboolean auth_required;       /* a security constraint */
  GStrv auth_methods;           /* upper case; NULL: every method */
  SipContainer *container;      /* not owned; while deployed */
  gboolean deployed_once;       /* it can no longer change */
  GPtrArray *http_routes;       /* SipsvHttpRoute (http-routes.c), or NULL */
};

/* FALSE (INVALID_STATE) once it was deployed: it can no longer change. */
gboolean sipsv_app_check_not_deployed (SipApplication *application, GError **error);

/* http-routes.c: an HTTP handler or WebSocket endpoint of the application
 * (sipservlet-http.h); the container serves them while it is deployed. */
typedef struct {
  char *path;                   /* prefix (handler) or exact path (WebSocket) */
  gboolean websocket;
  SipHttpHandlerFunc handler;   /* one of the two */
  SipWebsocketFunc on_open;
  gpointer user_data;
  GDestroyNotify destroy;
} SipsvHttpRoute;

/* Whether path is path_prefix or below it. */
gboolean sipsv_http_path_matches (const char *path_prefix, const char *path);
/* The application's route for path: its longest matching handler prefix,
 * or its WebSocket endpoint of exactly that path when websocket; NULL
 * when none. */
const SipsvHttpRoute *sipsv_app_find_http_route (SipApplication *application, const char *path,
                                                 gboolean websocket);

/* The implicit application: no name check. */
SipApplication *sipsv_app_new_unchecked (const char *name);
/* Whether it can be deployed: servlets, a selection naming them. */
gboolean sipsv_app_check_complete (SipApplication *application, GError **error);
/* Gives its servlets the container and runs their init handlers (once). */
gboolean sipsv_app_bind_servlets (SipApplication *application, SipContainer *container,
                                  SipFactory *factory, GError **error);
void sipsv_app_release_servlets (SipApplication *application);
/* The servlet an initial request goes to: the main servlet, else the
 * first mapping that matches; NULL when none does. */
SipServlet *sipsv_app_select_servlet (SipApplication *application, SipServletRequest *request);
/* Whether its security constraint covers initial requests of method. */
gboolean sipsv_app_needs_authentication (SipApplication *application, const char *method);
/* The key function's answer (g_free()), or NULL. */
char *sipsv_app_key (SipApplication *application, SipServletRequest *request);

/* router-info.c: the router's answer (SipRouterInfo). */
struct _SipRouterInfo {
  char *application;            /* NULL: no further application */
  char *subscriber_uri;
  SipRoutingRegion region;
  GStrv routes;                 /* NULL or NULL-terminated */
  SipRouteModifier modifier;
  GVariant *state;              /* owned (sunk), or NULL */
};

void sipsv_router_info_clear (SipRouterInfo *info);

/* pattern.c, pattern-xml.c: mapping conditions (SipPattern). */
/* Whether name is a variable of JSR 289 §16.2.4 (the list in
 * sipservlet-pattern.h). */
gboolean sipsv_pattern_variable_is_valid (const char *name);

/* descriptor.c: what sip.xml says about servlet selection. */
typedef struct {
  char *servlet_name;
  SipPattern *pattern;
  guint line;                   /* of its <servlet-mapping> */
} SipsvDescriptorMapping;

typedef struct {
  char *app_name;               /* <app-name>, or NULL */
  guint app_name_line;
  char *main_servlet;           /* <main-servlet>, or NULL */
  guint main_servlet_line;
  GPtrArray *mappings;          /* SipsvDescriptorMapping, in document order */
  GPtrArray *servlet_names;     /* char *, from <servlet><servlet-name> */
} SipsvDescriptor;

/* Reads a sip.xml document into descriptor (initialised here; clear it
 * with sipsv_descriptor_clear() also after an error). Unknown elements
 * are logged (g_warning) with filename (or "sip.xml") and line. FALSE with
 * SIPSERVLET_ERROR_PARSE naming filename and line for malformed XML and
 * bad patterns, and for a document with both a main servlet and
 * mappings. */
gboolean sipsv_descriptor_parse (SipsvDescriptor *descriptor, const char *xml, gssize length,
                                 const char *filename, GError **error);
void sipsv_descriptor_clear (SipsvDescriptor *descriptor);

/* default-router.c: the router that reads a DAR file. */
typedef struct _SipsvDefaultRouter SipsvDefaultRouter;

SipsvDefaultRouter *sipsv_default_router_new (const char *path, GError **error);
void sipsv_default_router_free (gpointer router);
const SipApplicationRouterFuncs *sipsv_default_router_funcs (void);

/* dar.c: the Default Application Router's rules (JSR 289 Appendix C). */
typedef struct _SipsvDar SipsvDar;

/* Parses DAR text; filename (or "DAR") and the line appear in errors
 * (SIPSERVLET_ERROR_PARSE). */
SipsvDar *sipsv_dar_parse (const char *text, gssize length, const char *filename,
                           GError **error);
void sipsv_dar_free (SipsvDar *dar);
/* The default router's step for an initial request: with directive NEW
 * (or no state) from the method's first entry, else from the entry after
 * the one state (an int32 index) names; fills info (application,
 * subscriber URI from "DAR:Header" or the literal text, region, routes,
 * modifier, the index as state), or leaves it empty past the last entry.
 * FALSE with an error when the subscriber header is missing or does not
 * hold an address. */
gboolean sipsv_dar_next (SipsvDar *dar, SipServletRequest *request,
                         SipRoutingDirective directive, GVariant *state, SipRouterInfo *info,
                         GError **error);

/* pattern-xml.c: sip.xml's condition elements (<and>, <equal>, …) as a
 * GMarkup sub-parser, shared by sipservlet_pattern_parse_xml() and
 * descriptor.c. file names the document in errors, "FILE:LINE: …"; NULL
 * gives "line LINE: …". Both parsers use SIPSV_MARKUP_FLAGS. */
#define SIPSV_MARKUP_FLAGS G_MARKUP_TREAT_CDATA_AS_TEXT
/* From the start_element callback of a <pattern>: its content is read as
 * one condition (g_markup_parse_context_push()). */
void sipsv_pattern_parser_push (GMarkupParseContext *context, const char *file);
/* First thing in the end_element callback of that <pattern>: the
 * condition (transfer full), or NULL with SIPSERVLET_ERROR_PARSE when the
 * element held none. */
SipPattern *sipsv_pattern_parser_pop (GMarkupParseContext *context, GError **error);
/* Feeds the whole of xml to context and ends the parse. */
gboolean sipsv_pattern_markup_parse (GMarkupParseContext *context, const char *xml, gssize length,
                                     GError **error);
/* The line of the last character context read (the '>' of the tag a
 * callback reports), from g_markup_parse_context_get_position(). */
gint sipsv_pattern_markup_line (GMarkupParseContext *context);
/* Sets SIPSERVLET_ERROR_PARSE "FILE:LINE: message" (or "line LINE: …"). */
void sipsv_pattern_set_parse_error (GError **error, const char *file, gint line, const char *format,
                                    ...) G_GNUC_PRINTF (4, 5);
/* After g_markup_parse_context_parse() or _end_parse() failed: GMarkup's
 * own error (malformed XML) becomes SIPSERVLET_ERROR_PARSE at the line it
 * stopped on; the callbacks' errors pass unchanged. Takes src. */
void sipsv_pattern_propagate_markup_error (GError **dest, GError *src, GMarkupParseContext *context,
                                           const char *file);
/* An element name without its namespace prefix: namespaces are not
 * checked, so that any prefix bound to the sip.xml namespace works. */
const char *sipsv_pattern_xml_local_name (const char *name);
/* Element text as xsd:token reads it: outer white space dropped, inner
 * runs collapsed to one space (g_free()). */
char *sipsv_pattern_xml_token (const char *text);
