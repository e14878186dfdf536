/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - the Default Application Router's rules (JSR 289
 * Appendix C): parsing the DAR text and choosing the next application.
 *
 * A logical line is `METHOD: (tuple), (tuple), ...`, each tuple six quoted
 * fields (application, subscriber, region, routes, route modifier, state
 * info) and an optional seventh of whitespace-separated KEY=VALUE options,
 * which are reported and ignored. A quoted field has no escapes and is
 * trimmed; a backslash at the end of a line joins the next one without
 * its indentation. ROUTE and ROUTE_BACK need a route: without one the
 * container could only ignore the modifier.
 * The router's state is the index of the tuple it returned last. */
#include "config-private.h"

#include <string.h>

#include "application/application-private.h"

typedef struct {
  char *application;
  char *subscriber;             /* literal subscriber URI, or NULL */
  char *header;                 /* from "DAR:Header": the header name, or NULL */
  SipRoutingRegion region;
  GStrv routes;                 /* NULL when the route field is empty */
  SipRouteModifier modifier;
  char *state_info;             /* the 6th field, only logged: the index is the state */
  guint line;
} DarEntry;

typedef struct {
  char *method;                 /* upper case, or "ALL" */
  GPtrArray *entries;           /* DarEntry, in file order */
  guint line;
} DarRule;

struct _SipsvDar {
  GHashTable *rules;            /* method (upper case) -> DarRule */
};

static void
dar_entry_free (DarEntry *entry)
{
  g_free (entry->application);
  g_free (entry->subscriber);
  g_free (entry->header);
  g_strfreev (entry->routes);
  g_free (entry->state_info);
  g_free (entry);
}

static void
dar_rule_free (DarRule *rule)
{
  g_free (rule->method);
  g_ptr_array_unref (rule->entries);
  g_free (rule);
}

void
sipsv_dar_free (SipsvDar *dar)
{
  if (dar == NULL)
    return;
  g_hash_table_unref (dar->rules);
  g_free (dar);
}

/* ---- parsing ------------------------------------------------------------- */

/* Where a physical line starts inside the joined logical line, so that an
 * error names the line it is on, not the first of a continued line. */
typedef struct {
  gsize offset;
  guint line;
} DarPiece;

typedef struct {
  const char *filename;
  GString *text;                /* the logical line, continuations joined */
  GArray *pieces;               /* DarPiece, by offset */
  gsize pos;
} DarParser;

static guint
parser_line_at (const DarParser *p, gsize pos)
{
  guint line = g_array_index (p->pieces, DarPiece, 0).line;

  for (guint i = 1; i < p->pieces->len; i++)
    {
      const DarPiece *piece = &g_array_index (p->pieces, DarPiece, i);
      if (piece->offset > pos)
        break;
      line = piece->line;
    }
  return line;
}

static gboolean parser_error (const DarParser *p, gsize pos, GError **error, const char *format,
                              ...) G_GNUC_PRINTF (4, 5);

static gboolean
parser_error (const DarParser *p, gsize pos, GError **error, const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE, "%s:%u: %s", p->filename,
               parser_line_at (p, pos), message);
  g_free (message);
  return FALSE;
}

static char
parser_peek (const DarParser *p)
{
  return p->pos < p->text->len ? p->text->str[p->pos] : '\0';
}

static void
parser_skip_space (DarParser *p)
{
  while (p->pos < p->text->len && g_ascii_isspace (p->text->str[p->pos]))
    p->pos++;
}

/* What stands at the current position, for "expected X, found Y". */
static char *
parser_describe (const DarParser *p)
{
  char c = parser_peek (p);

  if (p->pos >= p->text->len)
    return g_strdup ("the end of the line");
  if (g_ascii_isprint (c))
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02x", (guint) (guchar) c);
}

/* "expected ..., found ..." at the current position. */
static gboolean
parser_unexpected (const DarParser *p, const char *expected, GError **error)
{
  char *found = parser_describe (p);

  parser_error (p, p->pos, error, "expected %s, found %s", expected, found);
  g_free (found);
  return FALSE;
}

