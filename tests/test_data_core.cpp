// The data component's own computations, against properties that define them: every modular pair once
// with the right answer, parity labels equal to the XOR, the low-rank target's formula, seeds that
// reproduce bitwise; the transforms; the dataset string's parsing and its errors.
#define BOOST_TEST_MODULE data_core
#include <boost/test/unit_test.hpp>

#include "expect_error.hpp"

#include <cmath>
#include <cstring>
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
               "dataset 'modular:p=6x': p=6x is not a non-negative integer");
    BOOST_TEST(message_of([] { data::load_spec("modular:op=pow"); }) ==
               "dataset 'modular:op=pow': op=pow (valid: add, sub, mul, div)");
    BOOST_TEST(message_of([] { data::load_spec("npy:X.npy"); }) ==
               "dataset 'npy:X.npy': expected the X and Y file paths (2 fields), got 1");
    BOOST_TEST(message_of([] { data::load_spec("parity:p=1,p=2"); }) == "dataset 'parity:p=1,p=2': key 'p' given twice");
    BOOST_TEST(data::spec_help().find("modular:p=61,op=add,frac=0.5") != std::string::npos);
}
