#include "store/pg_conn.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace jim::store::pg {

namespace {

// Type oids (server/catalog/pg_type_d.h is not in libpq-dev): fixed since PostgreSQL 7.
constexpr Oid kBoolOid = 16, kByteaOid = 17, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kTextOid = 25;

// Whether an error with this SQLSTATE may go away when the statement (or the whole transaction) is tried
// again: serialization failure, deadlock, connection exceptions, a server shutting down or starting up,
// out of resources.
bool TransientState(std::string_view state) {
  return state == "40001" || state == "40P01" || state.starts_with("08") || state.starts_with("57P") ||
         state.starts_with("53");
}

std::string ErrorText(PGconn* c, PGresult* r) {
  std::string text = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
  // libpq's messages span lines ("...failed: Connection refused\n\tIs the server running..."): one line.
  std::string flat;
  for (char ch : text) {
    if (ch == '\n' || ch == '\t' || ch == '\r') ch = ' ';
    if (ch == ' ' && (flat.empty() || flat.back() == ' ')) continue;
    flat += ch;
  }
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  return flat;
}

}  // namespace

void Params::Add(Oid type, std::string value, bool null) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  nulls_.push_back(null);
}

Params& Params::Int(int64_t v) {
  uint64_t be = htobe64(static_cast<uint64_t>(v));
  Add(kInt8Oid, std::string(reinterpret_cast<const char*>(&be), 8), false);
  return *this;
}

Params& Params::OptInt(std::optional<int64_t> v) {
  if (v) return Int(*v);
  Add(kInt8Oid, "", true);
  return *this;
}

Params& Params::Text(std::string_view v) {
  Add(kTextOid, std::string(v), false);
  return *this;
}

Params& Params::Bytes(std::string_view v) {
  Add(kByteaOid, std::string(v), false);
  return *this;
}

int64_t Rows::Int(int row, int col) const {
  const char* p = PQgetvalue(r_.get(), row, col);
  switch (PQftype(r_.get(), col)) {
    case kInt8Oid: {
      uint64_t be;
      std::memcpy(&be, p, 8);
      return static_cast<int64_t>(be64toh(be));
    }
    case kInt4Oid: {
      uint32_t be;
      std::memcpy(&be, p, 4);
      return static_cast<int32_t>(be32toh(be));
    }
    case kInt2Oid: {
      uint16_t be;
      std::memcpy(&be, p, 2);
      return static_cast<int16_t>(be16toh(be));
    }
    case kBoolOid: return *p != 0;
    default: throw std::runtime_error("postgresql: column " + std::to_string(col) + " is not an integer");
  }
}

std::optional<int64_t> Rows::OptInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

std::string_view Rows::Bytes(int row, int col) const {
  return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
}

