#include "common/progress.hpp"
