/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - what the click-to-call controller
 * (click-to-call-app.c) shares with its web API (click-to-call-http.c). */
#pragma once

#include "click-to-call-app.h"

typedef enum {
  LEG_IDLE,        /* no INVITE sent */
  LEG_CALLING,     /* INVITE sent, no final response */
  LEG_ANSWERED,    /* 2xx received, not acknowledged yet */
  LEG_CONFIRMED,   /* 2xx acknowledged */
  LEG_ENDING,      /* BYE sent, or CANCEL sent and the INVITE not finished */
  LEG_ENDED,
} LegState;

typedef struct _Leg Leg;

struct _Leg {
  const char *name;                /* "A" or "B" */
  Call *call;
  Leg *peer;
  SipAddress *target;              /* whom this leg calls */
  char *uri;                       /* its URI, as text */
  SipSession *session;             /* ref */
  SipServletRequest *invite;       /* ref until its final response */
  SipServletResponse *answer;      /* the 2xx, ref until acknowledged */
  LegState state;
  gboolean ringing;                /* a 18x came */
  guint status;                    /* the last status of its INVITE (0: none yet) */
  gboolean cancelled;
  guint timeout_id;
};

struct _Call {
  ClickToCall *c2c;
  char *id;                        /* its application session's id, once placed */
  SipApplicationSession *app;      /* ref, once placed */
  Leg a;
  Leg b;
  gboolean one_shot;               /* the call of --from and --to */
  gboolean connected;
  gboolean finishing;              /* tearing down: no new legs */
  gboolean hung_up;                /* ended on request (DELETE, signal), not failed */
  gboolean done;
  guint grace_id;
  guint invalidate_id;
  int status;                      /* 1 when it could not be set up */
  guint sip_status;                /* why it failed, when a SIP status says it */
  const char *notified;            /* the last state announced */
};

struct _ClickToCall {
  SipContainer *container;         /* not owned */
  SipFactory *factory;
  SipApplication *application;     /* not owned: "click-to-call" while deployed,
                                    * or NULL (the implicit application) */
  SipServlet *servlet;             /* not owned: it owns the controller */
  ClickToCallReportFunc report;
  gpointer report_data;
  guint timeout_s;
  Call *one_shot;                  /* owned until placed, then in calls */
  guint start_id;                  /* the idle source that places it */
  gboolean signalled;
  GHashTable *calls;               /* id -> Call, owned */
  GQueue order;                    /* Call, in the order they were placed */
  /* The web API (click-to-call-http.c). */
  gboolean serve_http;
  char *token;                     /* NULL with --http-no-auth */
  char **allow;                    /* patterns, or NULL: anywhere */
  GPtrArray *sockets;              /* SoupWebsocketConnection of /events, refs */
};

/* The call's state for the API: calling-a, ringing-a, calling-b,
 * ringing-b, answered, ending, ended or failed. */
const char *call_state_name (Call *call);

/* A leg's state for the API: idle, calling, ringing, answered,
 * confirmed, ending or ended. */
const char *leg_state_api_name (Leg *leg);

/* Places a call from @a to @b (both taken) in an application session of
 * its own; NULL with @error set when the INVITE to A cannot be sent. */
Call *click_to_call_place (ClickToCall *c2c, SipAddress *a, SipAddress *b, GError **error);

/* Ends a call on request: CANCEL for a leg still ringing, BYE for a
 * confirmed one. */
void click_to_call_hang_up (Call *call);

/* click-to-call-http.c: registers the routes on @application. */
gboolean c2c_http_add_routes (ClickToCall *c2c, SipApplication *application, GError **error);

/* click-to-call-http.c: announces the call's new state on /events. */
void c2c_http_notify (ClickToCall *c2c, Call *call);

/* click-to-call-http.c: closes the WebSockets. */
void c2c_http_clear (ClickToCall *c2c);
