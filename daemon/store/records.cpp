#include "daemon/store/records.hpp"

#include <array>
#include <utility>

namespace avmon::store {
namespace {
constexpr std::array<std::pair<OutboxStatus, std::string_view>, 4> kOutbox{{
    {OutboxStatus::pending, "pending"},
    {OutboxStatus::sending, "sending"},
    {OutboxStatus::sent, "sent"},
    {OutboxStatus::failed, "failed"},
}};
constexpr std::array<std::pair<MetricStatus, std::string_view>, 6> kMetric{{
    {MetricStatus::ok, "ok"},
    {MetricStatus::no_such_object, "no_such_object"},
    {MetricStatus::no_such_instance, "no_such_instance"},
    {MetricStatus::end_of_view, "end_of_view"},
    {MetricStatus::error, "error"},
    {MetricStatus::unknown_value, "unknown_value"},
}};

template <class Table, class E>
std::string_view name_of(const Table& t, E e) {
    for (auto& [k, v] : t)
        if (k == e) return v;
    return "?";
}
template <class E, class Table>
std::optional<E> value_of(const Table& t, std::string_view s) {
    for (auto& [k, v] : t)
        if (v == s) return k;
    return std::nullopt;
}
}  // namespace

std::string_view to_string(OutboxStatus s) { return name_of(kOutbox, s); }
std::optional<OutboxStatus> parse_outbox_status(std::string_view s) {
    return value_of<OutboxStatus>(kOutbox, s);
}
std::string_view to_string(MetricStatus s) { return name_of(kMetric, s); }
std::optional<MetricStatus> parse_metric_status(std::string_view s) {
    return value_of<MetricStatus>(kMetric, s);
}

}  // namespace avmon::store
