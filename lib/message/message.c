/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipServletMessage: headers, body, attributes.
 *
 * Header access goes straight to sofia's parsed msg_t: the header class is
 * looked up by name (long or compact, any case) and values are formatted
 * on demand into the msg's home. Unknown headers live in sip_unknown and
 * are matched by name.
 */
#include "config-private.h"

#include <string.h>

#include "attributes-private.h"
#include "format-private.h"
#include "message/message-private.h"

/* ---- lifetime ------------------------------------------------------------ */

static void
message_init (SipServletMessage *message, SipsvMessageKind kind,
              SipContainer *container, msg_t *msg, gboolean incoming)
{
  g_atomic_ref_count_init (&message->ref_count);
  message->magic = SIPSV_MESSAGE_MAGIC;
  message->kind = kind;
  message->container = container;
  message->msg = msg;
  message->sip = sip_object (msg);
  message->incoming = incoming;
}

SipServletRequest *
sipsv_request_new (SipContainer *container, msg_t *msg, gboolean incoming)
{
  SipServletRequest *request = g_new0 (SipServletRequest, 1);
  message_init (&request->base, SIPSV_MESSAGE_REQUEST, container, msg, incoming);
  return request;
}

SipServletResponse *
sipsv_response_new (SipContainer *container, msg_t *msg,
                    SipServletRequest *request, gboolean incoming)
{
  SipServletResponse *response = g_new0 (SipServletResponse, 1);
  message_init (&response->base, SIPSV_MESSAGE_RESPONSE, container, msg, incoming);
  response->request = request != NULL ? sipservlet_request_ref (request) : NULL;
  /* A received response is read-only for the application, and says where
   * it came from (one the transaction layer made came from nowhere). */
  response->base.committed = incoming;
  if (incoming && !sipsv_stack_made_response (response->base.sip))
    sipsv_message_set_source (&response->base, msg);
  return response;
}

void
sipsv_message_set_session (SipServletMessage *message, SipSession *session)
{
  if (message->session == session)
    return;
  if (session != NULL)
    sipservlet_session_ref (session);
  if (message->session != NULL)
    sipservlet_session_unref (message->session);
  message->session = session;
}

void
sipsv_message_set_source (SipServletMessage *message, msg_t *msg)
{
  su_addrinfo_t *ai = msg_addrinfo (msg);

  if (ai == NULL || ai->ai_addr == NULL || ai->ai_addrlen == 0
      || ai->ai_addrlen > sizeof message->source)
    return;
  memcpy (&message->source, ai->ai_addr, ai->ai_addrlen);
  message->has_source = TRUE;
  message->source_tcp = ai->ai_protocol == IPPROTO_TCP;
}

static void
request_finalize (SipServletRequest *request)
{
  SipServletMessage *message = &request->base;

  sipsv_request_index_remove (request);
  if (request->proxy != NULL)
    request->proxy_role->finalize (request->proxy);
  request->proxy = NULL;
  if (request->client != NULL)
    request->client_role->finalize (request->client);
  request->client = NULL;
  if (request->auth_info_free != NULL)
    request->auth_info_free (request->auth_info);
  request->auth_info = NULL;
  g_free (request->popped_route);
  g_free (request->subscriber_uri);
  g_clear_pointer (&request->subscriber_uri_parsed, sipservlet_uri_unref);
  g_free (request->initial_popped_route);
  g_clear_pointer (&request->initial_popped_route_uri, sipservlet_uri_unref);
  g_clear_pointer (&request->router_state, g_variant_unref);
  g_clear_pointer (&request->popped_route_uri, sipservlet_uri_unref);

  if (request->irq != NULL)
    {
      nta_incoming_bind (request->irq, NULL, NULL);
      if (!request->final_sent && !request->cancelled && message->incoming
          && message->sip->sip_request->rq_method != sip_method_ack)
        {
          g_warning ("%s %s was dropped without a final response: answering 500",
                     message->sip->sip_request->rq_method_name,
                     message->sip->sip_call_id ? message->sip->sip_call_id->i_id : "");
          nta_incoming_treply (request->irq, 500, "Request Not Answered", TAG_END ());
        }
      nta_incoming_destroy (request->irq);
    }
  if (request->orq != NULL)
    nta_outgoing_destroy (request->orq);
  if (request->hop != NULL)
    request->hop_role->finalize (g_steal_pointer (&request->hop));
  if (request->hop_out != NULL)
    request->hop_out_role->finalize (g_steal_pointer (&request->hop_out));
  if (request->linked != NULL)
    request->linked->linked = NULL;
  g_clear_pointer (&request->request_uri, sipservlet_uri_unref);
  g_clear_pointer (&request->invite, sipservlet_request_unref);
}

