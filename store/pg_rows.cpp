#include "store/pg_rows.h"

#include <string>

#include "core/rules.h"
#include "store/codec.h"

namespace jim::store::pg::rows {

namespace {

template <class T>
T DecodeBody(std::string_view body) {
  T v;
  if (!codec::Decode(body, &v)) throw core::StoreUnavailable("postgresql: corrupt stored value");
  return v;
}

template <class T>
std::string Body(const T& v) {
  std::string out;
  codec::Encode(v, &out);
  return out;
}

// Every query below selects the body first (and, for api keys, last_used_at second).
template <class T>
std::optional<T> One(const Rows& r) {
  if (r.empty()) return std::nullopt;
  return DecodeBody<T>(r.Bytes(0, 0));
}
template <class T>
std::vector<T> All(const Rows& r) {
  std::vector<T> out;
  out.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) out.push_back(DecodeBody<T>(r.Bytes(i, 0)));
  return out;
}
std::optional<Id> OneId(const Rows& r) {
  if (r.empty()) return std::nullopt;
  return r.Int(0, 0);
}

core::ApiKey KeyRow(const Rows& r, int i) {
  auto key = DecodeBody<core::ApiKey>(r.Bytes(i, 0));
  key.last_used_at = r.OptInt(i, 1);
  return key;
}
std::optional<core::ApiKey> OneKey(const Rows& r) {
  if (r.empty()) return std::nullopt;
  return KeyRow(r, 0);
}

}  // namespace

const char* SequenceName(core::IdKind kind) {
  switch (kind) {
    case core::IdKind::kConnectorDefinition: return "connector_definition_ids";
    case core::IdKind::kConnectedSystem: return "connected_system_ids";
    case core::IdKind::kPartition: return "partition_ids";
    case core::IdKind::kRunProfile: return "run_profile_ids";
  }
  throw std::runtime_error("unknown id kind");
}

namespace {

// INSERT .. SELECT from a one-row subquery that raises the sequence to $1 (never lowers it), so the
// upsert and the high-water mark are one round trip. `WHERE true` keeps ON CONFLICT from parsing as a
// join condition.
std::string UpsertRaising(const char* sequence, const std::string& table, const std::string& columns,
                          const std::string& values, const std::string& updates) {
  return "INSERT INTO " + table + " (" + columns + ") SELECT " + values + " FROM (SELECT setval('" + sequence +
         "', greatest($1, (SELECT last_value FROM " + sequence +
         ")))) AS raised WHERE true ON CONFLICT (id) DO UPDATE SET " + updates;
}

}  // namespace

// ---- connector definitions --------------------------------------------------------------------------------

std::optional<core::ConnectorDefinition> GetConnectorDefinition(Conn& c, Id id) {
  return One<core::ConnectorDefinition>(
      c.Exec("SELECT body FROM connector_definitions WHERE id = $1", Params().Int(id)));
}
std::vector<core::ConnectorDefinition> ListConnectorDefinitions(Conn& c) {
  return All<core::ConnectorDefinition>(c.Exec("SELECT body FROM connector_definitions ORDER BY id"));
}
std::optional<Id> ConnectorDefinitionIdByName(Conn& c, std::string_view exact_name) {
  return OneId(c.Exec("SELECT id FROM connector_definitions WHERE name = $1", Params().Text(exact_name)));
}
bool ConnectorInUse(Conn& c, Id connector_id) {
  return !c.Exec("SELECT 1 FROM connected_systems WHERE connector_id = $1 LIMIT 1", Params().Int(connector_id)).empty();
}

// ---- connected systems ------------------------------------------------------------------------------------

