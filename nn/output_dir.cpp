// Output directories built atomically: see output_dir.hpp.
#include "nn/output_dir.hpp"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nn/error.hpp"

namespace nn {

namespace fs = std::filesystem;

namespace {

// Inside every temporary directory until commit(): "pid <pid> start <ticks>", the owner and its start time
// (field 22 of /proc/<pid>/stat), so that a reused pid is not mistaken for the owner.
constexpr const char* owner_file = ".fact-owner";
constexpr std::size_t hex_digits = 8;

// The directories this process is building, outermost first; guarded by registry_mutex, which the
// interrupt thread takes for good before it removes them (so no commit can run during or after that).
struct Live {
    fs::path tmp, target;
    bool keep = false;   // keep_on_failure(): an interrupt leaves it on disk
};
std::mutex& registry_mutex() {
    static std::mutex m;
    return m;
}
std::vector<Live>& registry() {
    static std::vector<Live> r;
    return r;
}
std::string& program_prefix() {
    static std::string p;
    return p;
}

std::string random_hex() {
    static std::mutex m;
    static std::mt19937_64 rng(std::random_device{}() ^ (static_cast<std::uint64_t>(::getpid()) << 32));
    std::lock_guard<std::mutex> lock(m);
    return fmt::format("{:0{}x}", rng() & 0xffffffffu, hex_digits);
}

std::string start_time(long pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t close = stat.rfind(')');   // the command name may hold spaces and parentheses
    if (close == std::string::npos) return "";
    std::istringstream fields(stat.substr(close + 1));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) return field;
    return "";
}

// rename(2) that never replaces: POSIX rename silently replaces an empty directory, which would let a
// concurrent run's (or the user's) empty target vanish.
int rename_noreplace(const fs::path& from, const fs::path& to) {
#ifdef SYS_renameat2
    if (::syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), 1u /* RENAME_NOREPLACE */) == 0)
        return 0;
    if (errno != ENOSYS && errno != EINVAL) return -1;
#endif
    std::error_code ec;
    if (fs::exists(fs::symlink_status(to, ec))) {
        errno = EEXIST;
        return -1;
    }
    return std::rename(from.c_str(), to.c_str());
}

// The command that can resume a leftover temporary directory: config.json's "command" ("train", "rfm") when
// the directory also holds a checkpoint/; "" otherwise.
std::string resumable_command(const fs::path& tmp) {
    std::error_code ec;
    if (!fs::is_directory(tmp / "checkpoint", ec)) return "";
    try {
        std::ifstream in(tmp / "config.json");
        const nlohmann::json j = nlohmann::json::parse(in);
        return j.value("command", std::string());
    } catch (const std::exception&) {
        return "";
    }
}

// "fact " from the prefix "fact: " (empty when no program installed the cleanup).
std::string program_name() {
    const std::string& p = program_prefix();
    return p.size() >= 2 ? p.substr(0, p.size() - 2) + " " : std::string();
}

// One line on stderr about every "<target>.tmp-*" beside target: what it is and how to remove it. Never
// deleted here: it may be another process's work in progress, or a user's.
void report_leftovers(const fs::path& target) {
    for (const Leftover& l : find_leftovers(target)) {
        const fs::path& tmp = l.path;
        std::string line;
        if (!l.owned)
            line = fmt::format("{}note: '{}' looks like a temporary directory of '{}' but records no owner (an older "
                               "version's, or not this program's); it is left alone", program_prefix(), tmp.string(),
                               target.string());
        else if (l.alive)
            line = fmt::format("{}note: '{}' is being written now by process {} with the same output '{}'; only the "
                               "first of the two runs to finish can write it", program_prefix(), tmp.string(), l.pid,
                               target.string());
        else if (const std::string command = resumable_command(tmp); !command.empty())
            line = fmt::format("{}note: '{}' was left by an interrupted run of '{}' (pid {}, no longer running) and "
                               "holds a checkpoint: '{}{} --resume {}' finishes it; to remove it: rm -r -- {}",
                               program_prefix(), tmp.string(), target.string(), l.pid, program_name(), command,
                               shell_quote(target.string()), shell_quote(tmp.string()));
        else
            line = fmt::format("{}note: '{}' was left by an interrupted run of '{}' (pid {}, no longer running) "
                               "before any checkpoint, so it cannot be resumed; to remove it: rm -r -- {}",
                               program_prefix(), tmp.string(), target.string(), l.pid, shell_quote(tmp.string()));
        std::fprintf(stderr, "%s\n", line.c_str());
    }
}

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGHUP: return "SIGHUP";
        default: return "a signal";
    }
}

int signal_pipe[2] = {-1, -1};

void forward_signal(int sig) {
    const int saved = errno;
    const unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] const ssize_t n = ::write(signal_pipe[1], &byte, 1);
    errno = saved;
}

