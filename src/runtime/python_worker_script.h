// The Python program each score.py worker runs (passed with `python3 -c`),
// and the frame kinds it speaks. The protocol is described in
// docs/runtime-python.md; python_worker.cc is the other side.
//
//   argv: python3 -B -u -c <PythonWorkerScript()> <artifact_dir> <max_output_bytes>
//   fd 3: a Unix stream socket carrying frames both ways
//   fd 1, fd 2: user output (print, warnings, faulthandler), never frames
//
// A frame is one kind byte, an 8-byte big-endian payload length, the payload.
//
// Why embedded and run with -c rather than written to a file: there is no
// temporary file to create, clean up or have tampered with between writing
// and running, and the program always matches the binary that speaks to it.
//
// Thread-safety: constants only.
#ifndef ADS_RUNTIME_PYTHON_WORKER_SCRIPT_H_
#define ADS_RUNTIME_PYTHON_WORKER_SCRIPT_H_

namespace ads::runtime {

inline constexpr int kWorkerProtocolFd = 3;
inline constexpr int kFrameHeaderBytes = 9;

// server -> worker
inline constexpr char kFrameJsonRequest = 'J';   // body to json.loads, passed as `data`
inline constexpr char kFrameBytesRequest = 'B';  // body passed as `data` (bytes)
// worker -> server
inline constexpr char kFrameReady = 'R';       // load_model() returned
inline constexpr char kFrameLoadFailed = 'L';  // payload: the error text; the worker exits
inline constexpr char kFrameResult = 'O';      // payload: the JSON result
inline constexpr char kFrameException = 'E';   // payload: exception, traceback
inline constexpr char kFrameBadInput = 'I';    // payload: why the body is not JSON
inline constexpr char kFrameNotJson = 'N';     // payload: why the result is not JSON
inline constexpr char kFrameTooLarge = 'T';    // payload: the size and the limit

// The worker program's source text.
const char* PythonWorkerScript();

}  // namespace ads::runtime

#endif  // ADS_RUNTIME_PYTHON_WORKER_SCRIPT_H_
