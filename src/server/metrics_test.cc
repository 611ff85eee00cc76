// The Prometheus text writer: escaping, number syntax, histogram series.
// (The whole /metrics page, checked by promtool, is in predict_routes_test.cc.)
#include "server/metrics.h"

#include <gtest/gtest.h>

namespace ads::server {
namespace {

TEST(MetricsTextTest, EscapesLabelsAndFormatsNumbers) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(1.0 / 0.0), "+Inf");
  MetricsText t;
  t.Family("x_seconds", "histogram", "X.");
  serving::Histogram h({1000, 2000});
  h.Observe(1500);
  t.HistogramSamples("x_seconds", {{"deployment", "d\"1"}}, h.Read(), 1e6);
  EXPECT_EQ(t.text(),
            "# HELP x_seconds X.\n# TYPE x_seconds histogram\n"
            "x_seconds_bucket{deployment=\"d\\\"1\",le=\"0.001\"} 0\n"
            "x_seconds_bucket{deployment=\"d\\\"1\",le=\"0.002\"} 1\n"
            "x_seconds_bucket{deployment=\"d\\\"1\",le=\"+Inf\"} 1\n"
            "x_seconds_sum{deployment=\"d\\\"1\"} 0.0015\n"
            "x_seconds_count{deployment=\"d\\\"1\"} 1\n");
}

TEST(MetricsTextTest, EmptyDirectoryStillHasProcessMetrics) {
  class Empty : public serving::EndpointDirectory {
   public:
    std::shared_ptr<serving::Endpoint> Find(std::string_view) override { return nullptr; }
    std::shared_ptr<serving::Endpoint> FindByName(std::string_view) override { return nullptr; }
    std::vector<std::shared_ptr<serving::Endpoint>> All() override { return {}; }
  } empty;
  const std::string page = RenderMetrics(empty);
  EXPECT_NE(page.find("# TYPE ads_predict_requests_total counter\n"), std::string::npos);
  EXPECT_EQ(page.find("deployment=\""), std::string::npos);
  EXPECT_NE(page.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(page.find("\nprocess_open_fds "), std::string::npos);
}

}  // namespace
}  // namespace ads::server
