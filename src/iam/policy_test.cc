#include "iam/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ads::iam {
namespace {

using ::testing::HasSubstr;

TEST(PolicyParseTest, GroupStatementInTenancy) {
  auto s = ParsePolicyStatement("  allow group Administrators to manage all-resources in tenancy ");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->text, "allow group Administrators to manage all-resources in tenancy");
  EXPECT_EQ(s->subject, PolicyStatement::Subject::kGroup);
  EXPECT_EQ(s->subjects, std::vector<std::string>{"Administrators"});
  EXPECT_EQ(s->verb, Verb::kManage);
  EXPECT_EQ(s->resource, "all-resources");
  EXPECT_EQ(s->location, PolicyStatement::Location::kTenancy);
  EXPECT_FALSE(s->condition.has_value());
}

TEST(PolicyParseTest, KeywordsAreCaseInsensitiveAndNamesKeepTheirCase) {
  auto s = ParsePolicyStatement(
      "Allow GROUP DataScientists, 'ML Ops' TO Read Data-Science-Models IN Compartment "
      "Projects:Iris");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->subjects, (std::vector<std::string>{"DataScientists", "ML Ops"}));
  EXPECT_EQ(s->verb, Verb::kRead);
  EXPECT_EQ(s->resource, "data-science-models");
  EXPECT_EQ(s->location, PolicyStatement::Location::kCompartmentPath);
  EXPECT_EQ(s->compartment_path, (std::vector<std::string>{"Projects", "Iris"}));
}

TEST(PolicyParseTest, DynamicGroupAnyUserCompartmentIdAndWhere) {
  auto dg = ParsePolicyStatement(
      "allow dynamic-group deployments to use object-family in compartment id "
      "ocid1.compartment.oc1..abc");
  ASSERT_TRUE(dg.ok()) << dg.status().ToString();
  EXPECT_EQ(dg->subject, PolicyStatement::Subject::kDynamicGroup);
  EXPECT_EQ(dg->location, PolicyStatement::Location::kCompartmentId);
  EXPECT_EQ(dg->compartment_path, std::vector<std::string>{"ocid1.compartment.oc1..abc"});

  auto any = ParsePolicyStatement(
      "allow any-user to inspect data-science-family in tenancy where "
      "target.compartment.name != 'secret'");
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_EQ(any->subject, PolicyStatement::Subject::kAnyUser);
  ASSERT_TRUE(any->condition.has_value());
  EXPECT_EQ(any->condition->variable, "target.compartment.name");
  EXPECT_TRUE(any->condition->negated);
  EXPECT_EQ(any->condition->value, "secret");

  // A compartment called "id" is still a path.
  auto named_id = ParsePolicyStatement("allow group g to read buckets in compartment id");
  ASSERT_TRUE(named_id.ok()) << named_id.status().ToString();
  EXPECT_EQ(named_id->location, PolicyStatement::Location::kCompartmentPath);
}

struct BadStatement {
  const char* text;
  const char* message;
};