SipServletMessage *
sipservlet_message_ref (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_atomic_ref_count_inc (&message->ref_count);
  return message;
}

void
sipservlet_message_unref (SipServletMessage *message)
{
  g_return_if_fail (message != NULL);
  if (!g_atomic_ref_count_dec (&message->ref_count))
    return;

  if (message->kind == SIPSV_MESSAGE_REQUEST)
    request_finalize (SIPSV_REQUEST (message));
  else
    {
      g_clear_pointer (&SIPSV_RESPONSE (message)->request, sipservlet_request_unref);
      g_clear_pointer (&SIPSV_RESPONSE (message)->branch_keeper, sipservlet_request_unref);
    }

  sipsv_message_set_session (message, NULL);
  g_clear_pointer (&message->attributes, g_hash_table_destroy);
  g_clear_pointer (&message->header_values, g_hash_table_destroy);
  g_free (message->remote_addr);
  g_free (message->remote_user);
  msg_destroy (message->msg);
  message->magic = 0;
  g_free (message);
}

SipServletMessage *
sipservlet_message_check (gconstpointer instance)
{
  const SipServletMessage *message = instance;
  g_return_val_if_fail (message != NULL && message->magic == SIPSV_MESSAGE_MAGIC, NULL);
  return (SipServletMessage *) message;
}

SipServletMessage *
sipservlet_request_get_message (SipServletRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return &request->base;
}

SipServletMessage *
sipservlet_response_get_message (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return &response->base;
}

SipServletRequest *
sipservlet_message_as_request (SipServletMessage *message)
{
  if (message == NULL || message->kind != SIPSV_MESSAGE_REQUEST)
    return NULL;
  return (SipServletRequest *) message;
}

SipServletResponse *
sipservlet_message_as_response (SipServletMessage *message)
{
  if (message == NULL || message->kind != SIPSV_MESSAGE_RESPONSE)
    return NULL;
  return (SipServletResponse *) message;
}

gboolean
sipservlet_message_is_request (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);
  return message->kind == SIPSV_MESSAGE_REQUEST;
}

/* ---- simple accessors ---------------------------------------------------- */

const char *
sipservlet_message_get_method (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  if (message->sip->sip_request != NULL)
    return message->sip->sip_request->rq_method_name;
  return message->sip->sip_cseq ? message->sip->sip_cseq->cs_method_name : NULL;
}

const char *
sipservlet_message_get_call_id (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->sip->sip_call_id ? message->sip->sip_call_id->i_id : NULL;
}

guint32
sipservlet_message_get_cseq (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);
  return message->sip->sip_cseq ? message->sip->sip_cseq->cs_seq : 0;
}

const char *
sipservlet_message_get_transport (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  if (!message->has_source)
    return NULL;
  return message->source_tls ? "TLS" : message->source_tcp ? "TCP" : "UDP";
}

gboolean
sipservlet_message_is_secure (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, FALSE);
  return message->has_source && message->source_tls;
}

const char *
sipservlet_message_get_remote_addr (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  if (message->remote_addr == NULL && message->has_source)
    {
      char buf[64];
      const su_sockaddr_t *su = &message->source;
      if (su->su_family == AF_INET)
        message->remote_addr = g_strdup (sipsv_format_ipv4 (buf, (const guint8 *) SU_ADDR (su)));
      else if (su_inet_ntop (su->su_family, SU_ADDR (su), buf, sizeof buf) != NULL)
        message->remote_addr = g_strdup (buf);
    }
  return message->remote_addr;
}

const char *
sipservlet_message_get_remote_user (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->remote_user;
}

gint
sipservlet_message_get_remote_port (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, -1);
  return message->has_source ? ntohs (message->source.su_port) : -1;
}

