// placeholder
#include "fact/tabular.hpp"
