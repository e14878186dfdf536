/* libsipservlet - common private prelude included first by every source. */
#pragma once

#include <sipservlet/sipservlet.h>