static gboolean
parser_expect (DarParser *p, char wanted, const char *after, GError **error)
{
  parser_skip_space (p);
  if (parser_peek (p) == wanted)
    {
      p->pos++;
      return TRUE;
    }
  char *expected = g_strdup_printf ("'%c' after %s", wanted, after);
  parser_unexpected (p, expected, error);
  g_free (expected);
  return FALSE;
}

/* RFC 3261 token characters, the syntax of a method name. */
static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("-.!%*_+`'~", c) != NULL);
}

typedef struct {
  char *text;                   /* stripped */
  gsize pos;                    /* of its opening quote */
} DarField;

static void
dar_field_clear (DarField *field)
{
  g_free (field->text);
}

/* A quoted field, from just after its opening quote. */
static gboolean
parse_quoted (DarParser *p, DarField *field, GError **error)
{
  gsize open = p->pos - 1;
  const char *start = p->text->str + p->pos;
  const char *close = memchr (start, '"', p->text->len - p->pos);

  if (close == NULL)
    return parser_error (p, open, error, "unterminated quoted field (no closing '\"')");
  field->text = g_strstrip (g_strndup (start, close - start));
  field->pos = open;
  p->pos = close - p->text->str + 1;
  return TRUE;
}

/* One tuple, from just after its '(' to just after its ')'. */
static gboolean
parse_tuple_fields (DarParser *p, GArray *fields, GError **error)
{
  gsize open = p->pos - 1;

  if (!parser_expect (p, '"', "'('", error))
    return FALSE;
  for (;;)
    {
      DarField field = { NULL, 0 };

      if (!parse_quoted (p, &field, error))
        return FALSE;
      g_array_append_val (fields, field);
      parser_skip_space (p);
      if (parser_peek (p) == ')')
        {
          p->pos++;
          break;
        }
      if (parser_peek (p) != ',')
        return parser_unexpected (p, "',' or ')' after a quoted field", error);
      p->pos++;
      if (!parser_expect (p, '"', "','", error))
        return FALSE;
    }
  if (fields->len < 6)
    return parser_error (p, open, error, "6 quoted fields needed, found %u", fields->len);
  if (fields->len > 7)
    return parser_error (p, open, error, "at most 7 quoted fields allowed, found %u", fields->len);
  return TRUE;
}

/* "DAR:Header" names a header of the request; other text is the URI
 * itself, and an empty field none. */
static gboolean
parse_subscriber (const DarParser *p, const DarField *field, DarEntry *entry, GError **error)
{
  if (g_ascii_strncasecmp (field->text, "DAR:", 4) != 0)
    {
      entry->subscriber = field->text[0] != '\0' ? g_strdup (field->text) : NULL;
      return TRUE;
    }
  entry->header = g_strstrip (g_strdup (field->text + 4));
  if (entry->header[0] == '\0')
    return parser_error (p, field->pos, error, "no header name after \"DAR:\" for \"%s\"",
                         entry->application);
  return TRUE;
}

/* The names of a region or route modifier field, three of each. */
typedef struct {
  const char *name;
  int value;
} DarKeyword;

static const DarKeyword dar_regions[3] = {
  { "ORIGINATING", SIPSERVLET_REGION_ORIGINATING },
  { "TERMINATING", SIPSERVLET_REGION_TERMINATING },
  { "NEUTRAL", SIPSERVLET_REGION_NEUTRAL },
};

static const DarKeyword dar_modifiers[3] = {
  { "ROUTE", SIPSERVLET_ROUTE_ROUTE },
  { "ROUTE_BACK", SIPSERVLET_ROUTE_ROUTE_BACK },
  { "NO_ROUTE", SIPSERVLET_ROUTE_NO_ROUTE },
};

static gboolean
parse_keyword (const DarParser *p, const DarField *field, const DarKeyword keywords[3],
               const char *what, int *value, GError **error)
{
  for (gsize i = 0; i < 3; i++)
    if (g_ascii_strcasecmp (field->text, keywords[i].name) == 0)
      {
        *value = keywords[i].value;
        return TRUE;
      }
  return parser_error (p, field->pos, error, "unknown %s \"%s\" (%s, %s or %s)", what,
                       field->text, keywords[0].name, keywords[1].name, keywords[2].name);
}

