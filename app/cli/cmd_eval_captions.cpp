// `loupe eval-captions`: captions a synth split in English and Arabic and reports template
// accuracy, Arabic agreement, the gender errors on stereotypical vs counter-stereotypical images,
// and per language BLEU and ROUGE-L against the dataset's captions and the caption bias measures
// (core/eval/caption_report.h).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/eval/caption_report.h"
#include "core/io/dataset.h"
#include "core/jobs/progress_printer.h"
#include "core/model/inputs.h"
#include "core/train/caption_examples.h"
#include "core/train/split_evaluation.h"
#include "core/train/split_report.h"
#include "core/util/language.h"

namespace loupe::cli {

namespace {

std::string percent(double share) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << 100.0 * share << "%";
  return text.str();
}

void print_gender(const nlohmann::json& gender, const char* language) {
  for (const char* group : {"stereotypical", "counter", "neutral"}) {
    const nlohmann::json& tally = gender[group];
    std::cout << "  " << language << " " << group << (std::string(group) == "neutral" ? " figures captioned gendered: " : " images misgendered: ")
              << percent(tally["error_rate"].get<double>()) << " of " << tally["images"] << " (unstated "
              << tally["unstated"] << ")\n";
  }
  std::cout << "  " << language << " gender error gap (counter - stereotypical): " << percent(gender["gap"].get<double>()) << "\n";
}

std::string optional_percent(const nlohmann::json& share) {
  return share.is_null() ? "n/a" : percent(share.get<double>());
}

std::string number(const nlohmann::json& value, int digits, bool sign = false) {
  if (value.is_null()) return "n/a";
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << (sign ? std::showpos : std::noshowpos) << value.get<double>();
  return text.str();
}

void print_caption_report(const nlohmann::json& report, const char* language, const std::string& reference) {
  const nlohmann::json& bias = report["bias"];
  const nlohmann::json& accuracy = bias["accuracy"];
  const nlohmann::json& leakage = bias["leakage"];
  const auto leakage_of = [](const nlohmann::json& side) { return side.is_null() ? std::string("n/a") : number(side["leakage"], 3); };
  std::cout << "  " << language << " BLEU " << number(report["bleu"], 1) << ", ROUGE-L " << number(report["rouge_l"], 3)
            << " against the dataset's captions\n"
            << "  " << language << " gender accuracy: woman " << optional_percent(accuracy["woman"]) << ", man "
            << optional_percent(accuracy["man"]) << " (gap " << optional_percent(accuracy["gap"]) << "), error rate "
            << optional_percent(accuracy["error_rate"]) << ", unstated " << optional_percent(accuracy["unstated_rate"]) << "\n"
            << "  " << language << " woman:man ratio " << number(bias["ratio"]["predicted"], 2) << " (ground truth "
            << number(bias["ratio"]["truth"], 2) << ")\n"
            << "  " << language << " bias amplification " << number(bias["amplification"]["value"], 3, true) << " over "
            << bias["amplification"]["scenes_used"] << " scenes (reference: the " << reference << " split)\n"
            << "  " << language << " leakage: model captions " << leakage_of(leakage["model"]) << ", dataset captions "
            << leakage_of(leakage["reference"]) << ", LIC " << number(leakage["lic"], 3, true) << "\n";
}

int run_eval_captions(const Args& args) {
  train::SplitEvaluationOptions options;
  options.split = io::canonical_split(args.get_or("split", "eval"));
  options.limit = args.get_count("limit", 0);  // 0: every image of the split
  const io::Dataset dataset = io::load_dataset(args.get("data"));
  train::rows_in_split(dataset, options.split, 1);  // a split with no rows fails before the model loads
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto tokenizer = model::model_tokenizer(folder);
  const auto evaluation = jobs::run_in_foreground("eval-captions", [&](jobs::JobContext& job) {
    return train::evaluate_split(*vlm, *tokenizer, dataset, options, job);
  }, std::cerr).as<train::SplitEvaluation>();

  nlohmann::json metrics = train::split_report(evaluation, dataset, options.split);
  const std::string reference = metrics["bias_reference_split"];
  if (args.has("json")) {
    nlohmann::json captions = nlohmann::json::array();
    for (const auto& record : evaluation.records)
      captions.push_back({{"image", record.image}, {"figure", record.figure}, {"scene", record.scene}, {"en", record.en}, {"ar", record.ar}});
    metrics["captions"] = captions;
    std::cout << metrics.dump() << "\n";
    return 0;
  }
  std::cout << "eval-captions: " << metrics["images"] << " images of the " << options.split << " split\n"
            << "  en exact template: " << percent(metrics["en"]["exact_template"].get<double>())
            << ", scene accuracy: " << percent(metrics["en"]["scene_accuracy"].get<double>())
            << ", activity accuracy: " << percent(metrics["en"]["activity_accuracy"].get<double>()) << "\n"
            << "  ar subject-verb agreement: " << percent(metrics["ar"]["agreement"].get<double>()) << "\n";
  print_gender(metrics["en"]["gender"], "en");
  print_gender(metrics["ar"]["gender"], "ar");
  for (const Language language : kLanguages)
    print_caption_report(metrics[language_code(language)], language_code(language), reference);
  return 0;
}

}  // namespace

CommandSpec eval_captions_command() {
  return {"eval-captions",
          "caption a synth split in English and Arabic and measure accuracy, agreement, BLEU, ROUGE-L and gender bias",
          "loupe eval-captions [--model DIR] --data DIR [--split eval|counter|train] [--limit N] [--json]",
          options({model_options(),
                   {{"data", "DIR", "a `loupe synth` dataset folder"},
                    {"split", "NAME", "eval (the balanced split, default), counter or train"},
                    {"limit", "N", "caption only the split's first N images"},
                    {"json", "", "print the metrics (en and ar: bleu, rouge_l, bias) and every caption as JSON"}}}),
          run_eval_captions};
}

}  // namespace loupe::cli
