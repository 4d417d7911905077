import type { Command } from 'commander';
import { formatTable } from '../table.js';

/** Cameras by the stable names to write in `camera.source`, like `hid list` for USB devices. */
export function registerCameraCommands(program: Command): void {
  program
    .command('camera')
    .description('cameras for the counter agent')
    .command('list')
    .description('cameras under /dev/v4l/by-id and by-path, with the /dev/video node each is now')
    .option('--json', 'one JSON array instead of a table')
    .action(async (o: { json?: boolean }) => {
      const { listCameras } = await import('@onestop/edge-agent');
      const rows = listCameras();
      if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0)
        process.stdout.write('no cameras under /dev/v4l (plugged in? a Pi camera module is rpicam:0)\n');
      else
        process.stdout.write(
          formatTable(
            ['SOURCE (camera.source)', 'NOW', 'BY'],
            rows.map((r) => [r.path, r.device, r.via]),
          ),
        );
    });
}
