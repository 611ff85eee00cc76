// The onnxruntime-node peer: Node's http server with one cluster worker per core, each
// holding an onnxruntime-node InferenceSession of the iris forest and answering
// POST /predict with {"prediction": [labels, probabilities]} as ads does.
//
//   node ort_server.js MODEL.onnx PORT WORKERS
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const [modelPath, port, workers] = process.argv.slice(2);

if (cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  cluster.on('exit', (w, code) => {
    console.error(`worker ${w.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const ort = require('onnxruntime-node');
  ort.InferenceSession.create(modelPath, {intraOpNumThreads: 1, interOpNumThreads: 1})
      .then((session) => {
        const server = http.createServer((req, res) => {
          const chunks = [];
          req.on('data', (c) => chunks.push(c));
          req.on('end', async () => {
            try {
              let rows = JSON.parse(Buffer.concat(chunks).toString());
              if (rows && !Array.isArray(rows) && rows.data) rows = rows.data;
              if (!Array.isArray(rows[0])) rows = [rows];
              const x = new Float32Array(rows.length * 4);
              rows.forEach((r, i) => x.set(r, i * 4));
              const out = await session.run({input: new ort.Tensor('float32', x, [rows.length, 4])});
              const labels = Array.from(out.label.data, Number);
              const p = out.probabilities.data;
              const probs = rows.map((_, i) => Array.from(p.subarray(i * 3, i * 3 + 3)));
              const body = JSON.stringify({prediction: [labels, probs]});
              res.writeHead(200, {'Content-Type': 'application/json'});
              res.end(body);
            } catch (e) {
              res.writeHead(400, {'Content-Type': 'application/json'});
              res.end(JSON.stringify({code: 'InvalidParameter', message: String(e)}));
            }
          });
        });
        server.keepAliveTimeout = 60000;
        server.listen(Number(port), '127.0.0.1');
      })
      .catch((e) => {
        console.error(e);
        process.exit(1);
      });
}
