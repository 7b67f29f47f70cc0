#include "daemon/app/device_fingerprint.hpp"

#include <fmt/format.h>

namespace avmon::app {

std::string device_fingerprint(const config::Config& cfg, const config::DeviceConfig& d) {
    std::string f = fmt::format("{}|{}|{}|{}|{}|{}|", d.address, d.icmp, d.interval.count(),
                                config::to_string(d.device_class), d.profile, d.room);
    if (d.snmp) {
        const auto& s = *d.snmp;
        const auto& v = s.credentials();
        f += fmt::format("snmp|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|", static_cast<int>(s.version), s.port,
                         s.community, s.timeout.count(), s.retries, s.max_repetitions, v.user,
                         static_cast<int>(v.level), v.auth_protocol, v.auth_key, v.priv_protocol, v.priv_key,
                         v.context, v.engine_id);
    }
    if (d.control) {
        const auto& c = *d.control;
        f += fmt::format("control|{}|{}|{}|{}|{}|", c.protocol, c.tcp_port.value_or(0), c.password, c.display_id,
                         c.timeout.count());
        for (int ch : c.channels) f += fmt::format("{},", ch);
        if (c.serial)
            f += fmt::format("|serial|{}|{}|{}|{}|{}|{}", c.serial->path, c.serial->baud, c.serial->parity,
                             c.serial->data_bits, c.serial->stop_bits, c.serial->flow_control);
    }
    if (const auto* p = cfg.profile_for(d)) {
        f += "|profile|" + p->name + "|" + p->protocol;
        for (const auto& m : p->metrics)
            f += fmt::format("|{}={}:{}:{}:{}:{}", m.name, m.source, static_cast<int>(m.kind), m.walk, m.index_source,
                             m.scale);
    }
    return f;
}

}  // namespace avmon::app
