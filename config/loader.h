// Loads the configuration: the compiled-in defaults (config/default.toml), then an optional override file
// whose keys replace only those they name. Errors name the file, line and key.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"
#include "core/result.h"

namespace mallard::config {

// Parses the defaults and, if given, the override file at `override_path`. On failure the Error's detail
// reads "FILE:LINE: KEY: what is wrong", e.g. "/etc/mallard.toml:12: imap.autologout: must be >= 1800".
core::Result<Config> load(const std::optional<std::string>& override_path);

// Same, with the override given as text (for tests and --check); `name` stands for the file in errors.
core::Result<Config> load_from_string(const std::string& override_text, const std::string& name);

// The compiled-in default configuration text (config/default.toml).
const std::string& default_toml();

}  // namespace mallard::config
