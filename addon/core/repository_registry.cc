#include "core/repository_registry.h"

#include <algorithm>

namespace gh {

namespace {
constexpr std::size_t kNoOwner = static_cast<std::size_t>(-1);
}

RepositoryRegistry::RepositoryRegistry(std::vector<std::int64_t> limits)
    : limits_(std::move(limits)), claimed_(limits_.size(), 0) {}

void RepositoryRegistry::add_known(const std::vector<std::int64_t>& ids) {
  std::lock_guard<std::mutex> guard(mutex_);
  entries_.reserve(entries_.size() + ids.size());
  for (std::int64_t id : ids) entries_.emplace(id, Entry{kNoOwner, true, {}, 0, false, false});
}

RepositoryRegistry::Claim RepositoryRegistry::claim(std::int64_t id, std::size_t group) {
  std::lock_guard<std::mutex> guard(mutex_);
  Entry& entry =
      entries_.try_emplace(id, Entry{kNoOwner, false, {}, 0, false, false}).first->second;
  if (std::find(entry.finders.begin(), entry.finders.end(), group) == entry.finders.end()) {
    entry.finders.push_back(group);
  }
  if (entry.known) return {Verdict::known, group};
  if (entry.released) return {Verdict::released, group};
  if (entry.owner != kNoOwner) return {Verdict::duplicate, entry.owner};
  // Seen only by groups that were full so far: the first with room takes it.
  if (claimed_[group] >= limits_[group]) return {Verdict::over_limit, group};
  ++claimed_[group];
  entry.owner = group;
  // The owner is listed first.
  std::rotate(entry.finders.begin(), std::find(entry.finders.begin(), entry.finders.end(), group),
              std::find(entry.finders.begin(), entry.finders.end(), group) + 1);
  return {Verdict::claimed, group};
}

void RepositoryRegistry::claim_owed(std::int64_t id, std::size_t group,
                                    const std::vector<std::size_t>& finders) {
  std::lock_guard<std::mutex> guard(mutex_);
  Entry& entry =
      entries_.try_emplace(id, Entry{kNoOwner, false, {}, 0, false, false}).first->second;
  if (entry.known || entry.owner != kNoOwner || group >= claimed_.size()) return;
  ++claimed_[group];
  entry.owner = group;
  entry.finders.erase(std::remove(entry.finders.begin(), entry.finders.end(), group),
                      entry.finders.end());
  entry.finders.insert(entry.finders.begin(), group);
  for (std::size_t g : finders) {
    if (g < claimed_.size() &&
        std::find(entry.finders.begin(), entry.finders.end(), g) == entry.finders.end()) {
      entry.finders.push_back(g);
    }
  }
}

void RepositoryRegistry::release(std::int64_t id) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.known || it->second.owner == kNoOwner) return;
  --claimed_[it->second.owner];
  // Never claimed again in this run: the search that gave its place back may meet it
  // again, and it would fail again (the next run tries it anew).
  it->second.owner = kNoOwner;
  it->second.released = true;
}

std::vector<std::size_t> RepositoryRegistry::finders(std::int64_t id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  return it == entries_.end() ? std::vector<std::size_t>{} : it->second.finders;
}

std::vector<std::size_t> RepositoryRegistry::deliver(std::int64_t id) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return {};
  it->second.delivered = true;
  it->second.delivered_finders = it->second.finders.size();
  return it->second.finders;
}

std::vector<std::pair<std::int64_t, std::vector<std::size_t>>> RepositoryRegistry::late_finders()
    const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<std::pair<std::int64_t, std::vector<std::size_t>>> late;
  for (const auto& [id, entry] : entries_) {
    const bool grew = entry.delivered && entry.finders.size() > entry.delivered_finders;
    const bool known_found = entry.known && !entry.finders.empty();
    if (grew || known_found) late.emplace_back(id, entry.finders);
  }
  // Deterministic order: by id.
  std::sort(late.begin(), late.end());
  return late;
}

std::int64_t RepositoryRegistry::claimed(std::size_t group) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return claimed_[group];
}

std::int64_t RepositoryRegistry::limit(std::size_t group) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return limits_[group];
}

bool RepositoryRegistry::full(std::size_t group) const {
  std::lock_guard<std::mutex> guard(mutex_);
  return claimed_[group] >= limits_[group];
}

}  // namespace gh
