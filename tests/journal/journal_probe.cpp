// Writes avmond-style journal lines through the real logging facade, for run_journald_test.sh.
//   journal_probe fields        : the alarm lines of every severity via make_journal_sink()
//   journal_probe default-sink  : one line via make_default_sink() (journal or stderr, its choice)
#include <cstring>
#include <string>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/core/severity.hpp"

using namespace avmon;

namespace {

void alarm_line(Severity sev, std::string_view id, std::string state, std::string alarm_id, std::string room,
                std::string device, std::string text) {
    log::write(static_cast<log::Priority>(journal_priority(sev)), id, std::move(text),
               {{"AVMON_ROOM", std::move(room)},
                {"AVMON_DEVICE", std::move(device)},
                {"AVMON_SEVERITY", std::string(to_string(sev))},
                {"AVMON_ALARM_ID", std::move(alarm_id)},
                {"AVMON_STATE", std::move(state)}});
}

int write_fields() {
    log::set_sink(log::make_journal_sink());
    log::set_max_priority(log::Priority::debug);
    // The config loader registers every secret it reads; this one must never reach the journal.
    log::register_secret("Xq7-community-secret");

    alarm_line(Severity::I, msgid::alarm_raised, "raised", "101", "room-101", "codec-101",
               "[I] room-101 codec-101 unreachable for 90 s");
    alarm_line(Severity::II, msgid::alarm_escalated, "raised", "102", "room-102", "mic-102",
               "[II] room-102 mic-102 RF level low, escalated to supervisor");
    alarm_line(Severity::III, msgid::alarm_raised, "raised", "103", "room-103", "proj-103",
               "[III] room-103 proj-103 lamp hours 2950 above 2900");
    alarm_line(Severity::IV, msgid::alarm_resolved, "resolved", "104", "room-104", "disp-104",
               "[IV] room-104 disp-104 filter cleaning done");
    log::error(msgid::probe_error, "snmp: community Xq7-community-secret rejected by sw-3f",
               {{"AVMON_DEVICE", "sw-3f"}, {"AVMON_DETAIL", "line one\ncommunity=Xq7-community-secret"}});
    return 0;
}

int write_default_sink() {
    log::set_sink(log::make_default_sink());
    log::warning(msgid::device_unreachable, "default-sink probe line", {{"AVMON_DEVICE", "codec-9"}});
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "fields") == 0) return write_fields();
    if (argc == 2 && std::strcmp(argv[1], "default-sink") == 0) return write_default_sink();
    return 2;
}
