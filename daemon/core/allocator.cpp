#include "daemon/core/allocator.hpp"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace avmon {

void tune_allocator() {
    // An operator's own setting wins (e.g. to compare with fastbins on).
    if (const char* tunables = std::getenv("GLIBC_TUNABLES"); tunables && std::strstr(tunables, "mxfast")) return;
    mallopt(M_MXFAST, 0);
}

}  // namespace avmon
