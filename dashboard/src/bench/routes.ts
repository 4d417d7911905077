/**
 * THE list of what the dashboard benchmark times: one line per page or API route. A route added
 * to the dashboard (rankings, drill pages, monthly report, XLSX exports) is one more line here.
 * `as`: the account that opens it; `path`: the address for the benchmark's unit, officer and
 * search term; `periods`: whether it takes the report period query (timed for a day and a year).
 */
export interface BenchRoute {
  name: string;
  as: 'city' | 'ward' | 'officer';
  path: (t: BenchTarget) => string;
  periods: boolean;
}

/** What the routes are opened for: a seeded unit, one of its officers, a dossier to search. */
export interface BenchTarget {
  unitId: string;
  officerId: string;
  dossierId: string;
}

export const BENCH_ROUTES: readonly BenchRoute[] = [
  { name: 'city /', as: 'city', path: () => '/', periods: true },
  { name: 'ward /units/U', as: 'ward', path: (t) => `/units/${t.unitId}`, periods: true },
  { name: 'ward /units/U/officers', as: 'ward', path: (t) => `/units/${t.unitId}/officers`, periods: true },
  {
    name: 'ward /units/U/officers.csv',
    as: 'ward',
    path: (t) => `/units/${t.unitId}/officers.csv`,
    periods: true,
  },
  { name: 'ward /units/U/uncounted', as: 'ward', path: (t) => `/units/${t.unitId}/uncounted`, periods: true },
  { name: 'ward /units/U/comments', as: 'ward', path: (t) => `/units/${t.unitId}/comments`, periods: false },
  { name: 'ward /units/U/roster', as: 'ward', path: (t) => `/units/${t.unitId}/roster`, periods: false },
  {
    name: 'ward /search?q=dossier',
    as: 'ward',
    path: (t) => `/search?q=${encodeURIComponent(t.dossierId)}`,
    periods: false,
  },
  {
    name: 'city /search?q=dossier',
    as: 'city',
    path: (t) => `/search?q=${encodeURIComponent(t.dossierId)}`,
    periods: false,
  },
  { name: 'officer /officers/O', as: 'officer', path: (t) => `/officers/${t.officerId}`, periods: true },
  { name: 'ward /officers/O', as: 'ward', path: (t) => `/officers/${t.officerId}`, periods: true },
  { name: 'city /devices', as: 'city', path: () => '/devices', periods: false },
  { name: 'city /audit', as: 'city', path: () => '/audit', periods: false },
  { name: 'city /api/units', as: 'city', path: () => '/api/units', periods: true },
  {
    name: 'ward /api/units/U/officers',
    as: 'ward',
    path: (t) => `/api/units/${t.unitId}/officers`,
    periods: true,
  },
  {
    name: 'ward /api/units/U/evaluation',
    as: 'ward',
    path: (t) => `/api/units/${t.unitId}/evaluation`,
    periods: true,
  },
  {
    name: 'ward /api/units/U/uncounted',
    as: 'ward',
    path: (t) => `/api/units/${t.unitId}/uncounted`,
    periods: true,
  },
  { name: 'city /api/devices', as: 'city', path: () => '/api/devices', periods: false },
  { name: 'city /api/alerts', as: 'city', path: () => '/api/alerts', periods: false },
  { name: 'city /cach-tinh', as: 'city', path: () => '/cach-tinh', periods: false },
];
