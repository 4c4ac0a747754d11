#include "store/copy_store.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "core/rules.h"
#include "store/codec.h"
#include "store/key_schema.h"
#include "store/pg_catalog.h"
#include "store/pg_conn.h"
#include "store/pg_migrations.h"
#include "store/pg_rows.h"
#include "store/rocks_tuning.h"

namespace jim::store {
namespace {

using core::ErrorCode;
using core::MakeError;

// One kind of record: where the embedded store keeps it and how it becomes a PostgreSQL row. The value
// bytes go into `body` unchanged; `fill` decodes them only for the columns PostgreSQL must find, order or
// constrain (pg_migrations.cpp), and refuses a value that does not decode.
// NOTE: a new kind of record is one more row in kKinds (and, if it has ids, one in kSequences).
struct Kind {
  const char* what;         // for progress and errors: "run profiles"
  std::string_view prefix;  // its rows in the embedded store (key_schema.h)
  const char* table;        // its PostgreSQL table: must be empty before the copy
  const char* insert;       // one row; the parameters come from `fill`
  bool (*fill)(std::string_view key, std::string_view value, pg::Params* p);
};

// Decodes `value` as a T and hands it to `columns`, which adds the indexed columns; the body comes last.
template <class T, class Columns>
bool Decoded(std::string_view value, pg::Params* p, Columns columns) {
  T v;
  if (!codec::Decode(value, &v)) return false;
  columns(v, *p);
  p->Bytes(value);
  return true;
}

const Kind kKinds[] = {
    {"connector definitions", keys::kConnectorDef, "connector_definitions",
     "INSERT INTO connector_definitions (id, name, body) VALUES ($1, $2, $3)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::ConnectorDefinition>(value, p,
                                                 [](const auto& v, pg::Params& q) { q.Int(v.id).Text(v.name); });
     }},
    {"connected systems", keys::kSystem, "connected_systems",
     "INSERT INTO connected_systems (id, folded_name, connector_id, body) VALUES ($1, $2, $3, $4)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::ConnectedSystem>(value, p, [](const auto& v, pg::Params& q) {
         q.Int(v.id).Text(core::FoldName(v.name)).Int(v.connector_id);
       });
     }},
    {"partitions", keys::kPartition, "partitions",
     "INSERT INTO partitions (id, connected_system_id, folded_name, body) VALUES ($1, $2, $3, $4)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::Partition>(value, p, [](const auto& v, pg::Params& q) {
         q.Int(v.id).Int(v.connected_system_id).Text(core::FoldName(v.name));
       });
     }},
    {"run profiles", keys::kRunProfile, "run_profiles",
     "INSERT INTO run_profiles (id, connected_system_id, body) VALUES ($1, $2, $3)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::RunProfile>(value, p,
                                        [](const auto& v, pg::Params& q) { q.Int(v.id).Int(v.connected_system_id); });
     }},
    {"api keys", keys::kApiKey, "api_keys",
     "INSERT INTO api_keys (id, digest_hex, last_used_at, body) VALUES ($1, $2, $3, $4)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::ApiKey>(
           value, p, [](const auto& v, pg::Params& q) { q.Text(v.id).Text(v.digest_hex).OptInt(v.last_used_at); });
     }},
    // The embedded store's activity sequence (the key) becomes `seq`: the same order, newest first alike.
    {"activities", keys::kActivity, "activities",
     "INSERT INTO activities (seq, id, connected_system_id, target_type, body) VALUES ($1, $2, $3, $4, $5)",
     [](std::string_view key, std::string_view value, pg::Params* p) {
       if (key.size() != keys::kActivity.size() + 8) return false;
       p->Int(static_cast<int64_t>(keys::ReadBE64(key, keys::kActivity.size())));
       return Decoded<core::Activity>(value, p, [](const auto& v, pg::Params& q) {
         q.Text(v.id).OptInt(v.connected_system_id).Int(static_cast<int64_t>(v.target_type));
       });
     }},
    // pg_rows.cpp keeps a version's payload (the tree bytes) in its own column and the rest as body.
    {"configuration versions", keys::kConfigVersion, "config_versions",
     "INSERT INTO config_versions (object_type, object_key, version, body, payload) VALUES ($1, $2, $3, $4, $5)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       core::ConfigVersion v;
       if (!codec::Decode(value, &v)) return false;
       std::string payload = std::move(v.payload);
       v.payload.clear();
       std::string body;
       codec::Encode(v, &body);
       p->Int(static_cast<int64_t>(v.object_type)).Text(v.object_key).Int(v.version).Bytes(body).Bytes(payload);
       return true;
     }},
    {"idempotency records", keys::kIdempotency, "idempotency",
     "INSERT INTO idempotency (key, created, body) VALUES ($1, $2, $3)",
     [](std::string_view, std::string_view value, pg::Params* p) {
       return Decoded<core::IdempotencyRecord>(value, p,
                                               [](const auto& v, pg::Params& q) { q.Text(v.key).Int(v.created); });
     }},
};

