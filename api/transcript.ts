// Session and transcript shapes on the wire (reference §5.1): RFC 3339 times, the JSONL transcript
// with `toolCallID` and `ts` as the reference writes them.
import type { Session, SessionMessage } from '../store/index.ts';

export function sessionSummary(session: Session) {
  return {
    id: session.name,
    name: session.name,
    namespace: session.namespace,
    sessionType: session.sessionType,
    messageCount: session.messageCount,
    inputTokens: session.inputTokens,
    outputTokens: session.outputTokens,
    activeTask: session.activeTask ?? '',
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

/** One transcript line (without its newline). */
export function transcriptLine(message: SessionMessage): string {
  return JSON.stringify({
    role: message.role,
    content: message.content,
    ...(message.name !== undefined ? { name: message.name } : {}),
    ...(message.input !== undefined ? { input: message.input } : {}),
    ...(message.toolCalls !== undefined ? { toolCalls: message.toolCalls } : {}),
    ...(message.toolCallId !== undefined ? { toolCallID: message.toolCallId } : {}),
    ts: message.createdAt,
  });
}
