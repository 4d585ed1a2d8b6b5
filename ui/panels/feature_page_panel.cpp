// Feature page: one latent of a feature analysis. Its activation histogram, statistics per language
// and gender, the tokens it promotes and suppresses in both scripts, co-activating and nearest
// latents (click to go there), its top and quantile examples as thumbnails with the latent's patch
// heatmap on each (computed on a job when the page opens; click one to see the image in the
// Caption and Heatmap panels with this latent's heatmap over its patches and tokens),
// and "Steer with this" / "Ablate this", which add its decoder row to the Steering panel.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "ui/app/widgets.h"
#include "ui/panels/panels.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

std::string sae_folder(const AppState& state, const LatentsResult& latents) {
  return (std::filesystem::path(state.workspace) / "saes" / latents.sae).string();
}

std::shared_ptr<const report::Plot> histogram_plot(const LatentsResult& latents, int64_t latent, const std::string& caption) {
  const LatentDetails& d = latents.details[size_t(latent)];
  auto plot = std::make_shared<report::Plot>();
  plot->title = "Latent " + std::to_string(latent) + ": activations where it fires";
  plot->caption = caption;
  plot->x.label = "log10 activation";
  plot->y.label = "vectors";
  report::Series bars = report::make_series("", report::SeriesKind::Bars);
  const double width = d.histogram.empty() ? 1 : (d.log10_high - d.log10_low) / double(d.histogram.size());
  for (size_t b = 0; b < d.histogram.size(); ++b) {
    bars.x.push_back(d.log10_low + (double(b) + 0.5) * width);
    bars.y.push_back(d.histogram[b]);
  }
  plot->series.push_back(std::move(bars));
  plot->legend = false;
  return plot;
}

// Shows the example's image with this latent's heatmap (Caption and Heatmap panels).
void show_example(AppState& state, const LatentsResult& latents, int64_t latent, const LatentExample& example) {
  for (size_t i = 0; i < state.images.size(); ++i)
    if (state.images[i].path == example.image) select_image(state, int(i));
  state.sae_path = sae_folder(state, latents);
  state.heatmap.hook = latents.hook;
  state.heatmap.quantity = HeatQuantity::Latent;
  state.heatmap.latent = latent;
  state.heatmap.lang = example.language == "ar" ? Language::Arabic : Language::English;
  state.show[kCaptionPanel] = state.show[kHeatmapPanel] = true;
  state.request_dirty = true;
}

// The page's thumbnail heatmaps once computed for this latent; null before (or when they failed).
const LatentThumbnails* thumbnail_maps(const std::shared_ptr<const jobs::JobSnapshot>& job, const std::string& sae, int64_t latent) {
  if (!job || job->state != jobs::JobState::Succeeded || !job->result.holds<LatentThumbnails>()) return nullptr;
  const LatentThumbnails& maps = job->result.as<LatentThumbnails>();
  return maps.sae_folder == sae && maps.latent == latent ? &maps : nullptr;
}

// Asks for the latent's heatmaps on its examples' images once per latent (when the model is there
// and the SAE saw image tokens: otherwise every map is silent).
void request_thumbnail_maps(AppState& state, const LatentsResult& latents, int64_t latent) {
  const std::string sae = sae_folder(state, latents);
  if (!state.model || latents.image_tokens_silent || state.features.thumbnails_of == sae + "|" + std::to_string(latent)) return;
  const LatentDetails& d = latents.details[size_t(latent)];
  std::vector<std::pair<std::string, std::string>> examples;
  const auto add = [&](const std::vector<LatentExample>& list) {
    for (const LatentExample& e : list)
      if (std::find(examples.begin(), examples.end(), std::make_pair(e.image, e.language)) == examples.end())
        examples.emplace_back(e.image, e.language);
  };
  add(d.top);
  for (const auto& quantile : d.quantile_examples) add(quantile);
  start_latent_thumbnails(state, sae, latent, std::move(examples));
}

// The latent over the example's patches, drawn on its thumbnail (min to max: the image's rectangle);
// one colour scale for every thumbnail of the latent, 0 to its largest value.
void thumbnail_overlay(const LatentThumbnails* maps, const LatentExample& example, ImVec2 min, ImVec2 max, float high) {
  if (!maps) return;
  const auto found = maps->maps.find({example.image, example.language});
  if (found == maps->maps.end() || !found->second.error.empty() || found->second.grid_width == 0 || high <= 0) return;
  const study::Heatmap& map = found->second;
  const float cw = (max.x - min.x) / float(map.grid_width), ch = (max.y - min.y) / float(map.grid_height);
  ImDrawList& list = *ImGui::GetWindowDrawList();
  for (int r = 0; r < map.grid_height; ++r)
    for (int c = 0; c < map.grid_width; ++c) {
      const float t = std::clamp(map.patches[size_t(r * map.grid_width + c)] / high, 0.0f, 1.0f);
      if (t <= 0.02f) continue;
      const ImVec2 a(min.x + float(c) * cw, min.y + float(r) * ch);
      list.AddRectFilled(a, ImVec2(a.x + cw, a.y + ch), IM_COL32(255, 120, 0, int(200 * t)));
    }
}