// Index, counter and filter rows of the embedded store: PostgreSQL keeps them as indexes and count(*), so
// they are not copied (but known: any other prefix in the data dir makes the copy refuse, below).
constexpr std::string_view kDerived[] = {
    keys::kConnectorName,   keys::kSystemName,           keys::kPartitionOwner, keys::kPartitionName,
    keys::kRunProfileOwner, keys::kApiKeyDigest,         keys::kActivityId,     keys::kActivityBySystem,
    keys::kActivityByType,  keys::kActivityBySystemType, keys::kCounter,        keys::kConfigHead, "meta/",
};

// The id high-water marks (meta/seq/<kind>): each PostgreSQL sequence is set to the greater of the mark and
// the highest copied id, so the next id continues after every id the embedded store ever handed out (also
// those of rows deleted since).
struct Sequence {
  uint8_t seq_kind;      // meta/seq/<kind> (key_schema.h)
  std::string sequence;  // an SQL expression naming the sequence
  const char* table;
  const char* column;
};

std::vector<Sequence> Sequences() {
  auto quoted = [](core::IdKind kind) { return "'" + std::string(pg::rows::SequenceName(kind)) + "'"; };
  return {
      {1, quoted(core::IdKind::kConnectorDefinition), "connector_definitions", "id"},
      {2, quoted(core::IdKind::kConnectedSystem), "connected_systems", "id"},
      {3, quoted(core::IdKind::kPartition), "partitions", "id"},
      {4, quoted(core::IdKind::kRunProfile), "run_profiles", "id"},
      {keys::kSeqActivity, "pg_get_serial_sequence('activities', 'seq')", "activities", "seq"},
  };
}

rocksdb::Slice S(std::string_view s) {
  return {s.data(), s.size()};
}
std::string_view V(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// The embedded store, opened the way the server opens it (so its lock refuses a running server), never created.
core::Result<std::unique_ptr<rocksdb::DB>> OpenSource(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return MakeError(ErrorCode::kInvalidArgument, "The data dir " + dir + " does not exist.");
  rocksdb::Options options = MakeDbOptions(dir, nullptr);
  options.create_if_missing = false;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    const std::string msg = s.ToString();
    if (msg.find("lock") != std::string::npos)
      return MakeError(ErrorCode::kUnavailable,
                       "The data dir " + dir + " is in use by a running jim-edge: stop it first.", msg);
    return MakeError(ErrorCode::kUnavailable, "Cannot open the data dir " + dir + " as a jim-edge store: " + msg, msg);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string version;
  s = db->Get(rocksdb::ReadOptions(), S(keys::kSchemaVersionKey), &version);
  int64_t v = 0;
  if (s.IsNotFound())
    return MakeError(ErrorCode::kInvalidArgument, "The data dir " + dir + " holds no jim-edge store.");
  if (!s.ok() || !codec::DecodeInt(version, &v))
    return MakeError(ErrorCode::kUnavailable, "Cannot read the schema version of the data dir " + dir + ".",
                     s.ToString());
  if (v != keys::kSchemaVersion)
    return MakeError(ErrorCode::kInvalidArgument, "The data dir " + dir + " holds schema version " + std::to_string(v) +
                                                      "; this jim-edge copies version " +
                                                      std::to_string(keys::kSchemaVersion) + ".");
  return db;
}

// The first key prefix (up to its first '/') in the data dir that is neither copied nor derived, if any.
// Seeks past each prefix: one step per kind, not per row.
std::optional<std::string> UnknownPrefix(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  for (it->SeekToFirst(); it->Valid();) {
    std::string_view key = V(it->key());
    std::string prefix(key.substr(0, key.find('/') + 1));  // the whole key when it has no '/'
    const bool known =
        std::any_of(std::begin(kKinds), std::end(kKinds), [&](const Kind& k) { return k.prefix == prefix; }) ||
        std::find(std::begin(kDerived), std::end(kDerived), prefix) != std::end(kDerived);
    if (!known) return prefix;
    const std::string next = keys::PrefixUpperBound(prefix);
    if (next.empty()) break;
    it->Seek(S(next));
  }
  if (!it->status().ok()) throw core::StoreUnavailable("scan failed: " + it->status().ToString());
  return std::nullopt;
}

// Copies one kind's rows, in key order, inside the open transaction. Returns the rows copied.
uint64_t CopyKind(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, const Kind& kind, pg::Conn& conn,
                  const std::string& dir, const CopyProgress& progress) {
  const std::string lower(kind.prefix), upper = keys::PrefixUpperBound(kind.prefix);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
  uint64_t rows = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    pg::Params params;
    if (!kind.fill(V(it->key()), V(it->value()), &params))
      throw std::invalid_argument("The data dir " + dir + " has a corrupt value under '" + lower + "'.");
    conn.Exec(kind.insert, params);
    if (++rows % kProgressEvery == 0 && progress) progress(kind.what, rows, false);
  }
  if (!it->status().ok()) throw core::StoreUnavailable("scan failed: " + it->status().ToString());
  if (progress) progress(kind.what, rows, true);
  return rows;
}

