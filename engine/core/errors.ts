// Errors the CLI reports as clean messages (no stack trace): the message names what, where, and what was expected.

/** The workflow is invalid; nothing was run. `problems` each name the node id and param/port path. */
export class WorkflowError extends Error {
  constructor(readonly file: string, readonly problems: string[]) {
    super(`${file}: invalid workflow:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WorkflowError';
  }
}

/** The command cannot run as asked (e.g. an unwritable --out or --cache); nothing was computed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A node failed while running. */
export class NodeError extends Error {
  constructor(readonly nodeId: string, readonly nodeType: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`node '${nodeId}' (${nodeType}) failed: ${reason}`, options);
    this.name = 'NodeError';
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
