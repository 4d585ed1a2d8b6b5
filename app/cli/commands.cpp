#include "app/cli/commands.h"

namespace loupe::cli {

std::vector<CommandSpec> all_commands() {
  return {
      tokenize_command(),
      gender_command(),
      info_command(),
      forward_command(),
      generate_command(),
      patch_command(),
      caption_command(),
      synth_command(),
      swap_gender_command(),
      train_caption_command(),
      finetune_command(),
      merge_lora_command(),
      eval_captions_command(),
      init_command(),
      extract_command(),
      store_merge_command(),
      train_sae_command(),
      eval_sae_command(),
      direction_command(),
      steer_command(),
      ablate_command(),
      heatmap_command(),
      analyze_features_command(),
      analyze_probe_command(),
      analyze_rank_command(),
      analyze_summary_command(),
      analyze_embed_command(),
      mitigate_command(),
      patch_sweep_command(),
      patch_captions_command(),
      circuit_command(),
      pairs_command(),
      analyze_lens_command(),
      analyze_dla_command(),
      embed_command(),
      plot_command(),
      report_command()};
}

report::OptionKind report_option_kind(const std::string& command, const std::string& option) {
  for (const CommandSpec& spec : all_commands()) {
    if (spec.name != command) continue;
    for (const OptionSpec& o : spec.options)
      if (o.name == option) return {true, o.value_name.empty(), o.repeatable};
  }
  return {};
}

}  // namespace loupe::cli
