#include "core/store/extract.h"

#include <chrono>
#include <optional>

#include "core/error.h"
#include "core/eval/gender.h"
#include "core/io/hf_config.h"
#include "core/model/generate.h"
#include "core/model/hook_names.h"
#include "core/model/inputs.h"
#include "core/store/store_reader.h"
#include "core/tensor/convert.h"
#include "core/text/prompt.h"
#include "core/util/json_fields.h"

namespace loupe::store {

namespace fs = std::filesystem;

struct Extraction::Chunk {
  int64_t begin = 0;                        // index in rows_ of its first row
  std::vector<const io::DatasetRow*> rows;  // every row of the chunk, in dataset order
  std::vector<bool> readable;               // per row: its image loaded
  std::vector<nlohmann::json> problems;     // per row: why it is skipped (null when readable)
  // Source caption, per row: per --langs language the teacher-forced ids (prompt and reference caption).
  std::vector<std::vector<std::vector<int64_t>>> sequences;
  torch::Tensor pixels;                     // [readable rows, 3, S, S] float32
};

namespace {

std::string stored_dtype_word(const std::string& word) {
  const torch::ScalarType type = tensor::parse_dtype(word);
  return type == torch::kFloat16 ? "f16" : type == torch::kBFloat16 ? "bf16" : "f32";
}

// The model computes in the stored dtype, except f16 on a CPU (LibTorch lacks f16 matrix products
// there): it then computes in f32 and the activations are rounded to f16 when stored.
torch::ScalarType compute_dtype(torch::ScalarType stored, const torch::Device& device) {
  return stored == torch::kFloat16 && device.is_cpu() ? torch::kFloat32 : stored;
}

const std::string& reference_caption(const io::DatasetRow& row, Language lang) {
  return lang == Language::Arabic ? row.ar_caption : row.en_caption;
}

nlohmann::json inferred_gender(const std::string& caption, Language lang) {
  return eval::gender_name(eval::infer_gender(caption, lang).gender);
}

// Types of a sequence: the prompt's image tokens, template elsewhere in the prompt, then the answer
// tokens as text except special ones (end of turn) which count as template.
std::vector<int8_t> sequence_types(const text::Prompt& prompt, const std::vector<int64_t>& ids, const text::Tokenizer& tokenizer) {
  std::vector<int8_t> types(ids.size(), kTemplateToken);
  for (size_t p = 0; p < ids.size(); ++p) {
    if (p < prompt.ids.size()) {
      if (prompt.token_type_ids[p] == kImageToken) types[p] = kImageToken;
    } else if (!tokenizer.is_special(ids[p])) {
      types[p] = kTextToken;
    }
  }
  return types;
}

// [T, d] activations of one sequence → the selected vectors in the stored dtype.
torch::Tensor take(const torch::Tensor& sequence, const Selection& selection, torch::ScalarType stored) {
  if (selection.positions.empty()) return torch::empty({0, sequence.size(-1)}, sequence.options().dtype(stored));
  torch::Tensor picked = sequence.index_select(0, torch::tensor(selection.positions, torch::kInt64).to(sequence.device()));
  if (selection.pooled) picked = picked.to(torch::kFloat32).mean(0, /*keepdim=*/true);
  return picked.to(stored).cpu().contiguous();
}

UnitVectors unit_from(const Selection& selection, nlohmann::json meta) {
  UnitVectors unit;
  unit.positions = selection.pooled ? std::vector<int64_t>(selection.positions.empty() ? 0 : 1, -1) : selection.positions;
  unit.types = selection.types;
  meta["positions"] = unit.positions;
  unit.meta = std::move(meta);
  return unit;
}

// Vision stores have no caption language.
nlohmann::json row_meta(const io::DatasetRow& row, std::optional<Language> lang) {
  const nlohmann::json reference = !lang ? nlohmann::json() : nlohmann::json(*lang == Language::Arabic ? row.ar_caption : row.en_caption);
  const nlohmann::json labels = row.labels;
  auto gender = row.labels.find("gender");
  return {{"row", row.row},
          {"line", row.line},
          {"image", row.image},
          {"lang", lang ? language_code(*lang) : ""},
          {"reference_caption", reference},
          {"generated_caption", nullptr},
          {"labels", labels},
          {"gender", {{"label", gender == row.labels.end() ? nlohmann::json() : nlohmann::json(gender->second)},
                      {"reference", !lang ? nlohmann::json() : inferred_gender(reference.get<std::string>(), *lang)}}}};
}

// A skipped row as this run or a resumed manifest lists it; an item a hand-edited manifest garbled
// is kept as its text, never thrown on.
SkippedRow skipped_row(const nlohmann::json& item) {
  SkippedRow row;
  if (!item.is_object()) {
    row.reason = util::describe_json(item, 200);
    return row;
  }
  const auto integer = [&](const char* key) { return item.contains(key) && item[key].is_number_integer() ? item[key].get<int64_t>() : -1; };
  const auto text = [&](const char* key) { return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : ""; };
  row.row = integer("row");
  row.line = integer("line");
  row.image = text("image");
  row.reason = text("reason");
  return row;
}

}  // namespace

std::unique_ptr<Extraction> Extraction::prepare(const ExtractOptions& options) {
  auto extraction = std::unique_ptr<Extraction>(new Extraction());
  Extraction& e = *extraction;
  e.options_ = options;
  if (options.hooks.empty() == options.vision_hooks.empty())
    throw InputError(options.hooks.empty() ? "name the hooks to store: --hooks (decoder) or --vision-hooks"
                                           : "a store holds decoder hooks or vision hooks, not both; "
                                             "extract them into two stores (--out)");
  e.vision_ = !options.vision_hooks.empty();
  e.selector_ = parse_positions(options.positions);
  require_positions(e.selector_, kStorePositions);
  if (e.vision_ && e.selector_.kind != PositionKind::All && e.selector_.kind != PositionKind::Image)
    throw InputError("vision hooks only see the image: use --positions all, image or mean-image");
  if (options.source != "caption" && options.source != "generate")
    throw InputError("unknown --source '" + options.source + "'; use caption or generate");
  if (options.batch < 1) throw InputError("--batch must be at least 1");
  if (options.limit < 0) throw InputError("--limit must not be negative");
  if (!e.vision_ && options.langs.empty()) throw InputError("--langs needs at least one language (en, ar)");
  for (size_t l = 0; l < options.langs.size(); ++l)
    for (size_t m = 0; m < l; ++m)
      if (options.langs[m] == options.langs[l])
        throw InputError(std::string("--langs names ") + language_code(options.langs[l]) + " twice");
  // Hooks are checked against the config before the weights load or any file is written.
  const io::ModelConfig config = io::read_model_config(options.model);
  e.points_ = model::expand_hook_patterns(e.vision_ ? options.vision_hooks : options.hooks, config);
  for (const auto& point : e.points_) {
    if (point.vision != e.vision_ || point.site == model::Site::ProjectorOut)
      throw InputError(model::hook_name(point) + (e.vision_ ? " is not a vision tower hook; pass it with --hooks"
                                                            : " is not a decoder hook; pass it with --vision-hooks"));
    if (!model::site_traits(point.site).storable)
      throw InputError(model::hook_name(point) + " has no per-position vector to store; choose residual, attention-out, "
                       "MLP or q/k/v/z hooks");
  }
  e.dataset_ = io::load_dataset(options.dataset);
  const size_t limit = options.limit > 0 ? std::min(size_t(options.limit), e.dataset_.rows.size()) : e.dataset_.rows.size();
  e.rows_.assign(e.dataset_.rows.begin(), e.dataset_.rows.begin() + int64_t(limit));
  if (e.rows_.empty()) throw InputError("the dataset " + options.dataset + " has no rows to extract");
  if (options.part) {
    const int64_t dataset_rows = int64_t(e.rows_.size());
    const PartRows range = part_rows(dataset_rows, options.batch, *options.part);
    e.rows_ = std::vector<io::DatasetRow>(e.rows_.begin() + range.first, e.rows_.begin() + range.end);
    e.spec_.part = {{"index", options.part->index},   {"count", options.part->count},
                    {"batch", options.batch},         {"shard_vectors", options.shard_vectors},
                    {"rows", {range.first, range.end}}, {"dataset_rows", dataset_rows}};
  }

  const torch::Device device = tensor::parse_device(options.device);
  e.store_dtype_ = tensor::parse_dtype(options.dtype);
  e.model_ = model::load_vlm(options.model, {compute_dtype(e.store_dtype_, device), device});
  if (!e.vision_) {
    e.tokenizer_ = model::model_tokenizer(options.model);
    for (Language lang : options.langs)
      e.prompts_.push_back(model::family_prompt(config, *e.tokenizer_, text::caption_question(lang)));
  }

  e.spec_.model = fs::weakly_canonical(fs::absolute(options.model)).string();
  e.spec_.dataset = e.dataset_.root;
  for (const auto& point : e.points_) {
    e.spec_.hooks.push_back(model::hook_name(point));
    e.spec_.widths.push_back(model::hook_width(point, config));
  }
  e.spec_.dtype = stored_dtype_word(options.dtype);
  e.spec_.positions = positions_word(e.selector_);
  e.spec_.source = e.vision_ ? "image" : options.source;
  e.spec_.langs = e.vision_ ? std::vector<std::string>{} : language_codes(options.langs);
  e.spec_.limit = options.limit;
  e.spec_.units_total = int64_t(e.rows_.size()) * (e.vision_ ? 1 : int64_t(options.langs.size()));
  e.made_folder_ = !fs::exists(options.out);
  e.writer_ = std::make_unique<StoreWriter>(options.resume ? StoreWriter::resume(options.out, e.spec_, options.shard_vectors)
                                                           : StoreWriter::create(options.out, e.spec_, options.shard_vectors));
  return extraction;
}

std::vector<UnitVectors> Extraction::vision_units(const Chunk& chunk) {
  model::HookSet hooks;
  for (const auto& point : points_) hooks.capture(point);
  torch::NoGradGuard no_grad;
  model_->image_features(chunk.pixels.to(model_->device(), model_->dtype()), hooks);
  std::vector<UnitVectors> units;
  int64_t image = 0;
  for (size_t r = 0; r < chunk.rows.size(); ++r) {
    if (!chunk.readable[r]) continue;
    const int64_t patches = hooks.captured(points_[0]).size(1);
    const Selection selection = select_stored(selector_, std::vector<int8_t>(size_t(patches), kImageToken));
    UnitVectors unit = unit_from(selection, row_meta(*chunk.rows[r], std::nullopt));
    for (const auto& point : points_) unit.per_hook.push_back(take(hooks.captured(point)[image], selection, store_dtype_));
    units.push_back(std::move(unit));
    ++image;
  }
  return units;
}

std::vector<UnitVectors> Extraction::decoder_units(const Chunk& chunk, size_t lang_index) {
  const io::ModelConfig& config = model_->config;
  const Language lang = options_.langs[lang_index];
  const text::Prompt& prompt = prompts_[lang_index];
  std::vector<size_t> readable;  // chunk row of each row run
  for (size_t r = 0; r < chunk.rows.size(); ++r)
    if (chunk.readable[r]) readable.push_back(r);
  std::vector<const io::DatasetRow*> rows;
  for (size_t r : readable) rows.push_back(chunk.rows[r]);
  const int64_t n = int64_t(rows.size());
  const int64_t pad = std::max<int64_t>(config.text.pad_id, 0);

  model::Session session;
  for (const auto& point : points_) session.hooks.capture(point);
  std::vector<std::vector<int64_t>> sequences(static_cast<size_t>(n));  // ids of each row's sequence
  std::vector<std::string> generated(static_cast<size_t>(n));
  int64_t captured_length = 0;  // positions run (generate: the last generated token is never fed)
  model::VlmInputs inputs;
  inputs.pixel_values = chunk.pixels.to(model_->device(), model_->dtype());
  if (options_.source == "caption") {
    int64_t longest = 0;
    for (int64_t i = 0; i < n; ++i) {
      sequences[size_t(i)] = chunk.sequences[readable[size_t(i)]][lang_index];
      longest = std::max(longest, int64_t(sequences[size_t(i)].size()));
    }
    // Right padding: positions are causal, so the padding never reaches a row's own positions.
    torch::Tensor ids = torch::full({n, longest}, pad, torch::kInt64);          // [n, T]
    torch::Tensor types = torch::zeros({n, longest}, torch::kInt64);            // [n, T]
    const torch::Tensor prompt_types = torch::tensor(prompt.token_type_ids, torch::kInt64);
    for (int64_t i = 0; i < n; ++i) {
      const auto& sequence = sequences[size_t(i)];
      ids[i].narrow(0, 0, int64_t(sequence.size())).copy_(torch::tensor(sequence, torch::kInt64));
      types[i].narrow(0, 0, int64_t(prompt.ids.size())).copy_(prompt_types);
    }
    inputs.input_ids = ids.to(model_->device());
    inputs.token_type_ids = types.to(model_->device());
    torch::NoGradGuard no_grad;
    model_->forward(inputs, session);
    captured_length = longest;
  } else {
    inputs.input_ids = torch::tensor(prompt.ids, torch::kInt64).unsqueeze(0).expand({n, -1}).contiguous().to(model_->device());
    inputs.token_type_ids =
        torch::tensor(prompt.token_type_ids, torch::kInt64).unsqueeze(0).expand({n, -1}).contiguous().to(model_->device());
    model::GenerateOptions generate_options;
    generate_options.max_new_tokens = options_.max_new_tokens;
    generate_options.stop_ids = config.eos_ids;
    const model::GenerateResult result = model::generate(*model_, session, inputs, generate_options);
    for (int64_t i = 0; i < n; ++i) {
      sequences[size_t(i)] = prompt.ids;
      const auto& tokens = result.tokens[size_t(i)];
      sequences[size_t(i)].insert(sequences[size_t(i)].end(), tokens.begin(), tokens.end());
      generated[size_t(i)] = tokenizer_->decode(tokens, true);
    }
    captured_length = session.length;
  }

  std::vector<torch::Tensor> captured;  // per hook [n, captured_length, d]
  for (const auto& point : points_) captured.push_back(session.hooks.captured(point));
  std::vector<UnitVectors> units;
  for (int64_t i = 0; i < n; ++i) {
    const auto& sequence = sequences[size_t(i)];
    const std::vector<int8_t> types = sequence_types(prompt, sequence, *tokenizer_);
    // Positions run for this row: generation never feeds a row's last token back (in a batch it
    // may, while other rows go on; it is left out so that the store does not depend on --batch).
    const size_t run = options_.source == "generate" ? std::min(sequence.size() - 1, size_t(captured_length)) : sequence.size();
    const Selection selection = select_stored(selector_, std::vector<int8_t>(types.begin(), types.begin() + int64_t(run)));
    nlohmann::json meta = row_meta(*rows[size_t(i)], lang);
    if (options_.source == "generate") {
      meta["generated_caption"] = generated[size_t(i)];
      meta["gender"]["generated"] = inferred_gender(generated[size_t(i)], lang);
    }
    meta["ids"] = sequence;
    std::vector<std::string> tokens;
    for (int64_t id : sequence) tokens.push_back(tokenizer_->token_text(id));
    meta["tokens"] = tokens;
    meta["types"] = types;
    UnitVectors unit = unit_from(selection, std::move(meta));
    for (const auto& hook : captured) unit.per_hook.push_back(take(hook[i], selection, store_dtype_));
    units.push_back(std::move(unit));
  }
  return units;
}

void Extraction::run_chunk(const Chunk& chunk, int64_t first_unit, jobs::JobContext& context) {
  // Vision stores run once per row, with no caption language.
  std::vector<std::optional<Language>> langs;
  if (vision_) langs.push_back(std::nullopt);
  for (Language lang : vision_ ? std::vector<Language>{} : options_.langs) langs.push_back(lang);
  // Per language, the units of the readable rows in chunk order.
  std::vector<std::vector<UnitVectors>> per_lang(langs.size());
  if (chunk.pixels.defined() && chunk.pixels.size(0) > 0)
    for (size_t l = 0; l < langs.size(); ++l) per_lang[l] = vision_ ? vision_units(chunk) : decoder_units(chunk, l);
  // Units enter the store in (row, language) order; those before first_unit were committed earlier.
  const int64_t first_row_unit = chunk.begin * int64_t(langs.size());
  std::vector<size_t> next(langs.size(), 0);
  for (size_t r = 0; r < chunk.rows.size(); ++r) {
    for (size_t l = 0; l < langs.size(); ++l) {
      const int64_t unit = first_row_unit + int64_t(r * langs.size() + l);
      if (!chunk.readable[r]) {
        if (unit >= first_unit) writer_->skip_unit(l == 0 ? chunk.problems[r] : nlohmann::json());
        if (unit >= first_unit && l == 0) context.log("skipped row " + std::to_string(chunk.rows[r]->row) + ": " +
                                                      chunk.problems[r]["reason"].get<std::string>());
      } else {
        UnitVectors vectors = std::move(per_lang[l][next[l]++]);
        if (unit >= first_unit && !vision_ && options_.source == "caption" && reference_caption(*chunk.rows[r], *langs[l]).empty()) {
          ++empty_captions_;
          context.log("warning: row " + std::to_string(chunk.rows[r]->row) + " (line " + std::to_string(chunk.rows[r]->line) +
                      "): the " + language_code(*langs[l]) + " reference caption is empty; its entry holds no caption tokens");
        }
        if (unit >= first_unit) writer_->add(std::move(vectors));
      }
      if (unit >= first_unit) context.advance(1, fs::path(chunk.rows[r]->image).filename().string());
    }
  }
}

std::string Extraction::teacher_forced(const io::DatasetRow& row, std::vector<std::vector<int64_t>>& sequences) const {
  sequences.clear();
  if (vision_ || options_.source != "caption") return "";
  const io::ModelConfig& config = model_->config;
  for (size_t l = 0; l < options_.langs.size(); ++l) {
    sequences.push_back(text::with_answer(*tokenizer_, prompts_[l], reference_caption(row, options_.langs[l]), config.family).ids);
    if (int64_t(sequences.back().size()) > config.text.max_positions)
      return std::string("the ") + language_code(options_.langs[l]) + " caption with the prompt is " +
             std::to_string(sequences.back().size()) + " tokens, past this model's context of " +
             std::to_string(config.text.max_positions);
  }
  return "";
}

bool Extraction::discard_empty_store() {
  if (writer_->units_done() > 0 || !made_folder_) return false;
  std::error_code error;
  fs::remove_all(options_.out, error);
  return true;
}

ExtractSummary Extraction::run(jobs::JobContext& context) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t langs = vision_ ? 1 : int64_t(options_.langs.size());
  const int64_t first_unit = writer_->units_done();
  context.set_total(spec_.units_total);
  context.advance(first_unit);
  if (first_unit > 0) context.log("resuming after " + std::to_string(first_unit) + " units already stored");
  context.set_stage("extracting");
  const int64_t batch = options_.batch;
  // Chunks are fixed multiples of the batch from the first row, so a resumed run batches rows
  // exactly as an uninterrupted one would.
  try {
    const int64_t start = first_unit < spec_.units_total ? (first_unit / langs) / batch * batch : int64_t(rows_.size());
    for (int64_t begin = start; begin < int64_t(rows_.size()); begin += batch) {
      context.throw_if_cancelled();
      Chunk chunk;
      chunk.begin = begin;
      std::vector<torch::Tensor> pixels;
      for (int64_t r = begin; r < std::min<int64_t>(begin + batch, int64_t(rows_.size())); ++r) {
        const io::DatasetRow& row = rows_[size_t(r)];
        chunk.rows.push_back(&row);
        chunk.sequences.emplace_back();
        std::string problem = teacher_forced(row, chunk.sequences.back());
        if (problem.empty()) {
          try {
            pixels.push_back(model::image_pixels(model_->config, row.image));
          } catch (const Error& error) {  // missing or corrupt image: listed, the extraction goes on
            problem = error.what();
          }
        }
        chunk.readable.push_back(problem.empty());
        chunk.problems.push_back(problem.empty() ? nlohmann::json()
                                                 : nlohmann::json{{"row", row.row}, {"line", row.line}, {"image", row.image}, {"reason", problem}});
      }
      if (!pixels.empty()) chunk.pixels = torch::cat(pixels, 0);  // [n, 3, S, S]
      run_chunk(chunk, first_unit, context);
    }
    writer_->finish();
  } catch (const Cancelled&) {
    writer_->commit();
    if (discard_empty_store()) throw Cancelled("extraction cancelled before any unit was stored; " + options_.out.string() + " was removed");
    throw Cancelled("extraction cancelled; " + std::to_string(writer_->units_done()) + " of " +
                    std::to_string(spec_.units_total) + " (row, language) units are stored; rerun with --resume to continue");
  } catch (const IoError& error) {
    if (discard_empty_store())
      throw IoError(std::string(error.what()) + "\nextraction stopped before any unit was stored; " + options_.out.string() +
                    " was removed");
    throw IoError(std::string(error.what()) + "\nextraction stopped; the store " + options_.out.string() + " is consistent with " +
                  std::to_string(writer_->units_done()) + " of " + std::to_string(spec_.units_total) +
                  " (row, language) units; free space and rerun with --resume");
  } catch (const Error&) {
    discard_empty_store();
    throw;
  }
  if (writer_->vectors() == 0) {
    const nlohmann::json& skipped = writer_->skipped();
    const std::string why = skipped.size() == rows_.size()
                                ? "every one of its " + std::to_string(rows_.size()) + " rows was skipped (first: " +
                                      util::describe_json(skipped[0], 300) + ")"
                                : "the rows gave no vector at --positions " + spec_.positions;
    std::error_code error;
    fs::remove_all(options_.out, error);
    throw InputError("the extraction stored no vectors: " + why + "; " + options_.out.string() + " was removed");
  }
  ExtractSummary summary;
  summary.store = options_.out.string();
  summary.rows = writer_->rows();
  summary.vectors = writer_->vectors();
  summary.units = spec_.units_total - first_unit;
  summary.dataset_rows = int64_t(rows_.size());
  for (const nlohmann::json& item : writer_->skipped()) summary.skipped.push_back(skipped_row(item));
  summary.empty_captions = empty_captions_;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.units_per_second = summary.seconds > 0 ? double(summary.units) / summary.seconds : 0.0;
  return summary;
}

nlohmann::json ExtractSummary::to_json() const {
  nlohmann::json listed = nlohmann::json::array();
  for (const SkippedRow& row : skipped)
    listed.push_back({{"row", row.row}, {"line", row.line}, {"image", row.image}, {"reason", row.reason}});
  return {{"store", store},   {"rows", rows},       {"vectors", vectors}, {"units", units}, {"dataset_rows", dataset_rows},
          {"skipped", listed}, {"empty_captions", empty_captions}, {"seconds", seconds}, {"units_per_second", units_per_second}};
}

}  // namespace loupe::store
