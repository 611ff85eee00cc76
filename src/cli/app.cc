#include "cli/app.h"

namespace ads::cli {

int RunMain(int /*argc*/, char** /*argv*/) { return 0; }

}  // namespace ads::cli
