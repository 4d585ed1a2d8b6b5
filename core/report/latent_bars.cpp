#include "core/report/latent_bars.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace loupe::report {

Plot top_latents_plot(const io::CsvTable& latents, const std::string& language, size_t k, const std::string& caption) {
  if (language != "en" && language != "ar" && language != "pooled")
    throw InputError("top latents are drawn for en, ar or pooled, not '" + language + "'");
  if (k < 1) throw InputError("top latents need k of at least 1");
  const size_t d_column = latents.column(language == "pooled" ? "cohens_d" : "cohens_d_" + language);
  const size_t latent_column = latents.column("latent");
  struct Effect {
    std::string latent;
    double d;
  };
  std::vector<Effect> effects;
  for (const io::CsvRecord& row : latents.rows) {
    const auto d = io::parse_number(latents.at(row, d_column));
    if (d && std::isfinite(*d)) effects.push_back({latents.at(row, latent_column), *d});
  }
  if (effects.empty()) throw InputError(latents.name + " holds no Cohen's d for " + language);
  std::stable_sort(effects.begin(), effects.end(), [](const Effect& a, const Effect& b) { return a.d > b.d; });
  const size_t female = std::min(k, (effects.size() + 1) / 2), male = std::min(k, effects.size() - female);
  Plot plot;
  plot.title = "Most female and most male latents (" + language + "): Cohen's d";
  plot.caption = caption;
  plot.x.label = "latent";
  plot.y.label = "Cohen's d (female − male)";
  // One series, so the bars are not set side by side: female latents (d > 0) left, male right.
  Series bars = make_series("", SeriesKind::Bars);
  const auto add = [&](const Effect& effect) {
    bars.x.push_back(double(plot.x.categories.size()));
    bars.y.push_back(effect.d);
    plot.x.categories.push_back("#" + effect.latent);
  };
  for (size_t i = 0; i < female; ++i) add(effects[i]);
  for (size_t i = 0; i < male; ++i) add(effects[effects.size() - male + i]);
  plot.series.push_back(std::move(bars));
  plot.legend = false;
  return plot;
}

}  // namespace loupe::report
