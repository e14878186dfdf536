/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - servlet mapping conditions (JSR 289 §16.2): building,
 * evaluating and printing a SipPattern. A variable is parsed once, when
 * its condition is built, so that a typo fails at deployment (as in JSR
 * 289) and matching only reads the request through the public API. */
#include "config-private.h"

#include <string.h>

#include "application/application-private.h"

typedef enum {
  SIPSV_PATTERN_EQUAL,
  SIPSV_PATTERN_CONTAINS,
  SIPSV_PATTERN_EXISTS,
  SIPSV_PATTERN_SUBDOMAIN_OF,
  SIPSV_PATTERN_AND,
  SIPSV_PATTERN_OR,
  SIPSV_PATTERN_NOT,
} SipsvPatternKind;

/* Indexed by SipsvPatternKind: the names of sip.xml and to_string(). */
static const char *const kind_names[] = {
  "equal", "contains", "exists", "subdomain-of", "and", "or", "not",
};

/* Where a variable's value comes from. */
typedef enum
{
  SIPSV_SOURCE_METHOD,
  SIPSV_SOURCE_REQUEST_URI,
  SIPSV_SOURCE_FROM,
  SIPSV_SOURCE_TO,
} SipsvSource;

/* Which part of the source. */
typedef enum
{
  SIPSV_FIELD_TEXT, /* the method, or the whole From/To */
  SIPSV_FIELD_DISPLAY_NAME,
  SIPSV_FIELD_URI,
  SIPSV_FIELD_URI_SCHEME,
  SIPSV_FIELD_URI_USER,
  SIPSV_FIELD_URI_HOST,
  SIPSV_FIELD_URI_PORT,
  SIPSV_FIELD_URI_TEL,
  SIPSV_FIELD_URI_PARAM,
} SipsvField;

typedef struct
{
  SipsvSource source;
  SipsvField field;
  const char *param; /* URI_PARAM: the name, inside the variable text */
} SipsvVariable;

struct _SipPattern {
  gatomicrefcount ref_count;
  SipsvPatternKind kind;
  char *variable;               /* comparisons and exists */
  SipsvVariable parsed;         /* the same, parsed (param points into variable) */
  char *value;                  /* equal, contains, subdomain-of */
  gboolean ignore_case;
  GPtrArray *children;          /* and, or, not: SipPattern, owned */
};

SipPattern *
sipservlet_pattern_ref (SipPattern *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);
  g_atomic_ref_count_inc (&pattern->ref_count);
  return pattern;
}

void
sipservlet_pattern_unref (SipPattern *pattern)
{
  g_return_if_fail (pattern != NULL);
  if (!g_atomic_ref_count_dec (&pattern->ref_count))
    return;
  g_free (pattern->variable);
  g_free (pattern->value);
  g_clear_pointer (&pattern->children, g_ptr_array_unref);
  g_free (pattern);
}

/* ---- variables (the list in sipservlet-pattern.h) ------------------------ */

/* The text after prefix when name starts with it, else NULL. */
static const char *
after_prefix (const char *name, const char *prefix)
{
  return g_str_has_prefix (name, prefix) ? name + strlen (prefix) : NULL;
}

