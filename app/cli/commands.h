// The table of `loupe` commands. Each command lives in its own cmd_*.cpp and returns its spec here.
#pragma once
#include <vector>

#include "app/cli/args.h"
#include "core/report/provenance.h"

namespace loupe::cli {

CommandSpec tokenize_command();
CommandSpec gender_command();
CommandSpec info_command();
CommandSpec forward_command();
CommandSpec generate_command();
CommandSpec patch_command();
CommandSpec caption_command();
CommandSpec synth_command();
CommandSpec train_caption_command();
CommandSpec finetune_command();
CommandSpec swap_gender_command();
CommandSpec merge_lora_command();
CommandSpec eval_captions_command();
CommandSpec init_command();
CommandSpec extract_command();
CommandSpec store_merge_command();
CommandSpec train_sae_command();
CommandSpec eval_sae_command();
CommandSpec direction_command();
CommandSpec steer_command();
CommandSpec ablate_command();
CommandSpec heatmap_command();
CommandSpec analyze_features_command();
CommandSpec analyze_probe_command();
CommandSpec analyze_rank_command();
CommandSpec analyze_summary_command();
CommandSpec analyze_embed_command();
CommandSpec mitigate_command();
CommandSpec patch_sweep_command();
CommandSpec patch_captions_command();
CommandSpec circuit_command();
CommandSpec pairs_command();
CommandSpec analyze_lens_command();
CommandSpec analyze_dla_command();
CommandSpec embed_command();
CommandSpec plot_command();
CommandSpec report_command();

std::vector<CommandSpec> all_commands();

// What the command table says of `command`'s `option`, for the report appendix' command lines
// (`loupe report` and the desktop app's File > Export report).
report::OptionKind report_option_kind(const std::string& command, const std::string& option);

}  // namespace loupe::cli
