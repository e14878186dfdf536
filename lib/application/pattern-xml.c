/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - reading sip.xml's conditions (JSR 289 §16.2) with GMarkup.
 *
 * One reader handles both uses: a document of its own
 * (sipservlet_pattern_parse_xml(), whose root may be <pattern> or a bare
 * condition) and the content of a <pattern> inside sip.xml, where
 * descriptor.c pushes it as a GMarkup sub-parser. The reader keeps a stack
 * of open elements (frames); a condition is built when its element ends
 * and handed to the frame below, so errors name the line they occur on. */
#include "config-private.h"

#include <string.h>

#include "application/application-private.h"

typedef enum
{
  FRAME_ROOT,    /* the document, or the <pattern> a sub-parser reads */
  FRAME_WRAPPER, /* <pattern> as the root of a document */
  FRAME_AND,
  FRAME_OR,
  FRAME_NOT,
  FRAME_EQUAL,
  FRAME_CONTAINS,
  FRAME_EXISTS,
  FRAME_SUBDOMAIN_OF,
  FRAME_VAR,
  FRAME_VALUE,
} FrameKind;

static const struct
{
  const char *name;
  FrameKind kind;
} condition_elements[] = {
  { "and", FRAME_AND },
  { "or", FRAME_OR },
  { "not", FRAME_NOT },
  { "equal", FRAME_EQUAL },
  { "contains", FRAME_CONTAINS },
  { "exists", FRAME_EXISTS },
  { "subdomain-of", FRAME_SUBDOMAIN_OF },
};

typedef struct
{
  FrameKind kind;
  char *label;         /* "<equal>" as written, for messages */
  gint line;           /* of its start tag */
  GPtrArray *children; /* SipPattern: the conditions read so far */
  char *var;           /* a comparison's <var> text, once read */
  gint var_line;
  char *value; /* and its <value> */
  gboolean ignore_case;
  GString *text; /* <var>, <value>: the text so far */
} Frame;

typedef struct
{
  GPtrArray *frames; /* Frame; [0] is the root */
  char *file;        /* for messages, or NULL */
  gboolean document; /* a document of its own: <pattern> may be its root */
} Reader;

/* ---- shared helpers (application-private.h) ---------------------------- */

void
sipsv_pattern_set_parse_error (GError **error, const char *file, gint line, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (file != NULL)
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE, "%s:%d: %s", file, line, message);
  else
    g_set_error (error, SIPSERVLET_ERROR, SIPSERVLET_ERROR_PARSE, "line %d: %s", line, message);
}

gboolean
sipsv_pattern_markup_parse (GMarkupParseContext *context, const char *xml, gssize length,
                            GError **error)
{
  /* GMarkup never counts its input's first character as a newline: a
   * leading space it ignores keeps the lines of a document that starts
   * with one right. */
  GString *text = g_string_new (" ");
  gboolean ok;

  g_string_append_len (text, xml, length < 0 ? (gssize) strlen (xml) : length);
  ok = g_markup_parse_context_parse (context, text->str, (gssize) text->len, error)
       && g_markup_parse_context_end_parse (context, error);
  g_string_free (text, TRUE);
  return ok;
}

gint
sipsv_pattern_markup_line (GMarkupParseContext *context)
{
  gint line, column;

  /* GMarkup counts a newline as soon as it reaches it: right after a tag
   * that ends its line it already gives the next line, with column 1. */
  g_markup_parse_context_get_position (context, &line, &column);
  return column == 1 && line > 1 ? line - 1 : line;
}

void
sipsv_pattern_propagate_markup_error (GError **dest, GError *src, GMarkupParseContext *context,
                                      const char *file)
{
  gint line, column;

  if (src->domain != G_MARKUP_ERROR)
    {
      g_propagate_error (dest, src);
      return;
    }
  g_markup_parse_context_get_position (context, &line, &column);
  /* GMarkup starts its messages with the position; ours says it first,
   * in the form every other error of this file uses. */
  g_autofree char *glib_prefix
      = g_strdup_printf (g_dgettext ("glib20", "Error on line %d char %d: "), line, column);
  const char *reason = g_str_has_prefix (src->message, glib_prefix)
                           ? src->message + strlen (glib_prefix)
                           : src->message;
  sipsv_pattern_set_parse_error (dest, file, sipsv_pattern_markup_line (context),
                                 "malformed XML: %s", reason);
  g_error_free (src);
}

const char *
sipsv_pattern_xml_local_name (const char *name)
{
  const char *colon = strrchr (name, ':');

  return colon != NULL ? colon + 1 : name;
}

