// One include for Catch2 v2 (Debian's 2.13) and v3 (vcpkg).
#ifndef GH_INGEST_TEST_CATCH_H_
#define GH_INGEST_TEST_CATCH_H_

#if GH_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#endif  // GH_INGEST_TEST_CATCH_H_
