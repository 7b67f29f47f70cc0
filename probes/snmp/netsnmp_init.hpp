#pragma once
// Initialises Net-SNMP once per process for avmond's use: numeric OIDs only, and never reading
// or writing Net-SNMP's own config and persistent state (/var/lib/snmp, ~/.snmp).
// Call from the loop thread before opening any session (poller or trap receiver).

namespace avmon::snmp {
void ensure_netsnmp_initialised();
}
