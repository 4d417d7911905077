/**
 * HID keyboard usage IDs (USB HID Usage Tables, page 0x07) for the keys that counter devices
 * actually send. Profiles name keys ("F1", "KP_1", "1") so that a technician can write one without
 * looking up numbers; the decoder in the agent uses the same table, so both ends always agree.
 */
const letters = 'abcdefghijklmnopqrstuvwxyz';
const digitRow = '1234567890';

export const KEY_USAGES: Readonly<Record<string, number>> = (() => {
  const t: Record<string, number> = {};
  for (let i = 0; i < letters.length; i++) t[letters[i]!.toUpperCase()] = 0x04 + i;
  for (let i = 0; i < digitRow.length; i++) t[digitRow[i]!] = 0x1e + i;
  Object.assign(t, { ENTER: 0x28, ESC: 0x29, BACKSPACE: 0x2a, TAB: 0x2b, SPACE: 0x2c });
  for (let i = 1; i <= 12; i++) t[`F${i}`] = 0x3a + i - 1;
  for (let i = 1; i <= 9; i++) t[`KP_${i}`] = 0x59 + i - 1;
  Object.assign(t, {
    KP_0: 0x62,
    KP_DOT: 0x63,
    KP_ENTER: 0x58,
    KP_PLUS: 0x57,
    KP_MINUS: 0x56,
    KP_STAR: 0x55,
    KP_SLASH: 0x54,
  });
  Object.assign(t, {
    UP: 0x52,
    DOWN: 0x51,
    LEFT: 0x50,
    RIGHT: 0x4f,
    PAGE_UP: 0x4b,
    PAGE_DOWN: 0x4e,
    HOME: 0x4a,
    END: 0x4d,
  });
  return t;
})();

export const USAGE_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(KEY_USAGES).map(([name, code]) => [code, name]),
);

/** Characters a keyboard-wedge scanner or badge reader types: usage → [unshifted, shifted]. */
export const USAGE_CHARS: Readonly<Record<number, readonly [string, string]>> = (() => {
  const t: Record<number, readonly [string, string]> = {};
  for (let i = 0; i < letters.length; i++) t[0x04 + i] = [letters[i]!, letters[i]!.toUpperCase()];
  const shiftedDigits = '!@#$%^&*()';
  for (let i = 0; i < digitRow.length; i++) t[0x1e + i] = [digitRow[i]!, shiftedDigits[i]!];
  const punct: Array<[number, string, string]> = [
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x63, '.', '.'],
  ];
  for (const [u, a, b] of punct) t[u] = [a, b];
  for (let i = 1; i <= 9; i++) t[0x59 + i - 1] = [String(i), String(i)];
  t[0x62] = ['0', '0'];
  return t;
})();

/** Usage IDs that end a scanned line (Enter on the main block or on the keypad, Tab on some scanners). */
export const LINE_END_USAGES: ReadonlySet<number> = new Set([0x28, 0x58]);

/** "F1", "kp_1", "0x3A" or "58" → usage ID, or null when the name is unknown. */
export function resolveKeyName(name: string): number | null {
  const upper = name.trim().toUpperCase();
  const named = KEY_USAGES[upper];
  if (named !== undefined) return named;
  if (/^0X[0-9A-F]{1,2}$/.test(upper)) return Number.parseInt(upper.slice(2), 16);
  return null;
}