namespace {

// What libpq expands as a connection string when it is given as dbname (expand_dbname): a URI or a string
// with an '='; anything else is a plain database name.
bool IsConnectionString(std::string_view s) {
  return s.starts_with("postgresql://") || s.starts_with("postgres://") || s.find('=') != std::string_view::npos;
}

// An option libpq marks secret (dispchar '*': password, sslpassword).
bool IsSecretOption(const PQconninfoOption& o) { return o.dispchar && o.dispchar[0] == '*'; }

// No host name holds an '@': in a host value with one, what precedes the last '@' is the rest of a password
// libpq read as the host (an unencoded '@' in a URI). Its length, or 0.
size_t MisreadPasswordInHost(const PQconninfoOption& o) {
  if (!o.val || std::strcmp(o.keyword, "host") != 0) return 0;
  const char* at = std::strrchr(o.val, '@');
  return at ? static_cast<size_t>(at - o.val) : 0;
}

// When the connection string itself does not parse, libpq's message may quote a piece of it (a password
// among it): the message without its quoted parts, so the reason stays and the text does not.
std::optional<std::string> ConninfoError(const std::vector<std::string>& keywords, const std::vector<std::string>& values) {
  for (size_t i = 0; i < keywords.size() && i < values.size(); ++i) {
    if (keywords[i] != "dbname" || !IsConnectionString(values[i])) continue;
    char* error = nullptr;
    PQconninfoOption* parsed = PQconninfoParse(values[i].c_str(), &error);
    if (parsed) PQconninfoFree(parsed);
    if (!error) return std::nullopt;
    std::string why;
    bool quoted = false;
    for (const char* c = error; *c; ++c) {
      if (*c == '"') {
        // A quoted piece of one character is syntax (missing "=", matching "]"): kept; others are text.
        const char* close = std::strchr(c + 1, '"');
        if (!quoted && close == c + 2) {
          why.append(c, 3);
          c = close;
          continue;
        }
        why += quoted ? "\"" : "\"...";
        quoted = !quoted;
      } else if (!quoted && *c != '\n') {
        why += *c;
      }
    }
    PQfreemem(error);
    return "the database URL is not a valid libpq URI or key=value string (" + why + ")";
  }
  return std::nullopt;
}

// libpq's message about a connection string it parsed can still name a piece of a secret: a host read from
// the rest of a password with an unencoded '@' ("could not translate host name "rest@db""). Every secret
// value and every such piece is replaced by ****.
std::string WithoutSecrets(std::string why, const std::vector<std::string>& keywords, const std::vector<std::string>& values) {
  std::vector<std::string> secrets;
  for (size_t i = 0; i < keywords.size() && i < values.size(); ++i) {
    if (keywords[i] != "dbname" || !IsConnectionString(values[i])) continue;
    PQconninfoOption* parsed = PQconninfoParse(values[i].c_str(), nullptr);
    if (!parsed) continue;
    for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
      if (!o->val || !*o->val) continue;
      if (IsSecretOption(*o)) secrets.emplace_back(o->val);
      if (size_t n = MisreadPasswordInHost(*o); n > 0) secrets.emplace_back(o->val, n);
    }
    PQconninfoFree(parsed);
  }
  for (const std::string& secret : secrets) {
    if (secret.size() < 4) continue;  // would garble the message; libpq never quotes a password anyway
    for (size_t at = why.find(secret); at != std::string::npos; at = why.find(secret, at + 4)) why.replace(at, secret.size(), "****");
  }
  return why;
}

}  // namespace

Conn::Conn(const std::vector<std::string>& keywords, const std::vector<std::string>& values) {
  std::vector<const char*> k, v;
  for (const auto& s : keywords) k.push_back(s.c_str());
  for (const auto& s : values) v.push_back(s.c_str());
  k.push_back(nullptr);
  v.push_back(nullptr);
  c_ = PQconnectdbParams(k.data(), v.data(), /*expand_dbname=*/1);
  if (c_ == nullptr) throw Transient("postgresql: out of memory while connecting");
  if (PQstatus(c_) != CONNECTION_OK) {
    // (Not value_or: its argument would parse the string again even when it does not parse.)
    std::optional<std::string> unparsed = ConninfoError(keywords, values);
    std::string why = unparsed ? std::move(*unparsed) : WithoutSecrets(ErrorText(c_, nullptr), keywords, values);
    PQfinish(c_);
    c_ = nullptr;
    throw Transient("postgresql: cannot connect: " + why);
  }
  // NOTICEs (DROP ... CASCADE, IF NOT EXISTS) are not errors; they must not reach stderr.
  PQsetNoticeProcessor(
      c_, [](void*, const char*) {}, nullptr);
}

Conn::~Conn() {
  if (c_) PQfinish(c_);
}

Rows Conn::Check(PGresult* r, std::string_view sql) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Rows(r);
  std::string why = ErrorText(c_, r);
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  if (r) PQclear(r);
  std::string what =
      "postgresql: " + why + (sqlstate.empty() ? "" : " [" + sqlstate + "]") + " in: " + std::string(sql.substr(0, 80));
  if (sqlstate == "55P03") throw LockTimeout(what);
  if (Broken() || TransientState(sqlstate)) throw Transient(what);
  throw std::runtime_error(what);
}

