// The engine with a WorkGate (--coordinate): several hosts share one job's queries and
// repositories. The hosts here are engines in one process, on one loopback server (which
// answers every search with the same repositories), sharing an in-memory job.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catch.h"
#include "core/engine.h"
#include "core/search_runner.h"
#include "core/work_gate.h"
#include "pool_helpers.h"
#include "support/loopback_server.h"

using namespace gh;
using namespace gh::test;

namespace {

std::string item(int id) {
  const std::string n = std::to_string(id);
  return R"({"id":)" + n + R"(,"node_id":"R_)" + n + R"(","name":"r)" + n +
         R"(","full_name":"o/r)" + n + R"(","owner":{"login":"o"},"html_url":"https://github.com/o/r)" +
         n + R"(","stargazers_count":)" + n +
         R"(,"forks_count":0,"open_issues_count":0,"topics":[]})";
}

ScriptedResponse json_reply(std::string body) {
  ScriptedResponse r;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", "application/json");
  return r;
}

// A sink that records every batch and acknowledges it at once.
class RecordingSink final : public EngineSink {
 public:
  Engine* engine = nullptr;

  void on_batch(Batch batch) override {
    const std::uint64_t id = batch.id;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      for (const Repository& repo : batch.repositories) delivered_[repo.id]++;
    }
    engine->ack(id);
  }
  void on_event(const EngineEvent& event) override {
    std::lock_guard<std::mutex> guard(mutex_);
    events_.push_back(event);
  }
  std::map<std::int64_t, int> delivered() {
    std::lock_guard<std::mutex> guard(mutex_);
    return delivered_;
  }

 private:
  std::mutex mutex_;
  std::map<std::int64_t, int> delivered_;
  std::vector<EngineEvent> events_;
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
    for (int i = 1; i <= repos; ++i) serve_details(i);
    options.tokens = make_tokens(2);
    options.api_url = server.url("");
    options.details.languages = true;
    options.details.readme = true;
    options.batch_size = 2;
    options.retry.base = Millis(0);
    options.created_upper = Instant{1'700'000'000};
  }

  void serve_details(int id) {
    const std::string base = "/repos/o/r" + std::to_string(id);
    server.on(base + "/languages", json_reply(R"({"C":100})"));
    server.on(base + "/readme", json_reply("# r" + std::to_string(id)));
  }

  std::size_t requests_to(const std::string& prefix) const {
    const auto all = server.requests();
    return static_cast<std::size_t>(std::count_if(
        all.begin(), all.end(), [&](const auto& r) { return r.target.rfind(prefix, 0) == 0; }));
  }
  // Search requests sent for one user query (its ranges included).
  std::size_t searches_for(const std::string& query) const {
    return requests_to("/search/repositories?q=" + percent_encode(query) + "%20");
  }

  LoopbackServer server;
  SystemClock clock;
  EngineOptions options;
};

// A RecordingSink that does `first` once, when the first batch arrives: what a heartbeat
// answers while the run is under way.
class OnFirstBatch final : public EngineSink {
 public:
  explicit OnFirstBatch(std::function<void(Engine&)> first) : first_(std::move(first)) {}
  RecordingSink inner;
  void on_batch(Batch batch) override {
    if (first_) {
      std::exchange(first_, nullptr)(*inner.engine);
    }
    inner.on_batch(std::move(batch));
  }
  void on_event(const EngineEvent& event) override { inner.on_event(event); }

 private:
  std::function<void(Engine&)> first_;
};

// The job's shared state, as the coordinator's tables would hold it: who runs each query,
// who fetches each repository, and what every host asked.
struct Job {
  std::mutex mutex;
  std::map<std::string, int> runner;       // query: the host running it
  std::map<std::int64_t, int> owner;       // repository: the host fetching it
  std::map<std::string, int> asked;        // take_query calls per query, all hosts
  std::map<std::int64_t, int> claim_asks;  // claim entries per repository, all hosts
  std::vector<std::pair<std::string, bool>> done;  // query_done calls, all hosts
  std::vector<OwedRepository> offered;     // offered claims, not adopted yet
  int offers = 0;                          // offer calls, all hosts
  int gate_calls = 0;

  // What coord_adopt hands a host: every offered claim not adopted yet.
  WorkGate::Adopted take_offered() {
    std::lock_guard<std::mutex> guard(mutex);
    WorkGate::Adopted adopted;
    adopted.owed = std::move(offered);
    offered.clear();
    return adopted;
  }
};

