// DebugDumpScheduler (seL4 debug_dumpScheduler): the debug list newest first, the idle thread
// last; a domain column when the kernel has more than one domain; the release-queue column (MCS).
import { describe, expect, test } from "vitest";
import { cteDelete, insertOriginalCap } from "../../kernel/cspace.js";
import { dumpScheduler } from "../../kernel/debug-scheduler.js";
import { ARCHES, Sim } from "./harness.js";

describe.each(ARCHES)("the scheduler dump (%s)", (arch) => {
  test("each thread's name, state, restart pc, priority, domain and release-queue membership, in seL4's columns", () => {
    const sim = new Sim(arch);
    const a = sim.thread("first", { priority: 120 });
    const b = sim.thread("second", { priority: 7 });
    sim.k.tcbDebugAppend(a.tcb);
    sim.k.tcbDebugAppend(b.tcb);
    sim.start(a, b);
    b.tcb.domain = 3;
    b.tcb.inReleaseQueue = true;
    const lines = dumpScheduler(sim.k);
    const domains = sim.k.numDomains > 1;
    expect(lines[0]).toBe("Dumping all tcbs!");
    expect(lines[2]).toBe("-".repeat(domains ? 112 : 105));
    const cols = (l: string) => l.trimEnd().split(/ {3,}/);
    expect(cols(lines[1]!)).toEqual(["Name", "State", "IP", "Prio", ...(domains ? [" Dom"] : []), "InReleaseQueue"].map((c) => c.trim()));
    expect(lines[3]).toBe(`${"second".padEnd(40)}   ${"running".padEnd(16)}   ${`0x${b.tcb.restartPc.toString(16)}`.padEnd(18)}      7${domains ? "      3" : ""}   ${"yes".padEnd(14)}`);
    expect(cols(lines[4]!)).toEqual(["first", "running", `0x${a.tcb.restartPc.toString(16)}`, "120", ...(domains ? ["0"] : []), "no"]);
    expect(cols(lines[5]!).slice(0, 2)).toEqual(["idle_thread", "idle"]);
    expect(lines).toHaveLength(6);
  });

  test("a thread whose last cap is deleted leaves the list", () => {
    const sim = new Sim(arch);
    const a = sim.thread("gone");
    const holder = sim.thread("holder");
    sim.k.tcbDebugAppend(a.tcb);
    expect(dumpScheduler(sim.k).some((l) => l.startsWith("gone "))).toBe(true);
    insertOriginalCap({ cnode: holder.cnode, index: 5 }, { type: "tcb", object: a.tcb });
    cteDelete(sim.k, { cnode: holder.cnode, index: 5 });
    expect(dumpScheduler(sim.k).some((l) => l.startsWith("gone "))).toBe(false);
  });
});
