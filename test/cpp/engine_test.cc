// The engine end to end over real HTTP (the loopback server answers every search with
// the same three repositories): each repository delivered once across queries and
// groups, limits, known ids, backpressure, stop.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "catch.h"
#include "core/engine.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;

namespace {

std::string item(int id) {
  const std::string n = std::to_string(id);
  return R"({"id":)" + n + R"(,"name":"r)" + n + R"(","full_name":"o/r)" + n +
         R"(","owner":{"login":"o"},"html_url":"https://github.com/o/r)" + n +
         R"(","stargazers_count":)" + n + R"(,"forks_count":0,"open_issues_count":0,"topics":[]})";
}

ScriptedResponse json_reply(std::string body) {
  ScriptedResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

// A sink that records everything and acknowledges batches when told to.
class RecordingSink final : public EngineSink {
 public:
  explicit RecordingSink(bool auto_ack) : auto_ack_(auto_ack) {}
  Engine* engine = nullptr;

  void on_batch(Batch batch) override {
    std::uint64_t id = batch.id;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      max_unacked_seen_ = std::max(max_unacked_seen_, ++unacked_);
      for (const Repository& repo : batch.repositories) {
        delivered_[repo.id]++;
        group_of_[repo.id] = batch.group;
      }
      batches_.push_back(std::move(batch));
    }
    cv_.notify_all();
    if (auto_ack_) ack(id);
  }
  void on_event(const EngineEvent& event) override {
    std::lock_guard<std::mutex> guard(mutex_);
    events_.push_back(event);
  }
  void ack(std::uint64_t id) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      --unacked_;
    }
    engine->ack(id);
  }
  void await_batches(std::size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return batches_.size() >= count; });
  }
  std::size_t batch_count() {
    std::lock_guard<std::mutex> guard(mutex_);
    return batches_.size();
  }
  std::uint64_t batch_id(std::size_t index) {
    std::lock_guard<std::mutex> guard(mutex_);
    return batches_.at(index).id;
  }
  std::size_t delivered_count() {
    std::lock_guard<std::mutex> guard(mutex_);
    return delivered_.size();
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool auto_ack_;
  std::vector<Batch> batches_;
  std::map<std::int64_t, int> delivered_;
  std::map<std::int64_t, std::size_t> group_of_;
  std::vector<EngineEvent> events_;
  int unacked_ = 0;
  int max_unacked_seen_ = 0;
};

struct Rig {
  explicit Rig(int repos = 3) {
    std::string items;
    for (int i = 1; i <= repos; ++i) items += (i > 1 ? "," : "") + item(i);
    server.on("/user", json_reply(R"({"login":"octo"})"));
    server.on("/rate_limit", json_reply(R"({"resources":{"core":{"limit":5000,"remaining":5000,)"
                                        R"("used":0,"reset":1800000000}}})"));
    server.on("/search/repositories",
              json_reply(R"({"total_count":)" + std::to_string(repos) +
                         R"(,"incomplete_results":false,"items":[)" + items + "]}"));
    for (int i = 1; i <= repos; ++i) {
      const std::string base = "/repos/o/r" + std::to_string(i);
      server.on(base + "/languages", json_reply(R"({"C":100})"));
      server.on(base + "/readme", json_reply("# r" + std::to_string(i)));
    }
    options.tokens = make_tokens(2);
    options.api_url = server.url("");
    options.details.languages = true;
    options.details.readme = true;
    options.batch_size = 2;
    options.retry.base = Millis(0);
    options.created_upper = Instant{1'700'000'000};
  }

  std::size_t requests_to(const std::string& prefix) const {
    const auto all = server.requests();
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const auto& r) { return r.path.rfind(prefix, 0) == 0; }));
  }

  LoopbackServer server;
  SystemClock clock;  // nothing here waits on time: no rate limit is ever hit
  EngineOptions options;
};

}  // namespace

