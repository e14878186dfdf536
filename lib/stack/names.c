/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - host names: where they are looked up, and how many at once.
 *
 * Nothing may stall the main loop, and a host name in a message is input:
 *
 * - A request's next hop (Route, Request-URI) is resolved by NTA with
 *   sofia's asynchronous resolver (sresolv, RFC 3263), never in this
 *   thread. The requests waiting for it are bounded here: a client
 *   transaction or stateless forward to a host name counts until its first
 *   response (or until sofia lets go of the message, for a stateless one);
 *   past the bound, the transaction is refused and the caller answers
 *   503 without waiting.
 * - Responses go where RFC 3261 §18.2.2 and RFC 3581 say: to the source
 *   address (received, which NTA adds whenever sent-by is not that address)
 *   and rport or the sent-by port. Only a Via maddr would send NTA to a
 *   name, looked up with a blocking getaddrinfo() in tport_resolve(): a
 *   maddr that is not an IP address is dropped from a request's top Via
 *   before anything answers it, so the answer goes to the source.
 */
#include "config-private.h"

#include "stack/stack-private.h"
#include <sofia-sip/hostdomain.h>
#include <sofia-sip/su_alloc.h>

/* Requests to host names without an answer yet, when nothing else is
 * asked for (SIPSERVLET_MAX_NAME_LOOKUPS). */
#define SIPSV_DEFAULT_MAX_NAME_LOOKUPS 256u

/* One request to a host name: lives on a child home of its message, so
 * it goes when sofia and the roles let go of that message. */
struct _SipsvNameLookup {
  su_home_t home[1];            /* first: the child home itself */
  SipsvStackLink *link;         /* weak way back to the stack */
  nta_response_f *callback;     /* the caller's, NULL for stateless */
  nta_outgoing_magic_t *magic;
  gboolean counted;
};

guint
sipsv_stack_max_name_lookups (void)
{
  const char *text = g_getenv ("SIPSERVLET_MAX_NAME_LOOKUPS");
  char *end = NULL;
  guint64 value;

  if (text == NULL || *text == '\0')
    return SIPSV_DEFAULT_MAX_NAME_LOOKUPS;
  value = g_ascii_strtoull (text, &end, 10);
  if (end == NULL || *end != '\0' || value == 0 || value > G_MAXUINT)
    {
      g_warning ("SIPSERVLET_MAX_NAME_LOOKUPS=%s is not a positive number: using %u", text,
                 SIPSV_DEFAULT_MAX_NAME_LOOKUPS);
      return SIPSV_DEFAULT_MAX_NAME_LOOKUPS;
    }
  return (guint) value;
}

gboolean
sipsv_stack_url_needs_lookup (const url_t *url)
{
  char maddr[256];

  if (url == NULL || url->url_host == NULL)
    return FALSE;
  /* NTA sends to maddr instead of the host when there is one. */
  if (sipsv_stack_url_param (url, "maddr", maddr, sizeof maddr))
    return !host_is_ip_address (maddr);
  return !host_is_ip_address (url->url_host);
}

static void
lookup_done (SipsvNameLookup *lookup)
{
  SipsvStack *stack = lookup->link != NULL ? lookup->link->stack : NULL;

  if (!lookup->counted)
    return;
  lookup->counted = FALSE;
  if (stack != NULL && stack->name_lookups > 0)
    stack->name_lookups--;
}

/* The destructor of the lookup's home: its message is gone. */
static void
lookup_finalize (void *data)
{
  SipsvNameLookup *lookup = data;

  lookup_done (lookup);
  g_clear_pointer (&lookup->link, g_rc_box_release);
}

/* The client transaction's callback until its first response: the name
 * was resolved (or not, and NTA made the response), so the lookup is
 * over; then the caller's callback takes over. */
static int
lookup_answered (nta_outgoing_magic_t *magic, nta_outgoing_t *orq, sip_t const *sip)
{
  SipsvNameLookup *lookup = (SipsvNameLookup *) magic;

  lookup_done (lookup);
  nta_outgoing_bind (orq, lookup->callback, lookup->magic);
  return lookup->callback (lookup->magic, orq, sip);
}

SipsvNameLookup *
sipsv_stack_name_lookup_begin (SipsvStack *stack, msg_t *msg, const url_t *next,
                               nta_response_f *callback, nta_outgoing_magic_t *magic,
                               gboolean *refused)
{
  SipsvNameLookup *lookup;

  *refused = FALSE;
  if (!sipsv_stack_url_needs_lookup (next))
    return NULL;
  if (stack->name_lookups >= stack->max_name_lookups)
    {
      g_debug ("%u requests already wait for a host name: not sending to %s",
               stack->name_lookups, next->url_host);
      *refused = TRUE;
      return NULL;
    }
  lookup = su_home_clone (msg_home (msg), sizeof *lookup);
  if (lookup == NULL)
    return NULL;
  lookup->link = g_rc_box_acquire (stack->link);
  lookup->callback = callback;
  lookup->magic = magic;
  lookup->counted = TRUE;
  su_home_destructor (lookup->home, lookup_finalize);
  stack->name_lookups++;
  return lookup;
}

nta_response_f *
sipsv_stack_name_lookup_callback (SipsvNameLookup *lookup, nta_response_f *callback)
{
  return lookup != NULL && callback != NULL ? lookup_answered : callback;
}

nta_outgoing_magic_t *
sipsv_stack_name_lookup_magic (SipsvNameLookup *lookup, nta_response_f *callback,
                               nta_outgoing_magic_t *magic)
{
  return lookup != NULL && callback != NULL ? (nta_outgoing_magic_t *) lookup : magic;
}

void
sipsv_stack_name_lookup_abandon (SipsvNameLookup *lookup)
{
  /* The message was not taken: the lookup never started. */
  if (lookup != NULL)
    {
      lookup_done (lookup);
      su_home_unref (lookup->home);
    }
}

void
sipsv_stack_guard_via (msg_t *msg, sip_t *sip)
{
  sip_via_t *v = sip->sip_via;

  if (sip->sip_request == NULL || v == NULL || v->v_maddr == NULL
      || host_is_ip_address (v->v_maddr))
    return;
  g_debug ("ignoring maddr=%s in the Via of %s %s: responses go to the source address",
           v->v_maddr, sip->sip_request->rq_method_name,
           sip->sip_call_id != NULL ? sip->sip_call_id->i_id : "");
  msg_header_remove_param (v->v_common, "maddr");
  v->v_maddr = NULL;
  msg_fragment_clear (v->v_common);
}
