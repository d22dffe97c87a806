// Steady state without allocation: after a few warm-up steps, a training step of an MLP (forward, loss,
// backward, optimizer update) performs no heap allocation. The tape reuses its nodes and their buffers,
// the ops record plain function pointers, the optimizers keep their state, so a step should only
// overwrite memory it already holds.
//
// The oracle is a count, not a timing: this file replaces the global allocation functions with versions
// that count every call (and still allocate through glibc's malloc), and a step passes when K steps after
// warm-up add nothing to the count. Both kinds of allocation are counted: operator new (std::vector,
// std::string, std::function) and the C functions, since a tensor's buffer comes from xsimd's
// aligned_allocator, which calls posix_memalign directly and never reaches operator new.
//
// Under AddressSanitizer the allocation functions belong to ASan (and without glibc there is no malloc
// to forward to): nothing is replaced, the steps still run (under ASan, checked by it), and the
// zero-allocation assertions are skipped with a message.
#define BOOST_TEST_MODULE alloc
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <tuple>
#include <vector>

#include "autodiff/ops.hpp"
#include "autodiff/parallel.hpp"
#include "data/dataset.hpp"
#include "data/random.hpp"
#include "nn/init.hpp"
#include "nn/objective.hpp"
#include "nn/optim.hpp"
#include "nn/train.hpp"
#include "test_util.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_UNDER_ASAN 1
#endif
#endif
#ifndef ALLOC_UNDER_ASAN
#define ALLOC_UNDER_ASAN 0
#endif
#if !ALLOC_UNDER_ASAN && defined(__GLIBC__)
#define ALLOC_COUNTING 1
#else
#define ALLOC_COUNTING 0
#endif

// --- counting allocation functions ------------------------------------------------------------------------

namespace {
// Every allocation of every thread, TBB's workers included: their start-up falls in the warm-up, and a
// parallel_for after that was seen to allocate nothing, so no thread needs to be left out of the count.
std::atomic<std::size_t> allocation_count{0};
}  // namespace

#if ALLOC_COUNTING

// glibc's own entry points, so that the replacements below can allocate without calling themselves.
extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* p, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* p);
}

namespace {
void count_one() { allocation_count.fetch_add(1, std::memory_order_relaxed); }
void* counted_malloc(std::size_t size) {
    count_one();
    return __libc_malloc(size == 0 ? 1 : size);
}
void* counted_aligned(std::size_t size, std::size_t alignment) {
    count_one();
    return __libc_memalign(alignment, size == 0 ? 1 : size);
}
void* new_or_throw(void* p) {
    if (p == nullptr) throw std::bad_alloc();
    return p;
}
}  // namespace

// The C allocation functions (tensor buffers: xsimd's aligned_allocator calls posix_memalign).
extern "C" {
void* malloc(std::size_t size) noexcept {
    count_one();
    return __libc_malloc(size);
}
void* calloc(std::size_t count, std::size_t size) noexcept {
    count_one();
    return __libc_calloc(count, size);
}
void* realloc(void* p, std::size_t size) noexcept {
    count_one();
    return __libc_realloc(p, size);
}
void* memalign(std::size_t alignment, std::size_t size) noexcept {
    count_one();
    return __libc_memalign(alignment, size);
}
void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    count_one();
    return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
    count_one();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return 12;  // ENOMEM
    *out = p;
    return 0;
}
void free(void* p) noexcept { __libc_free(p); }
}

// operator new and delete, every overload: plain, array, nothrow, aligned, sized.
void* operator new(std::size_t n) { return new_or_throw(counted_malloc(n)); }
void* operator new[](std::size_t n) { return new_or_throw(counted_malloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return new_or_throw(counted_aligned(n, std::size_t(a))); }
void* operator new[](std::size_t n, std::align_val_t a) { return new_or_throw(counted_aligned(n, std::size_t(a))); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned(n, std::size_t(a));
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_aligned(n, std::size_t(a));
}
void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }

#endif  // ALLOC_COUNTING

// --- the models, data and steps ----------------------------------------------------------------------------

