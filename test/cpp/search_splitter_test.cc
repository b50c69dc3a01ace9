#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "catch.h"
#include "core/date_range.h"
#include "core/search_splitter.h"

using namespace gh;

namespace {

Instant at(const char* text) {
  const auto span = parse_date_span(text);
  REQUIRE(span.has_value());
  return span->from;
}

// Terms of a query, double quotes grouping (as GitHub reads `language:"Objective C"`).
std::vector<std::string> terms_of(const std::string& query) {
  std::vector<std::string> terms;
  std::string current;
  bool quoted = false;
  for (const char c : query) {
    if (c == '"') quoted = !quoted;
    if (c == ' ' && !quoted) {
      if (!current.empty()) terms.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) terms.push_back(current);
  return terms;
}

// A fake GitHub search: repositories' creation times, and a count callback that answers
// a query's total_count by reading the created: range back out of the query text, as
// GitHub would. It also checks that every other term of the query is the user's, in order.
class FakeCorpus {
 public:
  void add(Instant t, int copies = 1) {
    for (int i = 0; i < copies; ++i) created_.push_back(t);
    sorted_ = false;
  }

  std::int64_t count_in(const DateRange& r) {
    sort();
    const auto lo = std::lower_bound(created_.begin(), created_.end(), r.from);
    const auto hi = std::lower_bound(created_.begin(), created_.end(), r.to);
    return hi - lo;
  }

  // user_terms: what the query must contain besides our created: term (and where it goes).
  CountFn counter(std::vector<std::string> user_terms, std::size_t created_at) {
    return [this, user_terms, created_at](const std::string& query) -> std::optional<std::int64_t> {
      ++calls;
      std::vector<std::string> terms = terms_of(query);
      REQUIRE(terms.size() == user_terms.size() + 1);
      const std::string created = terms[created_at];
      REQUIRE(created.rfind("created:", 0) == 0);
      terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(created_at));
      REQUIRE(terms == user_terms);
      const auto range = parse_date_qualifier_value(created.substr(8));
      REQUIRE(range.has_value());
      return count_in(*range);
    };
  }

  const std::vector<Instant>& created() {
    sort();
    return created_;
  }

  int calls = 0;

 private:
  void sort() {
    if (sorted_) return;  // read-only once sorted, so worker threads may count at once
    std::sort(created_.begin(), created_.end());
    sorted_ = true;
  }
  std::vector<Instant> created_;
  bool sorted_ = true;
};

// 2008-01-01 and 2^29 s later (early 2025): every bisection edge down to depth 9 is a
// multiple of 2^20 s from the start, so repositories can be put exactly on edges.
const Instant kLower = Instant{1'199'145'600};
const Instant kUpper = kLower + (std::int64_t{1} << 29);
constexpr std::int64_t kGrid = std::int64_t{1} << 20;

// 50,000 repositories: a uniform background, a two-month-wide cluster, an hour-wide
// burst, 1,500 in one single second, repositories exactly on bisection edges and one
// second before them, and a few outside [kLower, kUpper) that must never be counted.
void fill_corpus(FakeCorpus& corpus) {
  std::mt19937_64 rng(2024);
  std::uniform_int_distribution<std::int64_t> uniform(kLower.epoch_seconds,
                                                      kUpper.epoch_seconds - 1);
  for (int i = 0; i < 30'477; ++i) corpus.add(Instant{uniform(rng)});
  std::normal_distribution<double> cluster(static_cast<double>(at("2015-06-01").epoch_seconds),
                                           30 * 86'400.0);
  for (int i = 0; i < 12'000; ++i) corpus.add(Instant{static_cast<std::int64_t>(cluster(rng))});
  std::uniform_int_distribution<std::int64_t> burst(at("2020-03-01T12:00:00Z").epoch_seconds,
                                                    at("2020-03-01T13:00:00Z").epoch_seconds - 1);
  for (int i = 0; i < 5'000; ++i) corpus.add(Instant{burst(rng)});
  corpus.add(at("2021-01-01T00:00:00Z"), 1'500);
  for (std::int64_t m = 0; m < 512; ++m) corpus.add(kLower + m * kGrid);       // 512 on edges
  for (std::int64_t m = 1; m <= 511; ++m) corpus.add(kLower + m * kGrid - 1);  // 511 just before
  corpus.add(kLower - 1, 5);                                                   // before the range
  corpus.add(kUpper, 5);  // at the exclusive end
}

SplitOptions options_for(Instant lower, Instant upper, std::int64_t cap = 1000) {
  SplitOptions options;
  options.lower = lower;
  options.upper = upper;
  options.cap = cap;
  return options;
}

// The invariants of every finished plan: the ranges tile the bounds exactly, each count
// is the truth and fits the cap (or is a flagged single second), and they sum to the total.
void check_partition(const SplitResult& result, FakeCorpus& corpus, std::int64_t cap) {
  REQUIRE(result.ok());
  const auto& ranges = result.ranges;
  REQUIRE_FALSE(ranges.empty());
  CHECK(ranges.front().range.from == result.bounds.from);
  CHECK(ranges.back().range.to == result.bounds.to);
  std::int64_t sum = 0;
  std::int64_t fetched = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const PlannedRange& r = ranges[i];
    INFO(r.query);
    REQUIRE_FALSE(r.range.empty());
    if (i + 1 < ranges.size())
      REQUIRE(r.range.to == ranges[i + 1].range.from);  // no gap, no overlap
    REQUIRE(r.count == corpus.count_in(r.range));
    if (r.unsplittable) {
      REQUIRE(r.count > cap);
      REQUIRE(r.range.seconds() == 1);
    } else {
      REQUIRE(r.count <= cap);
    }
    REQUIRE(r.fetched == (r.count > 0));
    REQUIRE(r.query.find(r.range.qualifier()) != std::string::npos);
    sum += r.count;
    fetched += r.fetched ? 1 : 0;
  }
  CHECK(sum == corpus.count_in(result.bounds));
  CHECK(sum == result.stats.total_count);
  // Every fetch handed out is a range of the plan, or one split after its first page.
  CHECK(fetched + result.stats.replanned == result.stats.fetch_tasks);
}

}  // namespace

TEST_CASE("a large clustered corpus is split into ranges that tile it exactly", "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  const SplitResult result = split_search("topic:react stars:>10", options_for(kLower, kUpper),
                                          corpus.counter({"topic:react", "stars:>10"}, 2));
  check_partition(result, corpus, 1000);
  CHECK(result.stats.total_count == 50'000);

  SECTION("a repository created exactly on an edge is in exactly one range") {
    for (const Instant t : corpus.created()) {
      if (t < kLower || t >= kUpper) continue;
      const auto in = std::count_if(result.ranges.begin(), result.ranges.end(),
                                    [&](const PlannedRange& r) { return r.range.contains(t); });
      REQUIRE(in == 1);
    }
    // And the edges really were hit: some range starts exactly at a grid instant.
    const auto on_grid =
        std::count_if(result.ranges.begin(), result.ranges.end(), [](const PlannedRange& r) {
          return r.range.from > kLower && (r.range.from - kLower) % kGrid == 0;
        });
    CHECK(on_grid > 0);
  }

  SECTION("the crowded second is flagged unsplittable, not looped on") {
    std::vector<PlannedRange> flagged;
    for (const auto& r : result.ranges) {
      if (r.unsplittable) flagged.push_back(r);
    }
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0].range == DateRange{at("2021-01-01T00:00:00Z"), at("2021-01-01T00:00:01Z")});
    CHECK(flagged[0].count == 1'500);
    CHECK(result.stats.unsplittable == 1);
    CHECK(result.stats.unreachable == 500);
  }

  SECTION("each split costs one count: the upper half is the parent minus the lower") {
    const SplitStats& s = result.stats;
    // The whole query's first page (a probe, replanned) stands for the root's count.
    CHECK(s.replanned == 1);
    CHECK(s.count_requests + s.replanned == corpus.calls);
    CHECK(s.count_requests == s.splits);
    CHECK(s.derived_counts == s.splits);
    CHECK(static_cast<std::int64_t>(result.ranges.size()) == s.splits + 1);
    // Counting both halves would have cost 1 + 2 * splits.
    CHECK(s.count_requests < 2 * s.splits);
    // Close to the least possible: at least ceil(reachable / cap) ranges are needed;
    // bisection of this clustered corpus (and isolating the crowded second, about 29
    // halvings) stays within a small factor of it.
    const std::int64_t least = (50'000 + 999) / 1000;
    CHECK(s.count_requests >= least);
    CHECK(s.count_requests <= 2 * least + 30);
  }
}

TEST_CASE("a query that fits the cap costs one count and is fetched whole", "[split]") {
  FakeCorpus corpus;
  corpus.add(at("2015-01-01T00:00:00Z"), 400);
  corpus.add(at("2019-05-05T05:05:05Z"), 600);
  const SplitResult result = split_search("language:rust", options_for(kLower, kUpper),
                                          corpus.counter({"language:rust"}, 1));
  check_partition(result, corpus, 1000);
  REQUIRE(result.ranges.size() == 1);
  CHECK(corpus.calls == 1);
  CHECK(result.ranges[0].count == 1000);
  CHECK(result.ranges[0].query ==
        "language:rust created:2008-01-01T00:00:00Z.." + format_instant(kUpper - 1));
}

TEST_CASE("the user's qualifiers are kept verbatim and their created: range bounds the plan",
          "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  const std::string head = "topic:react  stars:>10 ";
  const std::string tail = " language:\"Objective C\" -org:github";
  const std::string user = head + "created:2015-01-01..2016-12-31" + tail;
  const SplitResult result = split_search(
      user, options_for(kLower, kUpper),
      corpus.counter({"topic:react", "stars:>10", "language:\"Objective C\"", "-org:github"}, 2));
  CHECK(result.bounds == DateRange{at("2015-01-01"), at("2017-01-01")});
  check_partition(result, corpus, 1000);
  CHECK(result.stats.total_count > 1000);
  for (const auto& r : result.ranges) {
    // Text around the created: term is the user's, byte for byte; one created: only.
    CHECK(r.query == head + r.range.qualifier() + tail);
    CHECK(r.query.find("created:") == r.query.rfind("created:"));
  }
}

TEST_CASE("the user's open-ended created: range is clipped to the planner's bounds", "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  const Instant now = at("2022-09-01T10:20:30Z");
  const SplitResult result = split_search(
      "created:>=2021-06-01 is:public", options_for(kLower, now), corpus.counter({"is:public"}, 0));
  CHECK(result.bounds == DateRange{at("2021-06-01"), now});
  check_partition(result, corpus, 1000);

  // created:<2008 lies wholly before the plan's lower bound: nothing to count or fetch.
  FakeCorpus empty;
  const SplitResult none =
      split_search("x created:<2007-01-01", options_for(kLower, kUpper), empty.counter({"x"}, 1));
  CHECK(none.ok());
  CHECK(none.ranges.empty());
  CHECK(empty.calls == 0);
}

TEST_CASE("several created: qualifiers are intersected into one", "[split]") {
  FakeCorpus corpus;
  corpus.add(at("2019-06-01"), 10);
  const SplitResult result = split_search("created:>2019-01-01 foo created:<2020-01-01",
                                          options_for(kLower, kUpper), corpus.counter({"foo"}, 0));
  REQUIRE(result.ok());
  CHECK(result.bounds == DateRange{at("2019-01-02"), at("2020-01-01")});
  REQUIRE(result.ranges.size() == 1);
  CHECK(result.ranges[0].query == "created:2019-01-02T00:00:00Z..2019-12-31T23:59:59Z foo");
}

TEST_CASE("an unreadable created: qualifier is an error, not a guess", "[split]") {
  FakeCorpus corpus;
  const SplitResult result = split_search("foo created:last-week", options_for(kLower, kUpper),
                                          corpus.counter({"foo"}, 1));
  CHECK_FALSE(result.ok());
  CHECK(result.error.find("created:last-week") != std::string::npos);
  CHECK(corpus.calls == 0);

  // A quoted phrase is not a qualifier.
  FakeCorpus phrase;
  phrase.add(at("2010-01-01"));
  const SplitResult ok = split_search("\"created:soon\"", options_for(kLower, kUpper),
                                      phrase.counter({"\"created:soon\""}, 1));
  CHECK(ok.ok());
}

TEST_CASE("a failing count surfaces as an error and is not retried", "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  for (int fail_at : {1, 3}) {
    int calls = 0;
    const CountFn count = [&](const std::string& query) -> std::optional<std::int64_t> {
      ++calls;
      if (calls == fail_at) return std::nullopt;
      return corpus.count_in(*parse_date_qualifier_value(terms_of(query).back().substr(8)));
    };
    const SplitResult result = split_search("q", options_for(kLower, kUpper), count);
    CHECK_FALSE(result.ok());
    // The first request is the whole query's first page, the next ones counts.
    CHECK(result.error.find(fail_at == 1 ? "search failed" : "count failed") != std::string::npos);
    CHECK(result.error.find("q created:") != std::string::npos);
    CHECK(calls == fail_at);
  }
}

TEST_CASE("a single second over the cap terminates as one unsplittable range", "[split]") {
  for (const Instant crowded : {kLower, kUpper - 1, at("2016-02-29T23:59:59Z")}) {
    FakeCorpus corpus;
    corpus.add(crowded, 5'000);
    const SplitResult result = split_search("", options_for(kLower, kUpper), corpus.counter({}, 0));
    check_partition(result, corpus, 1000);
    std::int64_t flagged = 0;
    for (const auto& r : result.ranges) {
      if (!r.unsplittable) continue;
      ++flagged;
      CHECK(r.range == DateRange{crowded, crowded + 1});
    }
    CHECK(flagged == 1);
    CHECK(result.stats.unreachable == 4'000);
    CHECK(corpus.calls <= 30);  // one count per halving of 2^29 s, plus the root
  }
}

TEST_CASE("the cap is configurable", "[split]") {
  FakeCorpus corpus;
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<std::int64_t> uniform(kLower.epoch_seconds,
                                                      kUpper.epoch_seconds - 1);
  for (int i = 0; i < 3'000; ++i) corpus.add(Instant{uniform(rng)});
  const SplitResult result =
      split_search("a", options_for(kLower, kUpper, 100), corpus.counter({"a"}, 1));
  check_partition(result, corpus, 100);
  CHECK(result.ranges.size() >= 30);

  const SplitResult bad =
      split_search("a", options_for(kLower, kUpper, 0), corpus.counter({"a"}, 1));
  CHECK_FALSE(bad.ok());
}

TEST_CASE("an unset upper bound is an error, not an empty success", "[split]") {
  FakeCorpus corpus;
  SplitOptions options;  // upper left at the epoch
  const SplitResult result = split_search("a", options, corpus.counter({"a"}, 1));
  CHECK_FALSE(result.ok());
  CHECK(result.error.find("upper") != std::string::npos);
  CHECK(corpus.calls == 0);
}

TEST_CASE("several worker threads can share one splitter", "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  corpus.created();  // sorted before the threads start
  SearchSplitter splitter("t", options_for(kLower, kUpper));
  std::vector<std::thread> workers;
  std::vector<std::int64_t> fetched(4, 0);
  for (std::size_t w = 0; w < fetched.size(); ++w) {
    workers.emplace_back([&, w] {
      while (splitter.state() == SearchSplitter::State::working) {
        const auto task = splitter.next();
        if (!task) {
          std::this_thread::yield();
          continue;
        }
        if (task->kind == SearchTask::Kind::count) {
          splitter.report_count(task->id, corpus.count_in(task->range));
        } else if (task->probe) {
          // The whole query: its first page's total decides (here: split after all).
          const std::int64_t n = corpus.count_in(task->range);
          if (!splitter.report_fetch_total(task->id, n)) fetched[w] += n;
        } else {
          fetched[w] += task->expected_count;
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
  CHECK(splitter.state() == SearchSplitter::State::done);
  std::int64_t total = 0;
  for (const std::int64_t n : fetched) total += n;
  CHECK(total == 50'000);
  SplitResult result;
  result.ranges = splitter.ranges();
  result.bounds = splitter.bounds();
  result.stats = splitter.stats();
  check_partition(result, corpus, 1000);
}

TEST_CASE("workers can interleave counts and fetches, answering counts in any order", "[split]") {
  FakeCorpus corpus;
  fill_corpus(corpus);
  SearchSplitter splitter("topic:ai", options_for(kLower, kUpper));
  std::vector<SearchTask> counts_out;
  bool fetched_while_counting = false;
  int fetches = 0;
  while (splitter.state() == SearchSplitter::State::working) {
    // Take everything on offer, like a pool of workers would, then answer the counts
    // last-first.
    while (auto task = splitter.next()) {
      if (task->kind == SearchTask::Kind::count) {
        counts_out.push_back(*task);
      } else if (task->probe) {
        REQUIRE(splitter.report_fetch_total(task->id, corpus.count_in(task->range)));
      } else {
        ++fetches;
        if (!counts_out.empty()) fetched_while_counting = true;
        CHECK(task->expected_count == corpus.count_in(task->range));
      }
    }
    if (counts_out.empty()) break;
    const SearchTask task = counts_out.back();
    counts_out.pop_back();
    splitter.report_count(task.id, corpus.count_in(task.range));
  }
  CHECK(splitter.state() == SearchSplitter::State::done);
  CHECK(fetched_while_counting);

  // The same partition as the synchronous driver.
  FakeCorpus again;
  fill_corpus(again);
  const SplitResult sync =
      split_search("topic:ai", options_for(kLower, kUpper), again.counter({"topic:ai"}, 1));
  const auto ranges = splitter.ranges();
  REQUIRE(ranges.size() == sync.ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    CHECK(ranges[i].range == sync.ranges[i].range);
    CHECK(ranges[i].count == sync.ranges[i].count);
  }
  CHECK(fetches == sync.stats.fetch_tasks - sync.stats.replanned);

  // Reports for unknown ids are ignored.
  splitter.report_count(987'654, 5);
  CHECK(splitter.state() == SearchSplitter::State::done);
}

TEST_CASE("a fetch whose first page shows more than the cap is planned again", "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{100}));
  // The whole query first, as a fetch whose first page tells its total.
  auto root = splitter.next();
  REQUIRE(root);
  REQUIRE(root->kind == SearchTask::Kind::fetch);
  CHECK(root->probe);
  CHECK(root->range == DateRange{Instant{0}, Instant{100}});
  CHECK_FALSE(splitter.next().has_value());  // waiting for its first page
  CHECK(splitter.state() == SearchSplitter::State::working);
  CHECK(splitter.report_fetch_total(root->id, 1'500));

  auto lower = splitter.next();
  REQUIRE(lower);
  REQUIRE(lower->kind == SearchTask::Kind::count);
  CHECK(lower->range == DateRange{Instant{0}, Instant{50}});
  splitter.report_count(lower->id, 600);

  auto a = splitter.next();
  auto b = splitter.next();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->kind == SearchTask::Kind::fetch);
  CHECK(a->expected_count == 600);
  CHECK(b->range == DateRange{Instant{50}, Instant{100}});
  CHECK(b->expected_count == 900);  // derived: 1500 - 600

  // The data moved: the upper half really holds 1,300.
  CHECK_FALSE(splitter.report_fetch_total(a->id, 600));
  CHECK(splitter.report_fetch_total(b->id, 1'300));
  auto again = splitter.next();
  REQUIRE(again);
  CHECK(again->kind == SearchTask::Kind::count);
  CHECK(again->range == DateRange{Instant{50}, Instant{75}});
  splitter.report_count(again->id, 700);
  int fetches = 0;
  while (auto task = splitter.next()) {
    CHECK(task->kind == SearchTask::Kind::fetch);
    ++fetches;
  }
  CHECK(fetches == 2);
  CHECK(splitter.state() == SearchSplitter::State::done);
  const auto ranges = splitter.ranges();
  REQUIRE(ranges.size() == 3);
  CHECK(ranges[0].range == DateRange{Instant{0}, Instant{50}});
  CHECK(ranges[1].range == DateRange{Instant{50}, Instant{75}});
  CHECK(ranges[2].range == DateRange{Instant{75}, Instant{100}});
  CHECK(ranges[2].count == 600);
  CHECK(splitter.stats().total_count == 1'900);
  CHECK(splitter.stats().count_requests == 2);
  CHECK(splitter.stats().replanned == 2);
}

TEST_CASE("a lower half counted above its parent leaves an empty upper half, not a negative one",
          "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{4}));
  auto root = splitter.next();
  REQUIRE(root);
  REQUIRE(root->probe);
  CHECK(splitter.report_fetch_total(root->id, 1'200));
  auto lower = splitter.next();
  REQUIRE(lower);
  splitter.report_count(lower->id, 1'300);  // repositories appeared in between
  // [0, 2) splits again; [2, 4) is planned empty and never fetched.
  auto next = splitter.next();
  REQUIRE(next);
  CHECK(next->kind == SearchTask::Kind::count);
  CHECK(next->range == DateRange{Instant{0}, Instant{1}});
  splitter.report_count(next->id, 1'300);
  auto fetch = splitter.next();
  REQUIRE(fetch);
  CHECK(fetch->unsplittable);
  CHECK(fetch->range == DateRange{Instant{0}, Instant{1}});
  CHECK_FALSE(splitter.next().has_value());
  CHECK(splitter.state() == SearchSplitter::State::done);
  const auto ranges = splitter.ranges();
  REQUIRE(ranges.size() == 3);
  CHECK(ranges[1].count == 0);
  CHECK(ranges[2].count == 0);
  CHECK_FALSE(ranges[2].fetched);
}

TEST_CASE("the request estimate follows the plan's arithmetic", "[split]") {
  // A query within the cap: no count, its pages (an empty one is one page too).
  CHECK(estimate_search_requests(0).count_requests == 0);
  CHECK(estimate_search_requests(0).page_requests == 1);
  CHECK(estimate_search_requests(1).page_requests == 1);
  CHECK(estimate_search_requests(1000).total() == 10);
  const SearchCost big = estimate_search_requests(100'000);
  CHECK(big.count_requests == 134);
  CHECK(big.page_requests == 1'000 + 67);
  CHECK(estimate_search_requests(250, 100, 50).count_requests == 4);

  // Against a real plan of uniform data, the count estimate is within a factor of two.
  FakeCorpus corpus;
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<std::int64_t> uniform(kLower.epoch_seconds,
                                                      kUpper.epoch_seconds - 1);
  for (int i = 0; i < 40'000; ++i) corpus.add(Instant{uniform(rng)});
  const SplitResult result =
      split_search("u", options_for(kLower, kUpper), corpus.counter({"u"}, 1));
  REQUIRE(result.ok());
  const SearchCost guess = estimate_search_requests(40'000);
  CHECK(result.stats.count_requests * 2 >= guess.count_requests);
  CHECK(result.stats.count_requests <= guess.count_requests * 2);
}

TEST_CASE("counts go depth first: a range that fits comes after a handful of counts", "[split]") {
  SplitOptions options = options_for(kLower, kUpper);
  options.cap = 10;
  SearchSplitter splitter("q", options);
  // 1,280 results spread evenly: the partition needs 128 ranges of 10. Breadth first,
  // every range of a level is counted before the first that fits; depth first, the
  // first fetch is ready after log2(128) = 7 counts, one per level.
  int counts = 0;
  for (;;) {
    // A caller that allows no count gets a fetch, or nothing while only counts are left.
    if (std::optional<SearchTask> fetch = splitter.next(false)) {
      CHECK(fetch->kind == SearchTask::Kind::fetch);
      break;
    }
    std::optional<SearchTask> task = splitter.next();
    REQUIRE(task);
    REQUIRE(task->kind == SearchTask::Kind::count);
    ++counts;
    const double share =
        static_cast<double>(task->range.seconds()) / static_cast<double>(kUpper - kLower);
    splitter.report_count(task->id, static_cast<std::int64_t>(1280 * share + 0.5));
    if (counts > 20) break;
  }
  CHECK(counts <= 8);
}

TEST_CASE("a whole query over the cap is paged unsplit when its caller wants at most half the cap",
          "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{100}));
  auto root = splitter.next();
  REQUIRE(root);
  REQUIRE(root->probe);
  // 5,000 match, 300 are wanted: the first 1,000 results should hold them.
  CHECK_FALSE(splitter.report_fetch_total(root->id, 5'000, 300));
  CHECK_FALSE(splitter.next().has_value());  // no count: the fetch goes on
  CHECK(splitter.state() == SearchSplitter::State::working);
  CHECK(splitter.stats().deferred == 1);
  CHECK(splitter.stats().count_requests == 0);

  // Its pages ran out before the caller had enough: split after all, one count per level.
  splitter.report_fetch_end(root->id);
  CHECK(splitter.stats().deferred_splits == 1);
  auto lower = splitter.next();
  REQUIRE(lower);
  REQUIRE(lower->kind == SearchTask::Kind::count);
  CHECK(lower->range == DateRange{Instant{0}, Instant{50}});
  splitter.report_count(lower->id, 900);
  auto count = splitter.next();  // the upper half, 4,100 by subtraction, is over the cap
  REQUIRE(count);
  CHECK(count->kind == SearchTask::Kind::fetch);
  CHECK(count->expected_count == 900);
  // Reported twice, the end of a range already split changes nothing.
  splitter.report_fetch_end(root->id);
  CHECK(splitter.stats().deferred_splits == 1);
}

TEST_CASE("a whole query over the cap is split at once when its caller wants more than half",
          "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{100}));
  auto root = splitter.next();
  REQUIRE(root);
  CHECK(splitter.report_fetch_total(root->id, 5'000, 501));
  auto count = splitter.next();
  REQUIRE(count);
  CHECK(count->kind == SearchTask::Kind::count);
  CHECK(splitter.stats().deferred == 0);
}

TEST_CASE("only a whole query is paged unsplit: a planned range that grew is split whatever is wanted",
          "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{100}));
  auto root = splitter.next();
  REQUIRE(root);
  CHECK(splitter.report_fetch_total(root->id, 1'500));  // nothing said about wanted: split
  auto lower = splitter.next();
  REQUIRE(lower);
  splitter.report_count(lower->id, 600);
  auto a = splitter.next();
  auto b = splitter.next();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(splitter.report_fetch_total(b->id, 1'300, 10));
  CHECK(splitter.stats().deferred == 0);
}

TEST_CASE("a deferred query keeps the plan working until its end is reported",
          "[split]") {
  SearchSplitter splitter("q", options_for(Instant{0}, Instant{100}));
  auto root = splitter.next();
  REQUIRE(root);
  CHECK_FALSE(splitter.report_fetch_total(root->id, 1'200, 100));
  // Not done while the query is paged: its end may still split it.
  CHECK(splitter.state() == SearchSplitter::State::working);
  splitter.report_fetch_end(root->id);
  CHECK(splitter.state() == SearchSplitter::State::working);  // the split's count is out
  auto lower = splitter.next();
  REQUIRE(lower);
  splitter.report_count(lower->id, 700);
  while (splitter.next()) {
  }
  CHECK(splitter.state() == SearchSplitter::State::done);
  const auto ranges = splitter.ranges();
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0].count == 700);
  CHECK(ranges[1].count == 500);
}
