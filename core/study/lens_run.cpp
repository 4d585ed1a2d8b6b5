#include "core/study/lens_run.h"

#include <filesystem>
#include <optional>

#include "core/error.h"

namespace loupe::study {

LensTables logit_lens_logged(const workspace::Workspace& space, const LensRun& run, const std::vector<Language>& langs,
                             const std::function<LensEntries()>& compute) {
  workspace::check_entry_name(run.name, "--out");
  workspace::RunRecord record;
  record.command = run.command;
  record.parameters = {{"image", run.image}, {"split", run.split}, {"limit", run.limit},
                       {"where", run.where}, {"lang", run.lang},   {"out", run.name}};
  workspace::add_inputs(record, space.study_files());
  std::optional<LensTables> tables;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    const LensEntries read = compute();
    if (read.entries.empty()) throw InputError("no caption named a gendered word with a one-token counterpart; nothing to read");
    tables = LensTables{lens_table(read.entries, langs, read.layers), dla_table(read.entries, langs, read.layers, read.heads),
                        read.entries.size()};
    const std::filesystem::path folder = space.analyses_dir() / run.name;
    util::write_table_files(folder, "lens", tables->lens);
    util::write_table_files(folder, "dla", tables->dla);
    util::write_table_files(folder, "lens_entries", lens_entries_table(read.entries, read.layers));
    logged.message = std::to_string(read.entries.size()) + " entries with a gendered word; " + folder.string();
  });
  return *tables;
}

}  // namespace loupe::study
