// Image files as GL textures: decoded on a loader thread, uploaded on the UI thread (a few per
// frame, from a queue drained once per frame), each file once. Large images are shrunk to at most
// 512 pixels a side, which is all the panels draw.
#pragma once
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/io/image.h"

namespace loupe::ui {

struct Texture {
  unsigned id = 0;  // GL texture name
  int width = 0, height = 0;
};

class TextureCache {
 public:
  TextureCache();
  ~TextureCache();  // joins the loader thread and deletes the textures (a GL context must be current)
  TextureCache(const TextureCache&) = delete;
  TextureCache& operator=(const TextureCache&) = delete;

  // The texture of an image file, or nullptr while it is being decoded (the first call queues it)
  // or when it failed (then error() says why).
  const Texture* get(const std::string& path);
  const std::string* error(const std::string& path) const;
  void upload_ready(int max_uploads);  // UI thread, once per frame
  bool busy() const;                   // files queued or decoded but not uploaded

 private:
  struct Decoded {
    std::string path;
    io::Image image;
    std::string error;
  };
  void load_loop();

  std::map<std::string, Texture> textures_;      // UI thread only
  std::map<std::string, std::string> errors_;    // UI thread only
  std::map<std::string, bool> requested_;        // UI thread only
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  std::vector<Decoded> ready_;
  bool stopping_ = false;
  int in_flight_ = 0;
  std::thread loader_;
};

}  // namespace loupe::ui
