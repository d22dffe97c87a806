// The rules every flag of the `fact` program follows, in one place:
//
//  - every number is checked before it is converted: an integer flag takes decimal digits only (no sign,
//    no spaces, no overflow) inside its range, a float flag a finite decimal number inside its range, and
//    the message names the flag, the text and the range ("--epochs: '-1' is not an integer in
//    1..1000000000"). require_checked_numbers() refuses to start a program with a numeric flag that has no
//    such check, so a new flag cannot forget it;
//  - every command takes --max-memory GIB, the budget that data, model and kernel-system estimates are
//    checked against before anything is allocated (default: MemAvailable of /proc/meminfo);
//  - a mistyped command gets "unknown command 'trian'; did you mean 'train'?".
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "data/spec.hpp"

namespace cli {

/// The largest count any flag takes (epochs, iterations, samples): far beyond any run, small enough that
/// products of counts stay exact in a double.
inline constexpr std::uint64_t max_count = 1000000000;
inline constexpr double unbounded = std::numeric_limits<double>::infinity();

/// Check of an integer flag: digits only, no overflow, in min..max (max = UINT64_MAX: "≥ min").
CLI::Validator integer(std::uint64_t min, std::uint64_t max);
/// Check of a float flag: a finite decimal number in `range` (data::parse_real's rule); `unbounded` as max
/// prints as "≥ min" or "> min".
CLI::Validator real(data::RealRange range);
/// The range of fractions, [0, 1).
inline data::RealRange fraction() { return {0.0, 1.0, false, true}; }
/// A finite number > 0.
inline data::RealRange positive() { return {0.0, unbounded, true, false}; }
/// A finite number ≥ 0.
inline data::RealRange non_negative() { return {0.0, unbounded, false, false}; }
/// The exponent s of AGOP^s: in (0, 2]. Larger powers underflow: the AGOP's eigenvalues are far below 1,
/// and AGOP^100 is exactly 0, which turns the kernel constant and the accuracy into chance.
inline data::RealRange agop_power() { return {0.0, 2.0, true, false}; }

/// --threads N (0: all cores) with its check.
CLI::Option* add_threads(CLI::App* cmd, int& threads);
/// --seed N (any 64-bit unsigned integer) with its check.
CLI::Option* add_seed(CLI::App* cmd, std::uint64_t& seed, const std::string& help);

/// --max-memory GIB: the budget of every memory estimate (data, model, kernel system). apply_max_memory()
/// installs it (data::set_memory_budget) when it was given; without it the budget is MemAvailable.
struct MaxMemory {
    double gib = 0;                 ///< the flag's value
    CLI::Option* option = nullptr;  ///< to know whether it was given
};
/// Adds --max-memory to cmd; `help` replaces the default description.
void add_max_memory(CLI::App* cmd, MaxMemory& m, const std::string& help = "");
/// Installs the budget if --max-memory was given.
void apply_max_memory(const MaxMemory& m);

/// `--resume OUT` takes every setting from the interrupted run: any other flag of cmd but --resume, --threads
/// and --max-memory would be ignored, so it is refused. \throws nn::ConfigError naming the flag.
void refuse_with_resume(const CLI::App& cmd);

/// Adds `--out DIR` (not required: --resume replaces it) and `--resume OUT` to a command whose runs keep
/// checkpoints while they work; `kept` says what the help of --resume says is kept ("after every iteration").
void add_out_and_resume(CLI::App* cmd, std::string& out, std::string& resume, const std::string& kept);

/// How a command of add_out_and_resume starts.
enum class Start {
    fresh,        ///< --out given
    resume,       ///< --resume given (and no other flag: refuse_with_resume)
    usage_error,  ///< neither: the error is printed on stderr; exit 2
};
/// Start of cmd from its --resume and --out. \throws nn::ConfigError as refuse_with_resume.
Start start_of(const CLI::App& cmd, const std::string& out, const std::string& resume);

/// \throws std::logic_error naming the first integer or float option of app (or of its subcommands) that
/// has no integer() or real() check: a programming error, found by any run of the program and the tests.
void require_checked_numbers(const CLI::App& app);

/// "unknown command 'trian'; did you mean 'train'?" when argv names no subcommand where one is required
/// (also below `experiment`); nullopt when the command words are fine.
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv);

}  // namespace cli
