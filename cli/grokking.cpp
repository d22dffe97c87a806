// placeholder: fact grokking
#include "cli/commands.hpp"

namespace cli {

void add_grokking_command(CLI::App&, Commands&) {}

}  // namespace cli
