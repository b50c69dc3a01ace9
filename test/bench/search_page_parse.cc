// Throughput of the engine's search-page parser (gh::GitHubJson::search_page, simdjson
// On-Demand), on pages saved from the simulator by `npm run bench`
// (test/bench/sections/parse.js), so JSON.parse can be timed on the very same bytes.
//
//   gh_ingest_parse_bench PAGES_FILE [MIN_SECONDS]
//
// PAGES_FILE holds pages as "<byte length>\n<bytes>" one after the other. The pages are
// parsed in turn, into full gh::Repository values as the engine does, until
// MIN_SECONDS (default 1) have passed; prints one JSON line
// {"pages","bytes","rounds","items","seconds","mb_per_s"} (MB = 10^6 bytes).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/github_json.h"

namespace {

bool read_pages(const char* path, std::vector<simdjson::padded_string>& pages) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string header;
  while (std::getline(in, header)) {
    if (header.empty()) continue;
    const std::size_t length = std::stoul(header);
    std::string bytes(length, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(length))) return false;
    pages.emplace_back(bytes);
  }
  return !pages.empty();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PAGES_FILE [MIN_SECONDS]\n", argv[0]);
    return 2;
  }
  std::vector<simdjson::padded_string> pages;
  if (!read_pages(argv[1], pages)) {
    std::fprintf(stderr, "cannot read search pages from %s\n", argv[1]);
    return 1;
  }
  const double min_seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  std::size_t bytes_per_round = 0;
  for (const auto& page : pages) bytes_per_round += page.size();

  gh::GitHubJson json;
  gh::SearchPage out;
  // One round unmeasured: warms the caches and checks every page parses.
  for (const auto& page : pages) {
    gh::JsonStatus status = json.search_page(page, out);
    if (!status.ok()) {
      std::fprintf(stderr, "a saved page does not parse: %s\n", status.error.c_str());
      return 1;
    }
  }

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::size_t rounds = 0;
  std::size_t items = 0;
  double seconds = 0;
  do {
    for (const auto& page : pages) {
      if (!json.search_page(page, out).ok()) return 1;
      items += out.items.size();
    }
    ++rounds;
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } while (seconds < min_seconds);

  const double total_bytes = static_cast<double>(bytes_per_round) * static_cast<double>(rounds);
  std::printf("{\"pages\":%zu,\"bytes\":%zu,\"rounds\":%zu,\"items\":%zu,\"seconds\":%.6f,\"mb_per_s\":%.1f}\n",
              pages.size(), bytes_per_round, rounds, items, seconds, total_bytes / seconds / 1e6);
  return 0;
}
