#include "daemon/alarms/self_rules.hpp"

namespace avmon::alarms {

std::vector<config::RuleConfig> self_rules() {
    config::RuleConfig store;
    store.id = "store_unwritable";
    store.kind = config::RuleKind::above;
    store.metric = std::string(kStoreUnwritableMetric);
    store.threshold = 0.5;
    // Severity II: monitoring goes on and nothing is lost yet (samples and alarm records wait
    // in memory, bounded by store.queue_limit), but history stops and, past the queue limit,
    // the oldest samples are dropped. The writer itself only reports failure after a failed
    // commit, so no extra debounce here.
    store.severity = Severity::II;
    store.text =
        "avmond cannot write its store: samples and alarm records wait in memory and mail waits in the "
        "outbox until it can (journal: store_disk_full)";
    return {store};
}

}  // namespace avmon::alarms
