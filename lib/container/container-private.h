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

typedef struct {
  char *host;
  guint16 port;
  SipTransportFlags transports;
} SipsvListenPoint;

struct _SipContainer {
  gatomicrefcount ref_count;
  GMainContext *context;
  SipsvStack stack;
  SipsvSessionManager sessions;
  SipFactory factory;
  GHashTable *servlets_by_method;   /* method -> SipServlet, owned */
  SipServlet *default_servlet;      /* owned */
  GPtrArray *servlets;              /* every servlet, owned */
  GArray *listen_points;            /* SipsvListenPoint */
  GPtrArray *option_tags;           /* supported extensions (Require check) */
  guint t1;                         /* ms */
  gboolean shutting_down;
  SipContainerShutdownFunc shutdown_cb;
  gpointer shutdown_data;
  GSource *shutdown_source;
  GPtrArray *release_queue;         /* requests to unref outside NTA callbacks */
  GSource *release_source;
};

/* container.c: drops a transaction reference from an idle callback, never
 * from inside the NTA callback that ends the transaction. */
void sipsv_container_release_later (SipContainer *container, SipServletRequest *request);

/* dispatch.c */
int sipsv_container_on_message (nta_agent_magic_t *magic, nta_agent_t *agent,
                                msg_t *msg, sip_t *sip);
SipServlet *sipsv_container_select_servlet (SipContainer *container, const char *method);

