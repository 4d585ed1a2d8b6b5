# loupe_base: the torch-free half of the core (readers, tokenizer, synth, jobs, workspace, and the
# torch-free vocabulary of core/study). The main build, the fuzzers (tests/fuzz) and the sanitizer
# builds (tests/sanitize) all take it from here, so the three compile one source list.
# Needs LOUPE_ROOT (the repository root), nlohmann_json, STB_INCLUDE_DIR and Threads found first;
# finds libjpeg (libjpeg-turbo: JPEGs decode as Pillow decodes them, core/io/jpeg_read.h).
# The version every runs.jsonl line records (raise it with each release of the CLI's outputs).
set(LOUPE_VERSION 0.9.1)
set(LOUPE_BASE_DIRS io text synth jobs eval util workspace report)
set(LOUPE_BASE_SOURCES "")
foreach(dir ${LOUPE_BASE_DIRS})
  file(GLOB_RECURSE dir_sources CONFIGURE_DEPENDS ${LOUPE_ROOT}/core/${dir}/*.cpp)
  list(APPEND LOUPE_BASE_SOURCES ${dir_sources})
endforeach()
# The torch-free vocabulary of core/study (positions, heatmap quantities, gender labels), which
# the desktop app's torch-free parts use too, the torch-free statistics and t-SNE quadtree of core/analysis, and the
# parsing layers of SAEs (cfg.json, weights headers) and stores (manifest, rows.jsonl, checksums).
foreach(file study/steer_positions study/steering_set study/ablation_set study/heatmap_types study/gender_labels analysis/statistics analysis/paired_tests analysis/tsne_quadtree sae/sae_config
        store/store_manifest store/store_entries store/sha256)
  list(APPEND LOUPE_BASE_SOURCES ${LOUPE_ROOT}/core/${file}.cpp)
endforeach()
find_package(JPEG REQUIRED)
add_library(loupe_base STATIC ${LOUPE_BASE_SOURCES})
target_include_directories(loupe_base PUBLIC ${LOUPE_ROOT} ${STB_INCLUDE_DIR})
target_link_libraries(loupe_base PUBLIC nlohmann_json::nlohmann_json Threads::Threads JPEG::JPEG)
target_compile_definitions(loupe_base PUBLIC LOUPE_VERSION="${LOUPE_VERSION}")
target_compile_options(loupe_base PRIVATE -Wall -Wextra)
