#include "core/versions.h"

#include <curl/curl.h>
#include <simdjson.h>

namespace gh {

Versions library_versions() {
  Versions v;
  v.addon = GH_INGEST_VERSION;
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  v.libcurl = curl && curl->version ? curl->version : "unknown";
  v.ssl = curl && curl->ssl_version ? curl->ssl_version : "none";
  v.simdjson = std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." +
               std::to_string(simdjson::SIMDJSON_VERSION_MINOR) + "." +
               std::to_string(simdjson::SIMDJSON_VERSION_REVISION);
  v.simdjson_implementation = simdjson::get_active_implementation()->name();
  return v;
}

}  // namespace gh
