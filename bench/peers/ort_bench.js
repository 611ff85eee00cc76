// Times onnxruntime-node on one model and input batch, measured in-process:
//
//   node bench/peers/ort_bench.js model.onnx --input input=batch.npy --threads 1 \
//       --iterations 200 [--warmup 20]
//
// Prints, last, the same line as `ads onnx bench`:
//   median_us=<float> rows_per_s=<float> iterations=<K> threads=<N>
// Inputs are .npy files (float32/float64/int64, C order). Each timing covers one
// session.run call, so it includes the JS/N-API overhead (~6 us per call).
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpy(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(path + ': not a .npy file');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', start - headerLen, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(path + ': Fortran order');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
      .split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const bytes = buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length);
  const types = {'<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
                 '<i8': ['int64', BigInt64Array]};
  if (!types[descr]) throw new Error(path + ': unsupported dtype ' + descr);
  const [type, Ctor] = types[descr];
  return new ort.Tensor(type, new Ctor(bytes.slice(0)), shape);
}

function parseArgs(argv) {
  const out = {inputs: {}, threads: 1, iterations: 100, warmup: 10};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--input') {
      const [name, file] = argv[++i].split('=');
      out.inputs[name] = file;
    } else if (a === '--threads') out.threads = Number(argv[++i]);
    else if (a === '--iterations') out.iterations = Number(argv[++i]);
    else if (a === '--warmup') out.warmup = Number(argv[++i]);
    else if (!out.model) out.model = a;
    else throw new Error('unexpected argument ' + a);
  }
  if (!out.model) throw new Error('usage: ort_bench.js MODEL --input NAME=FILE.npy ...');
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
  });
  const feeds = {};
  let rows = 1;
  for (const [name, file] of Object.entries(args.inputs)) {
    feeds[name] = readNpy(file);
    rows = feeds[name].dims.length ? feeds[name].dims[0] : 1;
  }
  for (let i = 0; i < args.warmup; ++i) await session.run(feeds);
  const us = [];
  for (let i = 0; i < args.iterations; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    us.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  us.sort((a, b) => a - b);
  const n = us.length;
  const median = n % 2 ? us[(n - 1) / 2] : (us[n / 2 - 1] + us[n / 2]) / 2;
  console.log(`median_us=${median.toFixed(3)} rows_per_s=${(rows * 1e6 / median).toFixed(1)} ` +
              `iterations=${args.iterations} threads=${args.threads}`);
}

main().catch((e) => {
  console.error('ort_bench: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