static gboolean
parse_routes (const DarParser *p, const DarField *field, GStrv *routes, GError **error)
{
  if (field->text[0] == '\0')
    {
      *routes = NULL;
      return TRUE;
    }
  *routes = g_strsplit (field->text, ",", -1);
  for (char **r = *routes; *r != NULL; r++)
    if (g_strstrip (*r)[0] == '\0')
      {
        g_clear_pointer (routes, g_strfreev);
        return parser_error (p, field->pos, error, "empty route in \"%s\"", field->text);
      }
  return TRUE;
}

/* The 7th field: options of the reference implementation, none of which
 * this router uses; they are checked for shape and reported. */
static gboolean
parse_options (const DarParser *p, const DarField *field, const char *application, GError **error)
{
  char **options = g_strsplit_set (field->text, " \t", -1);
  gboolean ok = TRUE;

  for (char **o = options; ok && *o != NULL; o++)
    {
      const char *equals = strchr (*o, '=');

      if (**o == '\0')
        continue;
      if (equals == NULL || equals == *o)
        {
          ok = parser_error (p, field->pos, error,
                             "expected KEY=VALUE in the options of \"%s\", found \"%s\"",
                             application, *o);
          break;
        }
      g_warning ("%s:%u: DAR option %.*s of \"%s\" is not supported; ignored", p->filename,
                 parser_line_at (p, field->pos), (int) (equals - *o), *o, application);
    }
  g_strfreev (options);
  return ok;
}

static DarEntry *
parse_entry (DarParser *p, GError **error)
{
  GArray *fields = g_array_new (FALSE, TRUE, sizeof (DarField));
  DarEntry *entry = g_new0 (DarEntry, 1);
  gsize open = p->pos - 1;
  gboolean ok;

  g_array_set_clear_func (fields, (GDestroyNotify) dar_field_clear);
  entry->line = parser_line_at (p, open);
  ok = parse_tuple_fields (p, fields, error);
  if (ok)
    {
      const DarField *f = (const DarField *) fields->data;
      int region = SIPSERVLET_REGION_NEUTRAL, modifier = SIPSERVLET_ROUTE_NO_ROUTE;

      if (f[0].text[0] == '\0')
        ok = parser_error (p, f[0].pos, error, "empty application name");
      entry->application = g_strdup (f[0].text);
      ok = ok && parse_subscriber (p, &f[1], entry, error);
      ok = ok && parse_keyword (p, &f[2], dar_regions, "region", &region, error);
      ok = ok && parse_routes (p, &f[3], &entry->routes, error);
      ok = ok && parse_keyword (p, &f[4], dar_modifiers, "route modifier", &modifier, error);
      entry->region = region;
      entry->modifier = modifier;
      /* Without a route, ROUTE and ROUTE_BACK would silently act as
       * NO_ROUTE. */
      if (ok && entry->routes == NULL && entry->modifier != SIPSERVLET_ROUTE_NO_ROUTE)
        ok = parser_error (p, f[4].pos, error, "%s needs a route, but the route field is empty",
                           modifier == SIPSERVLET_ROUTE_ROUTE ? "ROUTE" : "ROUTE_BACK");
      entry->state_info = g_strdup (f[5].text);
      if (ok && fields->len == 7)
        ok = parse_options (p, &f[6], entry->application, error);
    }
  g_array_unref (fields);
  if (!ok)
    g_clear_pointer (&entry, dar_entry_free);
  return entry;
}

