/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - common private prelude included first by every source. */
#pragma once

#include <sipservlet/sipservlet.h>
