// placeholder: fact rfm
#include "cli/commands.hpp"

namespace cli {

void add_rfm_command(CLI::App&, Commands&) {}

}  // namespace cli
