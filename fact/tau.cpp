// placeholder
#include "fact/tau.hpp"
