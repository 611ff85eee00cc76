// The data plane over real HTTP: an http::Server running a Router with the
// predict, KServe v2 and /metrics routes, signed requests (real RSA key, the
// real verifier), and deployments backed by real predictors (the iris ONNX
// example; a python score.py for raw bytes). The EndpointDirectory is a small
// in-test one: the control plane has its own tests.
#include "server/predict_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "http/client.h"
#include "http/server.h"
#include "iam/http_signature.h"
#include "runtime/test_artifact.h"
#include "server/metrics.h"
#include "server/route_test_util.h"

namespace ads::server {
namespace {

using runtime::testing_util::kSource;
using runtime::testing_util::TempDir;
using ::testing::HasSubstr;

constexpr char kComp[] = "ocid1.compartment.oc1..open";
constexpr char kDenied[] = "ocid1.compartment.oc1..denied";
constexpr char kIris[] = "ocid1.datasciencemodeldeployment.oc1..iris";
constexpr char kHidden[] = "ocid1.datasciencemodeldeployment.oc1..hidden";
constexpr char kAsleep[] = "ocid1.datasciencemodeldeployment.oc1..asleep";
constexpr char kNarrow[] = "ocid1.datasciencemodeldeployment.oc1..narrow";
constexpr char kBytes[] = "ocid1.datasciencemodeldeployment.oc1..bytes";
constexpr char kModel[] = "ocid1.datasciencemodel.oc1..irismodel";

class TestEndpoint : public serving::Endpoint {
 public:
  TestEndpoint(serving::EndpointInfo info, std::shared_ptr<runtime::Predictor> predictor, Json input_schema,
               Json output_schema)
      : info_(std::move(info)), predictor_(std::move(predictor)), input_schema_(std::move(input_schema)),
        output_schema_(std::move(output_schema)) {}
  serving::EndpointInfo info() const override { return info_; }
  bool ready() const override { return info_.lifecycle_state == "ACTIVE"; }
  Result<runtime::PredictResponse> Predict(const runtime::PredictRequest& request) override {
    if (!ready()) return UnavailableError("the model deployment " + info_.id + " is not active");
    return predictor_->Predict(request);
  }
  Json input_schema() const override { return input_schema_; }
  Json output_schema() const override { return output_schema_; }
  void Log(serving::LogType type, const Json& line) override {
    std::lock_guard lock(mu_);
    (type == serving::LogType::kAccess ? access_ : predict_).push_back(line);
  }
  serving::EndpointStats stats() const override { return {.worker_restarts = 3, .model_swaps = 1}; }

  std::vector<Json> Logs(serving::LogType type) {
    std::lock_guard lock(mu_);
    return type == serving::LogType::kAccess ? access_ : predict_;
  }

 private:
  const serving::EndpointInfo info_;
  const std::shared_ptr<runtime::Predictor> predictor_;
  const Json input_schema_, output_schema_;
  std::mutex mu_;
  std::vector<Json> access_, predict_;
};

class TestDirectory : public serving::EndpointDirectory {
 public:
  void Put(std::shared_ptr<TestEndpoint> e) { by_id_[e->info().id] = std::move(e); }
  std::shared_ptr<serving::Endpoint> Find(std::string_view id) override {
    auto it = by_id_.find(std::string(id));
    return it == by_id_.end() ? nullptr : it->second;
  }
  std::shared_ptr<serving::Endpoint> FindByName(std::string_view name) override {
    if (auto e = Find(name)) return e;
    for (auto& [id, e] : by_id_) {
      if (e->info().display_name == name) return e;
    }
    return nullptr;
  }
  std::vector<std::shared_ptr<serving::Endpoint>> All() override {
    std::vector<std::shared_ptr<serving::Endpoint>> out;
    for (auto& [id, e] : by_id_) out.push_back(e);
    return out;
  }
  std::map<std::string, std::shared_ptr<TestEndpoint>> by_id_;
};

constexpr char kIrisInputSchema[] = R"({"version": "1.1", "schema": [
  {"name": "sepal_length", "dtype": "float64", "feature_type": "Continuous", "order": 0, "required": true},
  {"name": "sepal_width", "dtype": "float64", "feature_type": "Continuous", "order": 1, "required": true},
  {"name": "petal_length", "dtype": "float64", "feature_type": "Continuous", "order": 2, "required": true},
  {"name": "petal_width", "dtype": "float64", "feature_type": "Continuous", "order": 3, "required": true}]})";