gboolean
sipservlet_response_is_locally_generated (SipServletResponse *response)
{
  g_return_val_if_fail (response != NULL, FALSE);
  return response->base.incoming && sipsv_stack_made_response (response->base.sip);
}

gboolean
sipservlet_message_is_committed (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, TRUE);
  return message->committed;
}

SipSession *
sipservlet_message_get_session (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->session;
}

SipApplicationSession *
sipservlet_message_get_application_session (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->session != NULL
    ? sipservlet_session_get_application_session (message->session) : NULL;
}

void
sipservlet_message_set_attribute (SipServletMessage *message, const char *name,
                                  gpointer value, GDestroyNotify destroy)
{
  g_return_if_fail (message != NULL && name != NULL);
  sipsv_attributes_set (&message->attributes, name, value, destroy);
}

gpointer
sipservlet_message_get_attribute (SipServletMessage *message, const char *name)
{
  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  return sipsv_attributes_get (message->attributes, name);
}

char *
sipservlet_message_to_string (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  msg_t *copy = msg_copy (message->msg);
  size_t len = 0;
  char *text;

  sip_complete_message (copy);
  msg_serialize (copy, (msg_pub_t *) sip_object (copy));
  text = msg_as_string (NULL, copy, NULL, 0, &len);
  char *result = g_strndup (text, len);
  su_free (NULL, text);
  msg_destroy (copy);
  return result;
}

/* ---- header lookup -------------------------------------------------------- */

/* Formats a known header's value into stack (of size bytes) when it
 * fits, else into a g_malloc()ed buffer; returns the text, or NULL when
 * sofia cannot encode it. The caller frees a text that is not stack. */
static char *
format_value (const msg_header_t *h, char *stack, gsize size, gsize *length)
{
  issize_t n = msg_header_field_e (stack, (isize_t) size, h, 0);
  char *text = stack;

  if (n < 0)
    return NULL;
  /* Some of sofia's encoders (parameter lists: Authorization) stop at the
   * end of the buffer and return what they wrote instead of the length
   * needed: a value that fills the buffer may be cut, so grow until it
   * does not. */
  while ((gsize) n + 1 >= size)
    {
      size = MAX (2 * size, (gsize) n + 2);
      if (text != stack)
        g_free (text);
      text = g_malloc (size);
      n = msg_header_field_e (text, (isize_t) size, h, 0);
      if (n < 0)
        {
          g_free (text);
          return NULL;
        }
    }
  *length = (gsize) n;
  return text;
}

/* A header's value as text: an unknown header's own string, else its
 * encoding (format_value()), or "" when sofia cannot encode it.
 * *formatted is set to the encoding, which the caller releases with
 * value_text_free(); NULL when the text needs no release. */
static const char *
value_text (const msg_header_t *h, char *stack, gsize size, gsize *length, char **formatted)
{
  *formatted = NULL;
  if (h->sh_class == sip_unknown_class)
    {
      const char *value = ((const msg_unknown_t *) h)->un_value;
      *length = strlen (value);
      return value;
    }
  if ((*formatted = format_value (h, stack, size, length)) != NULL)
    return *formatted;
  *length = 0;
  return "";
}

static void
value_text_free (char *formatted, char *stack)
{
  if (formatted != stack)
    g_free (formatted);
}

const char *
sipsv_header_value (msg_t *msg, const msg_header_t *h)
{
  char stack[256], *formatted;
  gsize n;
  const char *text = value_text (h, stack, sizeof stack, &n, &formatted);

  if (formatted == NULL)
    return text;                /* the unknown header's own string, or "" */
  char *value = su_alloc (msg_home (msg), (isize_t) n + 1);
  memcpy (value, text, n + 1);
  value_text_free (formatted, stack);
  return value;
}

char *
sipsv_header_value_dup (const msg_header_t *h, const char *tag)
{
  static const char tag_param[] = ";tag=";
  char stack[256], *formatted;
  gsize n;
  const char *text = value_text (h, stack, sizeof stack, &n, &formatted);
  gsize t = tag != NULL ? strlen (tag) : 0;
  gsize size = n + (tag != NULL ? sizeof tag_param - 1 + t : 0) + 1;
  char *value = g_malloc (size), *end = value + n;

  memcpy (value, text, n);
  if (tag != NULL)
    {
      memcpy (end, tag_param, sizeof tag_param - 1);
      memcpy (end + sizeof tag_param - 1, tag, t);
      end += sizeof tag_param - 1 + t;
    }
  *end = '\0';
  value_text_free (formatted, stack);
  return value;
}

