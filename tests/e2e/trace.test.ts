// Kernel events from real PD machine code: the story of a protected procedure call, a passive
// server's borrowed time, a fault and its report, told by the event stream.
import { describe, expect, test } from "vitest";
import { runSystem } from "../../emulator/system.js";
import type { KernelEvent } from "../../kernel/events.js";
import { microkitJson, slot } from "../kernel/harness.js";

const ENDPOINT_BADGE = 1n << BigInt(microkitJson()["badges"]["BADGE_ENDPOINT_BIT"] as number);

function events(systemFile: string, board: string): KernelEvent[] {
  const out: KernelEvent[] = [];
  runSystem({ systemFile, board, onEvent: (e) => out.push(e) });
  return out;
}

describe.each(["qemu_virt_aarch64", "qemu_virt_riscv64"])("kernel events on %s", (board) => {
  test("ppcall: Call, the transfer with the channel's badge, label and length, the caller waiting on its reply, the reply back", () => {
    const story = events("examples/ppcall/ppcall.system", board).flatMap((e): string[] => {
      if (e.type === "syscall" && (e.syscall === "seL4_SysCall" || e.syscall === "seL4_SysReplyRecv")) return [`${e.thread} ${e.syscall} cap ${e.cap}`];
      if (e.type === "ipc") return [`${e.kind} ${e.from} -> ${e.to} badge 0x${e.badge.toString(16)} label ${e.label} length ${e.length}`];
      if (e.type === "thread_state" && (e.to === "BlockedOnReply" || e.from === "BlockedOnReply" || e.from === "Inactive")) return [`${e.thread} ${e.from} -> ${e.to}`];
      return [];
    });
    // The client's end of the channel is id 0, the server's id 4: the server sees badge bit 63 | 4.
    const call = (mrs: number) => [
      `client seL4_SysCall cap ${slot("BASE_ENDPOINT_CAP")}`,
      `send client -> server badge 0x${(ENDPOINT_BADGE | 4n).toString(16)} label 7 length ${mrs}`,
      "client Restart -> BlockedOnReply",
      "server seL4_SysReplyRecv cap 1",
      // reply_remove unlinks the caller from the reply object, which leaves it Inactive until the
      // transfer is done (seL4 doReplyTransfer).
      "client BlockedOnReply -> Inactive",
      "reply server -> client badge 0x0 label 1 length 5",
      "client Inactive -> Running",
    ];
    expect(story).toEqual([...call(6), ...call(8)]);
  });

  test("passive: the client's scheduling context goes to the server with each call and comes back with the reply", () => {
    const donations = events("examples/passive/passive.system", board).flatMap((e) => (e.type === "sc_donated" ? [`${e.from ?? "-"} -> ${e.to ?? "notification"}`] : []));
    // After init the server hands its own SC back (the monitor unbinds it); then two calls on the
    // client's time, and a notification whose SC the server borrows and returns.
    expect(donations).toEqual(["client -> server", "server -> client", "client -> server", "server -> client", "- -> server", "server -> notification"]);
  });

  test("domains: the domain schedule's turns, 50 us each, and each PD chosen only in its own domain", () => {
    const all: KernelEvent[] = [];
    runSystem({ systemFile: "examples/domains/domains.system", board, stopAfterNs: 1_000_000n, onEvent: (e) => all.push(e) });
    const turns = all.flatMap((e) => (e.type === "domain" ? [e] : []));
    expect(turns.length).toBeGreaterThanOrEqual(6); // six turns, then both PDs are done and the system idles
    expect(turns.map((e) => e.domain)).toEqual(turns.map((_, i) => i % 2));
    expect(turns.every((e) => e.duration_ns === 50_000)).toBe(true);
    const gaps = turns.slice(1).map((e, i) => e.time_ns - turns[i]!.time_ns);
    // A slot ends at its deadline less the timer precision (1 us on RISC-V), or a little after it.
    expect(gaps.every((g) => g >= 48_000 && g < 52_000)).toBe(true);
    const chosen = all.flatMap((e) => (e.type === "schedule" && e.pd !== undefined ? [`${e.pd} ${e.domain}`] : []));
    expect(new Set(chosen)).toEqual(new Set(["low 0", "high 1"]));
  });

  test("faults: the crasher's VM fault is raised with its address, delivered to the monitor, and the crasher stopped", () => {
    const all = events("examples/faults/faults.system", board);
    const fault = all.find((e) => e.type === "fault");
    expect(fault).toMatchObject({ thread: "crasher", pd: "crasher", fault: "VMFault", handler: "endpoint", badge: 1n, details: { address: 0x10000000n, instruction: false } });
    const delivered = all.find((e) => e.type === "fault_delivered");
    expect(delivered).toMatchObject({ thread: "crasher", to: "monitor", badge: 1n });
    expect(delivered!.time_ns).toBeGreaterThanOrEqual(fault!.time_ns);
    expect(all.some((e) => e.type === "fault_reply")).toBe(false);
    // The monitor reports and waits again with the same reply object, which lets go of the crasher.
    const states = all.flatMap((e) => (e.type === "thread_state" && e.thread === "crasher" ? [`${e.from} -> ${e.to}`] : []));
    expect(states).toEqual(["Running -> BlockedOnReply", "BlockedOnReply -> Inactive"]);
    // Every event's time is a whole, non-decreasing number of nanoseconds.
    const times = all.map((e) => e.time_ns);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