constexpr char kIrisOutputSchema[] = R"({"version": "1.1", "schema": [
  {"name": "label", "dtype": "int64", "order": 0}, {"name": "probabilities", "dtype": "float32", "order": 1}]})";

constexpr char kBytesScorePy[] = R"(
def load_model():
    return None

def predict(data, model=load_model()):
    if isinstance(data, (bytes, bytearray)):
        return {"prediction": {"bytes": len(data), "first": data[:4].decode("latin-1")}}
    return {"prediction": data}
)";

class PredictRoutesTest : public test_util::SignedRouteTest {
 protected:
  static void SetUpTestSuite() {
    test_util::SignedRouteTest::SetUpTestSuite();
    iris_dir_ = new TempDir;
    runtime::testing_util::CopyFile(kSource + "/examples/iris/model.onnx", *iris_dir_ / "model.onnx");
    auto iris = runtime::LoadPredictor(*Env::Default(), iris_dir_->path(), {.threads = 1});
    ASSERT_TRUE(iris.ok()) << iris.status().ToString();
    iris_ = new std::shared_ptr<runtime::Predictor>(std::move(*iris));
    bytes_dir_ = new TempDir;
    ASSERT_TRUE(Env::Default()->WriteFile(*bytes_dir_ / "score.py", kBytesScorePy).ok());
    runtime::PredictorOptions python;
    python.python_workers = 1;
    auto bytes = runtime::LoadPredictor(*Env::Default(), bytes_dir_->path(), python);
    ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
    bytes_ = new std::shared_ptr<runtime::Predictor>(std::move(*bytes));
  }
  static void TearDownTestSuite() {
    delete bytes_;
    delete bytes_dir_;
    delete iris_;
    delete iris_dir_;
    test_util::SignedRouteTest::TearDownTestSuite();
  }

  void SetUp() override {
    auto add = [&](const char* id, const char* name, const char* compartment, const char* state, int mbps,
                   std::shared_ptr<runtime::Predictor> predictor) {
      serving::EndpointInfo info{.id = id, .display_name = name, .compartment_id = compartment,
                                 .model_id = kModel, .lifecycle_state = state, .runtime = "onnx",
                                 .bandwidth_mbps = mbps, .access_log = true, .predict_log = true};
      auto e = std::make_shared<TestEndpoint>(info, std::move(predictor), ParseJson(kIrisInputSchema).value(),
                                              ParseJson(kIrisOutputSchema).value());
      directory_.Put(e);
      return e;
    };
    iris_endpoint_ = add(kIris, "iris-rf", kComp, "ACTIVE", 100, *iris_);
    add(kHidden, "hidden", kDenied, "ACTIVE", 100, *iris_);
    add(kAsleep, "asleep", kComp, "INACTIVE", 100, *iris_);
    add(kNarrow, "narrow", kComp, "ACTIVE", 1, *iris_);
    add(kBytes, "bytes", kComp, "ACTIVE", 100, *bytes_);
    access_ = std::make_unique<test_util::TestAccess>(key_->public_key(), std::set<std::string>{kDenied});
    router_ = std::make_unique<Router>(*Env::Default(), access_.get());
    AddPredictRoutes(*router_, directory_, {});
    auto server = http::Server::Start({.port = 0}, router_->AsHandler());
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    client_ = std::make_unique<http::Client>(http::ClientOptions{.port = server_->port()});
  }
  void TearDown() override {
    client_.reset();
    server_->Stop();
  }

