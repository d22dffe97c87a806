// The data component's own computations, against properties that define them: every modular pair once
// with the right answer, parity labels equal to the XOR, the low-rank target's formula, seeds that
// reproduce bitwise; the transforms; the dataset string's parsing and its errors.
#define BOOST_TEST_MODULE data_core
#include <boost/test/unit_test.hpp>

#include "expect_error.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <set>
#include <string>

// error.hpp and random.hpp first, before any xtensor header: they must stand alone (see error.hpp)
#include "data/error.hpp"
#include "data/random.hpp"
#include "data/dataset.hpp"
#include "data/generators.hpp"
#include "data/spec.hpp"
#include "data/transforms.hpp"

namespace {

template <class F>
std::string message_of(F f) {
    return test::message_of<data::DataError>(f);
}

// Whether `text` contains `part`; on failure the whole text is printed by BOOST_TEST.
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A fixed memory budget for one test case, back to MemAvailable when it ends.
struct BudgetGuard {
    explicit BudgetGuard(std::uint64_t bytes) { data::set_memory_budget(bytes, "--max-memory"); }
    ~BudgetGuard() { data::reset_memory_budget(); }
};

bool same_bits(const data::Matrix& a, const data::Matrix& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// The one-hot block [offset, offset+p) of row i: its single 1's position.
std::size_t hot(const data::Matrix& X, std::size_t i, std::size_t offset, std::size_t p) {
    std::size_t pos = p, ones = 0;
    for (std::size_t j = 0; j < p; ++j)
        if (X(i, offset + j) == 1.0) {
            pos = j;
            ++ones;
        } else if (X(i, offset + j) != 0.0) {
            return p + 1;
        }
    return ones == 1 ? pos : p + 1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(modular_arithmetic_every_pair_once_with_its_answer) {
    for (data::ModOp op : {data::ModOp::add, data::ModOp::sub, data::ModOp::mul, data::ModOp::div}) {
        const std::size_t p = 13;
        const data::Split s = data::modular_arithmetic({p, op, 0.3, 7});
        s.train.check();
        s.test.check();
        const std::size_t pairs = op == data::ModOp::div ? p * (p - 1) : p * p;
        BOOST_TEST(s.train.n() + s.test.n() == pairs);
        BOOST_TEST(s.train.n() == std::size_t(std::llround(0.3 * double(pairs))));
        BOOST_TEST(s.train.d() == 2 * p);
        std::set<std::pair<std::size_t, std::size_t>> seen;
        bool answers = true;
        for (const data::Dataset* part : {&s.train, &s.test})
            for (std::size_t i = 0; i < part->n(); ++i) {
                const std::size_t a = hot(part->X, i, 0, p), b = hot(part->X, i, p, p), y = part->labels[i];
                seen.insert({a, b});
                // check by multiplying back, an oracle independent of how the generator computed y
                switch (op) {
                    case data::ModOp::add: answers = answers && (y + p - b) % p == a; break;
                    case data::ModOp::sub: answers = answers && (y + b) % p == a; break;
                    case data::ModOp::mul: answers = answers && y == (a * b) % p; break;
                    case data::ModOp::div: answers = answers && (y * b) % p == a && b != 0; break;
                }
                answers = answers && part->Y(i, y) == 1.0;
            }
        BOOST_TEST(seen.size() == pairs);  // every pair exactly once (train and test disjoint)
        BOOST_TEST(answers);
    }
    BOOST_TEST(message_of([] { data::modular_arithmetic({12, data::ModOp::div, 0.5, 0}); }) ==
               "modular: op=div needs a prime modulus; 2 has no inverse mod 12");
}

BOOST_AUTO_TEST_CASE(seeds_reproduce_bitwise_and_differ_between_seeds) {
    const data::Split a = data::modular_arithmetic({61, data::ModOp::add, 0.5, 3});
    const data::Split b = data::modular_arithmetic({61, data::ModOp::add, 0.5, 3});
    const data::Split c = data::modular_arithmetic({61, data::ModOp::add, 0.5, 4});
    BOOST_TEST(same_bits(a.train.X, b.train.X));
    BOOST_TEST(!same_bits(a.train.X, c.train.X));
    data::ParityOptions po;
    po.d = 20;
    po.n = 500;
    po.seed = 9;
    BOOST_TEST(same_bits(data::sparse_parity(po).X, data::sparse_parity(po).X));
    data::LowRankOptions lo;
    lo.seed = 5;
    lo.noise = 0.1;
    BOOST_TEST(same_bits(data::lowrank_polynomial(lo).Y, data::lowrank_polynomial(lo).Y));
    BOOST_TEST(same_bits(data::gaussian_mixture({}).X, data::gaussian_mixture({}).X));
}

BOOST_AUTO_TEST_CASE(parity_labels_are_the_xor_of_the_support) {
    data::ParityOptions o;
    o.d = 50;
    o.support = {7, 15, 25, 29};
    o.n = 2000;
    const data::Dataset d = data::sparse_parity(o);
    d.check();
    BOOST_TEST(d.num_classes == 2u);
    std::size_t wrong = 0, ones = 0;
    for (std::size_t i = 0; i < d.n(); ++i) {
        const int x = int(d.X(i, 7) + d.X(i, 15) + d.X(i, 25) + d.X(i, 29)) % 2;
        wrong += std::size_t(x) != d.labels[i];
        ones += d.labels[i];
        for (std::size_t j = 0; j < d.d(); ++j) wrong += d.X(i, j) != 0.0 && d.X(i, j) != 1.0;
    }
    BOOST_TEST(wrong == 0u);
    BOOST_TEST(std::abs(double(ones) / 2000.0 - 0.5) < 0.05);  // balanced: 4σ ≈ 0.045

    // ±1 inputs with the ±1 target: y is the product of the support's inputs
    o.plus_minus_inputs = true;
    o.target = data::ParityTarget::plus_minus;
    const data::Dataset pm = data::sparse_parity(o);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < pm.n(); ++i)
        bad += pm.Y(i, 0) != pm.X(i, 7) * pm.X(i, 15) * pm.X(i, 25) * pm.X(i, 29);
    BOOST_TEST(bad == 0u);
    BOOST_TEST((pm.task == data::Task::regression));

    // k random coordinates: distinct, in range, reported by parity_support
    data::ParityOptions r;
    r.d = 30;
    r.k = 3;
    r.n = 10;
    r.seed = 11;
    const std::vector<std::size_t> s = data::parity_support(r);
    BOOST_TEST(s.size() == 3u);
    BOOST_TEST(std::set<std::size_t>(s.begin(), s.end()).size() == 3u);
    const data::Dataset rd = data::sparse_parity(r);
    bool match = true;
    for (std::size_t i = 0; i < rd.n(); ++i)
        match = match && std::size_t(int(rd.X(i, s[0]) + rd.X(i, s[1]) + rd.X(i, s[2])) % 2) == rd.labels[i];
    BOOST_TEST(match);
}

BOOST_AUTO_TEST_CASE(lowrank_target_and_mixture) {
    data::LowRankOptions o;
    o.d = 8;
    o.n = 300;
    const data::Dataset d = data::lowrank_polynomial(o);
    bool ok = true;
    for (std::size_t i = 0; i < d.n(); ++i) ok = ok && d.Y(i, 0) == d.X(i, 0) * d.X(i, 1) * (d.X(i, 5) > 0 ? 1 : 0);
    BOOST_TEST(ok);
    BOOST_TEST(message_of([] { data::lowrank_polynomial({5, 10, 0.0, 0}); }) ==
               "lowrank: d = 5; expected d ≥ 6 (the target uses x₀, x₁, x₅)");

    const data::Dataset m = data::gaussian_mixture({3, 4, 400, 3.0, 1});
    m.check();
    const std::vector<std::size_t> counts = m.class_counts();
    BOOST_TEST(counts == std::vector<std::size_t>({100, 100, 100, 100}));
}

BOOST_AUTO_TEST_CASE(rng_is_uniform_and_normal_enough) {
    // Moments of 200k draws against their exact values (tolerances ≈ 5 standard errors).
    data::Rng rng(1);
    const int n = 200000;
    double su = 0, sn = 0, sn2 = 0;
    for (int i = 0; i < n; ++i) {
        su += rng.uniform();
        const double z = rng.normal();
        sn += z;
        sn2 += z * z;
    }
    BOOST_TEST(std::abs(su / n - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
    BOOST_TEST(std::abs(sn / n) < 5 / std::sqrt(double(n)));
    BOOST_TEST(std::abs(sn2 / n - 1.0) < 5 * std::sqrt(2.0 / n));
    std::vector<int> hist(7, 0);
    for (int i = 0; i < 70000; ++i) ++hist[rng.below(7)];
    for (int h : hist) BOOST_TEST(std::abs(h - 10000) < 500);
}

BOOST_AUTO_TEST_CASE(standardize_normalize_one_hot) {
    data::Matrix train{{1.0, 5.0, 2.0}, {3.0, 5.0, 4.0}, {5.0, 5.0, 9.0}};
    const data::Standardizer s = data::Standardizer::fit(train);
    BOOST_TEST(s.mean[0] == 3.0);
    BOOST_TEST(std::abs(s.std[0] - std::sqrt(8.0 / 3.0)) < 1e-15);
    BOOST_TEST(s.std[1] == 0.0);
    data::Matrix other{{3.0, 7.0, 5.0}};
    s.apply(other);
    BOOST_TEST(other(0, 0) == 0.0);
    BOOST_TEST(other(0, 1) == 2.0);  // constant feature: centred only
    s.apply(train);
    double mean2 = 0, var2 = 0;
    for (std::size_t i = 0; i < 3; ++i) mean2 += train(i, 2) / 3;
    for (std::size_t i = 0; i < 3; ++i) var2 += (train(i, 2) - mean2) * (train(i, 2) - mean2) / 3;
    BOOST_TEST(std::abs(mean2) < 1e-15);
    BOOST_TEST(std::abs(var2 - 1.0) < 1e-14);
    data::Matrix wrong{{1.0, 2.0}};
    BOOST_TEST(message_of([&] { s.apply(wrong); }) == "standardize: fitted on 3 features, applied to 2");

    data::Matrix r{{3.0, 4.0}, {0.0, 0.0}};
    data::normalize_rows(r);
    BOOST_TEST(std::abs(r(0, 0) - 0.6) < 1e-15);  // 3·(1/5): one rounding each
    BOOST_TEST(std::abs(r(0, 1) - 0.8) < 1e-15);
    BOOST_TEST(r(1, 0) == 0.0);

    const data::Matrix y = data::one_hot({2, 0}, 3);
    BOOST_TEST((y(0, 2) == 1.0 && y(0, 0) == 0.0 && y(1, 0) == 1.0));
    BOOST_TEST(message_of([] { data::one_hot({3}, 3); }) == "one_hot: label 3 at row 0 is out of range for 3 classes");
}

BOOST_AUTO_TEST_CASE(split_subsample_take_rows) {
    const data::Dataset d = data::gaussian_mixture({2, 3, 101, 3.0, 2});
    const data::Split s = data::train_test_split(d, 0.25, 5);
    BOOST_TEST(s.test.n() == 25u);
    BOOST_TEST(s.train.n() == 76u);
    s.train.check();
    // together the parts hold every row once: compare the multiset of first features
    std::multiset<double> all, parts;
    for (std::size_t i = 0; i < d.n(); ++i) all.insert(d.X(i, 0));
    for (const data::Dataset* p : {&s.train, &s.test})
        for (std::size_t i = 0; i < p->n(); ++i) parts.insert(p->X(i, 0));
    BOOST_TEST((all == parts));
    BOOST_TEST(same_bits(data::train_test_split(d, 0.25, 5).test.X, s.test.X));

    const data::Dataset t = data::take_rows(d, {4, 0, 4});
    BOOST_TEST(t.n() == 3u);
    BOOST_TEST(t.X(0, 1) == d.X(4, 1));
    BOOST_TEST(t.labels[1] == d.labels[0]);
    BOOST_TEST(t.Y(2, d.labels[4]) == 1.0);
    BOOST_TEST(message_of([&] { data::take_rows(d, {0, 101}); }).find("row index 101 (position 1) is out of range") !=
               std::string::npos);
    const data::Dataset sub = data::subsample(d, 10, 1);
    BOOST_TEST(sub.n() == 10u);
    BOOST_TEST(message_of([&] { data::subsample(d, 102, 1); }) == d.name + ": cannot subsample 102 rows from 101");
}

// load_spec's before_generate: called once per generated dataset, before it is generated, with the size
// the data then have (the modular table: all p² pairs and its training fraction); an exception it throws
// passes through, and nothing is generated (lowrank:n=10^9 would take 160 GB); loaders do not call it.
BOOST_AUTO_TEST_CASE(before_generate_sees_the_size_first) {
    struct Case {
        const char* spec;
        data::GeneratedSize size;
    };
    for (const Case& cs : {Case{"modular:p=7,frac=0.25", {49, 14, 7, true, 0.25}},
                           Case{"parity:d=12,k=3,n=64", {64, 12, 2, true, 1.0}},
                           Case{"parity:d=6,n=20,target=pm", {20, 6, 1, false, 1.0}},
                           Case{"lowrank:d=7,n=5", {5, 7, 1, false, 1.0}},
                           Case{"mixture:d=3,classes=4,n=10", {10, 3, 4, true, 1.0}}}) {
        int calls = 0;
        data::GeneratedSize seen;
        const data::Split s = data::load_spec(cs.spec, 1, [&](const data::GeneratedSize& g) {
            seen = g;
            ++calls;
        });
        BOOST_TEST(calls == 1, cs.spec);
        BOOST_TEST((seen.n == cs.size.n && seen.d == cs.size.d && seen.outputs == cs.size.outputs), cs.spec);
        BOOST_TEST(seen.classification == cs.size.classification, cs.spec);
        BOOST_TEST(seen.train_fraction == cs.size.train_fraction, cs.spec);
        BOOST_TEST(s.train.n() + s.test.n() == seen.n, cs.spec);
        BOOST_TEST(s.train.d() == seen.d, cs.spec);
        BOOST_TEST(s.train.outputs() == seen.outputs, cs.spec);
    }
    BOOST_TEST(message_of([] {
                   data::load_spec("lowrank:d=20,n=1000000000", 0,
                                   [](const data::GeneratedSize& g) { throw data::DataError(std::to_string(g.n)); });
               }) == "1000000000");
    int calls = 0;
    data::load_spec("iris", 0, [&](const data::GeneratedSize&) { ++calls; });
    BOOST_TEST(calls == 0);
}

BOOST_AUTO_TEST_CASE(dataset_strings) {
    const data::DataSpec s = data::parse_spec("csv:a/b.csv,label=target,task=regression");
    BOOST_TEST(s.kind == "csv");
    BOOST_TEST(s.positional == std::vector<std::string>({"a/b.csv"}));
    BOOST_TEST(s.options.at("label") == "target");

    const data::Split m = data::load_spec("modular:p=7,op=mul,frac=0.5", 1);
    BOOST_TEST(m.train.n() + m.test.n() == 49u);
    const data::Split p = data::load_spec("parity:d=12,k=3,n=64,support=1;4;9", 1);
    BOOST_TEST((p.train.n() == 64u && p.train.d() == 12u && p.test.n() == 0u));
    const data::Split pm = data::load_spec("parity:d=6,n=20,support=0;2,pm=1,target=pm", 3);
    bool products = pm.train.task == data::Task::regression;
    for (std::size_t i = 0; i < pm.train.n(); ++i) products = products && pm.train.Y(i, 0) == pm.train.X(i, 0) * pm.train.X(i, 2);
    BOOST_TEST(products);
    BOOST_TEST(message_of([] { data::load_spec("parity:target=xor"); }) ==
               "dataset 'parity:target=xor': target=xor (valid: onehot, 01, pm)");
    BOOST_TEST(data::load_spec("lowrank:d=7,n=5,noise=0.5").train.d() == 7u);
    BOOST_TEST(data::load_spec("mixture:d=3,classes=2,n=10,sep=1").train.num_classes == 2u);

    BOOST_TEST(message_of([] { data::load_spec("mnist"); }) ==
               "dataset 'mnist': unknown kind 'mnist' (valid: digits, breast_cancer, wine, iris, modular, parity, "
               "lowrank, mixture, csv, npy, idx, cifar, uci)");
    BOOST_TEST(message_of([] { data::load_spec("modular:p=61,modulus=3"); }) ==
               "dataset 'modular:p=61,modulus=3': unknown key 'modulus' for modular (valid: p, op, frac)");
    BOOST_TEST(message_of([] { data::load_spec("modular:p=6x"); }) ==
               "dataset 'modular:p=6x': p=6x is not an integer in 2..1000000");
    BOOST_TEST(message_of([] { data::load_spec("modular:op=pow"); }) ==
               "dataset 'modular:op=pow': op=pow (valid: add, sub, mul, div)");
    BOOST_TEST(message_of([] { data::load_spec("npy:X.npy"); }) ==
               "dataset 'npy:X.npy': expected the X and Y file paths (2 fields), got 1");
    BOOST_TEST(message_of([] { data::load_spec("parity:p=1,p=2"); }) == "dataset 'parity:p=1,p=2': key 'p' given twice");
    BOOST_TEST(data::spec_help().find("modular:p=61,op=add,frac=0.5") != std::string::npos);
}

// ---- bad input in dataset strings: one checked integer and one checked float parser, stated ranges -----

BOOST_AUTO_TEST_CASE(integer_parameters_reject_signs_overflow_and_out_of_range) {
    const auto msg = [](const std::string& spec) { return message_of([&] { data::load_spec(spec); }); };
    // A negative value used to wrap to 2^64 − 1; now every integer names its range.
    BOOST_TEST(msg("modular:p=-1") == "dataset 'modular:p=-1': p=-1 is not an integer in 2..1000000");
    BOOST_TEST(msg("parity:n=-1") == "dataset 'parity:n=-1': n=-1 is not an integer in 1..1000000000000");
    BOOST_TEST(msg("parity:n=18446744073709551615") ==
               "dataset 'parity:n=18446744073709551615': n=18446744073709551615 is not an integer in 1..1000000000000");
    BOOST_TEST(has(msg("parity:n=99999999999999999999999"), "is not an integer in 1..1000000000000"));
    BOOST_TEST(has(msg("parity:d=+5"), "d=+5 is not an integer in 1..1000000"));
    BOOST_TEST(has(msg("parity:n=4e7"), "n=4e7 is not an integer in 1..1000000000000"));
    BOOST_TEST(has(msg("modular:p= 7"), "p= 7 is not an integer in 2..1000000"));
    BOOST_TEST(has(msg("modular:p="), "p= is not an integer in 2..1000000"));
    BOOST_TEST(has(msg("lowrank:d=5"), "d=5 is not an integer in 6..1000000"));
    BOOST_TEST(has(msg("mixture:classes=0"), "classes=0 is not an integer in 1..65536"));
    BOOST_TEST(has(msg("mixture:d=-3"), "d=-3 is not an integer in 1..1000000"));
    BOOST_TEST(has(msg("parity:d=5,k=6"), "k=6 is not an integer in 1..5"));
    BOOST_TEST(has(msg("parity:pm=2"), "pm=2 is not an integer in 0..1"));
    BOOST_TEST(has(msg("parity:d=5,support=1;9"), "support entry 9 is not an integer in 0..4 (d = 5)"));
    BOOST_TEST(has(msg("parity:d=5,support=1;-2"), "support entry -2 is not an integer in 0..4"));
    BOOST_TEST(has(msg("parity:d=5,support=1;;2"), "support entry  is not an integer in 0..4"));
    BOOST_TEST(has(msg("parity:d=5,support="), "support= is empty (expected coordinates in 0..4"));

    // The parser itself: the full int64 range when asked, and one past it refused.
    const auto lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
    BOOST_TEST(data::parse_integer("-9223372036854775808", "x", lo, hi) == lo);
    BOOST_TEST(data::parse_integer("9223372036854775807", "x", lo, hi) == hi);
    BOOST_TEST(data::parse_integer("-0", "x", -1, 1) == 0);
    BOOST_TEST(message_of([&] { data::parse_integer("9223372036854775808", "x", lo, hi); }) ==
               "x=9223372036854775808 is not an integer in -9223372036854775808..9223372036854775807");
    BOOST_TEST(message_of([&] { data::parse_integer("-9223372036854775809", "x", lo, hi); }) ==
               "x=-9223372036854775809 is not an integer in -9223372036854775808..9223372036854775807");
    BOOST_TEST(message_of([] { data::parse_integer("12a", "x", 0, 100); }) == "x=12a is not an integer in 0..100");
}

BOOST_AUTO_TEST_CASE(float_parameters_are_finite_and_in_range) {
    const auto msg = [](const std::string& spec) { return message_of([&] { data::load_spec(spec); }); };
    BOOST_TEST(msg("lowrank:noise=-1") ==
               "dataset 'lowrank:noise=-1': noise=-1 is not a finite number in [0, 1000000]");
    BOOST_TEST(has(msg("lowrank:noise=nan"), "noise=nan is not a finite number in [0, 1000000]"));
    BOOST_TEST(has(msg("lowrank:noise=inf"), "noise=inf is not a finite number in [0, 1000000]"));
    BOOST_TEST(has(msg("lowrank:noise=1e309"), "noise=1e309 is not a finite number in [0, 1000000]"));
    BOOST_TEST(has(msg("lowrank:noise=0x1p3"), "noise=0x1p3 is not a finite number"));
    BOOST_TEST(has(msg("lowrank:noise= 1"), "noise= 1 is not a finite number"));
    BOOST_TEST(has(msg("mixture:sep=nan"), "sep=nan is not a finite number in [0, 1000000]"));
    BOOST_TEST(has(msg("mixture:sep=inf"), "sep=inf is not a finite number in [0, 1000000]"));
    BOOST_TEST(has(msg("mixture:sep=-3"), "sep=-3 is not a finite number in [0, 1000000]"));
    BOOST_TEST(msg("modular:frac=0") == "dataset 'modular:frac=0': frac=0 is not a finite number in (0, 1]");
    BOOST_TEST(has(msg("modular:frac=nan"), "frac=nan is not a finite number in (0, 1]"));
    BOOST_TEST(has(msg("modular:frac=1.5"), "frac=1.5 is not a finite number in (0, 1]"));
    // Valid values still load, the same as before.
    BOOST_TEST(data::load_spec("lowrank:d=6,n=3,noise=1e-3").train.n() == 3u);
    BOOST_TEST(data::load_spec("modular:p=5,frac=1").test.n() == 0u);
    BOOST_TEST(data::parse_real("2.5e-1", "x", {0, 1}) == 0.25);

    // The generators refuse the same values when called directly.
    data::LowRankOptions l;
    l.noise = std::nan("");
    BOOST_TEST(message_of([&] { data::lowrank_polynomial(l); }) ==
               "lowrank: noise = nan; expected a finite standard deviation ≥ 0");
    l.noise = -1;
    BOOST_TEST(has(message_of([&] { data::lowrank_polynomial(l); }), "noise = -1; expected"));
    data::MixtureOptions m;
    m.separation = std::numeric_limits<double>::infinity();
    BOOST_TEST(message_of([&] { data::gaussian_mixture(m); }) == "mixture: sep = inf; expected a finite separation ≥ 0");
}

BOOST_AUTO_TEST_CASE(parity_k_and_support_must_agree_and_support_has_no_duplicates) {
    const auto msg = [](const std::string& spec) { return message_of([&] { data::load_spec(spec); }); };
    BOOST_TEST(msg("parity:d=5,k=3,support=1;2") ==
               "dataset 'parity:d=5,k=3,support=1;2': k=3 but support=1;2 has 2 coordinates (give k equal to the "
               "support's size, or one of them)");
    BOOST_TEST(msg("parity:d=5,support=1;1") ==
               "dataset 'parity:d=5,support=1;1': support=1;1: coordinate 1 is given twice (expected distinct "
               "coordinates)");
    const data::Split agree = data::load_spec("parity:d=5,k=2,n=8,support=1;2", 1);
    const data::Split implied = data::load_spec("parity:d=5,n=8,support=1;2", 1);
    BOOST_TEST(agree.train.name == "parity-d5-k2");
    BOOST_TEST(same_bits(agree.train.X, implied.train.X));
}

BOOST_AUTO_TEST_CASE(unprintable_bytes_are_escaped_in_messages) {
    BOOST_TEST(data::printable(std::string("a\0b\r\xff\xfe", 6)) == "a\\x00b\\x0d\\xff\\xfe");
    BOOST_TEST(data::printable("x ≥ 1") == "x ≥ 1");
    BOOST_TEST(data::printable(std::string(100, 'a'), 10) == std::string(10, 'a') + "…");
    const std::string spec("lowrank:noise=1\0" "2", 17);
    BOOST_TEST(message_of([&] { data::load_spec(spec); }) ==
               "dataset 'lowrank:noise=1\\x002': noise=1\\x002 is not a finite number in [0, 1000000]");
}

// ---- sizes: estimated before anything is allocated, refused against the budget ------------------------

BOOST_AUTO_TEST_CASE(default_budget_is_mem_available_and_refuses_huge_generators) {
    const data::MemoryBudget b = data::memory_budget();
    BOOST_TEST(b.bytes > 0u);
    BOOST_TEST(b.source == "MemAvailable in /proc/meminfo");
    // 48·p³ bytes = 44 PiB: no machine has it, so no allocation is attempted.
    const std::string m = message_of([] { data::load_spec("modular:p=100000"); });
    BOOST_TEST(has(m, "modular: p = 100000: the dataset needs 42.6 PiB (p² pairs of 2p inputs and p one-hot "
                      "outputs, doubles, held twice while split) but "));
    BOOST_TEST(has(m, "is available (MemAvailable in /proc/meminfo)"));
    BOOST_TEST(has(message_of([] { data::load_spec("parity:d=1000000,n=1000000000000"); }),
                   "parity: n = 1000000000000, d = 1000000: the dataset needs"));
}

BOOST_AUTO_TEST_CASE(a_set_budget_refuses_what_does_not_fit_in_one_line) {
    BudgetGuard guard(std::uint64_t(1) << 30);
    BOOST_TEST(data::memory_budget().source == "--max-memory");
    BOOST_TEST(message_of([] { data::load_spec("modular:p=1000"); }) ==
               "modular: p = 1000: the dataset needs 44.7 GiB (p² pairs of 2p inputs and p one-hot outputs, "
               "doubles, held twice while split) but 1.0 GiB is available (--max-memory)");
    BOOST_TEST(message_of([] { data::load_spec("parity:n=40000000"); }) ==
               "parity: n = 40000000, d = 50: the dataset needs 16.1 GiB (n rows of d inputs and 2 outputs, doubles, "
               "and the labels) but 1.0 GiB is available (--max-memory)");
    BOOST_TEST(message_of([] { data::load_spec("lowrank:n=100000000"); }) ==
               "lowrank: n = 100000000, d = 20: the dataset needs 15.6 GiB (n rows of d inputs and 1 target, doubles) "
               "but 1.0 GiB is available (--max-memory)");
    BOOST_TEST(has(message_of([] { data::load_spec("mixture:n=100000000,classes=100"); }),
                   "mixture: n = 100000000, d = 2, classes = 100: the dataset needs"));
    // What fits still loads, identically.
    const data::Split small = data::load_spec("modular:p=7", 3);
    BOOST_TEST(small.train.n() + small.test.n() == 49u);
    BOOST_TEST(data::format_bytes(512) == "512 bytes");
    BOOST_TEST(data::format_bytes(1536) == "1.5 KiB");
}
