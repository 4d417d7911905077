/**
 * The dashboard's authorization matrix, as data: for every route the app serves (method and path
 * pattern, as Hono's route table names it) the concrete path asked and the status each asker gets.
 * `authorization.test.ts` reads the route table off the app itself, so a route added without a row
 * here fails with "route X has no entry in the authorization matrix", and a row whose route is gone
 * fails too.
 *
 * The askers, in the order of every `expect` string:
 *
 *   anonymous  city  ward.own  ward.other  officer.own  officer.other  technician  token
 *
 * Every target is in unit A (trung-van; officer cb-lan; device `{device}` at counter q01; alert 1):
 * "own" is unit A's ward leader (lead.tv) or officer (lan), "other" unit B's (lead.ka, tam).
 * `token` is the city's API token (`Authorization: Bearer`), not a browser session.
 *
 * POSTs are same-origin form posts with an empty body: what they prove is whether the asker gets
 * past the gate. 401/403 (404 where a unit's things are not to be probed) is a refusal; anything
 * else (400 for the empty form, 303 done, 200 re-rendered) means let through. They act on spare
 * targets (`{spareDevice}` at q09, officer cb-spare, account tech.spare) so that nothing the other
 * rows read changes; columns are asked left to right, so a later column may find the spare already
 * acted on (e.g. 400 "already retired" after the city's 303).
 */
export const ASKERS = [
  'anonymous',
  'city',
  'ward.own',
  'ward.other',
  'officer.own',
  'officer.other',
  'technician',
  'token',
] as const;
export type Asker = (typeof ASKERS)[number];

export interface MatrixRow {
  /** The concrete path asked; `{device}`, `{spareDevice}` and `{asset}` are filled in by the test. */
  path: string;
  /** One status per asker, in `ASKERS` order, separated by spaces. */
  expect: string;
}

export const routeKey = (method: string, path: string) => `${method} ${path}`;

export function parseStatuses(row: MatrixRow): Record<Asker, number> {
  const statuses = row.expect.trim().split(/\s+/).map(Number);
  if (statuses.length !== ASKERS.length || statuses.some((s) => !Number.isInteger(s)))
    throw new Error(`matrix row ${row.path}: '${row.expect}' is not ${ASKERS.length} statuses`);
  return Object.fromEntries(ASKERS.map((a, i) => [a, statuses[i]])) as Record<Asker, number>;
}

