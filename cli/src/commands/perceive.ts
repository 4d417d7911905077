import { accessSync, constants } from 'node:fs';
import type { Command } from 'commander';
import { parsePositiveInt, UsageError } from '../errors.js';

export function registerPerceiveCommand(program: Command): void {
  program
    .command('perceive')
    .description('detect faces and estimate expressions on image files, on this machine only')
    .argument('<images...>', 'JPEG or PNG files')
    .option('--json', 'print the result as indented JSON')
    .option('--threads <n>', 'inference threads', parsePositiveInt('--threads', 64), 1)
    .action(async (images: string[], o: { json?: boolean; threads: number }) => {
      for (const file of images) {
        try {
          accessSync(file, constants.R_OK);
        } catch {
          throw new UsageError(`${file}: no such readable file`);
        }
      }
      const { perceiveImages } = await import('@onestop/edge-agent');
      const results = await perceiveImages(images, { intraOpNumThreads: Math.max(1, o.threads) }).catch(
        (err: unknown) => {
          const msg = String((err as Error).message ?? err);
          // sharp's words for a file that is not an image it can decode.
          if (/unsupported image format|corrupt|premature end|bad seek/i.test(msg)) {
            throw new UsageError(`not a readable JPEG or PNG image: ${msg}`);
          }
          throw err;
        },
      );
      process.stdout.write(`${JSON.stringify(results, null, o.json ? 2 : undefined)}\n`);
    });
}
