/** What the orchestrator tells a fleet process (a JSON file named by FLEET_SPEC). */
export interface CounterSpec {
  unitId: string;
  counterId: string;
  deviceId: string;
  username: string;
  password: string;
  officers: Array<{ id: string; name: string }>;
  dataDir: string;
  seed: number;
  /** A kiosk screen: negative ratings ask for reasons. */
  touch: boolean;
  /** A citizen camera: the real perception pipeline on the fleet's replayed photographs. */
  camera: boolean;
  /** Its broker, where the deployment has several (split); else the fleet process's. */
  mqttUrl?: string;
}

export interface WorkerSpec {
  index: number;
  mqttUrl: string;
  speed: number;
  /** The real instant (epoch ms) at which the simulated clock read `simStart`. */
  realStart: number;
  /** Simulated ms since midnight (Vietnam) at `realStart`, and where the simulation ends. */
  simStart: number;
  simEnd: number;
  negativeShare: number;
  /** The photographs camera counters replay (a folder), and at how many frames a second. */
  camera: { replayDir: string; fps: number } | null;
  /** Where recorded (`R id device channel ms`) and acknowledged (`A id ms`) lines go. */
  logFile: string;
  /** Device clock offsets in force (a restarted process keeps its counters' skew). */
  skews: Record<string, number>;
  counters: CounterSpec[];
}
