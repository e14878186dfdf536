/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - RFC 4028 §8 at the proxy: with session timers on, an
 * initial INVITE leaves with at least our interval and Min-SE (a proxy may
 * raise them, never lower them; one asking less than our Min-SE was
 * already answered 422 by the dispatcher), and a 2xx from a callee that
 * does not do timers gets them on the caller's behalf when the caller
 * does, so that someone refreshes the interval we asked for.
 */
#include "config-private.h"

#include "proxy/proxy-private.h"

static gboolean
proxying_initial_invite (SipProxy *proxy)
{
  return !proxy->subsequent && sipsv_runtime (proxy->container)->session_expires > 0
         && proxy->request->base.sip->sip_request->rq_method == sip_method_invite;
}

void
sipsv_proxy_session_timer_request (SipProxy *proxy, msg_t *msg, sip_t *sip)
{
  if (!proxying_initial_invite (proxy))
    return;
  SipsvRuntime *runtime = sipsv_runtime (proxy->container);
  su_home_t *home = msg_home (msg);
  char value[16];

  if (sip->sip_min_se == NULL || sip->sip_min_se->min_delta < runtime->min_se)
    {
      g_snprintf (value, sizeof value, "%u", runtime->min_se);
      msg_header_replace (msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_min_se,
                          (msg_header_t *) sip_min_se_make (home, value));
    }
  if (sip->sip_session_expires == NULL)
    {
      guint interval = MAX (runtime->session_expires, (guint) MIN (sip->sip_min_se->min_delta,
                                                                     3600u * 24));
      g_snprintf (value, sizeof value, "%u", interval);
      sip_add_make (msg, sip, sip_session_expires_class, value);
    }
}

void
sipsv_proxy_session_timer_response (SipProxy *proxy, msg_t *msg, sip_t *sip, guint status)
{
  sip_t const *invite = proxy->request->base.sip;
  if (!proxying_initial_invite (proxy) || status < 200 || status >= 300
      || sip->sip_session_expires != NULL
      || !(sipsv_lists_option ((msg_list_t const *) invite->sip_supported, "timer")
           || sipsv_lists_option ((msg_list_t const *) invite->sip_require, "timer")))
    return;
  SipsvRuntime *runtime = sipsv_runtime (proxy->container);
  guint interval = runtime->session_expires;
  if (invite->sip_session_expires != NULL)
    interval = (guint) MIN (invite->sip_session_expires->x_delta, 3600u * 24);
  char *value = g_strdup_printf ("%u;refresher=uac", MAX (interval, runtime->min_se));
  sip_add_make (msg, sip, sip_session_expires_class, value);
  sip_add_make (msg, sip, sip_require_class, "timer");
  g_free (value);
}