/* A header's value for the application: formatted like
 * sipsv_header_value(), but kept per header, so that reading it again
 * returns the same string instead of a new copy in the msg's home (the
 * strings live as long as the message, so each copy would stay). The
 * value is formatted again on every read and compared: a header changed
 * in place (a To-tag added) gets a new string, the old one stays valid. */
static const char *
header_value (SipServletMessage *message, const msg_header_t *h)
{
  char stack[256], *formatted;
  gsize n;
  const char *text = value_text (h, stack, sizeof stack, &n, &formatted);

  if (formatted == NULL)
    return text;                /* the unknown header's own string, or "" */
  if (message->header_values == NULL)
    message->header_values = g_hash_table_new (g_direct_hash, g_direct_equal);
  const char *cached = g_hash_table_lookup (message->header_values, h);
  if (cached == NULL || strcmp (cached, text) != 0)
    {
      char *value = su_alloc (msg_home (message->msg), (isize_t) n + 1);
      memcpy (value, text, n + 1);
      g_hash_table_insert (message->header_values, (gpointer) h, value);
      cached = value;
    }
  value_text_free (formatted, stack);
  return cached;
}

/* A header's value as an address. The text is only parsed, never handed
 * out, so it is formatted on the stack instead of kept (header_value()). */
static SipAddress *
parse_address_value (const msg_header_t *h, GError **error)
{
  char stack[256], *formatted;
  gsize n;
  const char *text = value_text (h, stack, sizeof stack, &n, &formatted);
  SipAddress *address = sipservlet_address_parse (text, error);

  value_text_free (formatted, stack);
  return address;
}

/* Resolves a header name to its class and the slot in sip_t. For unknown
 * headers *is_unknown is set and the slot is sip_unknown. */
static msg_header_t **
header_slot (SipServletMessage *message, const char *name, msg_hclass_t **hc_out,
             gboolean *is_unknown)
{
  msg_mclass_t const *mclass = msg_mclass (message->msg);
  msg_href_t const *href;

  *is_unknown = FALSE;
  *hc_out = NULL;
  if (name == NULL || name[0] == '\0' || strpbrk (name, ": \t\r\n") != NULL)
    return NULL;
  href = msg_find_hclass (mclass, name, NULL);
  if (href == NULL || href->hr_class == NULL || href->hr_class == sip_error_class)
    return NULL;
  *hc_out = href->hr_class;
  *is_unknown = href->hr_class == sip_unknown_class;
  return (msg_header_t **) ((char *) message->sip + href->hr_offset);
}

static gboolean
header_matches (const msg_header_t *h, gboolean is_unknown, const char *name)
{
  return !is_unknown || g_ascii_strcasecmp (((const msg_unknown_t *) h)->un_name, name) == 0;
}

/* Visible header classes: everything but the start line, separator, body
 * and parse errors. */
static gboolean
is_header_class (msg_hclass_t const *hc)
{
  return hc != sip_request_class && hc != sip_status_class
    && hc != sip_separator_class && hc != sip_payload_class
    && hc != sip_error_class;
}

const char *
sipservlet_message_get_header (SipServletMessage *message, const char *name)
{
  msg_hclass_t *hc;
  gboolean unknown;

  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  if (slot == NULL)
    return NULL;
  for (msg_header_t *h = *slot; h != NULL; h = h->sh_next)
    if (header_matches (h, unknown, name))
      return header_value (message, h);
  return NULL;
}

char **
sipservlet_message_get_headers (SipServletMessage *message, const char *name)
{
  GPtrArray *values = g_ptr_array_new ();
  msg_hclass_t *hc;
  gboolean unknown;

  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  for (msg_header_t *h = slot ? *slot : NULL; h != NULL; h = h->sh_next)
    if (header_matches (h, unknown, name))
      g_ptr_array_add (values, g_strdup (header_value (message, h)));
  g_ptr_array_add (values, NULL);
  return (char **) g_ptr_array_free (values, FALSE);
}