namespace {

// PQsendQueryParams / PQexecParams arguments of `params` (binary in, binary out).
struct Bound {
  explicit Bound(const std::vector<std::string>& vals, const std::vector<bool>& nulls) {
    for (size_t i = 0; i < vals.size(); ++i) {
      values.push_back(nulls[i] ? nullptr : vals[i].data());
      lengths.push_back(static_cast<int>(vals[i].size()));
      formats.push_back(1);
    }
  }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

}  // namespace

Rows Conn::Exec(std::string_view sql, const Params& params) {
  std::string text(sql);
  if (!deferred_.empty()) return Pipeline(&text, params, false);
  may_have_run_last_ = true;
  const std::string* name = Prepare(text, params);
  Bound b(params.values_, params.nulls_);
  PGresult* r = name ? PQexecPrepared(c_, name->c_str(), params.size(), b.values.data(), b.lengths.data(),
                                      b.formats.data(), /*resultFormat=*/1)
                     : PQexecParams(c_, text.c_str(), params.size(), params.types_.data(), b.values.data(),
                                    b.lengths.data(), b.formats.data(), /*resultFormat=*/1);
  return Check(r, sql);
}

// The server parses and plans a named statement once per session instead of at every execution (what
// pgbench -M prepared does). The texts are the store's own, a small fixed set; past kMaxPrepared (a bug's
// guard) statements run unnamed.
const std::string* Conn::Prepare(const std::string& sql, const Params& params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return &it->second;
  if (prepared_.size() >= kMaxPrepared) return nullptr;
  std::string name = "jim" + std::to_string(prepared_.size());
  Check(PQprepare(c_, name.c_str(), sql.c_str(), params.size(), params.types_.data()), sql);
  return &prepared_.emplace(sql, std::move(name)).first->second;
}

void Conn::ExecScript(std::string_view sql) {
  std::string text(sql);
  if (!deferred_.empty()) {
    // One statement rides in the pipeline (COMMIT, SAVEPOINT); a script cannot (the extended protocol runs
    // one statement per message): the deferred ones go first, on their own.
    if (text.find(';') == std::string::npos) {
      Pipeline(&text, Params(), /*script=*/true);
      return;
    }
    try {
      Flush();
    } catch (...) {
      may_have_run_last_ = false;  // the script was not sent
      throw;
    }
  }
  may_have_run_last_ = true;
  Check(PQexec(c_, text.c_str()), sql);
}

void Conn::Defer(std::string_view sql, Params params) {
  deferred_.push_back({std::string(sql), std::move(params)});
}

void Conn::Flush() {
  if (!deferred_.empty()) Pipeline(nullptr, Params(), false);
}

Rows Conn::Pipeline(const std::string* sql, const Params& params, bool script) {
  std::vector<Deferred> batch;
  batch.swap(deferred_);  // sent or failed, never sent twice
  may_have_run_last_ = true;
  std::vector<const std::string*> texts;
  for (const auto& d : batch) texts.push_back(&d.sql);
  if (sql) texts.push_back(sql);
  // Statements this session has not prepared yet are prepared first, before anything is sent (one round trip
  // each, once per session); a failure there sent nothing. A script's one statement (COMMIT) runs unnamed.
  std::vector<const std::string*> names;
  try {
    for (const auto& d : batch) names.push_back(Prepare(d.sql, d.params));
    if (sql) names.push_back(script ? nullptr : Prepare(*sql, params));
  } catch (...) {
    may_have_run_last_ = false;
    throw;
  }
  size_t next_name = 0;
  auto send = [&](const std::string& text, const Params& p) {
    Bound b(p.values_, p.nulls_);
    const std::string* name = names[next_name++];
    return (name ? PQsendQueryPrepared(c_, name->c_str(), p.size(), b.values.data(), b.lengths.data(),
                                       b.formats.data(), /*resultFormat=*/1)
                 : PQsendQueryParams(c_, text.c_str(), p.size(), p.types_.data(), b.values.data(),
                                     b.lengths.data(), b.formats.data(), /*resultFormat=*/1)) == 1;
  };
  bool sent = PQenterPipelineMode(c_) == 1;
  size_t queued = 0;
  for (; sent && queued < batch.size(); ++queued) sent = send(batch[queued].sql, batch[queued].params);
  if (sent && sql) sent = send(*sql, params), ++queued;
  if (sent) sent = PQpipelineSync(c_) == 1;
  if (!sent) {
    (void)PQexitPipelineMode(c_);
    may_have_run_last_ = queued >= texts.size();  // the last one never left this process
    return Check(nullptr, *texts.back());  // throws: Transient when the connection broke
  }
  // Every answer is read up to the sync, also after a failure (the server skips the rest: PIPELINE_ABORTED),
  // so that the connection is idle again for a ROLLBACK.
  PGresult* last = nullptr;
  PGresult* failed = nullptr;
  size_t index = 0, failed_index = 0;
  for (;;) {
    PGresult* r = PQgetResult(c_);
    if (!r) {
      if (Broken()) break;
      ++index;  // the end of one statement's answers
      continue;
    }
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
      if (last) PQclear(last);
      last = r;
    } else if (st != PGRES_PIPELINE_ABORTED && !failed) {
      failed = r;
      failed_index = std::min(index, texts.size() - 1);
    } else {
      PQclear(r);
    }
  }
  (void)PQexitPipelineMode(c_);
  if (failed) {
    if (last) PQclear(last);
    may_have_run_last_ = failed_index + 1 >= texts.size();
    return Check(failed, *texts[failed_index]);  // throws
  }
  if (!last || Broken()) {
    if (last) PQclear(last);
    return Check(nullptr, *texts.back());  // throws
  }
  return Check(last, *texts.back());
}

