// The PostgreSQL backend's schema, as numbered migrations (the table schema_migrations records which ran).
// A migration is never edited once released: a change is a new migration.
#pragma once

#include <string>

#include "core/result.h"
#include "store/pg_conn.h"

namespace jim::store::pg {

// The highest schema version this binary knows.
int LatestSchemaVersion();

// Applies the missing migrations on `conn`, each in its own transaction, under a session-level advisory
// lock: two nodes starting at once on an empty database run them once, the second one waits and finds
// nothing left to do. Refuses a database whose schema is newer than this binary knows (one sentence that
// names `where`). Throws Transient when the database cannot be reached.
core::Status Migrate(Conn& conn, const std::string& where);

}  // namespace jim::store::pg