  // One request over HTTP, signed as the Python SDK signs (unless `sign` is
  // false).
  http::ClientResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                            HeaderMap headers = {}, bool sign = true) {
    headers["host"] = "localhost";
    if (method == "POST") {
      if (!headers.contains("content-type")) headers["content-type"] = "application/json";
      headers["content-length"] = std::to_string(body.size());
    }
    if (sign) {
      auto signed_headers = iam::SignRequest(method, target, headers, body, KeyId(), *key_,
                                             iam::SigningOptions::PythonSdk());
      EXPECT_TRUE(signed_headers.ok()) << signed_headers.status().ToString();
      for (const auto& [k, v] : signed_headers.value_or({})) headers[k] = v;
    }
    auto r = client_->Send({.method = method, .target = target, .headers = headers, .body = body});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.value_or(http::ClientResponse{});
  }
  static Json Body(const http::ClientResponse& r) { return ParseJson(r.body).value_or(Json()); }

  std::string Direct(const std::string& body) {
    auto r = (*iris_)->Predict({.body = body});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->body : "";
  }

  static inline TempDir* iris_dir_ = nullptr;
  static inline TempDir* bytes_dir_ = nullptr;
  static inline std::shared_ptr<runtime::Predictor>* iris_ = nullptr;
  static inline std::shared_ptr<runtime::Predictor>* bytes_ = nullptr;
  TestDirectory directory_;
  std::shared_ptr<TestEndpoint> iris_endpoint_;
  std::unique_ptr<test_util::TestAccess> access_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<http::Client> client_;
};

const std::string kRows = "[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]";

TEST_F(PredictRoutesTest, PredictAnswersTheRuntimesJson) {
  auto r = Send("POST", std::string("/") + kIris + "/predict", kRows);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, Direct(kRows));
  EXPECT_THAT(r.body, HasSubstr("\"prediction\""));
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_FALSE(r.Header("opc-request-id").empty());
  // ADS's wrapper form too.
  const std::string wrapped = R"({"data": [[5.1, 3.5, 1.4, 0.2]], "data_type": "<class 'list'>"})";
  auto w = Send("POST", std::string("/") + kIris + "/predict", wrapped);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.body, Direct(wrapped));
}

