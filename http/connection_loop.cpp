#include "http/connection_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace jim::http {

namespace {

using Clock = std::chrono::steady_clock;

// How long a refused connection is read and drained after its answer before it is closed, and how much
// of what the client still sends is dropped meanwhile. Long enough for the client to read the answer
// rather than a reset; short enough that a flooding client is gone within a second.
constexpr auto kLingerTime = std::chrono::milliseconds(500);
constexpr size_t kLingerBytes = 1 << 20;
// Reads per readiness event; level-triggered epoll calls again for the rest, so one busy client cannot
// keep the loop from the others.
constexpr size_t kReadBudget = 64 * 1024;
constexpr auto kSweepEvery = std::chrono::milliseconds(100);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

void PeerAddress(int fd, bool local, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  int rc = local ? ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                 : ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    port = ntohs(a->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    port = ntohs(a->sin6_port);
  }
  ip = buf;
}

}  // namespace

ConnectionLoop::ConnectionLoop(ConnectionLimits limits, SSL_CTX* tls, Dispatch dispatch, RenderRefusal render)
    : limits_(limits),
      tls_(tls),
      dispatch_(std::move(dispatch)),
      render_(std::move(render)),
      // Made here, not in Open, and closed only by the destructor: Exit() may write to it from any thread
      // at any time of the loop's life.
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      scratch_(kReadBudget) {}

ConnectionLoop::~ConnectionLoop() {
  Stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

namespace {
// The epoll tag of the listening socket (connections carry their Connection*, the eventfd null).
char listen_tag;
// Connections accepted per readiness event, so a connect flood cannot keep the loop from its clients.
constexpr int kAcceptBudget = 256;
}  // namespace

bool ConnectionLoop::Run(int listen_fd, const Tick& tick, const std::function<void()>& on_ready) {
  if (!Open(listen_fd)) return false;
  if (on_ready) on_ready();
  Loop(tick);
  // Serving has ended: from here the kernel refuses new connections instead of queueing them until Stop.
  CloseListener();
  return true;
}

void ConnectionLoop::Exit() {
  stopped_.store(true);
  if (wake_fd_ >= 0) Wake();
}

bool ConnectionLoop::Open(int listen_fd) {
  if (wake_fd_ < 0) return false;  // errno from the constructor's eventfd
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) return false;
  if (listen_fd >= 0) {
    listen_fd_ = listen_fd;
    // Non-blocking: a client that resets between readiness and accept(2) must not block the loop.
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL, 0) | O_NONBLOCK);
    ev.data.ptr = &listen_tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) return false;
  }
  return true;
}

void ConnectionLoop::AcceptReady() {
  for (int i = 0; i < kAcceptBudget && listen_fd_ >= 0; ++i) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      Register(fd);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
      // Try again at the next sweep: closing connections frees descriptors meanwhile.
      epoll_event ev{};
      ev.data.ptr = &listen_tag;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
      accept_paused_ = true;
      accept_paused_until_ = Clock::now() + kSweepEvery;
    }
    return;  // EAGAIN: nothing more pending
  }
}

void ConnectionLoop::CloseListener() {
  if (listen_fd_ < 0) return;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::close(listen_fd_);
  listen_fd_ = -1;
}

void ConnectionLoop::Wake() {
  uint64_t one = 1;
  ssize_t rc = ::write(wake_fd_, &one, sizeof one);
  (void)rc;  // a full counter means a wake-up is already pending
}

void ConnectionLoop::Return(Connection* c, After after) {
  {
    std::lock_guard lock(mu_);
    handoffs_.push_back({c, after});
  }
  Wake();
}

void ConnectionLoop::Stop() {
  // Run has returned and no worker holds a connection: whatever is left is closed here.
  for (auto& [ptr, conn] : conns_) CloseConnection(*conn);
  conns_.clear();
  {
    std::lock_guard lock(mu_);
    handoffs_.clear();
  }
  open_.store(0);
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  epoll_fd_ = -1;
}

