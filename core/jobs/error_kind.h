// Exceptions crossing a thread boundary as plain data: a job's failure is published as a kind name
// and a message, and the CLI turns them back into the same loupe::Error subclass.
#pragma once
#include <exception>
#include <string>

namespace loupe::jobs {

// "FormatError", "ConfigError", "InputError", "IoError", "Cancelled", "Error" (another
// loupe::Error), or "internal" (any other exception).
std::string error_kind_name(const std::exception& error);

// Throws the loupe::Error subclass named by `kind` ("internal" and unknown names: loupe::Error).
[[noreturn]] void throw_error_of_kind(const std::string& kind, const std::string& message);

}  // namespace loupe::jobs