std::optional<core::ConnectedSystem> GetConnectedSystem(Conn& c, Id id) {
  return One<core::ConnectedSystem>(c.Exec("SELECT body FROM connected_systems WHERE id = $1", Params().Int(id)));
}
std::optional<SystemWithConnector> GetConnectedSystemWithConnector(Conn& c, Id id) {
  // The head as LatestConfigHead reads it (one backward step of the primary key), as a scalar subquery.
  Rows r = c.Exec(
      "SELECT s.body, d.body, (SELECT v.body FROM config_versions v WHERE v.object_type = $2 AND v.object_key = $3 "
      "ORDER BY v.version DESC LIMIT 1) "
      "FROM connected_systems s LEFT JOIN connector_definitions d ON d.id = s.connector_id WHERE s.id = $1",
      Params().Int(id).Int(static_cast<int64_t>(core::ConfigObjectType::kConnectedSystem)).Text(std::to_string(id)));
  if (r.empty()) return std::nullopt;
  SystemWithConnector out{DecodeBody<core::ConnectedSystem>(r.Bytes(0, 0)), std::nullopt, {}};
  if (!r.IsNull(0, 1)) out.connector = DecodeBody<core::ConnectorDefinition>(r.Bytes(0, 1));
  if (!r.IsNull(0, 2)) out.history_head = core::HeadOf(DecodeBody<core::ConfigVersion>(r.Bytes(0, 2)));
  return out;
}
std::vector<core::ConnectedSystem> ListConnectedSystems(Conn& c) {
  return All<core::ConnectedSystem>(c.Exec("SELECT body FROM connected_systems ORDER BY id"));
}
std::optional<Id> ConnectedSystemIdByName(Conn& c, std::string_view folded_name) {
  return OneId(c.Exec("SELECT id FROM connected_systems WHERE folded_name = $1", Params().Text(folded_name)));
}

// ---- partitions -------------------------------------------------------------------------------------------

std::optional<core::Partition> GetPartition(Conn& c, Id id) {
  return One<core::Partition>(c.Exec("SELECT body FROM partitions WHERE id = $1", Params().Int(id)));
}
std::vector<core::Partition> ListPartitions(Conn& c, Id connected_system_id) {
  return All<core::Partition>(c.Exec("SELECT body FROM partitions WHERE connected_system_id = $1 ORDER BY id",
                                     Params().Int(connected_system_id)));
}
std::optional<Id> PartitionIdByName(Conn& c, Id connected_system_id, std::string_view folded_name) {
  return OneId(c.Exec("SELECT id FROM partitions WHERE connected_system_id = $1 AND folded_name = $2",
                      Params().Int(connected_system_id).Text(folded_name)));
}

// ---- run profiles -----------------------------------------------------------------------------------------

std::optional<core::RunProfile> GetRunProfile(Conn& c, Id id) {
  return One<core::RunProfile>(c.Exec("SELECT body FROM run_profiles WHERE id = $1", Params().Int(id)));
}
std::optional<core::RunProfile> GetRunProfileOf(Conn& c, Id connected_system_id, Id id) {
  return One<core::RunProfile>(c.Exec("SELECT body FROM run_profiles WHERE id = $1 AND connected_system_id = $2",
                                      Params().Int(id).Int(connected_system_id)));
}
std::vector<core::RunProfile> ListRunProfiles(Conn& c, Id connected_system_id) {
  return All<core::RunProfile>(c.Exec("SELECT body FROM run_profiles WHERE connected_system_id = $1 ORDER BY id",
                                      Params().Int(connected_system_id)));
}
int64_t CountRunProfiles(Conn& c, Id connected_system_id) {
  return c.Exec("SELECT count(*) FROM run_profiles WHERE connected_system_id = $1", Params().Int(connected_system_id))
      .Int(0, 0);
}
int64_t CountAllRunProfiles(Conn& c) {
  return c.Exec("SELECT count(*) FROM run_profiles").Int(0, 0);
}

// ---- api keys ---------------------------------------------------------------------------------------------

std::optional<core::ApiKey> GetApiKey(Conn& c, std::string_view id) {
  return OneKey(c.Exec("SELECT body, last_used_at FROM api_keys WHERE id = $1", Params().Text(id)));
}
std::optional<core::ApiKey> ApiKeyByDigest(Conn& c, std::string_view digest_hex) {
  return OneKey(c.Exec("SELECT body, last_used_at FROM api_keys WHERE digest_hex = $1", Params().Text(digest_hex)));
}
std::vector<core::ApiKey> ListApiKeys(Conn& c) {
  Rows r = c.Exec("SELECT body, last_used_at FROM api_keys ORDER BY id COLLATE \"C\"");
  std::vector<core::ApiKey> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(KeyRow(r, i));
  return out;
}

