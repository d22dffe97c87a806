// E3 (fact/tabular.hpp) on tiny UCI folders written here in the collection's format. The oracle is a naive
// Laplace-kernel ridge regression written out from docs/MATH.md §5 (explicit kernel entries, Gaussian
// elimination), so the grid search, the fold scores and the bookkeeping (summary.csv, resume, skips,
// errors) are checked against numbers the library did not compute.
#define BOOST_TEST_MODULE fact_tabular
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fact/tabular.hpp"
#include "data/files.hpp"
#include "expect_error.hpp"
#include "nn/error.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using fact::TabularMethod;

namespace {

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    BOOST_REQUIRE_MESSAGE(f.good(), "cannot write fixture " << path);
}

std::string read_text(const fs::path& path) { return data::read_file(path.string()); }

// A dataset of n rows, d = 3 features, c = 3 classes: class k lies along its own direction u_k with a radius
// r ∈ [0.3, 4) drawn per row, plus noise. The direction carries the class and the radius is a nuisance, so
// row normalisation x ← x/‖x‖ matters, and the grid choice is not simply its first point.
struct Fixture {
    std::vector<std::vector<double>> X;
    std::vector<std::size_t> y;
    std::vector<std::size_t> train, validation;
    std::vector<std::vector<std::size_t>> fold_train, fold_test;
};

Fixture make_fixture(std::size_t n, unsigned seed) {
    const double u[3][3] = {{1, 0.2, 0}, {0.1, 1, 0.3}, {-0.6, -0.5, 0.8}};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> radius(0.3, 4.0), noise(-0.45, 0.45);
    Fixture f;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = i % 3;
        const double r = radius(rng);
        f.X.push_back({r * u[k][0] + noise(rng), r * u[k][1] + noise(rng), r * u[k][2] + noise(rng)});
        f.y.push_back(k);
    }
    std::vector<std::size_t> perm(n);
    for (std::size_t i = 0; i < n; ++i) perm[i] = (i * 7 + 3) % n;   // n coprime with 7: a permutation
    for (std::size_t i = 0; i < n; ++i) (i < (n + 1) / 2 ? f.train : f.validation).push_back(perm[i]);
    f.fold_train.resize(4);
    f.fold_test.resize(4);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < 4; ++k) (i % 4 == k ? f.fold_test : f.fold_train)[k].push_back(i);
    return f;
}

std::string index_line(const std::vector<std::size_t>& idx) {
    std::string s;
    for (std::size_t i : idx) s += std::to_string(i) + " ";
    return s + "\n";
}

// The folder root/name in the collection's format (as tests/test_data_binary.cpp writes it).
void write_uci(const fs::path& root, const std::string& name, const Fixture& f) {
    const fs::path folder = root / name;
    fs::create_directories(folder);
    const std::size_t n = f.X.size();
    write_bytes(folder / (name + ".txt"),
                "n_entradas= 3\nn_clases= 3\nn_arquivos= 1\nfich1= " + name + "_R.dat\nn_patrons1= " +
                    std::to_string(n) + "\nn_patrons_entrena= " + std::to_string(f.train.size()) +
                    "\nn_patrons_valida= " + std::to_string(f.validation.size()) + "\nn_conxuntos= 1\n");
    std::ostringstream data;
    data.precision(17);
    data << "\tf1\tf2\tf3\tclase\n";
    for (std::size_t i = 0; i < n; ++i)
        data << i + 1 << "\t" << f.X[i][0] << "\t" << f.X[i][1] << "\t" << f.X[i][2] << "\t" << f.y[i] << "\n";
    write_bytes(folder / (name + "_R.dat"), data.str());
    write_bytes(folder / "conxuntos.dat", index_line(f.train) + index_line(f.validation));
    std::string kfold;
    for (std::size_t k = 0; k < 4; ++k) kfold += index_line(f.fold_train[k]) + index_line(f.fold_test[k]);
    write_bytes(folder / "conxuntos_kfold.dat", kfold);
}