gboolean
sipservlet_message_has_option_tag (SipServletMessage *message, const char *name, const char *tag)
{
  g_return_val_if_fail (message != NULL && name != NULL && tag != NULL, FALSE);
  g_auto (GStrv) values = sipservlet_message_get_headers (message, name);
  for (char **v = values; *v != NULL; v++)
    {
      g_auto (GStrv) items = g_strsplit (*v, ",", -1);
      for (char **i = items; *i != NULL; i++)
        if (g_ascii_strcasecmp (g_strstrip (*i), tag) == 0)
          return TRUE;
    }
  return FALSE;
}

/* Names gathered once each: a known header's class tells repeats apart
 * without comparing text (its name is the class's own string, so the
 * pointer is the class), only unknown headers compare their names. The
 * list lives on the stack until a message has more distinct names than
 * it holds; the names are copied once, at the end. */
typedef struct {
  const char *name;
  gboolean unknown;
} SeenName;

typedef struct {
  SeenName *items;
  guint len, size;
  SeenName stack[32];
} SeenNames;

static void
add_header_name (msg_header_t *h, gpointer data)
{
  SeenNames *seen = data;
  msg_hclass_t *hc = h->sh_class;

  if (!is_header_class (hc))
    return;
  gboolean unknown = hc == sip_unknown_class;
  const char *name = unknown ? ((msg_unknown_t *) h)->un_name : hc->hc_name;
  for (guint i = 0; i < seen->len; i++)
    {
      const SeenName *other = &seen->items[i];
      if (unknown ? other->unknown && g_ascii_strcasecmp (other->name, name) == 0
                  : other->name == name)
        return;
    }
  if (seen->len == seen->size)
    {
      seen->size *= 2;
      if (seen->items == seen->stack)
        seen->items = g_memdup2 (seen->stack, sizeof seen->stack);
      seen->items = g_renew (SeenName, seen->items, seen->size);
    }
  seen->items[seen->len++] = (SeenName) { name, unknown };
}

char **
sipservlet_message_get_header_names (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  SeenNames seen;

  seen.items = seen.stack;
  seen.len = 0;
  seen.size = G_N_ELEMENTS (seen.stack);
  sipsv_stack_foreach_header (message->msg, add_header_name, &seen);
  char **names = g_new (char *, seen.len + 1);
  for (guint i = 0; i < seen.len; i++)
    names[i] = g_strdup (seen.items[i].name);
  names[seen.len] = NULL;
  if (seen.items != seen.stack)
    g_free (seen.items);
  return names;
}

/* ---- system headers and mutation ------------------------------------------ */

static gboolean
contact_is_system (SipServletMessage *message)
{
  sip_t *sip = message->sip;
  const char *method = sipservlet_message_get_method (message);

  if (method != NULL && g_ascii_strcasecmp (method, "REGISTER") == 0)
    return FALSE;
  if (sip->sip_status != NULL)
    {
      int status = sip->sip_status->st_status;
      if ((status >= 300 && status < 400) || status == 485)
        return FALSE;
      if (status == 200 && method != NULL && g_ascii_strcasecmp (method, "OPTIONS") == 0)
        return FALSE;
    }
  return TRUE;
}

gboolean
sipsv_is_system_header (SipServletMessage *message, msg_hclass_t *hc)
{
  /* A registrar echoes the Path it stored (RFC 3327 §5.3). */
  if (hc == sip_path_class && message->sip->sip_status != NULL
      && message->sip->sip_cseq != NULL
      && message->sip->sip_cseq->cs_method == sip_method_register)
    return FALSE;
  if (hc == sip_from_class || hc == sip_to_class || hc == sip_call_id_class
      || hc == sip_cseq_class || hc == sip_via_class || hc == sip_route_class
      || hc == sip_record_route_class || hc == sip_path_class
      || hc == sip_rseq_class || hc == sip_rack_class
      || hc == sip_content_length_class)
    return TRUE;
  if (hc == sip_contact_class)
    return contact_is_system (message);
  return FALSE;
}

static gboolean
check_mutable (SipServletMessage *message, const char *name, msg_hclass_t *hc,
               msg_header_t **slot, GError **error)
{
  if (slot == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a valid header name", name);
      return FALSE;
    }
  if (message->committed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the message is committed and can no longer be modified");
      return FALSE;
    }
  if (sipsv_is_system_header (message, hc))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "%s is a system header managed by the container", hc->hc_name);
      return FALSE;
    }
  return TRUE;
}

