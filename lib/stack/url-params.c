/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* URI parameters of sofia's url_t, read without sofia's url_param(),
 * port numbers, read without strtoul(), and a url_t's text.
 *
 * sofia-sip's url_param() (1.12.11, as Debian ships it, and upstream)
 * steps past the end of the parameter string when the last parameter's
 * name starts with the name asked for but goes on ("transportx" when
 * asked for "transport"): it skips to the byte after the terminating NUL
 * and reads on from there. Found by tests/fuzz/fuzz-receive with a
 * registered contact "sip:…;transportx" that a proxy then used as its
 * Request-URI, whose copy ended exactly at its allocation's end.
 *
 * Our reads use the functions here. NTA's own calls on the requests we
 * send (transport, maddr and comp of the next hop when it chooses the
 * socket, lr of a Route) were not seen to reach such a string: the
 * socket is ours to choose (listen-points.c), and a Route we add is
 * parsed from "<…>", whose '>' becomes a second NUL. */
#include "stack/stack-private.h"

#include <string.h>

/* Parameter name in params (the text after the URI's first ';'), as a
 * flag or followed by '=': a pointer to its value ("" for a flag) and
 * its length, or NULL. */
static const char *
find_param (const char *params, const char *name, gsize *value_length)
{
  gsize name_length = strlen (name);

  for (const char *p = params; p != NULL && *p != '\0';)
    {
      const char *semicolon = strchr (p, ';');
      gsize n = semicolon != NULL ? (gsize) (semicolon - p) : strlen (p);
      if (n >= name_length && g_ascii_strncasecmp (p, name, name_length) == 0
          && (n == name_length || p[name_length] == '='))
        {
          gsize skip = n == name_length ? name_length : name_length + 1;
          *value_length = n - skip;
          return p + skip;
        }
      p = semicolon != NULL ? semicolon + 1 : NULL;
    }
  return NULL;
}

guint
sipsv_stack_port_number (const char *port, guint absent)
{
  guint value = 0;

  if (port == NULL || *port == '\0')
    return absent;
  for (const char *p = port; *p != '\0'; p++)
    {
      /* Stops growing past 65535; the caller refuses it anyway. */
      if (!g_ascii_isdigit (*p) || value > 65535)
        return G_MAXUINT;
      value = value * 10 + (guint) (*p - '0');
    }
  return value;
}

gboolean
sipsv_stack_url_param (const url_t *url, const char *name, char *value, gsize size)
{
  gsize length = 0;
  const char *found;

  if (url == NULL || url->url_params == NULL)
    return FALSE;
  found = find_param (url->url_params, name, &length);
  if (found == NULL || length >= size)
    return FALSE;
  memcpy (value, found, length);
  value[length] = '\0';
  return TRUE;
}

gboolean
sipsv_stack_url_has_param (const url_t *url, const char *name)
{
  gsize length;

  return url != NULL && url->url_params != NULL
         && find_param (url->url_params, name, &length) != NULL;
}

char *
sipsv_stack_url_format (const url_t *url, char *buf, gsize size)
{
  issize_t n = url_e (buf, (isize_t) size, url);

  if (n < 0)
    return NULL;
  if ((gsize) n < size)
    return buf;
  char *text = g_malloc ((gsize) n + 1);
  url_e (text, n + 1, url);
  return text;
}

char *
sipsv_stack_url_text (const url_t *url)
{
  char buf[256];
  char *text = sipsv_stack_url_format (url, buf, sizeof buf);

  if (text == NULL)
    return g_strdup ("");
  return text == buf ? g_strdup (buf) : text;
}
