#include "napi/run_binding.h"

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/clock.h"
#include "core/engine.h"
#include "napi/arguments.h"
#include "napi/js_gate.h"
#include "napi/stored_row.h"
#include "napi/to_js.h"
#include "napi/user_share.h"

namespace gh::napi {
namespace {}  // namespace

// What a worker thread hands to JS: a batch, an event, a question of the work gate
// (--coordinate), or the end of the run.
struct Message {
  std::variant<Batch, EngineEvent, EngineResult, std::unique_ptr<GateCall>> payload;
};

namespace {

// ---- reading the options (binding/index.js has normalised them already) ----

std::optional<std::int64_t> ReadInt(Napi::Env env, const Napi::Object& o, const char* key,
                                    std::int64_t minimum, std::int64_t fallback) {
  Napi::Value v = o.Get(key);
  if (env.IsExceptionPending()) return std::nullopt;
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber() || v.As<Napi::Number>().Int64Value() < minimum) {
    ThrowInvalidArgument(env, "an integer >= " + std::to_string(minimum),
                         std::string("options.") + key, v);
    return std::nullopt;
  }
  return v.As<Napi::Number>().Int64Value();
}

bool ReadStrings(Napi::Env env, const Napi::Value& v, const std::string& name,
                 std::vector<std::string>& out) {
  if (!v.IsArray()) {
    ThrowInvalidArgument(env, "an array of strings", name, v);
    return false;
  }
  Napi::Array array = v.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) {
      ThrowInvalidArgument(env, "a string", name + "[" + std::to_string(i) + "]", item);
      return false;
    }
    out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return true;
}

// [{id, languages?, readme?, community?}]: the ETags stored for each endpoint.
bool ReadKnownEtags(Napi::Env env, const Napi::Value& value,
                    std::unordered_map<std::int64_t, DetailEtags>& out) {
  if (value.IsUndefined()) return true;
  if (!value.IsArray()) {
    ThrowInvalidArgument(env, "an array of {id, languages, readme, community}",
                         "options.knownEtags", value);
    return false;
  }
  Napi::Array entries = value.As<Napi::Array>();
  out.reserve(entries.Length());
  for (uint32_t i = 0; i < entries.Length(); ++i) {
    Napi::Value entry = entries.Get(i);
    const std::string where = "options.knownEtags[" + std::to_string(i) + "]";
    if (!entry.IsObject() || !entry.As<Napi::Object>().Get("id").IsNumber()) {
      ThrowInvalidArgument(env, "an object with a numeric id", where, entry);
      return false;
    }
    Napi::Object e = entry.As<Napi::Object>();
    DetailEtags etags;
    for (auto [name, field] :
         {std::pair{"languages", &etags.languages}, std::pair{"readme", &etags.readme},
          std::pair{"community", &etags.community}}) {
      Napi::Value v = e.Get(name);
      if (v.IsString()) {
        *field = v.As<Napi::String>().Utf8Value();
      } else if (!v.IsUndefined() && !v.IsNull()) {
        ThrowInvalidArgument(env, "a string", where + "." + name, v);
        return false;
      }
    }
    out[e.Get("id").As<Napi::Number>().Int64Value()] = std::move(etags);
  }
  return true;
}

