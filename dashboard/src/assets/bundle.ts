import { clientBundle, contentHash } from '@onestop/client-bundle';

/**
 * The dashboard's browser modules (`src/client/`), bundled by `@onestop/client-bundle`: written
 * to dist/assets by `npm run build`, bundled from sources under vitest and tsx.
 */
const fromSources = import.meta.url.endsWith('.ts');

/** One module of `src/client/` by its file name. */
const dashboardModule = (name: string) =>
  clientBundle({
    name: `dashboard ${name} client`,
    entry: fromSources
      ? new URL(`../client/${name}.ts`, import.meta.url)
      : new URL(`../../src/client/${name}.ts`, import.meta.url),
    built: new URL(`./${name}.js`, import.meta.url),
    fromSources,
    // Phones and laptops of ward staff: browsers of the last few years.
    target: ['chrome100', 'firefox100', 'safari15'],
  });

const unitLive = dashboardModule('unit-live');
const fleetLive = dashboardModule('fleet-live');

export interface Asset {
  /** The content-hashed URL (`/assets/unit-live.<hash>.js`). */
  path: string;
  script: string;
}

/**
 * A module and its content-hashed URL, computed once per process (a failed bundling is tried
 * again on the next ask).
 */
function servedAs(name: string, bundle: typeof unitLive): () => Promise<Asset> {
  let asset: Promise<Asset> | null = null;
  return () => {
    asset ??= bundle.script().then(
      (script) => ({ path: `/assets/${name}.${contentHash(script)}.js`, script }),
      (e: unknown) => {
        asset = null;
        throw e;
      },
    );
    return asset;
  };
}

/** The unit page's live-update module and its URL. */
export const unitLiveAsset = servedAs('unit-live', unitLive);
/** The devices page's live fleet-summary module and its URL. */
export const fleetLiveAsset = servedAs('fleet-live', fleetLive);

/** Every client module the dashboard serves under /assets. */
export const clientAssets = () => Promise.all([unitLiveAsset(), fleetLiveAsset()]);

/** Build step: writes every client module into dist/assets. Returns the files written. */
export async function writeClientModules(): Promise<string[]> {
  return [await unitLive.write(), await fleetLive.write()];
}
