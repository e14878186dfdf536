/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - reading servlet selection from sip.xml (JSR 289 §16,
 * schema 1.1, and the 1.0 form with <servlet-mapping> under <sip-app>).
 *
 * Only what a C host cannot say in code is read: the application's name,
 * the main servlet or the mappings, and the servlet names. Everything else
 * (listeners, timeouts, security constraints…) is configured through the
 * API, so such an element is skipped whole, with one warning naming it,
 * rather than half-understood. <pattern> bodies go to pattern-xml.c's
 * sub-parser; skipped subtrees go to a sub-parser that does nothing. */
#include "config-private.h"

#include <string.h>

#include "application/application-private.h"

typedef enum
{
  ELEM_DOCUMENT, /* outside the root element */
  ELEM_SIP_APP,
  ELEM_APP_NAME,
  ELEM_SELECTION,
  ELEM_MAIN_SERVLET,
  ELEM_MAPPING,
  ELEM_MAPPING_SERVLET_NAME,
  ELEM_PATTERN,
  ELEM_SERVLET,
  ELEM_SERVLET_NAME,
  ELEM_SKIPPED,
} Elem;

/* Indexed by Elem, for messages. */
static const char *const elem_names[] = {
  "the document",   "<sip-app>",         "<app-name>",        "<servlet-selection>",
  "<main-servlet>", "<servlet-mapping>", "<servlet-name>",    "<pattern>",
  "<servlet>",      "<servlet-name>",    "a skipped element",
};

/* The elements read, by parent; any other child is skipped. */
static const struct
{
  Elem parent;
  const char *name;
  Elem elem;
} known_children[] = {
  { ELEM_DOCUMENT, "sip-app", ELEM_SIP_APP },
  { ELEM_SIP_APP, "app-name", ELEM_APP_NAME },
  { ELEM_SIP_APP, "servlet-selection", ELEM_SELECTION },
  { ELEM_SIP_APP, "servlet-mapping", ELEM_MAPPING }, /* the 1.0 form */
  { ELEM_SIP_APP, "servlet", ELEM_SERVLET },
  { ELEM_SELECTION, "main-servlet", ELEM_MAIN_SERVLET },
  { ELEM_SELECTION, "servlet-mapping", ELEM_MAPPING },
  { ELEM_MAPPING, "servlet-name", ELEM_MAPPING_SERVLET_NAME },
  { ELEM_MAPPING, "pattern", ELEM_PATTERN },
  { ELEM_SERVLET, "servlet-name", ELEM_SERVLET_NAME },
};

typedef struct
{
  SipsvDescriptor *out;
  const char *file; /* for messages: the filename or "sip.xml" */
  GArray *open;     /* Elem of every open element this parser sees */
  GString *text;    /* the text of the open text element */
  gboolean seen_root;
  SipsvDescriptorMapping *mapping; /* the <servlet-mapping> being read */
  gboolean servlet_named;          /* the <servlet> being read has its name */
} Reader;

static void
mapping_free (SipsvDescriptorMapping *mapping)
{
  g_free (mapping->servlet_name);
  g_clear_pointer (&mapping->pattern, sipservlet_pattern_unref);
  g_free (mapping);
}

void
sipsv_descriptor_clear (SipsvDescriptor *descriptor)
{
  g_clear_pointer (&descriptor->app_name, g_free);
  g_clear_pointer (&descriptor->main_servlet, g_free);
  g_clear_pointer (&descriptor->mappings, g_ptr_array_unref);
  g_clear_pointer (&descriptor->servlet_names, g_ptr_array_unref);
}

static Elem
reader_top (Reader *reader)
{
  return g_array_index (reader->open, Elem, reader->open->len - 1);
}

static gboolean
elem_is_text (Elem elem)
{
  return elem == ELEM_APP_NAME || elem == ELEM_MAIN_SERVLET || elem == ELEM_MAPPING_SERVLET_NAME
         || elem == ELEM_SERVLET_NAME;
}

static gboolean
lookup_child (Elem parent, const char *element, Elem *elem)
{
  const char *local = sipsv_pattern_xml_local_name (element);

  for (guint i = 0; i < G_N_ELEMENTS (known_children); i++)
    if (known_children[i].parent == parent && g_str_equal (known_children[i].name, local))
      {
        *elem = known_children[i].elem;
        return TRUE;
      }
  return FALSE;
}

