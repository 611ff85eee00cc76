// Python's textwrap.shorten(text, width, placeholder=...), which ADS uses to
// cut the ModelArtifacts file list to 255 characters. Reproduced closely so
// the value we store equals the one ADS would store for the same files.
//
//   ShortenText("a.onnx, runtime.yaml, score.py", 20, "...")  // "a.onnx,..."
//
// Widths count Unicode code points, as Python's len(). Non-ASCII code points
// count as letters where textwrap's hyphen rule asks for one.
// Thread-safety: a pure function.
#ifndef ADS_METADATA_TEXT_SHORTEN_H_
#define ADS_METADATA_TEXT_SHORTEN_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace ads::metadata {

// Collapses runs of whitespace to one space and trims; if the result is
// longer than `width`, drops trailing words (textwrap's chunks, which also
// split after hyphens) until the rest plus `placeholder` fits.
std::string ShortenText(std::string_view text, size_t width,
                        std::string_view placeholder = " [...]");

}  // namespace ads::metadata

#endif  // ADS_METADATA_TEXT_SHORTEN_H_
