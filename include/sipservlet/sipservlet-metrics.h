/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's counters: what /metrics serves in the
 * Prometheus text format, and the same figures for hosts without HTTP.
 *
 * Every metric name and label is API: doc/operations.md lists them with
 * their meaning. Counters only grow for the life of the container; gauges
 * are read when asked.
 *
 * Threading: call from the container thread.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#include <glib.h>
#include <sipservlet/sipservlet-visibility.h>
#include <sipservlet/sipservlet-types.h>
#include <sipservlet/sipservlet-location.h>

G_BEGIN_DECLS

/**
 * SipMetricType:
 * @SIPSERVLET_METRIC_COUNTER: a count that only grows
 * @SIPSERVLET_METRIC_GAUGE: a value that goes up and down
 * @SIPSERVLET_METRIC_HISTOGRAM: one sample of a histogram: a cumulative
 *   `_bucket` (label `le`), its `_sum` or its `_count`
 *
 * The kind of a metric, as Prometheus names it.
 */
typedef enum {
  SIPSERVLET_METRIC_COUNTER,
  SIPSERVLET_METRIC_GAUGE,
  SIPSERVLET_METRIC_HISTOGRAM,
} SipMetricType;

/**
 * SipMetricFunc:
 * @name: the sample's name, such as `sipservlet_sip_requests_received_total`
 *   or `sipservlet_call_setup_seconds_bucket`
 * @labels: (nullable): its labels in the text format's syntax without the
 *   braces (`method="INVITE"`), or %NULL
 * @type: the kind of its metric
 * @value: its value
 * @user_data: the data given with the function
 *
 * Receives one sample of sipservlet_container_foreach_metric().
 */
typedef void (*SipMetricFunc) (const char *name, const char *labels, SipMetricType type,
                               double value, gpointer user_data);

/**
 * sipservlet_container_foreach_metric:
 * @container: a #SipContainer
 * @func: (scope call): called for every sample
 * @user_data: data for @func
 *
 * Calls @func for every sample of the container's metrics, in the order
 * /metrics shows them: every counter and gauge of doc/operations.md, every
 * label value of each (methods and status classes included, zero or not),
 * and the call set-up histograms.
 */
SIPSERVLET_API void sipservlet_container_foreach_metric (SipContainer *container,
                                                         SipMetricFunc func,
                                                         gpointer user_data);

/**
 * sipservlet_container_get_metric:
 * @container: a #SipContainer
 * @name: a sample's name
 * @labels: (nullable): its labels exactly as sipservlet_container_foreach_metric()
 *   gives them, or %NULL for a sample without labels
 * @value: (out): where its value goes
 *
 * Reads one sample.
 *
 * Returns: %TRUE when the sample exists (then @value is set).
 */
SIPSERVLET_API gboolean sipservlet_container_get_metric (SipContainer *container,
                                                         const char *name,
                                                         const char *labels,
                                                         double *value);

/**
 * sipservlet_container_format_metrics:
 * @container: a #SipContainer
 *
 * The container's metrics in the Prometheus text exposition format
 * (version 0.0.4), with HELP and TYPE lines: what `GET /metrics` serves.
 *
 * Returns: (transfer full): the text; free with g_free().
 */
SIPSERVLET_API char *sipservlet_container_format_metrics (SipContainer *container);

/**
 * sipservlet_container_add_location_service:
 * @container: a #SipContainer
 * @service: a location service of an application deployed on it
 * @clock: the clock of the @now its user passes to @service
 *
 * Makes the registrations of @service part of the container's metrics
 * (`sipservlet_registrations_aors`, `sipservlet_registrations_bindings`,
 * summed over every service added); a binding is live when it expires
 * after the current time on @clock. The container keeps a reference until
 * it ends; adding one again only sets its clock.
 */
SIPSERVLET_API void sipservlet_container_add_location_service (SipContainer *container,
                                                               SipLocationService *service,
                                                               SipLocationClock clock);

G_END_DECLS
