#include "core/versions.h"
#include "catch.h"

TEST_CASE("library versions are reported", "[versions]") {
  const gh::Versions v = gh::library_versions();
  CHECK_FALSE(v.addon.empty());
  CHECK(v.libcurl.find('.') != std::string::npos);
  CHECK(v.simdjson.find('.') != std::string::npos);
  CHECK_FALSE(v.simdjson_implementation.empty());
}
