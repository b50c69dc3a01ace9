// Which repositories this run has met, and which groups found each: a repository is
// fetched and counted once (for the first group that found it, within that group's
// limit), however many pages, queries and clusters return it. Thread-safe.
#ifndef GH_INGEST_CORE_REPOSITORY_REGISTRY_H_
#define GH_INGEST_CORE_REPOSITORY_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gh {

class RepositoryRegistry {
 public:
  // `limits[g]`: how many new repositories group g wants (its quota still missing).
  explicit RepositoryRegistry(std::vector<std::int64_t> limits);

  // Repositories already stored and fresh: found again, they need no detail fetch and
  // count towards no limit.
  void add_known(const std::vector<std::int64_t>& ids);

  enum class Verdict {
    claimed,     // new: fetch its details; it counts towards `group`'s limit
    known,       // stored before this run: no details, no count
    duplicate,   // already claimed in this run (perhaps by another group)
    over_limit,  // new, but `group` has all it wants (a group with room may claim it)
    released,    // given back in this run (gone, failed): not claimed again
  };
  struct Claim {
    Verdict verdict;
    std::size_t owner;  // the group it counts for (claimed, duplicate)
  };
  // Records that `group` found repository `id` and decides what to do with it.
  Claim claim(std::int64_t id, std::size_t group);

  // A repository an earlier run claimed for `group` and could not fetch (pending): claimed
  // for it again before any search, even past its limit (the earlier run counted it
  // within the quota already), with the finders that earlier run recorded.
  void claim_owed(std::int64_t id, std::size_t group, const std::vector<std::size_t>& finders);

  // A claimed repository that could not be delivered (gone, failed): its place in the
  // group's limit is given back for other repositories; this one is not claimed again.
  void release(std::int64_t id);

  // Every group that found `id` in this run, the owner first.
  std::vector<std::size_t> finders(std::int64_t id) const;

  // The finders of a claimed repository as it is handed on; remembered, so that groups
  // finding it afterwards show up in late_finders().
  std::vector<std::size_t> deliver(std::int64_t id);

  // Repositories whose finders the delivered rows do not list in full: those delivered
  // before another group found them too, and stored ones (known) found in this run.
  // Each with all its finders of this run, the owner first.
  std::vector<std::pair<std::int64_t, std::vector<std::size_t>>> late_finders() const;

  std::int64_t claimed(std::size_t group) const;
  std::int64_t limit(std::size_t group) const;
  bool full(std::size_t group) const;

 private:
  struct Entry {
    std::size_t owner;
    bool known;
    std::vector<std::size_t> finders;
    std::size_t delivered_finders = 0;  // how many the delivered row listed
    bool delivered = false;
    bool released = false;
  };
  mutable std::mutex mutex_;
  std::vector<std::int64_t> limits_;
  std::vector<std::int64_t> claimed_;
  std::unordered_map<std::int64_t, Entry> entries_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_REPOSITORY_REGISTRY_H_
