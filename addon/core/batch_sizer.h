// How many repositories one GraphQL details query may ask for, found by the answers
// rather than fixed. GitHub ends a request it cannot process within 10 seconds with a
// 502/504, whatever the query's nominal cost (one point for 100 repositories): the real
// work is the nested reads (languages, git trees, README blobs) times the repositories.
// So a query that times out is split in halves and the size that works is remembered
// for the run; after a run of successes the size grows back, gradually, towards the
// maximum.
//
// Growth is careful because every failed attempt costs a timeout (10 s of a worker on
// github.com): a larger size is a trial, leased to one query at a time while the other
// workers keep the size known to work, and adopted only once that query answers. The
// smallest size that failed is a gate that growth approaches (a quarter more at a time,
// never past halfway to the gate) and stops short of when within a quarter; the gate
// itself is tried again only after a long run of successes, twice as long after each
// time it fails again. A run whose budget never changes therefore pays a handful of
// timeouts, not one per batch; a GitHub that recovers gets full batches back.
//
// Thread-safe: the workers of a run share one sizer per query shape.
#ifndef GH_INGEST_CORE_BATCH_SIZER_H_
#define GH_INGEST_CORE_BATCH_SIZER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>

namespace gh {

struct BatchSizerOptions {
  std::size_t max = 100;  // GitHub's nodes(ids:) limit
  int grow_after = 4;     // successes at the current size before it grows
  int probe_after = 16;   // successes just below the gate before the gate is tried again
};

struct BatchSizerStats {
  std::size_t size = 0;       // the size now
  std::size_t smallest = 0;   // the smallest size used in the run
  std::size_t gate = 0;       // the smallest size known to fail (max + 1: none)
  std::int64_t timeouts = 0;  // queries of more than one repository that timed out
  std::int64_t shrinks = 0;
  std::int64_t grows = 0;
};

// How many repositories one query may ask for; `trial`: a larger size than the one known
// to work, leased to this query alone.
struct BatchLease {
  std::size_t size = 0;
  bool trial = false;
};

class BatchSizer {
 public:
  explicit BatchSizer(BatchSizerOptions options = {});

  // The size known to work (1..max).
  std::size_t size() const;
  // The size for the next query: the trial size when one is waiting and no other query
  // holds it, else size(). A trial lease must end in succeeded() or timed_out() with
  // its full size, or in release().
  BatchLease lease();
  // A lease not used at its full size (the queue held fewer repositories): its trial,
  // if it was one, goes to a later query.
  void release(const BatchLease& lease);
  // A query of `count` repositories timed out (or failed the way a timeout does).
  void timed_out(std::size_t count);
  // A query of `count` repositories was answered.
  void succeeded(std::size_t count);

  BatchSizerStats stats() const;

 private:
  BatchSizerOptions options_;
  mutable std::mutex mutex_;
  std::size_t size_;
  std::size_t gate_;      // growth stays below it; max + 1 when nothing failed
  std::size_t good_ = 0;  // the largest size answered below the gate
  bool probing_ = false;  // the trial tries the gate again
  std::size_t trial_ = 0;  // a larger size waiting to be tried; 0: none
  bool trial_out_ = false;  // a query holds the trial
  int streak_ = 0;        // successes at the current size since it last changed
  int probe_after_;
  BatchSizerStats stats_;
};

}  // namespace gh

#endif  // GH_INGEST_CORE_BATCH_SIZER_H_
