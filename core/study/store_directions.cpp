#include "core/study/store_directions.h"

#include <set>

#include "core/analysis/layer_probes.h"
#include "core/analysis/pca.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/sae/sae_io.h"
#include "core/store/store_reader.h"
#include "core/study/layer_analyses.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

namespace fs = std::filesystem;

namespace {

std::string lang_word(const std::optional<Language>& lang) { return lang ? language_code(*lang) : "pooled"; }

StoreDirection decoder_direction(const StoreDirectionRequest& request, const workspace::Workspace& space) {
  const sae::Sae trained = sae::load_sae(space.sae_dir(request.sae).string());
  if (request.latent < 0 || request.latent >= trained.config.d_sae)
    throw InputError("latent " + std::to_string(request.latent) + " is outside the SAE " + request.sae + "'s " +
                     std::to_string(trained.config.d_sae) + " latents");
  if (!request.hook.empty() && request.hook != trained.config.hook_name)
    throw InputError("the SAE " + request.sae + " reads " + trained.config.hook_name + ", not " + request.hook);
  StoreDirection direction;
  direction.hook = trained.config.hook_name;
  direction.values = trained.W_dec[request.latent].detach().to(torch::kCPU, torch::kFloat32).clone();
  direction.provenance = {{"kind", "decoder"}, {"sae", request.sae}, {"latent", request.latent}, {"hook", direction.hook}};
  direction.description = "decoder row of latent " + std::to_string(request.latent) + " of the SAE " + request.sae;
  return direction;
}

torch::Tensor mean_of_rows(const torch::Tensor& vectors, const std::vector<int64_t>& rows) {
  return vectors.index_select(0, torch::tensor(rows, torch::kInt64)).mean(0);  // [d] float64
}

// mean(chosen entries) − mean(the other entries of `selected`).
StoreDirection selection_direction(const StoreDirectionRequest& request, const PooledSelection& selected,
                                   StoreDirection direction, const std::string& where) {
  if (request.entries.empty()) throw InputError("a selection direction needs at least one entry (--entries N,N,...)");
  std::vector<int64_t> inside, outside;
  const std::set<int64_t> chosen(request.entries.begin(), request.entries.end());
  for (size_t i = 0; i < selected.entries.size(); ++i)
    (chosen.count(selected.entries[i]) ? inside : outside).push_back(int64_t(i));
  if (inside.size() != chosen.size()) {
    std::set<int64_t> missing = chosen;
    for (int64_t row : inside) missing.erase(selected.entries[size_t(row)]);
    throw InputError(where + " with " + request.hook + " vectors do not include entry " + std::to_string(*missing.begin()) +
                     (missing.size() > 1 ? " (and " + std::to_string(missing.size() - 1) + " more)" : std::string()));
  }
  if (outside.empty()) throw InputError("the selection holds all " + std::to_string(inside.size()) + " of " + where +
                                        "; a selection direction needs entries outside it");
  direction.values = (mean_of_rows(selected.vectors, inside) - mean_of_rows(selected.vectors, outside)).to(torch::kFloat32);
  direction.provenance.update({{"selected", inside.size()}, {"others", outside.size()}, {"entries", request.entries}});
  direction.description = "mean(selection) − mean(rest) of " + std::to_string(inside.size()) + " + " +
                          std::to_string(outside.size()) + " entries (" + lang_word(request.lang) + "), ‖d‖ = " +
                          std::to_string(direction.values.norm().item<double>());
  return direction;
}

}  // namespace

StoreDirection store_direction(const StoreDirectionRequest& request) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  if (request.kind == "decoder") return decoder_direction(request, space);
  if (request.kind != "mean-difference" && request.kind != "pc" && request.kind != "selection")
    throw InputError("a direction is a mean-difference, a pc, a decoder row, a selection or an unembedding difference, not '" +
                     request.kind + "'");
  const store::StoreReader store = store::StoreReader::open(space.store_dir(request.store));
  store.width(request.hook);  // InputError listing the store's hooks
  const std::string split = request.split.empty() ? "" : io::canonical_split(request.split);
  const PooledSelection selected =
      select_pooled(analysis::pooled_entry_vectors(store, request.hook), store.entries(), request.lang, split);
  const std::string where = "the store " + request.store + "'s " + lang_word(request.lang) + " entries" +
                            (split.empty() ? std::string() : " in the split '" + split + "'");
  if (selected.entries.empty()) throw InputError(where + " hold no " + request.hook + " vectors");
  StoreDirection direction;
  direction.hook = request.hook;
  direction.provenance = {{"kind", request.kind}, {"store", request.store}, {"hook", request.hook},
                          {"lang", lang_word(request.lang)}, {"split", split}};
  if (request.kind == "pc") {
    const int64_t rank_bound = std::min(int64_t(selected.entries.size()), selected.vectors.size(1));
    if (request.component < 0 || request.component >= rank_bound)
      throw InputError("--component " + std::to_string(request.component) + " is past the " + std::to_string(rank_bound) +
                       " components of " + std::to_string(selected.entries.size()) + " vectors");
    const analysis::Pca map = analysis::pca(selected.vectors, request.component + 1);
    direction.values = map.components[request.component].clone();
    const double share = map.explained_variance_ratio[request.component].item<double>();
    direction.provenance.update({{"component", request.component}, {"explained_variance_ratio", share},
                                 {"entries", selected.entries.size()}});
    direction.description = "principal component " + std::to_string(request.component) + " of " +
                            std::to_string(selected.entries.size()) + " pooled vectors (" + std::to_string(share) +
                            " of the variance)";
    return direction;
  }
  if (request.kind == "selection") return selection_direction(request, selected, std::move(direction), where);
  std::vector<int64_t> female, male;
  for (size_t i = 0; i < selected.entries.size(); ++i) {
    const int group = analysis::gender_group(store.entries(), selected.entries[i], request.grouping);
    if (group > 0) female.push_back(int64_t(i));
    if (group < 0) male.push_back(int64_t(i));
  }
  if (female.empty() || male.empty())
    throw InputError(where + " hold " + std::to_string(female.size()) + " female and " + std::to_string(male.size()) +
                     " male entries (by " + analysis::grouping_name(request.grouping) + "); a mean difference needs both");
  direction.values = (mean_of_rows(selected.vectors, female) - mean_of_rows(selected.vectors, male)).to(torch::kFloat32);
  direction.provenance.update({{"by", analysis::grouping_name(request.grouping)}, {"female", female.size()}, {"male", male.size()}});
  direction.description = "mean(female) − mean(male) of " + std::to_string(female.size()) + " + " +
                          std::to_string(male.size()) + " entries (" + lang_word(request.lang) + ", by " +
                          analysis::grouping_name(request.grouping) + "), ‖d‖ = " +
                          std::to_string(direction.values.norm().item<double>());
  return direction;
}

fs::path save_direction(const fs::path& workspace, const std::string& name, const StoreDirection& direction) {
  const workspace::Workspace space = workspace::Workspace::open(workspace);
  workspace::check_entry_name(name, "direction");
  const fs::path file = space.directions_dir() / (name + ".safetensors");
  util::create_folders(file.parent_path());
  tensor::save(file.string(), {{name, direction.values}}, {{name, direction.hook}, {"provenance", direction.provenance.dump()}});
  return file;
}

}  // namespace loupe::study
