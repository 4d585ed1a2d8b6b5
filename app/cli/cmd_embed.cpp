// `loupe embed`: a 2-D (or k-D) map of a matrix of points, e.g. a store's pooled vectors or an SAE's
// decoder directions saved as safetensors (core/analysis/pca.h, core/analysis/tsne.h).
#include <iostream>
#include <optional>

#include "app/cli/commands.h"
#include "core/analysis/pca.h"
#include "core/analysis/tsne.h"
#include "core/jobs/progress_printer.h"
#include "core/error.h"
#include "core/study/maps.h"
#include "core/tensor/convert.h"

namespace loupe::cli {


namespace {

analysis::TsneOptions tsne_options(const Args& args) {
  analysis::TsneOptions options;
  options.perplexity = args.get_double("perplexity", options.perplexity);
  options.iterations = args.get_int("iterations", options.iterations);
  options.repulsion = analysis::parse_repulsion(args.get_or("repulsion", "barnes-hut"));
  options.theta = args.get_double("theta", options.theta);
  options.init = args.get_or("init", options.init);
  options.seed = args.get_seed();
  return options;
}

std::vector<OptionSpec> tsne_option_specs() {
  return {{"perplexity", "P", "tsne: the neighbourhood size, below the number of points (default 30)"},
          {"iterations", "N", "tsne: iterations in all, 250 of them exaggerated (default 1000)"},
          {"repulsion", "fft|barnes-hut|exact", "tsne: the repulsion by a quadtree (default), FIt-SNE's FFT interpolation, or every pair"},
          {"theta", "T", "tsne with barnes-hut: the angle (default 0.5)"},
          {"init", "pca|random", "tsne: the starting map (default pca)"},
          {"seed", "S", "tsne: seed of the random starting map (default 1)"}};
}

// --method tsne: a t-SNE map as scikit-learn's Barnes-Hut TSNE makes it (core/analysis/tsne.h).
int run_tsne(const Args& args, const torch::Tensor& points, const std::string& out) {
  const analysis::TsneOptions options = tsne_options(args);
  const auto map = jobs::run_in_foreground("embed tsne", [&](jobs::JobContext& job) {
    return analysis::tsne(points, options, job);
  }, std::cerr).as<analysis::Tsne>();
  tensor::save(out, {{"embedding", map.embedding}},
               {{"method", "tsne"}, {"input", args.get("input")}, {"perplexity", std::to_string(options.perplexity)},
                {"repulsion", args.get_or("repulsion", "barnes-hut")}, {"init", options.init}, {"seed", std::to_string(options.seed)},
                {"iterations", std::to_string(map.iterations)}, {"kl_divergence", std::to_string(map.kl_divergence)}});
  std::cout << "embed: " << points.size(0) << " points of " << points.size(1) << " dimensions → t-SNE map (perplexity "
            << options.perplexity << ", " << map.iterations << " iterations, KL divergence " << map.kl_divergence
            << "); " << out << "\n";
  return 0;
}

int run_embed(const Args& args) {
  const std::string method = args.get_or("method", "pca");
  if (method != "pca" && method != "tsne") throw InputError("--method takes pca or tsne, not '" + method + "'");
  const torch::Tensor points = tensor::load_reference(args.get("input"));
  const std::string out = args.get("out");
  if (method == "tsne") return run_tsne(args, points, out);
  const analysis::Pca map =
      analysis::pca(points, args.get_int("components", 2), analysis::parse_pca_solver(args.get_or("solver", "auto")));
  tensor::save(out, {{"embedding", map.embedding},
                     {"components", map.components},
                     {"explained_variance_ratio", map.explained_variance_ratio},
                     {"mean", map.mean}},
               {{"method", "pca"}, {"input", args.get("input")}});
  std::cout << "embed: " << points.size(0) << " points of " << points.size(1) << " dimensions → " << map.embedding.size(1)
            << " PCA components explaining";
  for (int64_t c = 0; c < map.explained_variance_ratio.size(0); ++c)
    std::cout << " " << map.explained_variance_ratio[c].item<float>();
  std::cout << " of the variance; " << out << "\n";
  return 0;
}


// `loupe analyze embed`: labelled maps of a store's pooled vectors (one a hook) or an SAE's decoder rows.
int run_analyze_embed(const Args& args) {
  study::MapRequest request;
  request.workspace = args.get("workspace");
  request.store = args.get_or("store", "");
  const std::vector<std::string> hooks = args.has("hooks") ? split_list(args.get("hooks")) : std::vector<std::string>{""};
  request.sae = args.get_or("sae", "");
  request.split = args.get_or("split", "");
  request.grouping = analysis::parse_grouping(args.get_or("by", "caption"));
  request.method = args.get_or("method", "pca");
  request.tsne = tsne_options(args);
  request.device = args.get_or("device", "cpu");
  const auto maps = jobs::run_in_foreground("analyze embed", [&](jobs::JobContext& job) {
    return study::labelled_maps_logged(request, hooks, args.get_or("out", "maps"), job);
  }, std::cerr).as<std::vector<study::LabelledMap>>();
  if (args.has("json")) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const study::LabelledMap& map : maps) out[map.name] = map.points.json();
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const study::LabelledMap& map : maps) std::cout << "# " << map.name << "\n" << map.points.csv();
  return 0;
}

}  // namespace

