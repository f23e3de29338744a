// Shared assertions for the stand-in's tests: the Status body a failed client-node call carried.
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';

export interface StatusBody {
  kind: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: Record<string, unknown>;
}

export async function rejectsWithStatus(
  call: Promise<unknown>,
  code: number,
  reason?: string,
): Promise<StatusBody> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
    assert.equal(e.code, code, `HTTP status; body: ${String(e.body)}`);
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as StatusBody;
    assert.equal(body.kind, 'Status');
    assert.equal(body.code, code);
    if (reason !== undefined) assert.equal(body.reason, reason);
    return body;
  }
  assert.fail(`expected the call to fail with ${code}`);
}
