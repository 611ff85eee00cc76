#include "base/ids.h"

#include <ctime>
#include <vector>

#include "base/strings.h"

namespace ads {
namespace {

// Our own word lists (ADS uses longer ones of its own); the rule that picks an
// alliterating animal is the one ADS applies.
constexpr std::string_view kAdjectives[] = {
    "agile",    "amber",     "ample",    "azure",    "bold",     "brave",    "bright",
    "brisk",    "calm",      "candid",   "clever",   "cosmic",   "crisp",    "curious",
    "daring",   "dapper",    "deft",     "devoted",  "eager",    "earnest",  "elegant",
    "epic",     "fabulous",  "fair",     "fearless", "festive",  "fluent",   "frank",
    "gallant",  "gentle",    "gifted",   "glad",     "graceful", "handy",    "happy",
    "hardy",    "honest",    "humble",   "ideal",    "idle",     "intrepid", "ivory",
    "jolly",    "jovial",    "joyful",   "jubilant", "keen",     "kind",     "kindly",
    "lively",   "loyal",     "lucid",    "lucky",    "magnetic", "mellow",   "merry",
    "mighty",   "modest",    "neat",     "nimble",   "noble",    "novel",    "oaken",
    "open",     "opal",      "orderly",  "patient",  "placid",   "plucky",   "polite",
    "quaint",   "quick",     "quiet",    "quirky",   "radiant",  "rapid",    "regal",
    "robust",   "rustic",    "serene",   "sharp",    "shiny",    "steady",   "sunny",
    "swift",    "tender",    "thrifty",  "tidy",     "tranquil", "trusty",   "upbeat",
    "urbane",   "useful",    "valiant",  "vivid",    "vocal",    "warm",     "wise",
    "witty",    "wondrous",  "xenial",   "young",    "youthful", "zany",     "zealous",
    "zesty"};

constexpr std::string_view kAnimals[] = {
    "albatross", "alpaca",   "antelope", "badger",   "beaver",   "bison",    "buffalo",
    "camel",     "caribou",  "cheetah",  "condor",   "crane",    "deer",     "dingo",
    "dolphin",   "eagle",    "egret",    "elk",      "falcon",   "ferret",   "finch",
    "fox",       "gazelle",  "gecko",    "gibbon",   "goose",    "hare",     "hawk",
    "heron",     "hyena",    "ibex",     "ibis",     "iguana",   "jackal",   "jaguar",
    "jay",       "kangaroo", "kestrel",  "kiwi",     "koala",    "lemur",    "leopard",
    "lion",      "lynx",     "magpie",   "marmot",   "meerkat",  "moose",    "narwhal",
    "newt",      "ocelot",   "orca",     "otter",    "owl",      "panda",    "panther",
    "pelican",   "pheasant", "puffin",   "quail",    "rabbit",   "raven",    "reindeer",
    "robin",     "salmon",   "seal",     "sparrow",  "swan",     "tapir",    "tiger",
    "toucan",    "turtle",   "urchin",   "viper",    "vulture",  "walrus",   "weasel",
    "wombat",    "yak",      "zebra"};

bool Alliterates(std::string_view adjective, std::string_view animal) {
  const char a = adjective.front();
  if (animal.front() == a) return true;
  if (a == 'f' && animal.starts_with("ph")) return true;
  if (a == 'q' && animal.front() == 'k') return true;
  return false;
}

std::tm UtcTm(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

}  // namespace

std::string GenerateOcid(Env& env, std::string_view type, std::string_view region,
                         std::string_view realm) {
  static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string unique;
  unique.reserve(60);
  while (unique.size() < 60) {
    uint64_t bits = env.RandomU64();
    for (int i = 0; i < 12 && unique.size() < 60; ++i, bits >>= 5) unique += kBase32[bits & 31];
  }
  return FormatOcid({std::string(type), std::string(realm), std::string(region), unique});
}

std::string FormatOcid(const Ocid& id) {
  return "ocid1." + id.type + "." + id.realm + "." + id.region + "." + id.unique;
}

Result<Ocid> ParseOcid(std::string_view text) {
  const std::vector<std::string> parts = Split(text, '.');
  if (parts.size() < 5 || parts[0] != "ocid1") {
    return InvalidArgumentError("`" + std::string(text) +
                                "` is not an OCID (expected ocid1.<type>.<realm>.<region>.<id>)");
  }
  if (parts[1].empty() || parts[2].empty() || parts.back().empty()) {
    return InvalidArgumentError("`" + std::string(text) + "` is not an OCID (empty part)");
  }
  Ocid id{parts[1], parts[2], parts[3], parts[4]};
  for (size_t i = 5; i < parts.size(); ++i) id.unique += "." + parts[i];
  return id;
}

std::string FormatNameTimestamp(std::chrono::system_clock::time_point t) {
  const std::tm tm = UtcTm(t);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d-%H:%M.%S", &tm);
  return buf;
}

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  const std::tm tm = UtcTm(t);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()) % 1000;
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

std::string RandomDisplayName(Env& env) {
  constexpr size_t kNumAdjectives = std::size(kAdjectives);
  const std::string_view adjective = kAdjectives[env.RandomU64() % kNumAdjectives];
  std::vector<std::string_view> matching;
  for (std::string_view animal : kAnimals) {
    if (Alliterates(adjective, animal)) matching.push_back(animal);
  }
  if (matching.empty()) matching.assign(std::begin(kAnimals), std::end(kAnimals));
  const std::string_view animal = matching[env.RandomU64() % matching.size()];
  return std::string(adjective) + "-" + std::string(animal) + "-" + FormatNameTimestamp(env.Now());
}

}  // namespace ads
