#pragma once
// The SNMP probe: one device, one profile. Each poll GETs sysUpTime and the profile's scalars
// (in PDUs of at most 16 varbinds, split further on tooBig), walks the profile's table
// columns, and maps everything through the profile into a PollResult. It finishes by the
// poll deadline whatever the device does, and never sends SET.
#include <memory>
#include <string_view>

#include "config/model.hpp"
#include "daemon/core/clock.hpp"
#include "probes/probe.hpp"
#include "probes/snmp/profile_mapper.hpp"
#include "probes/snmp/session.hpp"

namespace avmon::snmp {

class SnmpProbe final : public probes::Probe {
public:
    // `clock` stamps samples (tests pass a ManualClock); null: the system clock.
    SnmpProbe(asio::any_io_executor ex, const config::DeviceConfig& device, const config::Profile& profile,
              const Clock* clock = nullptr);

    awaitable<PollResult> poll(probes::SteadyTime deadline) override;
    std::string_view kind() const override { return "snmp"; }

    SnmpSession* session() { return session_.get(); }
    const ProfileMapper& mapper() const { return mapper_; }

    static constexpr std::size_t max_varbinds_per_get = 16;

private:
    // `oids` must outlive the call (the compiled profile, or a local of the caller's frame).
    awaitable<SnmpResponse> get_scalars(const std::vector<Oid>& oids, probes::SteadyTime deadline, RawPoll& raw,
                                        bool& answered);
    // raw.scalars[key] = value, in a map node kept from an earlier poll when there is one.
    static void put_scalar(RawPoll& raw, const std::string& key, RawValue&& value);
    static void recycle(RawPoll& raw);

    // The OID text RawPoll is keyed by: precomputed for what the probe asks, so an answer in
    // the usual order costs a comparison instead of a to_string.
    const std::string& text_of(const Oid& oid, std::string& scratch) const;

    std::string config_error_;  // set instead of session_ (the device id is the session's)
    std::unique_ptr<SnmpSession> session_;
    ProfileMapper mapper_;
    const Clock* clock_;
};

std::unique_ptr<probes::Probe> make_snmp_probe(asio::any_io_executor ex, const config::DeviceConfig& device,
                                               const config::Profile& profile);

}  // namespace avmon::snmp