TEST_CASE("every repository is delivered once, with its details, across queries and groups",
          "[engine]") {
  Rig rig;
  rig.options.workers = 4;
  RecordingSink sink(true);
  Engine engine(
      rig.options,
      {{"ai_ml", {"topic:llm", "topic:machine-learning"}, 10}, {"web", {"topic:react"}, 10}}, sink,
      rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK_FALSE(result.stopped);
  REQUIRE(sink.delivered_.size() == 3);
  for (const auto& [id, times] : sink.delivered_) CHECK(times == 1);
  for (const Batch& batch : sink.batches_) {
    CHECK(batch.repositories.size() <= 2);
    for (const Repository& repo : batch.repositories) {
      REQUIRE(repo.languages);
      CHECK(repo.languages->at(0).first == "C");
      CHECK(repo.readme == "# " + repo.name);
    }
  }
  // Two groups, 3 repositories in all: both ran out of results before their limits.
  REQUIRE(result.groups.size() == 2);
  CHECK(result.groups[0].delivered + result.groups[1].delivered == 3);
  CHECK(result.groups[0].exhausted);
  CHECK(result.groups[1].exhausted);
  CHECK(result.token_checks.size() == 2);
  // Each repository's details were fetched once.
  CHECK(rig.requests_to("/repos/o/r1/") == 2);
}

TEST_CASE("a group stops at its limit", "[engine]") {
  Rig rig(5);
  rig.options.workers = 1;
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 2}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.groups[0].delivered == 2);
  CHECK(result.groups[0].full);
  CHECK_FALSE(result.groups[0].exhausted);
  CHECK(sink.delivered_.size() == 2);
  CHECK(rig.requests_to("/repos/o/r3/") == 0);
}

TEST_CASE("known repositories are neither fetched nor delivered", "[engine]") {
  Rig rig;
  rig.options.known_ids = {2};
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  engine.wait();
  CHECK(sink.delivered_.count(2) == 0);
  CHECK(sink.delivered_.size() == 2);
  CHECK(rig.requests_to("/repos/o/r2/") == 0);
}

TEST_CASE("without details, search results are delivered as they are", "[engine]") {
  Rig rig;
  rig.options.details = DetailSet{};
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  engine.wait();
  CHECK(sink.delivered_.size() == 3);
  CHECK(rig.requests_to("/repos/") == 0);
}