// ---- the oracle: KRR with the Laplace kernel of docs/MATH.md §5, written out --------------------------

using Rows = std::vector<std::vector<double>>;

Rows take(const Fixture& f, const std::vector<std::size_t>& idx, bool row_norm) {
    Rows out;
    for (std::size_t i : idx) {
        std::vector<double> x = f.X[i];
        double s = 0;
        for (double v : x) s += v * v;
        if (row_norm && s > 0)
            for (double& v : x) v /= std::sqrt(s);
        out.push_back(x);
    }
    return out;
}

std::vector<std::size_t> labels(const Fixture& f, const std::vector<std::size_t>& idx) {
    std::vector<std::size_t> out;
    for (std::size_t i : idx) out.push_back(f.y[i]);
    return out;
}

// k(x, z) = exp(−√((x − z)ᵀ M (x − z)) / L)
double laplace(const std::vector<double>& x, const std::vector<double>& z, const fact::Matrix& M, double L) {
    double q = 0;
    for (std::size_t a = 0; a < x.size(); ++a)
        for (std::size_t b = 0; b < x.size(); ++b) q += (x[a] - z[a]) * M(a, b) * (x[b] - z[b]);
    return std::exp(-std::sqrt(std::max(q, 0.0)) / L);
}

// α = (K + μI)⁻¹ Y by Gaussian elimination with partial pivoting, then the argmax accuracy on the test rows.
double naive_accuracy(const Rows& Xtr, const std::vector<std::size_t>& ytr, const Rows& Xte,
                      const std::vector<std::size_t>& yte, const fact::Matrix& M, double ridge, std::size_t c = 3) {
    const double L = 10.0;
    const std::size_t n = Xtr.size();
    Rows A(n, std::vector<double>(n + c, 0.0));   // [K + μI | Y]
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) A[i][j] = laplace(Xtr[i], Xtr[j], M, L) + (i == j ? ridge : 0.0);
        A[i][n + ytr[i]] = 1.0;
    }
    for (std::size_t col = 0; col < n; ++col) {
        std::size_t p = col;
        for (std::size_t r = col + 1; r < n; ++r)
            if (std::abs(A[r][col]) > std::abs(A[p][col])) p = r;
        std::swap(A[col], A[p]);
        for (std::size_t r = 0; r < n; ++r) {
            if (r == col) continue;
            const double m = A[r][col] / A[col][col];
            for (std::size_t k = col; k < n + c; ++k) A[r][k] -= m * A[col][k];
        }
    }
    std::size_t right = 0;
    for (std::size_t i = 0; i < Xte.size(); ++i) {
        std::size_t best = 0;
        std::vector<double> f(c, 0.0);
        for (std::size_t j = 0; j < n; ++j) {
            const double k = laplace(Xte[i], Xtr[j], M, L);
            for (std::size_t o = 0; o < c; ++o) f[o] += k * A[j][n + o] / A[j][j];
        }
        for (std::size_t o = 1; o < c; ++o)
            if (f[o] > f[best]) best = o;
        right += best == yte[i] ? 1 : 0;
    }
    return double(right) / double(Xte.size());
}

fact::Matrix identity(std::size_t d) {
    fact::Matrix I = fact::Matrix::from_shape({d, d});
    I.fill(0.0);
    for (std::size_t i = 0; i < d; ++i) I(i, i) = 1.0;
    return I;
}

fact::TabularConfig config_for(const fs::path& root, const fs::path& out) {
    fact::TabularConfig c;
    c.uci_root = root.string();
    c.out = out.string();
    c.quiet = true;
    return c;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) out.push_back(line);
    return out;
}

