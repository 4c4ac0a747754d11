#include "http/time_format.h"

#include <cstdint>

namespace jim::http {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian, no locale, no libc.
constexpr int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);            // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);                   // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return {y + (m <= 2), m, d};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(CivilFromDays(0).year == 1970);

constexpr bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned DaysInMonth(int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

void AppendDigits(std::string& out, uint64_t v, int width) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(buf[--n]);
}

// Reads exactly `n` ASCII digits at `pos`.
bool ReadDigits(std::string_view s, size_t pos, size_t n, unsigned* value) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *value = v;
  return true;
}

}  // namespace

void AppendIso8601(std::string& out, core::Millis utc_millis) {
  // Floor division so that times before the epoch land on the right day.
  int64_t days = utc_millis / kMillisPerDay;
  int64_t ms_of_day = utc_millis % kMillisPerDay;
  if (ms_of_day < 0) {
    ms_of_day += kMillisPerDay;
    --days;
  }
  const Civil c = CivilFromDays(days);
  if (c.year < 0) {
    out.push_back('-');
    AppendDigits(out, static_cast<uint64_t>(-c.year), 4);
  } else {
    AppendDigits(out, static_cast<uint64_t>(c.year), 4);
  }
  const auto ms = static_cast<uint64_t>(ms_of_day);
  out.push_back('-');
  AppendDigits(out, c.month, 2);
  out.push_back('-');
  AppendDigits(out, c.day, 2);
  out.push_back('T');
  AppendDigits(out, ms / 3'600'000, 2);
  out.push_back(':');
  AppendDigits(out, ms / 60'000 % 60, 2);
  out.push_back(':');
  AppendDigits(out, ms / 1000 % 60, 2);
  out.push_back('.');
  AppendDigits(out, ms % 1000, 3);
  out.push_back('Z');
}

std::string FormatIso8601(core::Millis utc_millis) {
  std::string out;
  out.reserve(24);
  AppendIso8601(out, utc_millis);
  return out;
}

std::optional<core::Millis> ParseIso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  unsigned year, month, day, hour, minute, second;
  if (!ReadDigits(s, 0, 4, &year) || s.size() < 19 || s[4] != '-' || !ReadDigits(s, 5, 2, &month) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &day) || s[10] != 'T' || !ReadDigits(s, 11, 2, &hour) ||
      s[13] != ':' || !ReadDigits(s, 14, 2, &minute) || s[16] != ':' || !ReadDigits(s, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');  // truncate to milliseconds
      ++digits;
      ++pos;
    }
    if (digits < 1 || digits > 9) return std::nullopt;
    for (size_t i = digits; i < 3; ++i) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const bool negative = s[pos] == '-';
    unsigned oh, om;
    if (!ReadDigits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = static_cast<int64_t>(oh) * 60 + om;
    if (negative) offset_minutes = -offset_minutes;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t days = DaysFromCivil(year, month, day);
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

}  // namespace jim::http
