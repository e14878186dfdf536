/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the addresses a stack answers to: its listening points,
 * whether a URI names one of them, and the Contact it gives out.
 *
 * Here rather than in the container because the roles above need them
 * (a proxy pops the Route that names us, a UAS answers with our Contact)
 * and may not depend on the container.
 */
#include "config-private.h"

#include <stdlib.h>
#include <string.h>

#include "stack/stack-private.h"

void
sipsv_stack_add_listen_point (SipsvStack *stack, const char *host, guint16 port,
                              gboolean udp, gboolean tcp)
{
  SipsvListenPoint lp = { g_strdup (host), port, udp != FALSE, tcp != FALSE };
  g_array_append_val (stack->listen_points, lp);
}

void
sipsv_stack_clear_listen_points (SipsvStack *stack)
{
  if (stack->listen_points == NULL)
    return;
  for (guint i = 0; i < stack->listen_points->len; i++)
    g_free (g_array_index (stack->listen_points, SipsvListenPoint, i).host);
  g_clear_pointer (&stack->listen_points, g_array_unref);
}

static gboolean
host_equal (const char *url_host, const char *ours)
{
  gsize n = strlen (url_host);
  /* url hosts keep IPv6 brackets; listening points do not. */
  if (n > 2 && url_host[0] == '[' && url_host[n - 1] == ']')
    return strlen (ours) == n - 2 && g_ascii_strncasecmp (url_host + 1, ours, n - 2) == 0;
  return g_ascii_strcasecmp (url_host, ours) == 0;
}

gboolean
sipsv_stack_url_is_self (SipsvStack *stack, const url_t *url)
{
  if (url == NULL || url->url_host == NULL
      || (url->url_type != url_sip && url->url_type != url_sips))
    return FALSE;
  guint port = url->url_port && *url->url_port ? (guint) strtoul (url->url_port, NULL, 10)
                                               : (url->url_type == url_sips ? 5061 : 5060);
  for (guint i = 0; i < stack->listen_points->len; i++)
    {
      SipsvListenPoint *lp = &g_array_index (stack->listen_points, SipsvListenPoint, i);
      if (lp->port == port && host_equal (url->url_host, lp->host))
        return TRUE;
    }
  return FALSE;
}

/* Formats <sip:host:port[;transport=tcp]>, bracketing IPv6 hosts. */
static char *
format_contact (const char *host, const char *port, gboolean tcp)
{
  gboolean v6 = strchr (host, ':') != NULL && host[0] != '[';
  return g_strconcat ("<sip:", v6 ? "[" : "", host, v6 ? "]" : "", ":", port,
                      tcp ? ";transport=tcp>" : ">", NULL);
}

char *
sipsv_stack_contact (SipsvStack *stack)
{
  const SipsvListenPoint *lp;
  const char *host;
  char port[8];

  if (stack->listen_points->len == 0)
    return g_strdup ("<sip:invalid.invalid>");
  lp = &g_array_index (stack->listen_points, SipsvListenPoint, 0);
  host = lp->host;
  if (strcmp (host, "0.0.0.0") == 0 || strcmp (host, "::") == 0)
    {
      sip_contact_t const *m = nta_agent_contact (stack->agent);
      if (m != NULL && m->m_url->url_host != NULL)
        host = m->m_url->url_host;
    }
  g_snprintf (port, sizeof port, "%u", lp->port);
  return format_contact (host, port, lp->tcp && !lp->udp);
}

char *
sipsv_stack_contact_for (SipsvStack *stack, nta_incoming_t *irq)
{
  /* Answer with the listening point the request came in on, so an IPv4
   * peer never gets an IPv6 Contact and a TCP dialog stays on TCP. */
  tport_t *tp = nta_incoming_transport (stack->agent, irq, NULL);
  tport_t *primary = tp != NULL ? tport_parent (tp) : NULL;
  tp_name_t const *name = primary != NULL ? tport_name (primary) : NULL;
  char *contact = NULL;

  if (name != NULL && name->tpn_host != NULL && name->tpn_port != NULL
      && strcmp (name->tpn_host, "0.0.0.0") != 0 && strcmp (name->tpn_host, "::") != 0
      && strcmp (name->tpn_host, "*") != 0)
    contact = format_contact (name->tpn_host, name->tpn_port,
                              g_ascii_strcasecmp (name->tpn_proto, "tcp") == 0);
  if (tp != NULL)
    tport_unref (tp);
  return contact != NULL ? contact : sipsv_stack_contact (stack);
}