/* A URI parameter name: RFC 3261 paramchar (escapes allowed as written). */
static gboolean
param_name_is_valid (const char *name)
{
  if (name[0] == '\0')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.!~*'()[]/:&+$%", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* rest follows "request.uri" or "….uri": "", ".scheme", …, ".param.NAME". */
static gboolean
uri_field_parse (const char *rest, SipsvVariable *out)
{
  static const struct
  {
    const char *suffix;
    SipsvField field;
  } fields[] = {
    { "", SIPSV_FIELD_URI },           { ".scheme", SIPSV_FIELD_URI_SCHEME },
    { ".user", SIPSV_FIELD_URI_USER }, { ".host", SIPSV_FIELD_URI_HOST },
    { ".port", SIPSV_FIELD_URI_PORT }, { ".tel", SIPSV_FIELD_URI_TEL },
  };
  const char *param = after_prefix (rest, ".param.");

  if (param != NULL && param_name_is_valid (param))
    {
      out->field = SIPSV_FIELD_URI_PARAM;
      out->param = param;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (rest, fields[i].suffix))
      {
        out->field = fields[i].field;
        return TRUE;
      }
  return FALSE;
}

/* rest follows "request.from" or "request.to". */
static gboolean
address_field_parse (const char *rest, SipsvVariable *out)
{
  const char *uri_rest = after_prefix (rest, ".uri");

  if (uri_rest != NULL)
    return uri_field_parse (uri_rest, out);
  out->field = rest[0] == '\0' ? SIPSV_FIELD_TEXT : SIPSV_FIELD_DISPLAY_NAME;
  return rest[0] == '\0' || g_str_equal (rest, ".display-name");
}

/* Variable names are case-sensitive, as in JSR 289's reference
 * implementation; only a URI parameter's NAME is matched without case. */
static gboolean
variable_parse (const char *name, SipsvVariable *out)
{
  const char *rest;

  out->param = NULL;
  out->field = SIPSV_FIELD_TEXT;
  if (g_str_equal (name, "request.method"))
    {
      out->source = SIPSV_SOURCE_METHOD;
      return TRUE;
    }
  if ((rest = after_prefix (name, "request.uri")) != NULL)
    {
      out->source = SIPSV_SOURCE_REQUEST_URI;
      return uri_field_parse (rest, out);
    }
  if ((rest = after_prefix (name, "request.from")) != NULL)
    out->source = SIPSV_SOURCE_FROM;
  else if ((rest = after_prefix (name, "request.to")) != NULL)
    out->source = SIPSV_SOURCE_TO;
  else
    return FALSE;
  return address_field_parse (rest, out);
}

gboolean
sipsv_pattern_variable_is_valid (const char *name)
{
  SipsvVariable parsed;

  return name != NULL && variable_parse (name, &parsed);
}

/* ---- building ---------------------------------------------------------- */

static SipPattern *
pattern_new (SipsvPatternKind kind)
{
  SipPattern *pattern = g_new0 (SipPattern, 1);

  g_atomic_ref_count_init (&pattern->ref_count);
  pattern->kind = kind;
  return pattern;
}

static SipPattern *
leaf_new (SipsvPatternKind kind, const char *variable, const char *value, gboolean ignore_case,
          GError **error)
{
  SipsvVariable parsed;

  if (!variable_parse (variable, &parsed))
    {
      g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT,
                   "unknown variable \"%s\" in %s (JSR 289 §16.2.4: request.method, "
                   "request.uri[.scheme|.user|.host|.port|.tel|.param.NAME], "
                   "request.from and request.to with .uri… and .display-name)",
                   variable, kind_names[kind]);
      return NULL;
    }
  SipPattern *pattern = pattern_new (kind);
  pattern->variable = g_strdup (variable);
  /* Parsed again from our own copy: param must point into it. */
  variable_parse (pattern->variable, &pattern->parsed);
  pattern->value = g_strdup (value);
  pattern->ignore_case = ignore_case;
  return pattern;
}

SipPattern *
sipservlet_pattern_equal (const char *variable, const char *value, gboolean ignore_case,
                          GError **error)
{
  g_return_val_if_fail (variable != NULL && value != NULL, NULL);
  return leaf_new (SIPSV_PATTERN_EQUAL, variable, value, ignore_case, error);
}

SipPattern *
sipservlet_pattern_contains (const char *variable, const char *value, gboolean ignore_case,
                             GError **error)
{
  g_return_val_if_fail (variable != NULL && value != NULL, NULL);
  return leaf_new (SIPSV_PATTERN_CONTAINS, variable, value, ignore_case, error);
}

SipPattern *
sipservlet_pattern_exists (const char *variable, GError **error)
{
  g_return_val_if_fail (variable != NULL, NULL);
  return leaf_new (SIPSV_PATTERN_EXISTS, variable, NULL, FALSE, error);
}

SipPattern *
sipservlet_pattern_subdomain_of (const char *variable, const char *domain, GError **error)
{
  g_return_val_if_fail (variable != NULL && domain != NULL, NULL);
  return leaf_new (SIPSV_PATTERN_SUBDOMAIN_OF, variable, domain, FALSE, error);
}

/* A NULL child usually means building it failed and set error already:
 * that error says more than ours would, so it is kept. */
static void set_missing_child_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
set_missing_child_error (GError **error, const char *format, ...)
{
  va_list args;

  if (error == NULL || *error != NULL)
    return;
  va_start (args, format);
  *error = g_error_new_valist (SIPSERVLET_ERROR, SIPSERVLET_ERROR_INVALID_ARGUMENT, format, args);
  va_end (args);
}

/* Takes the children first, so that every way out releases them. */
static SipPattern *
logical_new (SipsvPatternKind kind, SipPattern **children, guint n_children, GError **error)
{
  GPtrArray *owned = g_ptr_array_new_full (n_children, (GDestroyNotify) sipservlet_pattern_unref);
  guint missing = n_children;

  for (guint i = 0; i < n_children; i++)
    if (children[i] != NULL)
      g_ptr_array_add (owned, children[i]);
    else if (missing == n_children)
      missing = i;
  if (n_children == 0 || missing < n_children)
    {
      g_ptr_array_unref (owned);
      if (n_children == 0)
        set_missing_child_error (error, "%s needs at least one condition", kind_names[kind]);
      else
        set_missing_child_error (error, "%s: condition %u is missing (NULL)", kind_names[kind],
                                 missing + 1);
      return NULL;
    }
  SipPattern *pattern = pattern_new (kind);
  pattern->children = owned;
  return pattern;
}