static msg_header_t *
make_header (SipServletMessage *message, msg_hclass_t *hc, gboolean unknown,
             const char *name, const char *value, GError **error)
{
  msg_header_t *h;

  if (value == NULL || strpbrk (value, "\r\n") != NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "invalid value for header %s", name);
      return NULL;
    }
  if (unknown)
    {
      char *line = g_strdup_printf ("%s: %s", name, value);
      h = msg_header_make (msg_home (message->msg), hc, line);
      g_free (line);
    }
  else
    h = msg_header_make (msg_home (message->msg), hc, value);
  if (h == NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                 "'%s' is not a valid %s header value", value, name);
  return h;
}

static void
remove_matching (SipServletMessage *message, msg_header_t **slot,
                 gboolean unknown, const char *name)
{
  msg_header_t *h = *slot;
  while (h != NULL)
    {
      msg_header_t *next = h->sh_next;
      if (header_matches (h, unknown, name))
        msg_header_remove (message->msg, (msg_pub_t *) message->sip, h);
      h = next;
    }
}

/* Inserts h after the values of its header already there, or with first
 * before them; the others keep their order. sofia places a header by its
 * class's kind: msg_header_insert() puts Via, Record-Route and Path (the
 * "prepend" kind) on top, appends the others, and replaces a list header
 * (Supported, Allow...) whole. */
static void
insert_header (SipServletMessage *message, msg_header_t **slot, gboolean unknown,
               const char *name, msg_header_t *h, gboolean first)
{
  msg_t *msg = message->msg;
  msg_pub_t *pub = (msg_pub_t *) message->sip;
  su_home_t *home = msg_home (msg);

  if (*slot != NULL && h->sh_class->hc_kind == msg_kind_list)
    {
      /* One header holds every value of a list: join them. */
      msg_list_t *head = (msg_list_t *) msg_header_dup_one (home, first ? h : *slot);
      msg_list_t const *tail = (msg_list_t const *) (first ? *slot : h);
      if (head != NULL && msg_list_append_items (home, head, tail->k_items) == 0)
        msg_header_insert (msg, pub, (msg_header_t *) head);
    }
  else if (*slot == NULL || first == (h->sh_class->hc_kind == msg_kind_prepend))
    msg_header_insert (msg, pub, h);
  else
    {
      /* sofia would put h on the wrong side of the values already there:
       * they are taken out and put back with h, as one list, which sofia
       * inserts in its order and in one place. */
      msg_header_t *list = NULL, **tail = &list;
      if (first)
        {
          *tail = h;
          tail = &h->sh_next;
        }
      for (msg_header_t *o = *slot; o != NULL; o = o->sh_next)
        if (header_matches (o, unknown, name))
          {
            *tail = msg_header_dup_one (home, o);
            tail = &(*tail)->sh_next;
          }
      if (!first)
        *tail = h;
      remove_matching (message, slot, unknown, name);
      msg_header_insert (msg, pub, list);
    }
}

void
sipsv_message_insert_first (SipServletMessage *message, msg_header_t *h)
{
  msg_hclass_t *hc;
  gboolean unknown;
  msg_header_t **slot = header_slot (message, h->sh_class->hc_name, &hc, &unknown);
  insert_header (message, slot, unknown, h->sh_class->hc_name, h, TRUE);
}

static gboolean
put_header (SipServletMessage *message, const char *name, const char *value,
            gboolean replace, gboolean first, GError **error)
{
  msg_hclass_t *hc;
  gboolean unknown;
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  msg_header_t *h;

  if (!check_mutable (message, name, hc, slot, error))
    return FALSE;
  if ((h = make_header (message, hc, unknown, name, value, error)) == NULL)
    return FALSE;
  if (replace)
    remove_matching (message, slot, unknown, name);
  insert_header (message, slot, unknown, name, h, first);
  return TRUE;
}

gboolean
sipservlet_message_add_header (SipServletMessage *message, const char *name,
                               const char *value, GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL, FALSE);
  return put_header (message, name, value, FALSE, FALSE, error);
}

gboolean
sipservlet_message_set_header (SipServletMessage *message, const char *name,
                               const char *value, GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL, FALSE);
  return put_header (message, name, value, TRUE, FALSE, error);
}

