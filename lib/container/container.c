/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipContainer: lifecycle, listening points, servlets,
 * listeners and shutdown. Message classification is in dispatch.c. */
#include "config-private.h"

#include <string.h>

#include "container/container-private.h"
#include "container/http-private.h"
#include "ua/ua-private.h"

static void run_deferred (gpointer data);

SipContainer *
sipservlet_container_new (GError **error)
{
  SipContainer *container = g_new0 (SipContainer, 1);

  g_atomic_ref_count_init (&container->ref_count);
  container->context = g_main_context_ref_thread_default ();
  container->shutdown_deadline_ms = SIPSV_SHUTDOWN_DEADLINE_MS;
  sipsv_runtime_init (&container->runtime, container->context);
  container->runtime.route_onward = sipsv_container_route_onward;
  sipsv_container_modules_init (container);
  if (!sipsv_stack_init (&container->runtime.stack, container->context,
                         sipsv_container_on_message, (nta_agent_magic_t *) container, error))
    {
      g_main_context_unref (container->context);
      g_free (container);
      return NULL;
    }
  container->runtime.t1 = sipsv_stack_t1 (&container->runtime.stack);
  sipsv_session_manager_init (&container->runtime.sessions, container, container->context,
                              (SipsvTimerQueue *) container->runtime.stack.root);
  container->runtime.sessions.flush_coming = &container->runtime.stack.dispatching;
  sipsv_stack_set_after_dispatch (&container->runtime.stack, run_deferred, container);
  container->runtime.factory.container = container;
  container->runtime.b2bua.container = container;
  container->servlets_by_method = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) sipservlet_servlet_unref);
  container->servlets = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_servlet_unref);
  sipsv_container_applications_init (container);
  return container;
}

SipContainer *
sipservlet_container_ref (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  g_atomic_ref_count_inc (&container->ref_count);
  return container;
}

static void
destroy_servlets (SipContainer *container)
{
  for (guint i = 0; i < container->servlets->len; i++)
    sipsv_servlet_finish (container->servlets->pdata[i]);
}

/* After every dispatch of the SIP stack: the work and the readiness checks
 * its callbacks queued, until neither queues more. */
static void
run_deferred (gpointer data)
{
  SipContainer *container = data;
  gboolean ran;

  do
    {
      ran = sipsv_runtime_run_work (&container->runtime);
      ran |= sipsv_session_manager_run_checks (&container->runtime.sessions);
    }
  while (ran);
}

void
sipservlet_container_unref (SipContainer *container)
{
  g_return_if_fail (container != NULL);
  if (!g_atomic_ref_count_dec (&container->ref_count))
    return;

  container->runtime.shutting_down = TRUE;
  /* No HTTP request may reach an application from here on. */
  sipsv_container_http_clear (container);
  sipsv_session_manager_invalidate_all (&container->runtime.sessions);
  sipsv_runtime_flush_work (&container->runtime);
  /* What waits for the network lets go while the stack still runs. */
  sipsv_runtime_abandon_all (&container->runtime);
  sipsv_runtime_flush_work (&container->runtime);
  destroy_servlets (container);
  sipsv_container_applications_clear (container);
  if (container->shutdown_source != NULL)
    {
      g_source_destroy (container->shutdown_source);
      g_source_unref (container->shutdown_source);
    }
  sipsv_stack_clear (&container->runtime.stack);
  /* Transactions the stack held may have released requests. */
  sipsv_runtime_flush_work (&container->runtime);
  sipsv_session_manager_clear (&container->runtime.sessions);
  g_hash_table_destroy (container->servlets_by_method);
  g_clear_pointer (&container->runtime.default_servlet, sipservlet_servlet_unref);
  g_ptr_array_unref (container->servlets);
  g_clear_pointer (&container->runtime.record_routes, g_hash_table_destroy);
  /* Last of what may run module code (lib/container/modules.c). */
  sipsv_container_modules_clear (container);
  sipsv_container_security_clear (&container->security);
  sipsv_container_overload_clear (&container->overload);
  g_clear_pointer (&container->location_services, g_ptr_array_unref);
  sipsv_runtime_clear (&container->runtime);
  g_main_context_unref (container->context);
  g_free (container);
}

