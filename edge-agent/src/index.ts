export { type Agent, type AgentStateSnapshot, type StartAgentOptions, startAgent } from './agent/agent.js';
export type { RecordedEvent } from './agent/bus.js';
export { AgentBus, type AgentEventName, type AgentEvents } from './agent/bus.js';
export { cameraPerception } from './agent/camera.js';
export { type CameraEntry, listCameras, resolveCameraDevice } from './agent/camera-devices.js';
export { AGENT_VERSION, type AgentContext, type CameraStatus, type Extension } from './agent/context.js';
export { type PerceptionLike, VisitHistory } from './agent/extensions/perception-bridge.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export * from './counter/index.js';
export { encodeBootReport, parseBootReport } from './devices/boot-report.js';
export {
  configuredDevices,
  createHidInputs,
  createVirtualInputs,
  type VirtualInputs,
} from './devices/create-inputs.js';
export {
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
  loadNodeHidBackend,
} from './devices/hid-backend.js';
export {
  type DeviceSelector,
  HidDeviceError,
  type HidListing,
  listHidDevices,
  parseDeviceSelector,
} from './devices/hid-discovery.js';
export { HidCounterInputs, matchesDevice } from './devices/hid-inputs.js';
export { type LearnedPress, type LearnResult, type LearnStep, learnKeypad } from './devices/hid-learn.js';
export type { CounterInputs, HidStatus, InputEvent } from './devices/inputs.js';
export { RoleReader } from './devices/role-reader.js';
export { VirtualHidBackend, VirtualHidDevice } from './devices/virtual-hid.js';
export { agentUnit, BOARD, boardPaths, journaldDropIn, kioskAutostart, kioskUrl } from './install/board.js';
export { type CheckResult, formatDoctor, runDoctor, tcpReach, timeCheck } from './install/doctor.js';
export { applyInstall, type InstallPlan, planInstall } from './install/install.js';
export { type CommandResult, type CommandRunner, systemRunner } from './install/runner.js';
export { createKioskApp, type KioskDeps } from './kiosk/app.js';
export { KIOSK_TEXT, type Lang } from './kiosk/i18n.js';
export { buildView, type KioskView } from './kiosk/view.js';
export { runAgent } from './main.js';
export { Outbox, type OutboxEntry, OutboxFullError, type OutboxStats } from './outbox/outbox.js';
export { perceiveImages } from './perception-entry.js';
export {
  arrivalsPerHour,
  type DayOptions,
  OPENING_SESSIONS,
  sessionAt,
  workingDay,
} from './simulator/day.js';
export { type ScenarioStep, scenario } from './simulator/scenario.js';
export {
  type SimulatedCounter,
  type SimulatedCounterOptions,
  type SimulatedOfficer,
  startSimulatedCounter,
} from './simulator/simulated-counter.js';
export { connectNotify, type Notifier, watchdogIntervalMs } from './systemd/sd-notify.js';
export type { PublishOptions, Transport } from './transport/transport.js';
export {
  currentVersion,
  installLayout,
  LAUNCH_ENV,
  RELEASE_ENTRY,
  RELEASE_MODELS_DIR,
  releaseEntrySource,
  switchCurrent,
} from './update/layout.js';
export { releaseModelFiles } from './update/models.js';
