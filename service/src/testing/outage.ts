import type { Database } from '@onestop/store';

/**
 * The real database behind an outage switch: while `down`, every call fails as it would with the
 * server gone, so tests can see what a process does through a database outage and after it.
 */
export function withOutage(db: Database): { db: Database; state: { down: boolean } } {
  const state = { down: false };
  const proxy = new Proxy(db, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      if (state.down)
        return () => {
          throw new Error('database unavailable (test outage)');
        };
      return v.bind(target);
    },
  });
  return { db: proxy, state };
}
