// E3 on the UCI collection, the run: see tabular.hpp. Bookkeeping that lets a run of hours survive an
// interruption: one summary.csv row per (dataset, method), rewritten atomically after each, and a resume
// that skips them.
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

#include "data/csv.hpp"
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

// ---- summary.csv ----------------------------------------------------------------------------------------

namespace {

std::string number(double v, const char* format) { return std::isnan(v) ? "" : fmt::format(fmt::runtime(format), v); }
std::string count(std::size_t v) { return v == 0 ? "" : std::to_string(v); }
std::string flag(int v) { return v < 0 ? "" : std::to_string(v); }

}  // namespace

std::string summary_header() {
    return "dataset,n,d,classes,method,ridge,row_norm,best_iter,val_acc,fold_acc,fold1,fold2,fold3,fold4,seconds,"
           "status";
}

std::string summary_line(const TabularRow& r) {
    std::string s = fmt::format("{},{},{},{},{},{},{},{},{},{}", data::csv_quote(r.dataset), count(r.n), count(r.d),
                                count(r.classes), data::csv_quote(r.method), number(r.ridge, "{:g}"), flag(r.row_norm),
                                flag(r.best_iter), number(r.val_acc, "{:.6f}"), number(r.fold_acc, "{:.6f}"));
    for (double f : r.folds) s += "," + number(f, "{:.6f}");
    return s + "," + number(r.seconds, "{:.2f}") + "," + data::csv_quote(r.status);
}

TabularRow parse_summary_line(const std::string& line, std::size_t line_number) {
    const std::vector<std::string> f = data::csv_fields(line);
    const auto bad = [&](const std::string& why) {
        return nn::ConfigError(fmt::format("summary.csv:{}: {}; expected a row written by `fact experiment tabular` "
                                           "({})", line_number, why, summary_header()));
    };
    if (f.size() != 16) throw bad(fmt::format("{} fields", f.size()));
    const auto real = [&](const std::string& s) {
        if (s.empty()) return kNaN;
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size()) throw bad(fmt::format("'{}' is not a number", s));
        return v;
    };
    const auto integer = [&](const std::string& s, double none) {
        const double v = s.empty() ? none : real(s);
        if (v != std::floor(v) || v < none) throw bad(fmt::format("'{}' is not a count", s));
        return v;
    };
    TabularRow r;
    r.dataset = f[0];
    r.n = std::size_t(integer(f[1], 0));
    r.d = std::size_t(integer(f[2], 0));
    r.classes = std::size_t(integer(f[3], 0));
    r.method = f[4];
    r.ridge = real(f[5]);
    r.row_norm = int(integer(f[6], -1));
    r.best_iter = int(integer(f[7], -1));
    r.val_acc = real(f[8]);
    r.fold_acc = real(f[9]);
    for (std::size_t i = 0; i < 4; ++i) r.folds[i] = real(f[10 + i]);
    r.seconds = real(f[14]);
    r.status = f[15];
    return r;
}

