/**
 * Model cards are generated with the models so that the sha256 they quote can never go stale.
 * Edit the text here, then run `npm run -w @onestop/models convert`.
 */

interface CardFacts {
  sha256: string;
  faceApiVersion: string;
  bytes: number;
}

const COMMON_LIMITS = `- Trained by the upstream authors on public web photographs; we did not retrain or re-evaluate it.
  Accuracy on Vietnamese citizens, the elderly, children, people with disabilities, masks, glasses,
  head coverings, strong back-light and low-resolution counter cameras is **unknown** and probably
  lower than on the training distribution. Treat every output as a noisy signal.
- Face analysis is biometric processing under Decree 13/2023/NĐ-CP and the 2025 Personal Data
  Protection Law: frames and crops must stay in memory on the counter device; only derived numbers
  may be published.`;

function detectorCard(f: CardFacts): string {
  return `# tiny_face_detector.onnx

| | |
|---|---|
| Source | \`@vladmandic/face-api@${f.faceApiVersion}\`, \`model/tiny_face_detector_model-weights_manifest.json\` + \`.bin\` (uint8-quantised tfjs weights) |
| Licence | MIT (face-api, © Vladimir Mandic; original face-api.js © Vincent Mühler) |
| Converter | \`models/src/tiny-face-detector.ts\` (\`npm run -w @onestop/models convert\`), ONNX IR 7, opset 13 |
| Size | ${f.bytes} bytes |
| sha256 | \`${f.sha256}\` |

## Architecture
Tiny YOLOv2 with depthwise-separable convolutions, face-api \`TinyYolov2Base.runMobilenet\`:
\`conv0\` 3×3 (3→16, valid padding) + leaky ReLU(0.1), then five blocks of
[pad 1, depthwise 3×3 + pointwise 1×1 + bias, leaky ReLU(0.1), max-pool 2×2 'same'] with 16→32→64→128→256→512
channels (pool stride 2, the last one stride 1), then \`conv8\` 1×1 512→25. Weights are dequantised
exactly as tfjs does (\`q·scale + min\` rounded once to float32); batch-norm is already folded into the
upstream weights. face-api's input normalisation \`(x − mean) / 255\` is folded into \`conv0\` (valid
padding, so every tap sees a real pixel): w′ = w / 255, b′ = b − Σ w·mean / 255, computed in float64
and rounded once; only float32 rounding changes (max raw-grid diff to face-api on the test photos
6.9e-5 instead of 5.0e-5).

## Inputs / outputs
- \`input\`: float32 NCHW \`[1, 3, S, S]\`, resized RGB in [0, 255], **not** normalised (see below). \`S\` is dynamic and must be divisible by 32:
  416 (face-api default), 320 or 224 (faster, for Raspberry Pi; small faces are lost first).
- \`grid\`: float32 NHWC \`[1, S/32, S/32, 25]\`: for every cell, 5 anchors × (tx, ty, tw, th, objectness),
  raw (before sigmoid/exp). This is exactly the tensor face-api's \`TinyFaceDetector.forward\` returns.

## Pre-processing (done by the caller, \`edge-agent/src/perception/preprocess.ts\`)
1. Pad the RGB image to a square with zeros at the **bottom/right**.
2. Resize to S×S with TF's legacy bilinear (\`align_corners=false\`, \`half_pixel_centers=false\`: source
   coordinate = destination × in/out), with every step in float32 as tfjs-wasm (XNNPACK) does it
   (WebAssembly SIMD kernels in \`resize-kernels.ts\`, bit-identical to a scalar float32 replay).
3. No normalisation: \`(x − [117.001, 114.697, 97.404]) / 255\` is folded into \`conv0\` (padding
   pixels are 0, which the folded bias maps to exactly what face-api's −mean/255 gives). Doing it in
   the resize loop cost ~20 % of the pre-processing time.

## Post-processing (\`edge-agent/src/perception/decode.ts\`)
For cell (row, col) and anchor a with anchors
\`(1.603231, 2.094468) (6.041143, 7.080126) (2.882459, 3.518061) (4.266906, 5.178857) (9.041765, 10.66308)\`:
score = σ(to); keep if score > 0.5; centre x = (col + σ(tx)) / G, y = (row + σ(ty)) / G, width = eᵗʷ·anchor_w / G,
height = eᵗʰ·anchor_h / G (G = S/32), all relative to the padded square, then corrected for the padding
and scaled to source pixels. Greedy NMS with IoU threshold 0.4 (a box is dropped when IoU > 0.4).

## Intended use
Finding frontal-ish faces of citizens and officers in front of a one-stop counter, on-device, to crop
them for the expression model and to decide whether an officer's seat is occupied.

## Known limits and biases
- Small faces are lost first as S shrinks (320/224); profile faces, occlusion and motion blur are
  often missed. Measure on the counter's own camera before relying on it.
- Not a recogniser: it says nothing about who a face belongs to.
${COMMON_LIMITS}
`;
}

