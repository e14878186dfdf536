/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - ROUTE_BACK (JSR 289 §15.4.1): the router sends a
 * request out through external routes and wants it back afterwards, to
 * go on where it left off.
 *
 * The container pushes a Route of its own under the router's routes. That
 * Route carries what routing needs when the request returns: the region,
 * the router's state and how many applications the request passed, as
 * parameter SIPSV_ROUTE_BACK_PARAM. The request spends that time outside,
 * so the value is signed (HMAC-SHA-256 with a key of this container's): a
 * forged or altered one could skip an application (a call blocker) and is
 * ignored; the request is then routed as new.
 */
#include "config-private.h"

#include <string.h>

#include "auth/auth-private.h"
#include "container/container-private.h"

/* Region, depth and the router's state (a maybe variant). */
#define PAYLOAD_TYPE "(uumv)"
#define MAC_LENGTH 16             /* of HMAC-SHA-256's 32 bytes: 128 bits */

static const char *
key (SipContainer *container)
{
  if (container->route_back_key == NULL)
    container->route_back_key = sipsv_auth_random_hex (32);
  return container->route_back_key;
}

static void
mac (SipContainer *container, const guint8 *data, gsize length, guint8 out[32])
{
  const char *k = key (container);
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) k, strlen (k));
  gsize n = 32;
  g_hmac_update (hmac, data, (gssize) length);
  g_hmac_get_digest (hmac, out, &n);
  g_hmac_unref (hmac);
}

/* base64url without padding: a URI parameter value (RFC 3261 token). */
static char *
encode (const guint8 *data, gsize length)
{
  char *text = g_base64_encode (data, length);
  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

static guint8 *
decode (const char *text, gsize length, gsize *out_length)
{
  GString *b64 = g_string_new_len (text, (gssize) length);
  for (gsize i = 0; i < b64->len; i++)
    {
      char c = b64->str[i];
      if (c == '-')
        b64->str[i] = '+';
      else if (c == '_')
        b64->str[i] = '/';
      else if (!g_ascii_isalnum (c))
        {
          g_string_free (b64, TRUE);
          return NULL;
        }
    }
  while (b64->len % 4 != 0)
    g_string_append_c (b64, '=');
  guint8 *data = g_base64_decode (b64->str, out_length);
  g_string_free (b64, TRUE);
  return data;
}

char *
sipsv_container_route_back_route (SipContainer *container, const SipRouterInfo *info,
                                  guint depth)
{
  GVariant *payload = g_variant_ref_sink (g_variant_new (
      PAYLOAD_TYPE, (guint32) info->region, (guint32) depth,
      info->state));
  gsize length = g_variant_get_size (payload);
  guint8 *signed_data = g_malloc (length + MAC_LENGTH);
  guint8 digest[32];

  g_variant_store (payload, signed_data);
  mac (container, signed_data, length, digest);
  memcpy (signed_data + length, digest, MAC_LENGTH);
  char *token = encode (signed_data, length + MAC_LENGTH);
  g_free (signed_data);
  g_variant_unref (payload);

  char *contact = sipsv_stack_contact (&container->runtime.stack);
  char *route = g_strdup_printf ("%.*s;lr;" SIPSV_ROUTE_BACK_PARAM "=%s>",
                                 (int) strlen (contact) - 1, contact, token);
  g_free (contact);
  g_free (token);
  return route;
}

gboolean
sipsv_container_route_back_parse (SipContainer *container, const char *popped,
                                  SipRoutingRegion *region, GVariant **state, guint *depth)
{
  const char *param = popped != NULL ? strstr (popped, ";" SIPSV_ROUTE_BACK_PARAM "=") : NULL;
  if (param == NULL)
    return FALSE;
  const char *value = param + strlen (";" SIPSV_ROUTE_BACK_PARAM "=");
  gsize length = strcspn (value, ";>?");
  gsize data_length = 0;
  g_autofree guint8 *data = decode (value, length, &data_length);
  guint8 digest[32];

  if (data == NULL || data_length <= MAC_LENGTH)
    return FALSE;
  gsize payload_length = data_length - MAC_LENGTH;
  mac (container, data, payload_length, digest);
  /* Constant time: the comparison must not tell how much of a guess was right. */
  guint8 diff = 0;
  for (gsize i = 0; i < MAC_LENGTH; i++)
    diff |= digest[i] ^ data[payload_length + i];
  if (diff != 0)
    {
      g_debug ("ignoring a %s Route that this container did not sign", SIPSV_ROUTE_BACK_PARAM);
      return FALSE;
    }
  GBytes *bytes = g_bytes_new (data, payload_length);
  GVariant *payload = g_variant_ref_sink (
      g_variant_new_from_bytes (G_VARIANT_TYPE (PAYLOAD_TYPE), bytes, FALSE));
  g_bytes_unref (bytes);
  guint32 r = 0, d = 0;
  GVariant *maybe = NULL;
  g_variant_get (payload, PAYLOAD_TYPE, &r, &d, &maybe);
  g_variant_unref (payload);
  if (r > SIPSERVLET_REGION_TERMINATING)
    {
      g_clear_pointer (&maybe, g_variant_unref);
      return FALSE;
    }
  *region = (SipRoutingRegion) r;
  *depth = d;
  *state = maybe;
  return TRUE;
}
