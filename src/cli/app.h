// The `ads` command line: flag parsing and dispatch to the libraries.
#ifndef ADS_CLI_APP_H_
#define ADS_CLI_APP_H_

namespace ads::cli {

// Runs the command line; returns the process exit status.
int RunMain(int argc, char** argv);

}  // namespace ads::cli

#endif  // ADS_CLI_APP_H_