SipPattern *
sipservlet_pattern_and (SipPattern **children, guint n_children, GError **error)
{
  g_return_val_if_fail (children != NULL || n_children == 0, NULL);
  return logical_new (SIPSV_PATTERN_AND, children, n_children, error);
}

SipPattern *
sipservlet_pattern_or (SipPattern **children, guint n_children, GError **error)
{
  g_return_val_if_fail (children != NULL || n_children == 0, NULL);
  return logical_new (SIPSV_PATTERN_OR, children, n_children, error);
}

SipPattern *
sipservlet_pattern_not (SipPattern *child, GError **error)
{
  return logical_new (SIPSV_PATTERN_NOT, &child, 1, error);
}

/* ---- reading the request ------------------------------------------------- */

/* The port as JSR 289 §16.2.4 reads it: the default one when absent. */
static char *
uri_port (const SipURI *uri)
{
  gint port = sipservlet_uri_get_port (uri);

  if (!sipservlet_uri_is_sip (uri))
    return NULL;
  if (port < 0)
    port = sipservlet_uri_is_secure (uri) ? 5061 : 5060;
  return g_strdup_printf ("%d", port);
}

/* The number of a tel URI, or of a sip/sips URI with user=phone (its user
 * part up to the first ';', which starts isub or phone-context), without
 * the visual separators and without a leading '+' (as TelURL's
 * getPhoneNumber() gives it, so that both forms of a number compare the
 * same). */
static char *
uri_tel (const SipURI *uri)
{
  const char *number = NULL;
  const char *user_param = sipservlet_uri_get_parameter (uri, "user");

  if (sipservlet_uri_is_tel (uri))
    number = sipservlet_uri_get_phone_number (uri);
  else if (sipservlet_uri_is_sip (uri) && user_param != NULL
           && g_ascii_strcasecmp (user_param, "phone") == 0)
    number = sipservlet_uri_get_user (uri);
  if (number == NULL)
    return NULL;
  if (number[0] == '+')
    number++;
  GString *digits = g_string_new (NULL);
  for (const char *p = number; *p != '\0' && *p != ';'; p++)
    if (strchr ("-.()", *p) == NULL)
      g_string_append_c (digits, *p);
  return g_string_free (digits, FALSE);
}

/* NULL when the URI has no such part (a variable the request lacks). */
static char *
uri_value (const SipsvVariable *variable, const SipURI *uri)
{
  if (uri == NULL)
    return NULL;
  switch (variable->field)
    {
      case SIPSV_FIELD_URI:
        return sipservlet_uri_to_string (uri);
      case SIPSV_FIELD_URI_SCHEME:
        return g_strdup (sipservlet_uri_get_scheme (uri));
      case SIPSV_FIELD_URI_USER:
        return g_strdup (sipservlet_uri_get_user (uri));
      case SIPSV_FIELD_URI_HOST:
        return g_strdup (sipservlet_uri_get_host (uri));
      case SIPSV_FIELD_URI_PORT:
        return uri_port (uri);
      case SIPSV_FIELD_URI_TEL:
        return uri_tel (uri);
      case SIPSV_FIELD_URI_PARAM:
        return g_strdup (sipservlet_uri_get_parameter (uri, variable->param));
      case SIPSV_FIELD_TEXT:
      case SIPSV_FIELD_DISPLAY_NAME:
      default:
        g_return_val_if_reached (NULL);
    }
}

static char *
address_value (const SipsvVariable *variable, SipAddress *address)
{
  if (address == NULL)
    return NULL;
  if (variable->field == SIPSV_FIELD_TEXT)
    return sipservlet_address_to_string (address);
  if (variable->field == SIPSV_FIELD_DISPLAY_NAME)
    return g_strdup (sipservlet_address_get_display_name (address));
  return uri_value (variable, sipservlet_address_get_uri (address));
}

/* The variable's value in request (g_free()), or NULL when it has none. */
static char *
variable_value (const SipsvVariable *variable, SipServletRequest *request)
{
  SipServletMessage *message = sipservlet_request_get_message (request);
  SipAddress *address = NULL;
  char *value;

  switch (variable->source)
    {
      case SIPSV_SOURCE_METHOD:
        return g_strdup (sipservlet_message_get_method (message));
      case SIPSV_SOURCE_REQUEST_URI:
        return uri_value (variable, sipservlet_request_get_request_uri (request));
      case SIPSV_SOURCE_FROM:
        address = sipservlet_message_get_from (message);
        break;
      case SIPSV_SOURCE_TO:
        address = sipservlet_message_get_to (message);
        break;
      default:
        g_return_val_if_reached (NULL);
    }
  value = address_value (variable, address);
  g_clear_pointer (&address, sipservlet_address_unref);
  return value;
}

