#include "store/pg_migrations.h"

#include <array>

namespace jim::store::pg {

namespace {

// Columns for what PostgreSQL must find, order, constrain or change in place (ids, folded names, the owner
// of a row, an api key's digest and last use); the rest of an entity is its store/codec.h value in `body`:
// the same versioned encoding as the embedded store, so a copy between backends moves bytes, not fields.
// Ids come from sequences: nextval is never rolled back, so an id a failed transaction saw is never reused.
constexpr std::array<const char*, 4> kMigrations = {
    // 1: the catalog.
    R"sql(
CREATE SEQUENCE connector_definition_ids;
CREATE SEQUENCE connected_system_ids;
CREATE SEQUENCE partition_ids;
CREATE SEQUENCE run_profile_ids;
CREATE TABLE connector_definitions (
  id   bigint PRIMARY KEY,
  name text   NOT NULL UNIQUE,            -- exact: connector names are matched as given
  body bytea  NOT NULL
);
CREATE TABLE connected_systems (
  id           bigint PRIMARY KEY,
  folded_name  text   NOT NULL UNIQUE,    -- core::FoldName: unique case-insensitively
  connector_id bigint NOT NULL,
  body         bytea  NOT NULL
);
CREATE INDEX connected_systems_connector ON connected_systems (connector_id);
CREATE TABLE partitions (
  id                  bigint PRIMARY KEY,
  connected_system_id bigint NOT NULL,
  folded_name         text   NOT NULL,
  body                bytea  NOT NULL,
  UNIQUE (connected_system_id, folded_name)
);
CREATE TABLE run_profiles (
  id                  bigint PRIMARY KEY,
  connected_system_id bigint NOT NULL,
  body                bytea  NOT NULL
);
CREATE INDEX run_profiles_system ON run_profiles (connected_system_id, id);
CREATE TABLE api_keys (
  id           text   PRIMARY KEY,
  digest_hex   text   NOT NULL UNIQUE,
  last_used_at bigint,                    -- outside body: touches raise it in place
  body         bytea  NOT NULL
);
CREATE TABLE activities (
  seq                 bigserial PRIMARY KEY,  -- commit order: transactions are serialised
  id                  text     NOT NULL UNIQUE,
  connected_system_id bigint,
  target_type         smallint NOT NULL,
  body                bytea    NOT NULL
);
CREATE INDEX activities_system ON activities (connected_system_id, seq);
CREATE INDEX activities_type ON activities (target_type, seq);
CREATE INDEX activities_system_type ON activities (connected_system_id, target_type, seq);
CREATE TABLE idempotency (
  key     text   PRIMARY KEY,
  created bigint NOT NULL,
  body    bytea  NOT NULL
);
CREATE INDEX idempotency_created ON idempotency (created);
)sql",
    // 2: the configuration change history (core/config_history.h). A version outlives its object, so no
    // foreign key; `body` is the record's codec value without its payload, `payload` the tree bytes (a
    // whole snapshot on checkpoints, else a delta). Activities need nothing: their new field is in body.
    R"sql(
CREATE TABLE config_versions (
  object_type smallint NOT NULL,
  object_key  text     NOT NULL,
  version     bigint   NOT NULL,
  body        bytea    NOT NULL,
  payload     bytea    NOT NULL,
  PRIMARY KEY (object_type, object_key, version)
);
)sql",
    // 3: the catalog version, one row that every write group raises in its transaction, under the write lock
    // (pg_catalog.cpp), as does `jim-edge copy`: a node that read the same number after a request arrived
    // knows that nothing it keeps in memory changed (pg_read_cache.h). Touches of last_used_at do not raise it.
    R"sql(
CREATE TABLE catalog_version (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  version  bigint  NOT NULL
);
INSERT INTO catalog_version (version) VALUES (1);
)sql",
    // 4: the key version beside it, which only changes of api keys raise, so that the keys a node keeps for
    // authentication outlive the writes that change no key (pg_read_cache.h). A trigger raises it rather than
    // the store's statements: then every writer raises it, also a node still running the binary before this
    // migration (a rolling upgrade), `jim-edge copy` and a change made with psql. Statement-level, on the
    // columns an answer of authentication depends on: a touch (UPDATE of last_used_at only) does not fire it.
    // The function keeps the schema it was created in (tests: one schema each).
    R"sql(
ALTER TABLE catalog_version ADD COLUMN key_version bigint NOT NULL DEFAULT 1;
CREATE FUNCTION raise_key_version() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE catalog_version SET key_version = key_version + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER api_keys_raise_key_version
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF id, digest_hex, body ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION raise_key_version();
)sql",
};

// Any two numbers of our own in the advisory-lock space; the second half is the schema, so tests (one
// schema each) and several catalogs in one database do not wait for each other.
constexpr int kMigrationLockClass = 0x4a494d01;  // "JIM" 1

}  // namespace

int LatestSchemaVersion() {
  return static_cast<int>(kMigrations.size());
}

core::Status Migrate(Conn& conn, const std::string& where) {
  conn.Exec("SELECT pg_advisory_lock($1::int, hashtext(current_schema()))", Params().Int(kMigrationLockClass));
  struct Unlock {
    Conn& c;
    ~Unlock() {
      try {
        if (!c.Broken())
          c.Exec("SELECT pg_advisory_unlock($1::int, hashtext(current_schema()))", Params().Int(kMigrationLockClass));
      } catch (...) {
        // The lock is the session's: it goes with the connection.
      }
    }
  } unlock{conn};
  conn.Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
      "applied_at timestamptz NOT NULL DEFAULT now())");
  Rows current = conn.Exec("SELECT coalesce(max(version), 0)::bigint FROM schema_migrations");
  const int64_t version = current.Int(0, 0);
  if (version > LatestSchemaVersion())
    return core::MakeError(core::ErrorCode::kUnavailable,
                           "the database " + where + " has schema version " + std::to_string(version) +
                               " but this jim-edge knows versions up to " + std::to_string(LatestSchemaVersion()) +
                               ": run a newer jim-edge.");
  for (int64_t v = version + 1; v <= LatestSchemaVersion(); ++v) {
    conn.ExecScript("BEGIN");
    try {
      conn.ExecScript(kMigrations[v - 1]);
      conn.Exec("INSERT INTO schema_migrations (version) VALUES ($1::int)", Params().Int(v));
      conn.ExecScript("COMMIT");
    } catch (...) {
      if (!conn.Broken()) conn.ExecScript("ROLLBACK");
      throw;
    }
  }
  return core::OkStatus();
}

}  // namespace jim::store::pg