const fact::TabularRow* row_of(const std::vector<fact::TabularRow>& rows, const std::string& dataset,
                               const std::string& method) {
    for (const fact::TabularRow& r : rows)
        if (r.dataset == dataset && r.method == method) return &r;
    return nullptr;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

// Accuracies are counts over at most 20 rows; the library (Cholesky, GEMM kernels) and the oracle (entry by
// entry, elimination) agree to ~1e-12 on the predictions, far below the margins of this data, so the
// accuracies are compared exactly.
BOOST_AUTO_TEST_CASE(laplace_choice_is_the_first_best_of_a_naive_grid_search) {
    test::TempDir dir("fact_test_tabular");
    const Fixture f = make_fixture(41, 1);
    write_uci(dir.path, "toy", f);
    const data::UciDataset uci = data::load_uci((dir.path / "toy").string());
    const fact::TabularConfig c = config_for(dir.path, dir.path / "out");

    // The documented order: ridge as listed, row normalisation off before on; only strictly better wins.
    double best_acc = -1, best_ridge = 0;
    bool best_norm = false;
    std::size_t grid_points = 0, distinct = 0;
    double first_acc = -1;
    for (double ridge : c.ridges)
        for (bool norm : {false, true}) {
            const double acc = naive_accuracy(take(f, f.train, norm), labels(f, f.train), take(f, f.validation, norm),
                                              labels(f, f.validation), identity(3), ridge);
            if (grid_points++ == 0) first_acc = acc;
            distinct += acc != first_acc ? 1 : 0;
            if (acc > best_acc) best_acc = acc, best_ridge = ridge, best_norm = norm;
        }
    // The fixture must make the grid matter, or the test would pass with any choice.
    BOOST_TEST_REQUIRE(distinct > 0u);
    BOOST_TEST_REQUIRE((best_ridge != c.ridges.front() || best_norm));

    const fact::TabularChoice got = fact::select_hyperparameters(c, TabularMethod::laplace, uci);
    BOOST_TEST(got.ridge == best_ridge);
    BOOST_TEST(got.row_norm == best_norm);
    BOOST_TEST(got.val_acc == best_acc);
    BOOST_TEST(got.best_iter == 0u);
    BOOST_TEST((got.M == identity(3)));
}

BOOST_AUTO_TEST_CASE(rfm_choice_reports_the_accuracy_of_its_M_and_beats_every_iteration_zero) {
    test::TempDir dir("fact_test_tabular");
    const Fixture f = make_fixture(41, 2);
    write_uci(dir.path, "toy", f);
    const data::UciDataset uci = data::load_uci((dir.path / "toy").string());
    const fact::TabularConfig c = config_for(dir.path, dir.path / "out");
    for (TabularMethod m : {TabularMethod::nfa, TabularMethod::fact, TabularMethod::fact_geo}) {
        const fact::TabularChoice got = fact::select_hyperparameters(c, m, uci);
        BOOST_TEST_CONTEXT(fact::to_string(m)) {
            BOOST_TEST(got.best_iter <= c.iters);
            // The reported validation accuracy is what the chosen (μ, row normalisation, M) gives.
            const double acc = naive_accuracy(take(f, f.train, got.row_norm), labels(f, f.train),
                                              take(f, f.validation, got.row_norm), labels(f, f.validation), got.M,
                                              got.ridge);
            BOOST_TEST(got.val_acc == acc);
            // Iteration 0 (M = I) of every grid point is a candidate, so none is better.
            for (double ridge : c.ridges)
                for (bool norm : {false, true})
                    BOOST_TEST(got.val_acc >= naive_accuracy(take(f, f.train, norm), labels(f, f.train),
                                                             take(f, f.validation, norm), labels(f, f.validation),
                                                             identity(3), ridge));
        }
    }
}

BOOST_AUTO_TEST_CASE(fold_accuracies_use_the_chosen_M_unchanged_on_every_fold) {
    test::TempDir dir("fact_test_tabular");
    const Fixture f = make_fixture(41, 3);
    write_uci(dir.path, "toy", f);
    const data::UciDataset uci = data::load_uci((dir.path / "toy").string());
    fact::TabularConfig c = config_for(dir.path, dir.path / "out");

    // Any choice: a hand-made non-diagonal M with every ridge of the grid, row normalisation off and on.
    fact::Matrix M = identity(3);
    M(0, 0) = 3.0, M(1, 1) = 0.5, M(0, 1) = M(1, 0) = 0.4;
    for (double ridge : c.ridges)
        for (bool norm : {false, true}) {
            fact::TabularChoice choice;
            choice.ridge = ridge;
            choice.row_norm = norm;
            choice.M = M;
            const std::array<double, 4> got = fact::fold_accuracies(c, uci, choice);
            for (std::size_t k = 0; k < 4; ++k)
                BOOST_TEST(got[k] == naive_accuracy(take(f, f.fold_train[k], norm), labels(f, f.fold_train[k]),
                                                    take(f, f.fold_test[k], norm), labels(f, f.fold_test[k]), M,
                                                    ridge));
        }
}

BOOST_AUTO_TEST_CASE(summary_fold_accuracy_is_the_mean_of_naive_fold_accuracies) {
    test::TempDir dir("fact_test_tabular");
    const Fixture f = make_fixture(41, 3);
    write_uci(dir.path, "toy", f);
    const data::UciDataset uci = data::load_uci((dir.path / "toy").string());
    fact::TabularConfig c = config_for(dir.path, dir.path / "out");
    c.methods = {TabularMethod::nfa};
    const fact::TabularChoice choice = fact::select_hyperparameters(c, TabularMethod::nfa, uci);
    std::array<double, 4> expected{};
    for (std::size_t k = 0; k < 4; ++k)
        expected[k] = naive_accuracy(take(f, f.fold_train[k], choice.row_norm), labels(f, f.fold_train[k]),
                                     take(f, f.fold_test[k], choice.row_norm), labels(f, f.fold_test[k]), choice.M,
                                     choice.ridge);
    const double mean = (expected[0] + expected[1] + expected[2] + expected[3]) / 4;

    // summary.csv holds the same choice and scores (written with 6 decimals: tolerance 1e-6).
    const fact::TabularResult r = fact::run_tabular(c);
    BOOST_TEST_REQUIRE(r.rows.size() == 1u);
    const fact::TabularRow& row = r.rows[0];
    BOOST_TEST(row.status == "ok");
    BOOST_TEST(std::abs(row.fold_acc - mean) < 1e-6);
    BOOST_TEST(row.ridge == choice.ridge);
    BOOST_TEST(row.row_norm == (choice.row_norm ? 1 : 0));
    BOOST_TEST(row.best_iter == int(choice.best_iter));
    BOOST_TEST(std::abs(row.val_acc - choice.val_acc) < 1e-6);
    for (std::size_t k = 0; k < 4; ++k) BOOST_TEST(std::abs(row.folds[k] - expected[k]) < 1e-6);
}

BOOST_AUTO_TEST_CASE(summary_has_one_row_per_dataset_and_method_and_run_json_the_protocol) {
    test::TempDir dir("fact_test_tabular");
    write_uci(dir.path / "uci", "beta", make_fixture(29, 4));
    write_uci(dir.path / "uci", "alpha", make_fixture(37, 5));
    const fact::TabularResult r = fact::run_tabular(config_for(dir.path / "uci", dir.path / "out"));
    BOOST_TEST(r.computed == 8u);

    const std::vector<std::string> lines = lines_of(read_text(dir.path / "out" / "summary.csv"));
    BOOST_TEST_REQUIRE(lines.size() == 9u);
    BOOST_TEST(lines[0] == "dataset,n,d,classes,method,ridge,row_norm,best_iter,val_acc,fold_acc,fold1,fold2,fold3,"
                           "fold4,seconds,status");
    const std::vector<std::string> order = {"laplace", "nfa", "fact", "fact-geo"};
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const fact::TabularRow row = fact::parse_summary_line(lines[i], i + 1);
        BOOST_TEST(fact::summary_line(row) == lines[i]);   // the text round-trips
        BOOST_TEST(row.dataset == (i <= 4 ? "alpha" : "beta"));   // list_uci order, methods inside
        BOOST_TEST(row.method == order[(i - 1) % 4]);
        BOOST_TEST(row.n == (i <= 4 ? 37u : 29u));
        BOOST_TEST(row.d == 3u);
        BOOST_TEST(row.classes == 3u);
        BOOST_TEST(row.status == "ok");
        BOOST_TEST(std::abs(row.fold_acc - (row.folds[0] + row.folds[1] + row.folds[2] + row.folds[3]) / 4) < 1e-6);
        BOOST_TEST((row.row_norm == 0 || row.row_norm == 1));
        BOOST_TEST(row.best_iter >= 0);
        BOOST_TEST(row.best_iter <= (row.method == "laplace" ? 0 : 4));
        BOOST_TEST(row.seconds >= 0);
    }
    const nlohmann::json run = nlohmann::json::parse(read_text(dir.path / "out" / "run.json"));
    BOOST_TEST(run["protocol"]["center"] == false);
    BOOST_TEST(run["protocol"]["bandwidth"] == 10.0);
    BOOST_TEST(run["protocol"]["iters"] == 4);
    BOOST_TEST(run["protocol"]["normalization"]["fact"] == "max");
    BOOST_TEST(run["protocol"]["normalization"]["nfa"] == "none");
    BOOST_TEST((run["protocol"]["ridges"] == nlohmann::json({10, 1, 0.1, 1e-2, 1e-3})));
    const std::string table = read_text(dir.path / "out" / "table.md");
    BOOST_TEST(table == r.table);
    BOOST_TEST(contains(table, "Mean over the 2 datasets"));
    BOOST_TEST(contains(table, "| 85.22 |"));
    // The table's mean is the mean of the rows' fold accuracies.
    const double mean = (row_of(r.rows, "alpha", "fact")->fold_acc + row_of(r.rows, "beta", "fact")->fold_acc) / 2;
    char expected[64];
    std::snprintf(expected, sizeof expected, "| FACT-RFM (fact) | %.2f |", 100 * mean);
    BOOST_TEST(contains(table, expected), table);
}

