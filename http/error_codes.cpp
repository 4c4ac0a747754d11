#include "http/error_codes.h"

namespace jim::http {

const char* ErrorCodeForStatus(int status) {
  switch (status) {
    case 400: return "VALIDATION_ERROR";
    case 401: return "UNAUTHORISED";
    case 403: return "FORBIDDEN";
    case 404: return "NOT_FOUND";
    case 405: return "METHOD_NOT_ALLOWED";
    case 408: return "REQUEST_TIMEOUT";
    case 409: return "CONFLICT";
    case 411: return "LENGTH_REQUIRED";
    case 412: return "PRECONDITION_FAILED";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 414: return "URI_TOO_LONG";
    case 415: return "UNSUPPORTED_MEDIA_TYPE";
    case 416: return "RANGE_NOT_SATISFIABLE";
    case 429: return "TOO_MANY_REQUESTS";
    case 431: return "REQUEST_HEADER_FIELDS_TOO_LARGE";
    case 503: return "SERVICE_UNAVAILABLE";
    default: return status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
  }
}

int StatusForCoreError(core::ErrorCode code) {
  switch (code) {
    case core::ErrorCode::kInvalidArgument: return 400;
    case core::ErrorCode::kNotFound: return 404;
    case core::ErrorCode::kConflict: return 409;
    case core::ErrorCode::kPreconditionFailed: return 412;
    case core::ErrorCode::kUnavailable: return 503;
    case core::ErrorCode::kInternal: return 500;
  }
  return 500;
}

}  // namespace jim::http
