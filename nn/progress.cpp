// Progress lines on stderr: see progress.hpp.
#include "nn/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace nn {

Progress::Progress(std::size_t total, bool quiet)
    : total_(total), quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0), start_(Clock::now()) {}

double Progress::elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

void Progress::message(const std::string& text) {
    if (quiet_) return;
    std::fprintf(stderr, "%s%s\n", bar_open_ ? "\r\033[K" : "", text.c_str());
    bar_open_ = false;
    std::fflush(stderr);
}

void Progress::update(std::size_t done, const std::string& text, bool force) {
    if (quiet_) return;
    const double t = elapsed();
    if (!force && !tty_ && t - last_print_ < 2.0) return;
    last_print_ = t;
    std::string line = fmt::format("{}  {:.0f}s", text, t);
    if (total_ > 0 && done > 0 && done < total_)
        line += fmt::format("  eta {:.0f}s", t / double(done) * double(total_ - done));
    if (tty_) {
        const std::size_t width = 20, filled = total_ ? width * std::min(done, total_) / total_ : 0;
        std::fprintf(stderr, "\r[%s%s] %s\033[K", std::string(filled, '#').c_str(),
                     std::string(width - filled, '.').c_str(), line.c_str());
        bar_open_ = true;
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
}

void Progress::finish(const std::string& text) {
    if (quiet_) return;
    std::fprintf(stderr, "%s%s\n", bar_open_ ? "\n" : "", text.c_str());
    bar_open_ = false;
    std::fflush(stderr);
}

}  // namespace nn