TEST_F(PredictRoutesTest, PredictPassesRawBytesToScorePy) {
  const std::string bytes("ABCD\x00\x01\xff\x93", 8);
  auto r = Send("POST", std::string("/") + kBytes + "/predict", bytes, {{"content-type", "application/octet-stream"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["prediction"]["bytes"], 8);
  EXPECT_EQ(Body(r)["prediction"]["first"], "ABCD");
}

TEST_F(PredictRoutesTest, UnknownForbiddenAndUnsignedAreRefusedAlike) {
  auto unknown = Send("POST", "/ocid1.datasciencemodeldeployment.oc1..nope/predict", kRows);
  auto hidden = Send("POST", std::string("/") + kHidden + "/predict", kRows);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(Body(unknown)["code"], "NotAuthorizedOrNotFound");
  EXPECT_EQ(Body(unknown)["message"], Body(hidden)["message"]);
  EXPECT_EQ(Body(unknown)["code"], Body(hidden)["code"]);
  auto unsigned_call = Send("POST", std::string("/") + kIris + "/predict", kRows, {}, false);
  EXPECT_EQ(unsigned_call.status, 401);
  EXPECT_EQ(Body(unsigned_call)["code"], "NotAuthenticated");
}

TEST_F(PredictRoutesTest, PayloadsOverTenMegabytesGet413WhateverTheirType) {
  // Through Router::Dispatch: over a socket the server answers 413 as soon as
  // the limit is passed and closes the connection while the client still
  // sends, which tells the client less than the 413 itself.
  std::string big = "[" + std::string(11 * 1000 * 1000, ' ') + "]";
  for (const char* type : {"application/json", "application/octet-stream"}) {
    test_util::SignedRequest request{.headers = {{"content-type", type},
                                                 {"content-length", std::to_string(big.size())}}};
    test_util::Reply r = test_util::SendSigned(*router_, "POST", std::string("/") + kIris + "/predict", big,
                                               std::move(request), KeyId(), key_);
    EXPECT_EQ(r.status, 413) << type;
    EXPECT_EQ(r.Code(), "PayloadTooLarge") << r.body;
    EXPECT_THAT(r.body, HasSubstr("10485760 bytes")) << r.body;
  }
  auto ok = Send("POST", std::string("/") + kIris + "/predict", kRows);
  EXPECT_EQ(ok.status, 200);
}

TEST_F(PredictRoutesTest, BadPayloadsAre400AndTheServerKeepsServing) {
  auto malformed = Send("POST", std::string("/") + kIris + "/predict", "[[5.1, 3.5,");
  EXPECT_EQ(malformed.status, 400) << malformed.body;
  EXPECT_EQ(Body(malformed)["code"], "InvalidParameter");
  EXPECT_FALSE(std::string(Body(malformed)["message"]).empty());
  auto shape = Send("POST", std::string("/") + kIris + "/predict", "[[5.1, 3.5, 1.4]]");
  EXPECT_EQ(shape.status, 400) << shape.body;
  EXPECT_THAT(std::string(Body(shape)["message"]), HasSubstr("3"));
  auto ok = Send("POST", std::string("/") + kIris + "/predict", kRows);
  EXPECT_EQ(ok.status, 200);
  // The predict log names the failure; the access log has every call.
  const std::vector<Json> predict = iris_endpoint_->Logs(serving::LogType::kPredict);
  ASSERT_EQ(predict.size(), 3u);
  EXPECT_EQ(predict[0]["status"], 400);
  EXPECT_FALSE(std::string(predict[0]["error"]).empty());
  EXPECT_FALSE(predict[2].contains("error"));
  const std::vector<Json> access = iris_endpoint_->Logs(serving::LogType::kAccess);
  ASSERT_EQ(access.size(), 3u);
  EXPECT_EQ(access[2]["method"], "POST");
  EXPECT_EQ(access[2]["path"], std::string("/") + kIris + "/predict");
  EXPECT_EQ(access[2]["status"], 200);
  EXPECT_EQ(access[2]["requestBytes"], kRows.size());
  EXPECT_GT(access[2]["responseBytes"].get<int>(), 10);
  EXPECT_EQ(access[2]["opcRequestId"], ok.Header("opc-request-id"));
  EXPECT_TRUE(access[2].contains("time") && access[2].contains("latencyMs"));
}

TEST_F(PredictRoutesTest, AnInactiveDeploymentIs409NamingItsState) {
  auto r = Send("POST", std::string("/") + kAsleep + "/predict", kRows);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["code"], "IncorrectState");
  EXPECT_THAT(std::string(Body(r)["message"]), HasSubstr("INACTIVE"));
}

TEST_F(PredictRoutesTest, BandwidthOverTheDeploymentsRateIs429) {
  // 1 Mbps = 125 kB/s with a one-second burst: a few 40 kB bodies pass, then 429.
  std::string rows = "[";
  while (rows.size() < 40000) rows += (rows.size() > 1 ? ", " : "") + std::string("[5.1, 3.5, 1.4, 0.2]");
  rows += "]";
  int ok = 0, throttled = 0;
  http::ClientResponse last;
  for (int i = 0; i < 12; ++i) {
    last = Send("POST", std::string("/") + kNarrow + "/predict", rows);
    if (last.status == 200) ++ok;
    if (last.status == 429) {
      ++throttled;
      EXPECT_EQ(Body(last)["code"], "TooManyRequests");
      EXPECT_THAT(std::string(Body(last)["message"]), HasSubstr("bandwidth exceeds the allocated 1 Mbps"));
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(throttled, 6);
  // Other deployments are not affected.
  EXPECT_EQ(Send("POST", std::string("/") + kIris + "/predict", rows).status, 200);
}

TEST_F(PredictRoutesTest, LiteralRoutesWinOverThePredictPattern) {
  router_->Add("POST", "/n/predict", RouteOptions{.body = BodyKind::kJson, .authenticate = false},
               [](Call& call) -> Status {
                 call.ReplyJson(200, Json{{"literal", true}});
                 return OkStatus();
               });
  auto r = Send("POST", "/n/predict", "{}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["literal"], true);
}

TEST_F(PredictRoutesTest, KserveHealthAndMetadata) {
  EXPECT_EQ(Body(Send("GET", "/v2/health/live", "", {}, false))["live"], true);
  auto ready = Send("GET", "/v2/health/ready", "", {}, false);
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(Body(ready)["ready"], true);
  EXPECT_EQ(Body(Send("GET", "/v2", "", {}, false))["extensions"][0], "binary_tensor_data");

  for (const std::string& name : {std::string("iris-rf"), std::string(kIris)}) {
    auto meta = Send("GET", "/v2/models/" + name);
    ASSERT_EQ(meta.status, 200) << meta.body;
    const Json m = Body(meta);
    EXPECT_EQ(m["name"], name);
    EXPECT_EQ(m["versions"][0], kModel);
    EXPECT_EQ(m["platform"], "ads_onnx");
    EXPECT_EQ(m["inputs"][0]["datatype"], "FP64");
    EXPECT_EQ(m["inputs"][0]["shape"], Json::array({-1, 4}));
    EXPECT_EQ(m["outputs"][1]["name"], "probabilities");
    EXPECT_EQ(m["outputs"][1]["datatype"], "FP32");
  }
  EXPECT_EQ(Send("GET", std::string("/v2/models/iris-rf/versions/") + kModel).status, 200);
  auto wrong_version = Send("GET", "/v2/models/iris-rf/versions/7");
  EXPECT_EQ(wrong_version.status, 404);
  EXPECT_THAT(std::string(Body(wrong_version)["error"]), HasSubstr("no version '7'"));
  EXPECT_EQ(Body(Send("GET", "/v2/models/iris-rf/ready"))["ready"], true);
  EXPECT_EQ(Body(Send("GET", "/v2/models/asleep/ready"))["ready"], false);
  auto missing = Send("GET", "/v2/models/nope");
  auto hidden = Send("GET", "/v2/models/hidden");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(Body(missing)["error"], "model 'nope' is not found");
  EXPECT_EQ(Body(hidden)["error"], "model 'hidden' is not found");
  // The OCI fields too, the same for missing and refused, as on every route.
  EXPECT_EQ(Body(missing)["code"], "NotAuthorizedOrNotFound");
  EXPECT_EQ(Body(missing)["message"], Body(hidden)["message"]);
  EXPECT_EQ(Body(missing)["message"], "Authorization failed or requested resource not found.");
  EXPECT_EQ(Send("GET", "/v2/models/iris-rf", "", {}, false).status, 401);
}

TEST_F(PredictRoutesTest, KserveInferWithJsonTensors) {
  const Json expected = ParseJson(Direct(kRows)).value()["prediction"];
  // Flat row-major data, then the same as nested lists.
  for (const std::string& data : std::vector<std::string>{"[5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3]",
                                 "[[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]"}) {
    const std::string body = R"({"id": "r1", "inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP64", "data": )" +
                             data + "}]}";
    auto r = Send("POST", "/v2/models/iris-rf/infer", body);
    ASSERT_EQ(r.status, 200) << r.body;
    const Json out = Body(r);
    EXPECT_EQ(out["model_name"], "iris-rf");
    EXPECT_EQ(out["model_version"], kModel);
    EXPECT_EQ(out["id"], "r1");
    ASSERT_EQ(out["outputs"].size(), 2u);
    EXPECT_EQ(out["outputs"][0]["name"], "label");
    EXPECT_EQ(out["outputs"][0]["datatype"], "INT64");
    EXPECT_EQ(out["outputs"][0]["shape"], Json::array({2}));
    EXPECT_EQ(out["outputs"][0]["data"], expected[0]);
    EXPECT_EQ(out["outputs"][1]["datatype"], "FP64");
    EXPECT_EQ(out["outputs"][1]["shape"], Json::array({2, 3}));
    EXPECT_EQ(out["outputs"][1]["data"][5], expected[1][1][2]);
  }
  // Only the outputs asked for.
  auto one = Send("POST", "/v2/models/iris-rf/infer",
                  R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [5.1, 3.5, 1.4, 0.2]}],
                      "outputs": [{"name": "label"}]})");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Body(one)["outputs"].size(), 1u);
}

TEST_F(PredictRoutesTest, KserveInferWithBinaryTensors) {
  const float values[8] = {5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f};
  const std::string header =
      R"({"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 32}}],
          "outputs": [{"name": "label", "parameters": {"binary_data": true}}, {"name": "probabilities"}]})";
  const std::string body = header + std::string(reinterpret_cast<const char*>(values), sizeof values);
  auto r = Send("POST", "/v2/models/iris-rf/infer", body,
                {{"content-type", "application/octet-stream"},
                 {"inference-header-content-length", std::to_string(header.size())}});
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t json_size = std::stoul(std::string(r.Header("inference-header-content-length")));
  ASSERT_LE(json_size, r.body.size());
  const Json out = ParseJson(r.body.substr(0, json_size)).value();
  ASSERT_EQ(out["outputs"][0]["parameters"]["binary_data_size"], 16);
  EXPECT_FALSE(out["outputs"][0].contains("data"));
  ASSERT_EQ(r.body.size() - json_size, 16u);
  int64_t labels[2];
  std::memcpy(labels, r.body.data() + json_size, sizeof labels);
  // float32 inputs widen to the same doubles as these JSON numbers would.
  const Json expected = ParseJson(Direct("[[5.099999904632568, 3.5, 1.399999976158142, 0.20000000298023224], "
                                         "[6.699999809265137, 3.0, 5.199999809265137, 2.299999952316284]]"))
                            .value()["prediction"];
  EXPECT_EQ(labels[0], expected[0][0].get<int64_t>());
  EXPECT_EQ(labels[1], expected[0][1].get<int64_t>());
  EXPECT_EQ(out["outputs"][1]["data"].size(), 6u);
}

