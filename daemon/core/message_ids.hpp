#pragma once
// Stable journal MESSAGE_IDs, one per kind of event: `journalctl MESSAGE_ID=...` finds them.
// Never change an id once released; docs/message-ids.md is the catalogue for operators.
#include <string_view>

namespace avmon::msgid {

// avmond started and is ready
inline constexpr std::string_view daemon_started = "dd2c03e25114436bada6217baa6f118c";
// avmond could not start (exit status 3)
inline constexpr std::string_view daemon_start_failed = "465580daf0944b2cbfa8dfad7e44079f";
// avmond is stopping
inline constexpr std::string_view daemon_stopping = "1abba9df437846178f2c69fe8c9708b7";
// configuration loaded
inline constexpr std::string_view config_loaded = "e1279a7350254f288e6d86bbaa8ba2ef";
// configuration reloaded, with what changed
inline constexpr std::string_view config_reloaded = "e56abfb549254cb19a754de088405d92";
// reload refused, old configuration kept
inline constexpr std::string_view config_reload_failed = "67db9569cdb245d9a216624147c3545a";
// configuration error at file:line
inline constexpr std::string_view config_error = "143f629157a94aec9e46050fc72507b5";
// a configuration warning (file:line:col: key: message)
inline constexpr std::string_view config_warning = "2f585d241444493fa5db39efdff6b8d1";
// config file with secrets is readable by others
inline constexpr std::string_view config_insecure = "b3bcc52615ae4b9b91e2500164cb158b";
// a device stopped answering
inline constexpr std::string_view device_unreachable = "8f94a87eb7f44eabb0af9edf3067afbf";
// a device is still unreachable (backed-off reminder)
inline constexpr std::string_view device_still_unreachable = "0e2c9faed3fc4eddb0307b6cac5c8e09";
// a device answers again
inline constexpr std::string_view device_recovered = "690582494e1542d2bd6ddfa7634288f0";
// an SNMP agent restarted (its sysUpTime went backwards between two polls)
inline constexpr std::string_view device_restarted = "3289124ee84e430990a177a0a6c358cd";
// a serial port or persistent TCP control connection was lost (unplugged, device restarted)
inline constexpr std::string_view link_lost = "a3382f9027e4475a8e4584102413995c";
// a control link is still lost (backed-off reminder)
inline constexpr std::string_view link_still_lost = "e43269cd25ec46ed9a34edf608d2a767";
// a control link is open again
inline constexpr std::string_view link_recovered = "4894508c51f74d6eb16c3dfdcaad43be";
// a metric cannot be read (noSuchObject, ERR3, ...)
inline constexpr std::string_view metric_unavailable = "a78b70f323df495aaacedfb181bd5bb6";
// a probe failed in a way that is not the device's fault
inline constexpr std::string_view probe_error = "484d85f3bc944c989b0788080c7d7721";
// which ICMP mode / probe capability is in use
inline constexpr std::string_view probe_mode = "36709cdf15f649299bf33eb28d2c6fbd";
// an SNMP trap or inform was received and mapped
inline constexpr std::string_view trap_received = "2d7a69d4d50b4a46a33d3dd156f66a6f";
// a trap nobody mapped was recorded
inline constexpr std::string_view trap_unknown = "a1fa827130ca410bafb4ea4a65070854";
// a malformed or unauthenticated trap was dropped
inline constexpr std::string_view trap_rejected = "5ab7b91abb024c779eb014ceef0f44ef";
// an alarm was raised
inline constexpr std::string_view alarm_raised = "c172d002f1a241cc83f15827203dc5ff";
// an unacknowledged alarm is repeated to its recipients
inline constexpr std::string_view alarm_reminder = "933177b9e68b40fe849cd1e93b8c1513";
// an alarm was acknowledged
inline constexpr std::string_view alarm_acknowledged = "c38ae4551a2d449c828594c801b736c3";
// an alarm missed a deadline and escalated
inline constexpr std::string_view alarm_escalated = "e7e579ea7f51452aaea67b69e59782ea";
// an alarm's condition cleared or it was resolved by hand
inline constexpr std::string_view alarm_resolved = "3f529ee7ae0b41ba87bec7d228b17dd7";
// an alarm was closed with cause and action
inline constexpr std::string_view alarm_closed = "551fc28adba04c23b76e5e9d96e9b3e4";
// a resolved alarm re-opened
inline constexpr std::string_view alarm_reopened = "333958eff0eb468cbbe93c2bb54a8a85";
// an alarm was suppressed (parent down or maintenance)
inline constexpr std::string_view alarm_suppressed = "a5b074eedd5045b19498fcfb223d0991";
// a condition is flapping
inline constexpr std::string_view alarm_flapping = "0dbd5a79c4434842b620d0741c61698e";
// a recurring problem was detected
inline constexpr std::string_view alarm_recurring = "2e434c7549074be89c9c113aaa87980b";
// a maintenance window began
inline constexpr std::string_view maintenance_started = "c6b7acdeaf394319b12181633fb27993";
// a maintenance window ended
inline constexpr std::string_view maintenance_ended = "06a6315d6d934c6cbdaf8a630f436e80";
// an e-mail was accepted by the server
inline constexpr std::string_view notification_sent = "46eb828b8d0d480f8a04578c633ae5b2";
// an e-mail failed temporarily and will be retried
inline constexpr std::string_view notification_retry = "d0444a309a57463aa8b8a96536def06e";
// an e-mail failed permanently
inline constexpr std::string_view notification_failed = "7230d802c54947e7840238b58cf9256b";
// mail has failed for longer than allowed
inline constexpr std::string_view notifications_undelivered = "39f656013cca470cb937ed5ff746e3b4";
// the store's schema was migrated to a newer version
inline constexpr std::string_view store_migrated = "8d2598a97b1045d3b53ea24d6ab8f826";
// the store could not write
inline constexpr std::string_view store_error = "f1a24b72ccd546b3baab68bcda8f4226";
// the store's queue is full; samples dropped
inline constexpr std::string_view store_queue_full = "0f3145e2a2e2447c8e3520ec68e8f2b5";
// samples with impossible timestamps were rejected
inline constexpr std::string_view store_sample_rejected = "b996b55573904a9cba4f82931f37358b";
// the store's file system is full
inline constexpr std::string_view store_disk_full = "59375ef2519f4a47a1317e9b582ecb7c";
// the store writes again
inline constexpr std::string_view store_recovered = "1ec51913f9dd4c4a95810862e3babfa4";
// a control-socket client connected
inline constexpr std::string_view control_connection = "83b34a83a718465aaf2a0a797907c5d4";
// a control-socket request was refused
inline constexpr std::string_view control_refused = "33031704e92c4a13aa9b60346299da42";
// an operator changed something through the control socket
inline constexpr std::string_view control_write = "af63e0ad79744005b07c5b5f4672c767";
// watchdog and loop-latency notes
inline constexpr std::string_view watchdog = "1033823ea4b042c4a12c4ebb894e9f2d";

}  // namespace avmon::msgid
