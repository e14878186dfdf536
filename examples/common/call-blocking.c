/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - call-blocking. */
#include "call-blocking.h"
#include "example-main.h"
#include "proxying.h"

GOptionEntry *
call_blocking_option_entries (CallBlockingOptions *options)
{
  GOptionEntry entries[] = {
    { "deny", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->deny,
      "call-blocking: refuse requests from this From URI with 403 (repeatable)", "URI" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
call_blocking_options_clear (CallBlockingOptions *options)
{
  g_clear_pointer (&options->deny, g_strfreev);
}

static gboolean
is_denied (GPtrArray *denied, SipServletRequest *request)
{
  g_autoptr (SipAddress) from = sipservlet_message_get_from (SIPSERVLET_MESSAGE (request));
  const SipURI *caller = from != NULL ? sipservlet_address_get_uri (from) : NULL;

  for (guint i = 0; caller != NULL && i < denied->len; i++)
    if (sipservlet_uri_equal (caller, denied->pdata[i]))
      return TRUE;
  return FALSE;
}

static void
on_blocking (SipServletRequest *request, gpointer user_data)
{
  GPtrArray *denied = user_data;

  if (proxying_passes_by ("call-blocking", request))
    return;
  if (is_denied (denied, request))
    {
      example_debug ("call-blocking: %s %s from a denied caller: 403", proxying_method (request),
                     sipservlet_message_get_call_id (SIPSERVLET_MESSAGE (request)));
      example_respond (request, 403, "Blocked");
      return;
    }
  proxying_proxy_marked ("call-blocking", request, sipservlet_request_get_request_uri (request),
                         "X-Blocking", "passed");
}

SipServlet *
call_blocking_servlet_new (const CallBlockingOptions *options, const char *what, GError **error)
{
  g_autoptr (GPtrArray) denied
      = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_uri_unref);

  for (char **d = options->deny; d != NULL && *d != NULL; d++)
    {
      SipURI *uri = proxying_parse_sip_uri (what, *d, error);
      if (uri == NULL)
        return NULL;
      g_ptr_array_add (denied, uri);
    }
  return sipservlet_servlet_new_with_callback ("blocking", on_blocking,
                                               g_steal_pointer (&denied),
                                               (GDestroyNotify) g_ptr_array_unref);
}
