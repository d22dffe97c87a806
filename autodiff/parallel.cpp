// Thread-count control through oneTBB's global_control (process-wide, like OMP_NUM_THREADS).
#include "autodiff/parallel.hpp"

#include <memory>
#include <mutex>

#include <tbb/global_control.h>

namespace ad {

namespace {
std::mutex control_mutex;
std::unique_ptr<tbb::global_control> control;  // alive while a limit is set
}  // namespace

void set_num_threads(int n) {
    std::lock_guard<std::mutex> lock(control_mutex);
    control.reset();
    if (n > 0) {
        control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                        static_cast<std::size_t>(n));
    }
}

int num_threads() {
    return static_cast<int>(
        tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
}

}  // namespace ad
