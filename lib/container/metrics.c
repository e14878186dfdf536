/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the container's metrics (sipservlet-metrics.h): the
 * counters the layers keep (lib/stack/metrics.c), NTA's own figures and
 * the gauges read now, as samples and as Prometheus text.
 *
 * One walk (foreach_sample) produces every sample in order; the text
 * format, the C API and lookups by name are views of it, so the three can
 * never disagree. The list of families is API (doc/operations.md).
 */
#include "config-private.h"

#include "container-private.h"

typedef struct {
  const char *name;     /* the family's name */
  SipMetricType type;
  const char *help;
} Family;

/* One sample: its family, its name's suffix (histograms), its labels. */
typedef void (*SampleFunc) (const Family *family, const char *suffix, const char *labels,
                            double value, gpointer data);

/* A location service whose registrations are counted, and its clock. */
typedef struct {
  SipLocationService *service;
  SipLocationClock clock;
} CountedService;

static const char *const class_labels[6] = {
  "class=\"1xx\"", "class=\"2xx\"", "class=\"3xx\"",
  "class=\"4xx\"", "class=\"5xx\"", "class=\"6xx\"",
};

static const Family requests_received = {
  "sipservlet_sip_requests_received_total", SIPSERVLET_METRIC_COUNTER,
  "SIP requests received from the network, by method (other: any method not listed)"
};
static const Family responses_sent = {
  "sipservlet_sip_responses_sent_total", SIPSERVLET_METRIC_COUNTER,
  "SIP responses sent to the network, by status class"
};
static const Family responses_received = {
  "sipservlet_sip_responses_received_total", SIPSERVLET_METRIC_COUNTER,
  "SIP responses received from the network, by status class"
};
static const Family transactions = {
  "sipservlet_sip_transactions", SIPSERVLET_METRIC_GAUGE,
  "SIP transactions in flight, by side (server, client)"
};
static const Family retransmissions_received = {
  "sipservlet_sip_retransmissions_received_total", SIPSERVLET_METRIC_COUNTER,
  "SIP request retransmissions received and absorbed by the transaction layer"
};
static const Family retransmissions_sent = {
  "sipservlet_sip_retransmissions_sent_total", SIPSERVLET_METRIC_COUNTER,
  "SIP requests and responses the transaction layer retransmitted"
};
static const Family parse_errors = {
  "sipservlet_sip_parse_errors_total", SIPSERVLET_METRIC_COUNTER,
  "SIP messages received that could not be parsed or lacked mandatory headers"
};
static const Family app_sessions = {
  "sipservlet_application_sessions", SIPSERVLET_METRIC_GAUGE,
  "Application sessions alive"
};
static const Family sip_sessions = {
  "sipservlet_sip_sessions", SIPSERVLET_METRIC_GAUGE,
  "SIP sessions alive"
};
static const Family aors = {
  "sipservlet_registrations_aors", SIPSERVLET_METRIC_GAUGE,
  "Addresses-of-record held by the location services added to the container"
};
static const Family bindings = {
  "sipservlet_registrations_bindings", SIPSERVLET_METRIC_GAUGE,
  "Live contact bindings of those addresses-of-record"
};
static const Family proxy_branches = {
  "sipservlet_proxy_branches_total", SIPSERVLET_METRIC_COUNTER,
  "Client transactions started by proxies (one per branch)"
};
static const Family auth_failures = {
  "sipservlet_auth_failures_total", SIPSERVLET_METRIC_COUNTER,
  "Requests whose digest credentials failed (wrong, stale, replayed, malformed, another identity)"
};
static const Family shed = {
  "sipservlet_overload_rejected_total", SIPSERVLET_METRIC_COUNTER,
  "Requests refused or dropped by the rate limit or the transaction guard"
};
static const Family setup = {
  "sipservlet_call_setup_seconds", SIPSERVLET_METRIC_HISTOGRAM,
  "Time from an initial INVITE received to its first 2xx sent upstream, by role"
};

static void
foreach_sample (SipContainer *container, SampleFunc func, gpointer data)
{
  SipsvMetrics *metrics = &container->runtime.stack.metrics;
  SipsvStackStats stats;
  char labels[64];

  for (guint i = 0; i < SIPSV_METRIC_METHODS; i++)
    {
      g_snprintf (labels, sizeof labels, "method=\"%s\"", sipsv_metrics_method_name (i));
      func (&requests_received, NULL, labels, metrics->requests_received[i], data);
    }
  for (guint i = 0; i < 6; i++)
    func (&responses_sent, NULL, class_labels[i], metrics->responses_sent[i], data);
  for (guint i = 0; i < 6; i++)
    func (&responses_received, NULL, class_labels[i], metrics->responses_received[i], data);

  sipsv_stack_get_stats (&container->runtime.stack, &stats);
  func (&transactions, NULL, "side=\"server\"", stats.server_transactions, data);
  func (&transactions, NULL, "side=\"client\"", stats.client_transactions, data);
  func (&retransmissions_received, NULL, NULL, stats.retransmissions_received, data);
  func (&retransmissions_sent, NULL, NULL, stats.retransmissions_sent, data);
  func (&parse_errors, NULL, NULL, stats.parse_errors, data);

  func (&app_sessions, NULL, NULL,
        g_hash_table_size (container->runtime.sessions.app_sessions), data);
  func (&sip_sessions, NULL, NULL, container->runtime.sessions.n_sessions, data);

  guint n_aors = 0, n_bindings = 0;
  for (guint i = 0; container->location_services != NULL
                    && i < container->location_services->len; i++)
    {
      const CountedService *counted = g_ptr_array_index (container->location_services, i);
      gint64 now = (counted->clock == SIPSERVLET_LOCATION_CLOCK_REAL ? g_get_real_time ()
                                                                     : g_get_monotonic_time ())
                   / G_USEC_PER_SEC;
      guint count = 0;
      n_aors += sipservlet_location_service_count_aors (counted->service);
      if (sipservlet_location_service_count_bindings (counted->service, now, &count))
        n_bindings += count;
    }
  func (&aors, NULL, NULL, n_aors, data);
  func (&bindings, NULL, NULL, n_bindings, data);

  func (&proxy_branches, NULL, NULL, metrics->proxy_branches, data);
  func (&auth_failures, NULL, NULL, metrics->auth_failures, data);
  func (&shed, NULL, NULL, metrics->shed, data);

  static const char *const roles[SIPSV_SETUP_KINDS] = { "proxy", "b2bua" };
  for (guint kind = 0; kind < SIPSV_SETUP_KINDS; kind++)
    {
      const SipsvSetupHistogram *histogram = &metrics->setup[kind];
      for (guint i = 0; i < SIPSV_METRIC_SETUP_BUCKETS; i++)
        {
          g_snprintf (labels, sizeof labels, "role=\"%s\",le=\"%g\"", roles[kind],
                      sipsv_metrics_setup_bounds[i]);
          func (&setup, "_bucket", labels, histogram->buckets[i], data);
        }
      g_snprintf (labels, sizeof labels, "role=\"%s\",le=\"+Inf\"", roles[kind]);
      func (&setup, "_bucket", labels, histogram->count, data);
      g_snprintf (labels, sizeof labels, "role=\"%s\"", roles[kind]);
      func (&setup, "_sum", labels, histogram->sum, data);
      func (&setup, "_count", labels, histogram->count, data);
    }
}