/* ---- start tags ---------------------------------------------------------- */

/* conflict: a main servlet meets a mapping, whichever came first. */
static gboolean
check_selection (Reader *reader, GMarkupParseContext *context, gboolean conflict, GError **error)
{
  if (!conflict)
    return TRUE;
  sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                 "<main-servlet> and <servlet-mapping> exclude each other "
                                 "(JSR 289 §16.1: an application selects servlets one way)");
  return FALSE;
}

/* A second one of an element that may appear once. */
static gboolean
check_once (Reader *reader, GMarkupParseContext *context, gboolean already, Elem elem,
            const char *where, GError **error)
{
  if (!already)
    return TRUE;
  sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                 "more than one %s in %s", elem_names[elem], where);
  return FALSE;
}

/* The checks and bookkeeping of a known element's start tag. */
static gboolean
elem_open (Reader *reader, GMarkupParseContext *context, Elem elem, GError **error)
{
  SipsvDescriptor *out = reader->out;

  g_string_truncate (reader->text, 0);
  switch (elem)
    {
      case ELEM_SIP_APP:
        reader->seen_root = TRUE;
        return TRUE;
      case ELEM_APP_NAME:
        out->app_name_line = sipsv_pattern_markup_line (context);
        return check_once (reader, context, out->app_name != NULL, elem, "<sip-app>", error);
      case ELEM_MAIN_SERVLET:
        out->main_servlet_line = sipsv_pattern_markup_line (context);
        return check_once (reader, context, out->main_servlet != NULL, elem, "the document", error)
               && check_selection (reader, context, out->mappings->len > 0, error);
      case ELEM_MAPPING:
        reader->mapping = g_new0 (SipsvDescriptorMapping, 1);
        reader->mapping->line = sipsv_pattern_markup_line (context);
        return check_selection (reader, context, out->main_servlet != NULL, error);
      case ELEM_MAPPING_SERVLET_NAME:
        return check_once (reader, context, reader->mapping->servlet_name != NULL, elem,
                           "<servlet-mapping>", error);
      case ELEM_PATTERN:
        return check_once (reader, context, reader->mapping->pattern != NULL, elem,
                           "<servlet-mapping>", error);
      case ELEM_SERVLET:
        reader->servlet_named = FALSE;
        return TRUE;
      case ELEM_SERVLET_NAME:
        return check_once (reader, context, reader->servlet_named, elem, "<servlet>", error);
      case ELEM_DOCUMENT:
      case ELEM_SELECTION:
      case ELEM_SKIPPED:
      default:
        return TRUE;
    }
}

/* Skipped subtrees go to a parser with no callbacks. */
static const GMarkupParser skip_parser = { NULL, NULL, NULL, NULL, NULL };

static void
skip_element (Reader *reader, GMarkupParseContext *context, const char *element)
{
  const Elem skipped = ELEM_SKIPPED;

  g_warning ("%s:%d: <%s> is ignored", reader->file, sipsv_pattern_markup_line (context), element);
  g_array_append_val (reader->open, skipped);
  g_markup_parse_context_push (context, &skip_parser, NULL);
}

static void
reader_start (GMarkupParseContext *context, const char *element, const char **names,
              const char **values, gpointer data, GError **error)
{
  Reader *reader = data;
  Elem parent = reader_top (reader);
  Elem elem;

  if (parent == ELEM_DOCUMENT && (reader->seen_root || !lookup_child (parent, element, &elem)))
    {
      sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                     "%s <%s>: sip.xml has one root element, <sip-app>",
                                     reader->seen_root ? "another root element" : "root element",
                                     element);
      return;
    }
  if (!lookup_child (parent, element, &elem))
    {
      skip_element (reader, context, element);
      return;
    }
  if (!elem_open (reader, context, elem, error))
    return;
  g_array_append_val (reader->open, elem);
  if (elem == ELEM_PATTERN)
    sipsv_pattern_parser_push (context, reader->file);
}

/* ---- end tags ------------------------------------------------------------ */

static gboolean
servlet_name_add (Reader *reader, GMarkupParseContext *context, char *name, GError **error)
{
  GPtrArray *names = reader->out->servlet_names;

  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      {
        sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                       "servlet \"%s\" is declared twice", name);
        g_free (name);
        return FALSE;
      }
  g_ptr_array_add (names, name);
  reader->servlet_named = TRUE;
  return TRUE;
}

