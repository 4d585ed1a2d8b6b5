// Fuzzes an activation store's text files as StoreReader and a resume read them: the input as
// manifest.json (every field typed and bounded, shard i named shard_name(i)), and as rows.jsonl,
// one entry a line, whose typed columns are then read as the analyses read them.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "core/error.h"
#include "core/store/store_entries.h"
#include "core/store/store_manifest.h"
#include "core/util/json_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const loupe::store::StoreManifest manifest =
        loupe::store::parse_store_manifest(loupe::util::parse_json_text(text, "manifest.json"), "manifest.json");
    if (manifest.hooks.size() != manifest.widths.size()) std::abort();
  } catch (const loupe::Error&) {
  }
  try {
    std::vector<std::string> lines;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) lines.push_back(std::move(line));
    const loupe::store::StoreEntries entries = loupe::store::parse_store_entries(lines, "rows.jsonl");
    volatile size_t sink = 0;
    for (int64_t e = 0; e < entries.size(); ++e)
      sink = sink + entries.caption(e).size() + size_t(entries.stated_gender(e)) + entries.positions[size_t(e)].size();
    (void)sink;
  } catch (const loupe::Error&) {
  }
  return 0;
}
