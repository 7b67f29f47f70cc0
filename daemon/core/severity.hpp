#pragma once
// Severity levels I–IV of the service-level table (REQUIREMENTS.md §3).
#include <optional>
#include <string_view>

namespace avmon {

enum class Severity { I = 1, II = 2, III = 3, IV = 4 };

constexpr std::string_view to_string(Severity s) {
    switch (s) {
        case Severity::I: return "I";
        case Severity::II: return "II";
        case Severity::III: return "III";
        case Severity::IV: return "IV";
    }
    return "?";
}

constexpr std::optional<Severity> parse_severity(std::string_view s) {
    if (s == "I" || s == "1") return Severity::I;
    if (s == "II" || s == "2") return Severity::II;
    if (s == "III" || s == "3") return Severity::III;
    if (s == "IV" || s == "4") return Severity::IV;
    return std::nullopt;
}

// Journal priority by severity: I crit, II err, III warning, IV notice (syslog numbers).
constexpr int journal_priority(Severity s) {
    switch (s) {
        case Severity::I: return 2;
        case Severity::II: return 3;
        case Severity::III: return 4;
        case Severity::IV: return 5;
    }
    return 6;
}

// One level more urgent (I stays I): used when an escalation raises the urgency.
constexpr Severity more_urgent(Severity s) {
    return s == Severity::I ? Severity::I : static_cast<Severity>(static_cast<int>(s) - 1);
}

}  // namespace avmon
