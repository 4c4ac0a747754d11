// The PostgreSQL backend's connection layer: one libpq connection with typed, binary parameters and
// results, the classification of its failures, and a bounded pool.
//
// Why libpq's C API directly (not libpqxx): no C++ wrapper dependency on top of the client library every
// Debian PostgreSQL install already has; pipeline mode is there when we want it (PG 14+ client); and the
// retry policy is ours: libpqxx hides connection loss and transaction outcomes behind its own exceptions
// and transactors, and this store must tell "never reached COMMIT" (retry) from "COMMIT outcome unknown"
// (answer 503 and let the client retry with its Idempotency-Key).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/catalog.h"

namespace jim::store::pg {

// The database cannot be reached or refused the statement for a reason a retry may clear: connection
// lost (before COMMIT was sent), serialization failure (40001), deadlock (40P01), server shutting down or
// starting. A StoreUnavailable, so a body that lets it escape yields kUnavailable like any I/O error.
class Transient : public core::StoreUnavailable {
 public:
  using core::StoreUnavailable::StoreUnavailable;
};

// A statement waited longer than the session's lock_timeout (55P03): another session holds the lock and is
// stuck or slow. Transient, but trying again at once would only queue behind the same holder.
class LockTimeout : public Transient {
 public:
  using Transient::Transient;
};

// Parameters of one statement, all sent in binary with explicit types (no casts in the SQL, no text
// round trip of integers).
class Params {
 public:
  Params& Int(int64_t v);
  Params& OptInt(std::optional<int64_t> v);
  Params& Text(std::string_view v);
  Params& Bytes(std::string_view v);
  int size() const { return static_cast<int>(types_.size()); }

 private:
  friend class Conn;
  void Add(Oid type, std::string value, bool null);
  std::vector<Oid> types_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// A result with binary columns; owns the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  int64_t Int(int row, int col) const;  // int8, int4, int2 or bool column
  std::optional<int64_t> OptInt(int row, int col) const;
  std::string_view Bytes(int row, int col) const;  // text or bytea column, as is

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// One connection. Not thread-safe: the pool lends it to one thread at a time.
class Conn {
 public:
  // `keywords`/`values` as for PQconnectdbParams (expand_dbname on: the first "dbname" may be a URI or a
  // key=value string). Throws Transient when the server cannot be reached.
  Conn(const std::vector<std::string>& keywords, const std::vector<std::string>& values);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs one statement. Throws Transient (see above) or std::runtime_error (any other error: a bug or a
  // broken schema; it reaches the client as 500).
  Rows Exec(std::string_view sql, const Params& params = {});
  // Several statements in one round trip, no parameters (BEGIN; SELECT lock...). A single statement
  // (COMMIT, SAVEPOINT x) goes out with the deferred ones in one round trip.
  void ExecScript(std::string_view sql);
  bool Broken() const { return PQstatus(c_) != CONNECTION_OK; }

  // A statement whose answer nobody waits for (a transaction body's INSERT, UPDATE or DELETE): queued, and
  // sent ahead of the next Exec, ExecScript or Flush in the same round trip (libpq pipeline mode), so every
  // later statement sees it. Its failure is thrown by that call (the rest of that round trip is skipped).
  // Only inside a transaction that ends in COMMIT or a rollback of this connection.
  void Defer(std::string_view sql, Params params);
  // Sends what was deferred and waits for it (one round trip; none if nothing was).
  void Flush();
  // Forgets what was deferred and not sent: before a rollback that would undo it anyway.
  void DropDeferred() { deferred_.clear(); }
  // After a call that threw: false when it is known that the server never ran the call's own statement (a
  // deferred one ahead of it failed, so the server skipped the rest, or died there). A COMMIT that was never
  // run has a known outcome: nothing was committed, and the transaction may be tried again.
  bool MayHaveRunLast() const { return may_have_run_last_; }

 private:
  struct Deferred {
    std::string sql;
    Params params;
  };
  Rows Check(PGresult* r, std::string_view sql);
  // The deferred statements and then `sql` (null: none; `script`: ExecScript's, run unnamed) in one pipeline;
  // the answer of `sql`, or of the last.
  Rows Pipeline(const std::string* sql, const Params& params, bool script);
  // The session's name for `sql`, preparing it on first use (one round trip); null: run it unnamed.
  const std::string* Prepare(const std::string& sql, const Params& params);
  static constexpr size_t kMaxPrepared = 256;
  PGconn* c_ = nullptr;
  std::vector<Deferred> deferred_;
  bool may_have_run_last_ = true;
  std::unordered_map<std::string, std::string> prepared_;  // statement text -> its name in this session
};

// A bounded set of connections, opened lazily and replaced when broken (the server restarted): after an
// outage the next borrower reconnects, the node needs no restart.
class Pool {
 public:
  Pool(std::string conninfo, std::vector<std::string> extra_keywords, std::vector<std::string> extra_values, int size,
       std::chrono::milliseconds acquire_timeout);

  // A borrowed connection, returned on destruction (dropped instead if it broke).
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Conn* operator->() { return conn_.get(); }
    Conn& operator*() { return *conn_; }
    // Closes the connection instead of returning it (after an error that leaves it in an unknown state).
    void Discard() { conn_.reset(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // Throws Transient when no connection frees up within the timeout or the server cannot be reached.
  Lease Acquire();
  // A new connection outside the pool (migrations, a session-level advisory lock).
  std::unique_ptr<Conn> Connect();

 private:
  void Return(std::unique_ptr<Conn> conn);

  std::vector<std::string> keywords_, values_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int lent_or_idle_ = 0;  // connections that exist (lent + idle) or are being opened
};

// What logs show of a libpq URI or key=value string: its options as key=value pairs in libpq's order, every
// secret one (password, sslpassword) as ****.
std::string MaskPassword(std::string_view url);

}  // namespace jim::store::pg
