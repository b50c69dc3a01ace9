// The engine's WorkGate (--coordinate) answered by JS: each call is posted to the JS
// thread as a 'gate' message {id, kind, args}, and the worker thread waits until JS
// answers it with Run.answerGate(id, value) (after its database round trip). stop
// cancels: every waiting call, and every later one, returns its safe default at once
// (run no query, claim nothing, adopt nothing), so no worker outlives the run waiting.
#ifndef GH_INGEST_NAPI_JS_GATE_H_
#define GH_INGEST_NAPI_JS_GATE_H_

#include <napi.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/engine.h"
#include "core/work_gate.h"

namespace gh::napi {

// One call waiting for JS: `kind` is the name of the JS gate's method, `args` builds its
// arguments on the JS thread.
struct GateCall {
  std::uint64_t id = 0;
  std::string kind;
  std::function<Napi::Array(Napi::Env)> args;
};

class JsGate final : public WorkGate {
 public:
  // Hands a call to the JS thread; false when JS is gone (the call gets its default).
  using Post = std::function<bool(std::unique_ptr<GateCall>)>;
  // Reads adopt()'s `owed` entries ({id, cluster, nodeId?, fullName?, clusters?, row?}), as
  // the run's `pending` option is read; false with a TypeError pending.
  using ReadOwed =
      std::function<bool(Napi::Env, const Napi::Value&, std::vector<OwedRepository>&)>;

  JsGate(const std::vector<EngineGroup>& groups, Post post, ReadOwed read_owed);

  bool take_query(const std::string& query) override;
  void query_done(const std::string& query, bool complete) override;
  std::vector<Claim> claim(const std::vector<Found>& found) override;
  std::vector<bool> offer(const std::vector<Found>& found) override;
  Adopted adopt() override;

  // On the JS thread: the answer to call `id`. A malformed answer is a TypeError (left
  // pending) and the call gets its default.
  void answer(Napi::Env env, std::uint64_t id, const Napi::Value& value);
  void cancel();

 private:
  struct Answer {
    bool done = false;
    bool flag = false;
    std::vector<Claim> claims;
    Adopted adopted;
  };
  Napi::Array items(Napi::Env env, const std::vector<Found>& found) const;
  // Posts a call and waits for its answer; the default answer when cancelled.
  Answer call(std::string kind, std::function<Napi::Array(Napi::Env)> args);

  const std::vector<EngineGroup>& groups_;
  Post post_;
  ReadOwed read_owed_;
  std::mutex mutex_;
  std::condition_variable answered_;
  std::uint64_t next_id_ = 1;
  bool cancelled_ = false;
  std::map<std::uint64_t, Answer> waiting_;  // by call id
};

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_JS_GATE_H_