CommandSpec embed_command() {
  std::vector<OptionSpec> options = {{"input", "FILE:KEY", "a [points, dimensions] tensor"},
                                     {"method", "pca|tsne", "pca (exact SVD of the centred points, default) or tsne (as scikit-learn's TSNE)"},
                                     {"components", "K", "pca: how many components (default 2)"},
                                     {"solver", "auto|exact|covariance|randomized", "pca: how the components are found (default auto, as scikit-learn's)"}};
  for (const OptionSpec& spec : tsne_option_specs()) options.push_back(spec);
  options.push_back({"out", "FILE", "writes embedding [n, 2] (pca: [n, K], components [K, d], explained_variance_ratio [K], mean [d])"});
  return {"embed",
          "a PCA or t-SNE map of points (rows of a safetensors matrix)",
          "loupe embed --input FILE.safetensors:KEY [--method pca|tsne] [--components 2] [--solver auto|exact|covariance|randomized] [--perplexity 30] [--seed S] "
          "--out FILE.safetensors",
          options,
          run_embed};
}

CommandSpec analyze_embed_command() {
  std::vector<OptionSpec> options = {
      {"workspace", "DIR", "workspace folder (loupe init)"},
      {"hooks", "NAMES", "map the store's pooled entry vectors at each of these comma-separated hooks, one point per entry"},
      {"sae", "NAME", "or map the decoder rows of DIR/saes/NAME, one point per latent"},
      {"store", "NAME", "the store in DIR/stores (default acts; with --sae the one it was trained on)"},
      {"split", "NAME", "only the entries of this split (eval = balanced); default: every entry"},
      {"by", "figure|caption", "with --sae: the gender groups of the latents' Cohen's d (default caption)"},
      {"method", "pca|tsne", "pca (default) or tsne"}};
  for (const OptionSpec& spec : tsne_option_specs()) options.push_back(spec);
  options.insert(options.end(), {{"out", "NAME", "write DIR/analyses/NAME/{HOOK|decoder-SAE}-METHOD.{csv,json,safetensors} (default maps)"},
                                 {"device", "cpu|cuda", "with --sae: where to encode (default cpu)"},
                                 {"json", "", "print {MAP: [points]} for each map"}});
  return {"analyze embed",
          "a labelled 2-D map of a store's entries at a hook or of an SAE's decoder directions, for colouring by any label",
          "loupe analyze embed --workspace DIR (--hooks NAMES [--store NAME] | --sae NAME) [--method pca|tsne] [--perplexity 30] "
          "[--split NAME] [--by figure|caption] [--out NAME] [--json]",
          options,
          run_analyze_embed};
}

}  // namespace loupe::cli