// ---- idempotency and activities ---------------------------------------------------------------------------

std::optional<core::IdempotencyRecord> GetIdempotency(Conn& c, std::string_view key) {
  return One<core::IdempotencyRecord>(c.Exec("SELECT body FROM idempotency WHERE key = $1", Params().Text(key)));
}
std::optional<core::Activity> GetActivity(Conn& c, std::string_view id) {
  return One<core::Activity>(c.Exec("SELECT body FROM activities WHERE id = $1", Params().Text(id)));
}
core::ActivityPage ListActivities(Conn& c, const core::ActivityQuery& q) {
  // Unnamed statements are planned with their parameter values, so "$1 IS NULL" folds away and the
  // matching index serves the page.
  const char* where =
      " FROM activities WHERE ($1::bigint IS NULL OR connected_system_id = $1) "
      "AND ($2::bigint IS NULL OR target_type = $2)";
  auto filter = [&] {
    Params p;
    p.OptInt(q.connected_system_id);
    p.OptInt(q.target_type ? std::optional<int64_t>(static_cast<int64_t>(*q.target_type)) : std::nullopt);
    return p;
  };
  core::ActivityPage page;
  page.total = c.Exec(std::string("SELECT count(*)") + where, filter()).Int(0, 0);
  if (q.limit > 0 && q.offset < page.total)
    page.items =
        All<core::Activity>(c.Exec(std::string("SELECT body") + where + " ORDER BY seq DESC OFFSET $3 LIMIT $4",
                                   filter().Int(q.offset).Int(q.limit)));
  return page;
}

core::ConfigHead LatestConfigHead(Conn& c, core::ConfigObjectType type, std::string_view key) {
  // The primary key's index finds the newest row with one backward step; its body holds the totals.
  Rows r = c.Exec("SELECT body FROM config_versions WHERE object_type = $1 AND object_key = $2 "
                  "ORDER BY version DESC LIMIT 1",
                  Params().Int(static_cast<int64_t>(type)).Text(key));
  if (r.size() == 0) return {};
  return core::HeadOf(DecodeBody<core::ConfigVersion>(r.Bytes(0, 0)));
}
std::vector<core::ConfigVersion> ConfigVersionRange(Conn& c, core::ConfigObjectType type, std::string_view key,
                                                    int64_t from, int64_t to) {
  Rows r = c.Exec(
      "SELECT body, payload FROM config_versions WHERE object_type = $1 AND object_key = $2 AND version BETWEEN $3 AND $4 "
      "ORDER BY version",
      Params().Int(static_cast<int64_t>(type)).Text(key).Int(from).Int(to));
  std::vector<core::ConfigVersion> out;
  out.reserve(r.size());
  for (int i = 0; i < r.size(); ++i) {
    out.push_back(DecodeBody<core::ConfigVersion>(r.Bytes(i, 0)));
    out.back().payload = std::string(r.Bytes(i, 1));
  }
  return out;
}

StoredVersions CatalogVersions(Conn& c) {
  Rows r = c.Exec("SELECT version, key_version FROM catalog_version");
  return {r.Int(0, 0), r.Int(0, 1)};
}

// ---- writes -----------------------------------------------------------------------------------------------

Id AllocateId(Conn& c, core::IdKind kind) {
  return c.Exec(std::string("SELECT nextval('") + SequenceName(kind) + "')").Int(0, 0);
}

