#include "http/connection_stream.h"

#include <poll.h>
#include <sys/select.h>

#include <algorithm>
#include <cstring>

namespace jim::http {

namespace {
// Past this many bytes the outbox is sent before the next response is produced, so a client that
// pipelines many large reads cannot make one connection hold all their responses at once.
constexpr size_t kOutboxFlushBytes = 64 * 1024;
}  // namespace

bool ConnectionStream::is_readable() const {
  return !c_.Pending().empty() || WaitReadable(c_, read_timeout_ms_);
}

bool ConnectionStream::is_writable() const { return !failed_ && WaitFor(c_.fd, POLLOUT, write_timeout_ms_); }

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  std::string_view pending = c_.Pending();
  if (!pending.empty()) {
    size_t n = std::min(size, pending.size());
    std::memcpy(ptr, pending.data(), n);
    c_.Consume(n);
    return static_cast<ssize_t>(n);
  }
  // About to wait for the client: whatever it may be waiting for first (a "100 Continue") goes out now.
  if (!Flush()) return -1;
  for (;;) {
    short want = POLLIN;
    ssize_t n = ReceiveSome(c_, ptr, size, want);
    if (n >= 0) return n;
    if (n == kFailed || !WaitFor(c_.fd, want, read_timeout_ms_)) return -1;
  }
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (failed_) return -1;
  c_.out.append(ptr, size);
  if (c_.out.size() - c_.out_pos >= kOutboxFlushBytes && !Flush()) return -1;
  return static_cast<ssize_t>(size);
}

bool ConnectionStream::Flush() {
  if (failed_) return false;
  if (!FlushBlocking(c_, write_timeout_ms_)) failed_ = true;
  c_.Compact();
  return !failed_;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = c_.remote_ip;
  port = c_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = c_.local_ip;
  port = c_.local_port;
}

socket_t ConnectionStream::socket() const { return c_.fd < FD_SETSIZE ? c_.fd : INVALID_SOCKET; }

}  // namespace jim::http