void CopySequences(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, pg::Conn& conn, const std::string& dir) {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  for (const Sequence& seq : Sequences()) {
    std::string value;
    rocksdb::Status s = db->Get(ro, S(keys::SeqKey(seq.seq_kind).view()), &value);
    int64_t mark = 0;
    if (s.ok() && !codec::DecodeInt(value, &mark))
      throw std::invalid_argument("The data dir " + dir + " has a corrupt id sequence.");
    if (!s.ok() && !s.IsNotFound()) throw core::StoreUnavailable("read failed: " + s.ToString());
    // setval(.., v) with is_called: the next nextval is v + 1. A sequence with nothing to continue after stays
    // as created (its minimum is 1).
    conn.Exec("SELECT setval(" + seq.sequence + ", v) FROM (SELECT greatest($1, coalesce(max(" + seq.column +
                  "), 0)) AS v FROM " + seq.table + ") m WHERE v > 0",
              pg::Params().Int(mark));
  }
}

}  // namespace

core::Result<CopyReport> CopyRocksToPostgres(const CopyOptions& options, const CopyProgress& progress) {
  const std::string& dir = options.data_dir;
  auto source = OpenSource(dir);
  if (!source) return source.error();
  rocksdb::DB* db = source.value().get();
  const rocksdb::Snapshot* snapshot = db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db, snapshot};

  const std::string where = pg::MaskPassword(options.database_url);
  std::vector<std::string> keywords, values;
  SchemaConnectionOptions(options.schema, &keywords, &values);
  pg::Pool target(options.database_url, keywords, values, 1, std::chrono::milliseconds(5000));
  std::unique_ptr<pg::Conn> conn;
  bool commit_sent = false;
  try {
    if (auto unknown = UnknownPrefix(db, snapshot))
      return MakeError(ErrorCode::kInvalidArgument, "The data dir " + dir + " holds records under '" + *unknown +
                                                        "' that this jim-edge cannot copy: use the jim-edge that "
                                                        "wrote them.");
    conn = target.Connect();
    if (auto st = pg::Migrate(*conn, where); !st) return st.error();
    conn->ExecScript("BEGIN");
    // No node may write while the copy checks and fills the tables (a node that starts now seeds the built-in
    // connectors): it waits for the commit, then finds the copied store.
    std::string tables;
    for (const Kind& kind : kKinds) tables += std::string(tables.empty() ? "" : ", ") + kind.table;
    conn->ExecScript("LOCK TABLE " + tables + " IN SHARE ROW EXCLUSIVE MODE");
    for (const Kind& kind : kKinds) {
      if (!conn->Exec(std::string("SELECT 1 FROM ") + kind.table + " LIMIT 1").empty()) {
        conn->ExecScript("ROLLBACK");
        return MakeError(ErrorCode::kInvalidArgument, "The database " + where + " is not empty (it holds " + kind.what +
                                                          "): copy moves a store only into an empty database.");
      }
    }
    CopyReport report;
    for (const Kind& kind : kKinds)
      report.rows.emplace_back(kind.what, CopyKind(db, snapshot, kind, *conn, dir, progress));
    CopySequences(db, snapshot, *conn, dir);
    // Nodes already running on this database may keep in memory what they read of it (nothing, say): the copy
    // moves the catalog version like any write (its api keys move the key version: migration 4's trigger), so
    // they read the copied store next (pg_read_cache.h).
    conn->Exec(pg::rows::kRaiseCatalogVersion);
    commit_sent = true;
    conn->ExecScript("COMMIT");
    return report;
  } catch (const std::invalid_argument& e) {
    return MakeError(ErrorCode::kInvalidArgument, e.what());  // a corrupt source: the transaction goes with conn
  } catch (const std::exception& e) {
    if (commit_sent && conn && conn->Broken())
      return MakeError(ErrorCode::kUnavailable,
                       "The connection to " + where +
                           " was lost during COMMIT: the copy may or may not be in; run the copy again (an empty "
                           "database means it is not).",
                       e.what());
    return MakeError(ErrorCode::kUnavailable, "The copy into " + where + " failed and nothing was written: " + e.what(),
                     e.what());
  }
}

}  // namespace jim::store
