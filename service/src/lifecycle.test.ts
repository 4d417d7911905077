import { describe, expect, it } from 'vitest';
import { Lifecycle, StartError } from './lifecycle.js';

describe('Lifecycle', () => {
  it('stops parts in reverse order, each once, even when one stop fails', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    await life.start(
      'a',
      async () => 'A',
      () => void log.push('stop a'),
    );
    await life.start(
      'b',
      async () => 'B',
      () => {
        log.push('stop b');
        throw new Error('b will not stop');
      },
    );
    life.onStop('c', () => void log.push('stop c'));
    await Promise.all([life.stop(), life.stop()]);
    expect(log).toEqual(['stop c', 'stop b', 'stop a']);
  });

  it('names the part that failed and stops the ones already started', async () => {
    const log: string[] = [];
    const life = new Lifecycle();
    await life.start(
      'database',
      async () => 1,
      () => void log.push('database stopped'),
    );
    const err = await life
      .start(
        'broker',
        () => Promise.reject(new Error('port in use')),
        () => void log.push('never'),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartError);
    expect((err as StartError).part).toBe('broker');
    expect((err as Error).message).toBe('could not start the broker: port in use');
    expect(log).toEqual(['database stopped']);
  });

  it('keeps the inner part name of a nested lifecycle', async () => {
    const inner = new Lifecycle();
    const outer = new Lifecycle();
    const err = await outer
      .start(
        'core',
        () =>
          inner.start(
            'ingest',
            () => Promise.reject(new Error('refused')),
            () => {},
          ),
        () => {},
      )
      .catch((e: unknown) => e);
    expect((err as StartError).part).toBe('ingest');
  });
});
