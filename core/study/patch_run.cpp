#include "core/study/patch_run.h"

#include <optional>

namespace loupe::study {

GenderPatch patch_sweep_logged(const workspace::Workspace& space, const GenderPatchRequest& request, const std::string& name,
                               const std::function<GenderPatch()>& sweep) {
  workspace::check_entry_name(name, "--out");
  workspace::RunRecord record;
  record.command = "patch-sweep";
  record.parameters = {{"clean", request.clean_image}, {"corrupt", request.corrupt_image}, {"lang", language_code(request.lang)},
                       {"hook", request.hook}, {"positions", positions_word(request.positions)},
                       {"metric", patch_metric_word(request.metric)}, {"method", patch_method_word(request.method)},
                       {"out", name}};
  workspace::add_inputs(record, space.model_files());
  workspace::add_inputs(record, {std::filesystem::absolute(request.clean_image), std::filesystem::absolute(request.corrupt_image)});
  std::optional<GenderPatch> result;
  space.run_logged(record, [&](workspace::RunRecord& logged) {
    result = sweep();
    util::write_table_files(space.analyses_dir() / name, "patch", result->table);
    logged.message = std::to_string(result->table.row_count()) + " cells; " + (space.analyses_dir() / name).string();
  });
  return *result;
}

}  // namespace loupe::study