char *
sipsv_unbracket (const char *host)
{
  gsize n = strlen (host);
  if (n > 2 && host[0] == '[' && host[n - 1] == ']')
    return g_strndup (host + 1, n - 2);
  return g_strdup (host);
}

gboolean
sipsv_valid_host (const char *host)
{
  if (g_hostname_is_ip_address (host))
    return TRUE;
  if (host[0] == '\0' || host[0] == '.' || host[0] == '-' || strlen (host) > 253)
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

gboolean
sipservlet_container_listen_advertised (SipContainer *container, const char *host,
                                        guint16 port, SipTransportFlags transports,
                                        const char *advertise, GError **error)
{
  g_return_val_if_fail (container != NULL && host != NULL, FALSE);
  g_return_val_if_fail ((transports & (SIPSERVLET_TRANSPORT_ALL | SIPSERVLET_TRANSPORT_TLS)) != 0,
                        FALSE);

  gboolean tls = (transports & SIPSERVLET_TRANSPORT_TLS) != 0;
  if (tls && (transports & SIPSERVLET_TRANSPORT_ALL) != 0)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "TLS needs a listening point of its own: it cannot share %s port %u "
                   "with UDP or TCP", host, port);
      return FALSE;
    }
  g_autofree char *bare = sipsv_unbracket (host);
  g_autofree char *public = advertise != NULL ? sipsv_unbracket (advertise) : NULL;
  if (public != NULL && !sipsv_valid_host (public))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "cannot advertise \"%s\": not a host name or an IP address", advertise);
      return FALSE;
    }
  guint16 bound = sipsv_stack_listen (&container->runtime.stack, bare, port,
                                      (transports & SIPSERVLET_TRANSPORT_UDP) != 0,
                                      (transports & SIPSERVLET_TRANSPORT_TCP) != 0, tls,
                                      public, error);
  return bound != 0;
}

gboolean
sipservlet_container_set_tls_files (SipContainer *container, const char *cert_file,
                                    const char *key_file, const char *ca_file, GError **error)
{
  g_return_val_if_fail (container != NULL && cert_file != NULL, FALSE);
  return sipsv_stack_set_tls_files (&container->runtime.stack, cert_file, key_file, ca_file,
                                    error);
}

gboolean
sipservlet_container_reload_tls_files (SipContainer *container, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  return sipsv_stack_reload_tls (&container->runtime.stack, error)
         && sipsv_container_http_reload_tls (container, error);
}

void
sipservlet_container_set_message_trace (SipContainer *container, gboolean on)
{
  g_return_if_fail (container != NULL);
  sipsv_stack_set_trace (&container->runtime.stack, on);
}

gboolean
sipservlet_container_listen (SipContainer *container, const char *host, guint16 port,
                             SipTransportFlags transports, GError **error)
{
  return sipservlet_container_listen_advertised (container, host, port, transports, NULL,
                                                 error);
}

gboolean
sipservlet_container_add_alias (SipContainer *container, const char *alias, GError **error)
{
  g_return_val_if_fail (container != NULL && alias != NULL, FALSE);
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (!sipsv_split_host_port (alias, &host, &port, 0) || !sipsv_valid_host (host))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "alias \"%s\" is not HOST, HOST:PORT, IPV6 or [IPV6]:PORT", alias);
      return FALSE;
    }
  sipsv_stack_add_alias (&container->runtime.stack, host, port);
  return TRUE;
}

gboolean
sipservlet_container_is_self (SipContainer *container, const SipURI *uri)
{
  g_return_val_if_fail (container != NULL && uri != NULL, FALSE);
  if (!sipservlet_uri_is_sip (uri))
    return FALSE;
  gint port = sipservlet_uri_get_port (uri);
  if (port < 0)
    port = sipservlet_uri_is_secure (uri) ? 5061 : 5060;
  return sipsv_stack_host_is_self (&container->runtime.stack, sipservlet_uri_get_host (uri),
                                   (guint16) port);
}

