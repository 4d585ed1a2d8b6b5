// `loupe gender`: the gender a caption states (or each caption of a JSON file), and the cue and word
// that decided it (core/eval/gender.h).
#include <iostream>

#include "app/cli/commands.h"
#include "app/cli/text_list.h"
#include "core/error.h"
#include "core/eval/gender.h"
#include "core/util/language.h"
#include "core/util/table.h"

namespace loupe::cli {

namespace {

// One row per text: text, gender, cue and the deciding word (empty, so null in JSON, when none did).
util::Table gender_table(const std::vector<std::string>& texts, const std::vector<eval::GenderInference>& inferences) {
  util::Table table({{"text", util::ColumnType::Text},
                     {"gender", util::ColumnType::Text},
                     {"cue", util::ColumnType::Text},
                     {"word", util::ColumnType::Text}});
  for (size_t i = 0; i < texts.size(); ++i) {
    const eval::GenderInference& inference = inferences[i];
    table.add_row({texts[i], std::string(eval::gender_name(inference.gender)), std::string(eval::gender_cue_name(inference.cue)),
                   inference.word.empty() ? util::Cell() : util::Cell(inference.word)});
  }
  return table;
}

int run_gender(const Args& args) {
  if (args.has("text") == args.has("texts")) throw InputError("give exactly one of --text and --texts");
  const Language language = parse_language(args.get("lang"), "--lang");
  const std::vector<std::string> texts = args.has("texts") ? read_text_list(args.get("texts")) : std::vector{args.get("text")};
  std::vector<eval::GenderInference> inferences;
  for (const std::string& text : texts) inferences.push_back(eval::infer_gender(text, language));
  if (args.has("json")) {
    // Bytes that are not UTF-8 (a --text from a raw shell argument) print as U+FFFD rather than failing.
    std::cout << gender_table(texts, inferences).json().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
    return 0;
  }
  for (size_t i = 0; i < texts.size(); ++i) {  // female (noun: woman): a woman cooking
    const eval::GenderInference& inference = inferences[i];
    std::cout << eval::gender_name(inference.gender) << " (" << eval::gender_cue_name(inference.cue)
              << (inference.word.empty() ? "" : ": " + inference.word) << "): " << texts[i] << "\n";
  }
  return 0;
}

}  // namespace

CommandSpec gender_command() {
  return {"gender",
          "print the gender a caption states (female, male, neutral, unknown) and the word that decided",
          "loupe gender --lang en|ar (--text TEXT | --texts FILE.json) [--json]",
          {{"lang", "en|ar", "the caption language"},
           {"text", "TEXT", "one caption"},
           {"texts", "FILE.json", "a JSON array of captions"},
           {"json", "", "print a JSON array of {text, gender, cue, word}, one object per caption"}},
          run_gender};
}

}  // namespace loupe::cli
