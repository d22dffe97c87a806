// placeholder: fact parity
#include "cli/commands.hpp"

namespace cli {

void add_parity_command(CLI::App&, Commands&) {}

}  // namespace cli
