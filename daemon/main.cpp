#include "daemon/core/log.hpp"

int main() { return 0; }
