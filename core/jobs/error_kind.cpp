#include "core/jobs/error_kind.h"

#include "core/error.h"

namespace loupe::jobs {

std::string error_kind_name(const std::exception& error) {
  if (dynamic_cast<const FormatError*>(&error)) return "FormatError";
  if (dynamic_cast<const ConfigError*>(&error)) return "ConfigError";
  if (dynamic_cast<const InputError*>(&error)) return "InputError";
  if (dynamic_cast<const IoError*>(&error)) return "IoError";
  if (dynamic_cast<const Cancelled*>(&error)) return "Cancelled";
  if (dynamic_cast<const Error*>(&error)) return "Error";
  return "internal";
}

void throw_error_of_kind(const std::string& kind, const std::string& message) {
  if (kind == "FormatError") throw FormatError(message);
  if (kind == "ConfigError") throw ConfigError(message);
  if (kind == "InputError") throw InputError(message);
  if (kind == "IoError") throw IoError(message);
  if (kind == "Cancelled") throw Cancelled(message);
  throw Error(message);
}

}  // namespace loupe::jobs