namespace {

constexpr std::size_t warmup_steps = 3;
constexpr std::size_t counted_steps = 5;

/// Allocations made by `counted_steps` calls of step(), after `warmup_steps` calls that are not counted.
template <class Step>
std::size_t allocations_in_steady_state(const Step& step) {
    for (std::size_t i = 0; i < warmup_steps; ++i) step();
    const std::size_t before = allocation_count.load();
    for (std::size_t i = 0; i < counted_steps; ++i) step();
    return allocation_count.load() - before;
}

/// True (after saying so once) when this build counts nothing, so that the checks are skipped.
bool counting_off() {
    static bool said = false;
    if (!ALLOC_COUNTING && !said) {
        BOOST_TEST_MESSAGE((ALLOC_UNDER_ASAN ? "AddressSanitizer build" : "not glibc")
                           << ": allocations are not counted, the zero-allocation checks are skipped "
                              "(the steps still run)");
        said = true;
    }
    return !ALLOC_COUNTING;
}

/// Zero allocations (skipped when counting is off).
void check_no_allocation(std::size_t count, const std::string& what) {
    if (counting_off()) return;
    BOOST_TEST(count == 0u, what << ": " << count << " allocations (expected none)");
}

struct Case {
    const char* name;
    nn::MLPConfig mlp;
    nn::Loss loss;
    nn::OptimizerConfig optimizer;
    double weight_decay;      // coupled λ (the objective's) for sgd and adam, decoupled wd for adamw
    bool decay_biases;
    std::size_t batch;        // rows of a step
};

nn::OptimizerConfig sgd_momentum(double mu, bool nesterov) {
    nn::OptimizerConfig c;
    c.kind = nn::OptimizerKind::sgd;
    c.momentum = mu;
    c.nesterov = nesterov;
    return c;
}
nn::OptimizerConfig adam(nn::OptimizerKind kind) {  // adam or adamw (its wd is Case::weight_decay)
    nn::OptimizerConfig c;
    c.kind = kind;
    return c;
}

// Small shapes run every kernel on the calling thread; the last is wide enough (512 rows × 128 hidden units
// = 65536 entries, above map_chunk; its gemms above the parallel threshold) for the kernels to go parallel.
std::vector<Case> cases() {
    using nn::Activation;
    using nn::Loss;
    using nn::OptimizerKind;
    return {
        {"relu, bias, mse, sgd momentum", {5, {16, 8}, 3, Activation::relu, true}, Loss::mse, sgd_momentum(0.9, false),
         1e-3, true, 32},
        {"tanh, no bias, cross-entropy, adam", {6, {12}, 4, Activation::tanh, false}, Loss::cross_entropy,
         adam(OptimizerKind::adam), 1e-4, true, 24},
        {"relu, bias, cross-entropy, adamw", {4, {32, 16}, 5, Activation::relu, true}, Loss::cross_entropy,
         adam(OptimizerKind::adamw), 1e-2, false, 40},
        {"tanh, bias, mse, sgd nesterov", {3, {10, 10, 10}, 2, Activation::tanh, true}, Loss::mse,
         sgd_momentum(0.5, true), 0.0, true, 17},
        {"relu, bias, cross-entropy, adam (parallel kernels)", {64, {128}, 10, Activation::relu, true},
         Loss::cross_entropy, adam(OptimizerKind::adam), 1e-4, true, 512},
    };
}

/// n rows of inputs and targets: one-hot rows with labels for cross-entropy, real targets for mse.
template <class T>
nn::Examples<T> examples(const Case& c, std::size_t n, std::uint64_t seed) {
    nn::Examples<T> e;
    e.X = test::uniform<T>(n, c.mlp.input, seed);
    if (c.loss == nn::Loss::mse) {
        e.Y = test::uniform<T>(n, c.mlp.output, seed + 1);
    } else {
        e.Y = ad::zeros<T>(n, c.mlp.output);
        for (std::size_t i = 0; i < n; ++i) {
            e.labels.push_back((i * 7 + 3) % c.mlp.output);
            e.Y(i, e.labels.back()) = T(1);
        }
    }
    return e;
}

/// A model, its optimizer and objective, as nn::train sets them up.
template <class T>
struct Trainer {
    explicit Trainer(const Case& c) : model(c.mlp) {
        data::Rng rng(11);
        nn::initialize(model, {}, rng);
        params = model.parameters();
        const bool adamw = c.optimizer.kind == nn::OptimizerKind::adamw;
        objective = {c.loss, adamw ? 0.0 : c.weight_decay, c.decay_biases};
        nn::OptimizerConfig oc = c.optimizer;
        if (adamw) oc.decoupled_weight_decay = c.weight_decay;
        optimizer = nn::make_optimizer<T>(oc, nn::decay_mask(params, c.decay_biases));
    }