float largest_patch(const LatentThumbnails* maps) {
  float high = 0;
  if (maps)
    for (const auto& entry : maps->maps)
      for (float v : entry.second.patches) high = std::max(high, v);
  return high;
}

void thumbnails(AppState& state, const LatentsResult& latents, int64_t latent, const std::vector<LatentExample>& examples,
                const char* id, const LatentThumbnails* maps) {
  const float high = largest_patch(maps);
  ImGui::PushID(id);
  const float side = ImGui::GetFontSize() * 5;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  for (size_t i = 0; i < examples.size(); ++i) {
    const LatentExample& example = examples[i];
    ImGui::PushID(int(i));
    ImGui::BeginGroup();
    if (const Texture* texture = state.textures->get(example.image)) {
      if (ImGui::ImageButton(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture->id)), ImVec2(side, side)))
        show_example(state, latents, latent, example);
      const ImVec2 pad = ImGui::GetStyle().FramePadding;
      thumbnail_overlay(maps, example, ImVec2(ImGui::GetItemRectMin().x + pad.x, ImGui::GetItemRectMin().y + pad.y),
                        ImVec2(ImGui::GetItemRectMax().x - pad.x, ImGui::GetItemRectMax().y - pad.y), high);
    } else {
      ImGui::Button("...", ImVec2(side, side));
    }
    ImGui::TextDisabled("%s %.2f", example.language.c_str(), example.value);
    ImGui::EndGroup();
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s\nrow %lld, %s caption, token %lld '%s': %.3f\nclick: show it with this latent's heatmap",
                        std::filesystem::path(example.image).filename().string().c_str(), static_cast<long long>(example.row),
                        example.language.c_str(), static_cast<long long>(example.position), state.shaper.line(example.token).c_str(),
                        example.value);
    ImGui::PopID();
    if (i + 1 < examples.size() && ImGui::GetItemRectMax().x + side + ImGui::GetStyle().ItemSpacing.x * 2 < right) ImGui::SameLine();
  }
  if (examples.empty()) ImGui::TextDisabled("none");
  ImGui::PopID();
}

void token_list(AppState& state, const char* title, const std::vector<TokenEffect>& tokens) {
  ImGui::TextDisabled("%s", title);
  for (size_t i = 0; i < std::min<size_t>(tokens.size(), 8); ++i) {
    ImGui::Text("%+.3f", tokens[i].effect);
    ImGui::SameLine();
    ImGui::TextUnformatted(state.shaper.line(tokens[i].text).c_str());
  }
}

bool latent_links(FeaturesView& view, const char* title, const std::vector<std::pair<int64_t, double>>& links) {
  ImGui::TextDisabled("%s", title);
  bool clicked = false;
  for (size_t i = 0; i < std::min<size_t>(links.size(), 8); ++i) {
    char label[64];
    std::snprintf(label, sizeof label, "#%lld (%.2f)", static_cast<long long>(links[i].first), links[i].second);
    if (i > 0) ImGui::SameLine();
    if (ImGui::SmallButton(label)) {
      view.latent = links[i].first;
      clicked = true;
    }
  }
  return clicked;
}

void statistics(const LatentsResult& latents, int64_t latent) {
  if (!ImGui::BeginTable("statistics", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) return;
  const auto value = [&](const char* column) {
    const auto found = std::find(latents.columns.begin(), latents.columns.end(), column);
    return found == latents.columns.end() ? std::nan("") : latents.values[size_t(latent)][size_t(found - latents.columns.begin())];
  };
  const auto row = [&](const char* what, const char* en, const char* ar, const char* both) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(what);
    const char* columns[3] = {en, ar, both};
    for (int c = 0; c < 3; ++c) {
      ImGui::TableSetColumnIndex(c + 1);
      const double v = columns[c] ? value(columns[c]) : std::nan("");
      if (std::isnan(v)) {
        ImGui::TextDisabled("-");
      } else {
        ImGui::Text("%.4g", v);
      }
    }
  };
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn("English");
  ImGui::TableSetupColumn("Arabic");
  ImGui::TableSetupColumn("both");
  ImGui::TableHeadersRow();
  row("frequency", "frequency_en", "frequency_ar", "frequency");
  row("Cohen's d (female − male)", "cohens_d_en", "cohens_d_ar", "cohens_d");
  row("q (Benjamini-Hochberg)", "q_en", "q_ar", "q");
  row("mean / max activation", nullptr, "mean_activation", "max_activation");
  row("frequency: text / image / template", "frequency_text", "frequency_image", "frequency_template");
  row("alignment r (en vs ar)", nullptr, nullptr, "alignment_r");
  ImGui::EndTable();
}

}  // namespace

