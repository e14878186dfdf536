/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - choosing the best final response (RFC 3261 §16.7 step 6).
 *
 * A pure function so the rule table can be unit tested:
 *   - any 6xx wins (the first one received);
 *   - otherwise the lowest class among 3xx, 4xx, 5xx;
 *   - within 4xx, 401, 407, 415, 420 and 484 are preferred (they tell the
 *     caller how to retry), and among those the first received;
 *   - within 5xx, anything but 503 is preferred (a 503 says the proxy is
 *     overloaded, not the callee);
 *   - otherwise the first received of that class.
 * 503 is sent upstream as 500.
 */
#include "config-private.h"

#include "proxy/proxy-private.h"

static gboolean
preferred_4xx (guint status)
{
  return status == 401 || status == 407 || status == 415 || status == 420 || status == 484;
}

/* Lower rank is better. */
static guint
rank (guint status)
{
  guint cls = status / 100;
  if (cls == 6)
    return 0;
  guint base = (cls - 2) * 10;           /* 3xx: 10, 4xx: 20, 5xx: 30 */
  if (cls == 4 && !preferred_4xx (status))
    base += 1;
  if (status == 503)
    base += 1;
  return base;
}

gint
sipsv_best_response (const guint *statuses, gsize n)
{
  gint best = -1;

  for (gsize i = 0; i < n; i++)
    if (statuses[i] >= 300 && statuses[i] <= 699
        && (best < 0 || rank (statuses[i]) < rank (statuses[best])))
      best = (gint) i;
  return best;
}

guint
sipsv_best_response_upstream_status (guint status)
{
  return status == 503 ? 500 : status;
}
