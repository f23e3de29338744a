// Who runs next (DESIGN §6, X2): with --max-tasks-per-namespace, free slots go to waiting Tasks
// by priority (higher first), then creation time, then name; a session serves one Task at a time,
// also in that order. A pure decision over a snapshot of the namespace.

export interface SlotCandidate {
  name: string;
  priority: number;
  /** RFC 3339 creation timestamp. */
  createdAt: string;
  /** The session the Task runs in, if any. */
  session?: string;
}

export interface SlotSnapshot {
  namespace: string;
  /** 0 means unlimited. */
  limit: number;
  /** Tasks holding a slot (their Job exists). */
  occupied: number;
  /** Tasks waiting for a slot, the deciding Task among them, in any order. */
  waiting: readonly SlotCandidate[];
  /** The Task holding each session's lock. */
  sessionHolder: (session: string) => string | undefined;
}

export type SlotDecision =
  | { granted: true }
  | { granted: false; reason: 'WaitingForSlot' | 'WaitingForSession'; message: string };

export function compareCandidates(a: SlotCandidate, b: SlotCandidate): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Whether `taskName` may take a slot (and its session) now, and if not, why. */
export function decideSlot(snapshot: SlotSnapshot, taskName: string): SlotDecision {
  const ordered = [...snapshot.waiting].sort(compareCandidates);
  const free =
    snapshot.limit > 0 ? Math.max(0, snapshot.limit - snapshot.occupied) : Number.POSITIVE_INFINITY;
  const sessionNext = new Map<string, string>();
  let granted = 0;
  for (const candidate of ordered) {
    const self = candidate.name === taskName;
    const session = candidate.session;
    if (session !== undefined) {
      const holder = snapshot.sessionHolder(session);
      const ahead = sessionNext.get(session);
      if (holder !== undefined && holder !== candidate.name) {
        if (self)
          return waitingForSession(snapshot.namespace, session, `is locked by task ${holder}`);
        continue;
      }
      if (holder === undefined && ahead !== undefined) {
        if (self)
          return waitingForSession(snapshot.namespace, session, `goes to task ${ahead} first`);
        continue;
      }
      sessionNext.set(session, candidate.name);
    }
    if (granted >= free) {
      if (!self) continue;
      return {
        granted: false,
        reason: 'WaitingForSlot',
        message:
          free === 0
            ? `waiting for a slot: ${snapshot.occupied} of ${snapshot.limit} Tasks in namespace "${snapshot.namespace}" are running`
            : `waiting for a slot: ${granted} Task(s) of higher priority or earlier creation go first`,
      };
    }
    if (self) return { granted: true };
    granted++;
  }
  throw new Error(`decideSlot: task ${taskName} is not among the waiting Tasks`);
}

function waitingForSession(namespace: string, session: string, why: string): SlotDecision {
  return {
    granted: false,
    reason: 'WaitingForSession',
    message: `waiting for session ${namespace}/${session}: it ${why}`,
  };
}