bool ReadOptions(Napi::Env env, const Napi::Value& value, EngineOptions& options) {
  if (!value.IsObject()) {
    ThrowInvalidArgument(env, "an object", "options", value);
    return false;
  }
  Napi::Object o = value.As<Napi::Object>();
  if (!ReadStrings(env, o.Get("tokens"), "options.tokens", options.tokens)) return false;
  Napi::Value api_url = o.Get("apiUrl");
  if (!api_url.IsUndefined()) {
    std::optional<std::string> url = RequireString(env, api_url, "options.apiUrl");
    if (!url) return false;
    options.api_url = *url;
  }
  // Details through GraphQL unless the caller asks for REST.
  options.details_api = DetailsApi::graphql;
  Napi::Value api = o.Get("api");
  if (!api.IsUndefined()) {
    const std::string name = api.IsString() ? api.As<Napi::String>().Utf8Value() : "";
    if (name != "graphql" && name != "rest") {
      ThrowInvalidArgument(env, "'graphql' or 'rest'", "options.api", api);
      return false;
    }
    options.details_api = name == "rest" ? DetailsApi::rest : DetailsApi::graphql;
  }
  Napi::Value graphql_url = o.Get("graphqlUrl");
  if (!graphql_url.IsUndefined()) {
    std::optional<std::string> url = RequireString(env, graphql_url, "options.graphqlUrl");
    if (!url) return false;
    options.graphql_url = *url;
  }
  const auto workers = ReadInt(env, o, "workers", 0, 0);
  const auto batch_size = ReadInt(env, o, "batchSize", 1, 100);
  const auto max_unacked = ReadInt(env, o, "maxUnacked", 1, 4);
  const auto min_remaining = ReadInt(env, o, "minRemaining", 0, 0);
  const auto per_token = ReadInt(env, o, "requestsPerToken", 0, 0);
  const auto created_upper = ReadInt(env, o, "createdUpper", 0, 0);
  // Requests of one GitHub user in flight at once: GitHub asks for one (serial requests
  // per user); more is for GitHub Enterprise servers or users who accept the risk.
  const auto per_user = ReadInt(env, o, "concurrencyPerUser", 1, 1);
  // GitHub's secondary caps per user and minute (0: none, e.g. a GitHub Enterprise
  // server configured without them).
  const auto rest_per_minute =
      ReadInt(env, o, "restPerMinute", 0, options.pool.rest_points_per_minute);
  const auto graphql_per_minute =
      ReadInt(env, o, "graphqlPerMinute", 0, options.pool.graphql_points_per_minute);
  if (!workers || !batch_size || !max_unacked || !min_remaining || !per_token || !created_upper ||
      !rest_per_minute || !graphql_per_minute || !per_user) {
    return false;
  }
  if (*per_user > 100) {
    ThrowInvalidArgument(env, "an integer from 1 to 100 (GitHub allows at most 100 concurrent "
                         "requests per user)", "options.concurrencyPerUser", o.Get("concurrencyPerUser"));
    return false;
  }
  options.pool.concurrency_per_user = static_cast<int>(*per_user);
  options.pool.rest_points_per_minute = static_cast<int>(*rest_per_minute);
  options.pool.graphql_points_per_minute = static_cast<int>(*graphql_per_minute);
  options.workers = static_cast<int>(*workers);
  options.batch_size = static_cast<std::size_t>(*batch_size);
  options.max_unacked = static_cast<std::size_t>(*max_unacked);
  options.pool.min_remaining = *min_remaining;
  options.pool.requests_per_token = static_cast<int>(*per_token);
  if (*created_upper > 0) options.created_upper = Instant{*created_upper};

  std::vector<std::string> details;
  Napi::Value details_value = o.Get("details");
  if (!details_value.IsUndefined() &&
      !ReadStrings(env, details_value, "options.details", details)) {
    return false;
  }
  for (const std::string& d : details) {
    if (d == "languages") {
      options.details.languages = true;
    } else if (d == "readme") {
      options.details.readme = true;
    } else if (d == "community") {
      options.details.community = true;
    } else {
      ThrowInvalidArgument(env, "languages, readme or community", "options.details[]",
                           Napi::String::New(env, d));
      return false;
    }
  }
  Napi::Value known = o.Get("knownIds");
  if (!known.IsUndefined()) {
    if (!known.IsArray()) {
      ThrowInvalidArgument(env, "an array of repository ids", "options.knownIds", known);
      return false;
    }
    Napi::Array ids = known.As<Napi::Array>();
    options.known_ids.reserve(ids.Length());
    for (uint32_t i = 0; i < ids.Length(); ++i) {
      Napi::Value id = ids.Get(i);
      if (!id.IsNumber()) {
        ThrowInvalidArgument(env, "a number", "options.knownIds[" + std::to_string(i) + "]", id);
        return false;
      }
      options.known_ids.push_back(id.As<Napi::Number>().Int64Value());
    }
  }
  if (!ReadKnownEtags(env, o.Get("knownEtags"), options.known_etags)) return false;
  Napi::Value check = o.Get("checkTokens");
  if (!check.IsUndefined()) options.check_tokens = check.ToBoolean().Value();
  // One host of a coordinated job: a user is served only while this host holds it.
  options.pool.shared = o.Get("coordinated").ToBoolean().Value();
  // Each token's login, when the caller checked the tokens itself (--coordinate checks
  // them while the job's other hosts hold off).
  Napi::Value logins = o.Get("logins");
  if (!logins.IsUndefined()) {
    if (!ReadStrings(env, logins, "options.logins", options.logins)) return false;
    if (options.logins.size() != options.tokens.size()) {
      ThrowInvalidArgument(env, "one login per token", "options.logins", logins);
      return false;
    }
  }
  return !env.IsExceptionPending();
}

