import type { DeviceRole, KeyAction } from '@onestop/firmware-config';
import type { RatingScale } from '@onestop/protocol';

/** What counter devices report, whichever hardware (or simulation) sits behind them. */
export type InputEvent =
  | { type: 'keypad.press'; code: number; action: KeyAction | null; scale: RatingScale }
  | { type: 'scanner.scan'; text: string }
  | { type: 'badge.read'; id: string }
  | { type: 'device.connected'; role: DeviceRole; name: string | null }
  | { type: 'device.disconnected'; role: DeviceRole; reason: string }
  | { type: 'device.rejected'; role: DeviceRole; reason: string };

export interface HidStatus {
  role: DeviceRole;
  state: 'connected' | 'missing' | 'error' | 'virtual';
  name: string | null;
  rejectedReports: number;
}

export interface CounterInputs {
  start(onEvent: (e: InputEvent) => void): Promise<void>;
  status(): HidStatus[];
  stop(): Promise<void>;
}
