#include "core/study/logit_lens.h"

#include "core/error.h"
#include "core/model/caption.h"
#include "core/model/decoder.h"
#include "core/model/inputs.h"
#include "core/model/layers.h"
#include "core/study/caption_prompts.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"

namespace loupe::study {

namespace {

using model::HookPoint;
using model::Site;

// The captured [1, 1, d] vector at a point, as [d] float64.
torch::Tensor at(const model::HookSet& hooks, const HookPoint& point) {
  return hooks.captured(point).reshape({-1}).to(torch::kCPU, torch::kFloat64);
}

// Each head's share [heads, d] of layer `layer`'s hook_attn_out, from its hook_z at the position.
torch::Tensor head_outputs(const model::DecoderLayerImpl& block, const model::HookSet& hooks, int64_t layer) {
  const model::AttentionImpl& attention = *block.self_attn;
  const int64_t heads = attention.shape.heads, head_dim = attention.shape.head_dim;
  const torch::Tensor z = at(hooks, {Site::Z, layer, false}).view({heads, head_dim});
  const torch::Tensor w_o = attention.o_proj->weight.to(torch::kCPU, torch::kFloat64).view({-1, heads, head_dim});  // [d, H, hd]
  torch::Tensor parts = torch::einsum("dhk,hk->hd", {w_o, z});  // [H, d]: o_proj's output is their sum (+ bias)
  if (!block.sandwich) return parts;
  // Gemma 3 normalises the attention output: gain ⊙ o / rms(o), rms from the whole output.
  torch::Tensor whole = parts.sum(0);
  if (attention.o_proj->bias.defined()) whole = whole + attention.o_proj->bias.to(torch::kCPU, torch::kFloat64);
  const model::NormImpl& norm = *block.post_attention_layernorm;
  const double scale = 1.0 / std::sqrt(whole.square().mean().item<double>() + norm.eps);
  return parts * (scale * model::rms_gain(norm));
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0.0 : sum / double(values.size());
}

}  // namespace

LensReading read_lens(const model::VlmImpl& model, const model::VlmInputs& prompt, const std::vector<int64_t>& caption,
                      const GenderedStep& gendered) {
  const int64_t layers = model.config.text.layers;
  const int64_t position = prompt.input_ids.size(1) - 1 + int64_t(gendered.step);
  const torch::Tensor answer = torch::tensor(caption, torch::kInt64).view({1, -1}).to(prompt.input_ids.device());
  model::VlmInputs inputs;
  inputs.input_ids = torch::cat({prompt.input_ids, answer}, 1);  // [1, T + n]
  if (prompt.token_type_ids.defined())  // else the model derives them from the image tokens
    inputs.token_type_ids = torch::cat({prompt.token_type_ids, torch::full_like(answer, kTextToken)}, 1);
  inputs.pixel_values = prompt.pixel_values;
  model::Session session;
  const HookPoint stream_start{Site::ResidPre, 0, false};
  session.hooks.capture(stream_start, {position});
  for (int64_t l = 0; l < layers; ++l)
    for (const Site site : {Site::ResidPost, Site::AttnOut, Site::MlpOut, Site::Z}) session.hooks.capture({site, l, false}, {position});
  const torch::Tensor logits = model.forward(inputs, session)[0][position].to(torch::kFloat64);  // [vocab]

  const auto& language = *model.language_model;
  const torch::Tensor unembedding = language.unembedding();  // [vocab, d]
  const torch::Tensor direction = (unembedding[gendered.female_id] - unembedding[gendered.male_id]).to(torch::kCPU, torch::kFloat64);
  LensReading reading;
  reading.final_difference = (logits[gendered.female_id] - logits[gendered.male_id]).item<double>();
  for (int64_t l = 0; l < layers; ++l) {
    const torch::Tensor normed = language.model->norm->forward(session.hooks.captured({Site::ResidPost, l, false}));
    reading.lens.push_back(normed.reshape({-1}).to(torch::kCPU, torch::kFloat64).dot(direction).item<double>());
  }
  const model::NormImpl& norm = *language.model->norm;
  const torch::Tensor final_stream = at(session.hooks, {Site::ResidPost, layers - 1, false});
  const double scale = 1.0 / std::sqrt(final_stream.square().mean().item<double>() + norm.eps);
  const torch::Tensor projection = scale * model::rms_gain(norm) * direction;  // [d]: one part's vector → its share
  reading.embed = at(session.hooks, stream_start).dot(projection).item<double>();
  for (int64_t l = 0; l < layers; ++l) {
    reading.attn.push_back(at(session.hooks, {Site::AttnOut, l, false}).dot(projection).item<double>());
    reading.mlp.push_back(at(session.hooks, {Site::MlpOut, l, false}).dot(projection).item<double>());
    const torch::Tensor heads = head_outputs(*language.model->blocks[size_t(l)], session.hooks, l).matmul(projection);  // [H]
    reading.heads.emplace_back(heads.data_ptr<double>(), heads.data_ptr<double>() + heads.numel());
  }
  return reading;
}

std::vector<LensEntry> logit_lens(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                  const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                  int64_t max_new_tokens, jobs::JobContext* job) {
  model::rms_gain(*model.language_model->model->norm);  // an unsupported decoder, before any work
  std::vector<LensEntry> entries;
  for_each_caption_prompt(model, tokenizer, images, langs, job, [&](const DatasetImage& image, Language lang,
                                                                    const torch::Tensor& pixels,
                                                                    const model::VlmInputs& prompt) {
    model::Session session;
    const model::Caption caption = model::caption_images(model, tokenizer, pixels, {lang, max_new_tokens, job}, session)[0];
    const auto gendered = gendered_step(tokenizer, caption.tokens, lang);
    if (!gendered) return;
    LensEntry entry;
    entry.image = image;
    entry.lang = lang;
    entry.caption = caption.text;
    entry.female_word = tokenizer.token_text(gendered->female_id);
    entry.male_word = tokenizer.token_text(gendered->male_id);
    entry.stated_female = caption.tokens[gendered->step] == gendered->female_id;
    entry.reading = read_lens(model, prompt, caption.tokens, *gendered);
    entries.push_back(std::move(entry));
  });
  return entries;
}

namespace {

// +1 when the entry's caption says the female word, −1 for the male one.
double stated_sign(const LensEntry& entry) { return entry.stated_female ? 1.0 : -1.0; }

}  // namespace

util::Table lens_table(const std::vector<LensEntry>& entries, const std::vector<Language>& langs, int64_t layers) {
  util::Table table({{"layer", util::ColumnType::Text},
                     {"lang", util::ColumnType::Text},
                     {"entries", util::ColumnType::Integer},
                     {"mean_logit_diff", util::ColumnType::Real},
                     {"female_share", util::ColumnType::Real},
                     {"mean_stated_margin", util::ColumnType::Real},
                     {"stated_share", util::ColumnType::Real}});
  for (const Language lang : langs)
    for (int64_t l = 0; l <= layers; ++l) {  // l == layers: the final logits
      std::vector<double> values, margins;
      for (const LensEntry& e : entries) {
        if (e.lang != lang) continue;
        values.push_back(l < layers ? e.reading.lens[size_t(l)] : e.reading.final_difference);
        margins.push_back(stated_sign(e) * values.back());
      }
      const auto share_above_zero = [](const std::vector<double>& v) {
        double above = 0;
        for (double x : v) above += x > 0;
        return util::Cell(above / double(v.size()));
      };
      const bool none = values.empty();
      table.add_row({l < layers ? std::to_string(l) : std::string("final"), std::string(language_code(lang)),
                     int64_t(values.size()), none ? util::Cell() : util::Cell(mean_of(values)),
                     none ? util::Cell() : share_above_zero(values), none ? util::Cell() : util::Cell(mean_of(margins)),
                     none ? util::Cell() : share_above_zero(margins)});
    }
  return table;
}

util::Table dla_table(const std::vector<LensEntry>& entries, const std::vector<Language>& langs, int64_t layers,
                      int64_t heads) {
  util::Table table({{"component", util::ColumnType::Text},
                     {"layer", util::ColumnType::Integer},
                     {"head", util::ColumnType::Integer},
                     {"lang", util::ColumnType::Text},
                     {"entries", util::ColumnType::Integer},
                     {"mean_dla", util::ColumnType::Real},
                     {"mean_stated_dla", util::ColumnType::Real}});
  for (const Language lang : langs) {
    const auto add = [&](const char* component, util::Cell layer, util::Cell head,
                         const std::function<double(const LensReading&)>& part) {
      std::vector<double> values, stated;
      for (const LensEntry& e : entries) {
        if (e.lang != lang) continue;
        values.push_back(part(e.reading));
        stated.push_back(stated_sign(e) * values.back());
      }
      table.add_row({std::string(component), layer, head, std::string(language_code(lang)), int64_t(values.size()),
                     values.empty() ? util::Cell() : util::Cell(mean_of(values)),
                     values.empty() ? util::Cell() : util::Cell(mean_of(stated))});
    };
    add("embed", util::Cell(), util::Cell(), [](const LensReading& r) { return r.embed; });
    for (int64_t l = 0; l < layers; ++l) {
      add("attn", l, util::Cell(), [l](const LensReading& r) { return r.attn[size_t(l)]; });
      add("mlp", l, util::Cell(), [l](const LensReading& r) { return r.mlp[size_t(l)]; });
    }
    for (int64_t l = 0; l < layers; ++l)
      for (int64_t h = 0; h < heads; ++h)
        add("head", l, h, [l, h](const LensReading& r) { return r.heads[size_t(l)][size_t(h)]; });
  }
  return table;
}

util::Table lens_entries_table(const std::vector<LensEntry>& entries, int64_t layers) {
  std::vector<util::Column> columns = {{"row", util::ColumnType::Integer},        {"image", util::ColumnType::Text},
                                       {"lang", util::ColumnType::Text},          {"caption", util::ColumnType::Text},
                                       {"female_word", util::ColumnType::Text},   {"male_word", util::ColumnType::Text},
                                       {"final_logit_diff", util::ColumnType::Real}};
  for (int64_t l = 0; l < layers; ++l) columns.push_back({"lens_" + std::to_string(l), util::ColumnType::Real});
  util::Table table(columns);
  for (const LensEntry& e : entries) {
    std::vector<util::Cell> row = {e.image.row < 0 ? util::Cell() : util::Cell(e.image.row), e.image.image,
                                   std::string(language_code(e.lang)), e.caption, e.female_word, e.male_word,
                                   e.reading.final_difference};
    for (double v : e.reading.lens) row.push_back(v);
    table.add_row(row);
  }
  return table;
}

}  // namespace loupe::study
