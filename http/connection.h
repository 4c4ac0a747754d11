// One client connection as jim-edge owns it: the socket (and its TLS session), the bytes received and not yet
// consumed, and the bytes of responses not yet sent. It lives as long as the connection, so bytes that
// arrive ahead of the request being served (pipelining) are kept for the next one.
//
// Ownership moves between two places and is never shared: the event loop holds a connection while its head
// arrives and while it idles; a worker holds it while it serves the requests it has buffered. The hand-over
// goes through the loop's mutex, which orders every access.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jim::http {

enum class ConnectionPhase {
  kHandshake,  // TLS handshake in progress (loop)
  kIdle,       // between requests, nothing buffered (loop)
  kHead,       // some bytes of the next head have arrived (loop)
  kBody,       // a complete head, its body still arriving (loop)
  kWorking,    // a worker serves it
  kLingering,  // answered and half-closed: reading and dropping what the client still sends (loop)
};

struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;  // null for plain HTTP
  ConnectionPhase phase = ConnectionPhase::kIdle;
  std::chrono::steady_clock::time_point deadline{};
  std::chrono::steady_clock::time_point body_deadline{};  // the whole body's bound, once its head is in
  bool continue_sent = false;  // "100 Continue" already written for the head being served
  size_t body_reserved = 0;    // the body being read: its declared length, counted in the loop's budget
  bool peer_eof = false;       // the client has shut down its sending side
  std::string in;              // received bytes; in[in_pos..] not yet consumed
  size_t in_pos = 0;
  uint64_t consumed = 0;       // bytes consumed over the connection's life (Compact keeps counting)
  size_t dropped = 0;          // bytes read and dropped while lingering
  std::string out;             // response bytes not yet sent
  size_t out_pos = 0;
  // The loop's deadline queue (deadline_queue.h): the deadline of this connection's live entry there, and
  // that entry's token (0: none).
  std::chrono::steady_clock::time_point scheduled = std::chrono::steady_clock::time_point::max();
  uint64_t timer_token = 0;
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;

  std::string_view Pending() const { return std::string_view(in).substr(in_pos); }
  void Consume(size_t n) {
    in_pos += n;
    consumed += n;
  }
  // Drops consumed bytes so the buffer does not grow with the connection's age; gives back a large
  // buffer's memory once it is empty (an idle connection should cost a few hundred bytes).
  void Compact() {
    if (in_pos == in.size()) {
      in.clear();
      in_pos = 0;
      if (in.capacity() > 16 * 1024) std::string().swap(in);
    } else if (in_pos > 0 && in_pos >= in.size() / 2) {
      in.erase(0, in_pos);
      in_pos = 0;
    }
    if (out_pos == out.size()) {
      out.clear();
      out_pos = 0;
      if (out.capacity() > 64 * 1024) std::string().swap(out);
    }
  }
};

// Non-blocking transport over a connection, plain or TLS. Each returns the byte count (> 0), 0 for an
// orderly close by the peer (receive only), kWouldBlock with `want` set to POLLIN or POLLOUT, or kFailed.
inline constexpr ssize_t kWouldBlock = -1;
inline constexpr ssize_t kFailed = -2;
ssize_t ReceiveSome(Connection& c, char* buf, size_t size, short& want);
ssize_t SendSome(Connection& c, const char* buf, size_t size, short& want);
// One step of the TLS server handshake: 1 done, kWouldBlock (see want), kFailed.
int HandshakeStep(Connection& c, short& want);
// Waits up to timeout_ms for `events` on the socket; false on timeout or error.
bool WaitFor(int fd, short events, int timeout_ms);
// Whether the client's bytes can be received now or within timeout_ms: decrypted bytes held in the TLS
// session count (the socket does not signal them), then the socket. Bytes already in c.in do not.
bool WaitReadable(const Connection& c, int timeout_ms);
// Sends all of c.out from out_pos, waiting up to timeout_ms each time the socket is full.
bool FlushBlocking(Connection& c, int timeout_ms);
// Ends the TLS session (best effort) and closes the socket.
void CloseConnection(Connection& c);

}  // namespace jim::http
