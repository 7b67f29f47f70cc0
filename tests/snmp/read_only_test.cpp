// avmond never writes to devices (REQUIREMENTS: strictly read-only; AV gear ships default
// write communities, see DEVICES.md §7.7). The SNMP code must not even be able to build a SET:
// every PDU it creates is GET, GETNEXT or GETBULK. This scans the sources that talk Net-SNMP.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

TEST_CASE("snmp read-only: no source builds a SET PDU") {
    const std::filesystem::path dir = std::filesystem::path(AVMON_SOURCE_DIR) / "probes" / "snmp";
    std::size_t creates = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".cpp" && entry.path().extension() != ".hpp") continue;
        std::ifstream in(entry.path());
        std::string text((std::istreambuf_iterator<char>(in)), {});
        INFO(entry.path().filename().string());
        CHECK(text.find("SNMP_MSG_SET") == std::string::npos);
        const std::string call = "snmp_pdu_create(";
        for (auto at = text.find(call); at != std::string::npos; at = text.find(call, at + 1)) {
            ++creates;
            auto begin = at + call.size();
            auto end = text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_", begin);
            std::string what = text.substr(begin, end - begin);
            // build_request takes its command only from get()/walk(): GET, GETNEXT, GETBULK.
            CHECK((what == "command" || what == "SNMP_MSG_GET" || what == "SNMP_MSG_GETNEXT" || what == "SNMP_MSG_GETBULK"));
        }
    }
    CHECK(creates >= 1);
}
