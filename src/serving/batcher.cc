// WithBatching: a leader/follower queue. The first request to find no leader
// becomes one: it waits (up to max_queue_delay, unless nothing else is
// running, see below) for company, takes up to max_batch_size rows off the
// queue, runs one inner call and hands every member its slice. Requests that
// arrive meanwhile queue up; when the leader leaves the queue, the oldest of
// them leads the next batch, so several batches can run at once on several
// cores and no thread is dedicated to batching.
//
// Both sides are handled as text: a request's rows are found by a scan that
// checks they are flat lists of JSON numbers (what the dense fast path of the
// runtime reads), and the merged answer {"prediction": X} is cut by element
// boundaries, so every member gets exactly the bytes its own call would have
// produced (the elements' text is not re-printed).
#include "serving/batcher.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json.h"

namespace ads::serving {
namespace {

using Clock = std::chrono::steady_clock;

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// The rows of a mergeable request body.
struct Rows {
  std::vector<std::string_view> rows;  // each "[...]" as sent
  std::unique_ptr<std::string> owned;  // backing text when re-printed (wrapper form)
  size_t cols = 0;
  bool all_int = true;  // no float syntax anywhere: merges only with its kind
};

// A JSON number token (or NaN/Infinity/-Infinity) at s[i]; its end, or npos.
size_t ScanNumber(std::string_view s, size_t i, bool* is_int) {
  const size_t start = i;
  if (i < s.size() && s[i] == '-') ++i;
  for (std::string_view word : {std::string_view("NaN"), std::string_view("Infinity")}) {
    if (s.substr(i, word.size()) == word) {
      if (word == "NaN" && i != start) return std::string_view::npos;
      *is_int = false;
      return i + word.size();
    }
  }
  const size_t digits = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits || (s[digits] == '0' && i - digits > 1)) return std::string_view::npos;
  if (i < s.size() && s[i] == '.') {
    *is_int = false;
    const size_t frac = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == frac) return std::string_view::npos;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    *is_int = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const size_t exp = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exp) return std::string_view::npos;
  }
  // Integers beyond 2^53 take the runtime's general path, not the dense one;
  // keep them out of batches (19 digits is a cheap over-approximation).
  if (*is_int && i - digits > 15) return std::string_view::npos;
  return i;
}

// "[[n, ...], [n, ...]]": a non-empty list of equally long, non-empty lists
// of numbers, nothing after it.
std::optional<Rows> ScanRowList(std::string_view s) {
  Rows out;
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '[') return std::nullopt;
  i = SkipSpace(s, i + 1);
  for (;;) {
    if (i >= s.size() || s[i] != '[') return std::nullopt;
    const size_t row_start = i;
    size_t cols = 0;
    i = SkipSpace(s, i + 1);
    for (;;) {
      i = ScanNumber(s, i, &out.all_int);
      if (i == std::string_view::npos) return std::nullopt;
      ++cols;
      i = SkipSpace(s, i);
      if (i < s.size() && s[i] == ',') {
        i = SkipSpace(s, i + 1);
        continue;
      }
      if (i < s.size() && s[i] == ']') break;
      return std::nullopt;
    }
    ++i;
    if (out.rows.empty()) out.cols = cols;
    if (cols != out.cols) return std::nullopt;
    out.rows.push_back(s.substr(row_start, i - row_start));
    i = SkipSpace(s, i);
    if (i < s.size() && s[i] == ',') {
      i = SkipSpace(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == ']') break;
    return std::nullopt;
  }
  if (SkipSpace(s, i + 1) != s.size()) return std::nullopt;
  return out;
}

bool IsJson(std::string_view content_type) {
  return content_type.empty() || content_type.starts_with("application/json");
}