Pool::Pool(std::string conninfo, std::vector<std::string> extra_keywords, std::vector<std::string> extra_values,
           int size, std::chrono::milliseconds acquire_timeout)
    : size_(size < 1 ? 1 : size), acquire_timeout_(acquire_timeout) {
  // Defaults first, so that the URL (expanded at "dbname") overrides them; the caller's extras last.
  // A peer that vanished without a reset (a partition, a failed host) is noticed within seconds instead of
  // the kernel's two hours: keepalives while waiting for an answer, a bound on unacknowledged data.
  keywords_ = {"connect_timeout",  "application_name", "keepalives_idle", "keepalives_interval",
               "keepalives_count", "tcp_user_timeout", "dbname"};
  values_ = {"5", "jim-edge", "10", "5", "3", "15000", std::move(conninfo)};
  keywords_.insert(keywords_.end(), extra_keywords.begin(), extra_keywords.end());
  values_.insert(values_.end(), extra_values.begin(), extra_values.end());
}

std::unique_ptr<Conn> Pool::Connect() {
  return std::make_unique<Conn>(keywords_, values_);
}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mu_);
  if (!freed_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || lent_or_idle_ < size_; }))
    throw Transient("postgresql: no free connection in the pool within " + std::to_string(acquire_timeout_.count()) +
                    " ms");
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++lent_or_idle_;
  lock.unlock();
  try {
    return Lease(this, Connect());
  } catch (...) {
    Return(nullptr);
    throw;
  }
}

void Pool::Return(std::unique_ptr<Conn> conn) {
  if (conn) conn->DropDeferred();  // a transaction that did not end: the next borrower must not send its writes
  {
    std::lock_guard lock(mu_);
    if (conn && !conn->Broken())
      idle_.push_back(std::move(conn));
    else
      --lent_or_idle_;
  }
  freed_.notify_one();
}

Pool::Lease::~Lease() {
  if (pool_) pool_->Return(std::move(conn_));
}

namespace {

// A value as libpq's key=value syntax reads it back: bare when it is plain, else single-quoted.
std::string QuoteConninfoValue(std::string_view v) {
  const bool plain = !v.empty() && v.find_first_of(" \t\n\r\f\v'\\") == std::string_view::npos;
  if (plain) return std::string(v);
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

// Rebuilt from libpq's own parse, not edited in place: a pattern over the text missed what libpq reads
// differently (a backslash-escaped space inside a bare password, doubled quotes, sslpassword), and each
// miss put part of a secret into a log. Every option libpq marks secret (dispchar '*': password,
// sslpassword) shows as ****; a string libpq cannot parse is not echoed at all (its error may quote it).
std::string MaskPassword(std::string_view url) {
  if (!IsConnectionString(url)) return "dbname=" + QuoteConninfoValue(url);
  const std::string text(url);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return "(a connection string libpq cannot parse)";
  std::string out;
  for (const PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;  // PQconninfoParse sets only what the string gives
    if (!out.empty()) out += ' ';
    out += o->keyword;
    out += '=';
    const std::string_view value = o->val;
    if (IsSecretOption(*o)) {
      out += "****";
    } else if (value.find('@') != std::string_view::npos && std::strcmp(o->keyword, "host") == 0) {
      out += QuoteConninfoValue("****" + std::string(value.substr(MisreadPasswordInHost(*o))));
    } else {
      out += QuoteConninfoValue(value);
    }
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace jim::store::pg
