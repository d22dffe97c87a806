// The rules every flag of the `fact` program follows: see flags.hpp.
#include "cli/flags.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "data/dataset.hpp"
#include "data/error.hpp"
#include "nn/error.hpp"

namespace cli {

namespace {

// The name require_checked_numbers looks for.
const std::string checked = "checked-number";

std::string format_real(double v) { return fmt::format("{:g}", v); }

std::string describe(const data::RealRange& r) {
    if (r.max == unbounded) return fmt::format("{} {}", r.min_open ? ">" : "≥", format_real(r.min));
    return fmt::format("{}{}, {}{}", r.min_open ? "(" : "[", format_real(r.min), format_real(r.max),
                       r.max_open ? ")" : "]");
}

std::string describe(std::uint64_t min, std::uint64_t max) {
    if (max == std::numeric_limits<std::uint64_t>::max()) return fmt::format("≥ {}", min);
    return fmt::format("{}..{}", min, max);
}

// Digits only, checked against overflow at each digit.
std::optional<std::uint64_t> parse_unsigned(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    std::uint64_t v = 0;
    for (char ch : text) {
        const auto digit = static_cast<std::uint64_t>(ch - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
        v = v * 10 + digit;
    }
    return v;
}

// Edit distance, for "did you mean".
std::size_t distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

CLI::Validator integer(std::uint64_t min, std::uint64_t max) {
    const std::string range = describe(min, max);
    return CLI::Validator(
        [min, max, range](std::string& text) -> std::string {
            const std::optional<std::uint64_t> v = parse_unsigned(text);
            if (v && *v >= min && *v <= max) return {};
            return fmt::format("'{}' is not an integer {}{}", data::printable(text),
                               range.rfind("≥", 0) == 0 ? "" : "in ", range);
        },
        range, checked);
}

CLI::Validator real(data::RealRange r) {
    const std::string range = describe(r);
    return CLI::Validator(
        [r, range](std::string& text) -> std::string {
            try {
                data::parse_real(text, "", r);
                return {};
            } catch (const std::exception&) {
                return fmt::format("'{}' is not a finite number {}{}", data::printable(text),
                                   range[0] == '(' || range[0] == '[' ? "in " : "", range);
            }
        },
        range, checked);
}

CLI::Option* add_threads(CLI::App* cmd, int& threads) {
    return cmd->add_option("--threads", threads, "threads (0: all cores); results do not depend on it")
        ->check(integer(0, 4096));
}

CLI::Option* add_seed(CLI::App* cmd, std::uint64_t& seed, const std::string& help) {
    return cmd->add_option("--seed", seed, help)
        ->check(integer(0, std::numeric_limits<std::uint64_t>::max()))
        ->capture_default_str();
}

void add_max_memory(CLI::App* cmd, MaxMemory& m, const std::string& help) {
    m.option = cmd->add_option("--max-memory", m.gib,
                               help.empty() ? "GiB that data, model and kernel system may take (default: MemAvailable "
                                              "of /proc/meminfo); checked before anything is allocated"
                                            : help)
                   ->check(real(positive()));
}

void apply_max_memory(const MaxMemory& m) {
    if (m.option != nullptr && m.option->count() > 0) {
        data::set_memory_budget(static_cast<std::uint64_t>(m.gib * 1073741824.0), "--max-memory");
        data::set_memory_hint("");   // "--max-memory GIB overrides" would repeat the flag just given
    }
}

void refuse_with_resume(const CLI::App& cmd) {
    for (const CLI::Option* opt : cmd.get_options()) {
        const std::string name = opt->get_name();
        if (opt->count() > 0 && name != "--resume" && name != "--threads" && name != "--max-memory")
            throw nn::ConfigError(name + " cannot be given with --resume, which continues the interrupted run with "
                                         "the settings it was started with");
    }
}

void add_out_and_resume(CLI::App* cmd, std::string& out, std::string& resume, const std::string& kept) {
    cmd->add_option("--out", out, "output directory (must not exist)");
    cmd->add_option("--resume", resume,
                    "finish the interrupted run of OUT from its last checkpoint (" + kept +
                        "), bitwise as if never interrupted, with the flags it was started with");
}

Start start_of(const CLI::App& cmd, const std::string& out, const std::string& resume) {
    if (!resume.empty()) {
        refuse_with_resume(cmd);
        return Start::resume;
    }
    if (!out.empty()) return Start::fresh;
    std::string name = cmd.get_name();   // "experiment grokking"
    for (const CLI::App* p = cmd.get_parent(); p && p->get_parent(); p = p->get_parent()) name = p->get_name() + " " + name;
    std::fprintf(stderr, "fact: error: --out is required (or --resume OUT) (see fact %s --help)\n", name.c_str());
    return Start::usage_error;
}

void require_checked_numbers(const CLI::App& app) {
    for (const CLI::Option* opt : app.get_options()) {
        const std::string type = opt->get_type_name();
        const bool numeric = type.rfind("UINT", 0) == 0 || type.rfind("INT", 0) == 0 || type.rfind("FLOAT", 0) == 0;
        if (!numeric) continue;
        try {
            const_cast<CLI::Option*>(opt)->get_validator(checked);
        } catch (const CLI::OptionNotFound&) {
            throw std::logic_error(fmt::format("{} {}: a numeric flag without cli::integer or cli::real",
                                               app.get_name(), opt->get_name()));
        }
    }
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) require_checked_numbers(*sub);
}

std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
    const CLI::App* level = &app;
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty() || word[0] == '-') return std::nullopt;  // flags: CLI11 reports those
        const auto subs = level->get_subcommands([](const CLI::App*) { return true; });
        if (subs.empty()) return std::nullopt;
        const CLI::App* next = nullptr;
        std::string best;
        std::size_t best_distance = 3;  // suggest only close names
        for (const CLI::App* s : subs) {
            if (s->get_name() == word) next = s;
            const std::size_t d = s->get_name().rfind(word, 0) == 0 ? 1 : distance(word, s->get_name());
            if (d < best_distance) best_distance = d, best = s->get_name();
        }
        if (next != nullptr) {
            level = next;
            continue;
        }
        const std::string where = level == &app ? "" : level->get_name() + " ";
        std::string names;
        for (const CLI::App* s : subs) names += (names.empty() ? "" : ", ") + s->get_name();
        return best.empty() ? fmt::format("unknown command '{}{}' (expected one of: {})", where, data::printable(word),
                                          names)
                            : fmt::format("unknown command '{}{}'; did you mean '{}{}'?", where,
                                          data::printable(word), where, best);
    }
    return std::nullopt;
}

}  // namespace cli