void Put(Conn& c, const core::ConnectorDefinition& v) {
  static const std::string sql =
      UpsertRaising(SequenceName(core::IdKind::kConnectorDefinition), "connector_definitions", "id, name, body",
                    "$1, $2, $3", "name = excluded.name, body = excluded.body");
  c.Defer(sql, Params().Int(v.id).Text(v.name).Bytes(Body(v)));
}
void Put(Conn& c, const core::ConnectedSystem& v) {
  static const std::string sql =
      UpsertRaising(SequenceName(core::IdKind::kConnectedSystem), "connected_systems",
                    "id, folded_name, connector_id, body", "$1, $2, $3, $4",
                    "folded_name = excluded.folded_name, connector_id = excluded.connector_id, body = excluded.body");
  c.Defer(sql, Params().Int(v.id).Text(core::FoldName(v.name)).Int(v.connector_id).Bytes(Body(v)));
}
void Put(Conn& c, const core::Partition& v) {
  static const std::string sql =
      UpsertRaising(SequenceName(core::IdKind::kPartition), "partitions", "id, connected_system_id, folded_name, body",
                    "$1, $2, $3, $4",
                    "connected_system_id = excluded.connected_system_id, folded_name = excluded.folded_name, "
                    "body = excluded.body");
  c.Defer(sql, Params().Int(v.id).Int(v.connected_system_id).Text(core::FoldName(v.name)).Bytes(Body(v)));
}
void Put(Conn& c, const core::RunProfile& v) {
  static const std::string sql =
      UpsertRaising(SequenceName(core::IdKind::kRunProfile), "run_profiles", "id, connected_system_id, body",
                    "$1, $2, $3", "connected_system_id = excluded.connected_system_id, body = excluded.body");
  c.Defer(sql, Params().Int(v.id).Int(v.connected_system_id).Bytes(Body(v)));
}
void Put(Conn& c, const core::ApiKey& v) {
  c.Defer(
      "INSERT INTO api_keys (id, digest_hex, last_used_at, body) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE "
      "SET digest_hex = excluded.digest_hex, body = excluded.body, "
      // A touch written since the caller read the key is not taken back (greatest ignores nulls).
      "last_used_at = greatest(api_keys.last_used_at, excluded.last_used_at)",
      Params().Text(v.id).Text(v.digest_hex).OptInt(v.last_used_at).Bytes(Body(v)));
}
void Put(Conn& c, const core::IdempotencyRecord& v) {
  c.Defer(
      "INSERT INTO idempotency (key, created, body) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE "
      "SET created = excluded.created, body = excluded.body",
      Params().Text(v.key).Int(v.created).Bytes(Body(v)));
}

void DeleteConnectorDefinition(Conn& c, Id id) {
  c.Defer("DELETE FROM connector_definitions WHERE id = $1", Params().Int(id));
}
void DeleteConnectedSystem(Conn& c, Id id) {
  // Data-modifying CTEs always run: the cascade is one statement.
  c.Defer(
      "WITH p AS (DELETE FROM partitions WHERE connected_system_id = $1), "
      "r AS (DELETE FROM run_profiles WHERE connected_system_id = $1) "
      "DELETE FROM connected_systems WHERE id = $1",
      Params().Int(id));
}
void DeletePartition(Conn& c, Id id) {
  c.Defer("DELETE FROM partitions WHERE id = $1", Params().Int(id));
}
void DeleteRunProfile(Conn& c, Id id) {
  c.Defer("DELETE FROM run_profiles WHERE id = $1", Params().Int(id));
}
void DeleteApiKey(Conn& c, std::string_view id) {
  c.Defer("DELETE FROM api_keys WHERE id = $1", Params().Text(id));
}

void Record(Conn& c, const core::Activity& a) {
  c.Defer("INSERT INTO activities (id, connected_system_id, target_type, body) VALUES ($1, $2, $3, $4)",
         Params().Text(a.id).OptInt(a.connected_system_id).Int(static_cast<int64_t>(a.target_type)).Bytes(Body(a)));
}

void Put(Conn& c, const core::ConfigVersion& v) {
  core::ConfigVersion meta = v;
  meta.payload.clear();
  c.Defer("INSERT INTO config_versions (object_type, object_key, version, body, payload) VALUES ($1, $2, $3, $4, $5)",
         Params().Int(static_cast<int64_t>(v.object_type)).Text(v.object_key).Int(v.version).Bytes(Body(meta))
             .Bytes(v.payload));
}

void Touch(Conn& c, std::string_view id, core::Millis when) {
  c.Exec("UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
         Params().Text(id).Int(when));
}

void SweepExpiredIdempotency(Conn& c, core::Millis now) {
  c.Exec("DELETE FROM idempotency WHERE created <= $1", Params().Int(now - core::kIdempotencyTtlMillis));
}

}  // namespace jim::store::pg::rows
