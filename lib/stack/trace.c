/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the SIP message trace
 * (sipservlet_container_set_message_trace()).
 *
 * sofia's transport logs every message it sends or receives when its
 * agent's TPTAG_LOG is on: a stamp line ("recv 512 bytes from
 * udp/[127.0.0.1]:5062 at 10:00:00.000000:"), a separator, the message
 * line by line with three spaces in front, and a closing separator, all
 * through sofia's default log in many small pieces. That is the one
 * place that sees every message, retransmissions and NTA's own answers
 * included, so the trace is built from it: the pieces are gathered per
 * thread until the closing separator, then the message becomes one
 * structured log record with the Call-ID, direction and peer as fields,
 * and the values of Authorization and Proxy-Authorization replaced by
 * "<redacted>" (the scheme stays) so that traces can be shared.
 *
 * Only agents whose trace is on produce these pieces; anything else on
 * sofia's default log stays a debug message.
 */
#include "config-private.h"

#include "stack-private.h"
#include "log-private.h"

#include <string.h>

#define SEPARATOR "------------------------------------------------------------------------"

typedef struct {
  GString *text;                    /* the message so far; NULL outside one */
  char *direction;                  /* "recv" or "send" */
  char *peer;                       /* "from udp/[127.0.0.1]:5062" */
} Assembly;

static void
assembly_free (gpointer data)
{
  Assembly *assembly = data;
  if (assembly->text != NULL)
    g_string_free (assembly->text, TRUE);
  g_free (assembly->direction);
  g_free (assembly->peer);
  g_free (assembly);
}

static GPrivate current = G_PRIVATE_INIT (assembly_free);

static Assembly *
assembly_get (void)
{
  Assembly *assembly = g_private_get (&current);
  if (assembly == NULL)
    {
      assembly = g_new0 (Assembly, 1);
      g_private_set (&current, assembly);
    }
  return assembly;
}

void
sipsv_stack_set_trace (SipsvStack *stack, gboolean on)
{
  nta_agent_set_params (stack->agent, TPTAG_LOG (on), TAG_END ());
}

/* "recv 512 bytes from udp/[127.0.0.1]:5062 at 10:00:00.000000:\n   ---\n" */
static gboolean
parse_stamp (const char *text, char **direction, char **peer)
{
  if (!(g_str_has_prefix (text, "recv ") || g_str_has_prefix (text, "send "))
      || strstr (text, SEPARATOR) == NULL)
    return FALSE;
  const char *bytes = strstr (text, " bytes ");
  const char *at = bytes != NULL ? strstr (bytes, " at ") : NULL;
  if (at == NULL)
    return FALSE;
  *direction = g_strndup (text, 4);
  *peer = g_strndup (bytes + 7, (gsize) (at - bytes - 7));
  return TRUE;
}

static gboolean
header_is (const char *line, const char *name)
{
  gsize length = strlen (name);
  return g_ascii_strncasecmp (line, name, length) == 0
         && (line[length] == ':' || line[length] == ' ' || line[length] == '\t');
}

/* The logged message as text, redacted, and its Call-ID. */
static char *
redact (const char *logged, char **call_id)
{
  g_auto (GStrv) lines = g_strsplit (logged, "\n", -1);
  GString *out = g_string_new (NULL);

  *call_id = NULL;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      if (g_str_has_prefix (line, "   "))
        line += 3;
      if (*line == '\0' && lines[i + 1] == NULL)
        break;
      if (header_is (line, "Authorization") || header_is (line, "Proxy-Authorization"))
        {
          const char *colon = strchr (line, ':');
          const char *scheme = colon + 1;
          while (*scheme == ' ' || *scheme == '\t')
            scheme++;
          gsize scheme_length = strcspn (scheme, " \t");
          g_string_append_printf (out, "%.*s: %.*s <redacted>\n", (int) (colon - line), line,
                                  (int) scheme_length, scheme);
          continue;
        }
      if (*call_id == NULL && (header_is (line, "Call-ID") || header_is (line, "i")))
        *call_id = g_strstrip (g_strdup (strchr (line, ':') + 1));
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  /* The blank line that ends the headers of a message without body. */
  while (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

static void
emit (Assembly *assembly)
{
  g_autofree char *call_id = NULL;
  g_autofree char *text = redact (assembly->text->str, &call_id);
  const GLogField extra[] = {
    { "SIP_DIRECTION", assembly->direction, -1 },
    { "SIP_PEER", assembly->peer, -1 },
  };
  sipsv_log_call (G_LOG_LEVEL_MESSAGE, call_id, NULL, extra, G_N_ELEMENTS (extra),
                  "sip %s %s:\n%s", assembly->direction, assembly->peer, text);
}

gboolean
sipsv_stack_trace_piece (const char *piece)
{
  Assembly *assembly = assembly_get ();

  if (assembly->text == NULL)
    {
      g_autofree char *direction = NULL, *peer = NULL;
      if (!parse_stamp (piece, &direction, &peer))
        return FALSE;
      assembly->text = g_string_new (NULL);
      assembly->direction = g_steal_pointer (&direction);
      assembly->peer = g_steal_pointer (&peer);
      return TRUE;
    }
  const char *separator = strstr (piece, SEPARATOR);
  if (separator == NULL)
    {
      g_string_append (assembly->text, piece);
      return TRUE;
    }
  /* The closing separator, after the last line's newline if any. */
  emit (assembly);
  g_string_free (assembly->text, TRUE);
  assembly->text = NULL;
  g_clear_pointer (&assembly->direction, g_free);
  g_clear_pointer (&assembly->peer, g_free);
  return TRUE;
}