void ConnectionLoop::Loop(const Tick& tick) {
  std::vector<epoll_event> events(512);
  auto last_sweep = Clock::now();
  while (!stopped_.load()) {
    int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(kSweepEvery.count()));
    for (int i = 0; i < n; ++i) {
      if (events[static_cast<size_t>(i)].data.ptr == nullptr) {
        uint64_t count = 0;
        ssize_t rc = ::read(wake_fd_, &count, sizeof count);
        (void)rc;
        TakeHandoffs();
        continue;
      }
      if (events[static_cast<size_t>(i)].data.ptr == &listen_tag) {
        AcceptReady();
        continue;
      }
      auto* c = static_cast<Connection*>(events[static_cast<size_t>(i)].data.ptr);
      OnEvent(*c, events[static_cast<size_t>(i)].events);
    }
    auto now = Clock::now();
    if (accept_paused_ && now >= accept_paused_until_ && listen_fd_ >= 0) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = &listen_tag;
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
      accept_paused_ = false;
    }
    if (now - last_sweep >= kSweepEvery) {
      Sweep(now);
      last_sweep = now;
      if (tick && !tick()) break;
    }
  }
}

void ConnectionLoop::TakeHandoffs() {
  std::vector<Handoff> batch;
  {
    std::lock_guard lock(mu_);
    batch.swap(handoffs_);
  }
  for (const Handoff& h : batch) {
    Connection& c = *h.returned;
    if (h.after == After::kClose) {
      Close(c);
    } else if (h.after == After::kLinger) {
      Linger(c);
    } else {
      c.phase = c.Pending().empty() ? ConnectionPhase::kIdle : ConnectionPhase::kHead;
      SetDeadline(c, Clock::now() + std::chrono::milliseconds(c.phase == ConnectionPhase::kIdle
                                                                  ? limits_.idle_timeout_ms
                                                                  : limits_.head_timeout_ms));
      // A worker may have left decrypted bytes in the TLS session, which the socket will not signal.
      if (c.ssl) {
        ReadAvailable(c);
      } else {
        Advance(c);
      }
    }
  }
}

void ConnectionLoop::Register(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int yes = 1;
  // Nagle plus delayed ACK costs 40 ms per keep-alive request without this.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  auto conn = std::make_unique<Connection>();
  Connection& c = *conn;
  c.fd = fd;
  PeerAddress(fd, false, c.remote_ip, c.remote_port);
  PeerAddress(fd, true, c.local_ip, c.local_port);
  auto now = Clock::now();
  if (tls_) {
    c.ssl = SSL_new(tls_);
    if (!c.ssl || SSL_set_fd(c.ssl, fd) != 1) {
      CloseConnection(c);
      return;
    }
    SSL_set_accept_state(c.ssl);
    SSL_set_mode(c.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    c.phase = ConnectionPhase::kHandshake;
    SetDeadline(c, now + std::chrono::milliseconds(limits_.head_timeout_ms));
  } else {
    c.phase = ConnectionPhase::kIdle;
    SetDeadline(c, now + std::chrono::milliseconds(limits_.idle_timeout_ms));
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = &c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    CloseConnection(c);
    return;
  }
  conns_.emplace(&c, std::move(conn));
  open_.fetch_add(1, std::memory_order_relaxed);
}

void ConnectionLoop::Arm(Connection& c, short events) {
  epoll_event ev{};
  ev.events = EPOLLONESHOT | EPOLLRDHUP;
  if (events & POLLIN) ev.events |= EPOLLIN;
  if (events & POLLOUT) ev.events |= EPOLLOUT;
  ev.data.ptr = &c;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev) != 0) Close(c);
}

