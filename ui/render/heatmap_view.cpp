#include "ui/render/heatmap_view.h"

#include <epoxy/gl.h>

#include "core/error.h"
#include "ui/render/shader_sources.h"

namespace loupe::ui {

namespace {

unsigned compile(GLenum kind, const char* source, const char* what) {
  const unsigned shader = glCreateShader(kind);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    glDeleteShader(shader);
    throw Error(std::string("the ") + what + " shader did not compile: " + log);
  }
  return shader;
}

}  // namespace

HeatmapView::HeatmapView() {
  const unsigned vertex = compile(GL_VERTEX_SHADER, kHeatmapVertexShader, "heatmap vertex");
  const unsigned fragment = compile(GL_FRAGMENT_SHADER, kHeatmapFragmentShader, "heatmap fragment");
  program_ = glCreateProgram();
  glAttachShader(program_, vertex);
  glAttachShader(program_, fragment);
  glLinkProgram(program_);
  glDeleteShader(vertex);
  glDeleteShader(fragment);
  GLint ok = 0;
  glGetProgramiv(program_, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetProgramInfoLog(program_, sizeof log, nullptr, log);
    throw Error(std::string("the heatmap shaders did not link: ") + log);
  }
  glGenVertexArrays(1, &vao_);
  glGenFramebuffers(1, &framebuffer_);
  glGenTextures(1, &target_);
  glGenTextures(1, &heat_);
  glBindTexture(GL_TEXTURE_2D, heat_);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D, 0);
}

HeatmapView::~HeatmapView() {
  glDeleteTextures(1, &heat_);
  glDeleteTextures(1, &target_);
  glDeleteFramebuffers(1, &framebuffer_);
  glDeleteVertexArrays(1, &vao_);
  glDeleteProgram(program_);
}

unsigned HeatmapView::render(const Texture& image, const Heatmap& map, float opacity, int size) {
  const bool has_map = !map.patches.empty() && map.grid_width * map.grid_height == int(map.patches.size());
  const std::vector<float> values = has_map ? map.patches : std::vector<float>{0.0f};
  const float shown_opacity = has_map ? opacity : 0.0f;
  if (size == size_ && image.id == last_image_ && values == last_values_ && map.low == last_low_ &&
      map.high == last_high_ && shown_opacity == last_opacity_ && map.grid_width == last_grid_w_)
    return target_;
  if (size != size_) {
    glBindTexture(GL_TEXTURE_2D, target_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, size, size, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target_, 0);
    size_ = size;
  }
  const int grid_w = has_map ? map.grid_width : 1, grid_h = has_map ? map.grid_height : 1;
  glBindTexture(GL_TEXTURE_2D, heat_);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, grid_w, grid_h, 0, GL_RED, GL_FLOAT, values.data());

  GLint viewport[4];
  glGetIntegerv(GL_VIEWPORT, viewport);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, size, size);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glUseProgram(program_);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, image.id);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, heat_);
  glUniform1i(glGetUniformLocation(program_, "image"), 0);
  glUniform1i(glGetUniformLocation(program_, "heat"), 1);
  glUniform2f(glGetUniformLocation(program_, "range"), map.low, map.high);
  glUniform1f(glGetUniformLocation(program_, "opacity"), shown_opacity);
  glUniform2f(glGetUniformLocation(program_, "grid"), float(grid_w), float(grid_h));
  glBindVertexArray(vao_);
  glDrawArrays(GL_TRIANGLES, 0, 6);
  glBindVertexArray(0);
  glUseProgram(0);
  glBindTexture(GL_TEXTURE_2D, 0);
  glActiveTexture(GL_TEXTURE0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(viewport[0], viewport[1], viewport[2], viewport[3]);

  last_image_ = image.id;
  last_values_ = values;
  last_low_ = map.low;
  last_high_ = map.high;
  last_opacity_ = shown_opacity;
  last_grid_w_ = map.grid_width;
  return target_;
}

}  // namespace loupe::ui
