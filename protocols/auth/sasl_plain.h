// SASL PLAIN (RFC 4616), shared by IMAP AUTHENTICATE and POP3 AUTH: "authzid NUL authcid NUL passwd",
// base64-encoded. Only an empty authzid or one equal to authcid is accepted: no proxy authorisation.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace mallard::auth {

struct PlainCredentials {
    std::string login;
    std::string password;
};

// bad_input for malformed base64 or a malformed message; permission for a different authorisation identity.
core::Result<PlainCredentials> decode_sasl_plain(std::string_view base64);

}  // namespace mallard::auth
