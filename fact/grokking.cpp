// placeholder
#include "fact/grokking.hpp"
