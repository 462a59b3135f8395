// The kernel's ARMSMCCall reaching the board's secure firmware (KernelHost.smc): the firmware
// answers x0-x7; a power request stops the run (the one core stops); a board without a firmware
// model answers every call as SMCCC answers an unknown function, said once.
import type { BoardInstance, SmcAnswer } from "../boards/board.js";
import type { KernelHost } from "../kernel/kernel.js";

/** What a firmware power request does to the run: the one core stops, so the run ends. */
const POWER_OFF: Readonly<Record<NonNullable<SmcAnswer["power"]>, string>> = {
  "cpu-off": "CPU_OFF of the only core: the system stops",
  "system-off": "SYSTEM_OFF: the system is powered off",
  "system-reset": "SYSTEM_RESET: a reset is not emulated; the system stops",
};

export function firmwareSmc(board: string, devices: () => BoardInstance | undefined, report: (line: string) => void, halt: () => void): NonNullable<KernelHost["smc"]> {
  let unanswered = false;
  return (args) => {
    const firmware = devices()?.firmware;
    if (firmware === undefined) {
      if (!unanswered) report(`${board}: no secure firmware is modelled; SMC function 0x${args[0]!.toString(16)} (and any later) answered NOT_SUPPORTED`);
      unanswered = true;
      return undefined;
    }
    const answer = firmware.call(args);
    if (answer.power !== undefined) {
      report(`${firmware.name}: ${POWER_OFF[answer.power]}`);
      halt();
    }
    return answer.x;
  };
}