std::optional<Rows> ScanRequest(const runtime::PredictRequest& request) {
  if (!IsJson(request.content_type)) return std::nullopt;
  const std::string_view body = request.body;
  const size_t first = SkipSpace(body, 0);
  if (first < body.size() && body[first] == '[') return ScanRowList(body);
  if (first >= body.size() || body[first] != '{') return std::nullopt;
  // ADS's {"data": [[...]], "data_type": "<class 'list'>"}: the runtime reads
  // it as the bare list (payload.h). Other data types keep their own meaning.
  if (body.find("\"data_type\"") == std::string_view::npos) return std::nullopt;
  Result<Json> doc = ParseJson(body);
  if (!doc.ok() || !doc->is_object() || doc->size() != 2) return std::nullopt;
  const Json* data = FindMember(*doc, "data");
  const Json* type = FindMember(*doc, "data_type");
  if (data == nullptr || type == nullptr || !data->is_array() || *type != "<class 'list'>") {
    return std::nullopt;
  }
  // Numbers print back to the same doubles. The text lives on the heap so
  // that the row views survive moves of Rows.
  auto text = std::make_unique<std::string>(data->dump());
  std::optional<Rows> rows = ScanRowList(*text);
  if (!rows) return std::nullopt;
  rows->owned = std::move(text);
  return rows;
}

// The end of the JSON value starting at s[i] (strings, nested containers,
// bare tokens), or npos when malformed.
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') {
    for (++i; i < s.size(); ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }
  if (s[i] == '[' || s[i] == '{') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '"') {
        const size_t end = SkipValue(s, i);
        if (end == std::string_view::npos) return end;
        i = end - 1;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string_view::npos;
  }
  const size_t start = i;
  while (i < s.size() && !IsSpace(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}') ++i;
  return i == start ? std::string_view::npos : i;
}

// The elements of the JSON array `s` (exactly one array), as text.
std::optional<std::vector<std::string_view>> Elements(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '[') return std::nullopt;
  i = SkipSpace(s, i + 1);
  if (i < s.size() && s[i] == ']') return SkipSpace(s, i + 1) == s.size() ? std::optional(out) : std::nullopt;
  for (;;) {
    const size_t end = SkipValue(s, i);
    if (end == std::string_view::npos) return std::nullopt;
    out.push_back(s.substr(i, end - i));
    i = SkipSpace(s, end);
    if (i < s.size() && s[i] == ',') {
      i = SkipSpace(s, i + 1);
      continue;
    }
    if (i < s.size() && s[i] == ']') break;
    return std::nullopt;
  }
  if (SkipSpace(s, i + 1) != s.size()) return std::nullopt;
  return out;
}

void AppendList(std::span<const std::string_view> items, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out->append(", ");  // json.dumps' separator, as output_json prints
    out->append(items[i]);
  }
  out->push_back(']');
}

// How the prediction's row axis sits.
enum class Layout : int {
  kUnknown = 0,
  kPerRow = 1,     // prediction[row]
  kPerOutput = 2,  // prediction[output][row] (several model outputs)
  kNone = 3,       // no row axis found: never batch this model
};

struct Pending {
  const runtime::PredictRequest* request;
  const Rows* rows;
  Clock::time_point enqueued;
  std::condition_variable cv;
  bool taken = false;  // in a leader's batch: wait for `done`, never lead
  bool done = false;
  bool run_alone = false;  // done, but the member runs its own call
  Result<runtime::PredictResponse> result{runtime::PredictResponse{}};
};

