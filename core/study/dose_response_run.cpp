#include "core/study/dose_response_run.h"

#include <filesystem>
#include <optional>

#include "core/error.h"
#include "core/study/split_images.h"

namespace loupe::study {

namespace fs = std::filesystem;

util::Table dose_response_logged(const workspace::Workspace& space, const DoseResponseRun& run,
                                 const std::function<util::Table(const std::vector<io::DatasetRow>&)>& compute) {
  workspace::check_entry_name(run.name, "--out");
  if (!fs::exists(space.dataset() / io::kDatasetCsvName))
    throw InputError("--split reads the workspace's dataset, but " + space.dataset().string() + " has no " +
                     io::kDatasetCsvName);
  const io::Dataset dataset = io::load_dataset(space.dataset().string());
  std::vector<io::DatasetRow> rows;
  for (const DatasetImage& image : split_images(dataset, run.split, run.where, run.limit)) rows.push_back(dataset.rows[size_t(image.row)]);
  const fs::path folder = space.analyses_dir() / run.name;
  workspace::RunRecord record;
  record.command = "steer";
  record.parameters = {{"split", run.split}, {"set", fs::weakly_canonical(run.set_file).string()}, {"sweep", run.sweep},
                       {"lang", run.lang}, {"limit", run.limit}, {"where", run.where}, {"max_new_tokens", run.max_new_tokens},
                       {"batch", run.batch}, {"out", run.name}};
  workspace::add_inputs(record, space.study_files());
  workspace::add_inputs(record, {fs::absolute(run.set_file)});
  std::optional<util::Table> table;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    table = compute(rows);
    util::write_table_files(folder, "dose_response", *table);
    logged.message = std::to_string(rows.size()) + " rows, " + std::to_string(table->row_count()) + " (alpha, language) cells; " +
                     folder.string();
  });
  return *table;
}

}  // namespace loupe::study