guint16
sipservlet_container_get_port (SipContainer *container, const char *host)
{
  g_return_val_if_fail (container != NULL, 0);
  gsize n = host != NULL ? strlen (host) : 0;
  gboolean bracketed = n > 2 && host[0] == '[' && host[n - 1] == ']';
  for (guint i = 0; i < container->runtime.stack.listen_points->len; i++)
    {
      SipsvListenPoint *lp
          = &g_array_index (container->runtime.stack.listen_points, SipsvListenPoint, i);
      if (host == NULL || strcmp (lp->host, host) == 0
          || (bracketed && strlen (lp->host) == n - 2 && strncmp (lp->host, host + 1, n - 2) == 0))
        return lp->port;
    }
  return 0;
}

void
sipservlet_container_add_supported (SipContainer *container, const char *option_tag)
{
  g_return_if_fail (container != NULL && option_tag != NULL && option_tag[0] != '\0');
  for (guint i = 0; i < container->runtime.option_tags->len; i++)
    if (g_ascii_strcasecmp (container->runtime.option_tags->pdata[i], option_tag) == 0)
      return;
  g_ptr_array_add (container->runtime.option_tags, g_strdup (option_tag));
}

char **
sipservlet_container_get_listen_addresses (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  GPtrArray *result = g_ptr_array_new ();
  for (guint i = 0; i < container->runtime.stack.listen_points->len; i++)
    {
      SipsvListenPoint *lp
          = &g_array_index (container->runtime.stack.listen_points, SipsvListenPoint, i);
      gboolean v6 = strchr (lp->host, ':') != NULL;
      g_ptr_array_add (result, g_strdup_printf ("%s%s%s%s:%u", lp->tls ? "tls:" : "",
                                                v6 ? "[" : "", lp->host, v6 ? "]" : "",
                                                lp->port));
    }
  g_ptr_array_add (result, NULL);
  return (char **) g_ptr_array_free (result, FALSE);
}

gboolean
sipservlet_container_add_servlet (SipContainer *container, SipServlet *servlet,
                                  const char *method, GError **error)
{
  g_return_val_if_fail (container != NULL && servlet != NULL, FALSE);

  if (servlet->container != NULL && servlet->container != container)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "servlet '%s' belongs to another container", servlet->name);
      return FALSE;
    }
  g_autofree char *key = method != NULL ? g_ascii_strup (method, -1) : NULL;
  if (key == NULL ? container->runtime.default_servlet != NULL
                  : g_hash_table_contains (container->servlets_by_method, key))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "a servlet is already registered for %s", method ? method : "the default");
      return FALSE;
    }
  gboolean first = !servlet->initialized;
  if (!sipsv_servlet_bind (servlet, container, &container->runtime.factory, error))
    return FALSE;
  if (first)
    g_ptr_array_add (container->servlets, sipservlet_servlet_ref (servlet));
  if (method == NULL)
    container->runtime.default_servlet = sipservlet_servlet_ref (servlet);
  else
    g_hash_table_insert (container->servlets_by_method, g_steal_pointer (&key),
                         sipservlet_servlet_ref (servlet));
  return TRUE;
}

SipServlet *
sipsv_container_select_servlet (SipContainer *container, const char *method)
{
  SipServlet *servlet = g_hash_table_size (container->servlets_by_method) > 0
    ? g_hash_table_lookup (container->servlets_by_method, method) : NULL;
  return servlet != NULL ? servlet : container->runtime.default_servlet;
}

gboolean
sipservlet_container_add_listeners (SipContainer *container,
                                    const SipServletListeners *listeners,
                                    gpointer user_data, GDestroyNotify destroy)
{
  g_return_val_if_fail (container != NULL && listeners != NULL, FALSE);
  return sipsv_session_manager_add_listeners (&container->runtime.sessions, listeners,
                                              user_data, destroy);
}

SipFactory *
sipservlet_container_get_factory (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  return &container->runtime.factory;
}

void
sipservlet_container_set_application_session_timeout (SipContainer *container, guint minutes)
{
  g_return_if_fail (container != NULL);
  container->runtime.sessions.app_session_timeout_min = minutes;
}

gboolean
sipservlet_container_set_session_timers (SipContainer *container, guint session_expires,
                                         guint min_se, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  if (!sipsv_ua_timer_configure (&container->runtime, session_expires, min_se, error))
    return FALSE;
  if (session_expires > 0)
    sipservlet_container_add_supported (container, "timer");
  return TRUE;
}

