/// \file
/// Parallel loops over fixed chunks. The split of [0, n) depends only on n and the chunk size, never on the
/// number of threads, so anything computed per chunk (and combined in chunk order) is bitwise identical
/// whatever the thread count. Below one chunk the body runs inline, with no TBB overhead.
#pragma once

#include <algorithm>
#include <cstddef>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

namespace ad {

/// Limit the library's parallelism to n threads (n <= 0: all hardware threads). Process-wide.
void set_num_threads(int n);

/// The number of threads parallel loops may use now.
int num_threads();

/// Number of chunks of `chunk` items that cover n items (the last may be shorter).
inline std::size_t chunk_count(std::size_t n, std::size_t chunk) { return (n + chunk - 1) / chunk; }

/// Call body(c, begin, end) for every chunk c = 0 .. chunk_count(n, chunk) - 1 covering [begin, end),
/// in parallel when there is more than one chunk.
template <class Body>
void parallel_chunks(std::size_t n, std::size_t chunk, const Body& body) {
    const std::size_t chunks = chunk_count(n, chunk);
    auto run = [&](std::size_t c) { body(c, c * chunk, std::min(n, (c + 1) * chunk)); };
    if (chunks <= 1) {
        if (n > 0) run(0);
        return;
    }
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, chunks, 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t c = r.begin(); c != r.end(); ++c) run(c);
        },
        tbb::simple_partitioner());
}

}  // namespace ad
