#include "napi/js_gate.h"

#include <utility>

#include "napi/arguments.h"
#include "napi/to_js.h"

namespace gh::napi {

JsGate::JsGate(const std::vector<EngineGroup>& groups, Post post, ReadOwed read_owed)
    : groups_(groups), post_(std::move(post)), read_owed_(std::move(read_owed)) {}

JsGate::Answer JsGate::call(std::string kind, std::function<Napi::Array(Napi::Env)> args) {
  auto request = std::make_unique<GateCall>();
  request->kind = std::move(kind);
  request->args = std::move(args);
  std::uint64_t id = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (cancelled_) return {};
    id = next_id_++;
    request->id = id;
    waiting_[id];
  }
  if (!post_(std::move(request))) {
    std::lock_guard<std::mutex> guard(mutex_);
    waiting_.erase(id);
    return {};
  }
  std::unique_lock<std::mutex> lock(mutex_);
  answered_.wait(lock, [&] { return cancelled_ || waiting_[id].done; });
  Answer answer = std::move(waiting_[id]);
  waiting_.erase(id);
  if (!answer.done) return {};
  return answer;
}

bool JsGate::take_query(const std::string& query) {
  return call("takeQuery", [query](Napi::Env env) {
           Napi::Array args = Napi::Array::New(env, 1);
           args.Set(0u, query);
           return args;
         }).flag;
}

void JsGate::query_done(const std::string& query, bool complete) {
  call("queryDone", [query, complete](Napi::Env env) {
    Napi::Array args = Napi::Array::New(env, 2);
    args.Set(0u, query);
    args.Set(1u, complete);
    return args;
  });
}

// The repositories of a claim or an offer, as the JS gate reads them: {id, nodeId,
// fullName, cluster, row}, `row` their search fields as the engine delivers a row.
Napi::Array JsGate::items(Napi::Env env, const std::vector<Found>& found) const {
  Napi::Array items = Napi::Array::New(env, found.size());
  for (std::size_t i = 0; i < found.size(); ++i) {
    Napi::Object item = Napi::Object::New(env);
    item.Set("id", Napi::Number::New(env, static_cast<double>(found[i].id)));
    item.Set("nodeId", found[i].node_id);
    item.Set("fullName", found[i].full_name);
    item.Set("cluster", groups_.at(found[i].group).name);
    if (found[i].repo != nullptr) item.Set("row", ToJs(env, *found[i].repo, DetailReport{}));
    items.Set(static_cast<uint32_t>(i), item);
  }
  return items;
}

std::vector<WorkGate::Claim> JsGate::claim(const std::vector<Found>& found) {
  // `found` outlives the call: its worker waits for the answer.
  Answer answer = call("claim", [&found, this](Napi::Env env) {
    Napi::Array args = Napi::Array::New(env, 1);
    args.Set(0u, items(env, found));
    return args;
  });
  // Anything but one answer per repository claims nothing: another host may have them.
  if (answer.claims.size() != found.size()) return std::vector<Claim>(found.size(), Claim::elsewhere);
  return answer.claims;
}

std::vector<bool> JsGate::offer(const std::vector<Found>& found) {
  Answer answer = call("offer", [&found, this](Napi::Env env) {
    Napi::Array args = Napi::Array::New(env, 1);
    args.Set(0u, items(env, found));
    return args;
  });
  // Taken: 'offered'. Anything else (a malformed answer, a cancelled call) keeps them here.
  std::vector<bool> taken(found.size(), false);
  if (answer.claims.size() != found.size()) return taken;
  for (std::size_t i = 0; i < found.size(); ++i) taken[i] = answer.claims[i] == Claim::offered;
  return taken;
}

WorkGate::Adopted JsGate::adopt() {
  return call("adopt", [](Napi::Env env) { return Napi::Array::New(env, 0); }).adopted;
}

void JsGate::answer(Napi::Env env, std::uint64_t id, const Napi::Value& value) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (waiting_.count(id) == 0) return;  // cancelled meanwhile
  }
  Answer answer;
  answer.done = true;
  if (value.IsBoolean()) {
    answer.flag = value.As<Napi::Boolean>().Value();
  } else if (value.IsArray()) {
    // claim's answer: true (this host's), false (another's), 'offered'.
    Napi::Array claims = value.As<Napi::Array>();
    for (uint32_t i = 0; i < claims.Length(); ++i) {
      Napi::Value v = claims.Get(i);
      if (v.IsString() && v.As<Napi::String>().Utf8Value() == "offered") {
        answer.claims.push_back(Claim::offered);
      } else {
        answer.claims.push_back(v.ToBoolean() ? Claim::mine : Claim::elsewhere);
      }
    }
  } else if (value.IsObject()) {
    Napi::Object adopted = value.As<Napi::Object>();
    Napi::Value queries = adopted.Get("queries");
    if (queries.IsArray()) {
      Napi::Array list = queries.As<Napi::Array>();
      for (uint32_t i = 0; i < list.Length(); ++i) {
        std::optional<std::string> query =
            RequireString(env, list.Get(i), "adopted.queries[" + std::to_string(i) + "]");
        if (!query) break;
        answer.adopted.queries.push_back(*query);
      }
    }
    if (!env.IsExceptionPending()) read_owed_(env, adopted.Get("owed"), answer.adopted.owed);
    if (env.IsExceptionPending()) answer.adopted = {};
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    it->second = std::move(answer);
  }
  answered_.notify_all();
}

void JsGate::cancel() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    cancelled_ = true;
  }
  answered_.notify_all();
}

}  // namespace gh::napi