TEST_CASE("unacknowledged batches hold the workers back", "[engine]") {
  Rig rig(9);
  rig.options.batch_size = 1;
  rig.options.max_unacked = 2;
  rig.options.workers = 2;
  RecordingSink sink(false);
  Engine engine(rig.options, {{"web", {"topic:react"}, 100}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  // Batches are acknowledged one by one, as a slow store would. Workers that were held
  // back together may deliver their repositories in one batch: count repositories.
  for (std::size_t acked = 0; sink.delivered_count() < 9 || acked < sink.batch_count(); ++acked) {
    sink.await_batches(acked + 1);
    sink.ack(sink.batch_id(acked));
  }
  engine.wait();
  CHECK(sink.delivered_.size() == 9);
  CHECK(sink.max_unacked_seen_ <= 2);
}

TEST_CASE("stop() ends a run held by backpressure and delivers what was fetched", "[engine]") {
  Rig rig(9);
  rig.options.batch_size = 1;
  rig.options.max_unacked = 1;
  RecordingSink sink(false);
  Engine engine(rig.options, {{"web", {"topic:react"}, 100}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  sink.await_batches(1);
  engine.stop();
  const EngineResult result = engine.wait();
  CHECK(result.stopped);
  // Whatever was claimed and fetched reached the sink: nothing fetched is lost.
  std::int64_t delivered = 0;
  for (const GroupResult& g : result.groups) delivered += g.delivered;
  CHECK(delivered == static_cast<std::int64_t>(sink.delivered_.size()));
}

TEST_CASE("GitHub unreachable ends the run with one clear error", "[engine]") {
  Rig rig;
  rig.options.api_url = "http://127.0.0.1:" + std::to_string(closed_port());
  rig.options.retry.max_attempts = 2;
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK_FALSE(result.ok);
  CHECK(result.error.rfind("GitHub unreachable at http://127.0.0.1:", 0) == 0);
  CHECK(result.error.find("connect_failed") != std::string::npos);
}

TEST_CASE("no usable token ends the run with one clear error", "[engine]") {
  Rig rig;
  rig.server.on("/user", [] {
    ScriptedResponse r = json_reply(R"({"message":"Bad credentials"})");
    r.status = 401;
    return r;
  }());
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK_FALSE(result.ok);
  CHECK(result.error.find("no valid token: GitHub rejected all 2 tokens") != std::string::npos);
  CHECK(rig.requests_to("/search/") == 0);
}

TEST_CASE("refresh: stored repositories re-checked by id with their ETags", "[engine]") {
  Rig rig;
  ScriptedResponse unchanged;
  unchanged.status = 304;
  rig.server.on("/repositories/1", unchanged);
  ScriptedResponse changed = json_reply(item(2));
  changed.headers.emplace_back("ETag", "\"r2-new\"");
  rig.server.on("/repositories/2", changed);
  ScriptedResponse gone = json_reply(R"({"message":"Not Found"})");
  gone.status = 404;
  rig.server.on("/repositories/3", gone);
  rig.options.refresh = {{1, 0, "\"r1\"", std::nullopt}, {2, 0, "\"r2\"", std::nullopt},
                         {3, 1, "", std::nullopt}};
  rig.options.known_ids = {1, 2, 3};
  rig.options.workers = 2;
  RecordingSink sink(true);
  // Limits of 0: the groups only carry re-checks, and search nothing.
  Engine engine(rig.options, {{"ai_ml", {"topic:llm"}, 0}, {"web", {"topic:react"}, 0}}, sink,
                rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(rig.requests_to("/search/") == 0);
  CHECK(result.refresh.changed == 1);
  CHECK(result.refresh.unchanged == 1);
  CHECK(result.refresh.gone == 1);
  CHECK(result.refresh.failed == 0);
  for (const RecordedRequest& r : rig.server.requests()) {
    if (r.path == "/repositories/1") CHECK(r.header("If-None-Match") == "\"r1\"");
    if (r.path == "/repositories/3") CHECK_FALSE(r.has_header("If-None-Match"));
  }
  std::vector<std::int64_t> unchanged_ids, gone_ids;
  for (const Batch& batch : sink.batches_) {
    for (std::int64_t id : batch.unchanged) {
      unchanged_ids.push_back(id);
      CHECK(batch.group == 0);
    }
    for (std::int64_t id : batch.gone) {
      gone_ids.push_back(id);
      CHECK(batch.group == 1);
    }
  }
  CHECK(unchanged_ids == std::vector<std::int64_t>{1});
  CHECK(gone_ids == std::vector<std::int64_t>{3});
  // The changed one comes with its details fetched again and its new ETag; it counts for
  // no limit.
  REQUIRE(sink.delivered_.size() == 1);
  CHECK(sink.delivered_.count(2) == 1);
  for (const Batch& batch : sink.batches_) {
    for (std::size_t i = 0; i < batch.repositories.size(); ++i) {
      CHECK(batch.details[i].refreshed);
      CHECK(batch.details[i].etags.repository == "\"r2-new\"");
      CHECK(batch.repositories[i].languages);
    }
  }
  for (const GroupResult& g : result.groups) CHECK(g.delivered == 0);
}

TEST_CASE("a query shared by groups is searched once and fills the least filled first",
          "[engine]") {
  Rig rig;
  rig.options.workers = 3;
  RecordingSink sink(true);
  Engine engine(rig.options, {{"frontend", {"topic:react"}, 10}, {"react", {"topic:react"}, 1}},
                sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  // One page, as for one group; two searches would have sent two.
  CHECK(rig.requests_to("/search/") == 1);
  REQUIRE(result.groups.size() == 2);
  CHECK(result.groups[0].delivered == 2);
  CHECK(result.groups[1].delivered == 1);  // the smaller limit takes the first of a tie
  REQUIRE(sink.delivered_.size() == 3);
  for (const Batch& batch : sink.batches_) {
    for (const auto& finders : batch.finders) {
      REQUIRE(finders.size() == 2);  // both groups' query found each one
      CHECK(finders[0] == batch.group);
    }
  }
}

TEST_CASE("a repository that fails on both APIs is pending, its batch-mates are delivered",
          "[engine]") {
  Rig rig(3);
  ScriptedResponse broken = json_reply(R"({"message":"Server Error"})");
  broken.status = 502;
  rig.server.on("/repos/o/r2/languages", broken);
  rig.server.on("/graphql", broken);  // its one-repository GraphQL query too
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(sink.delivered_.count(1) == 1);
  CHECK(sink.delivered_.count(2) == 0);
  CHECK(sink.delivered_.count(3) == 1);
  REQUIRE(result.pending.size() == 1);
  const PendingRepository& pending = result.pending.front();
  CHECK(pending.id == 2);
  CHECK(pending.full_name == "o/r2");
  CHECK(pending.group == 0);
  CHECK(pending.attempts == 2);
  CHECK(pending.error.find("/languages") != std::string::npos);  // REST's failure
  CHECK(pending.error.find("/graphql") != std::string::npos);    // then GraphQL's
  CHECK(rig.requests_to("/graphql") >= 1);
  // Not "ran dry": a repository was lost on the way.
  CHECK(result.groups[0].lost == 1);
  CHECK_FALSE(result.groups[0].exhausted);
}

TEST_CASE("repositories left pending by an earlier run are fetched first, by id", "[engine]") {
  Rig rig(3);
  rig.server.on("/repositories/9", json_reply(item(9)));
  rig.server.on("/repos/o/r9/languages", json_reply(R"({"Go":10})"));
  rig.server.on("/repos/o/r9/readme", json_reply("# r9"));
  ScriptedResponse gone = json_reply(R"({"message":"Not Found"})");
  gone.status = 404;
  rig.server.on("/repositories/8", gone);
  rig.options.owed = {{9, 0, "R_9", "o/r9", {}, {}}, {8, 0, "R_8", "o/r8", {}, {}}};
  rig.options.workers = 1;
  RecordingSink sink(true);
  // A limit of 3: the owed repository counts in it, the gone one gives its place back.
  Engine engine(rig.options, {{"web", {"topic:react"}, 3}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(sink.delivered_.count(9) == 1);
  CHECK(sink.delivered_.size() == 3);
  CHECK(result.groups[0].delivered == 3);
  CHECK(result.owed_gone == 1);
  CHECK(result.pending.empty());
  // Before any search.
  const auto requests = rig.server.requests();
  const auto first_search = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
    return r.path == "/search/repositories";
  });
  const auto owed = std::find_if(requests.begin(), requests.end(), [](const auto& r) {
    return r.path == "/repositories/9";
  });
  CHECK(owed < first_search);
}

TEST_CASE("a search that fails after retries is a failed search, not a query that ran dry",
          "[engine]") {
  Rig rig(3);
  ScriptedResponse huge = json_reply(R"({"message":"Server Error"})");
  huge.status = 503;
  rig.server.on("/search/repositories", huge);
  RecordingSink sink(true);
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  REQUIRE(result.failed_searches.size() == 1);
  CHECK(result.failed_searches[0].query == "topic:react");
  CHECK(result.failed_searches[0].error.find("GitHub answered 503") != std::string::npos);
  CHECK(result.groups[0].failed_searches == 1);
  CHECK_FALSE(result.groups[0].exhausted);
  const bool said = std::any_of(sink.events_.begin(), sink.events_.end(), [](const auto& e) {
    return e.kind == EngineEvent::Kind::warning &&
           e.message.find("searched first on the next run") != std::string::npos;
  });
  CHECK(said);
}
