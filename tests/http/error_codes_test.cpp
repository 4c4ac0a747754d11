// The one table that pairs statuses with envelope codes (http/error_codes.h), checked against API.md
// section 1 and the statuses the connection layer answers with. Every error answer derives its code here,
// so this is where a wrong pairing would show.
#include "http/error_codes.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace jim::http {
namespace {

TEST(ErrorCodesTest, EveryStatusTheServerAnswersHasTheContractsCode) {
  const std::vector<std::pair<int, std::string>> contract = {
      {400, "VALIDATION_ERROR"},       {401, "UNAUTHORISED"},          {403, "FORBIDDEN"},
      {404, "NOT_FOUND"},              {405, "METHOD_NOT_ALLOWED"},    {408, "REQUEST_TIMEOUT"},
      {409, "CONFLICT"},               {411, "LENGTH_REQUIRED"},       {412, "PRECONDITION_FAILED"},
      {413, "PAYLOAD_TOO_LARGE"},      {414, "URI_TOO_LONG"},          {415, "UNSUPPORTED_MEDIA_TYPE"},
      {416, "RANGE_NOT_SATISFIABLE"},  {429, "TOO_MANY_REQUESTS"},     {431, "REQUEST_HEADER_FIELDS_TOO_LARGE"},
      {500, "INTERNAL_ERROR"},         {503, "SERVICE_UNAVAILABLE"},
  };
  for (const auto& [status, code] : contract) EXPECT_EQ(ErrorCodeForStatus(status), code) << status;
}

TEST(ErrorCodesTest, AStatusOutsideTheTableGetsAGenericCodeOfItsClass) {
  EXPECT_STREQ(ErrorCodeForStatus(418), "BAD_REQUEST");
  EXPECT_STREQ(ErrorCodeForStatus(502), "INTERNAL_ERROR");
}

TEST(ErrorCodesTest, EveryCoreErrorHasOneStatusWhoseCodeNamesIt) {
  using core::ErrorCode;
  const std::vector<std::pair<ErrorCode, std::string>> expected = {
      {ErrorCode::kInvalidArgument, "VALIDATION_ERROR"}, {ErrorCode::kNotFound, "NOT_FOUND"},
      {ErrorCode::kConflict, "CONFLICT"},                {ErrorCode::kPreconditionFailed, "PRECONDITION_FAILED"},
      {ErrorCode::kUnavailable, "SERVICE_UNAVAILABLE"},  {ErrorCode::kInternal, "INTERNAL_ERROR"},
  };
  for (const auto& [code, name] : expected) EXPECT_EQ(ErrorCodeForStatus(StatusForCoreError(code)), name) << name;
}

}  // namespace
}  // namespace jim::http
