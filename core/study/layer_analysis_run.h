// `loupe analyze probe|rank|summary` as a workspace runs them (and the desktop app's Study panel):
// each logged in runs.jsonl with its parameters and inputs, its table written to
// W/analyses/NAME/{probe,rank,summary}.{csv,json} when it succeeds, nothing when it fails.
#pragma once
#include <string>

#include "core/jobs/job.h"
#include "core/study/layer_analyses.h"
#include "core/study/layer_summary.h"
#include "core/util/table.h"

namespace loupe::study {

enum class LayerAnalysis { Probe, Rank };

// Probe: with `export_data`, the probes' inputs go to NAME/probe_data.safetensors too. Throws
// InputError for a bad NAME before anything runs, and what layer_probes / layer_ranks throw.
util::Table layer_analysis_logged(LayerAnalysisRequest request, LayerAnalysis which, const std::string& name, bool export_data,
                                  jobs::JobContext& job);

// The per-layer summary over every SAE (its inputs: every SAE and store of the workspace).
util::Table layer_summary_logged(const LayerSummaryRequest& request, const std::string& name, jobs::JobContext& job);

}  // namespace loupe::study