/* One logical line: `METHOD: (tuple), ...`. */
static DarRule *
parse_rule (DarParser *p, GError **error)
{
  DarRule *rule;
  gsize start;

  parser_skip_space (p);
  start = p->pos;
  while (is_token_char (parser_peek (p)))
    p->pos++;
  if (p->pos == start)
    {
      parser_unexpected (p, "a method name", error);
      return NULL;
    }
  rule = g_new0 (DarRule, 1);
  rule->method = g_ascii_strup (p->text->str + start, p->pos - start);
  rule->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) dar_entry_free);
  rule->line = parser_line_at (p, start);

  char *after = g_strdup_printf ("the method %s", rule->method);
  gboolean ok = parser_expect (p, ':', after, error) && parser_expect (p, '(', "':'", error);
  g_free (after);
  while (ok)
    {
      DarEntry *entry = parse_entry (p, error);

      if (entry == NULL)
        {
          ok = FALSE;
          break;
        }
      g_ptr_array_add (rule->entries, entry);
      parser_skip_space (p);
      if (p->pos >= p->text->len)
        break;
      if (parser_peek (p) != ',')
        {
          ok = parser_unexpected (p, "',' or the end of the line after ')'", error);
          break;
        }
      p->pos++;
      ok = parser_expect (p, '(', "','", error);
    }
  if (!ok)
    g_clear_pointer (&rule, dar_rule_free);
  return rule;
}

/* The physical line at *pos (without its line ending); moves *pos past
 * it. */
static const char *
next_physical_line (const char *text, gsize length, gsize *pos, gsize *line_length)
{
  const char *start = text + *pos;
  const char *end = memchr (start, '\n', length - *pos);
  gsize n = end != NULL ? (gsize) (end - start) : length - *pos;

  *pos += end != NULL ? n + 1 : n;
  if (n > 0 && start[n - 1] == '\r')
    n--;
  *line_length = n;
  return start;
}

static gboolean
is_blank_or_comment (const char *s, gsize n)
{
  gsize i = 0;

  while (i < n && g_ascii_isspace (s[i]))
    i++;
  return i == n || s[i] == '#';
}

/* Reads the next logical line into p->text, continuations joined and
 * blank and comment lines skipped; FALSE at the end of the text. *line
 * counts physical lines. */
static gboolean
read_logical_line (DarParser *p, const char *text, gsize length, gsize *pos, guint *line)
{
  const char *s;
  gsize n;
  gboolean continued;

  g_string_truncate (p->text, 0);
  g_array_set_size (p->pieces, 0);
  p->pos = 0;
  /* Comments and blank lines never continue. */
  do
    {
      if (*pos >= length)
        return FALSE;
      s = next_physical_line (text, length, pos, &n);
      (*line)++;
    }
  while (is_blank_or_comment (s, n));

  for (;;)
    {
      DarPiece piece = { p->text->len, *line };

      g_array_append_val (p->pieces, piece);
      while (n > 0 && g_ascii_isspace (s[n - 1]))
        n--;
      continued = n > 0 && s[n - 1] == '\\';
      g_string_append_len (p->text, s, continued ? n - 1 : n);
      if (!continued || *pos >= length)
        return TRUE;
      s = next_physical_line (text, length, pos, &n);
      (*line)++;
      /* Leading blanks of a continuation are indentation. */
      while (n > 0 && g_ascii_isspace (*s))
        {
          s++;
          n--;
        }
    }
}

SipsvDar *
sipsv_dar_parse (const char *text, gssize length, const char *filename, GError **error)
{
  SipsvDar *dar;
  DarParser p = { filename != NULL ? filename : "DAR", NULL, NULL, 0 };
  gsize len, pos = 0;
  guint line = 0;
  gboolean ok = TRUE;

  g_return_val_if_fail (text != NULL, NULL);
  len = length < 0 ? strlen (text) : (gsize) length;
  dar = g_new0 (SipsvDar, 1);
  dar->rules
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) dar_rule_free);
  p.text = g_string_new (NULL);
  p.pieces = g_array_new (FALSE, FALSE, sizeof (DarPiece));

  while (ok && read_logical_line (&p, text, len, &pos, &line))
    {
      const char *nul = memchr (p.text->str, '\0', p.text->len);
      DarRule *rule;
      const DarRule *first;

      if (nul != NULL)
        {
          ok = parser_error (&p, nul - p.text->str, error, "unexpected NUL byte");
          break;
        }
      rule = parse_rule (&p, error);
      if (rule == NULL)
        {
          ok = FALSE;
          break;
        }
      first = g_hash_table_lookup (dar->rules, rule->method);
      if (first != NULL)
        {
          ok = parser_error (&p, 0, error, "%s listed twice (first at line %u)", rule->method,
                             first->line);
          dar_rule_free (rule);
          break;
        }
      g_hash_table_insert (dar->rules, rule->method, rule);
    }

  g_string_free (p.text, TRUE);
  g_array_unref (p.pieces);
  if (!ok)
    g_clear_pointer (&dar, sipsv_dar_free);
  return dar;
}