void ConnectionLoop::OnEvent(Connection& c, uint32_t events) {
  switch (c.phase) {
    case ConnectionPhase::kHandshake: {
      short want = POLLIN;
      int step = HandshakeStep(c, want);
      if (step == 1) {
        c.phase = ConnectionPhase::kIdle;
        SetDeadline(c, Clock::now() + std::chrono::milliseconds(limits_.idle_timeout_ms));
        // The client's first request may already sit decrypted in the session: read it now, because the
        // socket will not signal it again.
        ReadAvailable(c);
        return;
      }
      if (step == kWouldBlock) return Arm(c, want);
      return Close(c);
    }
    case ConnectionPhase::kLingering: {
      if (c.out_pos < c.out.size()) return Linger(c);
      for (;;) {
        ssize_t n = ::recv(c.fd, scratch_.data(), scratch_.size(), MSG_DONTWAIT);
        if (n > 0) {
          c.dropped += static_cast<size_t>(n);
          if (c.dropped > kLingerBytes) return Close(c);
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Arm(c, POLLIN);
        if (n < 0 && errno == EINTR) continue;
        return Close(c);
      }
    }
    case ConnectionPhase::kWorking:
      return;  // not armed while a worker holds it
    default:
      (void)events;
      return ReadAvailable(c);
  }
}

void ConnectionLoop::ReadAvailable(Connection& c) {
  size_t budget = kReadBudget;
  bool eof = false;
  short want = POLLIN;
  // Caution: decrypted bytes that TLS holds (SSL_pending) do not make the socket readable again, so they
  // are always taken, whatever the budget.
  while (budget > 0 || (c.ssl && SSL_pending(c.ssl) > 0)) {
    const size_t ask = budget > 0 ? std::min(budget, scratch_.size()) : scratch_.size();
    ssize_t n = ReceiveSome(c, scratch_.data(), ask, want);
    if (n > 0) {
      c.in.append(scratch_.data(), static_cast<size_t>(n));
      budget -= std::min(budget, static_cast<size_t>(n));
      // A short read emptied the socket: asking again would only return EAGAIN (a trickling client would
      // cost the loop two syscalls per byte). What arrives later, or the peer's FIN, raises the next event.
      if (!c.ssl && static_cast<size_t>(n) < ask) break;
      continue;
    }
    if (n == 0) eof = true;
    if (n == kFailed) return Close(c);
    break;
  }
  if (eof) {
    // The client has finished sending; a complete request it sent before that is still answered.
    if (c.phase == ConnectionPhase::kIdle && c.Pending().empty()) return Close(c);
    c.peer_eof = true;
  }
  Advance(c);
  (void)want;
}

void ConnectionLoop::Advance(Connection& c) {
  const auto now = Clock::now();
  std::string_view pending = c.Pending();
  if (pending.empty()) {
    if (c.peer_eof) return Close(c);
    c.phase = ConnectionPhase::kIdle;
    SetDeadline(c, now + std::chrono::milliseconds(limits_.idle_timeout_ms));
    c.Compact();
    return Arm(c, POLLIN);
  }
  if (c.phase == ConnectionPhase::kIdle) {
    c.phase = ConnectionPhase::kHead;
    SetDeadline(c, now + std::chrono::milliseconds(limits_.head_timeout_ms));
  }
  HeadVerdict v = CheckHead(pending, limits_.head);
  if (v.status == HeadStatus::kRejected) return Refuse(c, v.http_status, v.message);
  if (v.status == HeadStatus::kIncomplete) {
    if (c.peer_eof) return Close(c);
    return Arm(c, POLLIN);
  }
  const bool oversized = v.content_length > limits_.max_body_bytes;
  if (!oversized && pending.size() < v.head_bytes + v.content_length) {
    if (c.phase != ConnectionPhase::kBody) {
      // Refused before the body is read, so the connection closes after the answer (its bytes would
      // otherwise be read as the next request).
      if (!ReserveBody(c, v.content_length))
        return Refuse(c, 503, "The server is receiving too many request bodies at once; retry in a moment.");
      // Room for the whole request at once: growing by doubling would hold up to twice the budget.
      c.in.reserve(c.in_pos + v.head_bytes + static_cast<size_t>(v.content_length));
      c.phase = ConnectionPhase::kBody;
      c.body_deadline = now + std::chrono::milliseconds(limits_.body_timeout_ms);
      if (v.expect_continue && !c.continue_sent) {
        c.out.append(kContinue);
        c.continue_sent = true;
        short want = 0;
        while (c.out_pos < c.out.size()) {
          ssize_t n = SendSome(c, c.out.data() + c.out_pos, c.out.size() - c.out_pos, want);
          if (n <= 0) break;  // the rest goes with the response
          c.out_pos += static_cast<size_t>(n);
        }
      }
    }
    SetDeadline(c, std::min(now + std::chrono::milliseconds(limits_.io_timeout_ms), c.body_deadline));
    if (c.peer_eof) return Close(c);
    return Arm(c, POLLIN);
  }
  // A body over the limit is not buffered: the worker's guard answers 413 and drains or closes.
  ReleaseBody(c);
  c.phase = ConnectionPhase::kWorking;
  dispatch_(&c);
}

bool ConnectionLoop::ReserveBody(Connection& c, uint64_t length) {
  if (length > limits_.max_buffered_body_bytes || bodies_reserved_ > limits_.max_buffered_body_bytes - length)
    return false;
  c.body_reserved = static_cast<size_t>(length);
  bodies_reserved_ += c.body_reserved;
  return true;
}

void ConnectionLoop::ReleaseBody(Connection& c) {
  bodies_reserved_ -= c.body_reserved;
  c.body_reserved = 0;
}

void ConnectionLoop::Refuse(Connection& c, int status, std::string_view message) {
  c.out.append(render_(status, message, c.Pending()));
  Linger(c);
}

void ConnectionLoop::Linger(Connection& c) {
  ReleaseBody(c);
  if (c.phase != ConnectionPhase::kLingering) {
    c.phase = ConnectionPhase::kLingering;
    SetDeadline(c, Clock::now() + kLingerTime);
    c.in.clear();
    c.in_pos = 0;
    std::string().swap(c.in);
  }
  short want = 0;
  while (c.out_pos < c.out.size()) {
    ssize_t n = SendSome(c, c.out.data() + c.out_pos, c.out.size() - c.out_pos, want);
    if (n == kWouldBlock) return Arm(c, POLLOUT);
    if (n <= 0) return Close(c);
    c.out_pos += static_cast<size_t>(n);
  }
  // Answered: the client sees the end of the stream after it; what it still sends is read and dropped
  // until it stops or the linger time is over, so its kernel does not turn the answer into a reset.
  if (c.ssl) {
    SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  ::shutdown(c.fd, SHUT_WR);
  Arm(c, POLLIN);
}

void ConnectionLoop::Close(Connection& c) {
  ReleaseBody(c);
  CloseConnection(c);
  conns_.erase(&c);
  open_.fetch_sub(1, std::memory_order_relaxed);
}

void ConnectionLoop::SetDeadline(Connection& c, Clock::time_point when) {
  c.deadline = when;
  deadlines_.Schedule(c, when);
}

void ConnectionLoop::Sweep(Clock::time_point now) {
  // The loop's open connection at this address, or null.
  const auto live = [this](Connection* ptr) { return conns_.contains(ptr) ? ptr : nullptr; };
  deadlines_.PopDue(now, live, [&](Connection& c) {
    if (c.phase == ConnectionPhase::kWorking) return;  // its deadline is set anew when the worker returns it
    if (now < c.deadline) return deadlines_.Schedule(c, c.deadline);
    switch (c.phase) {
      case ConnectionPhase::kHead:
        return Refuse(c, 408, "The request head was not complete within " + std::to_string(limits_.head_timeout_ms / 1000) +
                          " seconds.");
      case ConnectionPhase::kBody:
        return Refuse(c, 408, "The request body did not arrive in time.");
      default:
        return Close(c);  // idle keep-alive, a stalled TLS handshake, or the end of a linger
    }
  });
  deadlines_.Compact(conns_.size(), live);
}

}  // namespace jim::http
