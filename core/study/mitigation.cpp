#include "core/study/mitigation.h"

#include "core/analysis/paired_tests.h"
#include "core/error.h"
#include "core/study/ablation.h"
#include "core/study/steering.h"
#include "core/synth/caption_metrics.h"
#include "core/train/split_report.h"

namespace loupe::study {

namespace {

nlohmann::ordered_json figures_of(const nlohmann::json& report, const char* lang) {
  const nlohmann::json& gender = report[lang]["gender"];
  return {{"misgendered_counter", gender["counter"]["error_rate"]},
          {"misgendered_stereo", gender["stereotypical"]["error_rate"]},
          {"gendered_neutral", gender["neutral"]["error_rate"]},
          {"bleu", report[lang]["bleu"]},
          {"rouge_l", report[lang]["rouge_l"]},
          {"bias", report[lang]["bias"]}};
}

}  // namespace

nlohmann::ordered_json mitigate(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const io::Dataset& dataset,
                                const MitigationRequest& request, jobs::JobContext& job) {
  if (request.set.steers.empty() && request.set.ablations.empty() && !request.adapter)
    throw InputError("nothing to compare: the set holds no steer or ablation and no adapter is given");
  const std::vector<Steer> steers = steers_of(request.set.steers, model.config);
  std::vector<AblationRequest> ablations;
  if (!request.set.ablations.empty()) {
    std::vector<DatasetImage> images;
    for (const io::DatasetRow* row : train::split_rows(dataset, io::canonical_split(request.evaluation.split), request.evaluation.limit))
      images.push_back({row->image, int64_t(row - dataset.rows.data())});
    for (const AblationSpec& spec : request.set.ablations)
      ablations.push_back(ablation_request(spec, model, tokenizer, images, {kLanguages.begin(), kLanguages.end()},
                                           request.evaluation.max_new_tokens, &job));
  }

  train::SplitEvaluationOptions plain = request.evaluation;
  plain.intervention = nullptr;
  job.set_stage("the baseline captions");
  const train::SplitEvaluation baseline = train::evaluate_split(model, tokenizer, dataset, plain, job);

  train::SplitEvaluationOptions steered = request.evaluation;
  steered.intervention = [&](Language, const torch::Tensor& token_types, model::HookSet& hooks) {
    hooks.set_adapter(request.adapter);
    for (const Steer& steer : steers)
      add_steer(steer, token_types, steered.max_new_tokens, model.device(), model.dtype(), hooks);
    for (const AblationRequest& ablation : ablations) add_ablation(ablation, model.config, token_types, hooks);
  };
  job.set_stage("the intervened captions");
  const train::SplitEvaluation intervened = train::evaluate_split(model, tokenizer, dataset, steered, job);

  const nlohmann::json before = train::split_report(baseline, dataset, request.evaluation.split);
  const nlohmann::json after = train::split_report(intervened, dataset, request.evaluation.split);
  nlohmann::ordered_json out = {{"split", request.evaluation.split}, {"images", baseline.records.size()}};
  nlohmann::ordered_json set = nlohmann::ordered_json::array();
  for (const SteerSpec& spec : request.set.steers) set.push_back(steer_spec_word(spec));
  out["set"] = set;
  nlohmann::ordered_json ablation_entries = nlohmann::ordered_json::array();
  for (const AblationSpec& spec : request.set.ablations) ablation_entries.push_back(ablation_entry_json(spec));
  out["ablations"] = ablation_entries;
  out["adapter"] = request.adapter ? nlohmann::ordered_json(request.adapter_folder) : nlohmann::ordered_json();
  nlohmann::ordered_json captions = nlohmann::ordered_json::array();
  for (size_t i = 0; i < baseline.records.size(); ++i) {
    const synth::CaptionRecord &a = baseline.records[i], &b = intervened.records[i];
    captions.push_back({{"image", a.image}, {"figure", a.figure}, {"en", a.en}, {"en_intervened", b.en}, {"ar", a.ar},
                        {"ar_intervened", b.ar}});
  }
  for (const Language lang : kLanguages) {
    const char* code = language_code(lang);
    int64_t changed = 0, fixed = 0, introduced = 0;
    for (size_t i = 0; i < baseline.records.size(); ++i) {
      const synth::CaptionRecord &a = baseline.records[i], &b = intervened.records[i];
      changed += (lang == Language::Arabic ? a.ar != b.ar : a.en != b.en);
      const bool error_before = synth::misgendered(a, lang), error_after = synth::misgendered(b, lang);
      fixed += error_before && !error_after;
      introduced += !error_before && error_after;
    }
    const analysis::McNemarResult test = analysis::mcnemar_exact(fixed, introduced);
    out[code] = {{"baseline", figures_of(before, code)},
                 {"intervened", figures_of(after, code)},
                 {"changed", double(changed) / double(std::max<size_t>(1, baseline.records.size()))},
                 {"error_flips", {{"fixed", fixed}, {"introduced", introduced}, {"mcnemar_p", test.p}}},
                 {"gender_changes", synth::gender_changes_json(synth::tally_gender_changes(baseline.records, intervened.records, lang))}};
  }
  out["captions"] = captions;
  return out;
}

}  // namespace loupe::study