std::string tabular_table(const std::vector<TabularRow>& rows, const std::vector<TabularMethod>& methods,
                          Dtype dtype) {
    std::map<std::string, std::map<std::string, const TabularRow*>> by_dataset;   // dataset -> method -> row
    for (const TabularRow& r : rows) by_dataset[r.dataset][r.method] = &r;
    std::vector<std::string> complete;
    std::set<std::string> skipped, failed;
    for (const auto& [name, per_method] : by_dataset) {
        bool all = true;
        for (TabularMethod m : methods) {
            const auto it = per_method.find(to_string(m));
            all = all && it != per_method.end() && it->second->ok();
            if (it == per_method.end()) continue;
            if (it->second->status.rfind("skipped", 0) == 0) skipped.insert(name);
            if (it->second->status.rfind("error", 0) == 0) failed.insert(name);
        }
        if (all) complete.push_back(name);
    }
    std::string t = fmt::format(
        "E3 (docs/MATH.md §6): Laplace kernel L = 10{}; ridge × row normalisation × iteration 0..4 chosen on the "
        "validation split, then the mean accuracy over the 4 given folds with M fixed.\n"
        "Mean over the {} datasets finished by every method listed (the paper: 120); {} skipped, {} with errors.\n\n"
        "| method | mean accuracy (%) | paper (%) |\n|---|---:|---:|\n",
        dtype == Dtype::f32 ? ", kernel systems in float32" : "", complete.size(), skipped.size(), failed.size());
    for (TabularMethod m : methods) {
        double sum = 0;
        for (const std::string& name : complete) sum += by_dataset[name][to_string(m)]->fold_acc;
        const std::string mean =
            complete.empty() ? "–" : fmt::format("{:.2f}", 100.0 * sum / double(complete.size()));
        t += fmt::format("| {} ({}) | {} | {:.2f} |\n", paper_name(m), to_string(m), mean, paper_accuracy(m));
    }
    if (!skipped.empty()) t += fmt::format("\nSkipped: {}\n", fmt::join(skipped, ", "));
    if (!failed.empty()) t += fmt::format("\nErrors: {}\n", fmt::join(failed, ", "));
    return t;
}

// ---- the run ----------------------------------------------------------------------------------------------

