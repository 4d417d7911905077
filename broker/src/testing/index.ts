export { startTestBroker } from './test-broker.js';