    nn::MLP<T> model;
    nn::Params<T> params;
    nn::Objective objective;
    std::unique_ptr<nn::Optimizer<T>> optimizer;
    double lr = 1e-3;
};

/// The step written with the autodiff API: f = model(X), L = loss(f, Y), ∇L by backward, one update.
template <class T>
void raw_step(Trainer<T>& t, const nn::Examples<T>& batch) {
    ad::Tape<T>& tape = t.model.tape();
    tape.clear();
    const ad::Var<T> f = t.model.forward(tape.constant(batch.X));
    const ad::Var<T> L = nn::data_loss(t.objective.loss, f, batch.Y);
    tape.zero_grad();
    tape.backward(L);
    t.optimizer->step(t.params, t.lr);
}

/// The step of nn::train's mini-batch loop: L_λ and its gradient by evaluate_objective, then one update.
template <class T>
void objective_step(Trainer<T>& t, const nn::Examples<T>& batch) {
    nn::evaluate_objective(t.model, batch, t.objective, 0);
    t.optimizer->step(t.params, t.lr);
}

/// Rows order[begin, begin + rows) of e copied into batch, whose buffers already have the batch's shape.
template <class T>
void gather_into(nn::Examples<T>& batch, const nn::Examples<T>& e, const std::vector<std::size_t>& order,
                 std::size_t begin) {
    const std::size_t d = e.X.shape(1), c = e.Y.shape(1);
    batch.labels.clear();  // keeps its capacity
    for (std::size_t r = 0; r < batch.n(); ++r) {
        const std::size_t i = order[begin + r];
        std::copy(e.X.data() + i * d, e.X.data() + (i + 1) * d, batch.X.data() + r * d);
        std::copy(e.Y.data() + i * c, e.Y.data() + (i + 1) * c, batch.Y.data() + r * c);
        if (!e.labels.empty()) batch.labels.push_back(e.labels[i]);
    }
}

/// Every kind of step of one case, at one and at two threads.
template <class T>
void check_case(const Case& c) {
    const std::string type = sizeof(T) == 4 ? "float" : "double";
    for (int threads : {1, 2}) {
        ad::set_num_threads(threads);
        const std::string where = std::string(c.name) + " (" + type + ", " + std::to_string(threads) + " thread" +
                                  (threads > 1 ? "s" : "") + ")";
        {
            Trainer<T> t(c);
            const nn::Examples<T> batch = examples<T>(c, c.batch, 1);
            check_no_allocation(allocations_in_steady_state([&] { raw_step(t, batch); }),
                                where + ", raw step ×" + std::to_string(counted_steps));
        }
        {
            Trainer<T> t(c);
            const nn::Examples<T> batch = examples<T>(c, c.batch, 2);
            check_no_allocation(allocations_in_steady_state([&] { objective_step(t, batch); }),
                                where + ", evaluate_objective step ×" + std::to_string(counted_steps));
        }
        {
            // Mini-batches of a shuffled dataset of 4 batches, gathered into buffers allocated once.
            Trainer<T> t(c);
            const nn::Examples<T> all = examples<T>(c, 4 * c.batch, 3);
            nn::Examples<T> batch = examples<T>(c, c.batch, 4);
            batch.labels.reserve(c.batch);
            std::vector<std::size_t> order(all.n());
            for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
            data::Rng rng(5);
            std::size_t next = all.n();
            check_no_allocation(allocations_in_steady_state([&] {
                                    if (next == all.n()) {
                                        rng.shuffle(order);
                                        next = 0;
                                    }
                                    gather_into(batch, all, order, next);
                                    next += c.batch;
                                    objective_step(t, batch);
                                }),
                                where + ", mini-batch step ×" + std::to_string(counted_steps));
        }
    }
    ad::set_num_threads(0);
}

/// Allocations made by nn::train during epochs 4 to 8 of a 10-epoch run (quiet, evaluated only after the
/// last epoch), counted by an observer at the end of epochs 3 and 8.
template <class T>
std::size_t train_allocations(const Case& c, const data::Dataset& d) {
    nn::MLP<T> model(c.mlp);
    data::Rng rng(11);
    nn::initialize(model, {}, rng);
    nn::TrainConfig config;
    config.optimizer = c.optimizer;
    config.weight_decay = c.weight_decay;
    config.decay_biases = c.decay_biases;
    config.loss = c.loss;
    config.lr = 1e-3;
    config.batch = c.batch;
    config.epochs = 10;
    config.eval_every = 1000;
    config.quiet = true;
    std::size_t after_epoch_3 = 0, after_epoch_8 = 0;
    const nn::Observer<T> counter{1, [&](nn::MLP<T>&, std::size_t epoch) {
                                      if (epoch == 3) after_epoch_3 = allocation_count.load();
                                      if (epoch == 8) after_epoch_8 = allocation_count.load();
                                      return true;
                                  }};
    nn::train(model, d, data::Dataset{}, config, {counter});
    return after_epoch_8 - after_epoch_3;
}

using scalar_types = std::tuple<float, double>;

const void* volatile escape = nullptr;

}  // namespace