bool ReadGroups(Napi::Env env, const Napi::Value& value, std::vector<EngineGroup>& groups) {
  if (!value.IsArray()) {
    ThrowInvalidArgument(env, "an array of {name, queries, limit}", "groups", value);
    return false;
  }
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string name = "groups[" + std::to_string(i) + "]";
    Napi::Value item = array.Get(i);
    if (!item.IsObject()) {
      ThrowInvalidArgument(env, "an object", name, item);
      return false;
    }
    Napi::Object g = item.As<Napi::Object>();
    EngineGroup group;
    std::optional<std::string> group_name = RequireString(env, g.Get("name"), name + ".name");
    if (!group_name) return false;
    group.name = *group_name;
    if (!ReadStrings(env, g.Get("queries"), name + ".queries", group.queries)) return false;
    const auto limit = ReadInt(env, g, "limit", 0, 0);
    if (!limit) return false;
    group.limit = *limit;
    groups.push_back(std::move(group));
  }
  return true;
}

// Group index by name, for entries that name their group (`cluster`).
std::unordered_map<std::string, std::size_t> GroupIndex(const std::vector<EngineGroup>& groups) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t g = 0; g < groups.size(); ++g) index.emplace(groups[g].name, g);
  return index;
}

// The group `entry.cluster` names; throws (false) when it names none.
bool ReadGroupOf(Napi::Env env, const Napi::Object& entry,
                 const std::unordered_map<std::string, std::size_t>& index,
                 const std::string& where, std::size_t& group) {
  Napi::Value cluster = entry.Get("cluster");
  const auto found =
      cluster.IsString() ? index.find(cluster.As<Napi::String>().Utf8Value()) : index.end();
  if (found == index.end()) {
    ThrowInvalidArgument(env, "the name of one of the groups", where + ".cluster", cluster);
    return false;
  }
  group = found->second;
  return true;
}

// [{id, cluster, etag?, row?}]: stored repositories to re-check, each carried by the
// batches of the group named by its stored cluster; `row` (its stored columns) lets a
// GraphQL refresh compare GitHub's answer with it.
bool ReadRefresh(Napi::Env env, const Napi::Value& value, const std::vector<EngineGroup>& groups,
                 std::vector<RefreshTarget>& out) {
  if (value.IsUndefined()) return true;
  if (!value.IsArray()) {
    ThrowInvalidArgument(env, "an array of {id, cluster, etag}", "options.refresh", value);
    return false;
  }
  const std::unordered_map<std::string, std::size_t> index = GroupIndex(groups);
  Napi::Array entries = value.As<Napi::Array>();
  out.reserve(entries.Length());
  for (uint32_t i = 0; i < entries.Length(); ++i) {
    Napi::Value entry = entries.Get(i);
    const std::string where = "options.refresh[" + std::to_string(i) + "]";
    if (!entry.IsObject() || !entry.As<Napi::Object>().Get("id").IsNumber()) {
      ThrowInvalidArgument(env, "an object with a numeric id", where, entry);
      return false;
    }
    Napi::Object e = entry.As<Napi::Object>();
    std::size_t group = 0;
    if (!ReadGroupOf(env, e, index, where, group)) return false;
    RefreshTarget target;
    target.id = e.Get("id").As<Napi::Number>().Int64Value();
    target.group = group;
    Napi::Value etag = e.Get("etag");
    if (etag.IsString()) target.etag = etag.As<Napi::String>().Utf8Value();
    Napi::Value row = e.Get("row");
    if (row.IsObject()) {
      Repository stored;
      if (!ReadStoredRow(env, row.As<Napi::Object>(), where + ".row", stored)) return false;
      stored.id = target.id;
      target.stored = std::move(stored);
    }
    out.push_back(std::move(target));
  }
  return true;
}

