// Endpoints: a queue of threads all waiting to send or all waiting to receive (seL4 src/object/endpoint.c).
import type { TCB } from "./tcb.js";

export class Endpoint {
  readonly queue: TCB[] = [];
  /** Idle when the queue is empty; otherwise what every queued thread waits to do. */
  get state(): "Idle" | "Send" | "Recv" {
    const head = this.queue[0];
    if (head === undefined) return "Idle";
    return head.state === "BlockedOnSend" ? "Send" : "Recv";
  }
}
