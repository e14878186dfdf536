/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the counters behind /metrics and
 * sipservlet_container_foreach_metric().
 *
 * They live in the stack, the lowest layer, so that every layer can count
 * what it does without seeing the container. Plain integers: the container
 * runs in one thread, and a scrape reads them from that thread too. What
 * NTA counts itself (transactions, retransmissions, unparseable messages)
 * is read from it at scrape time instead of being counted twice.
 */
#include "config-private.h"

#include "stack-private.h"

/* Labels stay bounded: a method outside this list counts as "other". */
static const char *const method_names[SIPSV_METRIC_METHODS] = {
  "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
  "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", "other",
};

/* Upper bounds of the call set-up histogram, in seconds: a set-up spans
 * ringing, so the buckets reach minutes. */
const double sipsv_metrics_setup_bounds[SIPSV_METRIC_SETUP_BUCKETS] = {
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
};

const char *
sipsv_metrics_method_name (guint index)
{
  g_return_val_if_fail (index < SIPSV_METRIC_METHODS, NULL);
  return method_names[index];
}

static guint
method_index (sip_method_t method)
{
  switch (method)
    {
    case sip_method_invite: return 0;
    case sip_method_ack: return 1;
    case sip_method_bye: return 2;
    case sip_method_cancel: return 3;
    case sip_method_options: return 4;
    case sip_method_register: return 5;
    case sip_method_prack: return 6;
    case sip_method_subscribe: return 7;
    case sip_method_notify: return 8;
    case sip_method_publish: return 9;
    case sip_method_info: return 10;
    case sip_method_refer: return 11;
    case sip_method_message: return 12;
    case sip_method_update: return 13;
    default: return SIPSV_METRIC_METHODS - 1;
    }
}

void
sipsv_metrics_request_received (SipsvMetrics *metrics, sip_t const *sip)
{
  if (sip != NULL && sip->sip_request != NULL)
    metrics->requests_received[method_index (sip->sip_request->rq_method)]++;
}

static void
count_class (guint64 *by_class, int status)
{
  if (status >= 100 && status < 700)
    by_class[status / 100 - 1]++;
}

void
sipsv_metrics_response_sent (SipsvMetrics *metrics, int status)
{
  count_class (metrics->responses_sent, status);
}

void
sipsv_metrics_response_received (SipsvMetrics *metrics, int status)
{
  count_class (metrics->responses_received, status);
}

void
sipsv_metrics_observe_setup (SipsvMetrics *metrics, SipsvSetupKind kind, gint64 start_us)
{
  SipsvSetupHistogram *histogram;
  double seconds;

  if (start_us <= 0)
    return;
  g_return_if_fail (kind < SIPSV_SETUP_KINDS);
  histogram = &metrics->setup[kind];
  seconds = (double) (g_get_monotonic_time () - start_us) / G_USEC_PER_SEC;
  if (seconds < 0)
    seconds = 0;
  for (guint i = 0; i < SIPSV_METRIC_SETUP_BUCKETS; i++)
    if (seconds <= sipsv_metrics_setup_bounds[i])
      histogram->buckets[i]++;
  histogram->count++;
  histogram->sum += seconds;
}

void
sipsv_stack_get_stats (SipsvStack *stack, SipsvStackStats *stats)
{
  usize_t irqs = 0, orqs = 0, recv_retry = 0, retry_request = 0, retry_response = 0;
  usize_t bad_message = 0, bad_request = 0, bad_response = 0;

  memset (stats, 0, sizeof *stats);
  if (stack->agent == NULL)
    return;
  nta_agent_get_stats (stack->agent, NTATAG_S_IRQ_HASH_USED_REF (irqs),
                       NTATAG_S_ORQ_HASH_USED_REF (orqs), NTATAG_S_RECV_RETRY_REF (recv_retry),
                       NTATAG_S_RETRY_REQUEST_REF (retry_request),
                       NTATAG_S_RETRY_RESPONSE_REF (retry_response),
                       NTATAG_S_BAD_MESSAGE_REF (bad_message),
                       NTATAG_S_BAD_REQUEST_REF (bad_request),
                       NTATAG_S_BAD_RESPONSE_REF (bad_response), TAG_END ());
  stats->server_transactions = irqs;
  stats->client_transactions = orqs;
  stats->retransmissions_received = recv_retry;
  stats->retransmissions_sent = retry_request + retry_response;
  stats->parse_errors = bad_message + bad_request + bad_response;
}
