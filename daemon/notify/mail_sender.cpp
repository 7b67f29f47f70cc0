#include "daemon/notify/mail_sender.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "daemon/core/log.hpp"
#include "daemon/core/message_ids.hpp"
#include "daemon/notify/mail_render.hpp"
#include "daemon/notify/outbox_grouping.hpp"

namespace avmon::notify {
namespace {

using store::OutboxItem;
using store::OutboxStatus;
using store::OutboxUpdate;

std::vector<std::int64_t> ids_of(const std::vector<OutboxItem>& items) {
    std::vector<std::int64_t> ids;
    for (const auto& i : items) ids.push_back(i.id);
    return ids;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
    std::string s;
    for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s;
}

std::shared_ptr<const alarms::TimeZone> zone_named(const std::string& name) {
    // Loading reads a TZif file: keep each zone once per process.
    static std::mutex m;
    static std::map<std::string, std::shared_ptr<const alarms::TimeZone>> cache;
    std::lock_guard lock(m);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    std::shared_ptr<const alarms::TimeZone> tz;
    try {
        tz = alarms::TimeZone::load(name);
    } catch (const std::exception&) {
        tz = alarms::TimeZone::utc();  // the config loader already complained about the zone
    }
    cache.emplace(name, tz);
    return tz;
}

// Room, site, names and chain level names from the configuration, when there is one.
void fill_from_config(MailContext& ctx, const config::Config* cfg, Severity top) {
    if (!cfg) return;
    if (const auto* room = cfg->find_room(ctx.room_id)) {
        ctx.room_name = room->name;
        if (const auto* site = cfg->find_site(room->site)) {
            ctx.site_name = site->name.empty() ? site->id : site->name;
            ctx.site_tz = zone_named(site->timezone);
        }
    }
    for (const auto& d : cfg->devices)
        if (d.room == ctx.room_id) ctx.device_names[d.id] = d.name;
    std::string chain = "default";
    if (auto p = cfg->policies.find(top); p != cfg->policies.end()) chain = p->second.chain;
    for (const auto& c : cfg->chains)
        if (c.id == chain)
            for (const auto& l : c.levels) ctx.level_names.push_back(l.name);
}

}  // namespace

MailSender::MailSender(config::SmtpConfig smtp, std::string store_path, store::StoreWriter& writer,
                       const Clock& clock, MailSenderOptions options)
    : store_path_(std::move(store_path)), writer_(writer), clock_(clock), options_(std::move(options)) {
    settings_.smtp = std::move(smtp);
    settings_.config = options_.config;
}

MailSender::~MailSender() { stop(); }

void MailSender::start() {
    std::lock_guard lock(m_);
    if (thread_.joinable() || stop_) return;
    thread_ = std::thread([this] { run(); });
}

void MailSender::wake() {
    {
        std::lock_guard lock(m_);
        wake_ = true;
    }
    cv_.notify_one();
}

void MailSender::stop() {
    {
        std::lock_guard lock(m_);
        stop_ = true;
    }
    stopping_ = true;
    abort_.abort();
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void MailSender::reconfigure(config::SmtpConfig smtp, std::shared_ptr<const config::Config> config) {
    std::lock_guard lock(m_);
    settings_.smtp = std::move(smtp);
    settings_.config = std::move(config);
}

MailSender::Settings MailSender::settings() const {
    std::lock_guard lock(m_);
    return settings_;
}

MailSenderStats MailSender::stats() const {
    std::lock_guard lock(m_);
    MailSenderStats s = stats_;
    s.undelivered = undelivered_.load();
    return s;
}

void MailSender::run() {
    std::optional<std::string> last_error;
    for (;;) {
        std::optional<SysTime> next;
        try {
            next = run_once().next_due;
            last_error.reset();
        } catch (const std::exception& e) {
            // Store unreadable for a moment (e.g. being migrated): say so once, try again.
            if (last_error != e.what())
                log::error(msgid::notification_retry, fmt::format("mail: cannot read the outbox: {}", e.what()));
            last_error = e.what();
            reader_.reset();
        }
        std::unique_lock lock(m_);
        auto wait = options_.poll_interval;
        if (next) {
            const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.now());
            wait = std::clamp(until, std::chrono::milliseconds(10), wait);
        }
        cv_.wait_for(lock, wait, [this] { return wake_ || stop_; });
        if (stop_) return;
        wake_ = false;
    }
}

std::optional<SysTime> MailSender::next_attempt_in_store(SysTime after) {
    // Rows due now are either being held for a storm (next_due says when) or just handled.
    auto ms = reader_->database().query_int(fmt::format(
        "SELECT min(next_attempt_ms) FROM notifications WHERE status IN ('pending','sending') "
        "AND next_attempt_ms > {}", to_unix_ms(after)));
    if (!ms) return std::nullopt;
    return from_unix_ms(*ms);
}

void MailSender::check_undelivered(const Settings& s, SysTime now) {
    auto oldest = reader_->database().query_int(
        "SELECT min(created_ms) FROM notifications WHERE status IN ('pending','sending') AND attempts > 0");
    const bool late = oldest && now - from_unix_ms(*oldest) >= s.smtp.undelivered_alarm_after;
    const bool was = undelivered_.exchange(late);
    if (late && !was)
        log::error(msgid::notifications_undelivered,
                   fmt::format("mail: notifications undelivered for more than {} s (oldest unsent since {}); "
                               "the outbox keeps them and retries{}",
                               s.smtp.undelivered_alarm_after.count(), format_utc(from_unix_ms(*oldest)),
                               s.smtp.fallback_url.empty() && s.smtp.fallback_recipients.empty()
                                   ? ""
                                   : "; fallback in use"),
                   {{"AVMON_SEVERITY", "II"}});
    else if (!late && was)
        log::info(msgid::notifications_undelivered, "mail: notifications are delivered again");
}

ScanResult MailSender::run_once() {
    ScanResult result;
    if (!reader_) reader_ = std::make_unique<store::StoreReader>(store_path_);
    const Settings s = settings();
    const SysTime now = clock_.now();
    {
        std::lock_guard lock(m_);
        ++stats_.scans;
    }
    check_undelivered(s, now);

    const auto due = reader_->due_outbox(now, options_.batch_limit);
    auto groups = group_outbox(due, now, s.smtp.group_window, options_.settle);
    bool wrote = false;
    for (auto& g : groups) {
        if (stopping_) break;
        if (!g.ready) {
            ++result.groups_waiting;
            if (!result.next_due || g.ready_at < *result.next_due) result.next_due = g.ready_at;
            continue;
        }
        if (!s.smtp.enabled) continue;
        const auto ids = ids_of(g.items);
        int attempts = 0;
        for (const auto& i : g.items) attempts = std::max(attempts, i.attempts);
        const std::string message_id =
            g.message_id.empty() ? make_message_id(ids, s.smtp.ehlo_name) : g.message_id;
        std::vector<log::Field> fields{{"AVMON_ROOM", g.room},
                                       {"AVMON_RECIPIENT", g.recipient},
                                       {"AVMON_OUTBOX_IDS", id_list(ids)},
                                       {"AVMON_MESSAGE_ID", message_id}};

        // 1. Durably mark the rows "sending" with the id the mail will carry.
        OutboxUpdate mark;
        mark.ids = ids;
        mark.status = OutboxStatus::sending;
        mark.attempts = attempts;
        mark.next_attempt = now;
        mark.message_id = message_id;
        mark.error = g.items.front().last_error;
        writer_.enqueue_outbox_update(mark);
        if (!writer_.flush(options_.commit_timeout)) {
            log::warning(msgid::notification_retry,
                         "mail: the store did not commit the 'sending' mark in time; not sending yet", fields);
            result.next_due = now;
            break;
        }

        // 2. Render from the alarms and events as they are now.
        std::vector<MailItem> mail_items;
        MailContext ctx;
        ctx.from = s.smtp.from;
        ctx.to = g.recipient;
        ctx.message_id = message_id;
        ctx.date = now;
        ctx.room_id = g.room;
        ctx.ctl_command = options_.ctl_command;
        std::vector<std::int64_t> alarm_ids;
        Severity top = Severity::IV;
        for (const auto& row : g.items) {
            auto alarm = reader_->alarm(row.alarm_id);
            if (!alarm) continue;  // cannot happen: written in the same transaction
            MailItem mi;
            mi.outbox_id = row.id;
            mi.alarm = *alarm;
            mi.escalation_level = row.escalation_level;
            mi.event_time = row.created;
            for (const auto& ev : reader_->alarm_events(row.alarm_id))
                if (ev.id == row.event_id) {
                    mi.kind = ev.kind;
                    mi.note = ev.note;
                    mi.event_time = ev.time;
                }
            for (const auto& other : reader_->outbox_for_alarm(row.alarm_id))
                if (other.event_id == row.event_id && other.recipient != row.recipient &&
                    std::find(mi.also_told.begin(), mi.also_told.end(), other.recipient) == mi.also_told.end())
                    mi.also_told.push_back(other.recipient);
            top = std::min(top, alarm->severity);
            alarm_ids.push_back(alarm->id);
            mail_items.push_back(std::move(mi));
        }
        for (auto& a : reader_->open_alarms())
            if (a.room == g.room && std::find(alarm_ids.begin(), alarm_ids.end(), a.id) == alarm_ids.end())
                ctx.other_open_alarms.push_back(std::move(a));
        fill_from_config(ctx, s.config.get(), top);
        const RenderedMail mail = render_mail(mail_items, ctx);

        // 3. Send; when mail has been failing too long, also to the fallback server/recipients.
        std::vector<std::string> rcpts{g.recipient};
        const bool fallback = undelivered_.load();
        if (fallback)
            for (const auto& r : s.smtp.fallback_recipients)
                if (std::find(rcpts.begin(), rcpts.end(), r) == rcpts.end()) rcpts.push_back(r);
        auto primary = target_from(s.smtp, s.smtp.url);
        primary.abort = &abort_;
        SendResult sent = send_mail(primary, s.smtp.from, rcpts, mail.message);
        if (sent.outcome == SendOutcome::temporary && fallback && !s.smtp.fallback_url.empty() && !stopping_) {
            auto second_target = target_from(s.smtp, s.smtp.fallback_url);
            second_target.abort = &abort_;
            SendResult second = send_mail(second_target, s.smtp.from, rcpts, mail.message);
            if (second.outcome != SendOutcome::temporary) sent = second;
            else sent.error += "; fallback: " + second.error;
        }

        // 4. The verdict goes back through the writer.
        const SysTime done = clock_.now();
        OutboxUpdate verdict;
        verdict.ids = ids;
        verdict.message_id = message_id;
        verdict.attempts = attempts + 1;
        verdict.next_attempt = done;
        verdict.error = sent.error;
        {
            // Counters only: never hold m_ while calling into the writer (its commit hook calls wake()).
            std::lock_guard lock(m_);
            switch (sent.outcome) {
                case SendOutcome::sent:
                    ++stats_.mails_sent;
                    stats_.items_sent += ids.size();
                    break;
                case SendOutcome::temporary: ++stats_.temporary_failures; break;
                case SendOutcome::permanent: ++stats_.permanent_failures; break;
            }
        }
        switch (sent.outcome) {
            case SendOutcome::sent:
                verdict.status = OutboxStatus::sent;
                verdict.sent = done;
                ++result.mails_sent;
                log::info(msgid::notification_sent,
                          fmt::format("mail: sent \"{}\" to {} ({} notification(s))", mail.subject,
                                      g.recipient, ids.size()),
                          fields);
                break;
            case SendOutcome::temporary: {
                verdict.status = OutboxStatus::pending;
                const auto delay = retry_delay(verdict.attempts, s.smtp.retry_initial, s.smtp.retry_max);
                verdict.next_attempt = done + delay;
                ++result.temporary_failures;
                log::warning(msgid::notification_retry,
                             fmt::format("mail to {} failed (attempt {}), retry in {} s: {}", g.recipient,
                                         verdict.attempts, delay.count(), sent.error),
                             fields);
                if (!result.next_due || verdict.next_attempt < *result.next_due)
                    result.next_due = verdict.next_attempt;
                break;
            }
            case SendOutcome::permanent:
                verdict.status = OutboxStatus::failed;
                ++result.permanent_failures;
                log::error(msgid::notification_failed,
                           fmt::format("mail to {} failed permanently, not retried: {} (room {}, outbox {})",
                                       g.recipient, sent.error, g.room, id_list(ids)),
                           fields);
                break;
        }
        writer_.enqueue_outbox_update(std::move(verdict));
        wrote = true;
    }
    // Commit the verdicts before the next scan reads the outbox again.
    if (wrote) writer_.flush(options_.commit_timeout);
    if (auto n = next_attempt_in_store(now); n && (!result.next_due || *n < *result.next_due))
        result.next_due = std::max(*n, now);
    check_undelivered(s, clock_.now());
    return result;
}

}  // namespace avmon::notify