// [{id, cluster, nodeId?, fullName?, clusters?, row?}]: repositories an earlier run could
// not fetch (pending), fetched first for the group named by `cluster`; `clusters` lists
// every cluster whose searches found them; `row`, a repository offered by the host of
// the job that found it: its search fields, so it is not fetched by id.
bool ReadPending(Napi::Env env, const Napi::Value& value, const std::vector<EngineGroup>& groups,
                 std::vector<OwedRepository>& out) {
  if (value.IsUndefined()) return true;
  if (!value.IsArray()) {
    ThrowInvalidArgument(env, "an array of {id, cluster}", "options.pending", value);
    return false;
  }
  const std::unordered_map<std::string, std::size_t> index = GroupIndex(groups);
  Napi::Array entries = value.As<Napi::Array>();
  out.reserve(entries.Length());
  for (uint32_t i = 0; i < entries.Length(); ++i) {
    Napi::Value entry = entries.Get(i);
    const std::string where = "options.pending[" + std::to_string(i) + "]";
    if (!entry.IsObject() || !entry.As<Napi::Object>().Get("id").IsNumber()) {
      ThrowInvalidArgument(env, "an object with a numeric id", where, entry);
      return false;
    }
    Napi::Object e = entry.As<Napi::Object>();
    std::size_t group = 0;
    if (!ReadGroupOf(env, e, index, where, group)) return false;
    OwedRepository owed;
    owed.id = e.Get("id").As<Napi::Number>().Int64Value();
    owed.group = group;
    Napi::Value node_id = e.Get("nodeId");
    if (node_id.IsString()) owed.node_id = node_id.As<Napi::String>().Utf8Value();
    Napi::Value full_name = e.Get("fullName");
    if (full_name.IsString()) owed.full_name = full_name.As<Napi::String>().Utf8Value();
    Napi::Value finders = e.Get("clusters");
    if (finders.IsArray()) {
      Napi::Array names = finders.As<Napi::Array>();
      for (uint32_t n = 0; n < names.Length(); ++n) {
        Napi::Value name = names.Get(n);
        if (!name.IsString()) continue;
        // A cluster not in this run cannot be named by index: it stays in the stored row.
        const auto finder = index.find(name.As<Napi::String>().Utf8Value());
        if (finder != index.end()) owed.finders.push_back(finder->second);
      }
    }
    Napi::Value row = e.Get("row");
    if (row.IsObject()) {
      Repository repo;
      if (!ReadStoredRow(env, row.As<Napi::Object>(), where + ".row", repo)) return false;
      owed.repo = std::move(repo);
    }
    out.push_back(std::move(owed));
  }
  return true;
}

}  // namespace

void CallJs(Napi::Env env, Napi::Function callback, RunState* state, Message* message);
using Tsfn = Napi::TypedThreadSafeFunction<RunState, Message, CallJs>;

// Shared by the JS object, the worker threads (through the sink) and the tsfn's
// finalizer, which holds the last reference.
struct RunState final : public EngineSink {
  std::vector<EngineGroup> groups;
  SystemClock clock;
  std::unique_ptr<JsGate> gate;  // with options.gated: the engine's WorkGate
  std::unique_ptr<Engine> engine;
  Tsfn tsfn;
  std::thread waiter;  // waits for the run's end, posts 'done', releases the tsfn
  bool started = false;
  bool cleanup_hook = false;  // registered at start(), removed by the finalizer
  bool finalized = false;     // the tsfn is gone (also at environment teardown)

  void Post(Message* message) {
    if (tsfn.BlockingCall(message) != napi_ok) delete message;  // closing: JS is gone
  }
  void on_batch(Batch batch) override { Post(new Message{std::move(batch)}); }
  void on_event(const EngineEvent& event) override { Post(new Message{event}); }
};

void OnEnvCleanup(void* arg) {
  auto* state = static_cast<RunState*>(arg);
  state->cleanup_hook = false;
  // JS answers no gate call from now on: the workers waiting for one go on at once.
  if (state->gate) state->gate->cancel();
  state->engine->stop();
  state->engine->wait();
  if (state->waiter.joinable()) state->waiter.join();
}

