#include "ui/render/figure_png.h"

#include <epoxy/gl.h>
#include <imgui.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace loupe::ui {

namespace {

// A colour texture bound as a framebuffer for the object's lifetime; the previous framebuffer is
// bound again afterwards.
class OffscreenTarget {
 public:
  OffscreenTarget(int width, int height) : width_(width), height_(height) {
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_);
    glGenTextures(1, &texture_);
    glBindTexture(GL_TEXTURE_2D, texture_);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glGenFramebuffers(1, &framebuffer_);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
      throw Error("cannot render a " + std::to_string(width) + " x " + std::to_string(height) +
                  " figure off-screen (incomplete framebuffer); make the panel smaller");
  }
  ~OffscreenTarget() {
    glBindFramebuffer(GL_FRAMEBUFFER, GLuint(previous_));
    glDeleteFramebuffers(1, &framebuffer_);
    glDeleteTextures(1, &texture_);
  }
  OffscreenTarget(const OffscreenTarget&) = delete;
  OffscreenTarget& operator=(const OffscreenTarget&) = delete;

  io::Image read_rgb() const {
    std::vector<uint8_t> rgba(size_t(width_) * size_t(height_) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, width_, height_, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    io::Image image;
    image.width = width_;
    image.height = height_;
    image.pixels.resize(size_t(width_) * size_t(height_) * 3);
    for (int y = 0; y < height_; ++y) {  // GL's first row is the bottom one
      const uint8_t* from = rgba.data() + size_t(height_ - 1 - y) * size_t(width_) * 4;
      uint8_t* to = image.pixels.data() + size_t(y) * size_t(width_) * 3;
      for (int x = 0; x < width_; ++x) std::copy_n(from + size_t(x) * 4, 3, to + size_t(x) * 3);
    }
    return image;
  }

 private:
  int width_, height_;
  GLint previous_ = 0;
  GLuint texture_ = 0, framebuffer_ = 0;
};

}  // namespace

io::Image render_figure(const report::Figure& figure, float scale, const FigureFonts& fonts, ShapeCache& shaper) {
  const int width = int(std::ceil(figure.width * scale)), height = int(std::ceil(figure.height * scale));
  GLint limit = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
  if (width < 1 || height < 1 || width > limit || height > limit)
    throw InputError("a " + std::to_string(width) + " x " + std::to_string(height) + " figure exceeds this GL's " +
                     std::to_string(limit) + " pixel limit; export it as SVG or make the panel smaller");
  ImDrawList list(ImGui::GetDrawListSharedData());
  list._ResetForNewFrame();
  list.Flags = ImDrawListFlags_AntiAliasedLines | ImDrawListFlags_AntiAliasedFill | ImDrawListFlags_AllowVtxOffset;
  list.PushTextureID(fonts.small->ContainerAtlas->TexID);
  list.PushClipRect(ImVec2(0, 0), ImVec2(float(width), float(height)));
  draw_figure(list, figure, 0, 0, scale, fonts, shaper);

  ImDrawList* lists[] = {&list};
  ImDrawData data;
  data.Valid = true;
  data.CmdLists = lists;
  data.CmdListsCount = 1;
  data.TotalVtxCount = list.VtxBuffer.Size;
  data.TotalIdxCount = list.IdxBuffer.Size;
  data.DisplayPos = ImVec2(0, 0);
  data.DisplaySize = ImVec2(float(width), float(height));
  data.FramebufferScale = ImVec2(1, 1);

  OffscreenTarget target(width, height);
  glViewport(0, 0, width, height);
  glClearColor(1, 1, 1, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(&data);
  return target.read_rgb();
}

}  // namespace loupe::ui
