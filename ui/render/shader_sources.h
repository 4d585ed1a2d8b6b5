// GLSL sources from shaders/, embedded at build time (ui/CMakeLists.txt writes shader_sources.cpp).
#pragma once

namespace loupe::ui {
extern const char* const kHeatmapVertexShader;
extern const char* const kHeatmapFragmentShader;
}  // namespace loupe::ui
