// Dynamic batching for the native runtimes (onnx, xgboost): concurrent
// predictions whose payloads are row tables (a JSON list of rows, or ADS's
// {"data": [...], "data_type": ...} wrapper around one) are merged into one
// call of the inner predictor, up to `max_batch_size` rows or until the
// oldest has waited `max_queue_delay`, and the prediction is split back by
// rows. Payloads that cannot be merged (dict/DataFrame forms, bytes, outputs
// without a row axis) run alone, unchanged, so batching never changes an
// answer, only when it is computed.
//
//   std::shared_ptr<runtime::Predictor> p = ...;  // LoadPredictor(...)
//   p = serving::WithBatching(std::move(p), {.max_batch_size = 32,
//                                            .max_queue_delay = 500us});
//
// Thread-safety: the returned predictor is safe from many threads.
#ifndef ADS_SERVING_BATCHER_H_
#define ADS_SERVING_BATCHER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "runtime/predictor.h"

namespace ads::serving {

struct BatchOptions {
  int max_batch_size = 0;  // rows; 0 or 1 = no batching (returns `inner`)
  std::chrono::microseconds max_queue_delay{0};
  // Observers for /metrics (may be empty): rows per inner call, and how long
  // each request waited in the queue.
  std::function<void(int rows)> on_batch;
  std::function<void(std::chrono::microseconds waited)> on_queue_wait;
};

std::shared_ptr<runtime::Predictor> WithBatching(std::shared_ptr<runtime::Predictor> inner,
                                                 BatchOptions options);

}  // namespace ads::serving

#endif  // ADS_SERVING_BATCHER_H_
