export { createDashboardApp, type DashboardDeps, type PartsHealth } from './app.js';
export { LiveRatingFeed } from './live/feed.js';
export type { PairingEndpoint } from './pairing/claim.js';
export { type PublishOutcome, publishReleaseFile, releasesDirOf } from './releases/publish.js';
export { type DashboardOptions, type RunningDashboard, startDashboard } from './server.js';
