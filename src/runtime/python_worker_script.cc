#include "runtime/python_worker_script.h"

namespace ads::runtime {
namespace {

// Notes on choices made inside the program:
// - The protocol socket is made non-inheritable so that os.system() or
//   subprocess calls in user code do not hand it to grandchildren.
// - Frames of the worker itself are dropped from tracebacks (they come from
//   "<string>"), so an error shows score.py's lines only.
// - A watchdog thread exits the worker when the server process is gone
//   (the parent id changes), so a hung worker does not outlive a killed server.
// - numpy and pandas are looked up in sys.modules, never imported: a worker
//   whose score.py does not use them does not pay for them.
// - predict() gets model= only when its signature can take it.
constexpr const char* kScript = R"PY(
import sys, os

def _ads_worker():
    import faulthandler, importlib.util, inspect, json, struct, threading, time, traceback
    proto = 3
    os.set_inheritable(proto, False)
    artifact_dir = sys.argv[1]
    max_output = int(sys.argv[2])
    faulthandler.enable()
    parent = os.getppid()

    def watchdog():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(70)
    threading.Thread(target=watchdog, name='ads-watchdog', daemon=True).start()

    def read_exact(n):
        buf = bytearray()
        while len(buf) < n:
            chunk = os.read(proto, min(n - len(buf), 1 << 20))
            if not chunk:
                os._exit(0)  # the server closed the connection
            buf += chunk
        return bytes(buf)

    def write_all(data):
        view = memoryview(data)
        while view:
            view = view[os.write(proto, view):]

    def send(kind, payload):
        if isinstance(payload, str):
            payload = payload.encode('utf-8', 'replace')
        write_all(struct.pack('>cQ', kind, len(payload)))
        write_all(payload)

    def describe(exc):
        summary = ''.join(traceback.format_exception_only(type(exc), exc)).strip()
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != '<string>']
        text = summary
        if frames:
            text += '\nTraceback (most recent call last):\n' + ''.join(
                traceback.format_list(frames[-6:])).rstrip()
        return text[-16000:]

    def to_json(o):
        np = sys.modules.get('numpy')
        if np is not None:
            if isinstance(o, np.ndarray):
                return o.tolist()
            if isinstance(o, np.generic):
                return o.item()
        pd = sys.modules.get('pandas')
        if pd is not None:
            if isinstance(o, pd.DataFrame):
                return o.values.tolist()
            if isinstance(o, pd.Series):
                return o.tolist()
        raise TypeError(f'Object of type {type(o).__name__} is not JSON serializable')

    def accepts_model(fn):
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            return True
        return 'model' in params or any(p.kind == p.VAR_KEYWORD for p in params.values())

    try:
        os.chdir(artifact_dir)
        sys.path.insert(0, artifact_dir)
        path = os.path.join(artifact_dir, 'score.py')
        spec = importlib.util.spec_from_file_location('score', path)
        score = importlib.util.module_from_spec(spec)
        sys.modules['score'] = score
        spec.loader.exec_module(score)
        if not callable(getattr(score, 'load_model', None)):
            raise AttributeError('score.py defines no load_model() function')
        predict = getattr(score, 'predict', None)
        if not callable(predict):
            raise AttributeError('score.py defines no predict(data, model) function')
        model = score.load_model()
        takes_model = accepts_model(predict)
    except BaseException as e:
        send(b'L', describe(e))
        return 1
    send(b'R', b'')

    while True:
        kind, size = struct.unpack('>cQ', read_exact(9))
        body = read_exact(size)
        data = body
        if kind == b'J':
            try:
                data = json.loads(body)
            except Exception as e:
                send(b'I', f'The request body is not valid JSON: {e}.')
                continue
        try:
            result = predict(data, model=model) if takes_model else predict(data)
        except BaseException as e:
            send(b'E', describe(e))
            continue
        finally:
            sys.stdout.flush()
        try:
            out = json.dumps(result, default=to_json).encode('utf-8')
        except Exception as e:
            send(b'N', f'The prediction result is not JSON serializable: {e}. predict() must '
                       'return dicts, lists, strings, numbers or numpy arrays and scalars.')
            continue
        if len(out) > max_output:
            send(b'T', f'The prediction result is {len(out)} bytes of JSON, over the limit of '
                       f'{max_output} bytes.')
            continue
        send(b'O', out)

sys.exit(_ads_worker())
)PY";

}  // namespace

const char* PythonWorkerScript() { return kScript; }

}  // namespace ads::runtime
