/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the runtime the roles share: its work queue and the
 * extensions it supports. The container sets up the rest of it. */
#include "config-private.h"

#include "runtime/runtime-private.h"

typedef struct {
  SipsvWorkFunc func;
  gpointer data;
} SipsvWork;

void
sipsv_runtime_init (SipsvRuntime *runtime, GMainContext *context)
{
  runtime->context = context;
  runtime->option_tags = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (runtime->option_tags, g_strdup ("100rel"));   /* RFC 3262, lib/ua/ */
  runtime->work_queue = g_array_new (FALSE, FALSE, sizeof (SipsvWork));
  g_queue_init (&runtime->kept);
}

void
sipsv_runtime_clear (SipsvRuntime *runtime)
{
  g_clear_pointer (&runtime->work_queue, g_array_unref);
  g_clear_pointer (&runtime->work_spare, g_array_unref);
  g_clear_pointer (&runtime->option_tags, g_ptr_array_unref);
  g_clear_pointer (&runtime->refused_dialogs, g_hash_table_destroy);
}

gboolean
sipsv_runtime_run_work (SipsvRuntime *runtime)
{
  gboolean ran = FALSE;
  while (runtime->work_queue->len > 0)
    {
      GArray *batch = runtime->work_queue;
      /* Work queued meanwhile goes to the other array: two arrays serve
       * every dispatch instead of one allocated per batch. */
      runtime->work_queue = runtime->work_spare != NULL
                                ? g_steal_pointer (&runtime->work_spare)
                                : g_array_new (FALSE, FALSE, sizeof (SipsvWork));
      for (guint i = 0; i < batch->len; i++)
        {
          SipsvWork *work = &g_array_index (batch, SipsvWork, i);
          work->func (work->data);
        }
      g_array_set_size (batch, 0);
      if (runtime->work_spare == NULL)
        runtime->work_spare = batch;
      else
        g_array_unref (batch);
      ran = TRUE;
    }
  return ran;
}

static gboolean
on_work (gpointer data)
{
  SipsvRuntime *runtime = data;
  g_clear_pointer (&runtime->work_source, g_source_unref);
  sipsv_runtime_run_work (runtime);
  return G_SOURCE_REMOVE;
}

void
sipsv_runtime_flush_work (SipsvRuntime *runtime)
{
  if (runtime->work_source != NULL)
    {
      g_source_destroy (runtime->work_source);
      g_clear_pointer (&runtime->work_source, g_source_unref);
    }
  sipsv_runtime_run_work (runtime);
}

void
sipsv_runtime_defer (SipsvRuntime *runtime, SipsvWorkFunc func, gpointer data)
{
  SipsvWork work = { func, data };
  g_array_append_val (runtime->work_queue, work);
  /* Queued from a SIP stack callback: the container's after-dispatch
   * hook runs it next. */
  if (runtime->work_source == NULL && !runtime->stack.dispatching)
    {
      runtime->work_source = g_idle_source_new ();
      g_source_set_priority (runtime->work_source, G_PRIORITY_HIGH);
      g_source_set_callback (runtime->work_source, on_work, runtime, NULL);
      g_source_attach (runtime->work_source, runtime->context);
    }
}

void
sipsv_runtime_release_later (SipsvRuntime *runtime, SipServletRequest *request)
{
  sipsv_runtime_defer (runtime, (SipsvWorkFunc) sipservlet_request_unref, request);
}

void
sipsv_runtime_keep (SipsvRuntime *runtime, SipsvKept *kept, gpointer owner,
                    GDestroyNotify abandon)
{
  if (kept->listed)
    return;
  kept->link.data = owner;
  kept->abandon = abandon;
  kept->listed = TRUE;
  g_queue_push_tail_link (&runtime->kept, &kept->link);
}

void
sipsv_runtime_forget (SipsvRuntime *runtime, SipsvKept *kept)
{
  if (!kept->listed)
    return;
  kept->listed = FALSE;
  g_queue_unlink (&runtime->kept, &kept->link);
}

void
sipsv_runtime_abandon_all (SipsvRuntime *runtime)
{
  GList *link;

  while ((link = g_queue_pop_head_link (&runtime->kept)) != NULL)
    {
      SipsvKept *kept = (SipsvKept *) link;
      kept->listed = FALSE;
      kept->abandon (link->data);
    }
}

char *
sipsv_runtime_unsupported (SipsvRuntime *runtime, msg_list_t const *list)
{
  GString *bad = NULL;

  for (msg_list_t const *r = list; r; r = r->k_next)
    for (int i = 0; r->k_items && r->k_items[i]; i++)
      {
        gboolean known = FALSE;
        for (guint j = 0; j < runtime->option_tags->len && !known; j++)
          known = g_ascii_strcasecmp (runtime->option_tags->pdata[j], r->k_items[i]) == 0;
        if (!known)
          {
            if (bad == NULL)
              bad = g_string_new (r->k_items[i]);
            else
              g_string_append_printf (bad, ", %s", r->k_items[i]);
          }
      }
  return bad != NULL ? g_string_free (bad, FALSE) : NULL;
}
