// `loupe embed`: a 2-D (or k-D) map of a matrix of points, e.g. a store's pooled vectors or an SAE's
// decoder directions saved as safetensors (core/analysis/pca.h).
#include <iostream>

#include "app/cli/commands.h"
#include "core/analysis/pca.h"
#include "core/error.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

int run_embed(const Args& args) {
  const std::string method = args.get_or("method", "pca");
  if (method != "pca") throw InputError("--method takes pca (t-SNE is not built yet), not '" + method + "'");
  const torch::Tensor points = tensor::load_reference(args.get("input"));
  const analysis::Pca map = analysis::pca(points, args.get_int("components", 2));
  const std::string out = args.get("out");
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
          "a PCA map of points (rows of a safetensors matrix): embedding, components, explained variance",
          "loupe embed --input FILE.safetensors:KEY [--method pca] [--components 2] --out FILE.safetensors",
          {{"input", "FILE:KEY", "a [points, dimensions] tensor"},
           {"method", "pca", "pca (exact SVD of the centred points); t-SNE is not built yet"},
           {"components", "K", "how many components (default 2)"},
           {"out", "FILE", "writes embedding [n, K], components [K, d], explained_variance_ratio [K] and mean [d]"}},
          run_embed};
}

}  // namespace loupe::cli