[[noreturn]] void on_signal(int sig) {
    registry_mutex().lock();   // never released: the process ends below
    const std::vector<Live>& live = registry();
    for (auto it = live.rbegin(); it != live.rend(); ++it) {
        if (it->keep) continue;
        // The main thread may still be writing into it; a few attempts outlast a file created meanwhile.
        for (int attempt = 0; attempt < 5; ++attempt) {
            std::error_code ec;
            fs::remove_all(it->tmp, ec);
            if (!ec && !fs::exists(fs::symlink_status(it->tmp, ec))) break;
        }
    }
    std::string line = fmt::format("{}interrupted by {}", program_prefix(), signal_name(sig));
    if (!live.empty() && live.front().keep)
        line += fmt::format("; '{}' is unfinished; the work so far is kept in '{}' and can be resumed",
                            live.front().target.string(), live.front().tmp.string());
    else if (!live.empty())
        line += fmt::format("; nothing written to '{}'", live.front().target.string());
    if (::isatty(STDERR_FILENO)) line = "\n" + line;   // after a progress bar's unfinished line
    line += "\n";
    std::fflush(stderr);
    [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
    ::_exit(128 + sig);
}

}  // namespace

std::vector<Leftover> find_leftovers(const fs::path& target) {
    std::vector<Leftover> out;
    const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string prefix = target.filename().string() + ".tmp-";
    std::error_code ec;
    fs::directory_iterator it(parent, ec);
    if (ec) return out;
    for (const fs::directory_entry& e : it) {
        const std::string name = e.path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0 || !e.is_directory(ec)) continue;
        Leftover l;
        l.path = target.has_parent_path() ? parent / name : fs::path(name);
        std::ifstream in(l.path / owner_file);
        std::string word, start;
        l.owned = static_cast<bool>(in >> word >> l.pid >> word >> start) && l.pid > 0;
        if (l.owned && (::kill(static_cast<pid_t>(l.pid), 0) == 0 || errno == EPERM)) {
            const std::string now = start_time(l.pid);
            l.alive = now.empty() || start == "0" || now == start;
        }
        out.push_back(l);
    }
    return out;
}

fs::path normalize_output_path(const std::string& dir) {
    if (dir.empty()) throw ConfigError("output directory: empty name; expected a path");
    fs::path p = fs::path(dir).lexically_normal();   // drops "." components: "runs/./a" is "runs/a"
    while (!p.has_filename() && p.has_relative_path()) p = p.parent_path();   // "runs/a/" is "runs/a"
    return p;
}

OutputDir::OutputDir(const std::string& target, Existing existing, const std::string& operation)
    : target_(normalize_output_path(target)), existing_(existing),
      operation_(operation.empty() ? "" : operation + ": ") {
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(target_, ec);
    if (fs::exists(status)) {
        if (existing_ == Existing::refuse || !fs::is_directory(status)) {
            std::string what;
            if (fs::is_symlink(status) && !fs::exists(target_, ec))
                what = fmt::format(" (a symbolic link to '{}', which is missing)", fs::read_symlink(target_, ec).string());
            else if (!fs::is_directory(status))
                what = " and is not a directory";
            throw ConfigError(fmt::format("{}'{}' already exists{}; choose a new --out", operation_, target_.string(),
                                          what));
        }
    }
    // The temporary name must fit in one directory entry; checked first so that nothing is created.
    const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
    const std::size_t name_max = [&] {
        const long m = ::pathconf(fs::exists(parent, ec) ? parent.c_str() : "/", _PC_NAME_MAX);
        return m > 0 ? static_cast<std::size_t>(m) : std::size_t(NAME_MAX);
    }();
    const std::size_t suffix = std::strlen(".tmp-") + hex_digits;
    if (target_.filename().string().size() + suffix > name_max)
        throw ConfigError(fmt::format("{}'{}': a name of {} bytes is too long: with the temporary suffix "
                                      "'.tmp-XXXXXXXX' it exceeds the file system's {} bytes per name; expected at "
                                      "most {}", operation_, target_.string(), target_.filename().string().size(),
                                      name_max, name_max - suffix));
    report_leftovers(target_);
    if (target_.has_parent_path()) {
        fs::create_directories(parent, ec);
        if (ec)
            throw ConfigError(fmt::format("{}cannot create the folder '{}' for '{}': {}", operation_, parent.string(),
                                          target_.string(), ec.message()));
    }
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (int attempt = 0;; ++attempt) {
        fs::path tmp = target_;
        tmp += ".tmp-" + random_hex();
        if (::mkdir(tmp.c_str(), 0777) == 0) {
            tmp_ = tmp;
            break;
        }
        if (errno != EEXIST || attempt == 16)
            throw ConfigError(fmt::format("{}cannot create the temporary directory '{}' for '{}': {}", operation_,
                                          tmp.string(), target_.string(), std::strerror(errno)));
    }
    {
        std::ofstream owner(tmp_ / owner_file);
        owner << "pid " << ::getpid() << " start " << (start_time(::getpid()).empty() ? "0" : start_time(::getpid()))
              << "\n";
        owner.close();
        if (!owner) {
            const int err = errno;
            fs::remove_all(tmp_, ec);
            throw ConfigError(fmt::format("{}cannot write '{}': {}", operation_, (tmp_ / owner_file).string(),
                                          std::strerror(err)));
        }
    }
    registry().push_back({tmp_, target_});
}

