// Versions of the addon and of the libraries it was built with, for `--version` and
// bug reports.
#ifndef GH_INGEST_CORE_VERSIONS_H_
#define GH_INGEST_CORE_VERSIONS_H_

#include <string>

namespace gh {

struct Versions {
  std::string addon;                    // package.json's version, compiled in
  std::string libcurl;                  // the libcurl loaded at run time
  std::string ssl;                      // libcurl's TLS backend, e.g. "OpenSSL/3.0.15"
  std::string simdjson;                 // the simdjson headers compiled against
  std::string simdjson_implementation;  // the kernel simdjson picked for this CPU
};

Versions library_versions();

}  // namespace gh

#endif  // GH_INGEST_CORE_VERSIONS_H_
