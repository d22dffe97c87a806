// gemm: C = α·op(A)·op(B) + β·C in the BLIS structure.
//
//   for jc in steps of NC over the columns of C          B block (KC×NC) packed once, shared
//     for pc in steps of KC over the inner dimension     (sequential: fixes the order of the sums)
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels
//       parallel over tasks (at most MC rows of C) × (groups of NR-wide columns of C):
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall panels      (per thread, in L2)
//         for each NR panel of B (in L1), for each MR panel of A:
//           micro-kernel: an MR×NR tile of C += α·(A panel)·(B panel), the tile held in registers
//
// Every element of C is computed by the same sequence of FMAs whichever thread runs its task, so the
// result does not depend on the thread count. Edge tiles are padded with zeros in the packed panels.
#include "autodiff/kernels/gemm.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <tbb/task_arena.h>
#include <xsimd/xsimd.hpp>

#include "autodiff/error.hpp"
#include "autodiff/kernels/map.hpp"
#include "autodiff/parallel.hpp"

namespace ad {

namespace {

template <class T>
struct Blocking {
    static constexpr std::size_t W = Pack<T>::size;
    // 6 rows × 2 packs = 12 accumulators + 2 packs of B + 1 broadcast of A: 15 vector registers.
    static constexpr std::size_t MR = 6;
    static constexpr std::size_t NR = 2 * W;
    static constexpr std::size_t KC = 256;      // a B panel KC×NR: 32 KiB (AVX-512 float), stays in L1
    static constexpr std::size_t MC = 16 * MR;  // an A block MC×KC: 96-192 KiB, stays in L2
    static constexpr std::size_t NC = 2048;     // a B block KC×NC: 2-4 MiB, in L3
};

// Below this many multiply-adds the product runs on the calling thread: about 5 µs of float32 work at
// 200 GFLOP/s, where TBB's dispatch would cost more than a second thread saves. 2²⁰ rather than 2¹⁸: the
// Cholesky at n = 1000-2000 on 2 threads 10-17 % faster, the small MLP steps no slower (docs/BENCHMARKS.md).
constexpr std::size_t parallel_threshold = std::size_t(1) << 20;

template <class T>
using AlignedBuffer = std::vector<T, xsimd::aligned_allocator<T, 64>>;

// op(A)(i, p) and op(B)(p, j) of a row-major array with leading dimension ld.
template <class T>
inline T at(Trans t, const T* X, std::size_t ld, std::size_t r, std::size_t c) {
    return t == Trans::no ? X[r * ld + c] : X[c * ld + r];
}

// op(A)[ic:ic+mc, pc:pc+kc] -> panels of MR rows, each stored p-major: panel[p*MR + r]. A full panel reads
// its MR rows (or, transposed, MR contiguous entries per p) without per-entry branches.
template <class T>
void pack_a(Trans ta, const T* A, std::size_t lda, std::size_t ic, std::size_t pc, std::size_t mc,
            std::size_t kc, T* out) {
    constexpr std::size_t MR = Blocking<T>::MR;
    for (std::size_t ir = 0; ir < mc; ir += MR) {
        const std::size_t mr = std::min(MR, mc - ir);
        if (mr == MR && ta == Trans::no) {
            const T* rows[MR];
            for (std::size_t r = 0; r < MR; ++r) rows[r] = A + (ic + ir + r) * lda + pc;
            for (std::size_t p = 0; p < kc; ++p)
                for (std::size_t r = 0; r < MR; ++r) *out++ = rows[r][p];
        } else if (mr == MR) {
            for (std::size_t p = 0; p < kc; ++p, out += MR) std::copy_n(A + (pc + p) * lda + ic + ir, MR, out);
        } else {
            for (std::size_t p = 0; p < kc; ++p)
                for (std::size_t r = 0; r < MR; ++r)
                    *out++ = r < mr ? at(ta, A, lda, ic + ir + r, pc + p) : T(0);
        }
    }
}

// op(B)[pc:pc+kc, jc:jc+nc] -> panels of NR columns, each stored p-major: panel[p*NR + c]. Panels
// [first, last) of the block (each panel is independent, so several threads can pack one block). A
// transposed B is read along its rows (contiguous in p) and written with stride NR inside the panel,
// which stays in L1.
template <class T>
void pack_b(Trans tb, const T* B, std::size_t ldb, std::size_t pc, std::size_t jc, std::size_t kc,
            std::size_t nc, std::size_t first, std::size_t last, T* pack) {
    constexpr std::size_t NR = Blocking<T>::NR;
    for (std::size_t panel = first; panel < last; ++panel) {
        const std::size_t jr = panel * NR, nr = std::min(NR, nc - jr);
        T* out = pack + jr * kc;
        if (tb == Trans::no) {
            for (std::size_t p = 0; p < kc; ++p, out += NR) {
                const T* row = B + (pc + p) * ldb + jc + jr;
                std::copy(row, row + nr, out);
                std::fill(out + nr, out + NR, T(0));
            }
        } else {
            for (std::size_t c = 0; c < NR; ++c) {
                if (c < nr) {
                    const T* row = B + (jc + jr + c) * ldb + pc;
                    for (std::size_t p = 0; p < kc; ++p) out[p * NR + c] = row[p];
                } else {
                    for (std::size_t p = 0; p < kc; ++p) out[p * NR + c] = T(0);
                }
            }
        }
    }
}

// Which entries of C a product writes: all of them, or (gemmt_lower) those on or below the diagonal.
enum class Part { all, lower };

// For a tile whose first row is row i of C and first column is column j: entry (r, c) of the tile is on or
// below the diagonal when c ≤ r + diag, diag = i − j. A product of the whole C passes kWhole (every entry in).
constexpr std::ptrdiff_t kWhole = std::numeric_limits<std::ptrdiff_t>::max() / 2;

// C[0:mr, 0:nr] += α · a·b for one packed MR×kc panel a and kc×NR panel b; with overwrite, C = α · a·b
// (the first k panel of a product with β = 0: C is neither read nor zeroed first, and fma(α, acc, 0) rounds
// exactly as the zeroed C would have). Only entries (r, c) with c ≤ r + diag are read and written.
template <class T>
void micro_kernel(std::size_t kc, const T* a, const T* b, T alpha, T* C, std::size_t ldc, std::size_t mr,
                  std::size_t nr, bool overwrite, std::ptrdiff_t diag) {
    using P = Pack<T>;
    constexpr std::size_t W = Blocking<T>::W, MR = Blocking<T>::MR, NR = Blocking<T>::NR;
    // The tile of C is read and written only after the kc steps. In a large product it is in no cache (C is
    // swept once per k panel): fetching it now hides that wait behind the FMAs. The Cholesky at n = 8000-16,000
    // on 2 threads: 2-4 % faster.
    for (std::size_t r = 0; r < mr; ++r) {
        __builtin_prefetch(C + r * ldc, 1);
        __builtin_prefetch(C + r * ldc + NR - 1, 1);
    }
    P acc0[MR], acc1[MR];
#pragma GCC unroll 6
    for (std::size_t r = 0; r < MR; ++r) acc0[r] = acc1[r] = P(T(0));
#pragma GCC unroll 4
    for (std::size_t p = 0; p < kc; ++p, a += MR, b += NR) {
        const P b0 = P::load_aligned(b), b1 = P::load_aligned(b + W);
#pragma GCC unroll 6
        for (std::size_t r = 0; r < MR; ++r) {
            const P ar(a[r]);
            acc0[r] = xsimd::fma(ar, b0, acc0[r]);
            acc1[r] = xsimd::fma(ar, b1, acc1[r]);
        }
    }
    // C += α·acc with one rounding (fma). An edge tile, or one the diagonal crosses, goes through a buffer so
    // that it is rounded the same way as a full one.
    const P al(alpha), zero(T(0));
    alignas(64) T tile[MR * NR];
    const bool full = mr == MR && nr == NR && diag >= std::ptrdiff_t(NR) - 1;
    auto in = [&](std::size_t r, std::size_t j) { return r < mr && j < nr && std::ptrdiff_t(j) <= std::ptrdiff_t(r) + diag; };
    T* c = full ? C : tile;
    const std::size_t ldt = full ? ldc : NR;
    if (overwrite) {
#pragma GCC unroll 6
        for (std::size_t r = 0; r < MR; ++r) {
            T* row = c + r * ldt;
            xsimd::fma(al, acc0[r], zero).store_unaligned(row);
            xsimd::fma(al, acc1[r], zero).store_unaligned(row + W);
        }
    } else {
        if (!full)
            for (std::size_t r = 0; r < MR; ++r)
                for (std::size_t j = 0; j < NR; ++j) tile[r * NR + j] = in(r, j) ? C[r * ldc + j] : T(0);
#pragma GCC unroll 6
        for (std::size_t r = 0; r < MR; ++r) {
            T* row = c + r * ldt;
            xsimd::fma(al, acc0[r], P::load_unaligned(row)).store_unaligned(row);
            xsimd::fma(al, acc1[r], P::load_unaligned(row + W)).store_unaligned(row + W);
        }
    }
    if (!full)
        for (std::size_t r = 0; r < mr; ++r)
            for (std::size_t j = 0; j < nr; ++j)
                if (in(r, j)) C[r * ldc + j] = tile[r * NR + j];
}

// C ← β·C on the entries the product writes (β = 0 writes zeros, so NaN or garbage in C does not survive).
template <class T>
void scale_c(std::size_t m, std::size_t n_all, T beta, T* C, std::size_t ldc, Part part) {
    if (beta == T(1)) return;
    for_each_row(m, n_all, [&](std::size_t i) {
        T* row = C + i * ldc;
        const std::size_t n = part == Part::lower ? std::min(n_all, i + 1) : n_all;
        if (beta == T(0))
            std::fill(row, row + n, T(0));
        else
            map_range(0, n, row, [beta](auto x) { return x * beta; }, row);
    });
}

// gemm (Part::all) and gemmt_lower (Part::lower: micro-tiles above the diagonal are skipped, and those it
// crosses are written only on and below it; every written entry gets the FMAs it would get from gemm).
template <class T>
void product(Part part, Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
             std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
    using Bl = Blocking<T>;
    if (m == 0 || n == 0) return;
    // β = 0 with work to do: the first k panel writes C instead of adding to it (no zeroing pass).
    const bool overwrite = beta == T(0) && k > 0 && alpha != T(0);
    if (!overwrite) scale_c(m, n, beta, C, ldc, part);
    if (k == 0 || alpha == T(0)) return;

    // The packed blocks: op(B)'s in bpack, and op(A)'s in apacks, one MC×KC block for each thread slot of the
    // TBB arena (the tasks of one slot run one after another). Both belong to the calling thread and keep
    // their memory, so a steady training loop allocates nothing here; a buffer of each worker's own would be
    // allocated whenever a worker first happens to steal a task, at any step.
    // A gemm called from inside a task that runs while this thread waits in another gemm (work stealing)
    // finds the buffers taken and uses buffers of its own instead.
    thread_local AlignedBuffer<T> reused_b, reused_a;
    thread_local bool taken = false;
    AlignedBuffer<T> own_b, own_a;
    const bool nested = taken;
    AlignedBuffer<T>& bpack = nested ? own_b : reused_b;
    AlignedBuffer<T>& apacks = nested ? own_a : reused_a;
    struct Release {
        bool active;
        ~Release() {
            if (active) taken = false;
        }
    } release{!nested};
    taken = true;
    const bool parallel = (part == Part::lower ? m * n / 2 : m * n) * k >= parallel_threshold;
    constexpr std::size_t a_block = Bl::MC * Bl::KC;
    const std::size_t slots = parallel ? std::size_t(std::max(2, tbb::this_task_arena::max_concurrency())) : 1;
    if (apacks.size() < slots * a_block) apacks.resize(slots * a_block);
    T* const apack_slots = apacks.data();
    for (std::size_t jc = 0; jc < n; jc += Bl::NC) {
        const std::size_t nc = std::min(Bl::NC, n - jc);
        for (std::size_t pc = 0; pc < k; pc += Bl::KC) {
            const std::size_t kc = std::min(Bl::KC, k - pc);
            const std::size_t panels = chunk_count(nc, Bl::NR);
            bpack.resize(panels * Bl::NR * kc);
            if (parallel && panels >= 4)
                parallel_chunks(panels, 2, [&](std::size_t, std::size_t first, std::size_t last) {
                    pack_b(tb, B, ldb, pc, jc, kc, nc, first, last, bpack.data());
                });
            else
                pack_b(tb, B, ldb, pc, jc, kc, nc, 0, panels, bpack.data());
            const T* bp = bpack.data();

            // A task packs its A block, then sweeps jgroup columns of the B block. Row blocks are of equal
            // size (a multiple of MR, at most MC), so that the threads get equal shares; in a parallel product
            // the columns are also split, until there are at least 8 tasks, at the price of packing each A
            // block once per column group. The split never changes the result: each element of C gets the
            // same sequence of FMAs whichever tile and task compute it.
            const std::size_t mstep =
                chunk_count(chunk_count(m, chunk_count(m, Bl::MC)), Bl::MR) * Bl::MR;  // ≤ MC
            const std::size_t mblocks = chunk_count(m, mstep);
            const std::size_t jgroup =
                chunk_count(panels, parallel ? std::min(panels, chunk_count(8, mblocks)) : 1) * Bl::NR;
            const std::size_t ngroups = chunk_count(nc, jgroup);
            auto task = [&](std::size_t t) {
                const std::size_t ic = (t / ngroups) * mstep, jg = (t % ngroups) * jgroup;
                const std::size_t mc = std::min(mstep, m - ic);
                std::size_t jend = std::min(nc, jg + jgroup);
                if (part == Part::lower) {   // the block's rows reach column ic + mc − 1 of C at most
                    if (jc + jg >= ic + mc) return;
                    jend = std::min(jend, ic + mc - jc);
                }
                // The running thread's slot (−1 outside any arena: then the calling thread runs every task).
                const int index = parallel ? tbb::this_task_arena::current_thread_index() : 0;
                const std::size_t slot = index < 0 ? 0 : std::size_t(index);
                AlignedBuffer<T> spare;
                if (slot >= slots) spare.resize(a_block);  // beyond max_concurrency(): TBB hands out no such slot
                T* apack = slot < slots ? apack_slots + slot * a_block : spare.data();
                pack_a(ta, A, lda, ic, pc, mc, kc, apack);
                for (std::size_t jr = jg; jr < jend; jr += Bl::NR) {
                    const std::size_t nr = std::min(Bl::NR, jend - jr);
                    for (std::size_t ir = 0; ir < mc; ir += Bl::MR) {
                        const std::size_t mr = std::min(Bl::MR, mc - ir);
                        std::ptrdiff_t diag = kWhole;
                        if (part == Part::lower) {
                            diag = std::ptrdiff_t(ic + ir) - std::ptrdiff_t(jc + jr);
                            if (diag + std::ptrdiff_t(mr) <= 0) continue;   // the tile lies above the diagonal
                        }
                        micro_kernel(kc, apack + ir * kc, bp + jr * kc, alpha, C + (ic + ir) * ldc + jc + jr, ldc, mr,
                                     nr, overwrite && pc == 0, diag);
                    }
                }
            };
            if (parallel)
                parallel_chunks(mblocks * ngroups, 1, [&](std::size_t t, std::size_t, std::size_t) { task(t); });
            else
                for (std::size_t t = 0; t < mblocks * ngroups; ++t) task(t);
        }
    }
}

}  // namespace

template <class T>
void gemm(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
    product(Part::all, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void gemmt_lower(Trans ta, Trans tb, std::size_t n, std::size_t k, T alpha, const T* A, std::size_t lda,
                 const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
    product(Part::lower, ta, tb, n, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <class T>
void gemm_naive(Trans ta, Trans tb, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* A,
                std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < n; ++j) {
            T s = T(0);
            for (std::size_t p = 0; p < k; ++p) s += at(ta, A, lda, i, p) * at(tb, B, ldb, p, j);
            T& c = C[i * ldc + j];
            c = (beta == T(0) ? T(0) : beta * c) + alpha * s;
        }
}

namespace {

// Rows and columns of op(X).
template <class T>
Shape op_shape(Trans t, const Tensor<T>& X) {
    return t == Trans::no ? Shape{X.shape(0), X.shape(1)} : Shape{X.shape(1), X.shape(0)};
}

template <class T>
std::string operand_str(Trans t, const Tensor<T>& X) {
    return shape_str(X) + (t == Trans::yes ? "^T" : "");
}

template <class T>
void check_inner(const char* op, Trans ta, const Tensor<T>& A, Trans tb, const Tensor<T>& B) {
    const Shape a = op_shape(ta, A), b = op_shape(tb, B);
    if (a[1] != b[0])
        throw ShapeError(fmt::format("{}: {} x {}: inner dimensions {} and {} differ", op, operand_str(ta, A),
                                     operand_str(tb, B), a[1], b[0]));
}

}  // namespace

template <class T>
void gemm(Trans ta, Trans tb, T alpha, const Tensor<T>& A, const Tensor<T>& B, T beta, Tensor<T>& C) {
    check_inner("gemm", ta, A, tb, B);
    const Shape a = op_shape(ta, A), b = op_shape(tb, B);
    if (C.shape(0) != a[0] || C.shape(1) != b[1])
        throw ShapeError(fmt::format("gemm: {} x {}: C has shape {}, expected {}", operand_str(ta, A),
                                     operand_str(tb, B), shape_str(C), shape_str(a[0], b[1])));
    gemm(ta, tb, a[0], b[1], a[1], alpha, A.data(), A.shape(1), B.data(), B.shape(1), beta, C.data(),
         C.shape(1));
}

template <class T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B, Trans ta, Trans tb) {
    check_inner("matmul", ta, A, tb, B);
    Tensor<T> C = Tensor<T>::from_shape({op_shape(ta, A)[0], op_shape(tb, B)[1]});
    gemm(ta, tb, T(1), A, B, T(0), C);
    return C;
}

template <class T>
void transpose(const T* x, std::size_t m, std::size_t n, T* out) {
    // 32×32 tiles so that both the reads and the writes stay within a few cache lines; rows of tiles in parallel.
    constexpr std::size_t tile = 32;
    parallel_chunks(m, std::max<std::size_t>(tile, map_chunk / std::max<std::size_t>(n, 1) / tile * tile),
                    [&](std::size_t, std::size_t i0, std::size_t i1) {
                        for (std::size_t ib = i0; ib < i1; ib += tile)
                            for (std::size_t jb = 0; jb < n; jb += tile)
                                for (std::size_t i = ib; i < std::min(i1, ib + tile); ++i)
                                    for (std::size_t j = jb; j < std::min(n, jb + tile); ++j)
                                        out[j * m + i] = x[i * n + j];
                    });
}

template <class T>
Tensor<T> transpose(const Tensor<T>& x) {
    Tensor<T> out = Tensor<T>::from_shape({x.shape(1), x.shape(0)});
    transpose(x.data(), x.shape(0), x.shape(1), out.data());
    return out;
}

#define AD_INSTANTIATE(T)                                                                                 \
    template void gemm<T>(Trans, Trans, std::size_t, std::size_t, std::size_t, T, const T*, std::size_t, \
                          const T*, std::size_t, T, T*, std::size_t);                                    \
    template void gemmt_lower<T>(Trans, Trans, std::size_t, std::size_t, T, const T*, std::size_t, const T*, \
                                 std::size_t, T, T*, std::size_t);                                       \
    template void gemm_naive<T>(Trans, Trans, std::size_t, std::size_t, std::size_t, T, const T*,         \
                                std::size_t, const T*, std::size_t, T, T*, std::size_t);                 \
    template void gemm<T>(Trans, Trans, T, const Tensor<T>&, const Tensor<T>&, T, Tensor<T>&);            \
    template Tensor<T> matmul<T>(const Tensor<T>&, const Tensor<T>&, Trans, Trans);                       \
    template void transpose<T>(const T*, std::size_t, std::size_t, T*);                                   \
    template Tensor<T> transpose<T>(const Tensor<T>&);
AD_INSTANTIATE(float)
AD_INSTANTIATE(double)
#undef AD_INSTANTIATE

}  // namespace ad
