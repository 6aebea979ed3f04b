#include "common/plot.hpp"
