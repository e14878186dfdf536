/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - container internals: the container owns the stack, the
 * session manager, the servlets and the factory; dispatch.c classifies
 * every incoming message and hands it to the UA layer and the servlets. */
#pragma once

#include "stack/stack-private.h"
#include "message/message-private.h"
#include "session/session-private.h"
#include "servlet/servlet-private.h"

struct _SipFactory {
  SipContainer *container;      /* the factory is embedded in it */
};

struct _SipB2buaHelper {
  SipContainer *container;      /* one helper per container, embedded in it */
};

/* Our Record-Route for one listening point, made on its first use and
 * read-only for the container's life: proxies point into it. */
typedef struct {
  SipURI *uri;                  /* with lr */
  char *value;                  /* the header value as sent: "<uri>" */
} SipsvRecordRoute;

void sipsv_record_route_free (gpointer data);

typedef struct {
  void (*func) (gpointer data);
  gpointer data;
} SipsvWork;

struct _SipContainer {
  gatomicrefcount ref_count;
  GMainContext *context;
  SipsvStack stack;
  SipsvSessionManager sessions;
  SipFactory factory;
  SipB2buaHelper b2bua;
  GHashTable *servlets_by_method;   /* method -> SipServlet, owned */
  SipServlet *default_servlet;      /* owned */
  GPtrArray *servlets;              /* every servlet, owned */
  GPtrArray *option_tags;           /* supported extensions (Require check) */
  GHashTable *record_routes;        /* contact text -> SipsvRecordRoute, read-only */
  guint t1;                         /* ms */
  gboolean shutting_down;
  SipContainerShutdownFunc shutdown_cb;
  gpointer shutdown_data;
  GSource *shutdown_source;
  GArray *work_queue;               /* SipsvWork, run in order right after the stack's
                                     * dispatch, else from one idle source */
  GSource *work_source;
};

/* container.c: work run from the main loop, in the order it was queued,
 * never inside the NTA callback that queued it (destroying a transaction
 * from its own callback is unsafe). */
typedef void (*SipsvWorkFunc) (gpointer data);
void sipsv_container_defer (SipContainer *container, SipsvWorkFunc func, gpointer data);
/* Drops a request reference that way. */
void sipsv_container_release_later (SipContainer *container, SipServletRequest *request);

/* dispatch.c */
char *sipsv_container_unsupported (SipContainer *container, msg_list_t const *list);
int sipsv_container_on_message (nta_agent_magic_t *magic, nta_agent_t *agent,
                                msg_t *msg, sip_t *sip);
SipServlet *sipsv_container_select_servlet (SipContainer *container, const char *method);

