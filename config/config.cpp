// Helpers over the typed configuration: the port a listener binds.
#include "config/config.h"

#include <algorithm>

namespace mallard::config {

std::uint16_t effective_port(const Config& config, const Listener& listener) {
    // Port 0 asks the kernel for any free port; an offset would turn it into a fixed one.
    if (listener.port == 0) return 0;
    const unsigned sum = unsigned{listener.port} + unsigned{config.server.port_offset};
    return static_cast<std::uint16_t>(std::min(sum, 65535u));
}

}  // namespace mallard::config
