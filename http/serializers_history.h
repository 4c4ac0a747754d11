// The JSON shapes of JIM's configuration change history (JIM-REFERENCE.md section 14).
#pragma once

#include "core/config_history.h"
#include "http/json_writer.h"

namespace jim::http {

// A list item: `diff` is always null in the list, as JIM allows.
void WriteConfigVersionItem(JsonWriter& w, const core::ConfigVersion& v);
void WriteConfigVersionDetail(JsonWriter& w, const core::ConfigObjectRef& obj, const core::ConfigVersionDetail& d);
void WriteConfigComparison(JsonWriter& w, const core::ConfigObjectRef& obj, const core::ConfigComparison& c);

}  // namespace jim::http
