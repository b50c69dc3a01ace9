// What one host asks the job before it does shared work (--coordinate): several engine
// processes, on several machines, run one job against one database, and each query and
// each repository must be worked on by one of them only. The coordinator (the JS side,
// in SQL) implements the gate; the engine asks it from its worker threads.
//
// Implementations may block (a database round trip); they are called from worker threads
// without the engine's locks held, possibly from several at once, and must not throw.
#ifndef GH_INGEST_CORE_WORK_GATE_H_
#define GH_INGEST_CORE_WORK_GATE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/repository.h"

namespace gh {

// A repository claimed and not stored: by an earlier run (pending, EngineOptions::owed),
// or by a host of the job that died (WorkGate::adopt). Fetched first, by id, for the
// group it was claimed for. (Here rather than in engine.h: the gate hands them over too.)
struct OwedRepository {
  std::int64_t id = 0;
  std::size_t group = 0;
  std::string node_id;    // as recorded, for the pending list if it fails again
  std::string full_name;
  std::vector<std::size_t> finders;  // the other groups whose searches found it
  // Its search fields, when the host that found it offered it to the job (WorkGate::claim):
  // queued for its details as it is, with no request to fetch it by id.
  std::optional<Repository> repo;
};

class WorkGate {
 public:
  virtual ~WorkGate() = default;

  // Whether this host runs `query` (one search plan: a user query, possibly listed by
  // several groups). Asked once per query, before its first request. false: another
  // host runs it; this host skips it entirely (its groups count it neither as failed nor
  // as lost: for them the query is done here).
  virtual bool take_query(const std::string& query) = 0;

  // The query's plan ended on this host: complete (every range searched) or not (some
  // range failed; it is also in EngineResult::failed_searches). Not called for a query
  // cut short by its groups' limits, a cancelled group, or stop().
  virtual void query_done(const std::string& query, bool complete) = 0;

  struct Found {
    std::int64_t id = 0;
    std::string node_id;
    std::string full_name;
    std::size_t group = 0;  // the one this host would claim it for
    const Repository* repo = nullptr;  // its search fields, valid during the call
  };
  enum class Claim {
    mine,       // this host fetches it
    elsewhere,  // another host had claimed it already
    // Claimed for the job and offered to a host with nothing to do: that host (or this
    // one, if it goes idle first) gets it from adopt() with its search fields.
    offered,
  };
  // New repositories this host would claim (its own registry and known ids have
  // decided): per entry, in order, what the job decided. One call per search page.
  virtual std::vector<Claim> claim(const std::vector<Found>& found) = 0;

  // Repositories this host claimed and has not started, offered to the job's idle hosts
  // (Engine::offer_to_idle_hosts): per entry, whether the job took the offer (true: this
  // host no longer fetches it; another host, or this one, gets it from adopt()).
  virtual std::vector<bool> offer(const std::vector<Found>& found) = 0;

  struct Adopted {
    std::vector<std::string> queries;  // to run again from their first page
    // Claimed but not stored: offered ones (with their search fields), a dead host's (to
    // fetch by id unless offered).
    std::vector<OwedRepository> owed;
    bool empty() const { return queries.empty() && owed.empty(); }
  };
  // Called when this host has no work left: the work of hosts that died. Empty: the job
  // is over, the run may end. May block a long time while other hosts are still
  // working; must return promptly after Engine::stop() (the implementation sees to it).
  virtual Adopted adopt() = 0;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_WORK_GATE_H_
