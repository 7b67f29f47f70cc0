#include "ctl/cmd_alarm_rows.hpp"

#include <cstdio>

namespace avmon::ctl {

void print_alarm_rows(const Json& alarms) {
    if (alarms.empty()) {
        std::puts("no alarms");
        return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : alarms) {
        std::string flags;
        if (a.value("suppressed", false)) flags += "suppressed ";
        if (a.value("flapping", false)) flags += "flapping ";
        if (a.value("recurring", false)) flags += "recurring ";
        if (!flags.empty()) flags.pop_back();
        rows.push_back({str(a["id"]), str(a["severity"]), str(a["state"]), str(a["room"]), str(a["device"]),
                        str(a["raised_at"]), flags.empty() ? "-" : flags, str(a["text"])});
    }
    print_table({"ID", "SEV", "STATE", "ROOM", "DEVICE", "RAISED", "FLAGS", "TEXT"}, rows);
}

}  // namespace avmon::ctl