static gboolean
is_xml_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *
sipsv_pattern_xml_token (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean pending_space = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (is_xml_space (*p))
      pending_space = out->len > 0;
    else
      {
        if (pending_space)
          g_string_append_c (out, ' ');
        pending_space = FALSE;
        g_string_append_c (out, *p);
      }
  return g_string_free (out, FALSE);
}

/* ---- frames ---------------------------------------------------------------- */

static Frame *
frame_new (FrameKind kind, const char *label, gint line)
{
  Frame *frame = g_new0 (Frame, 1);

  frame->kind = kind;
  frame->label = g_strdup (label);
  frame->line = line;
  frame->children = g_ptr_array_new_with_free_func ((GDestroyNotify) sipservlet_pattern_unref);
  if (kind == FRAME_VAR || kind == FRAME_VALUE)
    frame->text = g_string_new (NULL);
  return frame;
}

static void
frame_free (Frame *frame)
{
  g_free (frame->label);
  g_ptr_array_unref (frame->children);
  g_free (frame->var);
  g_free (frame->value);
  if (frame->text != NULL)
    g_string_free (frame->text, TRUE);
  g_free (frame);
}

static gboolean
frame_is_comparison (const Frame *frame)
{
  return frame->kind == FRAME_EQUAL || frame->kind == FRAME_CONTAINS || frame->kind == FRAME_EXISTS
         || frame->kind == FRAME_SUBDOMAIN_OF;
}

/* The frames that hold exactly one condition. */
static gboolean
frame_takes_one (const Frame *frame)
{
  return frame->kind == FRAME_ROOT || frame->kind == FRAME_WRAPPER || frame->kind == FRAME_NOT;
}

static Reader *
reader_new (const char *file, gboolean document)
{
  Reader *reader = g_new0 (Reader, 1);

  reader->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
  reader->file = g_strdup (file);
  reader->document = document;
  /* A sub-parser's root is the <pattern> descriptor.c found. */
  g_ptr_array_add (reader->frames,
                   frame_new (FRAME_ROOT, document ? "the document" : "<pattern>", 0));
  return reader;
}

static void
reader_free (Reader *reader)
{
  g_ptr_array_unref (reader->frames);
  g_free (reader->file);
  g_free (reader);
}

static Frame *
reader_top (Reader *reader)
{
  return reader->frames->pdata[reader->frames->len - 1];
}

/* Sets error at the parser's current line. */
static void reader_fail (Reader *reader, GMarkupParseContext *context, GError **error,
                         const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
reader_fail (Reader *reader, GMarkupParseContext *context, GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context), "%s",
                                 message);
}

/* ---- start tags -------------------------------------------------------- */

/* The ignore-case attribute, an xsd:boolean in the schema: NULL when it
 * is absent or valid, else its bad value. Other attributes (xmlns, id)
 * mean nothing here. */
static const char *
read_ignore_case (const char **names, const char **values, gboolean *ignore_case)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!g_str_equal (sipsv_pattern_xml_local_name (names[i]), "ignore-case"))
        continue;
      if (g_str_equal (values[i], "true") || g_str_equal (values[i], "1"))
        *ignore_case = TRUE;
      else if (g_str_equal (values[i], "false") || g_str_equal (values[i], "0"))
        *ignore_case = FALSE;
      else
        return values[i];
    }
  return NULL;
}

/* <var> or <value> inside a comparison. */
static Frame *
comparison_child_new (Reader *reader, GMarkupParseContext *context, Frame *parent,
                      const char *element, GError **error)
{
  const char *local = sipsv_pattern_xml_local_name (element);
  gboolean is_var = g_str_equal (local, "var");
  gboolean is_value = g_str_equal (local, "value") && parent->kind != FRAME_EXISTS;

  if (!is_var && !is_value)
    {
      reader_fail (reader, context, error, "%s holds <var>%s, not <%s>", parent->label,
                   parent->kind == FRAME_EXISTS ? "" : " and <value>", element);
      return NULL;
    }
  if ((is_var && parent->var != NULL) || (is_value && parent->value != NULL))
    {
      reader_fail (reader, context, error, "%s has more than one <%s>", parent->label, element);
      return NULL;
    }
  g_autofree char *label = g_strdup_printf ("<%s>", element);
  return frame_new (is_var ? FRAME_VAR : FRAME_VALUE, label, sipsv_pattern_markup_line (context));
}

