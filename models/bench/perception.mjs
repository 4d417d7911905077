// Perception benchmark: our ONNX Runtime pipeline vs @vladmandic/face-api on tfjs-wasm, on the same
// decoded 640x480 frames (1 face: skimage astronaut letterboxed; 5 faces: face-api demo sample5).
// Each engine runs in its own child process so its timings and peak RSS are not polluted by the
// other. Run after `npm run build`:  npm run bench:perception  [-- --iterations 30]
//
// Plain .mjs on purpose: it imports the built dist/ of models and edge-agent, so it needs no
// TypeScript loader at run time.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));
const perceptionDist = new URL('../../edge-agent/dist/perception/index.js', import.meta.url);
const modelsDist = new URL('../dist/index.js', import.meta.url);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const ITER = Number(opt('iterations', '30'));
const WARMUP = 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function frames() {
  const { default: sharp } = await import('sharp');
  const { fixtureImages } = await import(modelsDist.href);
  const fx = await fixtureImages();
  const one = async (file, fit) => {
    const { data, info } = await sharp(file)
      .resize(640, 480, { fit, background: { r: 0, g: 0, b: 0 } })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data), width: info.width, height: info.height };
  };
  return {
    single: await one(fx.astronaut, 'contain'),
    group: await one(
      fx.faceApiSamples.find((f) => f.endsWith('sample5.jpg')),
      'cover',
    ),
  };
}

async function timeLoop(run, img) {
  for (let i = 0; i < WARMUP; i++) await run(img);
  const ms = [];
  for (let i = 0; i < ITER; i++) {
    const t0 = performance.now();
    await run(img);
    ms.push(performance.now() - t0);
  }
  return ms;
}

/**
 * Child "compare": face-api and ORT (1 and 2 intra-op threads) in one process, interleaved
 * iteration by iteration, so background load on a shared machine hits all of them alike.
 */
async function compare() {
  const f = await frames();
  const { loadFaceApiReference } = await import(modelsDist.href);
  const { OrtBackend, PerceptionEngine, EXPRESSION_LABELS } = await import(perceptionDist.href);
  const ref = await loadFaceApiReference();
  const engines = {
    faceapi: (img) => ref.detectAll(img, 416),
    ort1: await ortRunner(1),
    ort2: await ortRunner(2),
  };
  async function ortRunner(threads) {
    const eng = new PerceptionEngine(
      await OrtBackend.create({ intraOpNumThreads: threads, fixedInputSize: 416 }),
    );
    const run = (img) => eng.analyse(img, { expressions: true });
    run.engine = eng;
    return run;
  }
  const out = {
    version: `face-api ${ref.faceApiVersion}, tfjs ${ref.tfjsVersion} wasm`,
    ms: {},
    outputs: {},
  };
  for (const [k, img] of Object.entries(f)) {
    out.ms[k] = { faceapi: [], ort1: [], ort2: [] };
    for (let i = 0; i < WARMUP + ITER; i++) {
      for (const [name, run] of Object.entries(engines)) {
        const t0 = performance.now();
        await run(img);
        if (i >= WARMUP) out.ms[k][name].push(performance.now() - t0);
      }
    }
    const eng = engines.ort1.engine;
    const res = await eng.analyse(img, { expressions: true });
    out.outputs[k] = {
      ref: { grid: Array.from((await ref.rawGrid(img, 416)).data), faces: await ref.detectAll(img, 416) },
      ort: {
        grid: Array.from((await eng.rawGrid(img)).data),
        faces: res.faces.map((x) => ({
          score: x.score,
          expressions: EXPRESSION_LABELS.map((l) => x.expressions[l]),
        })),
      },
    };
  }
  return out;
}

/** Child "worker": the agent's real path (frames transferred to the worker thread), 1 ORT thread. */
async function workerRun() {
  const f = await frames();
  const { PerceptionWorker } = await import(perceptionDist.href);
  const w = await PerceptionWorker.start({ intraOpNumThreads: 1 });
  const ms = {};
  for (const [k, img] of Object.entries(f))
    ms[k] = await timeLoop((i) => w.analyse(i, { expressions: true }), img);
  await w.close();
  return { ms };
}

/** Child "faceapi": face-api alone, only for its peak RSS. */
async function faceapiRun() {
  const f = await frames();
  const { loadFaceApiReference } = await import(modelsDist.href);
  const ref = await loadFaceApiReference();
  for (const img of Object.values(f)) for (let i = 0; i < 5; i++) await ref.detectAll(img, 416);
  return {};
}

async function child(mode) {
  const run = { compare, worker: workerRun, faceapi: faceapiRun }[mode];
  const out = await run();
  out.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(mode) {
  const stdout = execFileSync(process.execPath, [here, '--child', mode, '--iterations', String(ITER)], {
    cwd: root,
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(stdout.toString().trim().split('\n').pop());
}

function maxDiff(a, b) {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function main() {
  if (args.includes('--child')) return child(opt('child'));
  for (const u of [perceptionDist, modelsDist]) {
    if (!existsSync(fileURLToPath(u)))
      throw new Error(`${fileURLToPath(u)} missing: run \`npm run build\` first`);
  }
  const cmp = runChild('compare');
  const worker = runChild('worker');
  const faceapi = runChild('faceapi');
  const f = (x, d = 1) => x.toFixed(d);
  console.log(
    `reference: ${cmp.version}; ours: onnxruntime-node CPU; ${ITER} interleaved iterations after ${WARMUP} warm-up`,
  );
  console.log(
    '| frame (640x480) | face-api wasm ms | ORT 1 thread ms | ORT 2 threads ms | speed-up 1 thr | speed-up 2 thr | max abs diff grid | max abs diff expr |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  let parity = true;
  for (const k of ['single', 'group']) {
    const { ref, ort } = cmp.outputs[k];
    const gridDiff = maxDiff(ref.grid, ort.grid);
    const exprDiff =
      ref.faces.length === ort.faces.length
        ? Math.max(0, ...ref.faces.map((x, i) => maxDiff(x.expressions, ort.faces[i].expressions)))
        : Number.POSITIVE_INFINITY;
    parity &&= gridDiff < 1e-4 && exprDiff < 1e-4;
    const m = Object.fromEntries(Object.entries(cmp.ms[k]).map(([e, xs]) => [e, median(xs)]));
    const faces = `${ort.faces.length} face${ort.faces.length === 1 ? '' : 's'}`;
    console.log(
      `| ${k} (${faces}) | ${f(m.faceapi)} | ${f(m.ort1)} | ${f(m.ort2)} | ${f(m.faceapi / m.ort1)}x | ${f(m.faceapi / m.ort2)}x | ${gridDiff.toExponential(1)} | ${exprDiff.toExponential(1)} |`,
    );
  }
  const fps = (k) => 1000 / median(worker.ms[k]);
  console.log(
    `perception worker, 1 ORT thread: ${f(fps('single'))} frames/s (1 face), ${f(fps('group'))} frames/s (5 faces); peak RSS ${f(worker.maxRssMb, 0)} MB (whole process: Node + worker + ORT)`,
  );
  console.log(`face-api process peak RSS: ${f(faceapi.maxRssMb, 0)} MB`);
  console.log(`parity (max abs diff < 1e-4): ${parity ? 'yes' : 'NO'}`);
  if (!parity) process.exitCode = 1;
}

await main();
