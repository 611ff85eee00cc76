// Policy statements and matching rules: a tokenizer shared by both, then two
// small recursive-descent parsers. Errors quote the whole statement and the
// token where parsing stopped, because an administrator fixing a policy of
// ten statements needs to know which one and where.
#include "iam/policy.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "base/strings.h"

namespace ads::iam {

std::string_view VerbName(Verb verb) {
  switch (verb) {
    case Verb::kInspect:
      return "inspect";
    case Verb::kRead:
      return "read";
    case Verb::kUse:
      return "use";
    case Verb::kManage:
      return "manage";
  }
  return "?";
}

namespace {

constexpr std::array<std::string_view, 5> kDataScienceTypes = {
    kProjects, kModels, kModelVersionSets, kModelDeployments, kWorkRequests};
constexpr std::array<std::string_view, 2> kObjectTypes = {kBuckets, kObjects};
constexpr std::array<std::string_view, 5> kIamTypes = {kCompartments, kUsers, kGroups, kPolicies,
                                                       kDynamicGroups};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

struct Token {
  enum class Kind { kWord, kString, kSymbol, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("._:@+-$/").find(c) != std::string_view::npos;
}

// `what` is "policy statement" or "matching rule", for the error message.
Result<std::vector<Token>> Tokenize(std::string_view text, std::string_view what) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '\'' || c == '"') {
      const size_t end = text.find(c, i + 1);
      if (end == std::string_view::npos) {
        return InvalidArgumentError(std::string(what) + " " + Quoted(text) +
                                    ": unterminated string starting at " +
                                    Quoted(text.substr(i, 20)));
      }
      tokens.push_back({Token::Kind::kString, std::string(text.substr(i + 1, end - i - 1))});
      i = end + 1;
    } else if (c == '!' && i + 1 < text.size() && text[i + 1] == '=') {
      tokens.push_back({Token::Kind::kSymbol, "!="});
      i += 2;
    } else if (c == ',' || c == '=' || c == '{' || c == '}') {
      tokens.push_back({Token::Kind::kSymbol, std::string(1, c)});
      ++i;
    } else if (IsWordChar(c)) {
      size_t end = i;
      while (end < text.size() && IsWordChar(text[end])) ++end;
      tokens.push_back({Token::Kind::kWord, std::string(text.substr(i, end - i))});
      i = end;
    } else {
      return InvalidArgumentError(std::string(what) + " " + Quoted(text) +
                                  ": unexpected character " + Quoted(std::string(1, c)));
    }
  }
  tokens.push_back({Token::Kind::kEnd, ""});
  return tokens;
}

// A cursor over tokens that builds the error messages.
class Cursor {
 public:
  Cursor(std::vector<Token> tokens, std::string_view text, std::string_view what)
      : tokens_(std::move(tokens)), text_(text), what_(what) {}

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& PeekAt(size_t ahead) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Token::Kind::kEnd) ++pos_;
    return t;
  }
  bool AtEnd() const { return Peek().kind == Token::Kind::kEnd; }
  bool PeekKeyword(std::string_view keyword) const {
    return Peek().kind == Token::Kind::kWord && EqualsIgnoreCase(Peek().text, keyword);
  }
  bool PeekSymbol(std::string_view symbol) const {
    return Peek().kind == Token::Kind::kSymbol && Peek().text == symbol;
  }

  Status Error(std::string_view expected) const {
    const Token& t = Peek();
    const std::string found = t.kind == Token::Kind::kEnd ? "the end" : Quoted(t.text);
    return InvalidArgumentError(std::string(what_) + " " + Quoted(text_) + ": expected " +
                                std::string(expected) + " but found " + found);
  }
  Status ExpectKeyword(std::string_view keyword) {
    if (!PeekKeyword(keyword)) return Error(Quoted(keyword));
    Next();
    return OkStatus();
  }
  // A word or a quoted string (names may be quoted when they have spaces).
  Result<std::string> Value(std::string_view expected) {
    if (Peek().kind != Token::Kind::kWord && Peek().kind != Token::Kind::kString) {
      return Error(expected);
    }
    return Next().text;
  }

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::string_view text_;
  std::string_view what_;
};

constexpr std::string_view kStatementWhat = "policy statement";
constexpr std::string_view kRuleWhat = "matching rule";

Result<std::vector<std::string>> ParseNameList(Cursor& in, std::string_view what) {
  std::vector<std::string> names;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(std::string name, in.Value(std::string(what) + " name"));
    names.push_back(std::move(name));
    if (!in.PeekSymbol(",")) return names;
    in.Next();
  }
}

