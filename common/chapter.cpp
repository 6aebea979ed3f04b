#include "common/chapter.hpp"
