// The one table that pairs an HTTP status with the error envelope's code (API.md section 1). Every error
// answer names only its status; the code follows from here, so no two places can pair them differently.
// Pure (no library types): the head check, the connection loop and the handlers all use it.
#pragma once

#include "core/result.h"

namespace jim::http {

// The envelope's code for a status, e.g. 404 -> "NOT_FOUND".
const char* ErrorCodeForStatus(int status);

// The status a core error answers with (kInvalidArgument -> 400, ...).
int StatusForCoreError(core::ErrorCode code);

}  // namespace jim::http
