// Replays the inputs that once crashed fuzz/model_fuzzer (saved in
// tests/data/engine/fuzz_regressions/, one serialized ModelProto each): each
// must load or fail with a Status, and a loaded one must run on zero-filled
// inputs (or fail with a Status) without a crash or sanitizer report.
#include <gtest/gtest.h>

#include "base/env.h"
#include "base/strings.h"
#include "engine/session.h"

namespace ads::engine {
namespace {

const std::string kDir = std::string(ADS_SOURCE_DIR) + "/tests/data/engine/fuzz_regressions";

// As in the fuzzer: unknown dims are 1; big or non-tensor inputs are not run.
bool ZeroInputs(const Session& session, std::vector<Value>* inputs) {
  for (const auto& in : session.inputs()) {
    if (in.type.kind != ValueType::Kind::kTensor || in.type.elem_type == DataType::kUndefined) {
      return false;
    }
    Shape shape;
    for (int64_t d : in.type.dims) shape.push_back(d < 0 ? 1 : d);
    const int64_t n = ElementCount(shape);
    if (n < 0 || n > 4096) return false;
    auto t = Tensor::Make(in.type.elem_type, shape);
    if (!t.ok()) return false;
    inputs->emplace_back(std::move(t).value());
  }
  return true;
}

TEST(FuzzRegressionsTest, CrashersNowFailCleanlyOrRun) {
  Env& env = *Env::Default();
  auto entries = env.ListDir(kDir);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  int replayed = 0;
  for (const std::string& name : *entries) {
    if (name == "README.md") continue;
    SCOPED_TRACE(name);
    auto bytes = env.ReadFile(JoinPath(kDir, name));
    ASSERT_TRUE(bytes.ok());
    ++replayed;
    auto session = Session::LoadFromBytes(*bytes, {.threads = 1});
    if (!session.ok()) {
      EXPECT_FALSE(session.status().message().empty());
      continue;
    }
    std::vector<Value> inputs;
    if (!ZeroInputs(**session, &inputs)) continue;
    auto outs = (*session)->RunPositional(std::move(inputs));
    if (!outs.ok()) {
      EXPECT_FALSE(outs.status().message().empty());
    } else {
      EXPECT_EQ(outs->size(), (*session)->outputs().size());
    }
  }
  EXPECT_GT(replayed, 0) << "no crashers found in " << kDir;
}

}  // namespace
}  // namespace ads::engine
