export { type Embedded, type EmbeddedOptions, startEmbedded } from './embedded.js';
