// Structured logging to stderr, as text or one JSON object per line. Never pass a secret or a request
// body here: the log is for operators and may be shipped anywhere.
#pragma once

#include <condition_variable>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace jim::http {

enum class LogFormat { kText, kJson };
enum class LogLevel { kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string_view>;

class Logger {
 public:
  // Lines are buffered and flushed at least every 200 ms (and when the buffer grows, and at once for
  // warnings and errors), so that the access log does not cost a write(2) per request. By a thread of the
  // logger's own, or, with kByOwner, by the owner calling Flush() that often (the server's main thread,
  // which runs the event loop, does it between the loop's rounds: no thread of its own).
  enum class Flushing { kBackground, kByOwner };
  explicit Logger(LogFormat format = LogFormat::kText, int fd = 2, Flushing flushing = Flushing::kBackground);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
  void Info(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kInfo, message, fields);
  }
  void Warn(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kWarn, message, fields);
  }
  void Error(std::string_view message, std::initializer_list<LogField> fields = {}) {
    Log(LogLevel::kError, message, fields);
  }
  void Flush();
  LogFormat format() const { return format_; }

 private:
  void FlushLocked(std::unique_lock<std::mutex>& lock);
  LogFormat format_;
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace jim::http
