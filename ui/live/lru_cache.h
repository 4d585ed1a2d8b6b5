// A string-keyed map that keeps at most `capacity` entries and drops the least recently used one
// first: the live worker's caches (pixels per model and image, baseline captions, SAEs) stay
// bounded however many images a session visits. One thread only (the worker's).
#pragma once
#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace loupe::ui {

template <class Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The entry for `key`, now the most recently used; nullptr when absent.
  Value* find(const std::string& key) {
    const auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, found->second);
    return &found->second->second;
  }

  // Stores `value` under `key` (replacing an older one), dropping the least recently used entry
  // when full. The reference stays valid until that entry is dropped.
  Value& insert(const std::string& key, Value value) {
    if (Value* existing = find(key)) return *existing = std::move(value);
    if (entries_.size() == capacity_) {
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
    entries_.emplace_front(key, std::move(value));
    index_[key] = entries_.begin();
    return entries_.front().second;
  }

  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entries = std::list<std::pair<std::string, Value>>;  // most recently used first
  size_t capacity_;
  Entries entries_;
  std::unordered_map<std::string, typename Entries::iterator> index_;
};

}  // namespace loupe::ui
