/// \file
/// Large buffers and the operating system's pages. Touching freshly allocated memory faults it in one 4 KiB
/// page at a time; in a virtual machine each fault is expensive (a third of a one-epoch `fact train` of a
/// 784-1024-1024-10 network on 2048 samples went to page faults). Linux backs a range with 2 MiB pages on
/// request (transparent huge pages in "madvise" mode), 512 times fewer faults.
#pragma once

#include <cstddef>

#include "autodiff/tensor.hpp"

namespace ad {

/// Buffers of at least this many bytes get the huge-page advice from resize_buffer.
inline constexpr std::size_t huge_page_threshold = std::size_t(4) << 20;

/// Ask the OS to back the whole 2 MiB pages inside [p, p + bytes) with huge pages. A hint: it changes no
/// value, fails silently, and does nothing where the OS has no such advice.
void advise_huge_pages(const void* p, std::size_t bytes);

/// t.resize({rows, cols}), with the huge-page advice when that allocated a new buffer of at least
/// huge_page_threshold bytes (before anything touched it).
template <class T>
void resize_buffer(Tensor<T>& t, std::size_t rows, std::size_t cols) {
    const T* before = t.data();
    t.resize({rows, cols});
    if (t.data() != before && t.size() * sizeof(T) >= huge_page_threshold) advise_huge_pages(t.data(), t.size() * sizeof(T));
}

}  // namespace ad
