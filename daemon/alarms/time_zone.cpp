#include "daemon/alarms/time_zone.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

namespace avmon::alarms {
namespace {

std::int64_t read_be(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
}

std::int64_t to_secs(SysTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

// Howard Hinnant's public-domain civil calendar algorithms (well-known arithmetic, rewritten).
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

int iso_weekday_from_days(std::int64_t z) {
    // 1970-01-01 was a Thursday (ISO 4).
    std::int64_t w = (z + 3) % 7;
    if (w < 0) w += 7;
    return static_cast<int>(w) + 1;
}

std::shared_ptr<const TimeZone> TimeZone::utc() {
    static const std::shared_ptr<const TimeZone> zone = [] {
        auto z = std::make_shared<TimeZone>();
        z->name_ = "UTC";
        return z;
    }();
    return zone;
}

std::shared_ptr<const TimeZone> TimeZone::load(const std::string& name, const std::string& dir) {
    if (name.empty() || name == "UTC" || name == "Etc/UTC") return utc();
    // Zones are immutable; caching keeps reloads and many rooms cheap.
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
    std::lock_guard lock(mu);
    const std::string key = dir + "/" + name;
    if (auto it = cache.find(key); it != cache.end()) return it->second;

    if (name.find("..") != std::string::npos || name.front() == '/')
        throw std::runtime_error("time zone \"" + name + "\": not an IANA zone name");
    std::ifstream in(key, std::ios::binary);
    if (!in) throw std::runtime_error("time zone \"" + name + "\": cannot read " + key);
    std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto bad = [&](const char* why) {
        return std::runtime_error("time zone \"" + name + "\": " + key + ": " + why);
    };
    if (data.size() < 44 || data[0] != 'T' || data[1] != 'Z' || data[2] != 'i' || data[3] != 'f')
        throw bad("not a TZif file");

    auto parse_block = [&](std::size_t pos, int time_bytes, TimeZone& z, std::size_t& end) {
        if (data.size() < pos + 44) throw bad("truncated header");
        const unsigned char* h = data.data() + pos;
        const auto isutcnt = read_be(h + 20, 4), isstdcnt = read_be(h + 24, 4), leapcnt = read_be(h + 28, 4);
        const auto timecnt = read_be(h + 32, 4), typecnt = read_be(h + 36, 4), charcnt = read_be(h + 40, 4);
        if (timecnt < 0 || typecnt <= 0 || charcnt < 0 || leapcnt < 0 || isutcnt < 0 || isstdcnt < 0)
            throw bad("bad counts");
        std::size_t p = pos + 44;
        const std::size_t need = static_cast<std::size_t>(timecnt) * (time_bytes + 1) +
                                 static_cast<std::size_t>(typecnt) * 6 + static_cast<std::size_t>(charcnt) +
                                 static_cast<std::size_t>(leapcnt) * (time_bytes + 4) +
                                 static_cast<std::size_t>(isstdcnt + isutcnt);
        if (data.size() < p + need) throw bad("truncated data");
        std::vector<std::int64_t> times(static_cast<std::size_t>(timecnt));
        for (auto& t : times) {
            t = read_be(data.data() + p, time_bytes);
            p += static_cast<std::size_t>(time_bytes);
        }
        std::vector<int> idx(static_cast<std::size_t>(timecnt));
        for (auto& i : idx) i = data[p++];
        std::vector<std::int64_t> type_off(static_cast<std::size_t>(typecnt));
        for (auto& o : type_off) {
            o = read_be(data.data() + p, 4);
            p += 6;
        }
        for (int i : idx)
            if (i >= typecnt) throw bad("bad type index");
        z.transitions_ = times;
        z.offsets_.clear();
        for (int i : idx) z.offsets_.push_back(type_off[static_cast<std::size_t>(i)]);
        z.initial_offset_ = type_off[0];
        end = p + static_cast<std::size_t>(charcnt) + static_cast<std::size_t>(leapcnt) * (time_bytes + 4) +
              static_cast<std::size_t>(isstdcnt + isutcnt);
    };

    auto z = std::make_shared<TimeZone>();
    z->name_ = name;
    std::size_t end = 0;
    parse_block(0, 4, *z, end);
    if (data[4] >= '2') parse_block(end, 8, *z, end);  // the 64-bit block covers all of time
    // Zones whose files end before the instants we care about keep their last offset; Debian
    // ships "fat" files with explicit transitions up to 2037.
    cache.emplace(key, z);
    return z;
}

std::int64_t TimeZone::offset_at(SysTime t) const {
    const std::int64_t s = to_secs(t);
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), s);
    if (it == transitions_.begin()) return initial_offset_;
    return offsets_[static_cast<std::size_t>(it - transitions_.begin() - 1)];
}

LocalTime TimeZone::to_local(SysTime t) const {
    std::int64_t s = to_secs(t) + offset_at(t);
    std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    std::int64_t rem = s - days * 86400;
    LocalTime lt;
    civil_from_days(days, lt.year, lt.month, lt.day);
    lt.weekday = iso_weekday_from_days(days);
    lt.minute_of_day = static_cast<int>(rem / 60);
    lt.second = static_cast<int>(rem % 60);
    return lt;
}

SysTime TimeZone::from_local(int year, int month, int day, int minute_of_day) const {
    const std::int64_t local = days_from_civil(year, month, day) * 86400 + std::int64_t{minute_of_day} * 60;
    auto at = [](std::int64_t secs) { return SysTime{std::chrono::seconds{secs}}; };
    // The offset is one of those in force a day either side; take the earliest consistent one.
    const std::int64_t before = offset_at(at(local - 86400)), after = offset_at(at(local + 86400));
    std::int64_t best = 0;
    bool found = false;
    for (std::int64_t off : {before, after}) {
        const std::int64_t utc = local - off;
        if (offset_at(at(utc)) == off && (!found || utc < best)) {
            best = utc;
            found = true;
        }
    }
    if (!found) best = local - before;  // in the gap: read with the offset before it
    return at(best);
}

}  // namespace avmon::alarms
