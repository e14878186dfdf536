/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - container internals: the container owns the stack, the
 * session manager, the servlets and the factory; dispatch.c classifies
 * every incoming message and hands it to the UA layer and the servlets. */
#pragma once

#include "runtime/runtime-private.h"

struct _SipContainer {
  SipsvRuntime runtime;             /* first: what the roles see (sipsv_runtime ()) */
  gatomicrefcount ref_count;
  GMainContext *context;
  GHashTable *servlets_by_method;   /* method -> SipServlet, owned */
  GPtrArray *servlets;              /* every servlet, owned */
  SipContainerShutdownFunc shutdown_cb;
  gpointer shutdown_data;
  GSource *shutdown_source;
  GMainLoop *run_loop;              /* while sipservlet_container_run() runs */
  guint shutdown_deadline_ms;       /* how long a shutdown waits for live work */
};

G_STATIC_ASSERT (G_STRUCT_OFFSET (SipContainer, runtime) == 0);

/* 64*T1: what a client transaction takes at most to end on its own. */
#define SIPSV_SHUTDOWN_DEADLINE_MS 32000u

/* dispatch.c */
int sipsv_container_on_message (nta_agent_magic_t *magic, nta_agent_t *agent,
                                msg_t *msg, sip_t *sip);
SipServlet *sipsv_container_select_servlet (SipContainer *container, const char *method);


/* run.c: reads "HOST", "HOST:PORT", "IPV6" or "[IPV6]:PORT" into host
 * (IPv6 without brackets, g_free() it) and port (default_port when
 * absent). FALSE when text is none of these. */
gboolean sipsv_split_host_port (const char *text, char **host, guint16 *port,
                                guint16 default_port);
