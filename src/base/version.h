// The version of ads, written into generated files (score.py marker, manifests).
#ifndef ADS_BASE_VERSION_H_
#define ADS_BASE_VERSION_H_

#include <string_view>

namespace ads {

inline constexpr std::string_view kAdsVersion = "0.1.0";

}  // namespace ads

#endif  // ADS_BASE_VERSION_H_
