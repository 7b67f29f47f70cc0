#include "config/model.hpp"

#include <algorithm>

namespace avmon::config {

std::string_view to_string(DeviceClass c) {
    switch (c) {
        case DeviceClass::codec: return "codec";
        case DeviceClass::mic: return "mic";
        case DeviceClass::display: return "display";
        case DeviceClass::switch_: return "switch";
    }
    return "?";
}

namespace {

template <typename T, typename Key>
const T* find_by(const std::vector<T>& items, std::string_view wanted, Key key) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return key(x) == wanted; });
    return it == items.end() ? nullptr : &*it;
}

// The protocol a device is reached by, for choosing its default profile: a control
// protocol wins (it says most about the device), then SNMP, then plain ping.
std::string transport_of(const DeviceConfig& d) {
    if (d.control) return d.control->protocol;
    if (d.snmp) return "snmp";
    return "icmp";
}

}  // namespace

const DeviceConfig* Config::find_device(std::string_view id) const {
    return find_by(devices, id, [](const DeviceConfig& x) -> const std::string& { return x.id; });
}
const RoomConfig* Config::find_room(std::string_view id) const {
    return find_by(rooms, id, [](const RoomConfig& x) -> const std::string& { return x.id; });
}
const SiteConfig* Config::find_site(std::string_view id) const {
    return find_by(sites, id, [](const SiteConfig& x) -> const std::string& { return x.id; });
}
const Profile* Config::find_profile(std::string_view name) const {
    return find_by(profiles, name, [](const Profile& x) -> const std::string& { return x.name; });
}
const Person* Config::find_person(std::string_view id) const {
    return find_by(people, id, [](const Person& x) -> const std::string& { return x.id; });
}
const EscalationChain* Config::find_chain(std::string_view id) const {
    return find_by(chains, id, [](const EscalationChain& x) -> const std::string& { return x.id; });
}

const Profile* Config::profile_for(const DeviceConfig& d) const {
    if (!d.profile.empty()) return find_profile(d.profile);
    const std::string transport = transport_of(d);
    for (const auto& p : profiles)
        if (p.device_class == d.device_class && p.protocol == transport) return &p;
    return nullptr;
}

std::vector<RuleConfig> Config::rules_for(const DeviceConfig& d) const {
    std::vector<RuleConfig> out;
    if (const Profile* p = profile_for(d)) out = p->rules;
    auto find_in_out = [&](const std::string& id) {
        return std::find_if(out.begin(), out.end(), [&](const RuleConfig& r) { return r.id == id; });
    };
    for (const auto& r : d.rules) {
        if (auto it = find_in_out(r.id); it != out.end())
            *it = r;  // the device's own version of a profile rule
        else
            out.push_back(r);
    }
    // Global rules apply unless the device (or its profile) has its own rule of that id.
    for (const auto& r : rules)
        if (find_in_out(r.id) == out.end()) out.push_back(r);
    std::erase_if(out, [&](const RuleConfig& r) {
        return std::find(d.disabled_rules.begin(), d.disabled_rules.end(), r.id) != d.disabled_rules.end();
    });
    return out;
}

}  // namespace avmon::config
