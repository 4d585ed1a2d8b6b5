#include "ui/render/textures.h"

#include <epoxy/gl.h>

#include <algorithm>

namespace loupe::ui {

namespace {
constexpr int kMaxSide = 512;
}

TextureCache::TextureCache() : loader_([this] { load_loop(); }) {}

TextureCache::~TextureCache() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  loader_.join();
  for (auto& [path, texture] : textures_) glDeleteTextures(1, &texture.id);
}

const Texture* TextureCache::get(const std::string& path) {
  if (auto found = textures_.find(path); found != textures_.end()) return &found->second;
  if (!requested_[path]) {
    requested_[path] = true;
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(path);
    ++in_flight_;
    wake_.notify_one();
  }
  return nullptr;
}

const std::string* TextureCache::error(const std::string& path) const {
  auto found = errors_.find(path);
  return found == errors_.end() ? nullptr : &found->second;
}

bool TextureCache::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_flight_ > 0;
}

void TextureCache::upload_ready(int max_uploads) {
  std::vector<Decoded> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t take = std::min(ready_.size(), size_t(std::max(max_uploads, 1)));
    ready.assign(std::make_move_iterator(ready_.begin()), std::make_move_iterator(ready_.begin() + long(take)));
    ready_.erase(ready_.begin(), ready_.begin() + long(take));
  }
  for (auto& decoded : ready) {
    if (!decoded.error.empty()) {
      errors_[decoded.path] = decoded.error;
    } else {
      Texture texture{0, decoded.image.width, decoded.image.height};
      glGenTextures(1, &texture.id);
      glBindTexture(GL_TEXTURE_2D, texture.id);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
      glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
      glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
      glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, texture.width, texture.height, 0, GL_RGB, GL_UNSIGNED_BYTE,
                   decoded.image.pixels.data());
      glBindTexture(GL_TEXTURE_2D, 0);
      textures_[decoded.path] = texture;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    --in_flight_;
  }
}

void TextureCache::load_loop() {
  for (;;) {
    std::string path;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      path = std::move(queue_.front());
      queue_.pop_front();
    }
    Decoded decoded{path, {}, {}};
    try {
      decoded.image = io::load_image(path);
      const int side = std::max(decoded.image.width, decoded.image.height);
      if (side > kMaxSide) {
        const double f = double(kMaxSide) / side;
        decoded.image = io::resize(decoded.image, std::max(1, int(decoded.image.width * f)),
                                   std::max(1, int(decoded.image.height * f)), io::ResampleFilter::Bilinear);
      }
    } catch (const std::exception& error) {
      decoded.error = error.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ready_.push_back(std::move(decoded));
  }
}

}  // namespace loupe::ui