namespace {

// One dataset of the run: its name, how to load it, and (n, d, c) as far as known beforehand (for sizes and
// the progress estimate; 0 when unknown).
struct Entry {
    std::string name;
    std::string folder;                          // UCI source
    const data::UciDataset* loaded = nullptr;    // --data source
    std::size_t n = 0, d = 0, c = 0;
};

// n_patrons1, n_entradas, n_clases of NAME.txt, without reading the data file; zeros if unreadable.
void peek_description(Entry& e) {
    try {
        const data::UciDescription d = data::read_uci_description((fs::path(e.folder) / (e.name + ".txt")).string());
        e.n = d.rows;
        e.d = d.d;
        e.c = d.classes;
    } catch (const data::DataError&) {
        // left at 0: load_uci reports the problem when the dataset's turn comes
    }
}

// The datasets, before anything is written: a typo fails here, not after hours. `shipped` holds the
// datasets of a --data source (the entries point into it).
std::vector<Entry> collect_entries(const TabularConfig& c, std::vector<data::UciDataset>& shipped) {
    std::vector<Entry> entries;
    if (c.uci_root.empty()) {
        shipped.clear();
        shipped.reserve(c.data.size());
        for (const std::string& spec : c.data) shipped.push_back(shipped_as_uci(spec, c.seed));
        for (const data::UciDataset& u : shipped)
            entries.push_back({u.name, "", &u, u.all.n(), u.all.d(), u.all.num_classes});
        return entries;
    }
    const std::vector<std::string> names = c.datasets.empty() ? data::list_uci(c.uci_root) : c.datasets;
    if (c.datasets.empty())   // folders with a NAME.txt but no data file (miniboone in the shared copy)
        for (const fs::directory_entry& d : fs::directory_iterator(c.uci_root)) {
            const std::string name = d.path().filename().string();
            if (d.is_directory() && fs::exists(d.path() / (name + ".txt")) &&
                std::find(names.begin(), names.end(), name) == names.end())
                std::fprintf(stderr, "tabular: %s: left out, its folder has no data file\n", name.c_str());
        }
    for (const std::string& name : names) {
        Entry e{name, (fs::path(c.uci_root) / name).string()};
        if (!fs::is_directory(e.folder))
            throw nn::ConfigError(fmt::format("experiment tabular: no dataset folder '{}' under {}", name, c.uci_root));
        peek_description(e);
        entries.push_back(e);
    }
    return entries;
}

// Why a dataset whose largest training part has n rows is too large, or "" if it is not.
std::string too_large(const TabularConfig& c, std::size_t n, std::size_t d, std::size_t classes) {
    if (c.max_samples > 0 && n > c.max_samples)
        return fmt::format("largest training part {} rows > --max-samples {}", n, c.max_samples);
    const double limit = c.max_memory_bytes > 0 ? c.max_memory_bytes : default_memory_limit();
    const double need = protocol_memory_bytes(n, d, classes, c.dtype);
    if (need > limit)
        return fmt::format("needs about {:.3g} MiB (kernel matrix of {} rows and workspace) > the limit {:.3g} MiB",
                           need / 1048576.0, n, limit / 1048576.0);
    return "";
}

// Progress weight of one dataset: about the flops of its fits (Cholesky (n/2)³/3 and the kernel and gradient
// passes (n/2)²·d·(c + 2)), in millions.
std::size_t work_units(const Entry& e, std::size_t fits) {
    const double nv = double(e.n) / 2;
    return 1 + std::size_t(double(fits) * (nv * nv * nv / 3 + nv * nv * double(e.d) * double(e.c + 2)) / 1e6);
}

// run.json: the protocol (checked on --resume), the methods, the source and the size limits.
nlohmann::json run_json(const TabularConfig& c) {
    nlohmann::json norm = nlohmann::json::object();
    for (TabularMethod m : {TabularMethod::nfa, TabularMethod::fact, TabularMethod::fact_geo})
        norm[to_string(m)] = to_string(default_normalization(update_of(m)));
    const nlohmann::json protocol = {
        {"kernel", to_string(c.kernel.kind)}, {"bandwidth", c.kernel.bandwidth}, {"ridges", c.ridges},
        {"row_norm", {false, true}}, {"iters", c.iters}, {"nfa_power", c.nfa_power}, {"center", c.center},
        {"normalization", norm}, {"seed", c.seed}, {"dtype", to_string(c.dtype)},
        {"selection", "best validation accuracy over ridge (in the listed order) × row_norm (off, then on) × "
                      "iteration 0..iters (laplace: 0); ties: the first in that order"},
        {"score", "mean over the 4 given folds of the test accuracy of KRR fitted on the fold's train rows with "
                  "the chosen ridge, row_norm and M (the validation run's M at the chosen iteration)"}};
    nlohmann::json run = {{"experiment", "E3 tabular (docs/MATH.md §6)"}, {"protocol", protocol},
                          {"methods", nlohmann::json::array()}, {"max_samples", c.max_samples},
                          {"max_memory_bytes", c.max_memory_bytes > 0 ? c.max_memory_bytes : default_memory_limit()}};
    for (TabularMethod m : c.methods) run["methods"].push_back(to_string(m));
    if (!c.uci_root.empty()) run["source"] = {{"uci", c.uci_root}, {"datasets", c.datasets}};
    else run["source"] = {{"data", c.data}, {"split", "shipped_as_uci: standardised; seeded ⌈n/2⌉ train / rest "
                                                      "validation; 4 seeded folds of n/4 test rows"}};
    return run;
}

// The rows of an earlier summary.csv (none if there is no file).
std::vector<TabularRow> read_summary(const fs::path& path) {
    std::vector<TabularRow> rows;
    if (!fs::exists(path)) return rows;
    const std::string text = data::read_file(path.string());
    std::size_t pos = text.find('\n'), line_number = 1;
    if (text.substr(0, pos) != summary_header())
        throw nn::ConfigError(fmt::format("{}: header differs; expected {}", path.string(), summary_header()));
    while (pos != std::string::npos && pos + 1 < text.size()) {
        const std::size_t end = std::min(text.find('\n', pos + 1), text.size());
        if (end > pos + 1) rows.push_back(parse_summary_line(text.substr(pos + 1, end - pos - 1), ++line_number));
        pos = end < text.size() ? end : std::string::npos;
    }
    return rows;
}

// A resumed run must follow the protocol its finished rows followed.
void check_same_protocol(const fs::path& run_path, const nlohmann::json& run) {
    if (!fs::exists(run_path)) return;
    const nlohmann::json before = nlohmann::json::parse(data::read_file(run_path.string()), nullptr, false);
    const bool readable = before.is_object() && before.contains("protocol");
    nlohmann::json earlier = readable ? before["protocol"] : nlohmann::json();
    // Runs written before --dtype existed computed in float64.
    if (earlier.is_object() && !earlier.contains("dtype")) earlier["dtype"] = "f64";
    if (earlier != run["protocol"]) {
        const std::string was = readable ? before["protocol"].dump() : "unreadable";
        throw nn::ConfigError(fmt::format("experiment tabular: {} was written with another protocol ({}); resume "
                                          "with the same settings or choose a new --out", run_path.string(), was));
    }
}

// Select and score one method on one dataset (a failure throws; the caller records it).
void score_method(const TabularConfig& c, TabularMethod m, const data::UciDataset& uci, TabularRow& row) {
    const TabularChoice choice = select_hyperparameters(c, m, uci);
    std::size_t fallbacks = choice.fallbacks;
    row.folds = fold_accuracies(c, uci, choice, &fallbacks);
    row.ridge = choice.ridge;
    row.row_norm = choice.row_norm ? 1 : 0;
    row.best_iter = int(choice.best_iter);
    row.val_acc = choice.val_acc;
    row.fold_acc = (row.folds[0] + row.folds[1] + row.folds[2] + row.folds[3]) / 4;
    row.status = "ok";
    if (fallbacks > 0) row.status += fmt::format(" ({} solves fell back from Cholesky)", fallbacks);
    if (!choice.stopped.empty()) row.status += fmt::format(" ({})", choice.stopped);
}

void report(nn::Progress& progress, const std::string& text) {
    if (progress.quiet()) std::fprintf(stderr, "%s\n", text.c_str());
    else progress.message(text);
}

}  // namespace

