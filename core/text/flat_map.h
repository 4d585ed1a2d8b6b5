// An insert-only open-addressing hash map (linear probing, at most half full) for the two big
// tables of a BPE model: vocabulary string -> id and merge pair -> (rank, id). Against
// std::unordered_map it saves one allocation per entry and one cache miss per lookup, which is
// most of the time spent loading the 262k-token Gemma 3 vocabulary with its 514k merges.
#pragma once
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace loupe::text {

// splitmix64's finalizer: spreads ids packed into the low bits over the whole word.
struct MixHash {
  size_t operator()(uint64_t key) const {
    key = (key ^ (key >> 30)) * 0xbf58476d1ce4e5b9ULL;
    key = (key ^ (key >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>(key ^ (key >> 31));
  }
};

template <typename Key, typename Value, typename Hash = std::hash<Key>>
class FlatMap {
 public:
  void reserve(size_t entries) {
    size_t capacity = 16;
    while (capacity < 2 * entries) capacity *= 2;
    if (capacity > slots_.size()) rehash(capacity);
  }

  void insert_or_assign(const Key& key, const Value& value) {
    if (2 * (size_ + 1) > slots_.size()) rehash(slots_.empty() ? 16 : 2 * slots_.size());
    Slot& slot = slots_[probe(key)];
    if (!slot.used) ++size_;
    slot = {key, value, true};
  }

  const Value* find(const Key& key) const {
    if (slots_.empty()) return nullptr;
    const Slot& slot = slots_[probe(key)];
    return slot.used ? &slot.value : nullptr;
  }

  size_t size() const { return size_; }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };

  // The slot holding `key`, or the empty slot where it would go.
  size_t probe(const Key& key) const {
    const size_t mask = slots_.size() - 1;
    size_t index = Hash()(key) & mask;
    while (slots_[index].used && !(slots_[index].key == key)) index = (index + 1) & mask;
    return index;
  }

  void rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& slot : old)
      if (slot.used) slots_[probe(slot.key)] = slot;
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace loupe::text