// On the JS thread, one call per message: onMessage(kind, data). A null env means the
// environment is going away: the message is only freed.
void CallJs(Napi::Env env, Napi::Function callback, RunState* state, Message* message) {
  std::unique_ptr<Message> owned(message);
  if (env == nullptr || callback.IsEmpty() || state == nullptr) return;
  const char* kind = "done";
  Napi::Value data;
  if (const auto* batch = std::get_if<Batch>(&message->payload)) {
    kind = "batch";
    data = ToJs(env, *batch, state->groups);
  } else if (const auto* event = std::get_if<EngineEvent>(&message->payload)) {
    kind = "event";
    data = ToJs(env, *event, state->groups);
  } else if (const auto* call = std::get_if<std::unique_ptr<GateCall>>(&message->payload)) {
    kind = "gate";
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, static_cast<double>((*call)->id)));
    o.Set("kind", (*call)->kind);
    o.Set("args", (*call)->args(env));
    data = o;
  } else {
    data = ToJs(env, std::get<EngineResult>(message->payload), state->groups);
  }
  // An exception thrown by the callback stays pending and surfaces as an uncaught
  // exception in JS; nothing C++ throws here.
  callback.Call({Napi::String::New(env, kind), data});
}

Napi::Function Run::Define(Napi::Env env) {
  return DefineClass(env, "Run",
                     {InstanceMethod("start", &Run::Start), InstanceMethod("ack", &Run::Ack),
                      InstanceMethod("stop", &Run::Stop), InstanceMethod("stats", &Run::Stats),
                      InstanceMethod("cancelGroup", &Run::CancelGroup),
                      InstanceMethod("answerGate", &Run::AnswerGate),
                      InstanceMethod("users", &Run::Users),
                      InstanceMethod("holdUser", &Run::HoldUser),
                      InstanceMethod("releaseUser", &Run::ReleaseUser),
                      InstanceMethod("renewLeases", &Run::RenewLeases),
                      InstanceMethod("offerToIdleHosts", &Run::OfferToIdleHosts),
                      InstanceMethod("dropClaims", &Run::DropClaims)});
}

Run::Run(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Run>(info) {
  Napi::Env env = info.Env();
  auto state = std::make_shared<RunState>();
  EngineOptions options;
  if (!ReadOptions(env, info[0], options)) return;
  if (!ReadGroups(env, info[1], state->groups)) return;
  if (info[0].IsObject() && !ReadPending(env, info[0].As<Napi::Object>().Get("pending"),
                                         state->groups, options.owed)) {
    return;
  }
  if (info[0].IsObject() && !ReadRefresh(env, info[0].As<Napi::Object>().Get("refresh"),
                                         state->groups, options.refresh)) {
    return;
  }
  if (!info[2].IsFunction()) {
    ThrowInvalidArgument(env, "a function", "onMessage", info[2]);
    return;
  }
  if (info[0].As<Napi::Object>().Get("gated").ToBoolean().Value()) {
    RunState* raw = state.get();
    state->gate = std::make_unique<JsGate>(
        state->groups,
        [raw](std::unique_ptr<GateCall> call) {
          auto* message = new Message{std::move(call)};
          if (raw->tsfn.BlockingCall(message) == napi_ok) return true;
          delete message;  // closing: JS is gone
          return false;
        },
        [raw](Napi::Env js, const Napi::Value& owed, std::vector<OwedRepository>& out) {
          return ReadPending(js, owed, raw->groups, out);
        });
    options.gate = state->gate.get();
  }
  state->engine = std::make_unique<Engine>(std::move(options), state->groups, *state, state->clock);
  auto* keep = new std::shared_ptr<RunState>(state);
  state->tsfn = Tsfn::New(env, info[2].As<Napi::Function>(), "gh-ingest:run", 0, 1, state.get(),
                          [keep](Napi::Env finalizing, void*, RunState* ended) {
                            // Every thread has released the tsfn: join the waiter.
                            if (ended->cleanup_hook) {
                              napi_remove_env_cleanup_hook(finalizing, OnEnvCleanup, ended);
                            }
                            ended->finalized = true;
                            if (ended->waiter.joinable()) ended->waiter.join();
                            delete keep;
                          });
  state->tsfn.Unref(env);  // until start(), nothing keeps the process alive
  state_ = std::move(state);
}

Run::~Run() {
  // Never started: nobody else will release the tsfn.
  if (state_ && !state_->started && !state_->finalized) state_->tsfn.Release();
}

Napi::Value Run::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_ || state_->started) {
    Napi::Error::New(env, "this run was started already").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  state_->started = true;
  state_->tsfn.Ref(env);  // an active run keeps the process alive until 'done'
  RunState* state = state_.get();
  state->engine->start();
  state->waiter = std::thread([state] {
    EngineResult result = state->engine->wait();
    if (state->gate) state->gate->cancel();
    state->Post(new Message{std::move(result)});
    state->tsfn.Release();
  });
  // Node exiting while the run is active: stop it and join every thread before the
  // environment (and anything the threads could touch) goes away.
  napi_add_env_cleanup_hook(env, OnEnvCleanup, state);
  state->cleanup_hook = true;
  return env.Undefined();
}

