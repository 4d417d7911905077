import { describe, expect, it } from 'vitest';
import { agentFiles, forAnotherPlatform } from './agent-files.js';

describe("the agent's files in a release", () => {
  it('leaves out prebuilt binaries of other systems and CPUs, keeps this one', () => {
    expect(forAnotherPlatform('bin/napi-v6/darwin/arm64/onnxruntime_binding.node', 'arm64')).toBe(true);
    expect(forAnotherPlatform('bin/napi-v6/win32/x64/onnxruntime.dll', 'x64')).toBe(true);
    expect(forAnotherPlatform('bin/napi-v6/linux/x64/libonnxruntime.so.1', 'arm64')).toBe(true);
    expect(forAnotherPlatform('bin/napi-v6/linux/arm64/libonnxruntime.so.1', 'arm64')).toBe(false);
    expect(forAnotherPlatform('prebuilds/linux-x64/node.napi.node', 'arm64')).toBe(true);
    expect(forAnotherPlatform('prebuilds/linux-arm64/node.napi.node', 'arm64')).toBe(false);
    // Names that only look like a platform stay.
    expect(forAnotherPlatform('lib/win32.js', 'x64')).toBe(false);
    expect(forAnotherPlatform('lib/linux/index.js', 'x64')).toBe(false);
  });

  it('is the built agent and its production closure, each where Node will resolve it', () => {
    const files = agentFiles(process.arch);
    const paths = new Set(files.map((f) => f.path));
    const has = (prefix: string) => [...paths].some((p) => p.startsWith(prefix));
    expect(has('node_modules/@onestop/edge-agent/dist/')).toBe(true);
    expect(paths.has('node_modules/@onestop/edge-agent/package.json')).toBe(true);
    expect(has('node_modules/@onestop/edge-agent/src/')).toBe(false);
    // Workspace dependencies, with what they publish, and their own nested installs.
    expect(has('node_modules/@onestop/protocol/dist/')).toBe(true);
    expect(has('node_modules/@onestop/release/node_modules/tar-stream/')).toBe(true);
    expect(has('node_modules/@onestop/models/onnx/')).toBe(true);
    expect(has('node_modules/@onestop/firmware-config/profiles/')).toBe(true);
    // A native addon as built here; never the dev tools.
    expect([...paths].some((p) => /^node_modules\/better-sqlite3\/build\/Release\/.*\.node$/.test(p))).toBe(
      true,
    );
    expect(has('node_modules/mqtt/')).toBe(true);
    expect(has('node_modules/aedes/')).toBe(false);
    expect(has('node_modules/esbuild/')).toBe(false);
    expect(has('node_modules/vitest/')).toBe(false);
    expect(has('node_modules/@onestop/store/')).toBe(false);
    expect([...paths].some((p) => /onnxruntime-node\/bin\/.*\/(darwin|win32)\//.test(p))).toBe(false);
    expect([...paths].some((p) => p.endsWith('.tsbuildinfo'))).toBe(false);
    expect(paths.size).toBe(files.length);
  });
});