// One host's view of the job.
class TestGate final : public WorkGate {
 public:
  TestGate(Job& job, int host) : job_(job), host_(host) {}

  // What adopt() answers on its `call`th call (1-based); by default the job is over.
  std::function<Adopted(int call)> on_adopt;
  // Whether to offer a repository this host claims to the job (Job::offered).
  std::function<bool(const Found&)> offer_at_claim;
  // Whether the job takes a queued repository this host offers (Engine::offer_to_idle_hosts).
  std::function<bool(const Found&)> take_offer;

  bool take_query(const std::string& query) override {
    std::lock_guard<std::mutex> guard(job_.mutex);
    ++job_.gate_calls;
    ++job_.asked[query];
    return job_.runner.emplace(query, host_).first->second == host_;
  }
  void query_done(const std::string& query, bool complete) override {
    std::lock_guard<std::mutex> guard(job_.mutex);
    ++job_.gate_calls;
    job_.done.emplace_back(query, complete);
  }
  std::vector<Claim> claim(const std::vector<Found>& found) override {
    std::lock_guard<std::mutex> guard(job_.mutex);
    ++job_.gate_calls;
    std::vector<Claim> granted;
    for (const Found& f : found) {
      ++job_.claim_asks[f.id];
      if (job_.owner.emplace(f.id, host_).first->second != host_) {
        granted.push_back(Claim::elsewhere);
      } else if (offer_at_claim && offer_at_claim(f) && f.repo != nullptr) {
        // As the coordinator keeps an offered claim: its search fields, for an idle host.
        job_.offered.push_back({f.id, f.group, f.node_id, f.full_name, {}, *f.repo});
        granted.push_back(Claim::offered);
      } else {
        granted.push_back(Claim::mine);
      }
    }
    return granted;
  }
  std::vector<bool> offer(const std::vector<Found>& found) override {
    std::lock_guard<std::mutex> guard(job_.mutex);
    ++job_.gate_calls;
    ++job_.offers;
    std::vector<bool> taken;
    for (const Found& f : found) {
      const bool take = f.repo != nullptr && take_offer && take_offer(f);
      if (take) job_.offered.push_back({f.id, f.group, f.node_id, f.full_name, {}, *f.repo});
      taken.push_back(take);
    }
    return taken;
  }
  Adopted adopt() override {
    int call = 0;
    {
      std::lock_guard<std::mutex> guard(job_.mutex);
      ++job_.gate_calls;
      call = ++adopt_calls_;
    }
    return on_adopt ? on_adopt(call) : Adopted{};
  }
  int adopt_calls() {
    std::lock_guard<std::mutex> guard(job_.mutex);
    return adopt_calls_;
  }

 private:
  Job& job_;
  int host_;
  int adopt_calls_ = 0;
};

std::set<std::int64_t> ids_of(const std::map<std::int64_t, int>& delivered) {
  std::set<std::int64_t> ids;
  for (const auto& [id, times] : delivered) ids.insert(id);
  return ids;
}

}  // namespace