gboolean
sipservlet_message_remove_header (SipServletMessage *message, const char *name,
                                  GError **error)
{
  msg_hclass_t *hc;
  gboolean unknown;

  g_return_val_if_fail (message != NULL && name != NULL, FALSE);
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  if (!check_mutable (message, name, hc, slot, error))
    return FALSE;
  remove_matching (message, slot, unknown, name);
  return TRUE;
}

/* ---- typed headers ---------------------------------------------------------- */

SipAddress *
sipservlet_message_get_address_header (SipServletMessage *message,
                                       const char *name, GError **error)
{
  msg_hclass_t *hc;
  gboolean unknown;

  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  for (msg_header_t *h = slot ? *slot : NULL; h != NULL; h = h->sh_next)
    if (header_matches (h, unknown, name))
      return parse_address_value (h, error);
  return NULL;
}

GPtrArray *
sipservlet_message_get_address_headers (SipServletMessage *message,
                                        const char *name, GError **error)
{
  msg_hclass_t *hc;
  gboolean unknown;

  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_address_unref);
  msg_header_t **slot = header_slot (message, name, &hc, &unknown);
  for (msg_header_t *h = slot ? *slot : NULL; h != NULL; h = h->sh_next)
    {
      if (!header_matches (h, unknown, name))
        continue;
      SipAddress *address = parse_address_value (h, error);
      if (address == NULL)
        {
          g_ptr_array_unref (result);
          return NULL;
        }
      g_ptr_array_add (result, address);
    }
  return result;
}

gboolean
sipservlet_message_set_address_header (SipServletMessage *message, const char *name,
                                       const SipAddress *address, GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL && address != NULL, FALSE);
  char *text = sipservlet_address_to_string (address);
  gboolean ok = put_header (message, name, text, TRUE, FALSE, error);
  g_free (text);
  return ok;
}

gboolean
sipservlet_message_add_address_header (SipServletMessage *message, const char *name,
                                       const SipAddress *address, gboolean first,
                                       GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL && address != NULL, FALSE);
  char *text = sipservlet_address_to_string (address);
  gboolean ok = put_header (message, name, text, FALSE, first, error);
  g_free (text);
  return ok;
}

SipParameterable *
sipservlet_message_get_parameterable_header (SipServletMessage *message,
                                             const char *name, GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL, NULL);
  const char *value = sipservlet_message_get_header (message, name);
  return value != NULL ? sipservlet_parameterable_parse (value, error) : NULL;
}

gboolean
sipservlet_message_set_parameterable_header (SipServletMessage *message,
                                             const char *name,
                                             const SipParameterable *value,
                                             GError **error)
{
  g_return_val_if_fail (message != NULL && name != NULL && value != NULL, FALSE);
  char *text = sipservlet_parameterable_to_string (value);
  gboolean ok = put_header (message, name, text, TRUE, FALSE, error);
  g_free (text);
  return ok;
}

static SipAddress *
address_from_header (const msg_header_t *h)
{
  GError *error = NULL;

  if (h == NULL)
    return NULL;
  SipAddress *address = parse_address_value (h, &error);
  if (address == NULL)
    {
      g_warning ("cannot represent a %s header as an address: %s",
                 h->sh_class->hc_name, error->message);
      g_error_free (error);
    }
  return address;
}

SipAddress *
sipservlet_message_get_from (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return address_from_header ((msg_header_t *) message->sip->sip_from);
}

SipAddress *
sipservlet_message_get_to (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return address_from_header ((msg_header_t *) message->sip->sip_to);
}

gint
sipservlet_message_get_expires (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, -1);
  return message->sip->sip_expires ? (gint) message->sip->sip_expires->ex_delta : -1;
}

gboolean
sipservlet_message_set_expires (SipServletMessage *message, gint seconds,
                                GError **error)
{
  g_return_val_if_fail (message != NULL, FALSE);
  if (seconds < 0)
    return sipservlet_message_remove_header (message, "Expires", error);
  char text[16];
  g_snprintf (text, sizeof text, "%d", seconds);
  return sipservlet_message_set_header (message, "Expires", text, error);
}

/* ---- body ------------------------------------------------------------------- */

