// Fuzzes the workspace files: the input as workspace.json (Workspace::open) and as runs.jsonl
// (Workspace::runs, which skips lines that are not JSON objects), and each store or SAE name a
// workspace turns into a folder (check_entry_name must refuse anything but a plain name).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "core/workspace/workspace.h"
#include "fuzz_scratch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto root = loupe::fuzz::scratch().folder("workspace");
  loupe::fuzz::Scratch::write(root / loupe::workspace::kWorkspaceFileName, data, size);
  loupe::fuzz::Scratch::write(root / loupe::workspace::kRunsFileName, data, size);
  try {
    const auto workspace = loupe::workspace::Workspace::open(root);
    workspace.runs();
    workspace.settings().size();
  } catch (const loupe::Error&) {
  }
  const std::string name(reinterpret_cast<const char*>(data), size);
  try {
    const auto folder = root / "stores" / name;
    loupe::workspace::check_entry_name(name, "store");
    if (folder.parent_path() != root / "stores") std::abort();  // a name that escapes its folder
  } catch (const loupe::InputError&) {
  }
  return 0;
}
