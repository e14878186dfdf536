/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet examples - call-forwarding. */
#include "call-forwarding.h"
#include "proxying.h"

#include <string.h>

GOptionEntry *
call_forwarding_option_entries (CallForwardingOptions *options)
{
  GOptionEntry entries[] = {
    { "forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->forward,
      "call-forwarding: retarget requests for USER (the Request-URI's user) to URI "
      "(repeatable)", "USER=URI" },
    G_OPTION_ENTRY_NULL
  };
  return g_memdup2 (entries, sizeof entries);
}

void
call_forwarding_options_clear (CallForwardingOptions *options)
{
  g_clear_pointer (&options->forward, g_strfreev);
}

static void
on_forwarding (SipServletRequest *request, gpointer user_data)
{
  GHashTable *forwards = user_data;

  if (proxying_passes_by ("call-forwarding", request))
    return;
  const SipURI *request_uri = sipservlet_request_get_request_uri (request);
  const char *user
      = sipservlet_uri_is_sip (request_uri) ? sipservlet_uri_get_user (request_uri) : NULL;
  const SipURI *target = user != NULL ? g_hash_table_lookup (forwards, user) : NULL;

  if (target != NULL)
    proxying_proxy_marked ("call-forwarding", request, target, "X-Forwarding", user);
  else
    proxying_proxy_marked ("call-forwarding", request, request_uri, "X-Forwarding", "none");
}

SipServlet *
call_forwarding_servlet_new (const CallForwardingOptions *options, const char *what,
                             GError **error)
{
  g_autoptr (GHashTable) forwards = g_hash_table_new_full (
      g_str_hash, g_str_equal, g_free, (GDestroyNotify) sipservlet_uri_unref);

  for (char **f = options->forward; f != NULL && *f != NULL; f++)
    {
      const char *equal = strchr (*f, '=');
      if (equal == NULL || equal == *f)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s expects USER=URI, got '%s'", what, *f);
          return NULL;
        }
      g_autofree char *user = g_strndup (*f, (gsize) (equal - *f));
      if (g_hash_table_contains (forwards, user))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s: user '%s' given twice", what, user);
          return NULL;
        }
      SipURI *uri = proxying_parse_sip_uri (what, equal + 1, error);
      if (uri == NULL)
        return NULL;
      g_hash_table_insert (forwards, g_steal_pointer (&user), uri);
    }
  return sipservlet_servlet_new_with_callback ("forwarding", on_forwarding,
                                               g_steal_pointer (&forwards),
                                               (GDestroyNotify) g_hash_table_unref);
}
