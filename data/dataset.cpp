// Dataset construction and its consistency check.
#include "data/dataset.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "data/error.hpp"
#include "data/transforms.hpp"

namespace data {

namespace {

std::mutex budget_mutex;
std::optional<MemoryBudget> fixed_budget;  // guarded by budget_mutex
std::string memory_hint;                   // guarded by budget_mutex

// MemAvailable of /proc/meminfo in bytes; nullopt where there is no such file or line.
std::optional<std::uint64_t> mem_available() {
    std::FILE* f = std::fopen("/proc/meminfo", "r");
    if (!f) return std::nullopt;
    char line[256];
    std::optional<std::uint64_t> out;
    while (std::fgets(line, sizeof line, f)) {
        unsigned long long kib = 0;
        if (std::sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
            out = std::uint64_t(kib) * 1024;
            break;
        }
    }
    std::fclose(f);
    return out;
}

}  // namespace

void set_memory_budget(std::uint64_t bytes, std::string source) {
    std::lock_guard<std::mutex> lock(budget_mutex);
    fixed_budget = MemoryBudget{bytes, std::move(source)};
}

void reset_memory_budget() {
    std::lock_guard<std::mutex> lock(budget_mutex);
    fixed_budget.reset();
}

MemoryBudget memory_budget() {
    {
        std::lock_guard<std::mutex> lock(budget_mutex);
        if (fixed_budget) return *fixed_budget;
    }
    if (const auto m = mem_available()) return {*m, "MemAvailable in /proc/meminfo"};
#if defined(_SC_AVPHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = ::sysconf(_SC_AVPHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) return {std::uint64_t(pages) * std::uint64_t(page), "available physical pages"};
#endif
    return {std::numeric_limits<std::uint64_t>::max(), "no limit known"};
}

std::string format_bytes(double bytes) {
    if (bytes < 1024) return fmt::format("{:.0f} bytes", bytes);
    const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    bytes /= 1024;
    while (bytes >= 1024 && u < 5) bytes /= 1024, ++u;
    return fmt::format("{:.1f} {}", bytes, units[u]);
}

void set_memory_hint(std::string hint) {
    std::lock_guard<std::mutex> lock(budget_mutex);
    memory_hint = std::move(hint);
}

void check_memory(const std::string& what, double bytes, const std::string& layout) {
    check_memory(what, bytes, layout, "the dataset");
}

void check_memory(const std::string& what, double bytes, const std::string& layout, const std::string& subject) {
    const MemoryBudget b = memory_budget();
    if (bytes <= double(b.bytes)) return;
    std::string hint;
    {
        std::lock_guard<std::mutex> lock(budget_mutex);
        hint = memory_hint.empty() ? "" : "; " + memory_hint;
    }
    throw DataError(fmt::format("{}: {} needs {} ({}) but {} is available ({}{})", what, subject, format_bytes(bytes),
                                layout, format_bytes(double(b.bytes)), b.source, hint));
}

std::vector<std::size_t> Dataset::class_counts() const {
    std::vector<std::size_t> counts(num_classes, 0);
    for (std::size_t y : labels)
        if (y < num_classes) ++counts[y];
    return counts;
}

void Dataset::check() const {
    const std::string who = name.empty() ? "dataset" : name;
    if (Y.shape(0) != X.shape(0))
        throw DataError(fmt::format("{}: X has {} rows but Y has {}", who, X.shape(0), Y.shape(0)));
    if (task == Task::regression) {
        if (!labels.empty() || num_classes != 0)
            throw DataError(fmt::format("{}: a regression dataset has no labels or classes", who));
        return;
    }
    if (labels.size() != X.shape(0))
        throw DataError(fmt::format("{}: {} labels for {} rows", who, labels.size(), X.shape(0)));
    if (Y.shape(1) != num_classes)
        throw DataError(fmt::format("{}: Y has {} columns for {} classes", who, Y.shape(1), num_classes));
    if (!class_names.empty() && class_names.size() != num_classes)
        throw DataError(fmt::format("{}: {} class names for {} classes", who, class_names.size(), num_classes));
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] >= num_classes)
            throw DataError(fmt::format("{}: label {} at row {} is out of range for {} classes", who, labels[i], i,
                                        num_classes));
}

Dataset make_classification(std::string name, Matrix X, std::vector<std::size_t> labels, std::size_t num_classes) {
    if (labels.size() != X.shape(0))
        throw DataError(fmt::format("{}: {} labels for {} rows of features", name, labels.size(), X.shape(0)));
    Dataset d;
    d.name = std::move(name);
    d.task = Task::classification;
    d.Y = one_hot(labels, num_classes);
    d.X = std::move(X);
    d.labels = std::move(labels);
    d.num_classes = num_classes;
    return d;
}

Dataset make_regression(std::string name, Matrix X, Matrix Y) {
    if (Y.shape(0) != X.shape(0))
        throw DataError(fmt::format("{}: {} targets for {} rows of features", name, Y.shape(0), X.shape(0)));
    Dataset d;
    d.name = std::move(name);
    d.task = Task::regression;
    d.X = std::move(X);
    d.Y = std::move(Y);
    return d;
}

}  // namespace data