TEST_CASE("two hosts share a job: each query run once, each repository delivered once",
          "[engine][gate]") {
  const std::vector<std::string> queries = {"topic:react", "topic:vue", "topic:llm"};
  const std::vector<EngineGroup> groups = {{"web", queries, 100}};
  Rig rig(6);
  rig.options.workers = 2;
  Job job;
  TestGate gate_a(job, 1);
  TestGate gate_b(job, 2);
  EngineOptions options_a = rig.options;
  options_a.gate = &gate_a;
  EngineOptions options_b = rig.options;
  options_b.gate = &gate_b;
  RecordingSink sink_a;
  RecordingSink sink_b;
  Engine host_a(options_a, groups, sink_a, rig.clock);
  Engine host_b(options_b, groups, sink_b, rig.clock);
  sink_a.engine = &host_a;
  sink_b.engine = &host_b;
  host_a.start();
  host_b.start();
  const EngineResult result_a = host_a.wait();
  const EngineResult result_b = host_b.wait();
  CHECK(result_a.ok);
  CHECK(result_b.ok);

  // Every repository delivered by one host only, its details fetched once.
  const auto delivered_a = sink_a.delivered();
  const auto delivered_b = sink_b.delivered();
  for (std::int64_t id = 1; id <= 6; ++id) {
    const int a = delivered_a.count(id) ? delivered_a.at(id) : 0;
    const int b = delivered_b.count(id) ? delivered_b.at(id) : 0;
    CHECK(a + b == 1);
    CHECK(rig.requests_to("/repos/o/r" + std::to_string(id) + "/languages") == 1);
  }
  CHECK(result_a.groups[0].delivered + result_b.groups[0].delivered == 6);
  // Each query searched by one host (one page each), reported done by that host.
  for (const std::string& query : queries) {
    CHECK(rig.searches_for(query) == 1);
    CHECK(job.runner.count(query) == 1);
    CHECK(std::count(job.done.begin(), job.done.end(), std::make_pair(query, true)) == 1);
  }
  CHECK(job.done.size() == queries.size());
  CHECK(result_a.queries_elsewhere + result_b.queries_elsewhere ==
        static_cast<std::int64_t>(job.asked["topic:react"] + job.asked["topic:vue"] +
                                  job.asked["topic:llm"]) -
            static_cast<std::int64_t>(queries.size()));
  // A repository the other host had is counted, never fetched.
  std::int64_t denied = 0;
  for (const auto& [id, asks] : job.claim_asks) denied += asks - 1;
  CHECK(result_a.claimed_elsewhere + result_b.claimed_elsewhere == denied);

  // Together they deliver what one host alone delivers.
  Rig alone_rig(6);
  alone_rig.options.workers = 2;
  RecordingSink alone_sink;
  Engine alone(alone_rig.options, groups, alone_sink, alone_rig.clock);
  alone_sink.engine = &alone;
  alone.start();
  CHECK(alone.wait().ok);
  std::set<std::int64_t> together = ids_of(delivered_a);
  for (std::int64_t id : ids_of(delivered_b)) together.insert(id);
  CHECK(together == ids_of(alone_sink.delivered()));
}