Status ParseSubject(Cursor& in, PolicyStatement& s) {
  if (in.PeekKeyword("group")) {
    in.Next();
    s.subject = PolicyStatement::Subject::kGroup;
    ADS_ASSIGN_OR_RETURN(s.subjects, ParseNameList(in, "group"));
  } else if (in.PeekKeyword("dynamic-group")) {
    in.Next();
    s.subject = PolicyStatement::Subject::kDynamicGroup;
    ADS_ASSIGN_OR_RETURN(s.subjects, ParseNameList(in, "dynamic-group"));
  } else if (in.PeekKeyword("any-user")) {
    in.Next();
    s.subject = PolicyStatement::Subject::kAnyUser;
  } else {
    return in.Error("`group`, `dynamic-group` or `any-user`");
  }
  return OkStatus();
}

Status ParseVerb(Cursor& in, PolicyStatement& s) {
  for (Verb v : {Verb::kInspect, Verb::kRead, Verb::kUse, Verb::kManage}) {
    if (in.PeekKeyword(VerbName(v))) {
      in.Next();
      s.verb = v;
      return OkStatus();
    }
  }
  return in.Error("a verb (`inspect`, `read`, `use` or `manage`)");
}

Status ParseLocation(Cursor& in, PolicyStatement& s) {
  if (in.PeekKeyword("tenancy")) {
    in.Next();
    s.location = PolicyStatement::Location::kTenancy;
    return OkStatus();
  }
  ADS_RETURN_IF_ERROR(in.ExpectKeyword("compartment"));
  // "compartment id <ocid>"; a compartment that is itself named "id" is
  // still reachable as "compartment id" with nothing after it.
  if (in.PeekKeyword("id") && in.PeekAt(1).kind != Token::Kind::kEnd &&
      !EqualsIgnoreCase(in.PeekAt(1).text, "where")) {
    in.Next();
    ADS_ASSIGN_OR_RETURN(std::string id, in.Value("a compartment OCID"));
    if (!id.starts_with("ocid1.")) {
      return InvalidArgumentError(std::string(kStatementWhat) + " " + Quoted(s.text) + ": " +
                                  Quoted(id) + " is not a compartment OCID");
    }
    s.location = PolicyStatement::Location::kCompartmentId;
    s.compartment_path = {std::move(id)};
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(std::string path, in.Value("a compartment name or A:B:C path"));
  s.location = PolicyStatement::Location::kCompartmentPath;
  s.compartment_path = Split(path, ':');
  for (const std::string& part : s.compartment_path) {
    if (Trim(part).empty()) {
      return InvalidArgumentError(std::string(kStatementWhat) + " " + Quoted(s.text) +
                                  ": compartment path " + Quoted(path) + " has an empty name");
    }
  }
  return OkStatus();
}

Status ParseCondition(Cursor& in, PolicyStatement& s) {
  if (in.Peek().kind != Token::Kind::kWord) return in.Error("a condition variable");
  const std::string variable = ToLower(in.Peek().text);
  if (variable != "target.compartment.name" && variable != "target.compartment.id") {
    return InvalidArgumentError(
        std::string(kStatementWhat) + " " + Quoted(s.text) + ": the condition variable " +
        Quoted(in.Peek().text) +
        " is not supported; ads supports target.compartment.name and target.compartment.id");
  }
  in.Next();
  PolicyStatement::Condition cond;
  cond.variable = variable;
  if (in.PeekSymbol("=") || in.PeekSymbol("!=")) {
    cond.negated = in.Next().text == "!=";
  } else {
    return in.Error("`=` or `!=`");
  }
  ADS_ASSIGN_OR_RETURN(cond.value, in.Value("a quoted value"));
  s.condition = std::move(cond);
  return OkStatus();
}

bool IsRuleVariable(std::string_view v) {
  return v == "resource.type" || v == "resource.id" || v == "resource.compartment.id";
}

constexpr int kMaxRuleDepth = 16;

Result<MatchingRule::Node> ParseRuleNode(Cursor& in, int depth) {
  MatchingRule::Node node;
  if (in.PeekKeyword("all") || in.PeekKeyword("any")) {
    if (depth >= kMaxRuleDepth) return in.Error("at most 16 nested ALL/ANY groups");
    node.kind =
        in.PeekKeyword("all") ? MatchingRule::Node::Kind::kAll : MatchingRule::Node::Kind::kAny;
    in.Next();
    if (!in.PeekSymbol("{")) return in.Error("`{`");
    in.Next();
    for (;;) {
      ADS_ASSIGN_OR_RETURN(MatchingRule::Node child, ParseRuleNode(in, depth + 1));
      node.children.push_back(std::move(child));
      if (in.PeekSymbol("}")) break;
      if (!in.PeekSymbol(",")) return in.Error("`,` or `}`");
      in.Next();
    }
    in.Next();
    return node;
  }
  if (in.Peek().kind != Token::Kind::kWord || !IsRuleVariable(ToLower(in.Peek().text))) {
    return in.Error(
        "`ALL {`, `ANY {` or a variable (resource.type, resource.id, resource.compartment.id)");
  }
  node.variable = ToLower(in.Next().text);
  if (in.PeekSymbol("=") || in.PeekSymbol("!=")) {
    node.negated = in.Next().text == "!=";
  } else {
    return in.Error("`=` or `!=`");
  }
  ADS_ASSIGN_OR_RETURN(node.value, in.Value("a quoted value"));
  return node;
}

bool NodeMatches(const MatchingRule::Node& node, const ResourceFacts& facts) {
  switch (node.kind) {
    case MatchingRule::Node::Kind::kAll:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const auto& c) { return NodeMatches(c, facts); });
    case MatchingRule::Node::Kind::kAny:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const auto& c) { return NodeMatches(c, facts); });
    case MatchingRule::Node::Kind::kCondition:
      break;
  }
  bool equal = false;
  if (node.variable == "resource.type") {
    equal = EqualsIgnoreCase(facts.type, node.value);
  } else if (node.variable == "resource.id") {
    equal = facts.id == node.value;
  } else {
    equal = facts.compartment_id == node.value;
  }
  return equal != node.negated;
}

}  // namespace

