// The PostgreSQL backend's rows: every read and write of an entity as SQL on one connection (the schema is
// in pg_migrations.cpp). Used by both the transaction (on its own connection, inside BEGIN..COMMIT) and
// the committed reads (a pooled connection, one statement each), so the two can never disagree on how a
// row maps to an entity.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/catalog.h"
#include "store/pg_conn.h"

namespace jim::store::pg::rows {

using core::Id;

std::optional<core::ConnectorDefinition> GetConnectorDefinition(Conn& c, Id id);
std::vector<core::ConnectorDefinition> ListConnectorDefinitions(Conn& c);
std::optional<Id> ConnectorDefinitionIdByName(Conn& c, std::string_view exact_name);
bool ConnectorInUse(Conn& c, Id connector_id);

std::optional<core::ConnectedSystem> GetConnectedSystem(Conn& c, Id id);
// A system, its connector definition (nullopt: the system names none that exists) and the head of its
// configuration history in one statement: what a write that loads a system reads next (the rules need the
// connector, the history version the change appends needs the head), two round trips fewer under the write lock.
struct SystemWithConnector {
  core::ConnectedSystem system;
  std::optional<core::ConnectorDefinition> connector;
  core::ConfigHead history_head;  // of (kConnectedSystem, the system's id); {} when it has no version yet
};
std::optional<SystemWithConnector> GetConnectedSystemWithConnector(Conn& c, Id id);
std::vector<core::ConnectedSystem> ListConnectedSystems(Conn& c);
std::optional<Id> ConnectedSystemIdByName(Conn& c, std::string_view folded_name);

std::optional<core::Partition> GetPartition(Conn& c, Id id);
std::vector<core::Partition> ListPartitions(Conn& c, Id connected_system_id);
std::optional<Id> PartitionIdByName(Conn& c, Id connected_system_id, std::string_view folded_name);

std::optional<core::RunProfile> GetRunProfile(Conn& c, Id id);
std::optional<core::RunProfile> GetRunProfileOf(Conn& c, Id connected_system_id, Id id);
std::vector<core::RunProfile> ListRunProfiles(Conn& c, Id connected_system_id);
int64_t CountRunProfiles(Conn& c, Id connected_system_id);
int64_t CountAllRunProfiles(Conn& c);

std::optional<core::ApiKey> GetApiKey(Conn& c, std::string_view id);
std::optional<core::ApiKey> ApiKeyByDigest(Conn& c, std::string_view digest_hex);
std::vector<core::ApiKey> ListApiKeys(Conn& c);  // uuid order, bytewise

std::optional<core::IdempotencyRecord> GetIdempotency(Conn& c, std::string_view key);
std::optional<core::Activity> GetActivity(Conn& c, std::string_view id);
core::ActivityPage ListActivities(Conn& c, const core::ActivityQuery& query);  // newest first
core::ConfigHead LatestConfigHead(Conn& c, core::ConfigObjectType type, std::string_view key);
std::vector<core::ConfigVersion> ConfigVersionRange(Conn& c, core::ConfigObjectType type, std::string_view key,
                                                    int64_t from, int64_t to);  // oldest first

// The catalog version and the key version (pg_migrations.cpp, migrations 3 and 4) in one statement, and the
// statement every write group runs to raise the catalog version (a trigger raises the key version).
struct StoredVersions {
  int64_t catalog = 0;
  int64_t keys = 0;
};
StoredVersions CatalogVersions(Conn& c);
inline constexpr const char* kRaiseCatalogVersion = "UPDATE catalog_version SET version = version + 1";

// nextval of the kind's sequence: never rolled back, so never reused.
Id AllocateId(Conn& c, core::IdKind kind);
// The name of the kind's id sequence (pg_migrations.cpp).
const char* SequenceName(core::IdKind kind);

// The writes below are deferred (Conn::Defer): sent with the next statement that needs an answer, or with
// COMMIT, in one round trip; so they are for a transaction's body only (PgCatalog's group transaction).
// Put creates or replaces and raises the kind's sequence to the row's id (the built-in connectors are
// stored under fixed ids; the allocator must step over them).
void Put(Conn& c, const core::ConnectorDefinition& v);
void Put(Conn& c, const core::ConnectedSystem& v);
void Put(Conn& c, const core::Partition& v);
void Put(Conn& c, const core::RunProfile& v);
void Put(Conn& c, const core::ApiKey& v);
void Put(Conn& c, const core::IdempotencyRecord& v);
void DeleteConnectorDefinition(Conn& c, Id id);
void DeleteConnectedSystem(Conn& c, Id id);  // with its partitions and run profiles
void DeletePartition(Conn& c, Id id);
void DeleteRunProfile(Conn& c, Id id);
void DeleteApiKey(Conn& c, std::string_view id);
void Record(Conn& c, const core::Activity& a);
void Put(Conn& c, const core::ConfigVersion& v);
// Raises a key's last use to `when` (never lowers it); an unknown key is ignored.
void Touch(Conn& c, std::string_view id, core::Millis when);
// Deletes idempotency records whose 24 h lifetime ended before `now`.
void SweepExpiredIdempotency(Conn& c, core::Millis now);

}  // namespace jim::store::pg::rows
