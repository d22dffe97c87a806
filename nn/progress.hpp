/// \file
/// Progress of a long job on stderr: "k of N", elapsed time and an ETA. On a terminal one bar is redrawn
/// in place; otherwise (a log file, CI) a plain line is printed at most every few seconds, and always for
/// forced updates. Quiet mode prints nothing. Used by training, RFM and the experiments.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace nn {

/// A progress display for one job of `total` steps (see the file description).
class Progress {
public:
    /// total: the number of steps (epochs, iterations, datasets); 0 when unknown (no ETA).
    Progress(std::size_t total, bool quiet);

    /// A line of its own (the bar, if any, is cleared first).
    void message(const std::string& text);

    /// Step `done` of total finished: "[####....] <text>  12s  eta 30s". Throttled off a terminal unless force.
    void update(std::size_t done, const std::string& text, bool force = false);

    /// Ends the bar and prints text.
    void finish(const std::string& text);

    double elapsed() const;                   ///< seconds since construction
    bool quiet() const { return quiet_; }     ///< whether nothing is printed

private:
    using Clock = std::chrono::steady_clock;
    std::size_t total_;
    bool quiet_, tty_, bar_open_ = false;
    Clock::time_point start_;
    double last_print_ = -1e9;
};

}  // namespace nn
