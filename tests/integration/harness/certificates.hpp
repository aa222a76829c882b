// Certificates made by the `openssl` command for the TLS tests: a certificate authority,
// and keys with certificates it signs (EC P-256, for server and client use alike).
#pragma once

#include <string>

namespace settle::integration {

struct certificate_files {
  std::string certificate;
  std::string key;
};

// Makes `<directory>/<name>.pem` and `<name>.key`, a self-signed CA; returns its files.
certificate_files make_certificate_authority(const std::string& directory, const std::string& name);

// Makes `<directory>/<name>.pem` and `<name>.key`, signed by `authority`, for the host
// name `name` and 127.0.0.1. Throws when openssl fails.
certificate_files make_signed_certificate(const std::string& directory, const certificate_files& authority,
                                          const std::string& name);

}  // namespace settle::integration