class BatchingPredictor : public runtime::Predictor {
 public:
  BatchingPredictor(std::shared_ptr<runtime::Predictor> inner, BatchOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {}

  runtime::RuntimeKind kind() const override { return inner_->kind(); }
  uint64_t worker_restarts() const override { return inner_->worker_restarts(); }

  Result<runtime::PredictResponse> Predict(const runtime::PredictRequest& request) const override {
    if (layout_.load(std::memory_order_relaxed) == static_cast<int>(Layout::kNone)) {
      return inner_->Predict(request);
    }
    std::optional<Rows> rows = ScanRequest(request);
    if (!rows || rows->rows.size() >= static_cast<size_t>(options_.max_batch_size)) {
      return RunAlone(request, rows ? static_cast<int>(rows->rows.size()) : 0);
    }
    Pending self{.request = &request, .rows = &*rows, .enqueued = Clock::now()};
    std::unique_lock lock(mu_);
    queue_.push_back(&self);
    queued_rows_ += self.rows->rows.size();
    if (leader_ != nullptr && queued_rows_ >= static_cast<size_t>(options_.max_batch_size)) {
      leader_->cv.notify_one();
    }
    // A member already taken into a batch waits for it even when no one
    // leads (a spurious wake-up must not make it lead a second time).
    while (!self.done && (leader_ != nullptr || self.taken)) self.cv.wait(lock);
    if (self.done) {
      lock.unlock();
      if (self.run_alone) return RunAlone(request, static_cast<int>(rows->rows.size()));
      return std::move(self.result);
    }
    return Lead(self, lock);
  }

 private:
  Result<runtime::PredictResponse> RunAlone(const runtime::PredictRequest& request, int rows) const {
    Result<runtime::PredictResponse> r = inner_->Predict(request);
    if (r.ok() && rows > 0 && options_.on_batch) options_.on_batch(rows);
    return r;
  }

  // Called with `lock` held and no leader: gathers a batch, runs it.
  Result<runtime::PredictResponse> Lead(Pending& self, std::unique_lock<std::mutex>& lock) const {
    leader_ = &self;
    const size_t max_rows = static_cast<size_t>(options_.max_batch_size);
    // Alone in the queue with nothing running: no one is likely to join
    // soon enough to be worth the wait, so go at once (batches form from the
    // requests that queue behind a running call).
    if (!(queue_.size() == 1 && in_flight_ == 0)) {
      const Clock::time_point deadline = queue_.front()->enqueued + options_.max_queue_delay;
      while (queued_rows_ < max_rows && Clock::now() < deadline) self.cv.wait_until(lock, deadline);
    }
    // The leader, then compatible members oldest first, up to max_rows.
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (*it == &self) {
        queue_.erase(it);
        break;
      }
    }
    std::vector<Pending*> batch{&self};
    size_t rows = self.rows->rows.size();
    queued_rows_ -= rows;
    const Clock::time_point now = Clock::now();
    for (auto it = queue_.begin(); it != queue_.end() && rows < max_rows;) {
      Pending* p = *it;
      const size_t n = p->rows->rows.size();
      if (p->rows->cols != self.rows->cols || p->rows->all_int != self.rows->all_int || rows + n > max_rows) {
        ++it;
        continue;
      }
      p->taken = true;
      batch.push_back(p);
      rows += n;
      queued_rows_ -= n;
      it = queue_.erase(it);
    }
    leader_ = nullptr;
    if (!queue_.empty()) queue_.front()->cv.notify_one();
    ++in_flight_;
    lock.unlock();

    if (options_.on_queue_wait) {
      for (Pending* p : batch) {
        options_.on_queue_wait(std::chrono::duration_cast<std::chrono::microseconds>(now - p->enqueued));
      }
    }
    RunBatch(batch, rows);

    lock.lock();
    --in_flight_;
    for (Pending* p : batch) {
      if (p == &self) continue;
      p->done = true;
      p->cv.notify_one();
    }
    lock.unlock();
    if (self.run_alone) return RunAlone(*self.request, static_cast<int>(self.rows->rows.size()));
    return std::move(self.result);
  }

  // Fills every member's result (or marks it to run alone).
  void RunBatch(const std::vector<Pending*>& batch, size_t rows) const {
    if (batch.size() == 1) {
      batch[0]->result = inner_->Predict(*batch[0]->request);
      if (batch[0]->result.ok() && options_.on_batch) options_.on_batch(static_cast<int>(rows));
      return;
    }
    std::string merged;
    size_t bytes = 2;
    for (Pending* p : batch) bytes += p->request->body.size() + 1;
    merged.reserve(bytes);
    merged.push_back('[');
    for (Pending* p : batch) {
      for (std::string_view row : p->rows->rows) {
        if (merged.size() > 1) merged.push_back(',');
        merged.append(row);
      }
    }
    merged.push_back(']');
    Result<runtime::PredictResponse> r = inner_->Predict({.body = merged, .content_type = "application/json"});
    // A failed merged call (one member's bad values, say) says nothing about
    // the others: everyone runs alone and gets their own answer or error.
    if (!r.ok() || !Split(*r, batch, rows)) {
      for (Pending* p : batch) p->run_alone = true;
      return;
    }
    if (options_.on_batch) options_.on_batch(static_cast<int>(rows));
  }

