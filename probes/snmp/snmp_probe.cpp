#include "probes/snmp/snmp_probe.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"

namespace avmon::snmp {

namespace {
const SystemClock& system_clock() {
    static const SystemClock clock;  // stateless: one for every probe
    return clock;
}

// RawPoll::scalars nodes of earlier polls, so a steady device costs no map allocations. One
// pool for all the thread's probes, not one per probe: a node is taken only while its device
// is being polled, so the polls in flight bound the pool (a pool per probe held ~0.9 KB per
// device between polls, ~8 MB at 10,000 devices).
using ScalarNode = decltype(RawPoll::scalars)::node_type;
constexpr std::size_t max_spare_scalars = 1024;  // beyond a burst's worth, nodes are freed

std::vector<ScalarNode>& spare_scalars() {
    thread_local std::vector<ScalarNode> spare;
    return spare;
}
}  // namespace

SnmpProbe::SnmpProbe(asio::any_io_executor ex, const config::DeviceConfig& device, const config::Profile& profile,
                     const Clock* clock)
    : mapper_(profile), clock_(clock ? clock : &system_clock()) {
    if (!device.snmp) {
        config_error_ = fmt::format("device {}: profile {} polls SNMP but the device has no [device.snmp] section",
                                    device.id, profile.name);
        return;
    }
    if (device.address.empty()) {
        config_error_ = fmt::format("device {}: SNMP needs an address", device.id);
        return;
    }
    session_ = std::make_unique<SnmpSession>(ex, SessionOptions{device.id, device.address, *device.snmp});
}

const std::string& SnmpProbe::text_of(const Oid& oid, std::string& scratch) const {
    const auto& oids = mapper_.poll_scalars();
    for (std::size_t i = 0; i < oids.size(); ++i)
        if (oids[i] == oid) return mapper_.poll_scalar_texts()[i];
    scratch = to_string(oid);  // an agent answering with another OID than asked
    return scratch;
}

void SnmpProbe::put_scalar(RawPoll& raw, const std::string& key, RawValue&& value) {
    auto& spare = spare_scalars();
    if (spare.empty()) {
        raw.scalars[key] = std::move(value);
        return;
    }
    auto node = std::move(spare.back());
    spare.pop_back();
    node.key() = key;  // reuses the key's buffer: the same OID texts every poll
    node.mapped() = std::move(value);
    auto done = raw.scalars.insert(std::move(node));
    if (!done.inserted) {  // the agent answered one OID twice: the last answer counts
        done.position->second = std::move(done.node.mapped());
        if (spare.size() < max_spare_scalars) spare.push_back(std::move(done.node));
    }
}

void SnmpProbe::recycle(RawPoll& raw) {
    auto& spare = spare_scalars();
    while (!raw.scalars.empty() && spare.size() < max_spare_scalars)
        spare.push_back(raw.scalars.extract(raw.scalars.begin()));
    raw.scalars.clear();
}

awaitable<SnmpResponse> SnmpProbe::get_scalars(const std::vector<Oid>& asked, probes::SteadyTime deadline,
                                               RawPoll& raw, bool& answered) {
    const std::vector<Oid>* oids = &asked;
    std::vector<Oid> remaining;  // what is left to ask after an error-status answer
    while (!oids->empty()) {
        auto r = co_await session_->get_view(*oids, deadline);
        if (r.answered()) answered = true;
        if (r.ok()) {
            std::string scratch;
            for (auto& vb : r.varbinds) {
                const std::string& key = text_of(vb.oid, scratch);
                if (key == sys_uptime_oid && vb.value.type == ValueType::timeticks)
                    raw.uptime_ticks = static_cast<std::uint32_t>(vb.value.unsigned_value);
                put_scalar(raw, key, std::move(vb.value));
            }
            session_->recycle(std::move(r.varbinds));  // their OID buffers decode the next answer
            co_return r;
        }
        if (r.status != SnmpStatus::error_status) co_return r;  // timeout, auth ...: the caller decides
        if (r.error_status == error_too_big && oids->size() > 1) {
            // The agent's PDU limit: read each half on its own.
            const auto half = static_cast<std::ptrdiff_t>(oids->size() / 2);
            std::vector<Oid> first(oids->begin(), oids->begin() + half), second(oids->begin() + half, oids->end());
            auto answer = co_await get_scalars(first, deadline, raw, answered);
            if (!answer.answered()) co_return answer;
            co_return co_await get_scalars(second, deadline, raw, answered);
        }
        // One varbind spoiled the PDU (v1 noSuchName, authorizationError, genError ...):
        // mark it, and read the others without it.
        if (r.error_index < 1 || static_cast<std::size_t>(r.error_index) > oids->size()) {
            for (const auto& o : *oids) raw.scalar_errors[to_string(o)] = r.error;  // no index: all of them
            co_return r;
        }
        const auto bad = static_cast<std::size_t>(r.error_index - 1);
        raw.scalar_errors[to_string((*oids)[bad])] =
            fmt::format("agent answered {}", error_status_name(r.error_status));
        if (oids != &remaining) remaining = *oids;
        remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(bad));
        oids = &remaining;
    }
    co_return SnmpResponse{};
}