/* ---- routing ------------------------------------------------------------- */

/* The subscriber URI of entry for request (g_free()), NULL for none;
 * FALSE with an error when a DAR:Header is missing or no address. */
static gboolean
entry_subscriber (const DarEntry *entry, SipServletRequest *request, char **subscriber,
                  GError **error)
{
  GError *local = NULL;
  SipAddress *address;
  const SipURI *uri;

  *subscriber = NULL;
  if (entry->header == NULL)
    {
      *subscriber = g_strdup (entry->subscriber);
      return TRUE;
    }
  address = sipservlet_message_get_address_header (sipservlet_request_get_message (request),
                                                   entry->header, &local);
  if (local != NULL)
    {
      g_propagate_prefixed_error (error, local,
                                  "DAR: the %s header (DAR:%s for application \"%s\") is "
                                  "not an address: ",
                                  entry->header, entry->header, entry->application);
      return FALSE;
    }
  if (address == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "DAR: the request has no %s header, which names the subscriber of "
                   "application \"%s\" (DAR:%s)",
                   entry->header, entry->application, entry->header);
      return FALSE;
    }
  uri = sipservlet_address_get_uri (address);
  if (uri == NULL)
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_FAILED,
                   "DAR: the %s header is '*', not a subscriber address for application "
                   "\"%s\" (DAR:%s)",
                   entry->header, entry->application, entry->header);
      sipservlet_address_unref (address);
      return FALSE;
    }
  *subscriber = sipservlet_uri_to_string (uri);
  sipservlet_address_unref (address);
  return TRUE;
}

gboolean
sipsv_dar_next (SipsvDar *dar, SipServletRequest *request, SipRoutingDirective directive,
                GVariant *state, SipRouterInfo *info, GError **error)
{
  const char *method;
  const DarRule *rule;
  const DarEntry *entry;
  gint64 next = 0;
  char *upper, *subscriber;

  g_return_val_if_fail (dar != NULL && request != NULL && info != NULL, FALSE);
  method = sipservlet_message_get_method (sipservlet_request_get_message (request));
  upper = g_ascii_strup (method, -1);
  rule = g_hash_table_lookup (dar->rules, upper);
  g_free (upper);
  if (rule == NULL)
    rule = g_hash_table_lookup (dar->rules, "ALL");
  if (rule == NULL)
    return TRUE;

  /* A state of another type is not ours (a router replaced on reload):
   * start over. */
  if (directive != SIPSERVLET_ROUTING_NEW && state != NULL
      && g_variant_is_of_type (state, G_VARIANT_TYPE_INT32))
    next = MAX ((gint64) g_variant_get_int32 (state) + 1, 0);
  if (next >= rule->entries->len)
    return TRUE;
  entry = rule->entries->pdata[next];

  if (!entry_subscriber (entry, request, &subscriber, error))
    return FALSE;
  g_debug ("DAR: %s goes to \"%s\" (line %u, tuple %" G_GINT64_FORMAT ", state info \"%s\")",
           method, entry->application, entry->line, next, entry->state_info);
  sipservlet_router_info_set_application (info, entry->application, subscriber, entry->region);
  if (entry->routes != NULL)
    sipservlet_router_info_set_routes (info, (const char *const *) entry->routes, entry->modifier);
  sipservlet_router_info_set_state (info, g_variant_new_int32 ((gint32) next));
  g_free (subscriber);
  return TRUE;
}
