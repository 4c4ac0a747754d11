#include "http/logger.h"

#include <unistd.h>

#include <chrono>

#include "http/json_writer.h"
#include "http/time_format.h"

namespace jim::http {

namespace {
constexpr size_t kFlushThreshold = 64 * 1024;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

bool NeedsQuoting(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Logger::Logger(LogFormat format, int fd, Flushing flushing) : format_(format), fd_(fd) {
  if (flushing == Flushing::kByOwner) return;
  flusher_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::milliseconds(200));
      FlushLocked(lock);
    }
  });
}

Logger::~Logger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();
}

void Logger::Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(160);
  if (format_ == LogFormat::kJson) {
    JsonWriter w(line);
    w.BeginObject();
    w.Key("time").Timestamp(NowMillis());
    w.Field("level", std::string_view(LevelName(level)));
    w.Field("msg", message);
    for (const auto& [k, v] : fields) w.Field(k, v);
    w.EndObject();
  } else {
    AppendIso8601(line, NowMillis());
    line += ' ';
    line += LevelName(level);
    line += ' ';
    line += message;
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      if (NeedsQuoting(v)) AppendJsonString(line, v);
      else line += v;
    }
  }
  line += '\n';
  std::unique_lock lock(mu_);
  buffer_ += line;
  if (level != LogLevel::kInfo || buffer_.size() >= kFlushThreshold) FlushLocked(lock);
}

void Logger::Flush() {
  std::unique_lock lock(mu_);
  FlushLocked(lock);
}

void Logger::FlushLocked(std::unique_lock<std::mutex>&) {
  size_t off = 0;
  while (off < buffer_.size()) {
    ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n <= 0) break;  // nowhere to log to; drop rather than block the server
    off += static_cast<size_t>(n);
  }
  buffer_.clear();
}

}  // namespace jim::http
