#include "common/data.hpp"
