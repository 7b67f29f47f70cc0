#include "ctl/rule_test/store_recorder.hpp"

#include <filesystem>
#include <stdexcept>

#include "daemon/store/store_writer.hpp"

namespace avmon::ctl::rule_test {

// The store checks sample times against "now"; in a simulation "now" is the end of the
// scenario, fixed, and safe to read from the writer's thread.
class StoreRecorder::FixedClock final : public Clock {
public:
    explicit FixedClock(SysTime t) : t_(t) {}
    SysTime now() const override { return t_; }

private:
    SysTime t_;
};

StoreRecorder::StoreRecorder(const std::string& path, const Scenario& sc)
    : clock_(std::make_unique<FixedClock>(sc.start + sc.duration)) {
    if (std::filesystem::exists(path))
        throw std::runtime_error("--db " + path + ": the file exists; give a path for a new store");
    config::StoreConfig cfg = sc.config.store;
    cfg.path = path;
    store::WriterOptions opts;
    opts.retention_interval = std::chrono::milliseconds(0);  // keep the whole simulated history
    writer_ = std::make_unique<store::StoreWriter>(cfg, *clock_, opts);
    for (const auto& d : sc.config.devices)
        writer_->enqueue_device({d.id, d.name, d.room, std::string(config::to_string(d.device_class)), d.model});
}

StoreRecorder::~StoreRecorder() = default;

Observers StoreRecorder::observers() {
    Observers o;
    o.event = [this](const AlarmEvent& e) { writer_->enqueue(e); };
    o.poll = [this](const std::string& device, const PollResult& r) { writer_->enqueue(r, device); };
    o.trap = [this](const TrapEvent& t) { writer_->enqueue(t); };
    return o;
}

bool StoreRecorder::finish(std::string& error) {
    const bool flushed = writer_->flush(std::chrono::seconds(120));
    const auto stats = writer_->stats();
    writer_->stop();
    if (!flushed || !stats.healthy || stats.dropped_samples > 0 || stats.rejected_samples > 0) {
        error = "store " + writer_->path() + ": " + (stats.last_error.empty() ? "not everything was written" : stats.last_error) +
                " (dropped " + std::to_string(stats.dropped_samples) + ", rejected " +
                std::to_string(stats.rejected_samples) + " samples)";
        return false;
    }
    return true;
}

}  // namespace avmon::ctl::rule_test
