// What `run` (a Microkit system) and `boot` (a root task) do alike with the board: create its
// devices on the machine's clock, reach them through a bus that reports each access as a kernel
// event, build the engines' address spaces over RAM and the device windows, and then connect the
// machine to the devices (exported system registers, console input, timed devices, interrupts).
import type { KernelAbi } from "../kernel/abi.js";
import { actor } from "../kernel/events.js";
import { handleInterrupt } from "../kernel/interrupt.js";
import type { Kernel, KernelHost } from "../kernel/kernel.js";
import type { Board, BoardInstance } from "../boards/board.js";
import type { SysregHandler } from "../boards/devices/arm-generic-timer.js";
import { RegisterDevice } from "../boards/devices/device.js";
import { DEBUG_CONSOLE, type Console } from "./console.js";
import { ConsoleInput } from "./console-input.js";
import type { Machine } from "./machine.js";
import { MmioBus } from "./mmio-bus.js";
import type { PhysicalMemory } from "./physical-memory.js";
import { UserError, type RunControls } from "./system.js";
import { EngineVSpaces } from "./vspaces.js";

export interface BoardEnvironment {
  readonly kernel: Kernel;
  readonly host: KernelHost;
  readonly memory: PhysicalMemory;
  readonly consoleOut: Console;
  readonly timerFrequencyHz: bigint;
  readonly maxIrq: number;
  /** Virtual time, once the machine exists. */
  readonly now: () => bigint;
}

/** The board's devices, the bus that reaches them, and the engines' address spaces. */
export function createBoard(board: Board, o: RunControls, env: BoardEnvironment): { devices: BoardInstance; bus: MmioBus; vspaces: EngineVSpaces } {
  const { kernel, host, memory } = env;
  const devices = board.create({
    timerFrequencyHz: env.timerFrequencyHz, maxIrq: env.maxIrq, clock: env.now,
    console: (source, byte) => env.consoleOut.put(source, byte),
    stray: (message) => host.debugPrint(`device: ${message}`),
    ...(o.disk === undefined ? {} : { disk: { bytes: o.disk, memory } }),
  });
  if (o.disk !== undefined && !devices.mmio.some((m) => m.device.name === "virtio-blk")) {
    throw new UserError(`--disk: the ${board.name} model has no virtio block device to attach it to (the QEMU boards have)`);
  }
  const bus = new MmioBus(devices.mmio);
  bus.observer = (device, offset, access, value) => {
    const cur = kernel.current;
    kernel.events?.emitAt(env.now(), {
      type: "mmio", ...(cur === undefined ? {} : actor(cur)), device: device.name,
      register: device.registerName(offset) ?? `0x${offset.toString(16)}`, access, value,
    });
  };
  // Device memory reaches its model at its physical address; a range no model covers stays
  // unmapped, so an access faults (the hardware would report an external abort there).
  const vspaces = new EngineVSpaces(board.arch, memory, { devices: { windows: bus.windows(), handler: (pa) => bus.handler(pa) }, diagnostic: host.debugPrint });
  return { devices, bus, vspaces };
}

/**
 * Connects the machine to the devices: the EL0 system registers given (the generic timer's the
 * configuration exports) and the PMU where KernelArmExportPMUUser exports it; console input for
 * the UART when the system drives it; the devices that act on virtual time; interrupt delivery.
 */
export function connectBoard(machine: Machine, devices: BoardInstance, o: RunControls, c: {
  readonly board: string; readonly abi: KernelAbi; readonly kernel: Kernel; readonly consoleOut: Console;
  readonly timerRegisters: readonly SysregHandler[]; readonly uartInUse: boolean;
}): void {
  machine.sysregs.add(c.timerRegisters);
  if (c.abi.kernelConfig["EXPORT_PMU_USER"] === true) machine.sysregs.add(devices.pmu ?? []);
  const knownSources = [DEBUG_CONSOLE, ...devices.uarts.map((u) => u.name)];
  if (o.console?.kind === "only" && !knownSources.includes(o.console.source)) {
    throw new UserError(`--console ${o.console.source}: no such console on ${c.board}; expected one of: labels, all, ${knownSources.join(", ")}`);
  }
  const uart = devices.uarts[0];
  if (o.input !== undefined && uart !== undefined && c.uartInUse) {
    const input = o.input;
    // Before waiting for the user, show what the system printed so far, prompt included.
    machine.input = new ConsoleInput(() => {
      c.consoleOut.flush();
      return input();
    }, uart);
  }
  // Only devices that act on virtual time need advancing (the rest inherit the no-op).
  machine.timed.push(...devices.timers, ...devices.mmio.map((d) => d.device).filter((d) => d.advance !== RegisterDevice.prototype.advance));
  const ic = devices.interrupts;
  const k = c.kernel;
  machine.interrupts = { take: () => ic.take(), deliver: (irq) => handleInterrupt(k, k.irqs, irq) };
}
