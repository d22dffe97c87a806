// placeholder: fact tau
#include "cli/commands.hpp"

namespace cli {

void add_tau_command(CLI::App&, Commands&) {}

}  // namespace cli