gboolean
sipservlet_container_set_timer_j (SipContainer *container, guint msec, GError **error)
{
  g_return_val_if_fail (container != NULL, FALSE);
  return sipsv_stack_set_timer_j (&container->runtime.stack, msec, error);
}

guint
sipservlet_container_get_session_count (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, 0);
  return container->runtime.sessions.n_sessions;
}

guint
sipservlet_container_get_application_session_count (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, 0);
  return g_hash_table_size (container->runtime.sessions.app_sessions);
}

void
sipservlet_container_invoke (SipContainer *container, GSourceFunc func, gpointer data,
                             GDestroyNotify destroy)
{
  g_return_if_fail (container != NULL && func != NULL);
  g_main_context_invoke_full (container->context, G_PRIORITY_DEFAULT, func, data, destroy);
}

/* ---- shutdown ---------------------------------------------------------------- */

/* Polls until the stack has no live transaction left or the grace period
 * ends, then completes the shutdown. */
#define SHUTDOWN_POLL_MS 50

/* Live work: a transaction without its final response, or a 2xx still
 * waiting for its ACK, ours or one we relayed on a record-routed dialog
 * (for 64*T1 at most, as long as its sender retransmits it). Transactions
 * that only linger in the stack to absorb retransmissions (timers J, K) do
 * not hold the shutdown. */
static gboolean
transactions_pending (SipContainer *container)
{
  GHashTableIter iter;
  gpointer key;
  gint64 ack_window_start = g_get_monotonic_time () - (gint64) SIPSV_ACK_WAIT_MS * 1000;

  g_hash_table_iter_init (&iter, container->runtime.sessions.app_sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SipApplicationSession *app = key;
      for (guint i = 0; i < app->sessions->len; i++)
        {
          SipSession *session = app->sessions->pdata[i];
          if (session->active_transactions > 0 || session->unacked_2xx != NULL
              || (session->ack_awaited_since != 0 && session->ack_awaited_since > ack_window_start))
            return TRUE;
        }
    }
  return FALSE;
}

typedef struct {
  SipContainer *container;
  gint64 deadline;
} ShutdownState;

static gboolean
on_shutdown_poll (gpointer data)
{
  ShutdownState *state = data;
  SipContainer *container = state->container;

  if (transactions_pending (container))
    {
      if (g_get_monotonic_time () < state->deadline)
        return G_SOURCE_CONTINUE;
      g_message ("shutdown: the deadline (%u ms) passed with transactions in progress: "
                 "callers still waiting get 503, branches still ringing are cancelled",
                 container->shutdown_deadline_ms);
    }

  sipsv_session_manager_invalidate_all (&container->runtime.sessions);
  sipsv_runtime_flush_work (&container->runtime);
  /* Past the deadline, what still waits for the network lets go now. */
  sipsv_runtime_abandon_all (&container->runtime);
  sipsv_runtime_flush_work (&container->runtime);
  destroy_servlets (container);
  g_clear_pointer (&container->shutdown_source, g_source_unref);
  if (container->shutdown_cb != NULL)
    container->shutdown_cb (container, container->shutdown_data);
  return G_SOURCE_REMOVE;
}

void
sipservlet_container_set_shutdown_deadline (SipContainer *container, guint ms)
{
  g_return_if_fail (container != NULL);
  container->shutdown_deadline_ms = ms;
}

void
sipservlet_container_shutdown (SipContainer *container, SipContainerShutdownFunc callback,
                               gpointer user_data)
{
  g_return_if_fail (container != NULL);
  if (container->runtime.shutting_down)
    return;
  container->runtime.shutting_down = TRUE;
  container->shutdown_cb = callback;
  container->shutdown_data = user_data;

  ShutdownState *state = g_new0 (ShutdownState, 1);
  state->container = container;
  state->deadline = g_get_monotonic_time () + (gint64) container->shutdown_deadline_ms * 1000;
  container->shutdown_source = g_timeout_source_new (SHUTDOWN_POLL_MS);
  g_source_set_callback (container->shutdown_source, on_shutdown_poll, state, g_free);
  g_source_attach (container->shutdown_source, container->context);
}
