// The httplib::Stream a worker hands to cpp-httplib's process_request: reads come from the connection's
// buffer first (bytes the event loop or an earlier request read ahead are never lost), then from the socket
// with the read timeout; writes collect in the connection's outbox, so a response's head and body leave in
// one send and the responses to pipelined requests in as few as the client's reads allow.
#pragma once

#include <httplib.h>

#include "http/connection.h"

namespace jim::http {

class ConnectionStream final : public httplib::Stream {
 public:
  ConnectionStream(Connection& c, int read_timeout_ms, int write_timeout_ms)
      : c_(c), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  // Caution: cpp-httplib 0.11.4 is built with select(2) on Debian and answers 500 to any request whose
  // stream reports a descriptor >= FD_SETSIZE. This stream polls for itself, so that check means nothing
  // here; a descriptor above the limit is reported as invalid instead of failing the request.
  socket_t socket() const override;

  // Sends the outbox (blocking up to the write timeout whenever the socket is full).
  bool Flush();
  bool failed() const { return failed_; }

 private:
  Connection& c_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  bool failed_ = false;
};

}  // namespace jim::http
