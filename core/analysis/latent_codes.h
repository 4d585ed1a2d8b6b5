// One pass over an activation store: the SAE encoding of every chosen vector, kept sparse (only the
// latents > 0), so that every statistic of the feature analysis reads it without encoding again.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/sae/sae.h"
#include "core/store/store_reader.h"

namespace loupe::analysis {

// Compressed sparse rows: vector i's active latents are latent[offsets[i] .. offsets[i+1]).
struct LatentCodes {
  int64_t latents = 0;
  std::vector<int64_t> vectors;  // the store index of each encoded vector, ascending
  std::vector<int64_t> offsets;  // [vectors + 1]
  std::vector<int32_t> latent;   // active latent ids, ascending within a vector
  std::vector<float> value;      // their activations (> 0)

  int64_t size() const { return int64_t(vectors.size()); }
};

// The same codes by latent: latent j's active vectors are rows[offsets[j] .. offsets[j+1]) (indices
// into LatentCodes::vectors, ascending) with their values.
struct LatentColumns {
  std::vector<int64_t> offsets;  // [latents + 1]
  std::vector<int64_t> rows;
  std::vector<float> value;

  int64_t active(int64_t latent) const { return offsets[size_t(latent) + 1] - offsets[size_t(latent)]; }
};

// Encodes the store's `hook` vectors whose `keep` flag is set (keep: one flag per store vector) with
// the SAE, `chunk` vectors at a time, on the SAE's device. Reports progress in vectors. The caller
// has checked that the store holds `hook` at the SAE's width (analyze_features does, before any work).
LatentCodes encode_store(const store::StoreReader& store, const std::string& hook, const sae::Sae& sae,
                         const std::vector<bool>& keep, jobs::JobContext& job, int64_t chunk = 4096);

LatentColumns columns_of(const LatentCodes& codes);

}  // namespace loupe::analysis
