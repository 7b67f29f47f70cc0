#pragma once
// Runs the real avmonctl binary and captures its exit code, stdout and stderr; optionally as
// another user (fork, setgid/setuid, exec).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>

#include <optional>
#include <string>
#include <vector>

namespace avmon::ctl::testing {

struct CtlRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string slurp(int fd) {
    std::string s;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
    return s;
}

inline CtlRun run_ctl(const std::vector<std::string>& args, std::optional<std::pair<uid_t, gid_t>> as = {}) {
    char out_tmpl[] = "/tmp/avmonctl-out-XXXXXX";
    char err_tmpl[] = "/tmp/avmonctl-err-XXXXXX";
    int out_fd = ::mkstemp(out_tmpl), err_fd = ::mkstemp(err_tmpl);
    ::unlink(out_tmpl);
    ::unlink(err_tmpl);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        if (as && (::setgroups(0, nullptr) != 0 || ::setgid(as->second) != 0 || ::setuid(as->first) != 0)) _exit(126);
        std::vector<char*> argv;
        std::string bin = AVMONCTL_BIN;
        argv.push_back(bin.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::unsetenv("AVMON_SOCKET");
        ::execv(bin.c_str(), argv.data());
        _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    CtlRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::lseek(out_fd, 0, SEEK_SET);
    ::lseek(err_fd, 0, SEEK_SET);
    r.out = slurp(out_fd);
    r.err = slurp(err_fd);
    ::close(out_fd);
    ::close(err_fd);
    return r;
}

}  // namespace avmon::ctl::testing
