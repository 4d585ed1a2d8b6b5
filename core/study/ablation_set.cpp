#include "core/study/ablation_set.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

std::string anchored_path(const std::string& path, const fs::path& folder) {
  return fs::path(path).is_absolute() || folder.empty() ? path : (folder / path).string();
}

// Every key the entry holds must be one its kind reads: a misspelt key would otherwise be ignored.
void require_keys(const util::JsonFields& fields, std::initializer_list<const char*> known) {
  for (const auto& item : fields.json().items())
    if (std::none_of(known.begin(), known.end(), [&](const char* key) { return item.key() == key; }))
      fields.fail("`" + item.key().substr(0, 40) + "` is not a field of an `" + fields.string("ablate") + "` ablation");
}

bool mean_of(const util::JsonFields& fields) {
  const std::string how = fields.string("how", "zero");
  if (how != "zero" && how != "mean") fields.fail("`how` must be zero or mean, not " + util::describe_json(how));
  return how == "mean";
}

constexpr int64_t kMaxListed = 1 << 20;  // latents or layers in one entry

}  // namespace

std::vector<HeadRef> parse_heads(const std::string& list) {
  std::vector<HeadRef> heads;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string word = list.substr(start, comma - start);
    const size_t dot = word.find('.');
    const auto digits = [](const std::string& text) {
      return !text.empty() && text.size() < 10 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (dot == std::string::npos || !digits(word.substr(0, dot)) || !digits(word.substr(dot + 1)))
      throw InputError("--heads takes LAYER.HEAD items such as 2.1,1.3; '" + word.substr(0, 40) + "' is not one");
    heads.push_back({std::stoll(word.substr(0, dot)), std::stoll(word.substr(dot + 1))});
    start = comma + 1;
  }
  return heads;
}

std::string heads_word(const std::vector<HeadRef>& heads) {
  std::string word;
  for (const HeadRef& ref : heads) word += (word.empty() ? "" : ",") + std::to_string(ref.layer) + "." + std::to_string(ref.head);
  return word;
}

AblationSpec parse_ablation_entry(const util::JsonFields& fields, const fs::path& folder) {
  AblationSpec spec;
  const std::string kind = fields.string("ablate");
  try {
    if (kind == "latents") {
      require_keys(fields, {"ablate", "sae", "latents", "how", "means", "mode", "delta_scale", "positions"});
      spec.kind = AblationSpec::Kind::Latents;
      spec.sae_folder = anchored_path(fields.string("sae"), folder);
      spec.latents = fields.integer_list("latents", 0, std::numeric_limits<int32_t>::max(), size_t(kMaxListed));
      if (spec.latents.empty()) fields.fail("`latents` lists no latent");
      spec.mean = mean_of(fields);
      if (spec.mean != fields.has("means"))
        fields.fail(spec.mean ? "a mean ablation needs `means`, the latents.csv of `loupe analyze features`"
                              : "`means` belongs to a mean ablation (\"how\": \"mean\")");
      if (spec.mean) spec.means_csv = anchored_path(fields.string("means"), folder);
      const std::string mode = fields.string("mode", "replace");
      if (mode != "replace" && mode != "residual") fields.fail("`mode` must be replace or residual, not " + util::describe_json(mode));
      spec.residual = mode == "residual";
      if (!spec.residual && fields.has("delta_scale"))
        fields.fail("`delta_scale` scales the residual mode's subtraction; add \"mode\": \"residual\"");
      spec.delta_scale = fields.number("delta_scale", 1.0);
    } else if (kind == "heads") {
      require_keys(fields, {"ablate", "heads", "how", "positions"});
      spec.kind = AblationSpec::Kind::Heads;
      spec.heads = parse_heads(fields.string("heads"));
      spec.mean = mean_of(fields);
    } else if (kind == "knockout") {
      require_keys(fields, {"ablate", "layers", "positions"});
      spec.kind = AblationSpec::Kind::Knockout;
      spec.layers = fields.integer_list("layers", 0, 1 << 16, size_t(kMaxListed));
      if (spec.layers.empty()) fields.fail("`layers` lists no layer");
    } else {
      fields.fail("`ablate` must be latents, heads or knockout, not " + util::describe_json(kind));
    }
    spec.positions = parse_positions(fields.string("positions", kind == "knockout" ? "non-image" : "all"));
    require_positions(spec.positions, kSteerPositions);
  } catch (const InputError& error) {  // a bad heads or positions word: name the entry
    fields.fail(error.what());
  }
  return spec;
}

nlohmann::ordered_json ablation_entry_json(const AblationSpec& spec) {
  nlohmann::ordered_json entry;
  switch (spec.kind) {
    case AblationSpec::Kind::Latents:
      entry = {{"ablate", "latents"}, {"sae", spec.sae_folder}, {"latents", spec.latents}, {"how", spec.mean ? "mean" : "zero"}};
      if (spec.mean) entry["means"] = spec.means_csv;
      entry["mode"] = spec.residual ? "residual" : "replace";
      if (spec.residual) entry["delta_scale"] = spec.delta_scale;
      break;
    case AblationSpec::Kind::Heads:
      entry = {{"ablate", "heads"}, {"heads", heads_word(spec.heads)}, {"how", spec.mean ? "mean" : "zero"}};
      break;
    case AblationSpec::Kind::Knockout:
      entry = {{"ablate", "knockout"}, {"layers", spec.layers}};
      break;
  }
  entry["positions"] = positions_word(spec.positions);
  return entry;
}

}  // namespace loupe::study