BOOST_AUTO_TEST_CASE(resume_keeps_finished_rows_and_computes_only_the_rest) {
    test::TempDir dir("fact_test_tabular");
    write_uci(dir.path / "uci", "alpha", make_fixture(29, 6));
    write_uci(dir.path / "uci", "beta", make_fixture(31, 7));
    fact::TabularConfig c = config_for(dir.path / "uci", dir.path / "out");
    c.methods = {TabularMethod::laplace};
    BOOST_TEST(fact::run_tabular(c).computed == 2u);

    // Without --resume the folder is taken.
    BOOST_TEST(contains(test::message_of<nn::ConfigError>([&] { fact::run_tabular(c); }), "--resume"));

    // Mark alpha's row so that a recomputation would be seen; beta's row must come back byte for byte.
    const fs::path summary = dir.path / "out" / "summary.csv";
    std::vector<std::string> lines = lines_of(read_text(summary));
    BOOST_TEST_REQUIRE(lines.size() == 3u);
    fact::TabularRow marked = fact::parse_summary_line(lines[1], 2);
    BOOST_TEST_REQUIRE(marked.dataset == "alpha");
    marked.fold_acc = 0.123456;
    marked.seconds = 987.5;
    lines[1] = fact::summary_line(marked);
    write_bytes(summary, lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n");

    c.resume = true;
    c.methods = {TabularMethod::laplace, TabularMethod::nfa};
    const fact::TabularResult r = fact::run_tabular(c);
    BOOST_TEST(r.computed == 2u);   // the two nfa rows only
    const std::vector<std::string> after = lines_of(read_text(summary));
    BOOST_TEST_REQUIRE(after.size() == 5u);
    BOOST_TEST(after[1] == lines[1]);
    BOOST_TEST(after[2] == lines[2]);
    BOOST_TEST(fact::parse_summary_line(after[3], 4).method == "nfa");
    BOOST_TEST(fact::parse_summary_line(after[4], 5).method == "nfa");

    // A resume with another protocol is refused before anything is computed.
    c.iters = 3;
    BOOST_TEST(contains(test::message_of<nn::ConfigError>([&] { fact::run_tabular(c); }), "another protocol"));
}

BOOST_AUTO_TEST_CASE(too_large_datasets_are_skipped_with_a_row_and_the_rest_runs) {
    test::TempDir dir("fact_test_tabular");
    write_uci(dir.path / "uci", "big", make_fixture(61, 8));     // largest training part: 46 fold rows
    write_uci(dir.path / "uci", "small", make_fixture(23, 9));   // 18
    fact::TabularConfig c = config_for(dir.path / "uci", dir.path / "out");
    c.methods = {TabularMethod::laplace, TabularMethod::fact};
    c.max_samples = 30;
    const fact::TabularResult r = fact::run_tabular(c);
    BOOST_TEST_REQUIRE(r.rows.size() == 4u);
    for (const char* m : {"laplace", "fact"}) {
        BOOST_TEST(contains(row_of(r.rows, "big", m)->status,
                            "skipped: largest training part 46 rows > --max-samples 30"));
        BOOST_TEST(row_of(r.rows, "big", m)->n == 61u);
        BOOST_TEST(std::isnan(row_of(r.rows, "big", m)->fold_acc));
        BOOST_TEST(row_of(r.rows, "small", m)->status == "ok");
    }
    BOOST_TEST(contains(r.table, "Skipped: big"));
    BOOST_TEST(contains(r.table, "Mean over the 1 datasets"));

    // A resume with a larger cap retries the skipped rows (skipped is not finished).
    c.resume = true;
    c.max_samples = 0;
    const fact::TabularResult again = fact::run_tabular(c);
    BOOST_TEST(again.computed == 2u);
    BOOST_TEST(row_of(again.rows, "big", "fact")->status == "ok");

    // The memory estimate: 8n² bytes at least, and a limit below it skips.
    BOOST_TEST(fact::protocol_memory_bytes(1000, 10, 3) >= 8e6);
    test::TempDir dir2("fact_test_tabular");
    write_uci(dir2.path / "uci", "small", make_fixture(23, 9));
    fact::TabularConfig m = config_for(dir2.path / "uci", dir2.path / "out");
    m.max_memory_bytes = 1000;
    const fact::TabularResult tiny = fact::run_tabular(m);
    BOOST_TEST(contains(tiny.rows[0].status, "skipped: needs about"));
}

BOOST_AUTO_TEST_CASE(a_broken_dataset_is_recorded_and_the_others_continue) {
    test::TempDir dir("fact_test_tabular");
    const fs::path root = dir.path / "uci";
    write_uci(root, "good", make_fixture(23, 10));
    write_uci(root, "broken", make_fixture(23, 11));
    write_bytes(root / "broken" / "conxuntos.dat", "0 1 2 99\n3 4\n");   // index 99 of 23 rows
    write_uci(root, "badlabel", make_fixture(23, 12));
    std::string rows = read_text(root / "badlabel" / "badlabel_R.dat");
    rows.replace(rows.rfind('\t') + 1, 1, "7");                        // label 7 of 3 classes on the last row
    write_bytes(root / "badlabel" / "badlabel_R.dat", rows);

    fact::TabularConfig c = config_for(root, dir.path / "out");
    c.methods = {TabularMethod::laplace, TabularMethod::nfa};
    const fact::TabularResult r = fact::run_tabular(c);
    BOOST_TEST_REQUIRE(r.rows.size() == 6u);
    for (const char* m : {"laplace", "nfa"}) {
        BOOST_TEST(contains(row_of(r.rows, "broken", m)->status, "error: "));
        BOOST_TEST(contains(row_of(r.rows, "broken", m)->status, "conxuntos.dat"));
        BOOST_TEST(contains(row_of(r.rows, "badlabel", m)->status, "label"));
        BOOST_TEST(row_of(r.rows, "good", m)->status == "ok");
    }
    BOOST_TEST(contains(r.table, "Errors: badlabel, broken"));
    // The error text survives the CSV (it has commas and quotes in it).
    const std::vector<std::string> lines = lines_of(read_text(dir.path / "out" / "summary.csv"));
    for (std::size_t i = 1; i < lines.size(); ++i)
        BOOST_TEST(fact::summary_line(fact::parse_summary_line(lines[i], i + 1)) == lines[i]);
}

BOOST_AUTO_TEST_CASE(shipped_data_is_split_like_the_collection) {
    const data::UciDataset a = fact::shipped_as_uci("iris", 3), b = fact::shipped_as_uci("iris", 3),
                           other = fact::shipped_as_uci("iris", 4);
    const std::size_t n = 150;
    BOOST_TEST_REQUIRE(a.all.n() == n);
    BOOST_TEST(a.train.size() == 75u);
    BOOST_TEST(a.validation.size() == 75u);
    std::vector<std::size_t> seen(n, 0);
    for (std::size_t i : a.train) ++seen[i];
    for (std::size_t i : a.validation) ++seen[i];
    BOOST_TEST((seen == std::vector<std::size_t>(n, 1)));   // a partition of the rows
    std::vector<std::size_t> tested(n, 0);
    for (std::size_t k = 0; k < 4; ++k) {
        const auto& [train, test] = a.folds[k];
        BOOST_TEST((test.size() == 37u || test.size() == 38u));
        BOOST_TEST(train.size() + test.size() == n);
        std::vector<std::size_t> in_fold(n, 0);
        for (std::size_t i : train) ++in_fold[i];
        for (std::size_t i : test) ++in_fold[i], ++tested[i];
        BOOST_TEST((in_fold == std::vector<std::size_t>(n, 1)));
    }
    BOOST_TEST((tested == std::vector<std::size_t>(n, 1)));   // every row tested once
    BOOST_TEST((a.train == b.train && a.folds[2].second == b.folds[2].second));
    BOOST_TEST(!(a.train == other.train));
    // Standardised over all rows: mean 0, population std 1 per feature (1e-12: sums of 150 terms).
    for (std::size_t j = 0; j < a.all.d(); ++j) {
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < n; ++i) mean += a.all.X(i, j) / double(n);
        for (std::size_t i = 0; i < n; ++i) var += (a.all.X(i, j) - mean) * (a.all.X(i, j) - mean) / double(n);
        BOOST_TEST(std::abs(mean) < 1e-12);
        BOOST_TEST(std::abs(var - 1) < 1e-12);
    }
}