TEST_CASE("a repository another host claimed is neither fetched nor counted", "[engine][gate]") {
  Rig rig(5);
  rig.options.workers = 1;
  Job job;
  job.owner[2] = 99;  // another host's already
  TestGate gate(job, 1);
  rig.options.gate = &gate;
  RecordingSink sink;
  // The first query's page claims 1, 2 and 3 (the limit), 2 is denied; the group still
  // has room, and its second query brings 4.
  Engine engine(rig.options, {{"web", {"topic:react", "topic:vue"}, 3}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(ids_of(sink.delivered()) == std::set<std::int64_t>{1, 3, 4});
  CHECK(result.groups[0].delivered == 3);
  CHECK(result.groups[0].full);
  CHECK(result.claimed_elsewhere == 1);
  CHECK(rig.requests_to("/repos/o/r2/") == 0);
  CHECK(rig.requests_to("/repos/o/r5/") == 0);
  // Asked about once: found again by the second query, it is known to be elsewhere.
  CHECK(job.claim_asks[2] == 1);
  CHECK(job.claim_asks[4] == 1);
  CHECK(result.pending.empty());
}

TEST_CASE("a host with no work left adopts a dead host's query and owed repository",
          "[engine][gate]") {
  Rig rig(3);
  rig.server.on("/repositories/9", json_reply(item(9)));
  rig.serve_details(9);
  rig.options.workers = 2;
  Job job;
  job.runner["topic:vue"] = 99;  // leased to a host that dies
  TestGate gate(job, 1);
  gate.on_adopt = [](int call) {
    WorkGate::Adopted adopted;
    if (call == 1) {
      adopted.queries = {"topic:vue"};
      adopted.owed = {{9, 0, "R_9", "o/r9", {}, {}}};
    }
    return adopted;
  };
  rig.options.gate = &gate;
  RecordingSink sink;
  Engine engine(rig.options, {{"web", {"topic:react", "topic:vue"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK_FALSE(result.stopped);
  CHECK(result.queries_elsewhere == 1);
  // The dead host's query is run here, without asking the job again, and its repository
  // fetched by id.
  CHECK(job.asked["topic:vue"] == 1);
  CHECK(rig.searches_for("topic:vue") == 1);
  CHECK(rig.requests_to("/repositories/9") == 1);
  CHECK(ids_of(sink.delivered()) == std::set<std::int64_t>{1, 2, 3, 9});
  CHECK(result.groups[0].delivered == 4);
  // Asked again when the adopted work ran out; empty, the run ended.
  CHECK(gate.adopt_calls() == 2);
  CHECK(std::count(job.done.begin(), job.done.end(), std::make_pair(std::string("topic:vue"), true)) ==
        1);
  CHECK(std::count(job.done.begin(), job.done.end(),
                   std::make_pair(std::string("topic:react"), true)) == 1);
  // Every query done (one of them by another host first): ran dry for good.
  CHECK(result.groups[0].exhausted);
}

TEST_CASE("a query whose search fails is reported done but not complete", "[engine][gate]") {
  Rig rig(3);
  ScriptedResponse broken = json_reply(R"({"message":"Server Error"})");
  broken.status = 503;
  rig.server.on("/search/repositories", broken);
  rig.options.retry.max_attempts = 2;
  Job job;
  TestGate gate(job, 1);
  rig.options.gate = &gate;
  RecordingSink sink;
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.failed_searches.size() == 1);
  REQUIRE(job.done.size() == 1);
  CHECK(job.done[0] == std::make_pair(std::string("topic:react"), false));
}

TEST_CASE("stop() ends a run whose worker waits in the gate's adopt()", "[engine][gate]") {
  Rig rig(3);
  Job job;
  TestGate gate(job, 1);
  std::mutex mutex;
  std::condition_variable cv;
  bool adopting = false;
  bool stopping = false;
  // Other hosts still at work: adopt() waits, as the coordinator's would, until the
  // engine is stopped.
  gate.on_adopt = [&](int) {
    std::unique_lock<std::mutex> lock(mutex);
    adopting = true;
    cv.notify_all();
    cv.wait(lock, [&] { return stopping; });
    return WorkGate::Adopted{{"topic:react"}, {}};
  };
  rig.options.gate = &gate;
  RecordingSink sink;
  Engine engine(rig.options, {{"web", {"topic:react"}, 10}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return adopting; });
  }
  int calls_at_stop = 0;
  {
    std::lock_guard<std::mutex> guard(job.mutex);
    calls_at_stop = job.gate_calls;
  }
  engine.stop();
  {
    std::lock_guard<std::mutex> guard(mutex);
    stopping = true;
  }
  cv.notify_all();
  const EngineResult result = engine.wait();
  CHECK(result.stopped);
  CHECK(ids_of(sink.delivered()) == std::set<std::int64_t>{1, 2, 3});
  // What adopt() brought after the stop is not run, and the job is not asked again.
  CHECK(rig.searches_for("topic:react") == 1);
  std::lock_guard<std::mutex> guard(job.mutex);
  CHECK(job.gate_calls == calls_at_stop);
}

TEST_CASE("repositories offered to the job are fetched once, by the host that adopts them, with no request by id",
          "[engine][gate]") {
  Rig rig(6);
  rig.options.workers = 2;
  Job job;
  TestGate giver(job, 1);
  TestGate taker(job, 2);
  // The host that searches offers its even-numbered finds; the other host, with nothing
  // of its own to do (it runs no query), adopts what is offered, until the job is over.
  giver.offer_at_claim = [](const WorkGate::Found& f) { return f.id % 2 == 0; };
  std::mutex mutex;
  std::condition_variable cv;
  bool giver_done = false;
  taker.on_adopt = [&](int) {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return giver_done; });
    return job.take_offered();
  };
  EngineOptions options_giver = rig.options;
  options_giver.gate = &giver;
  EngineOptions options_taker = rig.options;
  options_taker.gate = &taker;
  RecordingSink sink_giver;
  RecordingSink sink_taker;
  Engine host_giver(options_giver, {{"web", {"topic:react"}, 100}}, sink_giver, rig.clock);
  Engine host_taker(options_taker, {{"web", {}, 100}}, sink_taker, rig.clock);
  sink_giver.engine = &host_giver;
  sink_taker.engine = &host_taker;
  // The giver adopts nothing back: the taker is waiting for what it offered.
  giver.on_adopt = [&](int) {
    {
      std::lock_guard<std::mutex> guard(mutex);
      giver_done = true;
    }
    cv.notify_all();
    return WorkGate::Adopted{};
  };
  host_giver.start();
  host_taker.start();
  const EngineResult result_giver = host_giver.wait();
  const EngineResult result_taker = host_taker.wait();
  CHECK(result_giver.ok);
  CHECK(result_taker.ok);
  CHECK(ids_of(sink_giver.delivered()) == std::set<std::int64_t>{1, 3, 5});
  CHECK(ids_of(sink_taker.delivered()) == std::set<std::int64_t>{2, 4, 6});
  CHECK(result_giver.offered == 3);
  CHECK(result_taker.adopted_offered == 3);
  CHECK(result_giver.groups[0].delivered == 3);
  CHECK(result_taker.groups[0].delivered == 3);
  // Each repository's details fetched once, none fetched by id.
  for (std::int64_t id = 1; id <= 6; ++id) {
    CHECK(rig.requests_to("/repos/o/r" + std::to_string(id) + "/languages") == 1);
  }
  CHECK(rig.requests_to("/repositories/") == 0);
  CHECK(rig.searches_for("topic:react") == 1);
}

TEST_CASE("a host that goes idle first adopts its own offered repositories back and fetches them",
          "[engine][gate]") {
  Rig rig(4);
  rig.options.workers = 2;
  Job job;
  TestGate gate(job, 1);
  gate.offer_at_claim = [](const WorkGate::Found& f) { return f.id > 2; };
  gate.on_adopt = [&job](int) { return job.take_offered(); };
  rig.options.gate = &gate;
  RecordingSink sink;
  Engine engine(rig.options, {{"web", {"topic:react"}, 4}}, sink, rig.clock);
  sink.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(result.offered == 2);
  CHECK(result.adopted_offered == 0);  // its own, back: not another host's
  CHECK(ids_of(sink.delivered()) == std::set<std::int64_t>{1, 2, 3, 4});
  CHECK(result.groups[0].delivered == 4);
  CHECK(result.groups[0].full);
  CHECK(rig.requests_to("/repositories/") == 0);
  for (std::int64_t id = 1; id <= 4; ++id) {
    CHECK(rig.requests_to("/repos/o/r" + std::to_string(id) + "/languages") == 1);
  }
}

TEST_CASE("idle hosts are offered a share of the queued details, and what the job declines is fetched here",
          "[engine][gate]") {
  Rig rig(40);
  rig.options.workers = 1;
  Job job;
  TestGate gate(job, 1);
  // The job takes the even ones it is offered; this host, idle in the end, adopts them
  // back (with their search fields) as another host would.
  gate.take_offer = [](const WorkGate::Found& f) { return f.id % 2 == 0; };
  gate.on_adopt = [&job](int) { return job.take_offered(); };
  rig.options.gate = &gate;
  // The first batch stored (2 of the page's 40 fetched, 38 queued): the heartbeat says
  // one other host is idle.
  OnFirstBatch sink([](Engine& engine) { engine.offer_to_idle_hosts(1); });
  Engine engine(rig.options, {{"web", {"topic:react"}, 40}}, sink, rig.clock);
  sink.inner.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  // Half of the 38 queued, from the back of the queue (ids 22 to 40), was offered; the
  // job took the even ones.
  CHECK(job.offers == 1);
  CHECK(result.offered == 10);
  // Every repository delivered once, its details fetched once, none by id.
  const auto delivered = sink.inner.delivered();
  CHECK(delivered.size() == 40);
  for (std::int64_t id = 1; id <= 40; ++id) {
    CHECK(delivered.count(id) == 1);
    CHECK(rig.requests_to("/repos/o/r" + std::to_string(id) + "/languages") == 1);
  }
  CHECK(rig.requests_to("/repositories/") == 0);
  CHECK(result.groups[0].delivered == 40);
  CHECK(result.pending.empty());
}

TEST_CASE("claims the job gave to another host while this one was presumed dead are dropped unfetched",
          "[engine][gate]") {
  Rig rig(40);
  rig.options.workers = 1;
  Job job;
  TestGate gate(job, 1);
  rig.options.gate = &gate;
  // After the first batch (2 of the page's 40 fetched, the rest queued), the heartbeat
  // says the last ten were taken over, and one id this host never claimed.
  std::size_t dropped = 0;
  OnFirstBatch sink([&dropped](Engine& engine) {
    dropped = engine.drop_claims({31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 999});
  });
  Engine engine(rig.options, {{"web", {"topic:react"}, 40}}, sink, rig.clock);
  sink.inner.engine = &engine;
  engine.start();
  const EngineResult result = engine.wait();
  CHECK(result.ok);
  CHECK(dropped == 10);
  CHECK(result.claimed_elsewhere == 10);
  const auto delivered = sink.inner.delivered();
  CHECK(delivered.size() == 30);
  for (std::int64_t id = 1; id <= 40; ++id) {
    CHECK(delivered.count(id) == (id <= 30 ? 1U : 0U));
    CHECK(rig.requests_to("/repos/o/r" + std::to_string(id) + "/languages") == (id <= 30 ? 1U : 0U));
  }
  // Their places went back to the group, which found nothing more: not full.
  CHECK(result.groups[0].delivered == 30);
  CHECK_FALSE(result.groups[0].full);
  CHECK(result.pending.empty());
}
