// placeholder
#include "fact/parity.hpp"
