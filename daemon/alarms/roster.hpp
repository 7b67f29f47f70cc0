#pragma once
// Who is on duty at a given instant: weekly shifts in the roster's time zone (a shift may run
// past midnight), date overrides that win over shifts, and a fallback person.
#include <memory>
#include <string>

#include "config/model.hpp"
#include "daemon/alarms/time_zone.hpp"

namespace avmon::alarms {

class RosterClock {
public:
    // default_zone is used when the roster names none (the daemon's timezone).
    RosterClock(const config::Roster& roster, const std::string& default_zone);
    // The person id on duty at t ("" when no shift covers t and there is no fallback).
    std::string on_duty(SysTime t) const;

private:
    config::Roster roster_;
    std::shared_ptr<const TimeZone> zone_;
};

}  // namespace avmon::alarms
