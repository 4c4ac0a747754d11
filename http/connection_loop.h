// The event loop that holds every connection while it costs no work: while its head arrives (byte by byte,
// if the client likes), while its body arrives, and while it idles between requests. One thread, epoll,
// non-blocking sockets. A connection reaches a worker only once a complete, strictly checked head (and a
// body up to the size limit) is buffered, so slow or idle clients hold a file descriptor and a small
// buffer, never a thread.
//
// Bounds it enforces itself: the head's size (431 the moment it is passed), the head's deadline (408),
// the body's pace and deadline (408), the idle keep-alive timeout (closed silently), and every framing rule
// of head_check.h (400/411/414). Each refusal is the contract's JSON error, then a half-close: the
// loop keeps reading and dropping for a moment (a lingering close) so the client reads the answer
// instead of a reset.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/connection.h"
#include "http/deadline_queue.h"
#include "http/head_check.h"

namespace jim::http {

struct ConnectionLimits {
  HeadLimits head;
  size_t max_body_bytes = 1 << 20;
  size_t max_buffered_body_bytes = 256u << 20;  // declared lengths of the bodies being read, all connections: 503 beyond
  int head_timeout_ms = 10'000;  // the whole head, from its first byte
  int idle_timeout_ms = 60'000;  // keep-alive: between requests, before the first byte of the next
  int io_timeout_ms = 5'000;     // a body that stalls this long is refused (408); also workers' socket waits
  int body_timeout_ms = 60'000;  // the whole body, from the end of its head
};

class ConnectionLoop {
 public:
  // Hands a connection whose next request is buffered to a worker; the worker gives it back with Return().
  using Dispatch = std::function<void(Connection*)>;
  // The complete HTTP response (head and envelope) for a refused head; `head` is what arrived of it.
  using RenderRefusal =
      std::function<std::string(int status, std::string_view message, std::string_view head)>;

  ConnectionLoop(ConnectionLimits limits, SSL_CTX* tls, Dispatch dispatch, RenderRefusal render);
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  // Runs the loop on the calling thread (a server's main thread has nothing else to do, so the loop needs
  // no thread of its own): calls `on_ready` once it can serve, then serves until Exit() is called or
  // `tick` (called on this thread about every 100 ms) returns false; then closes the listening socket (the
  // kernel refuses new connections from here on) and returns true. False (with errno) if epoll cannot be
  // set up. With a listening socket (bound and listening; the loop owns it) the loop accepts its
  // connections itself: no thread sits in accept(2).
  using Tick = std::function<bool()>;
  bool Run(int listen_fd, const Tick& tick, const std::function<void()>& on_ready = {});
  // Makes Run return (any thread; also before Run has started: it then returns at once). Connections
  // held by the loop stay open until Stop.
  void Exit();
  // A worker is done with c: the loop reads its next request (keep) or closes it. After Run returned,
  // Stop closes it.
  enum class After { kKeep, kClose, kLinger };
  void Return(Connection* c, After after);
  // Closes every connection; call after Run has returned and the workers have returned every connection
  // they held.
  void Stop();

  size_t connections() const { return open_.load(std::memory_order_relaxed); }
  const ConnectionLimits& limits() const { return limits_; }

 private:
  struct Handoff {
    Connection* returned = nullptr;
    After after = After::kKeep;
  };
  bool Open(int listen_fd);
  void Loop(const Tick& tick);
  void Wake();
  void AcceptReady();
  void CloseListener();
  void TakeHandoffs();
  void Register(int fd);
  void Arm(Connection& c, short events);
  void OnEvent(Connection& c, uint32_t events);
  void ReadAvailable(Connection& c);
  void Advance(Connection& c);
  void Refuse(Connection& c, int status, std::string_view message);
  void Linger(Connection& c);
  void Close(Connection& c);
  // Every deadline change goes through here, so the deadline queue knows it.
  void SetDeadline(Connection& c, std::chrono::steady_clock::time_point when);
  void Sweep(std::chrono::steady_clock::time_point now);
  // The budget of bodies being read: a body's declared length is reserved when its reading starts and
  // released when it is complete (dispatched) or its connection is refused or closed.
  bool ReserveBody(Connection& c, uint64_t length);
  void ReleaseBody(Connection& c);

  const ConnectionLimits limits_;
  SSL_CTX* tls_;
  Dispatch dispatch_;
  RenderRefusal render_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  int listen_fd_ = -1;
  // Out of file descriptors: the listening socket is not polled until this time (else level-triggered
  // epoll reports the pending connection again at once and the loop spins).
  std::chrono::steady_clock::time_point accept_paused_until_{};
  bool accept_paused_ = false;
  std::atomic<bool> stopped_{false};
  std::atomic<size_t> open_{0};
  std::mutex mu_;
  std::vector<Handoff> handoffs_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;  // the loop thread's alone
  DeadlineQueue deadlines_;
  std::vector<char> scratch_;
  size_t bodies_reserved_ = 0;  // the loop thread's alone
};

}  // namespace jim::http