static gboolean
lookup_condition (const char *local, FrameKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (condition_elements); i++)
    if (g_str_equal (local, condition_elements[i].name))
      {
        *kind = condition_elements[i].kind;
        return TRUE;
      }
  return FALSE;
}

/* A condition element (or a document's <pattern>) inside parent. */
static Frame *
condition_new (Reader *reader, GMarkupParseContext *context, Frame *parent, const char *element,
               const char **names, const char **values, GError **error)
{
  const char *local = sipsv_pattern_xml_local_name (element);
  gboolean wrapper
      = reader->document && parent->kind == FRAME_ROOT && g_str_equal (local, "pattern");
  FrameKind kind = FRAME_WRAPPER;
  const char *bad_value = NULL;

  if (!wrapper && !lookup_condition (local, &kind))
    {
      reader_fail (reader, context, error,
                   "unknown element <%s> in %s (a condition is one of "
                   "and, or, not, equal, contains, exists, subdomain-of)",
                   element, parent->label);
      return NULL;
    }
  if (frame_takes_one (parent) && parent->children->len > 0)
    {
      reader_fail (reader, context, error, "%s holds exactly one condition; <%s> is one more",
                   parent->label, element);
      return NULL;
    }
  g_autofree char *label = g_strdup_printf ("<%s>", element);
  Frame *frame = frame_new (kind, label, sipsv_pattern_markup_line (context));
  if (kind == FRAME_EQUAL || kind == FRAME_CONTAINS)
    bad_value = read_ignore_case (names, values, &frame->ignore_case);
  if (bad_value != NULL)
    {
      reader_fail (reader, context, error, "%s: ignore-case is \"%s\", not true or false", label,
                   bad_value);
      g_clear_pointer (&frame, frame_free);
    }
  return frame;
}

static void
reader_start (GMarkupParseContext *context, const char *element, const char **names,
              const char **values, gpointer data, GError **error)
{
  Reader *reader = data;
  Frame *parent = reader_top (reader);
  Frame *frame;

  if (parent->kind == FRAME_VAR || parent->kind == FRAME_VALUE)
    {
      reader_fail (reader, context, error, "%s holds text, not <%s>", parent->label, element);
      return;
    }
  if (frame_is_comparison (parent))
    frame = comparison_child_new (reader, context, parent, element, error);
  else
    frame = condition_new (reader, context, parent, element, names, values, error);
  if (frame != NULL)
    g_ptr_array_add (reader->frames, frame);
}

/* ---- end tags ---------------------------------------------------------- */

/* The constructor's INVALID_ARGUMENT (an unknown variable) becomes a
 * parse error at the <var> that named it. */
static SipPattern *
comparison_build (Reader *reader, GMarkupParseContext *context, Frame *frame, GError **error)
{
  SipPattern *pattern = NULL;
  GError *local = NULL;

  if (frame->var == NULL || (frame->kind != FRAME_EXISTS && frame->value == NULL))
    {
      reader_fail (reader, context, error, "%s needs a <var>%s", frame->label,
                   frame->kind == FRAME_EXISTS ? "" : " and a <value>");
      return NULL;
    }
  if (frame->kind == FRAME_EQUAL)
    pattern = sipservlet_pattern_equal (frame->var, frame->value, frame->ignore_case, &local);
  else if (frame->kind == FRAME_CONTAINS)
    pattern = sipservlet_pattern_contains (frame->var, frame->value, frame->ignore_case, &local);
  else if (frame->kind == FRAME_EXISTS)
    pattern = sipservlet_pattern_exists (frame->var, &local);
  else
    pattern = sipservlet_pattern_subdomain_of (frame->var, frame->value, &local);
  if (pattern == NULL)
    {
      sipsv_pattern_set_parse_error (error, reader->file, frame->var_line, "%s", local->message);
      g_error_free (local);
    }
  return pattern;
}

static SipPattern *
logical_build (Reader *reader, GMarkupParseContext *context, Frame *frame, GError **error)
{
  guint n = frame->children->len;
  SipPattern **children;
  SipPattern *pattern;

  if (n == 0)
    {
      reader_fail (reader, context, error, "%s needs %s condition", frame->label,
                   frame->kind == FRAME_NOT ? "one" : "at least one");
      return NULL;
    }
  /* The constructors take the children; n > 0 and none is NULL, so they
   * cannot fail. */
  children = (SipPattern **) g_ptr_array_steal (frame->children, NULL);
  if (frame->kind == FRAME_AND)
    pattern = sipservlet_pattern_and (children, n, NULL);
  else if (frame->kind == FRAME_OR)
    pattern = sipservlet_pattern_or (children, n, NULL);
  else
    pattern = sipservlet_pattern_not (children[0], NULL);
  g_free (children);
  return pattern;
}

