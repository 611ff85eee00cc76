#include "cli/app.h"

int main(int argc, char** argv) { return ads::cli::RunMain(argc, argv); }
