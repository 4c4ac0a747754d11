#include "http/connection.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace jim::http {

namespace {
ssize_t TlsResult(Connection& c, int n, short& want) {
  switch (SSL_get_error(c.ssl, n)) {
    case SSL_ERROR_WANT_READ: want = POLLIN; return kWouldBlock;
    case SSL_ERROR_WANT_WRITE: want = POLLOUT; return kWouldBlock;
    case SSL_ERROR_ZERO_RETURN: return 0;
    default:
      // Caution: OpenSSL's per-thread error queue must be emptied, or the next SSL call on this thread
      // (another connection's) reads this connection's error.
      ERR_clear_error();
      return kFailed;
  }
}
}  // namespace

ssize_t ReceiveSome(Connection& c, char* buf, size_t size, short& want) {
  if (c.ssl) {
    int n = SSL_read(c.ssl, buf, static_cast<int>(size > (1u << 30) ? (1u << 30) : size));
    if (n > 0) return n;
    return TlsResult(c, n, want);
  }
  for (;;) {
    ssize_t n = ::recv(c.fd, buf, size, MSG_DONTWAIT);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      want = POLLIN;
      return kWouldBlock;
    }
    return kFailed;
  }
}

ssize_t SendSome(Connection& c, const char* buf, size_t size, short& want) {
  if (c.ssl) {
    int n = SSL_write(c.ssl, buf, static_cast<int>(size > (1u << 30) ? (1u << 30) : size));
    if (n > 0) return n;
    ssize_t r = TlsResult(c, n, want);
    return r == 0 ? kFailed : r;
  }
  for (;;) {
    ssize_t n = ::send(c.fd, buf, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      want = POLLOUT;
      return kWouldBlock;
    }
    return kFailed;
  }
}

int HandshakeStep(Connection& c, short& want) {
  int n = SSL_accept(c.ssl);
  if (n == 1) return 1;
  ssize_t r = TlsResult(c, n, want);
  return r == kWouldBlock ? static_cast<int>(kWouldBlock) : static_cast<int>(kFailed);
}

bool WaitFor(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool WaitReadable(const Connection& c, int timeout_ms) {
  if (c.ssl && SSL_pending(c.ssl) > 0) return true;
  return WaitFor(c.fd, POLLIN, timeout_ms);
}

bool FlushBlocking(Connection& c, int timeout_ms) {
  while (c.out_pos < c.out.size()) {
    short want = 0;
    ssize_t n = SendSome(c, c.out.data() + c.out_pos, c.out.size() - c.out_pos, want);
    if (n > 0) {
      c.out_pos += static_cast<size_t>(n);
    } else if (n == kWouldBlock) {
      if (!WaitFor(c.fd, want, timeout_ms)) return false;
    } else {
      return false;
    }
  }
  return true;
}

void CloseConnection(Connection& c) {
  if (c.ssl) {
    // A non-blocking close_notify: sent if the socket takes it, never waited for.
    SSL_shutdown(c.ssl);
    ERR_clear_error();
    SSL_free(c.ssl);
    c.ssl = nullptr;
  }
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
}

}  // namespace jim::http