function expressionCard(f: CardFacts): string {
  return `# face_expression.onnx

| | |
|---|---|
| Source | \`@vladmandic/face-api@${f.faceApiVersion}\`, \`model/face_expression_model-weights_manifest.json\` + \`.bin\` |
| Licence | MIT (face-api, © Vladimir Mandic; original face-api.js © Vincent Mühler) |
| Converter | \`models/src/face-expression.ts\` (\`npm run -w @onestop/models convert\`), ONNX IR 7, opset 13 |
| Size | ${f.bytes} bytes |
| sha256 | \`${f.sha256}\` |

## Architecture
face-api FaceExpressionNet: FaceFeatureExtractor (four dense blocks of 4 convolutions each; the first
convolution of block 0 is a plain 3×3 stride-2 conv, all others depthwise-separable; 'same' padding;
ReLU after residual sums; 32→64→128→256 channels; 112→56→28→14→7) then 7×7 average pool, fully
connected 256→7 and softmax.

## Inputs / outputs
- \`input\`: float32 NCHW \`[N, 3, 112, 112]\`, pre-processed RGB (batch N dynamic: all faces of a frame at once).
- \`logits\`: float32 \`[N, 7]\`; \`probabilities\`: float32 \`[N, 7]\` = softmax(logits).
- Class order: neutral, happy, sad, angry, fearful, disgusted, surprised.

## Pre-processing (caller)
1. Crop the detector box from the source image (box clipped to the image, coordinates floored, as
   face-api \`extractFaceTensors\`).
2. Pad the crop to a square with zeros split **evenly on both sides** of the short dimension (the
   larger half after), then resize to 112×112 with TF legacy bilinear (no half-pixel centres), in
   float32 as for the detector (\`edge-agent/src/perception/preprocess.ts\`).
3. Normalise: \`(x − [122.782, 117.001, 104.298]) / 255\` in float32 (done by the caller; not folded
   here because the first convolution uses 'same' padding, whose zeros must stay −mean/255).

## Graph note
face-api sums each dense block's residuals as out1 + (out2 + (out3 + out4)); the graph keeps running
sums ((out1 + out2) + out3) + out4 instead, so ONNX Runtime fuses every Add (and the block's last
ReLU) into the preceding pointwise convolution. Same terms, float32 rounding differs by a few ulps
(probabilities within 1e-6 of face-api).

## Intended use
An aggregate, anonymous signal of how citizens' faces look during and at the end of a visit, shown
next to (never mixed with) explicit keypad ratings, with its sample size and uncertainty.

## Known limits and biases
- **A facial expression is not satisfaction.** People smile out of politeness or nervousness, frown
  while reading, and many show a neutral face whatever they feel. Culture shapes display rules: a
  neutral or restrained face is common and polite in Vietnam and must not be read as discontent.
- Expression classifiers of this kind (trained on FER-style posed/web data) are known to perform
  unevenly across age, sex and skin tone and are rarely validated on Southeast Asian faces; "angry" and
  "sad" are over-predicted on some groups, and elderly faces are often read as sad or neutral.
- Single-frame outputs flicker; only aggregates over many frames and visits are meaningful. Never use
  them to judge an individual citizen, and never as the sole evidence against an officer.
- Never run on officers' faces (the edge agent only runs the detector on the officer side).
${COMMON_LIMITS}
`;
}

export function modelCard(name: 'tiny_face_detector' | 'face_expression', facts: CardFacts): string {
  return name === 'tiny_face_detector' ? detectorCard(facts) : expressionCard(facts);
}