/* ---- matching ------------------------------------------------------------ */

static gboolean
text_contains (const char *text, const char *part, gboolean ignore_case)
{
  if (!ignore_case)
    return strstr (text, part) != NULL;
  /* ASCII folding only, as for equal: UTF-8 bytes stay as they are. */
  g_autofree char *folded_text = g_ascii_strdown (text, -1);
  g_autofree char *folded_part = g_ascii_strdown (part, -1);
  return strstr (folded_text, folded_part) != NULL;
}

/* JSR 289 §16.2.3: the domain itself, or a name ending in "." + domain,
 * so that "xexample.com" is not a subdomain of "example.com". */
static gboolean
is_subdomain (const char *name, const char *domain)
{
  size_t name_len = strlen (name);
  size_t domain_len = strlen (domain);

  if (name_len < domain_len || g_ascii_strcasecmp (name + name_len - domain_len, domain) != 0)
    return FALSE;
  return name_len == domain_len || name[name_len - domain_len - 1] == '.';
}

static gboolean
leaf_matches (SipPattern *pattern, SipServletRequest *request)
{
  g_autofree char *actual = variable_value (&pattern->parsed, request);

  if (actual == NULL)
    return FALSE;
  switch (pattern->kind)
    {
      case SIPSV_PATTERN_EQUAL:
        return pattern->ignore_case ? g_ascii_strcasecmp (actual, pattern->value) == 0
                                    : strcmp (actual, pattern->value) == 0;
      case SIPSV_PATTERN_CONTAINS:
        return text_contains (actual, pattern->value, pattern->ignore_case);
      case SIPSV_PATTERN_SUBDOMAIN_OF:
        return is_subdomain (actual, pattern->value);
      case SIPSV_PATTERN_EXISTS:
        return TRUE;
      case SIPSV_PATTERN_AND:
      case SIPSV_PATTERN_OR:
      case SIPSV_PATTERN_NOT:
      default:
        g_return_val_if_reached (FALSE);
    }
}

static gboolean
pattern_matches (SipPattern *pattern, SipServletRequest *request)
{
  switch (pattern->kind)
    {
      case SIPSV_PATTERN_AND:
        for (guint i = 0; i < pattern->children->len; i++)
          if (!pattern_matches (pattern->children->pdata[i], request))
            return FALSE;
        return TRUE;
      case SIPSV_PATTERN_OR:
        for (guint i = 0; i < pattern->children->len; i++)
          if (pattern_matches (pattern->children->pdata[i], request))
            return TRUE;
        return FALSE;
      case SIPSV_PATTERN_NOT:
        return !pattern_matches (pattern->children->pdata[0], request);
      case SIPSV_PATTERN_EQUAL:
      case SIPSV_PATTERN_CONTAINS:
      case SIPSV_PATTERN_EXISTS:
      case SIPSV_PATTERN_SUBDOMAIN_OF:
      default:
        return leaf_matches (pattern, request);
    }
}

gboolean
sipservlet_pattern_matches (SipPattern *pattern, SipServletRequest *request)
{
  g_return_val_if_fail (pattern != NULL && request != NULL, FALSE);
  return pattern_matches (pattern, request);
}

/* ---- printing ------------------------------------------------------------ */

/* A C-like quoted string, so that a value with quotes, commas or control
 * characters still reads unambiguously in a log line. */
static void
append_quoted (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '"' || *p == '\\')
      g_string_append_printf (out, "\\%c", *p);
    else if ((guchar) *p < 0x20 || *p == 0x7f)
      g_string_append_printf (out, "\\x%02x", (guchar) *p);
    else
      g_string_append_c (out, *p);
  g_string_append_c (out, '"');
}

static void
append_pattern (GString *out, SipPattern *pattern)
{
  g_string_append_printf (out, "%s(", kind_names[pattern->kind]);
  if (pattern->children != NULL)
    for (guint i = 0; i < pattern->children->len; i++)
      {
        if (i > 0)
          g_string_append (out, ", ");
        append_pattern (out, pattern->children->pdata[i]);
      }
  else
    g_string_append (out, pattern->variable);
  if (pattern->value != NULL)
    {
      g_string_append (out, ", ");
      append_quoted (out, pattern->value);
    }
  if (pattern->ignore_case)
    g_string_append (out, ", ignore-case");
  g_string_append_c (out, ')');
}

char *
sipservlet_pattern_to_string (SipPattern *pattern)
{
  GString *out;

  g_return_val_if_fail (pattern != NULL, NULL);
  out = g_string_new (NULL);
  append_pattern (out, pattern);
  return g_string_free (out, FALSE);
}