TabularResult run_tabular(const TabularConfig& c) {
    if (c.out.empty()) throw nn::ConfigError("experiment tabular: --out DIR is required");
    if (c.uci_root.empty() == c.data.empty())
        throw nn::ConfigError("experiment tabular: give exactly one source, --uci ROOT or --data NAMES");
    if (!c.datasets.empty() && c.uci_root.empty())
        throw nn::ConfigError("experiment tabular: --datasets selects folders of --uci ROOT; use it with --uci");
    if (c.methods.empty()) throw nn::ConfigError("experiment tabular: --methods is empty; expected e.g. laplace,nfa");
    for (std::size_t i = 0; i < c.methods.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (c.methods[i] == c.methods[j])
                throw nn::ConfigError(
                    fmt::format("experiment tabular: method '{}' given twice", to_string(c.methods[i])));
    std::vector<data::UciDataset> shipped;
    const std::vector<Entry> entries = collect_entries(c, shipped);

    const fs::path out = c.out, summary_path = out / "summary.csv", run_path = out / "run.json";
    if (fs::exists(out) && !fs::is_directory(out))
        throw nn::ConfigError(fmt::format("experiment tabular: --out '{}' is a file; expected a folder", c.out));
    if (fs::exists(out) && !fs::is_empty(out) && !c.resume)
        throw nn::ConfigError(fmt::format("experiment tabular: '{}' already holds files; choose a new --out or add "
                                          "--resume", c.out));
    const nlohmann::json run = run_json(c);
    TabularResult result;
    if (c.resume) {
        check_same_protocol(run_path, run);
        result.rows = read_summary(summary_path);
    }
    fs::create_directories(out);
    data::write_file(run_path.string(), run.dump(2) + "\n");

    const auto find_row = [&](const std::string& dataset, const std::string& method) -> TabularRow* {
        for (TabularRow& r : result.rows)
            if (r.dataset == dataset && r.method == method) return &r;
        return nullptr;
    };
    const auto save = [&](const TabularRow& row) {   // upsert, then rewrite summary.csv atomically
        if (TabularRow* old = find_row(row.dataset, row.method)) *old = row;
        else result.rows.push_back(row);
        std::string text = summary_header() + "\n";
        for (const TabularRow& r : result.rows) text += summary_line(r) + "\n";
        data::write_file(summary_path.string(), text);
    };
    const auto pending = [&](const Entry& e) {       // the methods without a finished row
        std::vector<TabularMethod> p;
        for (TabularMethod m : c.methods) {
            const TabularRow* r = find_row(e.name, to_string(m));
            if (!r || !r->ok()) p.push_back(m);
        }
        return p;
    };

    // Progress in units of estimated work; a dataset predicted to be skipped (fold train ≈ 3n/4) weighs 1.
    std::vector<std::size_t> units(entries.size(), 0);
    std::size_t total_units = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const Entry& e = entries[k];
        std::size_t fits = 0;
        for (TabularMethod m : pending(e))
            fits += 2 * c.ridges.size() * (m == TabularMethod::laplace ? 1 : c.iters + 1);
        const bool skip = !too_large(c, e.n - e.n / 4, e.d, e.c).empty();
        units[k] = fits == 0 ? 0 : skip ? 1 : work_units(e, fits);
        total_units += units[k];
    }

    nn::Progress progress(total_units, c.quiet);
    std::size_t done_units = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const Entry& e = entries[k];
        const std::vector<TabularMethod> todo = pending(e);
        if (todo.empty()) continue;
        const auto new_row = [&](TabularMethod m, std::size_t n, std::size_t d, std::size_t classes) {
            TabularRow row;
            row.dataset = e.name;
            row.method = to_string(m);
            row.n = n, row.d = d, row.classes = classes;
            return row;
        };
        const auto record_all = [&](const std::string& status, std::size_t n, std::size_t d, std::size_t classes) {
            for (TabularMethod m : todo) {
                TabularRow row = new_row(m, n, d, classes);
                row.status = status;
                save(row);
            }
            done_units += units[k];
        };
        data::UciDataset loaded;
        try {
            if (!e.loaded) loaded = data::load_uci(e.folder);
        } catch (const std::exception& ex) {
            report(progress, fmt::format("tabular: {}: error: {}", e.name, ex.what()));
            record_all(fmt::format("error: {}", ex.what()), 0, 0, 0);
            continue;
        }
        const data::UciDataset& uci = e.loaded ? *e.loaded : loaded;
        const std::size_t n = uci.all.n(), d = uci.all.d(), classes = uci.all.num_classes;
        const std::string why = too_large(c, largest_training_part(uci), d, classes);
        if (!why.empty()) {
            report(progress, fmt::format("tabular: skipping {} (n = {}, d = {}): {}", e.name, n, d, why));
            record_all("skipped: " + why, n, d, classes);
            continue;
        }
        progress.update(done_units, fmt::format("dataset {} of {} {} ({}, {})", k + 1, entries.size(), e.name, n, d),
                        true);
        std::string line = fmt::format("{}:", e.name);
        for (TabularMethod m : todo) {
            const auto start = std::chrono::steady_clock::now();
            TabularRow row = new_row(m, n, d, classes);
            try {
                score_method(c, m, uci, row);
                line += fmt::format("  {} {:.4f}", row.method, row.fold_acc);
            } catch (const std::exception& ex) {
                report(progress, fmt::format("tabular: {} ({}): error: {}", e.name, row.method, ex.what()));
                row.status = fmt::format("error: {}", ex.what());
                line += fmt::format("  {} error", row.method);
            }
            row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            save(row);
            ++result.computed;
        }
        done_units += units[k];
        progress.update(done_units, line, true);
        data::write_file((out / "table.md").string(), tabular_table(result.rows, c.methods, c.dtype));
    }
    result.table = tabular_table(result.rows, c.methods, c.dtype);
    data::write_file((out / "table.md").string(), result.table);
    progress.finish(fmt::format("tabular: {} (dataset, method) rows computed in {:.0f}s", result.computed,
                                progress.elapsed()));
    return result;
}

}  // namespace fact