  // Cuts {"prediction": X} into the members' answers; false when X has no
  // recognisable row axis.
  bool Split(const runtime::PredictResponse& response, const std::vector<Pending*>& batch,
             size_t rows) const {
    const std::string_view body = response.body;
    size_t i = SkipSpace(body, 0);
    if (i >= body.size() || body[i] != '{') return false;
    i = SkipSpace(body, i + 1);
    constexpr std::string_view kKey = "\"prediction\"";
    if (body.substr(i, kKey.size()) != kKey) return false;
    i = SkipSpace(body, i + kKey.size());
    if (i >= body.size() || body[i] != ':') return false;
    const size_t x_start = SkipSpace(body, i + 1);
    const size_t x_end = SkipValue(body, x_start);
    if (x_end == std::string_view::npos) return false;
    const size_t close = SkipSpace(body, x_end);
    if (close >= body.size() || body[close] != '}' || SkipSpace(body, close + 1) != body.size()) return false;
    const std::string_view prefix = body.substr(0, x_start);
    const std::string_view suffix = body.substr(x_end);

    std::optional<std::vector<std::string_view>> top = Elements(body.substr(x_start, x_end - x_start));
    if (!top) return NoRowAxis();
    const bool per_row_fits = top->size() == rows;
    std::vector<std::vector<std::string_view>> outputs;
    bool per_output_fits = !top->empty();
    for (std::string_view e : *top) {
      if (!per_output_fits) break;
      std::optional<std::vector<std::string_view>> inner = Elements(e);
      per_output_fits = inner && inner->size() == rows;
      if (per_output_fits) outputs.push_back(std::move(*inner));
    }
    Layout layout = static_cast<Layout>(layout_.load(std::memory_order_relaxed));
    if (layout == Layout::kUnknown) {
      if (per_row_fits == per_output_fits) {
        // Both fit (as many outputs as rows, each as long as the batch) or
        // neither: undecidable from this answer.
        return per_row_fits ? false : NoRowAxis();
      }
      layout = per_row_fits ? Layout::kPerRow : Layout::kPerOutput;
    }
    if ((layout == Layout::kPerRow && !per_row_fits) || (layout == Layout::kPerOutput && !per_output_fits)) {
      return false;
    }
    const bool learning = layout_.load(std::memory_order_relaxed) == static_cast<int>(Layout::kUnknown);
    size_t offset = 0;
    for (Pending* p : batch) {
      const size_t n = p->rows->rows.size();
      std::string out;
      out.reserve(prefix.size() + suffix.size() + (body.size() * n) / rows + 8);
      out.append(prefix);
      if (layout == Layout::kPerRow) {
        AppendList(std::span(*top).subspan(offset, n), &out);
      } else {
        out.push_back('[');
        for (size_t k = 0; k < outputs.size(); ++k) {
          if (k > 0) out.append(", ");
          AppendList(std::span(outputs[k]).subspan(offset, n), &out);
        }
        out.push_back(']');
      }
      out.append(suffix);
      p->result = runtime::PredictResponse{.body = std::move(out), .content_type = response.content_type};
      offset += n;
    }
    if (learning) {
      // The shape alone can mislead (an output without a row axis beside
      // one with it, as many outputs as rows): before trusting the layout,
      // check once that a member's own call gives exactly its slice.
      Result<runtime::PredictResponse> alone = inner_->Predict(*batch[0]->request);
      if (!alone.ok() || !batch[0]->result.ok() || alone->body != batch[0]->result->body) return NoRowAxis();
      layout_.store(static_cast<int>(layout), std::memory_order_relaxed);
    }
    return true;
  }

  bool NoRowAxis() const {
    layout_.store(static_cast<int>(Layout::kNone), std::memory_order_relaxed);
    return false;
  }

  const std::shared_ptr<runtime::Predictor> inner_;
  const BatchOptions options_;
  mutable std::atomic<int> layout_{static_cast<int>(Layout::kUnknown)};
  mutable std::mutex mu_;
  mutable std::deque<Pending*> queue_;
  mutable size_t queued_rows_ = 0;
  mutable Pending* leader_ = nullptr;
  mutable int in_flight_ = 0;
};

}  // namespace

std::shared_ptr<runtime::Predictor> WithBatching(std::shared_ptr<runtime::Predictor> inner,
                                                 BatchOptions options) {
  if (options.max_batch_size <= 1 || inner == nullptr) return inner;
  return std::make_shared<BatchingPredictor>(std::move(inner), std::move(options));
}

}  // namespace ads::serving