typedef struct {
  SipMetricFunc func;
  gpointer user_data;
} ForeachData;

static void
call_public (const Family *family, const char *suffix, const char *labels, double value,
             gpointer data)
{
  ForeachData *foreach = data;
  g_autofree char *name = suffix != NULL ? g_strconcat (family->name, suffix, NULL) : NULL;
  foreach->func (name != NULL ? name : family->name, labels, family->type, value,
                 foreach->user_data);
}

void
sipservlet_container_foreach_metric (SipContainer *container, SipMetricFunc func,
                                     gpointer user_data)
{
  g_return_if_fail (container != NULL);
  g_return_if_fail (func != NULL);
  ForeachData data = { func, user_data };
  foreach_sample (container, call_public, &data);
}

typedef struct {
  const char *name;
  const char *labels;
  double value;
  gboolean found;
} Lookup;

static void
match_sample (const char *name, const char *labels, SipMetricType type, double value,
              gpointer data)
{
  Lookup *lookup = data;
  (void) type;
  if (!lookup->found && strcmp (name, lookup->name) == 0
      && g_strcmp0 (labels, lookup->labels) == 0)
    {
      lookup->value = value;
      lookup->found = TRUE;
    }
}

gboolean
sipservlet_container_get_metric (SipContainer *container, const char *name, const char *labels,
                                 double *value)
{
  g_return_val_if_fail (container != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  Lookup lookup = { name, labels, 0, FALSE };
  sipservlet_container_foreach_metric (container, match_sample, &lookup);
  if (lookup.found)
    *value = lookup.value;
  return lookup.found;
}

typedef struct {
  GString *text;
  const Family *last;
} Format;

static void
format_sample (const Family *family, const char *suffix, const char *labels, double value,
               gpointer data)
{
  Format *format = data;
  static const char *const types[] = { "counter", "gauge", "histogram" };

  if (format->last != family)
    {
      g_string_append_printf (format->text, "# HELP %s %s\n# TYPE %s %s\n", family->name,
                              family->help, family->name, types[family->type]);
      format->last = family;
    }
  g_string_append (format->text, family->name);
  if (suffix != NULL)
    g_string_append (format->text, suffix);
  if (labels != NULL)
    g_string_append_printf (format->text, "{%s}", labels);
  /* Integers as integers; the histogram's sum with full precision. */
  if (value >= 0 && value < 1e15 && value == (double) (gint64) value)
    g_string_append_printf (format->text, " %.0f\n", value);
  else
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (format->text, " %s\n",
                              g_ascii_dtostr (buffer, sizeof buffer, value));
    }
}

char *
sipservlet_container_format_metrics (SipContainer *container)
{
  g_return_val_if_fail (container != NULL, NULL);
  Format format = { g_string_new (NULL), NULL };
  foreach_sample (container, format_sample, &format);
  return g_string_free (format.text, FALSE);
}

static void
counted_service_free (gpointer data)
{
  CountedService *counted = data;
  sipservlet_location_service_unref (counted->service);
  g_free (counted);
}

void
sipservlet_container_add_location_service (SipContainer *container,
                                           SipLocationService *service, SipLocationClock clock)
{
  g_return_if_fail (container != NULL);
  g_return_if_fail (service != NULL);
  g_return_if_fail (clock == SIPSERVLET_LOCATION_CLOCK_MONOTONIC
                    || clock == SIPSERVLET_LOCATION_CLOCK_REAL);
  if (container->location_services == NULL)
    container->location_services = g_ptr_array_new_with_free_func (counted_service_free);
  for (guint i = 0; i < container->location_services->len; i++)
    {
      CountedService *counted = g_ptr_array_index (container->location_services, i);
      if (counted->service == service)
        {
          counted->clock = clock;
          return;
        }
    }
  CountedService *counted = g_new0 (CountedService, 1);
  counted->service = sipservlet_location_service_ref (service);
  counted->clock = clock;
  g_ptr_array_add (container->location_services, counted);
}
