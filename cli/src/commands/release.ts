import type { Command } from 'commander';

interface CreateOpts {
  version: string;
  key: string;
  out: string;
  agent?: boolean;
  models?: string;
  notes?: string;
}

/**
 * `onestop release keygen|create|verify`: signed releases of the agent and its models (issue 14).
 * The private key stays with whoever publishes; boards get the public key at pairing.
 */
export function registerReleaseCommands(program: Command): void {
  const release = program
    .command('release')
    .description('signed releases of the board agent and its models: make a key, build, verify');

  release
    .command('keygen')
    .description('make an Ed25519 release signing key pair (the private key file is mode 0600)')
    .requiredOption('--out <dir>', 'folder for release-key.pem (private) and release-key.pub.pem (public)')
    .action(async (o: { out: string }) => {
      const { releaseKeygen } = await import('../release/commands.js');
      for (const line of releaseKeygen(o.out)) process.stdout.write(`${line}\n`);
    });

  release
    .command('create')
    .description(
      "build a signed release bundle: the agent as built here (code and production dependencies for this machine's platform) and/or the models",
    )
    .requiredOption('--version <semver>', 'the release version, e.g. 1.4.0')
    .requiredOption('--key <file>', 'the private key from `release keygen`')
    .requiredOption('--out <file>', 'the bundle to write, e.g. onestop-agent-1.4.0.tar.gz')
    .option(
      '--agent',
      "the agent's code (build first: npm run build); on a machine of the boards' CPU and Node",
    )
    .option('--models <dir>', 'the ONNX models from this folder (with --agent and without: those it ships)')
    .option('--notes <text>', 'release notes for the console', '')
    .action(async (o: CreateOpts) => {
      const { releaseCreate } = await import('../release/commands.js');
      for (const line of await releaseCreate(o)) process.stdout.write(`${line}\n`);
    });

  release
    .command('verify')
    .description('check a bundle: exit 0 only when every byte is as signed by the given key')
    .argument('<file>', 'the bundle')
    .requiredOption('--pubkey <file>', 'the public key (release-key.pub.pem)')
    .action(async (file: string, o: { pubkey: string }) => {
      const { releaseVerify } = await import('../release/commands.js');
      const r = await releaseVerify(file, o.pubkey);
      if (r.ok) process.stdout.write(`${r.line}\n`);
      else {
        process.stderr.write(`onestop: refused: ${r.line}\n`);
        process.exitCode = 1;
      }
    });
}