void draw_feature_page_panel(AppState& state, bool* open) {
  if (!ImGui::Begin(panel_title(kFeaturePagePanel), open)) {
    ImGui::End();
    return;
  }
  if (results_header(state)) {
    FeaturesView& view = state.features;
    const WorkspaceResults& results = *state.results;
    if (results.latents.empty() || view.latent < 0 || view.analysis >= int(results.latents.size()) ||
        view.latent >= int64_t(results.latents[size_t(view.analysis)]->values.size())) {
      ImGui::TextWrapped("Pick a latent in the Feature browser.");
    } else {
      const LatentsResult& latents = *results.latents[size_t(view.analysis)];
      const int64_t latent = view.latent;
      ImGui::Text("Latent %lld of the SAE %s at %s (analysis %s)", static_cast<long long>(latent), latents.sae.c_str(),
                  latents.hook.c_str(), latents.id.c_str());
      if (!latents.language_specific[size_t(latent)].empty()) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1, 0.75f, 0.3f, 1), "%s-specific", latents.language_specific[size_t(latent)].c_str());
      }
      if (ImGui::Button("Steer with this")) {
        add_sae_latent_direction(state, sae_folder(state, latents), latent);
        state.show[kSteeringPanel] = true;
      }
      ImGui::SameLine();
      if (ImGui::Button("Ablate this")) {
        // Orthogonal mode at alpha 0 removes the component along the decoder row at every position.
        state.pending_slider_modes["latent-" + std::to_string(latent)] = {SteerMode::Orthogonal, PositionKind::All};
        add_sae_latent_direction(state, sae_folder(state, latents), latent);
        state.show[kSteeringPanel] = true;
      }
      if (latents.image_tokens_silent)
        ImGui::TextColored(ImVec4(1, 0.6f, 0.3f, 1),
                           "This SAE never fired on image tokens (its store held caption tokens only), so its patch heatmaps "
                           "are silent; train one on a store extracted with --positions all.");
      statistics(latents, latent);
      if (size_t(latent) < latents.details.size()) {
        const LatentDetails& d = latents.details[size_t(latent)];
        if (view.histogram_of != latent) {
          const std::string caption = "hook " + latents.hook + " · sae " + latents.sae + " · analyses/" + latents.id + "/latents.json";
          view.histogram.set("latent-" + std::to_string(latent) + "-histogram", histogram_plot(latents, latent, caption), "");
          view.histogram_of = latent;
        }
        draw_plot(state, view.histogram, "histogram", ImVec2(0, ImGui::GetFontSize() * 14));
        ImGui::Columns(3, "effects", false);
        token_list(state, "promotes", d.promoted);
        ImGui::NextColumn();
        token_list(state, "promotes (Arabic script)", d.promoted_arabic);
        ImGui::NextColumn();
        token_list(state, "suppresses", d.suppressed);
        ImGui::Columns(1);
        if (latent_links(view, "co-activating (share)", d.coactive) || latent_links(view, "nearest decoder rows (cosine)", d.neighbours))
          view.histogram_of = -1;
        ImGui::Separator();
        request_thumbnail_maps(state, latents, latent);
        const auto maps_job = view.thumbnails_job ? state.jobs.snapshot(view.thumbnails_job) : nullptr;
        const LatentThumbnails* maps = thumbnail_maps(maps_job, sae_folder(state, latents), latent);
        ImGui::TextDisabled("top examples%s", maps ? ", the latent over each image's patches (orange)"
                                              : maps_job && !maps_job->finished() ? " (drawing the heatmaps …)" : "");
        thumbnails(state, latents, latent, d.top, "top", maps);
        for (size_t q = d.quantile_examples.size(); q-- > 0;) {
          char header[96];
          std::snprintf(header, sizeof header, "activations %.3g to %.3g (%zu examples)", d.quantile_ranges[q].first,
                        d.quantile_ranges[q].second, d.quantile_examples[q].size());
          if (ImGui::CollapsingHeader(header)) thumbnails(state, latents, latent, d.quantile_examples[q], header, maps);
        }
      } else {
        ImGui::TextDisabled("latents.json is missing: no histogram, tokens or examples for this analysis.");
      }
    }
  }
  ImGui::End();
}

}  // namespace loupe::ui
