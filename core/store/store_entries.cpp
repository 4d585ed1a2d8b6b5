#include "core/store/store_entries.h"

#include "core/error.h"
#include "core/util/json_fields.h"

namespace loupe::store {

namespace {

// Entries hold at most this many tokens and labels (far above any caption sequence).
constexpr size_t kMaxSequence = size_t(1) << 20;

eval::Gender parse_gender(const util::JsonFields& fields, const char* key) {
  const std::string name = fields.string(key);
  for (eval::Gender gender : {eval::Gender::Female, eval::Gender::Male, eval::Gender::Neutral, eval::Gender::Unknown})
    if (name == eval::gender_name(gender)) return gender;
  fields.fail("`" + std::string(key) + "` must be female, male, neutral or unknown, not " + util::describe_json(name));
}

}  // namespace

const std::string& StoreEntries::caption(int64_t entry) const {
  return generated_gender.at(size_t(entry)) ? generated_caption[size_t(entry)] : reference_caption.at(size_t(entry));
}

eval::Gender StoreEntries::stated_gender(int64_t entry) const {
  const auto& generated = generated_gender.at(size_t(entry));
  return generated ? *generated : reference_gender[size_t(entry)];
}

StoreEntries parse_store_entries(const std::vector<std::string>& lines, const std::string& where) {
  StoreEntries entries;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string entry_where = where + " entry " + std::to_string(i);
    const nlohmann::json object = util::parse_json_text(lines[i], entry_where);
    const util::JsonFields fields(object, entry_where);
    entries.row.push_back(fields.integer_in("row", 0, int64_t(1) << 48));
    entries.image.push_back(fields.string("image", ""));
    const std::string lang = fields.string("lang", "");
    if (!lang.empty() && lang != "en" && lang != "ar") fields.fail("`lang` must be en, ar or empty, not " + util::describe_json(lang));
    entries.language.push_back(lang.empty() ? std::nullopt : std::optional<Language>(parse_language(lang)));
    std::map<std::string, std::string> labels;
    const util::JsonFields label_fields = fields.section("labels");
    for (const auto& [key, value] : label_fields.json().items()) labels[key] = label_fields.string(key.c_str());
    entries.figure_gender.push_back(labels.count("gender") ? labels["gender"] : "");
    entries.labels.push_back(std::move(labels));
    entries.reference_caption.push_back(fields.string("reference_caption", ""));
    entries.generated_caption.push_back(fields.string("generated_caption", ""));
    const util::JsonFields gender = fields.section("gender");
    entries.reference_gender.push_back(gender.has("reference") ? parse_gender(gender, "reference") : eval::Gender::Unknown);
    entries.generated_gender.push_back(gender.has("generated") ? std::optional<eval::Gender>(parse_gender(gender, "generated"))
                                                               : std::nullopt);
    entries.ids.push_back(fields.has("ids") ? fields.integer_list("ids", 0, int64_t(1) << 40, kMaxSequence) : std::vector<int64_t>{});
    entries.tokens.push_back(fields.has("tokens") ? fields.string_list("tokens", kMaxSequence) : std::vector<std::string>{});
    entries.positions.push_back(fields.has("positions") ? fields.integer_list("positions", -1, int64_t(kMaxSequence), kMaxSequence)
                                                        : std::vector<int64_t>{});
    if (!entries.tokens.back().empty() && entries.tokens.back().size() != entries.ids.back().size())
      fields.fail("`tokens` and `ids` differ in length");
    for (int64_t position : entries.positions.back())
      if (position >= 0 && !entries.ids.back().empty() && position >= int64_t(entries.ids.back().size()))
        fields.fail("stored position " + std::to_string(position) + " is past the sequence's " +
                    std::to_string(entries.ids.back().size()) + " tokens");
  }
  return entries;
}

}  // namespace loupe::store