TEST_F(PredictRoutesTest, KserveInferErrorsNameTheProblem) {
  auto count = Send("POST", "/v2/models/iris-rf/infer",
                    R"({"inputs": [{"name": "input", "shape": [2, 4], "datatype": "FP64", "data": [1, 2, 3]}]})");
  EXPECT_EQ(count.status, 400);
  EXPECT_THAT(std::string(Body(count)["error"]), HasSubstr("needs 8 elements"));
  auto type = Send("POST", "/v2/models/iris-rf/infer",
                   R"({"inputs": [{"name": "input", "shape": [1, 1], "datatype": "INT64", "data": ["a"]}]})");
  EXPECT_EQ(type.status, 400);
  EXPECT_THAT(std::string(Body(type)["error"]), HasSubstr("not a INT64"));
  auto width = Send("POST", "/v2/models/iris-rf/infer",
                    R"({"inputs": [{"name": "input", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]})");
  EXPECT_EQ(width.status, 400) << width.body;
  EXPECT_TRUE(Body(width).contains("error"));
  auto binary = Send("POST", "/v2/models/iris-rf/infer",
                     R"({"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]})",
                     {{"inference-header-content-length", "9999"}});
  EXPECT_EQ(binary.status, 400);
  auto output = Send("POST", "/v2/models/iris-rf/infer",
                     R"({"inputs": [{"name": "input", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}],
                         "outputs": [{"name": "nope"}]})");
  EXPECT_EQ(output.status, 400);
  EXPECT_THAT(std::string(Body(output)["error"]), HasSubstr("no output 'nope' (it has label, probabilities)"));
  EXPECT_EQ(Send("POST", "/v2/models/iris-rf/infer", "{not json").status, 400);
  auto huge = Send("POST", "/v2/models/iris-rf/infer",
                   R"({"inputs": [{"name": "input", "shape": [4294967296, 4294967296, 16], "datatype": "FP64",
                                   "parameters": {"binary_data_size": 0}}]})");
  EXPECT_EQ(huge.status, 400);
  EXPECT_THAT(std::string(Body(huge)["error"]), HasSubstr("is too large"));
  EXPECT_EQ(Send("POST", std::string("/") + kIris + "/predict", kRows).status, 200);
}

