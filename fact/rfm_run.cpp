// placeholder
#include "fact/rfm_run.hpp"
