// placeholder: fact tabular
#include "cli/commands.hpp"

namespace cli {

void add_tabular_command(CLI::App&, Commands&) {}

}  // namespace cli
