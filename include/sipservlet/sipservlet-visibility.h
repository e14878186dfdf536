/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - export macro.
 *
 * Every public function is declared with SIPSERVLET_API. The library is
 * built with hidden visibility and a version script, so only symbols that
 * carry this macro and start with sipservlet_ are exported.
 */
#pragma once

#if !defined(SIPSERVLET_INSIDE) && !defined(SIPSERVLET_COMPILATION)
#error "Only <sipservlet/sipservlet.h> can be included directly."
#endif

#if defined(SIPSERVLET_COMPILATION) && defined(__GNUC__)
#define SIPSERVLET_API __attribute__((visibility("default"))) extern
#else
#define SIPSERVLET_API extern
#endif
