#include "protocols/auth/sasl_plain.h"

#include "storage/mime/base64.h"

namespace mallard::auth {

core::Result<PlainCredentials> decode_sasl_plain(std::string_view base64) {
    if (base64.empty() || base64.size() % 4 != 0) return core::Error(core::Errc::bad_input, "invalid base64");
    storage::mime::Base64Decoder decoder;
    std::string decoded;
    decoder.decode(base64, decoded);
    decoder.finish(decoded);
    if (!decoder.clean() || base64.find_first_of("\r\n") != std::string_view::npos)
        return core::Error(core::Errc::bad_input, "invalid base64");
    std::size_t first = decoded.find('\0');
    std::size_t second = first == std::string::npos ? std::string::npos : decoded.find('\0', first + 1);
    if (second == std::string::npos || decoded.find('\0', second + 1) != std::string::npos)
        return core::Error(core::Errc::bad_input, "malformed PLAIN message");
    std::string authzid = decoded.substr(0, first);
    PlainCredentials credentials{decoded.substr(first + 1, second - first - 1), decoded.substr(second + 1)};
    if (credentials.login.empty() || credentials.password.empty())
        return core::Error(core::Errc::bad_input, "malformed PLAIN message");
    if (!authzid.empty() && authzid != credentials.login)
        return core::Error(core::Errc::permission, "authorization identity not supported");
    return credentials;
}

}  // namespace mallard::auth
