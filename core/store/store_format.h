// Names shared by the writer and the reader of activation stores (format: docs/store.md).
#pragma once
#include <cstdint>
#include <string>

namespace loupe::store {

constexpr const char* kManifestName = "manifest.json";
constexpr const char* kRowsName = "rows.jsonl";
constexpr const char* kStoreFormat = "loupe.activation_store";
// Version 2 writes the token types of core/text/token_type.h. Version 1 had image 0 and text 1; the
// reader swaps those codes back when it opens a version 1 store.
constexpr int kStoreVersion = 2;
// Bound of every count and size a manifest states (2^48): far above any real store, and small
// enough that sums of them cannot overflow.
constexpr int64_t kMaxManifestCount = int64_t(1) << 48;

// Tensors every shard holds besides one [vectors, d] tensor per hook.
constexpr const char* kRowIndexTensor = "row_index";            // [vectors] int64: rows.jsonl entry
constexpr const char* kTokenPositionTensor = "token_position";  // [vectors] int64: position in the sequence, -1 pooled
constexpr const char* kTokenTypeTensor = "token_type";          // [vectors] int8: TokenType

// "shard-00042.safetensors"
std::string shard_name(int64_t index);

}  // namespace loupe::store