/* The one condition of a <pattern> (root or wrapper); more than one was
 * refused when it started. */
static SipPattern *
only_child (Reader *reader, GMarkupParseContext *context, Frame *frame, GError **error)
{
  if (frame->children->len == 0)
    {
      reader_fail (reader, context, error, "%s holds no condition", frame->label);
      return NULL;
    }
  return g_ptr_array_steal_index (frame->children, 0);
}

/* What the ending frame adds to the one below it. */
static gboolean
frame_finish (Reader *reader, GMarkupParseContext *context, Frame *frame, Frame *parent,
              GError **error)
{
  SipPattern *pattern;

  switch (frame->kind)
    {
      case FRAME_VAR:
        parent->var = sipsv_pattern_xml_token (frame->text->str);
        parent->var_line = frame->line;
        return TRUE;
      case FRAME_VALUE:
        parent->value = sipsv_pattern_xml_token (frame->text->str);
        return TRUE;
      case FRAME_WRAPPER:
        pattern = only_child (reader, context, frame, error);
        break;
      case FRAME_AND:
      case FRAME_OR:
      case FRAME_NOT:
        pattern = logical_build (reader, context, frame, error);
        break;
      case FRAME_EQUAL:
      case FRAME_CONTAINS:
      case FRAME_EXISTS:
      case FRAME_SUBDOMAIN_OF:
        pattern = comparison_build (reader, context, frame, error);
        break;
      case FRAME_ROOT:
      default:
        g_return_val_if_reached (FALSE);
    }
  if (pattern != NULL)
    g_ptr_array_add (parent->children, pattern);
  return pattern != NULL;
}

static void
reader_end (GMarkupParseContext *context, const char *element, gpointer data, GError **error)
{
  Reader *reader = data;
  Frame *frame = g_ptr_array_steal_index (reader->frames, reader->frames->len - 1);

  frame_finish (reader, context, frame, reader_top (reader), error);
  frame_free (frame);
}

/* ---- text -------------------------------------------------------------- */

static void
reader_text (GMarkupParseContext *context, const char *text, gsize length, gpointer data,
             GError **error)
{
  Reader *reader = data;
  Frame *frame = reader_top (reader);

  if (frame->text != NULL)
    {
      g_string_append_len (frame->text, text, (gssize) length);
      return;
    }
  for (gsize i = 0; i < length; i++)
    if (!is_xml_space (text[i]))
      {
        reader_fail (reader, context, error, "unexpected text in %s", frame->label);
        return;
      }
}

/* ---- the two parsers ------------------------------------------------------ */

/* GMarkup reports an error to every parser on its stack, innermost first,
 * and never pops a sub-parser after one: the reader is freed here. */
static void
subparser_error (GMarkupParseContext *context, GError *error, gpointer data)
{
  reader_free (data);
}

static const GMarkupParser subparser = {
  reader_start, reader_end, reader_text, NULL, subparser_error,
};

/* The document's context owns its reader (destroy notify), so no error
 * callback. */
static const GMarkupParser document_parser = {
  reader_start, reader_end, reader_text, NULL, NULL,
};

void
sipsv_pattern_parser_push (GMarkupParseContext *context, const char *file)
{
  g_markup_parse_context_push (context, &subparser, reader_new (file, FALSE));
}

SipPattern *
sipsv_pattern_parser_pop (GMarkupParseContext *context, GError **error)
{
  Reader *reader = g_markup_parse_context_pop (context);
  SipPattern *pattern = only_child (reader, context, reader->frames->pdata[0], error);

  reader_free (reader);
  return pattern;
}

SipPattern *
sipservlet_pattern_parse_xml (const char *xml, gssize length, GError **error)
{
  Reader *reader;
  GMarkupParseContext *context;
  GError *local = NULL;
  SipPattern *pattern = NULL;

  g_return_val_if_fail (xml != NULL, NULL);
  reader = reader_new (NULL, TRUE);
  context = g_markup_parse_context_new (&document_parser, SIPSV_MARKUP_FLAGS, reader,
                                        (GDestroyNotify) reader_free);
  if (sipsv_pattern_markup_parse (context, xml, length, &local))
    pattern = only_child (reader, context, reader->frames->pdata[0], &local);
  if (local != NULL)
    sipsv_pattern_propagate_markup_error (error, local, context, NULL);
  g_markup_parse_context_free (context);
  return pattern;
}