awaitable<PollResult> SnmpProbe::poll(probes::SteadyTime deadline) {
    PollResult out;
    out.time = clock_->now();
    if (!session_) {
        out.error = config_error_;
        co_return out;
    }
    RawPoll raw;
    bool answered = false;

    const std::vector<Oid>& scalars = mapper_.poll_scalars();
    std::vector<Oid> chunk;  // only for profiles of more than one PDU
    for (std::size_t i = 0; i < scalars.size(); i += max_varbinds_per_get) {
        const bool whole = scalars.size() <= max_varbinds_per_get;
        if (!whole)
            chunk.assign(scalars.begin() + static_cast<std::ptrdiff_t>(i),
                         scalars.begin() + static_cast<std::ptrdiff_t>(std::min(scalars.size(), i + max_varbinds_per_get)));
        const std::vector<Oid>& asked = whole ? scalars : chunk;
        auto r = co_await get_scalars(asked, deadline, raw, answered);
        if (!r.answered() && !answered) {
            // Nothing came back at all: the device is unreachable (or refuses us). Don't
            // spend the rest of the budget on more requests to a dead device.
            out.reachable = false;
            out.error = r.error;
            recycle(raw);
            co_return out;
        }
        if (r.status == SnmpStatus::auth_error) {
            out.reachable = false;
            out.error = r.error;
            recycle(raw);
            co_return out;
        }
        if (!r.ok() && !r.answered())
            for (const auto& o : asked) {
                std::string scratch;
                const std::string& key = text_of(o, scratch);
                if (!raw.scalars.count(key)) raw.scalar_errors[key] = r.error;
            }
    }

    for (const auto& column : mapper_.columns()) {
        auto r = co_await session_->walk(column, deadline);
        if (r.answered()) answered = true;
        ColumnResult result;
        result.error = r.ok() ? r.error : r.error;  // ok with error text: walk stopped early (agent bug)
        if (!r.ok() && result.error.empty()) result.error = std::string(to_string(r.status));
        for (auto& vb : r.varbinds) result.rows.emplace_back(suffix_after(vb.oid, column), std::move(vb.value));
        raw.columns[to_string(column)] = std::move(result);
    }

    out.reachable = answered;
    out.samples.reserve(raw.scalars.size() + 2);  // one per scalar, sysUpTime, the caller's probe_up
    const std::string& device_id = session_->options().device_id;
    mapper_.map(raw, device_id, out.time, out);
    recycle(raw);
    // Logged here, once per restart: an operator asking "did the codec reboot last night?"
    // finds it in the journal; the counter rates simply skip this poll.
    if (mapper_.last_poll_saw_restart() && raw.uptime_ticks)
        log::notice(msgid::device_restarted,
                    fmt::format("{}: the SNMP agent restarted (sysUpTime went back to {} s); counter rates resume "
                                "from the next poll",
                                device_id, *raw.uptime_ticks / 100),
                    {{"AVMON_DEVICE", device_id}, {"AVMON_UPTIME_S", std::to_string(*raw.uptime_ticks / 100)}});
    co_return out;
}

std::unique_ptr<probes::Probe> make_snmp_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                               const config::Profile& profile) {
    return std::make_unique<SnmpProbe>(std::move(ex), device, profile);
}

}  // namespace avmon::snmp
