// The kernel-machine commands of the `fact` program, one file each. A command registers its subcommand
// and flags, and the function that runs it once parsed; main() runs the one the user chose and turns any
// exception into one line on stderr.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fact/kernel/rfm.hpp"

namespace cli {

struct Command {
    CLI::App* app;                 // the parsed subcommand
    std::function<int()> run;      // returns the exit status
};
using Commands = std::vector<Command>;

/// "a,b,c" -> {"a", "b", "c"}; an empty item or list is an nn::ConfigError naming the flag.
std::vector<std::string> split_list(const std::string& flag, const std::string& text);
/// What a list of sizes may hold: integers in [min, max]; `item` names one in messages, `example` is a valid
/// list shown in them.
struct SizeList {
    std::size_t min = 0, max = 999'999'999'999;
    std::string item = "integer";
    std::string example = "1,2,3";
};
/// "7,15,25,29" -> {7, 15, 25, 29} (every list of integers the commands take: --hidden, --support, --sweep);
/// nn::ConfigError naming the flag for an empty list or item, or an item not in [what.min, what.max].
std::vector<std::size_t> parse_sizes(const std::string& flag, const std::string& text, const SizeList& what);
/// "nfa,fact" -> the updates; ad::ValueError for an unknown one, nn::ConfigError for one given twice.
std::vector<fact::RfmUpdate> parse_updates(const std::string& flag, const std::string& text);

/// --dtype f64|f32 (default f64): the type the kernel systems and gradient passes compute in.
CLI::Option* add_kernel_dtype(CLI::App* cmd, fact::Dtype& dtype);

void add_rfm_command(CLI::App& app, Commands& out);               // fact rfm             (rfm.cpp)
void add_grokking_command(CLI::App& experiment, Commands& out);    // fact experiment grokking (grokking.cpp)
void add_parity_command(CLI::App& experiment, Commands& out);     // fact experiment parity   (parity.cpp)
void add_tabular_command(CLI::App& experiment, Commands& out);    // fact experiment tabular  (tabular.cpp)
void add_tau_command(CLI::App& experiment, Commands& out);        // fact experiment tau      (tau.cpp)

}  // namespace cli
