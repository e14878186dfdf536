/* SPDX-License-Identifier: LGPL-2.1-or-later */
// abi-header-cxx: the umbrella header and the converged one must compile
// as C++11 with -Werror and their functions must link with C linkage.
#include <sipservlet/sipservlet.h>
#include <sipservlet/sipservlet-http.h>

#include <cstdio>
#include <cstring>

static void
on_options (SipServlet *, SipServletRequest *, gpointer)
{
}

int
main ()
{
  SipServletHandlers handlers = SipServletHandlers ();
  handlers.struct_size = sizeof (SipServletHandlers);
  handlers.do_options = on_options;

  SipServlet *servlet = sipservlet_servlet_new ("cxx", &handlers, nullptr, nullptr);
  if (servlet == nullptr)
    return 1;
  bool ok = std::strcmp (sipservlet_servlet_get_name (servlet), "cxx") == 0;
  sipservlet_servlet_unref (servlet);

  SipURI *uri = sipservlet_uri_parse ("sip:bob@example.com:5070", nullptr);
  ok = ok && uri != nullptr && sipservlet_uri_get_port (uri) == 5070;
  if (uri != nullptr)
    sipservlet_uri_unref (uri);
  // A converged function links with C linkage too.
  SipApplicationSession *(*volatile get) (SoupServerMessage *, gboolean)
      = sipservlet_http_get_application_session;
  ok = ok && get != nullptr;
  if (!ok)
    return 1;
  std::printf ("ok: C++11 host built against sipservlet %d.%d.%d\n", SIPSERVLET_MAJOR_VERSION,
               SIPSERVLET_MINOR_VERSION, SIPSERVLET_MICRO_VERSION);
  return 0;
}
