// new Run(options, groups, onMessage): one engine run, seen from JS. Worker threads hand
// batches and events to JS through one TypedThreadSafeFunction (one call per batch,
// never per repository); JS acknowledges each stored batch with ack(id), which is the
// engine's backpressure. The run ends by itself (all work done) or with stop(); either
// way onMessage('done', result) is the last message, and the process can exit.
#ifndef GH_INGEST_NAPI_RUN_BINDING_H_
#define GH_INGEST_NAPI_RUN_BINDING_H_

#include <napi.h>

#include <memory>

namespace gh::napi {

struct RunState;

class Run final : public Napi::ObjectWrap<Run> {
 public:
  static Napi::Function Define(Napi::Env env);

  explicit Run(const Napi::CallbackInfo& info);
  ~Run() override;

 private:
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Ack(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value CancelGroup(const Napi::CallbackInfo& info);
  // --coordinate: the answer to a 'gate' message, and the users' lanes this host holds.
  Napi::Value AnswerGate(const Napi::CallbackInfo& info);
  Napi::Value Users(const Napi::CallbackInfo& info);
  Napi::Value HoldUser(const Napi::CallbackInfo& info);
  Napi::Value ReleaseUser(const Napi::CallbackInfo& info);
  Napi::Value RenewLeases(const Napi::CallbackInfo& info);
  // With a gate: that many other hosts of the job are idle (Engine::offer_to_idle_hosts).
  Napi::Value OfferToIdleHosts(const Napi::CallbackInfo& info);
  Napi::Value DropClaims(const Napi::CallbackInfo& info);

  std::shared_ptr<RunState> state_;
};

}  // namespace gh::napi

#endif  // GH_INGEST_NAPI_RUN_BINDING_H_