// The counter itself: each way of allocating that the steps could use is seen (else the zeros below would
// prove nothing).
BOOST_AUTO_TEST_CASE(the_counter_sees_every_kind_of_allocation) {
    if (counting_off()) return;
    auto allocations = [](const auto& allocate) {
        const std::size_t before = allocation_count.load();
        allocate();
        return allocation_count.load() - before;
    };
    // Each block lets its memory escape (to `escape`), so that the compiler may not leave out the allocation.
    BOOST_TEST(allocations([] { std::vector<int> v(100); escape = v.data(); }) == 1u);          // operator new
    BOOST_TEST(allocations([] { std::unique_ptr<int[]> a(new int[5]); escape = a.get(); }) == 1u);  // new[]
    BOOST_TEST(allocations([] { ad::Tensor<double> t = ad::zeros<double>(3, 40); escape = t.data(); }) == 1u);
    BOOST_TEST(allocations([] { void* p = std::malloc(24); escape = p; std::free(p); }) == 1u);
    BOOST_TEST(allocations([] { std::string s(64, 'x'); escape = s.data(); }) == 1u);
    BOOST_TEST(allocations([] { std::string s(8, 'x'); escape = s.data(); }) == 0u);  // kept in the object
}

BOOST_AUTO_TEST_CASE_TEMPLATE(steady_training_steps_do_not_allocate, T, scalar_types) {
    for (const Case& c : cases()) check_case<T>(c);
}

// nn::train's own loop: epochs without an evaluation (every batch full) allocate nothing.
BOOST_AUTO_TEST_CASE_TEMPLATE(train_loop_epochs_do_not_allocate, T, scalar_types) {
    for (const Case& c : cases()) {
        const nn::Examples<T> e = examples<T>(c, 4 * c.batch, 7);
        data::Matrix X = xt::cast<double>(e.X);
        const data::Dataset d = c.loss == nn::Loss::mse
                                    ? data::make_regression("alloc", std::move(X), xt::cast<double>(e.Y))
                                    : data::make_classification("alloc", std::move(X), e.labels, c.mlp.output);
        check_no_allocation(train_allocations<T>(c, d), std::string(c.name) + " (" +
                                                            (sizeof(T) == 4 ? "float" : "double") +
                                                            "), nn::train, epochs 4-8 of 4 mini-batches each");
    }
}
