// E3 on the UCI collection, the protocol: see tabular.hpp. Selection and scoring are two short functions
// over run_rfm / fit_krr; summary.csv and the run itself are in tabular_run.cpp.
#include "fact/tabular.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data/error.hpp"
#include "data/files.hpp"
#include "data/random.hpp"
#include "data/spec.hpp"
#include "data/transforms.hpp"
#include "nn/error.hpp"
#include "nn/progress.hpp"

namespace fact {

namespace fs = std::filesystem;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TabularMethod parse_tabular_method(const std::string& name) {
    if (name == "laplace") return TabularMethod::laplace;
    if (name == "nfa") return TabularMethod::nfa;
    if (name == "fact") return TabularMethod::fact;
    if (name == "fact-geo") return TabularMethod::fact_geo;
    throw nn::ConfigError(fmt::format("tabular: unknown method '{}'; expected laplace, nfa, fact or fact-geo", name));
}

std::string to_string(TabularMethod m) {
    switch (m) {
        case TabularMethod::laplace: return "laplace";
        case TabularMethod::nfa: return "nfa";
        case TabularMethod::fact: return "fact";
        case TabularMethod::fact_geo: return "fact-geo";
    }
    return "?";
}

double paper_accuracy(TabularMethod m) {
    switch (m) {
        case TabularMethod::laplace: return 83.71;
        case TabularMethod::nfa: return 85.10;
        case TabularMethod::fact: return 85.22;
        case TabularMethod::fact_geo: return 84.99;
    }
    return kNaN;
}

const char* paper_name(TabularMethod m) {
    switch (m) {
        case TabularMethod::laplace: return "Laplace kernel (no feature learning)";
        case TabularMethod::nfa: return "NFA-RFM";
        case TabularMethod::fact: return "FACT-RFM";
        case TabularMethod::fact_geo: return "FACT-RFM geo";
    }
    return "?";
}

RfmUpdate update_of(TabularMethod m) {
    if (m == TabularMethod::fact) return RfmUpdate::fact;
    if (m == TabularMethod::fact_geo) return RfmUpdate::fact_geo;
    return RfmUpdate::nfa;   // laplace runs no update at all
}

namespace {

RfmConfig rfm_config(const TabularConfig& c, TabularMethod m, double ridge) {
    RfmConfig r;
    r.kernel = c.kernel;
    r.ridge = ridge;
    r.iters = m == TabularMethod::laplace ? 0 : c.iters;   // laplace: M = I, no update
    r.update = update_of(m);
    r.power = c.nfa_power;
    r.center = c.center;
    r.dtype = c.dtype;
    r.quiet = true;
    return r;
}

// Both parts with x ← x/‖x‖ on every row when `on`.
data::Split row_normalised(data::Split s, bool on) {
    if (on) {
        data::normalize_rows(s.train.X);
        data::normalize_rows(s.test.X);
    }
    return s;
}

}  // namespace

TabularChoice select_hyperparameters(const TabularConfig& c, TabularMethod method, const data::UciDataset& uci) {
    if (uci.train.empty() || uci.validation.empty())
        throw data::DataError(fmt::format("{}: {} training and {} validation rows; expected both parts non-empty",
                                          uci.name, uci.train.size(), uci.validation.size()));
    const data::Split base = uci.validation_split();   // (train, validation)
    TabularChoice best;
    bool have = false;
    for (double ridge : c.ridges) {
        for (bool row_norm : {false, true}) {
            const data::Split s = row_normalised(base, row_norm);
            const RfmResult r = run_rfm(rfm_config(c, method, ridge), RfmData{&s.train, nullptr, &s.test});
            for (const RfmIteration& h : r.history) best.fallbacks += h.solve_note.empty() ? 0 : 1;
            if (!r.stopped.empty() && best.stopped.empty())
                best.stopped = fmt::format("μ = {:g}, row norm {}: {}", ridge, row_norm ? "on" : "off", r.stopped);
            // run_rfm already kept the earliest of tied iterations; across the grid only a strictly better
            // accuracy replaces the current choice, so ties go to the earlier grid point.
            const double acc = r.history[r.best_iter].val_acc;
            if (!have || acc > best.val_acc) {
                have = true;
                best.ridge = ridge;
                best.row_norm = row_norm;
                best.best_iter = r.best_iter;
                best.val_acc = acc;
                best.M = r.best_M;
            }
        }
    }
    if (!have) throw nn::ConfigError("tabular: no ridge to search; expected at least one");
    return best;
}

std::array<double, 4> fold_accuracies(const TabularConfig& c, const data::UciDataset& uci, const TabularChoice& choice,
                                      std::size_t* fallbacks) {
    std::array<double, 4> acc{};
    for (std::size_t i = 0; i < acc.size(); ++i) {
        const data::Split f = row_normalised(uci.fold(i), choice.row_norm);
        const KrrFit fit = fit_krr(c.kernel, f.train.X, f.train.Y, choice.M, choice.ridge, c.dtype);
        if (fallbacks && !fit.solve.note.empty()) ++*fallbacks;
        acc[i] = argmax_accuracy(krr_predict(c.kernel, f.test.X, f.train.X, fit.alpha, choice.M, c.dtype), f.test.Y);
    }
    return acc;
}

data::UciDataset shipped_as_uci(const std::string& spec, std::uint64_t seed) {
    data::Split s = data::load_spec(spec, seed);
    data::Dataset all = std::move(s.train);
    if (all.task != data::Task::classification || all.num_classes < 2)
        throw nn::ConfigError(fmt::format("tabular: dataset '{}' is not a classification task with at least 2 "
                                          "classes", spec));
    if (s.test.n() > 0) {   // the source's own test part joins the rows, as the protocol ignores UCI test files
        data::Matrix X = data::Matrix::from_shape({all.n() + s.test.n(), all.d()});
        std::copy(all.X.begin(), all.X.end(), X.begin());
        std::copy(s.test.X.begin(), s.test.X.end(), X.begin() + static_cast<std::ptrdiff_t>(all.X.size()));
        std::vector<std::size_t> labels = all.labels;
        labels.insert(labels.end(), s.test.labels.begin(), s.test.labels.end());
        all = data::make_classification(spec, std::move(X), std::move(labels), all.num_classes);
    }
    const std::size_t n = all.n();
    if (n < 8) throw nn::ConfigError(fmt::format("tabular: dataset '{}' has {} rows; expected at least 8", spec, n));
    data::Standardizer::fit(all.X).apply(all.X);
    all.name = spec;

    data::UciDataset u;
    u.name = spec;
    u.all = std::move(all);
    data::Rng rng(seed);
    const std::vector<std::size_t> split = rng.permutation(n);
    u.train.assign(split.begin(), split.begin() + static_cast<std::ptrdiff_t>((n + 1) / 2));
    u.validation.assign(split.begin() + static_cast<std::ptrdiff_t>((n + 1) / 2), split.end());
    const std::vector<std::size_t> order = rng.permutation(n);
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t lo = i * n / 4, hi = (i + 1) * n / 4;
        for (std::size_t r = 0; r < n; ++r)
            (r >= lo && r < hi ? u.folds[i].second : u.folds[i].first).push_back(order[r]);
    }
    return u;
}

std::size_t largest_training_part(const data::UciDataset& uci) {
    std::size_t n = uci.train.size();
    for (const auto& f : uci.folds) n = std::max(n, f.first.size());
    return n;
}

double protocol_memory_bytes(std::size_t n, std::size_t d, std::size_t c, Dtype dtype) {
    return kernel_system_bytes(n, d, c, dtype);
}

double default_memory_limit() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? 0.5 * double(pages) * double(page) : 8.0 * 1024 * 1024 * 1024;
}

}  // namespace fact
