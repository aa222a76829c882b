// Runs the openssl command line; the folder is the test's own temporary one.
#include "tests/integration/harness/certificates.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace settle::integration {
namespace {

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) {
    throw std::runtime_error("openssl failed: " + command);
  }
}

}  // namespace

certificate_files make_certificate_authority(const std::string& directory, const std::string& name) {
  certificate_files files{directory + "/" + name + ".pem", directory + "/" + name + ".key"};
  run("openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -keyout " + files.key +
      " -out " + files.certificate + " -subj '/CN=" + name +
      "' -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'");
  return files;
}

certificate_files make_signed_certificate(const std::string& directory, const certificate_files& authority,
                                          const std::string& name) {
  const auto base = directory + "/" + name;
  certificate_files files{base + ".pem", base + ".key"};
  run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + files.key + " -out " +
      base + ".csr -subj '/CN=" + name + "'");
  std::ofstream extensions(base + ".ext");
  extensions << "basicConstraints=CA:FALSE\n"
             << "keyUsage=critical,digitalSignature,keyEncipherment\n"
             << "extendedKeyUsage=serverAuth,clientAuth\n"
             << "subjectAltName=DNS:" << name << ",IP:127.0.0.1\n";
  extensions.close();
  run("openssl x509 -req -in " + base + ".csr -CA " + authority.certificate + " -CAkey " + authority.key +
      " -CAcreateserial -days 30 -sha256 -extfile " + base + ".ext -out " + files.certificate);
  return files;
}

}  // namespace settle::integration
