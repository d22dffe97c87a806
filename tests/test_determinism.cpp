// Same inputs, same result, bitwise, whatever the thread count: gemm, reductions and a full
// forward/backward of an MLP, run with 1 and with 2 threads at sizes above every parallel threshold.
#define BOOST_TEST_MODULE determinism
#include <boost/test/unit_test.hpp>

#include <vector>

#include "autodiff/autodiff.hpp"
#include "test_util.hpp"

using ad::Tensor;
using ad::Var;

namespace {

// Run f with 1 thread, then with 2, and return both results.
template <class F>
auto with_1_and_2_threads(F f) {
    ad::set_num_threads(1);
    auto one = f();
    ad::set_num_threads(2);
    auto two = f();
    ad::set_num_threads(0);
    return std::make_pair(one, two);
}

struct ResetThreads {
    ~ResetThreads() { ad::set_num_threads(0); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(thread_count_is_applied) {
    ResetThreads reset;
    ad::set_num_threads(1);
    BOOST_TEST(ad::num_threads() == 1);
    ad::set_num_threads(2);
    BOOST_TEST(ad::num_threads() == 2);
}

BOOST_AUTO_TEST_CASE(gemm_bitwise_identical) {
    ResetThreads reset;
    for (ad::Trans ta : {ad::Trans::no, ad::Trans::yes}) {
        const Tensor<float> A = test::uniform<float>(517, 300, 1), B = test::uniform<float>(300, 611, 2);
        auto [one, two] = with_1_and_2_threads([&] {
            return ta == ad::Trans::no ? ad::matmul(A, B) : ad::matmul(Tensor<float>(ad::transpose(A)), B, ta);
        });
        BOOST_TEST(test::bitwise_equal(one, two));
    }
    const Tensor<double> A = test::uniform<double>(300, 700, 3), B = test::uniform<double>(400, 700, 4);
    auto [one, two] = with_1_and_2_threads([&] { return ad::matmul(A, B, ad::Trans::no, ad::Trans::yes); });
    BOOST_TEST(test::bitwise_equal(one, two));
}

BOOST_AUTO_TEST_CASE(reductions_bitwise_identical) {
    ResetThreads reset;
    const Tensor<float> X = test::uniform<float>(1000, 333, 5);  // 333k elements: ~10 chunks
    auto [one, two] = with_1_and_2_threads([&] {
        std::vector<float> r = {ad::sum_all(X), ad::dot(X.data(), X.data(), X.size())};
        for (const Tensor<float>& t : {ad::row_sums(X), ad::col_sums(X)})
            r.insert(r.end(), t.begin(), t.end());
        return r;
    });
    BOOST_TEST(one.size() == two.size());
    BOOST_TEST(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) == 0);
}

BOOST_AUTO_TEST_CASE(mlp_forward_backward_bitwise_identical) {
    ResetThreads reset;
    // 2048 samples × 256 features through two 512-wide layers: every op above its parallel threshold.
    const Tensor<float> X = test::uniform<float>(2048, 256, 6), Y = test::uniform<float>(2048, 10, 7);
    auto run = [&] {
        ad::Tape<float> tape;
        Var<float> W1 = tape.parameter(test::uniform<float>(512, 256, 8));
        Var<float> b1 = tape.parameter(test::uniform<float>(1, 512, 9));
        Var<float> W2 = tape.parameter(test::uniform<float>(10, 512, 10));
        Var<float> x = tape.constant(X);
        Var<float> h = ad::gelu(ad::add(ad::matmul(x, W1, ad::Trans::no, ad::Trans::yes), b1, ad::Bcast::row));
        Var<float> loss = ad::mse(ad::matmul(h, W2, ad::Trans::no, ad::Trans::yes), Y);
        tape.backward(loss);
        std::vector<Tensor<float>> out = {loss.value(), h.value(), W1.grad(), b1.grad(), W2.grad()};
        return out;
    };
    auto [one, two] = with_1_and_2_threads(run);
    for (std::size_t i = 0; i < one.size(); ++i) BOOST_TEST(test::bitwise_equal(one[i], two[i]), "tensor " << i);
}
