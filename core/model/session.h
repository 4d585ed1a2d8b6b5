// Per-run state: the KV cache, the hook set and how many positions have been consumed. A model is
// shared and never changed after loading; each worker thread owns its Session.
#pragma once
#include <vector>

#include "core/model/attention.h"
#include "core/model/hooks.h"

namespace loupe::model {

class Session {
 public:
  HookSet hooks;
  std::vector<LayerCache> cache;  // one per decoder layer
  int64_t length = 0;             // positions consumed: the next token's absolute position

  // Forgets the cached keys and what was captured; the hooks stay registered.
  void reset() {
    cache.clear();
    length = 0;
    hooks.clear_captures();
  }
};

}  // namespace loupe::model
