// The JSON shapes of the contract's resources, written straight into the response buffer.
#pragma once

#include <optional>
#include <string>

#include "core/activity_service.h"
#include "core/api_key_service.h"
#include "core/connected_system_service.h"
#include "core/connector_definition_service.h"
#include "core/run_profile_service.h"
#include "http/json_writer.h"

namespace jim::http {

void WriteRunProfile(JsonWriter& w, const core::RunProfileView& v);
void WriteConnectedSystemHeader(JsonWriter& w, const core::ConnectedSystemView& v);
void WriteConnectedSystemDetail(JsonWriter& w, const core::ConnectedSystemView& v);
void WritePartition(JsonWriter& w, const core::Partition& p);
void WriteConnectorHeader(JsonWriter& w, const core::ConnectorDefinitionView& v);
void WriteConnectorDetail(JsonWriter& w, const core::ConnectorDefinitionView& v);
void WriteApiKey(JsonWriter& w, const core::ApiKey& k, const std::string* plaintext = nullptr);
void WriteRole(JsonWriter& w);
void WriteActivity(JsonWriter& w, const core::Activity& a);

// The paginated envelope: {items,totalCount,page,pageSize,totalPages,hasNextPage,hasPreviousPage}.
template <class T, class WriteItem>
std::string RenderPage(const core::Page<T>& page, WriteItem write_item) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("items").BeginArray();
  for (const auto& item : page.items) write_item(w, item);
  w.EndArray();
  w.Field("totalCount", page.total);
  w.Field("page", page.page);
  w.Field("pageSize", page.page_size);
  w.Field("totalPages", page.TotalPages());
  w.Field("hasNextPage", page.HasNext());
  w.Field("hasPreviousPage", page.HasPrevious());
  w.EndObject();
  return out;
}

template <class T, class WriteItem>
std::string RenderArray(const std::vector<T>& items, WriteItem write_item) {
  std::string out;
  out.reserve(64 + items.size() * 256);  // most items render to 150-300 bytes: grow once, not log(n) times
  JsonWriter w(out);
  w.BeginArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray();
  return out;
}

template <class T, class WriteItem>
std::string RenderOne(const T& item, WriteItem write_item) {
  std::string out;
  out.reserve(512);
  JsonWriter w(out);
  write_item(w, item);
  return out;
}

}  // namespace jim::http
