/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the texts an operator writes for applications, which
 * the container reads at start and on reload: a DAR file
 * (lib/application/dar.c) and sip.xml with its patterns
 * (lib/application/descriptor.c, pattern-xml.c). The input is read as all
 * three; what parses is then used: the DAR's chain stepped through for a
 * fixed request until it ends, a pattern printed and matched. A bad text
 * must give an error, never a crash. */
#include <sipservlet/sipservlet.h>

#include <stdint.h>

#include "application/application-private.h"
#include "container/container-private.h"
#include "fuzz-common.h"

static SipContainer *container;
static SipServletRequest *request;

static const char request_text[]
    = "INVITE sip:+1-555-0100@example.com;user=phone;transport=tcp SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-fuzz\r\n"
      "From: \"Alice\" <sip:alice@sub.example.com>;tag=1\r\n"
      "To: <tel:+15550100>\r\n"
      "Call-ID: fuzz@test\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:alice@192.0.2.1>\r\n"
      "Content-Length: 0\r\n\r\n";

static void
at_exit (void)
{
  g_clear_pointer (&request, sipservlet_request_unref);
  g_clear_pointer (&container, sipservlet_container_unref);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  container = sipservlet_container_new (NULL);
  msg_t *msg = msg_make (sip_default_mclass (), 0, request_text, (ssize_t) strlen (request_text));
  if (container == NULL || msg == NULL)
    g_error ("fuzz-application: cannot make the container or the request");
  request = sipsv_request_new (container, msg, TRUE);
  request->initial = TRUE;
  atexit (at_exit);
  return 0;
}

static void
step_through (SipsvDar *dar)
{
  GVariant *state = NULL;

  /* Each step moves one entry on; the bound is generous. */
  for (int steps = 0; steps < 64; steps++)
    {
      SipRouterInfo info = { 0 };
      gboolean ok = sipsv_dar_next (dar, request,
                                    state != NULL ? SIPSERVLET_ROUTING_CONTINUE
                                                  : SIPSERVLET_ROUTING_NEW,
                                    state, &info, NULL);
      g_clear_pointer (&state, g_variant_unref);
      if (ok && info.application != NULL && info.state != NULL)
        state = g_variant_ref (info.state);
      gboolean more = ok && info.application != NULL;
      sipsv_router_info_clear (&info);
      if (!more)
        break;
    }
  g_clear_pointer (&state, g_variant_unref);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  SipsvDescriptor descriptor;

  SipsvDar *dar = sipsv_dar_parse ((const char *) data, (gssize) size, "fuzz.dar", NULL);
  if (dar != NULL)
    {
      step_through (dar);
      sipsv_dar_free (dar);
    }
  if (sipsv_descriptor_parse (&descriptor, (const char *) data, (gssize) size, "fuzz.xml", NULL))
    for (guint i = 0; i < descriptor.mappings->len; i++)
      {
        SipsvDescriptorMapping *m = descriptor.mappings->pdata[i];
        (void) sipservlet_pattern_matches (m->pattern, request);
      }
  sipsv_descriptor_clear (&descriptor);
  g_autoptr (SipPattern) pattern = sipservlet_pattern_parse_xml ((const char *) data,
                                                                 (gssize) size, NULL);
  if (pattern != NULL)
    {
      g_autofree char *text = sipservlet_pattern_to_string (pattern);
      fuzz_check (text != NULL, "pattern", "to_string");
      (void) sipservlet_pattern_matches (pattern, request);
    }
  return 0;
}