/* A text element's value, where it belongs (taken). */
static gboolean
text_finish (Reader *reader, GMarkupParseContext *context, Elem elem, GError **error)
{
  char *value = sipsv_pattern_xml_token (reader->text->str);

  if (value[0] == '\0')
    {
      sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                     "%s is empty", elem_names[elem]);
      g_free (value);
      return FALSE;
    }
  if (elem == ELEM_APP_NAME)
    reader->out->app_name = value;
  else if (elem == ELEM_MAIN_SERVLET)
    reader->out->main_servlet = value;
  else if (elem == ELEM_MAPPING_SERVLET_NAME)
    reader->mapping->servlet_name = value;
  else
    return servlet_name_add (reader, context, value, error);
  return TRUE;
}

static gboolean
mapping_finish (Reader *reader, GMarkupParseContext *context, GError **error)
{
  SipsvDescriptorMapping *mapping = g_steal_pointer (&reader->mapping);

  if (mapping->servlet_name == NULL || mapping->pattern == NULL)
    {
      sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                     "<servlet-mapping> needs a <servlet-name> and a <pattern>");
      mapping_free (mapping);
      return FALSE;
    }
  g_ptr_array_add (reader->out->mappings, mapping);
  return TRUE;
}

static void
reader_end (GMarkupParseContext *context, const char *element, gpointer data, GError **error)
{
  Reader *reader = data;
  Elem elem = reader_top (reader);

  g_array_set_size (reader->open, reader->open->len - 1);
  /* A sub-parser must be popped before anything else happens. */
  if (elem == ELEM_SKIPPED)
    g_markup_parse_context_pop (context);
  else if (elem == ELEM_PATTERN)
    reader->mapping->pattern = sipsv_pattern_parser_pop (context, error);
  else if (elem_is_text (elem))
    text_finish (reader, context, elem, error);
  else if (elem == ELEM_MAPPING)
    mapping_finish (reader, context, error);
  else if (elem == ELEM_SERVLET && !reader->servlet_named)
    sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                   "<servlet> needs a <servlet-name>");
}

/* ---- text ---------------------------------------------------------------- */

static void
reader_text (GMarkupParseContext *context, const char *text, gsize length, gpointer data,
             GError **error)
{
  Reader *reader = data;
  Elem elem = reader_top (reader);

  if (elem_is_text (elem))
    {
      g_string_append_len (reader->text, text, (gssize) length);
      return;
    }
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      {
        sipsv_pattern_set_parse_error (error, reader->file, sipsv_pattern_markup_line (context),
                                       "unexpected text in %s", elem_names[elem]);
        return;
      }
}

/* ---- the document ------------------------------------------------------- */

static const GMarkupParser descriptor_parser = {
  reader_start, reader_end, reader_text, NULL, NULL,
};

gboolean
sipsv_descriptor_parse (SipsvDescriptor *descriptor, const char *xml, gssize length,
                        const char *filename, GError **error)
{
  const Elem document = ELEM_DOCUMENT;
  Reader reader = { 0 };
  GMarkupParseContext *context;
  GError *local = NULL;
  gboolean ok;

  memset (descriptor, 0, sizeof *descriptor);
  descriptor->mappings = g_ptr_array_new_with_free_func ((GDestroyNotify) mapping_free);
  descriptor->servlet_names = g_ptr_array_new_with_free_func (g_free);
  g_return_val_if_fail (xml != NULL, FALSE);

  reader.out = descriptor;
  reader.file = filename != NULL ? filename : "sip.xml";
  reader.open = g_array_new (FALSE, FALSE, sizeof (Elem));
  g_array_append_val (reader.open, document);
  reader.text = g_string_new (NULL);
  context = g_markup_parse_context_new (&descriptor_parser, SIPSV_MARKUP_FLAGS, &reader, NULL);
  ok = sipsv_pattern_markup_parse (context, xml, length, &local);
  if (!ok)
    sipsv_pattern_propagate_markup_error (error, local, context, reader.file);
  g_markup_parse_context_free (context);

  g_clear_pointer (&reader.mapping, mapping_free);
  g_array_unref (reader.open);
  g_string_free (reader.text, TRUE);
  return ok;
}
