#include "common/idx.hpp"
