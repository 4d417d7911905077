/** The slice of node-hid the agent uses, so that virtual devices can stand in at this boundary. */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  product?: string | undefined;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  interface: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export interface HidHandle {
  on(event: 'data', fn: (raw: Buffer) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

/**
 * node-hid is loaded only when real devices are configured: it is an optional native module, and
 * a machine without libusb (CI, a dashboard host running the simulator) must still run the agent.
 */
export async function loadNodeHidBackend(opts: {
  grab: boolean;
  /** Told when grabbing is impossible here and the devices are shared instead. */
  onFallback?: (reason: string) => void;
}): Promise<HidBackend> {
  let mod: typeof import('node-hid');
  try {
    mod = await import('node-hid');
  } catch (e) {
    throw new Error(`node-hid is not available (${(e as Error).message}); install it or use virtual devices`);
  }
  const HID = (mod as { default?: typeof import('node-hid') }).default ?? mod;
  // On Linux the default hidraw backend reads beside the kernel's keyboard driver, so a keypad's
  // "1" would also reach the console or the kiosk browser. libusb detaches that driver for as
  // long as the device is open: the key presses belong to the agent alone.
  let grab = opts.grab;
  if (process.platform === 'linux') HID.setDriverType(grab ? 'libusb' : 'hidraw');
  return {
    devices: async () => {
      try {
        return await HID.devicesAsync();
      } catch (err) {
        if (!grab || process.platform !== 'linux') throw err;
        // No libusb access (missing udev rule, old board image): keep the keypad working through
        // hidraw, shared with the kernel, rather than lose every rating; say so loudly.
        grab = false;
        HID.setDriverType('hidraw');
        opts.onFallback?.(`libusb enumeration failed (${(err as Error).message})`);
        return HID.devicesAsync();
      }
    },
    open: async (path) => {
      // macOS: without nonExclusive the device is seized, the same intent as libusb on Linux.
      const h = await HID.HIDAsync.open(path, { nonExclusive: !grab });
      return {
        on: (event: 'data' | 'error', fn: (x: Buffer & Error) => void) => {
          h.on(event, fn);
        },
        close: () => h.close(),
      } as HidHandle;
    },
  };
}