// Runs promtool on `text`; its output (empty when clean), or nullopt when
// promtool is not installed.
std::optional<std::string> Promtool(const std::string& text, int* exit_code) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) return std::nullopt;
  TempDir dir;
  EXPECT_TRUE(Env::Default()->WriteFile(dir / "metrics.txt", text).ok());
  const std::string command = "promtool check metrics < " + (dir / "metrics.txt") + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  *exit_code = WEXITSTATUS(pclose(pipe));
  return out;
}

TEST_F(PredictRoutesTest, MetricsCountEveryDeploymentAndPassPromtool) {
  for (int i = 0; i < 3; ++i) Send("POST", std::string("/") + kIris + "/predict", kRows);
  Send("POST", std::string("/") + kIris + "/predict", "[[1]]");
  auto r = Send("GET", "/metrics", "", {}, false);
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(std::string(r.Header("content-type")), HasSubstr("text/plain; version=0.0.4"));
  const std::string dep = std::string("deployment=\"") + kIris + "\"";
  EXPECT_THAT(r.body, HasSubstr("ads_predict_requests_total{" + dep + ",code=\"2xx\"} "));
  EXPECT_THAT(r.body, HasSubstr("ads_predict_errors_total{" + dep + ",code=\"4xx\"} "));
  EXPECT_THAT(r.body, HasSubstr("ads_predict_latency_seconds_bucket{" + dep + ",le=\"+Inf\"} "));
  EXPECT_THAT(r.body, HasSubstr("ads_deployment_worker_restarts_total{" + dep + "} 3\n"));
  EXPECT_THAT(r.body, HasSubstr("ads_deployment_ready{deployment=\"" + std::string(kAsleep) + "\"} 0\n"));
  EXPECT_THAT(r.body, HasSubstr("process_resident_memory_bytes "));
  // Counts add up: at least the 3 successes and 1 failure of this test (the
  // per-deployment metrics are process-wide, other tests add to them).
  auto value = [&](const std::string& series) {
    const size_t at = r.body.find(series + " ");
    return at == std::string::npos ? -1.0 : std::stod(r.body.substr(at + series.size() + 1));
  };
  EXPECT_GE(value("ads_predict_requests_total{" + dep + ",code=\"2xx\"}"), 3);
  EXPECT_GE(value("ads_predict_requests_total{" + dep + ",code=\"4xx\"}"), 1);
  EXPECT_GE(value("ads_predict_latency_seconds_count{" + dep + "}"), 4);

  int code = -1;
  std::optional<std::string> lint = Promtool(r.body, &code);
  if (!lint) GTEST_SKIP() << "promtool is not installed (scripts/setup installs Debian's prometheus)";
  EXPECT_EQ(code, 0) << *lint;
  EXPECT_EQ(*lint, "") << "promtool check metrics:\n" << *lint;
  // And promtool does catch problems: a counter without _total.
  std::optional<std::string> bad = Promtool("# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n", &code);
  EXPECT_NE(*bad, "");
}

}  // namespace
}  // namespace ads::server
