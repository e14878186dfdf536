/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* abi-header-c99: the umbrella header must compile as strict C99
 * (-std=c99 -pedantic -Werror -Wall -Wextra) and be usable from it. */
#include <sipservlet/sipservlet.h>

#include <stdio.h>

static void
on_options (SipServlet *servlet, SipServletRequest *request, gpointer user_data)
{
  (void) servlet;
  (void) request;
  (void) user_data;
}

static const SipServletHandlers handlers = {
  SIPSERVLET_HANDLERS_INIT,
  .do_options = on_options,
};

static const SipServletListeners listeners = {
  SIPSERVLET_LISTENERS_INIT,
};

int
main (void)
{
  SipURI *uri;

  if (handlers.struct_size != sizeof (SipServletHandlers)
      || listeners.struct_size != sizeof (SipServletListeners))
    return 1;
#if !SIPSERVLET_CHECK_VERSION (0, 0, 0)
  return 1;
#endif
  uri = sipservlet_uri_parse ("sip:alice@example.com", NULL);
  if (uri == NULL || !sipservlet_uri_is_sip (uri))
    return 1;
  sipservlet_uri_unref (uri);
  if (sipservlet_error_quark () == 0)
    return 1;
  printf ("ok: C99 host built against sipservlet %d.%d.%d\n", SIPSERVLET_MAJOR_VERSION,
          SIPSERVLET_MINOR_VERSION, SIPSERVLET_MICRO_VERSION);
  return 0;
}
