// Typed errors thrown by the core. Every message says what was wrong and, where it helps, what to do.
#pragma once
#include <stdexcept>
#include <string>

namespace loupe {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A file exists but its bytes do not follow the format (safetensors, JSON, image, CSV).
struct FormatError : Error {
  using Error::Error;
};
// A model or run configuration is missing a field or holds an impossible value.
struct ConfigError : Error {
  using Error::Error;
};
// The caller asked for something that cannot be done (unknown hook, position past the end, ...).
struct InputError : Error {
  using Error::Error;
};
// The operating system refused: a file cannot be opened, read, written or renamed.
struct IoError : Error {
  using Error::Error;
};
// A long call was stopped through its cancel flag.
struct Cancelled : Error {
  using Error::Error;
};

}  // namespace loupe
