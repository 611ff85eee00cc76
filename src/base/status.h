// Status and Result<T>: the one error model of ads.
//
// Every fallible function returns a Status (no value) or a Result<T> (a value or
// the Status that explains why there is none). Messages are one clear sentence
// that names what was wrong; an optional hint tells the user what to do next.
//
//   Result<Json> LoadThing(Env& env, const std::string& path) {
//     ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
//     ADS_RETURN_IF_ERROR(CheckThing(text));
//     return ParseJson(text);
//   }
//
// Thread-safety: values; safe to copy between threads.
#ifndef ADS_BASE_STATUS_H_
#define ADS_BASE_STATUS_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ads {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: a file, a flag, a payload
  kNotFound,            // a named thing does not exist
  kAlreadyExists,       // refusing to overwrite
  kFailedPrecondition,  // the state does not allow the operation
  kPermissionDenied,
  kUnauthenticated,
  kOutOfRange,          // a limit was exceeded
  kUnimplemented,       // not supported (yet); the message says what
  kIoError,             // the operating system said no
  kUnavailable,         // busy or locked for now; retrying may succeed
  kDataLoss,            // stored bytes do not match what was written
  kInternal,            // a bug in ads
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string hint = {})
      : code_(code), message_(std::move(message)), hint_(std::move(hint)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  // "InvalidArgument: <message>" (or "OK").
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // Returns a copy with the given hint (kept when context is added).
  Status WithHint(std::string hint) const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string hint_;
};

inline Status OkStatus() { return {}; }
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status PermissionDeniedError(std::string message);
Status UnauthenticatedError(std::string message);
Status OutOfRangeError(std::string message);
Status UnimplementedError(std::string message);
Status IoError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

// Result<T>: either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
const Status& AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace ads

#define ADS_CONCAT_INNER_(a, b) a##b
#define ADS_CONCAT_(a, b) ADS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define ADS_RETURN_IF_ERROR(expr)                                           \
  do {                                                                      \
    const ::ads::Status ADS_CONCAT_(ads_status_, __LINE__) =               \
        ::ads::internal::AsStatus(expr);                                    \
    if (!ADS_CONCAT_(ads_status_, __LINE__).ok())                           \
      return ADS_CONCAT_(ads_status_, __LINE__);                            \
  } while (false)

// Evaluates `rexpr` (a Result<T>); on error returns its status, otherwise
// moves the value into `lhs` (which may be a declaration).
#define ADS_ASSIGN_OR_RETURN(lhs, rexpr) \
  ADS_ASSIGN_OR_RETURN_IMPL_(ADS_CONCAT_(ads_result_, __LINE__), lhs, rexpr)
#define ADS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                               \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#endif  // ADS_BASE_STATUS_H_
