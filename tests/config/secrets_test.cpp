// Secrets: where they come from, that they are masked in logs, that no message ever
// shows one, and that files holding them are not world-readable.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "daemon/core/log.hpp"
#include "helpers.hpp"

using namespace avmon::config;
using namespace avmon::config::test;

namespace {

struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag) {
        path = std::filesystem::temp_directory_path() / ("avmon-config-" + tag + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string write(const std::string& name, const std::string& content, mode_t mode) const {
        auto p = path / name;
        std::ofstream(p) << content;
        ::chmod(p.c_str(), mode);
        return p.string();
    }
};

LoadOptions with_env(std::map<std::string, std::string> env) {
    LoadOptions o = hermetic();
    auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(env));
    o.getenv = [shared](const char* name) -> const char* {
        auto it = shared->find(name);
        return it == shared->end() ? nullptr : it->second.c_str();
    };
    return o;
}

bool any_mentions(const LoadResult& r, const std::string& needle) {
    for (const auto* list : {&r.errors, &r.warnings})
        for (const auto& e : *list)
            if (e.to_string().find(needle) != std::string::npos) return true;
    return false;
}

const char* kSwitchV3 = R"([[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
[device.snmp.v3]
user = "avmon"
auth_key = "env:SW_AUTH"
priv_key = "env:SW_PRIV"
)";

}  // namespace

TEST_CASE("config secrets come from the environment and are registered for masking", "[config][secrets]") {
    LoadResult r = load_text(kSwitchV3, with_env({{"SW_AUTH", "auth-Xk29-env"}, {"SW_PRIV", "priv-Qw81-env"}}));
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    const auto& v3 = *r.config->devices[0].snmp->v3;
    CHECK(v3.auth_key == "auth-Xk29-env");
    CHECK(v3.priv_key == "priv-Qw81-env");
    CHECK(avmon::log::redact("key is auth-Xk29-env") == "key is ***");
    CHECK(avmon::log::redact("priv-Qw81-env!") == "***!");
}

TEST_CASE("config a missing environment variable is an error naming the key and the variable", "[config][secrets]") {
    LoadResult r = load_text(kSwitchV3, with_env({{"SW_AUTH", "auth-Xk29-env"}}));
    CHECK_FALSE(r.ok());
    CHECK(find_diag(r.errors, 10, "device[0].snmp.v3.priv_key: environment variable SW_PRIV is not set"));
    CHECK_FALSE(any_mentions(r, "auth-Xk29-env"));
    LoadResult empty = load_text(kSwitchV3, with_env({{"SW_AUTH", "auth-Xk29-env"}, {"SW_PRIV", ""}}));
    CHECK(find_diag(empty.errors, 10, "environment variable SW_PRIV is empty"));
}

TEST_CASE("config secrets from files; unreadable files name the path, never a value", "[config][secrets]") {
    TempDir dir("secret-files");
    std::string pw = dir.write("smtp.pw", "smtp-Pw-0bscure\n", 0600);
    std::string text = "[smtp]\nenabled = true\nurl = \"smtps://127.0.0.1\"\nfrom = \"a@example.com\"\n"
                       "username = \"avmon\"\npassword = \"file:" + pw + "\"\n";
    LoadResult r = load_text(text);
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.config->smtp.password == "smtp-Pw-0bscure");  // trailing newline dropped
    CHECK(avmon::log::redact("pw=smtp-Pw-0bscure") == "pw=***");

    std::string missing = text;
    missing.replace(missing.find(pw), pw.size(), (dir.path / "nope.pw").string());
    LoadResult m = load_text(missing);
    CHECK(find_diag(m.errors, 6, "smtp.password: cannot read secret file " + (dir.path / "nope.pw").string()));

    std::string blank = dir.write("blank.pw", "\n", 0600);
    std::string empty = text;
    empty.replace(empty.find(pw), pw.size(), blank);
    CHECK(find_diag(load_text(empty).errors, 6, "is empty"));
}

