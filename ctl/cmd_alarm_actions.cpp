#include "ctl/cmd_alarm_actions.hpp"

#include <cstdio>

#include "ctl/cmd_support.hpp"

namespace avmon::ctl {

int run_alarm_action(std::string_view command, std::string_view usage, std::span<char* const> args) {
    const std::string cmd(command);
    auto o = parse_options(args, command, usage, {"--note", "--cause", "--action"});
    if (!o) return exit_usage;
    if (o->help) return std::fputs(usage.data(), stdout), exit_ok;
    // `note ID TEXT...`: the text may be the remaining words.
    if (cmd == "note" && o->positional.size() >= 2 && !o->get("--note")) {
        std::string text;
        for (std::size_t i = 1; i < o->positional.size(); ++i) text += (i > 1 ? " " : "") + o->positional[i];
        o->values["--note"] = text;
        o->positional.resize(1);
    }
    if (o->positional.size() != 1) return usage_error(command, usage, "give exactly one alarm ID");
    const std::string& id_text = o->positional[0];
    if (id_text.empty() || id_text.size() > 18 || id_text.find_first_not_of("0123456789") != std::string::npos)
        return usage_error(command, usage, "alarm ID \"" + id_text + "\" is not a number");
    if (cmd == "resolve" && (!o->get("--cause") || !o->get("--action")))
        return usage_error(command, usage, "resolve needs --cause TEXT and --action TEXT");
    if (cmd == "note" && (!o->get("--note") || o->get("--note")->empty()))
        return usage_error(command, usage, "the note is empty");
    if (cmd != "ack" && cmd != "note" && o->get("--note"))
        return usage_error(command, usage, "--note is for ack and note");
    if ((cmd == "ack" || cmd == "note") && (o->get("--cause") || o->get("--action")))
        return usage_error(command, usage, "--cause and --action are for resolve and close");

    Json req{{"alarm", std::stoll(id_text)}};
    for (const char* k : {"note", "cause", "action"})
        if (auto v = o->get(std::string("--") + k)) req[k] = *v;
    Json res;
    if (int rc = call(*o, cmd, req, res); rc != exit_ok) return rc;
    if (o->json) return print_json(res), exit_ok;
    const Json& a = res["alarm"];
    if (cmd == "note")
        std::printf("note added to alarm %s\n", id_text.c_str());
    else
        std::printf("alarm %s is now %s (%s %s: %s)\n", id_text.c_str(), str(a["state"]).c_str(),
                    str(a["severity"]).c_str(), str(a["device"]).c_str(), str(a["text"]).c_str());
    return exit_ok;
}

}  // namespace avmon::ctl