const char *
sipservlet_message_get_content_type (SipServletMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);
  return message->sip->sip_content_type
    ? header_value (message, (msg_header_t *) message->sip->sip_content_type)
    : NULL;
}

gconstpointer
sipservlet_message_get_content (SipServletMessage *message, gsize *length)
{
  g_return_val_if_fail (message != NULL, NULL);
  sip_payload_t *pl = message->sip->sip_payload;
  if (length != NULL)
    *length = pl ? pl->pl_len : 0;
  return pl != NULL && pl->pl_len > 0 ? pl->pl_data : NULL;
}

/* The body becomes @payload with @ct (both in the message's home, or both
 * NULL for none), and Content-Length follows. */
static void
replace_body (SipServletMessage *message, sip_content_type_t *ct, sip_payload_t *payload)
{
  sip_t *sip = message->sip;

  if (sip->sip_payload)
    msg_header_remove_all (message->msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_payload);
  if (sip->sip_content_type)
    msg_header_remove (message->msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_content_type);
  if (payload != NULL)
    {
      msg_header_insert (message->msg, (msg_pub_t *) sip, (msg_header_t *) ct);
      msg_header_insert (message->msg, (msg_pub_t *) sip, (msg_header_t *) payload);
    }
  msg_header_replace (message->msg, (msg_pub_t *) sip, (msg_header_t *) sip->sip_content_length,
                      (msg_header_t *) sip_content_length_create (
                        msg_home (message->msg), payload != NULL ? payload->pl_len : 0));
}

gboolean
sipservlet_message_set_content (SipServletMessage *message, gconstpointer content,
                                gssize length, const char *content_type,
                                GError **error)
{
  su_home_t *home;

  g_return_val_if_fail (message != NULL, FALSE);
  home = msg_home (message->msg);
  if (message->committed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the message is committed and can no longer be modified");
      return FALSE;
    }
  if (content != NULL && length < 0)
    length = strlen (content);
  if (content != NULL && length > 0 && content_type == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "a body needs a content type");
      return FALSE;
    }

  sip_content_type_t *ct = NULL;
  if (content != NULL && length > 0
      && (ct = sip_content_type_make (home, content_type)) == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a valid content type", content_type);
      return FALSE;
    }

  replace_body (message, ct,
                content != NULL && length > 0 ? sip_payload_create (home, content, length) : NULL);
  return TRUE;
}

gboolean
sipservlet_message_copy_content (SipServletMessage *to, SipServletMessage *from, GError **error)
{
  g_return_val_if_fail (to != NULL && from != NULL, FALSE);
  sip_t const *fsip = from->sip;
  su_home_t *home = msg_home (to->msg);
  gboolean has_body = fsip->sip_payload != NULL && fsip->sip_payload->pl_len > 0;

  if (to->committed)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_STATE,
                   "the message is committed and can no longer be modified");
      return FALSE;
    }
  if (has_body && fsip->sip_content_type == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "the body to copy has no content type");
      return FALSE;
    }
  if (to == from)
    return TRUE;
  sip_content_type_t *ct = NULL;
  sip_payload_t *payload = NULL;
  if (has_body)
    {
      ct = (sip_content_type_t *) msg_header_dup_one (
        home, (msg_header_t const *) fsip->sip_content_type);
      payload = (sip_payload_t *) msg_header_dup_one (home, (msg_header_t const *) fsip->sip_payload);
    }
  replace_body (to, ct, payload);
  return TRUE;
}

const char *
sipsv_status_phrase (guint status)
{
  const char *phrase = sip_status_phrase ((int) status);
  return phrase != NULL ? phrase : "Unknown";
}

void
sipsv_message_drop_repeated_headers (msg_t *msg, sip_t *sip)
{
  /* The bad headers are a list through sh_next: sip_error_class ones for
   * text that did not parse, and repeated ones of their own class. */
  msg_header_t **next = (msg_header_t **) &sip->sip_error;

  while (*next != NULL)
    {
      msg_header_t *h = *next;
      if (h->sh_class->hc_kind != msg_kind_single)
        {
          next = &h->sh_next;
          continue;
        }
      *next = h->sh_next;
      h->sh_next = NULL;
      /* Not in its class's slot: this takes it out of the text only. */
      msg_header_remove (msg, (msg_pub_t *) sip, h);
    }
}
