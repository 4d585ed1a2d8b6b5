// Tokenizer speed: load time of a tokenizer.json and encode time of a ~300-token English prompt,
// against a reference measured in the same run: a naive BPE that rescans every adjacent pair for
// the lowest-ranked merge after each merge (O(n^2) per word), with merges keyed by strings.
//
//   build/tokenizer_bench build/tokenizers/gemma3/tokenizer.json
//
// The prompt has no newlines, tabs or special-token text, so the whole pipeline is normalizer +
// BPE and the reference (which implements only Replace/Prepend normalizers) must give the same
// ids; the run fails if it does not.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/text/tokenizer.h"
#include "core/util/utf8.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const char* const kPrompt =
    "A young woman in a red coat stands at a busy street corner, holding a paper cup of coffee while she "
    "looks at her phone. Behind her, a man in a grey suit waits for the traffic light to change, and a "
    "cyclist with a yellow helmet rides past a row of parked cars. The buildings along the street are tall "
    "and made of brick, with shop windows on the ground floor that display clothes, books and kitchen "
    "tools. A small dog on a leash sniffs at a lamp post near the curb, and its owner, an older woman with "
    "short white hair, is talking to a child who points at a pigeon on the pavement. In the distance, a "
    "bus with an advertisement for a new film turns onto the avenue, and several people carrying shopping "
    "bags cross the road. The sky is overcast, the pavement is wet from a recent rain, and the reflections "
    "of the shop lights shimmer in the puddles near the kerb. A nurse in blue scrubs hurries towards the "
    "hospital entrance at the end of the block, passing a firefighter who is buying a newspaper from a "
    "kiosk. Two teenagers sit on a bench, sharing headphones and laughing at something on a tablet, while "
    "an elderly man feeds breadcrumbs to the sparrows gathered around his feet. On the opposite side of "
    "the street, a mechanic in oily overalls repairs the engine of a delivery van while a police officer "
    "directs the drivers around it, and a mother pushes a pram past a bakery window full of bread and cakes.";

// The naive reference: normalizer steps of the file (Replace with a String pattern, Prepend),
// then BPE by repeated full rescans.
class ReferenceBpe {
 public:
  explicit ReferenceBpe(const std::string& path) {
    std::ifstream in(path);
    const nlohmann::json file = nlohmann::json::parse(in);
    normalizer_ = file["normalizer"];
    for (const auto& [token, id] : file["model"]["vocab"].items()) vocab_[token] = id.get<int64_t>();
    const auto& merges = file["model"]["merges"];
    for (size_t rank = 0; rank < merges.size(); ++rank) {
      const auto& merge = merges[rank];
      std::string left, right;
      if (merge.is_string()) {
        const std::string both = merge;
        left = both.substr(0, both.find(' '));
        right = both.substr(both.find(' ') + 1);
      } else {
        left = merge[0];
        right = merge[1];
      }
      ranks_.emplace(left + '\xFF' + right, rank);
    }
  }

  std::vector<int64_t> encode(const std::string& text) const {
    std::string normalized = text;
    normalize(normalizer_, normalized);
    std::vector<std::string> pieces;
    for (size_t i = 0; i < normalized.size();) {
      const size_t length = loupe::util::utf8_length(static_cast<unsigned char>(normalized[i]));
      pieces.push_back(normalized.substr(i, length));
      i += length;
    }
    while (pieces.size() > 1) {
      size_t best = 0, best_rank = std::numeric_limits<size_t>::max();
      for (size_t i = 0; i + 1 < pieces.size(); ++i) {
        auto it = ranks_.find(pieces[i] + '\xFF' + pieces[i + 1]);
        if (it != ranks_.end() && it->second < best_rank) {
          best_rank = it->second;
          best = i;
        }
      }
      if (best_rank == std::numeric_limits<size_t>::max()) break;
      pieces[best] += pieces[best + 1];
      pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(best) + 1);
    }
    std::vector<int64_t> ids;
    for (const std::string& piece : pieces) ids.push_back(vocab_.at(piece));
    return ids;
  }

 private:
  static void normalize(const nlohmann::json& spec, std::string& text) {
    if (spec.is_null()) return;
    const std::string type = spec["type"];
    if (type == "Sequence") {
      for (const auto& step : spec["normalizers"]) normalize(step, text);
    } else if (type == "Prepend") {
      if (!text.empty()) text.insert(0, spec["prepend"].get<std::string>());
    } else if (type == "Replace") {
      const std::string pattern = spec["pattern"]["String"], content = spec["content"];
      std::string out;
      size_t pos = 0;
      for (size_t hit; (hit = text.find(pattern, pos)) != std::string::npos; pos = hit + pattern.size())
        out += text.substr(pos, hit - pos) + content;
      text = out + text.substr(pos);
    } else {
      throw loupe::FormatError("the reference BPE does not implement normalizer " + type);
    }
  }

  nlohmann::json normalizer_;
  std::unordered_map<std::string, int64_t> vocab_;
  std::unordered_map<std::string, size_t> ranks_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tokenizer_bench TOKENIZER.json\n");
    return 2;
  }
  const std::string path = argv[1];
  try {
    constexpr int kLoads = 3;
    double best_load = std::numeric_limits<double>::max(), total_load = 0;
    std::vector<int64_t> ids;
    for (int i = 0; i < kLoads; ++i) {
      const auto start = Clock::now();
      const auto tokenizer = loupe::text::Tokenizer::load(path);
      const double took = seconds_since(start);
      best_load = std::min(best_load, took);
      total_load += took;
      ids = tokenizer.encode(kPrompt);
    }
    const auto tokenizer = loupe::text::Tokenizer::load(path);

    constexpr int kEncodes = 1000;
    size_t checksum = 0;
    auto start = Clock::now();
    for (int i = 0; i < kEncodes; ++i) checksum += tokenizer.encode(kPrompt).size();
    const double encode_seconds = seconds_since(start) / kEncodes;

    const ReferenceBpe reference(path);
    constexpr int kReferenceEncodes = 3;
    std::vector<int64_t> reference_ids;
    start = Clock::now();
    for (int i = 0; i < kReferenceEncodes; ++i) reference_ids = reference.encode(kPrompt);
    const double reference_seconds = seconds_since(start) / kReferenceEncodes;

    std::printf("tokenizer         %s (%lld ids)\n", path.c_str(),
                static_cast<long long>(tokenizer.vocab_size()));
    std::printf("load              %.3f s best, %.3f s mean of %d\n", best_load, total_load / kLoads, kLoads);
    std::printf("prompt            %zu tokens, %zu bytes\n", ids.size(), std::string(kPrompt).size());
    std::printf("encode            %.1f us per prompt (mean of %d; %zu tokens in all)\n",
                encode_seconds * 1e6, kEncodes, checksum);
    std::printf("reference encode  %.1f us per prompt (naive O(n^2) rescan BPE, mean of %d)\n",
                reference_seconds * 1e6, kReferenceEncodes);
    std::printf("ratio             %.0fx faster than the reference\n", reference_seconds / encode_seconds);
    if (reference_ids != ids) {
      std::fprintf(stderr, "the reference BPE gave different ids: the comparison is void\n");
      return 1;
    }
    std::printf("ids               identical to the reference\n");
  } catch (const loupe::Error& error) {
    std::fprintf(stderr, "tokenizer_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