TEST(PolicyParseTest, BadStatementsNameTheStatementAndTheToken) {
  const BadStatement cases[] = {
      {"permit group a to read buckets in tenancy", "expected `allow` but found `permit`"},
      {"allow team a to read buckets in tenancy", "found `team`"},
      {"allow group a read buckets in tenancy", "expected `to` but found `read`"},
      {"allow group a to destroy buckets in tenancy", "a verb"},
      {"allow group a to read unicorns in tenancy",
       "resource type or family ads knows but found "
       "`unicorns`"},
      {"allow group a to read buckets", "expected `in` but found the end"},
      {"allow group a to read buckets in space", "expected `compartment` but found `space`"},
      {"allow group a to read buckets in compartment id not-an-ocid", "not a compartment OCID"},
      {"allow group a to read buckets in compartment A::B", "has an empty name"},
      {"allow group a to read buckets in tenancy where target.bucket.name='x'",
       "`target.bucket.name` is not supported"},
      {"allow group a to read buckets in tenancy where request.operation='GetObject'",
       "is not supported"},
      {"allow group a to read buckets in tenancy where target.compartment.name 'x'",
       "expected `=` or `!=`"},
      {"allow group a to read buckets in tenancy please", "expected the end of the statement"},
      {"allow group 'a to read buckets in tenancy", "unterminated string"},
      {"allow group a; to read buckets in tenancy", "unexpected character `;`"},
      {"", "empty"},
  };
  for (const BadStatement& c : cases) {
    auto s = ParsePolicyStatement(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(s.status().message(), HasSubstr(c.message)) << c.text;
    if (*c.text != '\0') {
      EXPECT_THAT(s.status().message(), HasSubstr(c.text));
    }
  }
}

TEST(PolicyFamiliesTest, FamiliesAndAllResourcesCoverTheirTypes) {
  for (std::string_view t :
       {kProjects, kModels, kModelVersionSets, kModelDeployments, kWorkRequests}) {
    EXPECT_TRUE(ResourceCovers(kDataScienceFamily, t)) << t;
    EXPECT_FALSE(ResourceCovers(kObjectFamily, t)) << t;
    EXPECT_TRUE(ResourceCovers(kAllResources, t)) << t;
  }
  EXPECT_TRUE(ResourceCovers(kObjectFamily, kBuckets));
  EXPECT_TRUE(ResourceCovers(kObjectFamily, kObjects));
  EXPECT_FALSE(ResourceCovers(kDataScienceFamily, kObjects));
  EXPECT_TRUE(ResourceCovers(kAllResources, kUsers));
  EXPECT_FALSE(ResourceCovers(kDataScienceFamily, kPolicies));
  EXPECT_TRUE(ResourceCovers(kModels, kModels));
  EXPECT_FALSE(ResourceCovers(kModels, kProjects));
}

TEST(MatchingRuleTest, SingleConditionAllAndAny) {
  const ResourceFacts deployment{"datasciencemodeldeployment", "ocid1.dep.oc1..d1",
                                 "ocid1.compartment.oc1..c1"};
  const ResourceFacts other{"datasciencemodeldeployment", "ocid1.dep.oc1..d2",
                            "ocid1.compartment.oc1..c2"};
  auto single = ParseMatchingRule("resource.type = 'datasciencemodeldeployment'");
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_TRUE(single->Matches(deployment));
  EXPECT_FALSE(single->Matches({"datasciencenotebooksession", "x", "y"}));

  auto all = ParseMatchingRule(
      "ALL {resource.type='datasciencemodeldeployment', "
      "resource.compartment.id='ocid1.compartment.oc1..c1'}");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(all->Matches(deployment));
  EXPECT_FALSE(all->Matches(other));

  auto any = ParseMatchingRule(
      "any { resource.id = 'ocid1.dep.oc1..d2', ALL {resource.compartment.id = "
      "'ocid1.compartment.oc1..c1', resource.id != 'ocid1.dep.oc1..d9'} }");
  ASSERT_TRUE(any.ok()) << any.status().ToString();
  EXPECT_TRUE(any->Matches(deployment));
  EXPECT_TRUE(any->Matches(other));
  EXPECT_FALSE(any->Matches({"x", "ocid1.dep.oc1..d3", "ocid1.compartment.oc1..c3"}));
}

TEST(MatchingRuleTest, BadRulesAreRefused) {
  for (const char* text :
       {"", "resource.name = 'x'", "ALL resource.type='x'", "ALL {resource.type='x'",
        "ALL {resource.type='x',}", "resource.type == 'x'", "resource.type='x' extra"}) {
    auto rule = ParseMatchingRule(text);
    EXPECT_FALSE(rule.ok()) << text;
    EXPECT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << text;
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "ALL {";
  EXPECT_THAT(ParseMatchingRule(deep).status().message(), HasSubstr("nested"));
}

TEST(VerbTest, Names) {
  EXPECT_EQ(VerbName(Verb::kInspect), "inspect");
  EXPECT_EQ(VerbName(Verb::kManage), "manage");
}

}  // namespace
}  // namespace ads::iam