export const AUTHORIZATION_MATRIX: Readonly<Record<string, MatrixRow>> = {
  // Public by design: health and metrics (counts only, for Prometheus), client modules (no data),
  // the citizens' comment form, sign-in, a board's pairing claim (its code is its proof; 503 here:
  // the fixture has no pairing endpoint) and the page a pairing QR code opens. Everyone gets the
  // same answer, signed in or not.
  //                                                             anon city w.own w.oth o.own o.oth tech token
  'GET /healthz': { path: '/healthz', expect: '200 200 200 200 200 200 200 200' },
  'GET /metrics': { path: '/metrics', expect: '200 200 200 200 200 200 200 200' },
  'GET /assets/:file': { path: '{asset}', expect: '200 200 200 200 200 200 200 200' },
  'GET /comment': { path: '/comment?unit=trung-van', expect: '200 200 200 200 200 200 200 200' },
  'GET /comment/status': { path: '/comment/status', expect: '200 200 200 200 200 200 200 200' },
  'POST /comment': { path: '/comment', expect: '400 400 400 400 400 400 400 400' },
  'POST /api/pair': { path: '/api/pair', expect: '503 503 503 503 503 503 503 503' },
  'GET /pair': { path: '/pair?code=ABCD-EFGH', expect: '200 200 200 200 200 200 200 200' },
  'GET /login': { path: '/login', expect: '200 200 200 200 200 200 200 200' },
  'POST /login': { path: '/login', expect: '400 400 400 400 400 400 400 400' },
  'GET /login/link': { path: '/login/link?token=x', expect: '200 200 200 200 200 200 200 200' },
  // A sign-in link with no valid token is refused for everyone alike.
  'POST /login/link': { path: '/login/link', expect: '401 401 401 401 401 401 401 401' },
  // Signing out ends the asker's own session (each asks with a session of its own).
  'POST /logout': { path: '/logout', expect: '303 303 303 303 303 303 303 303' },

  // The city's home; everyone else signed in is sent to their own home (303).
  'GET /': { path: '/', expect: '303 200 303 303 303 303 303 200' },
  // The city-wide figures and exports: the city only.
  'GET /report': { path: '/report', expect: '303 200 403 403 403 403 403 200' },
  // PDFs: 503 once through the gate, the fixture has no Chromium (pdf.test.ts prints real ones).
  'GET /report.pdf': { path: '/report.pdf', expect: '303 503 403 403 403 403 403 503' },
  'GET /units.csv': { path: '/units.csv', expect: '303 200 403 403 403 403 403 200' },
  'GET /units.xlsx': { path: '/units.xlsx', expect: '303 200 403 403 403 403 403 200' },
  'GET /audit': { path: '/audit', expect: '303 200 403 403 403 403 403 200' },

  // A unit's pages, under `unitScope`: the city and that unit's leader; another ward's leader,
  // officers (their own record only) and technicians are refused. Pages send the anonymous to sign
  // in (303), JSON under /api answers 401.
  'GET /units/:unitId': { path: '/units/trung-van', expect: '303 200 200 403 403 403 403 200' },
  'GET /units/:unitId/officers': {
    path: '/units/trung-van/officers',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/officers.csv': {
    path: '/units/trung-van/officers.csv',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/uncounted': {
    path: '/units/trung-van/uncounted',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/settings': {
    path: '/units/trung-van/settings',
    expect: '303 200 200 403 403 403 403 200',
  },
  // An empty form re-renders the settings page (200); the gate is what matters here.
  'POST /units/:unitId/settings': {
    path: '/units/trung-van/settings',
    expect: '401 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/roster': { path: '/units/trung-van/roster', expect: '303 200 200 403 403 403 403 200' },
  'POST /units/:unitId/roster': {
    path: '/units/trung-van/roster',
    expect: '401 400 400 403 403 403 403 400',
  },
  // The city retires the spare officer first (303); later askers let through find it retired (400).
  'POST /units/:unitId/roster/:officerId/retire': {
    path: '/units/trung-van/roster/cb-spare/retire',
    expect: '401 303 400 403 403 403 403 400',
  },
  'GET /units/:unitId/comments': {
    path: '/units/trung-van/comments',
    expect: '303 200 200 403 403 403 403 200',
  },
  'POST /units/:unitId/comments/:commentId/follow-up': {
    path: '/units/trung-van/comments/1/follow-up',
    expect: '401 400 400 403 403 403 403 400',
  },
  'GET /units/:unitId/counters/:counterId': {
    path: '/units/trung-van/counters/q01',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/report': { path: '/units/trung-van/report', expect: '303 200 200 403 403 403 403 200' },
  'GET /units/:unitId/report.pdf': {
    path: '/units/trung-van/report.pdf',
    expect: '303 503 503 403 403 403 403 503',
  },
  'GET /units/:unitId/ratings.csv': {
    path: '/units/trung-van/ratings.csv',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /units/:unitId/ratings.xlsx': {
    path: '/units/trung-van/ratings.xlsx',
    expect: '303 200 200 403 403 403 403 200',
  },
  'GET /api/units/:unitId/uncounted': {
    path: '/api/units/trung-van/uncounted',
    expect: '401 200 200 403 403 403 403 200',
  },
  'GET /api/units/:unitId/officers': {
    path: '/api/units/trung-van/officers',
    expect: '401 200 200 403 403 403 403 200',
  },
  'GET /api/units/:unitId/evaluation': {
    path: '/api/units/trung-van/evaluation',
    expect: '401 200 200 403 403 403 403 200',
  },
  // The list of units and the live feed: each leader sees the units they may (their own only).
  'GET /api/units': { path: '/api/units', expect: '401 200 200 200 403 403 403 200' },
  'GET /api/live': { path: '/api/live', expect: '401 200 200 200 403 403 403 200' },
  // Search across dossiers: leaders only (the empty query is a 400 once through the gate).
  'GET /search': { path: '/search', expect: '303 400 400 400 403 403 403 400' },

  // An officer's record: the officer themself, their unit's leader and the city; nobody else.
  'GET /officers/:officerId': { path: '/officers/cb-lan', expect: '303 200 200 403 200 403 403 200' },
  'GET /officers/:officerId/ratings': {
    path: '/officers/cb-lan/ratings',
    expect: '303 200 200 403 200 403 403 200',
  },
  // How the figures are computed: any signed-in person.
  'GET /cach-tinh': { path: '/cach-tinh', expect: '303 200 200 200 200 200 200 200' },

  // Devices and their alerts: the city, technicians and ward leaders (who see their own unit's
  // devices listed); never officers. Another ward's device or alert is not found (404) rather
  // than refused: device IDs are not to be probed.
  'GET /devices': { path: '/devices', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/:deviceId': { path: '/devices/{device}', expect: '303 200 200 404 403 403 200 200' },
  'GET /devices/fleet/summary': { path: '/devices/fleet/summary', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/fleet/live': { path: '/devices/fleet/live', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/alerts': { path: '/devices/alerts', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/alerts/hooks': { path: '/devices/alerts/hooks', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/alerts/:alertId': { path: '/devices/alerts/1', expect: '303 200 200 404 403 403 200 200' },
  'GET /api/devices': { path: '/api/devices', expect: '401 200 200 200 403 403 200 200' },
  'GET /api/alerts': { path: '/api/alerts', expect: '401 200 200 200 403 403 200 200' },

  // Acting on devices (provisioning, pairing, lifecycle, commands, settings, alert handling and
  // hooks): technicians and the city only; ward leaders look but do not touch.
  'GET /devices/add': { path: '/devices/add', expect: '303 200 403 403 403 403 200 200' },
  'POST /devices/add': { path: '/devices/add', expect: '401 400 403 403 403 403 400 400' },
  'POST /devices/pair-again': { path: '/devices/pair-again', expect: '401 400 403 403 403 403 400 400' },
  'POST /devices/alerts/hooks': { path: '/devices/alerts/hooks', expect: '401 400 403 403 403 403 400 400' },
  'POST /devices/alerts/:alertId/:action': {
    path: '/devices/alerts/1/acknowledge',
    expect: '401 400 403 403 403 403 400 400',
  },
  'GET /devices/:deviceId/lifecycle/:action': {
    path: '/devices/{device}/lifecycle/replace',
    expect: '303 200 403 403 403 403 200 200',
  },
  'POST /devices/:deviceId/lifecycle/:action': {
    path: '/devices/{spareDevice}/lifecycle/revoke',
    expect: '401 400 403 403 403 403 400 400',
  },
  // A replacement not done yet sends the asker back to its confirmation page (303).
  'GET /devices/:deviceId/lifecycle/:action/done': {
    path: '/devices/{device}/lifecycle/replace/done',
    expect: '303 303 403 403 403 403 303 303',
  },
  'GET /devices/:deviceId/credentials/:token': {
    path: `/devices/{device}/credentials/${'x'.repeat(24)}`,
    expect: '303 200 403 403 403 403 200 200',
  },
  'POST /devices/:deviceId/commands': {
    path: '/devices/{spareDevice}/commands',
    expect: '401 400 403 403 403 403 400 400',
  },
  // Settings from an empty form are the defaults, saved (303).
  'POST /devices/:deviceId/settings': {
    path: '/devices/{spareDevice}/settings',
    expect: '401 303 403 403 403 403 303 303',
  },
  'POST /devices/:deviceId/config': {
    path: '/devices/{spareDevice}/config',
    expect: '401 400 403 403 403 403 400 400',
  },

  // Accounts: the city (every role) and technicians (their teammates), in a browser only: an API
  // token, a long-lived secret in some program, must not create accounts or issue sign-in links.
  'GET /users': { path: '/users', expect: '303 200 403 403 403 403 200 403' },
  'GET /users/new': { path: '/users/new', expect: '303 200 403 403 403 403 200 403' },
  'POST /users': { path: '/users', expect: '401 400 403 403 403 403 400 403' },
  'POST /users/:username/:action': {
    path: '/users/tech.spare/disable',
    expect: '401 303 403 403 403 403 303 403',
  },

  // Fleet updates (docs/fleet-updates.md). Watching: whoever watches devices, a ward leader only
  // their own unit's rollouts (another unit's is "not found"). Acting (trusting keys, publishing,
  // rolling out): technicians and the city. The bundle route answers boards only, by their own
  // MQTT credentials (HTTP Basic): no staff session or token opens it.
  'GET /devices/releases': { path: '/devices/releases', expect: '303 200 200 200 403 403 200 200' },
  'GET /devices/rollouts/:rolloutId': {
    path: '/devices/rollouts/0193a0c2-8000-7000-8000-00000000dead',
    expect: '303 404 404 404 403 403 404 404',
  },
  'POST /devices/releases/keys': {
    path: '/devices/releases/keys',
    expect: '401 400 403 403 403 403 400 400',
  },
  'POST /devices/releases/keys/:keyId/remove': {
    path: '/devices/releases/keys/0000000000000000/remove',
    expect: '401 404 403 403 403 403 404 404',
  },
  'POST /devices/rollouts': { path: '/devices/rollouts', expect: '401 400 403 403 403 403 400 400' },
  'POST /devices/rollouts/:rolloutId/:action': {
    path: '/devices/rollouts/0193a0c2-8000-7000-8000-00000000dead/pause',
    expect: '401 404 403 403 403 403 404 404',
  },
  // Uploads: 503 once through the gate, the fixture keeps no releases folder.
  'POST /api/releases': { path: '/api/releases', expect: '401 503 403 403 403 403 503 503' },
  'GET /api/releases/:version/bundle': {
    path: '/api/releases/1.0.0/bundle',
    expect: '401 401 401 401 401 401 401 401',
  },
};