BOOST_AUTO_TEST_CASE(bad_configurations_are_config_errors_naming_the_problem) {
    test::TempDir dir("fact_test_tabular");
    write_uci(dir.path / "uci", "alpha", make_fixture(23, 13));
    const auto error = [&](const std::function<void(fact::TabularConfig&)>& change) {
        fact::TabularConfig c = config_for(dir.path / "uci", dir.path / "out");
        change(c);
        return test::message_of<nn::ConfigError>([&] { fact::run_tabular(c); });
    };
    BOOST_TEST(contains(error([](auto& c) { c.uci_root.clear(); }), "exactly one source"));
    BOOST_TEST(contains(error([](auto& c) { c.data = {"iris"}; }), "exactly one source"));
    BOOST_TEST(contains(error([](auto& c) { c.datasets = {"nope"}; }), "no dataset folder 'nope'"));
    BOOST_TEST(contains(error([](auto& c) { c.out.clear(); }), "--out"));
    BOOST_TEST(contains(error([](auto& c) { c.methods = {TabularMethod::nfa, TabularMethod::nfa}; }), "twice"));
    BOOST_TEST(contains(error([](auto& c) {
                            c.uci_root.clear();
                            c.data = {"iris"};
                            c.datasets = {"alpha"};
                        }),
                        "--datasets"));
    BOOST_TEST(contains(test::message_of<nn::ConfigError>([] { fact::parse_tabular_method("rfm"); }), "'rfm'"));
    BOOST_TEST(!fs::exists(dir.path / "out"));   // nothing written by a rejected configuration
}