bool ResourceCovers(std::string_view granted, std::string_view requested) {
  if (granted == requested || granted == kAllResources) return true;
  if (granted == kDataScienceFamily) return Contains(kDataScienceTypes, requested);
  if (granted == kObjectFamily) return Contains(kObjectTypes, requested);
  return false;
}

bool IsKnownResource(std::string_view name) {
  return name == kAllResources || name == kDataScienceFamily || name == kObjectFamily ||
         Contains(kDataScienceTypes, name) || Contains(kObjectTypes, name) ||
         Contains(kIamTypes, name);
}

Result<PolicyStatement> ParsePolicyStatement(std::string_view text) {
  PolicyStatement s;
  s.text = std::string(Trim(text));
  if (s.text.empty()) return InvalidArgumentError("a policy statement is empty");
  ADS_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(s.text, kStatementWhat));
  Cursor in(std::move(tokens), s.text, kStatementWhat);
  ADS_RETURN_IF_ERROR(in.ExpectKeyword("allow"));
  ADS_RETURN_IF_ERROR(ParseSubject(in, s));
  ADS_RETURN_IF_ERROR(in.ExpectKeyword("to"));
  ADS_RETURN_IF_ERROR(ParseVerb(in, s));
  if (in.Peek().kind != Token::Kind::kWord) return in.Error("a resource type or family");
  s.resource = ToLower(in.Peek().text);
  if (!IsKnownResource(s.resource)) return in.Error("a resource type or family ads knows");
  in.Next();
  ADS_RETURN_IF_ERROR(in.ExpectKeyword("in"));
  ADS_RETURN_IF_ERROR(ParseLocation(in, s));
  if (in.PeekKeyword("where")) {
    in.Next();
    ADS_RETURN_IF_ERROR(ParseCondition(in, s));
  }
  if (!in.AtEnd()) return in.Error("the end of the statement");
  return s;
}

bool MatchingRule::Matches(const ResourceFacts& facts) const { return NodeMatches(root_, facts); }

Result<MatchingRule> ParseMatchingRule(std::string_view text) {
  const std::string trimmed(Trim(text));
  if (trimmed.empty()) return InvalidArgumentError("a matching rule is empty");
  ADS_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(trimmed, kRuleWhat));
  Cursor in(std::move(tokens), trimmed, kRuleWhat);
  MatchingRule rule;
  ADS_ASSIGN_OR_RETURN(rule.root_, ParseRuleNode(in, 0));
  if (!in.AtEnd()) return in.Error("the end of the rule");
  return rule;
}

}  // namespace ads::iam
