// What a job function returns, typed: any copyable value (an extraction summary, an SAE training
// summary, a direction, a result table, a JSON document). Readers take it back as the type they
// expect with as<T>(); snapshots share one copy.
#pragma once
#include <any>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace loupe::jobs {

class JobResult {
 public:
  JobResult() = default;  // no result
  template <class T, class = std::enable_if_t<!std::is_same_v<std::decay_t<T>, JobResult>>>
  JobResult(T&& value) : value_(std::make_shared<const std::any>(std::forward<T>(value))) {}  // NOLINT: implicit on purpose

  bool empty() const { return !value_; }
  template <class T>
  bool holds() const {
    return value_ && std::any_cast<T>(value_.get()) != nullptr;
  }
  // Throws std::logic_error (a programming error: "internal") when the result is not a T.
  template <class T>
  const T& as() const {
    const T* value = value_ ? std::any_cast<T>(value_.get()) : nullptr;
    if (!value) throw std::logic_error("a job result was read as a type it does not hold");
    return *value;
  }

 private:
  std::shared_ptr<const std::any> value_;
};

}  // namespace loupe::jobs
