#include "serving/deployment_endpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace ads::serving {

DeploymentEndpoint::DeploymentEndpoint(EndpointInfo info, std::string log_dir,
                                       int unavailable_limit)
    : log_dir_(std::move(log_dir)),
      unavailable_limit_(unavailable_limit),
      info_(std::move(info)) {}

DeploymentEndpoint::~DeploymentEndpoint() {
  for (int fd : log_fds_) {
    if (fd >= 0) ::close(fd);
  }
}

EndpointInfo DeploymentEndpoint::info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_;
}

bool DeploymentEndpoint::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return model_ != nullptr;
}

Result<runtime::PredictResponse> DeploymentEndpoint::Predict(
    const runtime::PredictRequest& request) {
  std::shared_ptr<const LoadedModel> model;
  {
    std::unique_lock<std::mutex> lock(mu_);
    const auto refused = [&] {
      return UnavailableError("The model deployment " + info_.id + " is not active (state " +
                              info_.lifecycle_state + ").");
    };
    if (!model_) return refused();
    // instance_count calls run at once; the rest wait their turn, in no
    // particular order, or until the deployment stops.
    ++waiting_;
    cv_.wait(lock, [&] { return !model_ || running_ < std::max(1, info_.instance_count); });
    --waiting_;
    if (!model_) {
      cv_.notify_all();
      return refused();
    }
    ++running_;
    model = model_;
  }
  Result<runtime::PredictResponse> result = model->predictor->Predict(request);
  // Drop our reference before we count the call finished: once Stop sees no
  // running call, nothing but the endpoint holds the predictor.
  model.reset();
  bool notify = false;
  bool failing = false;
  std::string why;
  bool wake_all = false;
  bool wake_one = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    // One freed slot is for one waiter; waking them all on every call made
    // each prediction cost a context switch per waiting connection. Stop()
    // (the model gone) must hear about every call that ends.
    wake_all = !model_;
    wake_one = waiting_ > 0;
    if (!result.ok() && result.status().code() == StatusCode::kUnavailable) {
      if (++unavailable_in_a_row_ >= unavailable_limit_ && !failing_) {
        failing_ = notify = failing = true;
        why = result.status().message();
      }
    } else {
      unavailable_in_a_row_ = 0;
      if (result.ok() && failing_) {
        failing_ = false;
        notify = true;
      }
    }
  }
  if (wake_all) {
    cv_.notify_all();
  } else if (wake_one) {
    cv_.notify_one();
  }
  if (notify) NotifyHealth(failing, why);
  return result;
}

void DeploymentEndpoint::NotifyHealth(bool failing, const std::string& why) {
  std::function<void(bool, const std::string&)> health;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!health_) return;
    health = health_;
    ++health_running_;
  }
  health(failing, why);
  {
    std::lock_guard<std::mutex> lock(mu_);
    --health_running_;
  }
  health_cv_.notify_all();
}

void DeploymentEndpoint::SetHealthCallback(
    std::function<void(bool failing, const std::string& why)> callback) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool clearing = !callback;
  health_ = std::move(callback);
  if (clearing) health_cv_.wait(lock, [&] { return health_running_ == 0; });
}

Json DeploymentEndpoint::input_schema() const {
  std::lock_guard<std::mutex> lock(mu_);
  return model_ ? model_->input_schema : Json();
}

Json DeploymentEndpoint::output_schema() const {
  std::lock_guard<std::mutex> lock(mu_);
  return model_ ? model_->output_schema : Json();
}

EndpointStats DeploymentEndpoint::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  EndpointStats stats = stats_;
  if (model_) stats.worker_restarts += model_->predictor->worker_restarts();
  return stats;
}

void DeploymentEndpoint::SetInfo(const EndpointInfo& info) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string model_id = info_.model_id;
    const std::string runtime = info_.runtime;
    info_ = info;
    if (model_) {
      info_.model_id = model_id;
      info_.runtime = runtime;
    }
  }
  cv_.notify_all();  // the capacity may have grown
}

void DeploymentEndpoint::Serve(std::shared_ptr<const LoadedModel> model) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (model_ && model) ++stats_.model_swaps;
    // The counter is the deployment's: what the outgoing predictor counted
    // stays in it.
    if (model_) stats_.worker_restarts += model_->predictor->worker_restarts();
    model_ = std::move(model);
    if (model_) {
      info_.model_id = model_->model_id;
      info_.runtime = model_->runtime;
    }
    unavailable_in_a_row_ = 0;
    failing_ = false;
  }
  cv_.notify_all();
}

void DeploymentEndpoint::CloseLocked(const std::string& state) {
  if (model_) {
    stats_.worker_restarts += model_->predictor->worker_restarts();
    closed_ = std::move(model_);  // leaves model_ null
  }
  info_.lifecycle_state = state;
  cv_.notify_all();
}

void DeploymentEndpoint::Close(const std::string& state) {
  std::lock_guard<std::mutex> lock(mu_);
  CloseLocked(state);
}

void DeploymentEndpoint::Stop(const std::string& state) {
  std::shared_ptr<const LoadedModel> last;
  {
    std::unique_lock<std::mutex> lock(mu_);
    CloseLocked(state);
    cv_.wait(lock, [&] { return running_ == 0 && waiting_ == 0; });
    last = std::move(closed_);
  }
  // `last` is the final reference: the predictor (and its python workers)
  // goes here, outside the lock.
}

void DeploymentEndpoint::Log(LogType type, const Json& line) {
  const EndpointInfo now = info();
  const bool enabled = type == LogType::kAccess ? now.access_log : now.predict_log;
  if (!enabled) return;
  std::string text = line.dump();
  text.push_back('\n');
  const int slot = type == LogType::kAccess ? 0 : 1;
  std::lock_guard<std::mutex> lock(log_mu_);
  if (log_fds_[slot] < 0) {
    // ads::Env has no append mode; log files are the one place that needs
    // one (many writers, lines must never be truncated by a reopen).
    Env::Default()->CreateDirs(log_dir_).IgnoreError();
    const std::string path = JoinPath(log_dir_, slot == 0 ? "access.log" : "predict.log");
    log_fds_[slot] = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fds_[slot] < 0) return;  // logging never fails a prediction
  }
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(log_fds_[slot], text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace ads::serving