TEST_CASE("config error messages never contain secret values", "[config][secrets]") {
    // Literal secrets next to mistakes on the same keys and tables.
    LoadResult r = load_text(R"([[device]]
id = "sw"
class = "switch"
address = "127.0.0.1"
[device.snmp]
version = "3"
community = "Comm-Lit3ral-77"
[device.snmp.v3]
user = "avmon"
auth_key = "Ak-9z"
priv_key = 12345678
[[device]]
id = "proj"
class = "display"
address = "127.0.0.1"
[device.control]
protocol = "mdc"
password = "Pj-S3cret-44"
[smtp]
password = "Smtp-S3cret-55"
[traps]
communities = ["Trap-S3cret-66", 7]
)",
                             with_env({}));
    INFO(dump(r.errors) << dump(r.warnings));
    CHECK_FALSE(r.ok());
    CHECK(find_diag(r.errors, 10, "device[0].snmp.v3.auth_key: must be at least 8 characters long"));
    CHECK(find_diag(r.errors, 11, "device[0].snmp.v3.priv_key: expected a string, found an integer"));
    CHECK(find_diag(r.errors, 22, "traps.communities[1]: expected a string"));
    CHECK(find_diag(r.warnings, 7, "device[0].snmp.community: ignored"));
    CHECK(find_diag(r.warnings, 18, "device[1].control.password: ignored"));
    CHECK(find_diag(r.warnings, 20, "smtp.password: ignored: no username"));
    for (const char* secret : {"Comm-Lit3ral-77", "Ak-9z", "12345678", "Pj-S3cret-44", "Smtp-S3cret-55", "Trap-S3cret-66"})
        CHECK_FALSE(any_mentions(r, secret));
}

TEST_CASE("config resolve_secrets = false keeps references and registers nothing", "[config][secrets]") {
    LoadOptions o = hermetic();
    o.resolve_secrets = false;
    LoadResult r = load_text(kSwitchV3, o);
    INFO(dump(r.errors));
    REQUIRE(r.ok());
    CHECK(r.config->devices[0].snmp->v3->auth_key == "env:SW_AUTH");
    CHECK(avmon::log::redact("env:SW_AUTH") == "env:SW_AUTH");
}

TEST_CASE("config warns when a file holding secrets is readable by others", "[config][secrets][permissions]") {
    TempDir dir("perms");
    const std::string with_literal = "[[device]]\nid = \"sw\"\nclass = \"switch\"\naddress = \"127.0.0.1\"\n"
                                     "[device.snmp]\ncommunity = \"perm-Comm-1\"\n";
    auto insecure_warning = [](const LoadResult& r) {
        bool found = std::any_of(r.warnings.begin(), r.warnings.end(), [](const ConfigError& w) {
            return w.message.find("is readable by other users; chmod 640") != std::string::npos;
        });
        CHECK(found == std::any_of(r.warnings.begin(), r.warnings.end(), is_insecure_permissions_warning));
        return found;
    };

    std::string open_cfg = dir.write("open.toml", with_literal, 0644);
    LoadResult open = load_config_file(open_cfg, hermetic());
    INFO(dump(open.errors) << dump(open.warnings));
    REQUIRE(open.ok());  // a warning, not an error
    CHECK(insecure_warning(open));
    CHECK_FALSE(any_mentions(open, "perm-Comm-1"));

    std::string closed_cfg = dir.write("closed.toml", with_literal, 0600);
    LoadResult closed = load_config_file(closed_cfg, hermetic());
    REQUIRE(closed.ok());
    CHECK_FALSE(insecure_warning(closed));

    // Readable, but holds no secret itself: only references.
    std::string secret = dir.write("community", "perm-Comm-2\n", 0600);
    std::string ref_cfg = dir.write("ref.toml",
                                    "[[device]]\nid = \"sw\"\nclass = \"switch\"\naddress = \"127.0.0.1\"\n"
                                    "[device.snmp]\ncommunity = \"file:community\"\n",
                                    0644);
    LoadResult ref = load_config_file(ref_cfg, hermetic());
    REQUIRE(ref.ok());
    CHECK(ref.config->devices[0].snmp->community == "perm-Comm-2");  // relative to the config's dir
    CHECK_FALSE(insecure_warning(ref));

    // The secret file itself world-readable: warned, naming the file and the key.
    ::chmod(secret.c_str(), 0644);
    LoadResult leaky = load_config_file(ref_cfg, hermetic());
    REQUIRE(leaky.ok());
    CHECK(find_diag(leaky.warnings, 6, "device[0].snmp.community: secret file " + secret +
                                           " is readable by other users; chmod 640"));
    CHECK_FALSE(any_mentions(leaky, "perm-Comm-2"));

    // parse_config never looks at permissions.
    CHECK_FALSE(insecure_warning(parse_config(with_literal, open_cfg, hermetic())));
}
