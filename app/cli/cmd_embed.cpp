// `loupe embed`: a 2-D (or k-D) map of a matrix of points, e.g. a store's pooled vectors or an SAE's
// decoder directions saved as safetensors (core/analysis/pca.h, core/analysis/tsne.h).
#include <iostream>

#include "app/cli/commands.h"
#include "core/analysis/pca.h"
#include "core/analysis/tsne.h"
#include "core/jobs/progress_printer.h"
#include "core/error.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

// --method tsne: a t-SNE map as scikit-learn's Barnes-Hut TSNE makes it (core/analysis/tsne.h).
int run_tsne(const Args& args, const torch::Tensor& points, const std::string& out) {
  analysis::TsneOptions options;
  options.perplexity = args.get_double("perplexity", options.perplexity);
  options.iterations = args.get_int("iterations", options.iterations);
  options.repulsion = analysis::parse_repulsion(args.get_or("repulsion", "barnes-hut"));
  options.theta = args.get_double("theta", options.theta);
  options.init = args.get_or("init", options.init);
  options.seed = args.get_seed();
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
  const analysis::Pca map = analysis::pca(points, args.get_int("components", 2));
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

}  // namespace

CommandSpec embed_command() {
  return {"embed",
          "a PCA or t-SNE map of points (rows of a safetensors matrix)",
          "loupe embed --input FILE.safetensors:KEY [--method pca|tsne] [--components 2] [--perplexity 30] [--seed S] "
          "--out FILE.safetensors",
          {{"input", "FILE:KEY", "a [points, dimensions] tensor"},
           {"method", "pca|tsne", "pca (exact SVD of the centred points, default) or tsne (as scikit-learn's TSNE)"},
           {"components", "K", "pca: how many components (default 2)"},
           {"perplexity", "P", "tsne: the neighbourhood size, below the number of points (default 30)"},
           {"iterations", "N", "tsne: iterations in all, 250 of them exaggerated (default 1000)"},
           {"repulsion", "fft|barnes-hut|exact", "tsne: the repulsion by a quadtree (default), FIt-SNE's FFT interpolation, or every pair"},
           {"theta", "T", "tsne with barnes-hut: the angle (default 0.5)"},
           {"init", "pca|random", "tsne: the starting map (default pca)"},
           {"seed", "S", "tsne: seed of the random starting map (default 1)"},
           {"out", "FILE", "writes embedding [n, 2] (pca: [n, K], components [K, d], explained_variance_ratio [K], mean [d])"}},
          run_embed};
}

}  // namespace loupe::cli