Napi::Value Run::Ack(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowInvalidArgument(env, "a batch id", "batchId", info[0]);
  if (state_) {
    state_->engine->ack(static_cast<std::uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  }
  return env.Undefined();
}

Napi::Value Run::Stop(const Napi::CallbackInfo& info) {
  // Never joins here: the run ends on its own threads and says so with 'done'.
  if (state_) {
    state_->engine->stop();
    if (state_->gate) state_->gate->cancel();
  }
  return info.Env().Undefined();
}

Napi::Value Run::CancelGroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) return ThrowInvalidArgument(env, "a group name", "name", info[0]);
  if (!state_) return env.Undefined();
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  for (std::size_t g = 0; g < state_->groups.size(); ++g) {
    if (state_->groups[g].name == name) {
      state_->engine->cancel_group(g);
      return env.Undefined();
    }
  }
  return ThrowInvalidArgument(env, "the name of one of the run's groups", "name", info[0]);
}

Napi::Value Run::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_) return env.Undefined();
  return ToJs(env, state_->engine->pool_snapshot());
}

}  // namespace gh::napi

namespace gh::napi {

Napi::Value Run::AnswerGate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowInvalidArgument(env, "a gate call id", "id", info[0]);
  if (state_ && state_->gate) {
    state_->gate->answer(env, static_cast<std::uint64_t>(info[0].As<Napi::Number>().Int64Value()),
                         info[1]);
  }
  return env.Undefined();
}

Napi::Value Run::Users(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!state_) return env.Undefined();
  const std::vector<UserStatus> users = state_->engine->users();
  Napi::Array out = Napi::Array::New(env, users.size());
  for (std::size_t i = 0; i < users.size(); ++i) out.Set(static_cast<uint32_t>(i), ToJs(env, users[i]));
  return out;
}

Napi::Value Run::HoldUser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  UserShare share;
  if (!ReadUserShare(env, info[0], share)) return env.Undefined();
  if (state_) state_->engine->hold_user(share);
  return env.Undefined();
}

Napi::Value Run::ReleaseUser(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::optional<std::string> login = RequireString(env, info[0], "login");
  if (!login) return env.Undefined();
  if (state_) state_->engine->release_user(*login);
  return env.Undefined();
}

}  // namespace gh::napi

namespace gh::napi {

Napi::Value Run::RenewLeases(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) return ThrowInvalidArgument(env, "epoch milliseconds", "untilMs", info[0]);
  const auto until = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::milliseconds(info[0].As<Napi::Number>().Int64Value())));
  if (state_) state_->engine->renew_leases(until);
  return env.Undefined();
}

Napi::Value Run::OfferToIdleHosts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || info[0].As<Napi::Number>().DoubleValue() < 0) {
    return ThrowInvalidArgument(env, "a number of hosts (0 or more)", "hosts", info[0]);
  }
  if (state_) {
    state_->engine->offer_to_idle_hosts(static_cast<std::size_t>(info[0].As<Napi::Number>().Int64Value()));
  }
  return env.Undefined();
}

// ids: repository ids (numbers) another host of the job took over; returns how many
// were dropped from the queues.
Napi::Value Run::DropClaims(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) return ThrowInvalidArgument(env, "an array of repository ids", "ids", info[0]);
  const Napi::Array array = info[0].As<Napi::Array>();
  std::vector<std::int64_t> ids;
  ids.reserve(array.Length());
  for (std::uint32_t i = 0; i < array.Length(); ++i) {
    const Napi::Value id = array.Get(i);
    if (!id.IsNumber()) return ThrowInvalidArgument(env, "an array of repository ids", "ids", info[0]);
    ids.push_back(id.As<Napi::Number>().Int64Value());
  }
  const std::size_t dropped = state_ ? state_->engine->drop_claims(ids) : 0;
  return Napi::Number::New(env, static_cast<double>(dropped));
}

}  // namespace gh::napi
