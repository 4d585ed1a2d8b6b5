// `loupe eval-captions`: captions a synth split in English and Arabic and reports template
// accuracy, Arabic agreement and the gender errors on stereotypical vs counter-stereotypical images.
#include <iomanip>
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/io/dataset.h"
#include "core/model/inputs.h"
#include "core/train/caption_examples.h"
#include "core/train/split_evaluation.h"

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

int run_eval_captions(const Args& args) {
  train::SplitEvaluationOptions options;
  options.split = io::canonical_split(args.get_or("split", "eval"));
  options.limit = args.get_int("limit", 0);
  const io::Dataset dataset = io::load_dataset(args.get("data"));
  train::rows_in_split(dataset, options.split, 1);  // a split with no rows fails before the model loads
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto tokenizer = model::model_tokenizer(folder);
  options.on_progress = [](int64_t done, int64_t total) { std::cerr << "\reval-captions: " << done << "/" << total << std::flush; };
  const train::SplitEvaluation evaluation = train::evaluate_split(*vlm, *tokenizer, dataset, options);
  std::cerr << "\n";

  nlohmann::json metrics = eval::metrics_json(evaluation.metrics);
  metrics["split"] = options.split;
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
  return 0;
}

}  // namespace

CommandSpec eval_captions_command() {
  return {"eval-captions",
          "caption a synth split in English and Arabic and measure accuracy, agreement and gender bias",
          "loupe eval-captions [--model DIR] --data DIR [--split eval|counter|train] [--limit N] [--json]",
          options({model_options(),
                   {{"data", "DIR", "a `loupe synth` dataset folder"},
                    {"split", "NAME", "eval (the balanced split, default), counter or train"},
                    {"limit", "N", "caption only the split's first N images"},
                    {"json", "", "print the metrics and every caption as JSON"}}}),
          run_eval_captions};
}

}  // namespace loupe::cli
