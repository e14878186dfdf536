/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - addressing module, private helpers.
 *
 * Shared by uri.c, address.c and parameterable.c: character classes,
 * %-escaping, quoted strings, parse error reporting, and the ordered
 * parameter list used for URI parameters, URI headers and header
 * parameters (generic-param).
 */
#pragma once

#include <glib.h>
#include <string.h>
#include <sipservlet/sipservlet.h>

G_BEGIN_DECLS

/* ---- Parse errors ----------------------------------------------------- */

/* What is being parsed, for messages like "invalid port in URI '...'". */
typedef struct {
  const char *kind;   /* "URI", "address", "header value" */
  const char *text;   /* the whole input */
  GError **error;
} SipsvParseCtx;

/* Sets SIPSERVLET_ERROR_PARSE "<problem> in <kind> '<text>'" and returns
 * FALSE. */
gboolean sipsv_parse_fail (SipsvParseCtx *ctx, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Sets SIPSERVLET_ERROR_INVALID_ARGUMENT and returns FALSE. */
gboolean sipsv_invalid_arg (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* ---- Character classes (RFC 3261 §25.1) ------------------------------- */

/* One table of the ASCII classes: the parsers test a class per input
 * byte, so a test is one load, not a function call and a strchr(). */
enum {
  SIPSV_CHAR_UNRESERVED = 1 << 0,   /* alphanum / mark */
  SIPSV_CHAR_TOKEN = 1 << 1,        /* token characters */
};
extern const guint8 sipsv_char_classes[128];

static inline gboolean
sipsv_char_is_unreserved (int c)
{
  return c > 0 && c < 0x80 && (sipsv_char_classes[c] & SIPSV_CHAR_UNRESERVED) != 0;
}

static inline gboolean
sipsv_char_is_token (int c)
{
  return c > 0 && c < 0x80 && (sipsv_char_classes[c] & SIPSV_CHAR_TOKEN) != 0;
}

gboolean sipsv_str_is_token (const char *s);

/* Extra characters allowed unescaped besides unreserved. */
#define SIP_USER_EXTRA     "&=+$,;?/"
#define SIP_PASSWORD_EXTRA "&=+$,"
#define SIP_PARAM_EXTRA    "[]/:&+$"
#define SIP_HEADER_EXTRA   "[]/?:+$"

/* Characters (besides token) a generic-param value may carry unquoted:
 * enough for an IPv6 address or reference (received=, maddr=). */
#define SIP_GEN_VALUE_EXTRA ":[]"

/* Whether c is unreserved or in extra ('%' is never in the set). */
static inline gboolean
sipsv_char_in_set (int c, const char *extra)
{
  return sipsv_char_is_unreserved (c)
         || (c > 0 && c < 0x80 && extra != NULL && strchr (extra, c) != NULL);
}

/* Appends s, %-escaping every byte that is not unreserved or in extra. */
void sipsv_escape_append (GString *out, const char *s, const char *extra);

/* Unescapes [start, start+len): every byte must be '%' HEX HEX, unreserved
 * or in extra. Returns NULL with *problem set on failure. */
char *sipsv_unescape (const char *start, gsize len, const char *extra, const char **problem);

/* ---- Linear white space and quoted strings ---------------------------- */

/* Skips SP / HTAB and line folds (CRLF or LF followed by SP / HTAB). */
void sipsv_skip_lws (const char **pos);

/* *pos is on the opening '"'. Returns the unescaped content and moves
 * *pos past the closing '"'. */
char *sipsv_parse_quoted (const char **pos, SipsvParseCtx *ctx);

/* Appends s as a quoted-string. */
void sipsv_quote_append (GString *out, const char *s);

/* Whether s can be stored in a quoted-string: no CR, LF; valid UTF-8. */
gboolean sipsv_str_is_quotable (const char *s);

/* ---- Hosts ------------------------------------------------------------ */

/* Parses an IPv6 address (no brackets) of len bytes into 16 bytes. */
gboolean sipsv_ipv6_parse (const char *s, gsize len, guint8 out[16]);

/* hostname (RFC 3261 §25.1) of len bytes, optionally accepting IPv4. */
gboolean sipsv_hostname_is_valid (const char *s, gsize len);
gboolean sipsv_ipv4_is_valid (const char *s, gsize len);

/* ---- Parameter lists -------------------------------------------------- */

typedef struct {
  char *name;
  char *value;      /* NULL for a flag parameter */
  gboolean quoted;  /* generic-param: written as a quoted-string */
} SipsvParam;

/* An ordered GPtrArray of SipsvParam *; names compare case-insensitively. */
GPtrArray *sipsv_params_new (void);
GPtrArray *sipsv_params_copy (const GPtrArray *params);
SipsvParam *sipsv_params_find (const GPtrArray *params, const char *name);
/* "" for a flag, NULL when absent. */
const char *sipsv_params_get (const GPtrArray *params, const char *name);
/* Replaces the first parameter of that name in place (dropping any
 * duplicate) or appends one. value NULL means a flag. */
void sipsv_params_set (GPtrArray *params, const char *name, const char *value, gboolean quoted);
void sipsv_params_append (GPtrArray *params, char *name, char *value, gboolean quoted);
void sipsv_params_remove (GPtrArray *params, const char *name);
/* Names in document order, each once; never NULL. */
char **sipsv_params_names (const GPtrArray *params);

/* Escaped lists: ";a=b;c" (URI parameters) or "?a=b&c=d" (URI headers).
 * Parsing starts when **pos == first_sep and stops at the first character
 * that does not continue the list. A name or value may use unreserved
 * characters, extra and %-escapes; values are stored unescaped.
 * value_required: "name=" with an empty value is an error, and "name"
 * alone is a flag; otherwise "name=" has an empty value. */
gboolean sipsv_params_parse_escaped (GPtrArray *params, const char **pos,
                                   char first_sep, char sep, const char *extra,
                                   gboolean value_required, const char *what,
                                   SipsvParseCtx *ctx);
void sipsv_params_format_escaped (const GPtrArray *params, GString *out,
                                char first_sep, char sep, const char *extra,
                                gboolean always_equals);

/* Header parameters: *( SEMI generic-param ). Stops (with *pos before any
 * trailing white space) at the first character that does not start a
 * parameter. */
gboolean sipsv_params_parse_generic (GPtrArray *params, const char **pos, SipsvParseCtx *ctx);
void sipsv_params_format_generic (const GPtrArray *params, GString *out);

/* Validates and stores a generic-param for a setter: name must be a token,
 * a value wrapped in double quotes is stored unquoted and written quoted,
 * NULL or "" is a flag. */
gboolean sipsv_params_set_generic (GPtrArray *params, const char *name, const char *value,
                                 GError **error);

/* RFC 3261 §7.3.1: all parameters present in both, same values; unquoted
 * values compare case-insensitively, quoted ones case-sensitively. */
gboolean sipsv_params_equal_generic (const GPtrArray *a, const GPtrArray *b);

G_END_DECLS

/* ---- SipURI internals (uri.c, uri-parse.c) ----------------------------- */

typedef enum {
  SIPSV_URI_KIND_SIP,    /* sip or sips */
  SIPSV_URI_KIND_TEL,
  SIPSV_URI_KIND_OTHER,
} SipsvUriKind;

struct _SipURI {
  SipsvUriKind kind;
  char *scheme;       /* lowercased */
  /* sip, sips; user and password unescaped */
  char *user;
  char *password;
  char *host;         /* as written; IPv6 with brackets */
  gint port;          /* -1 when absent */
  GPtrArray *params;  /* sip and tel parameters, unescaped */
  GPtrArray *headers; /* sip headers, unescaped */
  /* tel: the number as written, with '+' for a global number */
  char *number;
  /* other schemes: everything after "scheme:" */
  char *opaque;
};

SipURI *sipsv_uri_alloc (SipsvUriKind kind, const char *scheme);
/* tel: the number without visual separators; why a tel parameter is
 * invalid (NULL when it is valid). */
char *sipsv_uri_tel_normalize (const char *s);
const char *sipsv_uri_tel_param_problem (const SipURI *uri, const char *name, const char *value);
/* Hosts: an IPv6 reference's 16 bytes (FALSE when not one); the canonical
 * form (lowercase, IPv6 compressed) appended to out; comparison of two
 * hosts as RFC 3261 §19.1.4 wants it; a host given as text, checked and
 * bracketed when IPv6 (NULL when invalid). */
gboolean sipsv_uri_host_ipv6 (const char *host, guint8 out[16]);
void sipsv_uri_host_canonical_append (GString *out, const char *host);
gboolean sipsv_uri_hosts_equal (const char *a, const char *b);
char *sipsv_uri_host_from_text (const char *text);
