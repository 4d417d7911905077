export type { ServiceRole } from './broker/acl.js';
export type { LoginLimits, ServiceCredential } from './broker/auth.js';
export { DEFAULT_LOGIN_LIMITS } from './broker/auth.js';
export { type RedisClusterOptions, redisCluster } from './broker/cluster.js';
export { DEFAULT_RATE_LIMIT, type RateLimit } from './broker/door.js';
export type { TlsListenerOptions, WsListenerOptions } from './broker/listeners.js';
export { REJECT_REASONS, type RejectReason } from './broker/reasons.js';
export { DASHBOARD_USERNAME, INGEST_USERNAME, serviceCredentials } from './broker/service-credentials.js';
export { type BrokerHandle, type BrokerOptions, startBroker } from './broker/start-broker.js';