OutputDir::OutputDir(AdoptLeftover, const Leftover& leftover, const std::string& target, const std::string& operation)
    : target_(normalize_output_path(target)), existing_(Existing::refuse),
      operation_(operation.empty() ? "" : operation + ": ") {
    if (!leftover.owned)
        throw ConfigError(fmt::format("{}'{}' records no owner; not a directory of this program to resume", operation_,
                                      leftover.path.string()));
    if (leftover.alive)
        throw ConfigError(fmt::format("{}'{}' is being written now by process {}; it can be resumed only once that "
                                      "process has ended", operation_, leftover.path.string(), leftover.pid));
    std::lock_guard<std::mutex> lock(registry_mutex());
    for (int attempt = 0;; ++attempt) {
        fs::path tmp = target_;
        tmp += ".tmp-" + random_hex();
        if (rename_noreplace(leftover.path, tmp) == 0) {
            tmp_ = tmp;
            break;
        }
        if (errno != EEXIST || attempt == 16)
            throw ConfigError(fmt::format("{}cannot take over '{}' (renaming it to '{}'): {}", operation_,
                                          leftover.path.string(), tmp.string(), std::strerror(errno)));
    }
    {
        std::ofstream owner(tmp_ / owner_file, std::ios::trunc);
        owner << "pid " << ::getpid() << " start " << (start_time(::getpid()).empty() ? "0" : start_time(::getpid()))
              << "\n";
        owner.close();
        if (!owner)
            throw ConfigError(fmt::format("{}cannot write '{}': {}", operation_, (tmp_ / owner_file).string(),
                                          std::strerror(errno)));
    }
    registry().push_back({tmp_, target_});
}

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void OutputDir::keep_on_failure() {
    std::lock_guard<std::mutex> lock(registry_mutex());
    keep_ = true;
    for (Live& l : registry())
        if (l.tmp == tmp_) l.keep = true;
}

OutputDir::~OutputDir() {
    if (committed_) return;
    std::lock_guard<std::mutex> lock(registry_mutex());
    std::error_code ec;
    if (!keep_) fs::remove_all(tmp_, ec);   // only the directory this object created
    auto& r = registry();
    for (auto it = r.begin(); it != r.end(); ++it)
        if (it->tmp == tmp_) {
            r.erase(it);
            break;
        }
}

void OutputDir::commit() {
    if (committed_) return;
    std::lock_guard<std::mutex> lock(registry_mutex());
    std::error_code ec;
    fs::remove(tmp_ / owner_file, ec);
    const auto fail = [&](const fs::path& from, const fs::path& to, int err) {
        return ConfigError(fmt::format("{}cannot rename '{}' to '{}': {}", operation_, from.string(), to.string(),
                                       std::strerror(err)));
    };
    if (existing_ == Existing::replace && fs::exists(fs::symlink_status(target_, ec))) {
        // Swap: the old copy moves aside first, so a crash in between leaves both complete copies on disk.
        fs::path old = target_;
        old += ".old-" + random_hex();
        if (rename_noreplace(target_, old) != 0) throw fail(target_, old, errno);
        if (rename_noreplace(tmp_, target_) != 0) {
            const int err = errno;
            rename_noreplace(old, target_);   // put the previous copy back
            throw fail(tmp_, target_, err);
        }
        fs::remove_all(old, ec);   // the replaced copy; failing to delete it does not undo the commit
    } else if (rename_noreplace(tmp_, target_) != 0) {
        if (errno == EEXIST || errno == ENOTEMPTY)
            throw ConfigError(fmt::format("{}'{}' already exists (created while this command ran); choose a new --out",
                                          operation_, target_.string()));
        throw fail(tmp_, target_, errno);
    }
    committed_ = true;
    auto& r = registry();
    for (auto it = r.begin(); it != r.end(); ++it)
        if (it->tmp == tmp_) {
            r.erase(it);
            break;
        }
}

void install_interrupt_cleanup(const std::string& program) {
    static std::once_flag once;
    std::call_once(once, [&] {
        program_prefix() = program.empty() ? "" : program + ": ";
        // The handler only writes the signal's number to a pipe (async-signal-safe, and it works in whichever
        // thread the kernel picks, including threads that libraries such as OpenBLAS start before main());
        // the thread below reads it and removes the directories, where any call is allowed.
        if (::pipe(signal_pipe) != 0) return;   // no cleanup on signals, but the program still works
        ::fcntl(signal_pipe[0], F_SETFD, FD_CLOEXEC);
        ::fcntl(signal_pipe[1], F_SETFD, FD_CLOEXEC);
        std::thread([] {
            unsigned char sig = 0;
            while (::read(signal_pipe[0], &sig, 1) != 1) {
            }
            on_signal(sig);
        }).detach();
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
            struct sigaction old {};
            ::sigaction(sig, nullptr, &old);
            if (old.sa_handler == SIG_IGN) continue;   // ignored by the parent (nohup, a background job): keep it
            struct sigaction sa {};
            sa.sa_handler = forward_signal;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_RESTART;
            ::sigaction(sig, &sa, nullptr);
        }
    });
}

}  // namespace nn
