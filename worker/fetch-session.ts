// `orka worker fetch-session`, the session init container: GET the transcript (newest N messages)
// from the internal endpoint and write it where the worker reads it. A transcript that cannot be
// fetched leaves an empty file and a warning, as the reference's init container does: the Task
// then runs without history instead of not at all.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiClient, serviceAccountToken } from './api-client.ts';
import { apiSettings, type Env, taskIdentity, workerPaths } from './config.ts';
import { WorkerConfigError } from './errors.ts';
import { createLogger } from './log.ts';
import { Redactor, secretEnvValues } from './redact.ts';
import { DEFAULT_SESSION_MAX_MESSAGES, SESSION_TRANSCRIPT_FILE } from './session.ts';

export interface FetchSessionStreams {
  stderr: NodeJS.WritableStream;
  env: Env;
}

function maxMessages(env: Env): number {
  const raw = env.ORKA_SESSION_MAX_MESSAGES;
  if (raw === undefined || raw === '') return DEFAULT_SESSION_MAX_MESSAGES;
  if (!/^\d+$/.test(raw.trim())) {
    throw new WorkerConfigError(
      `invalid ORKA_SESSION_MAX_MESSAGES: expected an integer >= 0, got "${raw}"`,
    );
  }
  return Number(raw.trim());
}

/** Returns the exit code: 0 when a transcript file (maybe empty) was written, 2 on bad config. */
export async function fetchSession({ stderr, env }: FetchSessionStreams): Promise<number> {
  const log = createLogger(stderr);
  try {
    const task = taskIdentity(env);
    const session = env.ORKA_SESSION_NAME;
    if (!session) throw new WorkerConfigError('ORKA_SESSION_NAME is required');
    const api = apiSettings(env, task);
    if (!api.controllerUrl) throw new WorkerConfigError('ORKA_CONTROLLER_URL is required');
    const limit = maxMessages(env);
    const paths = workerPaths(env);
    const token = serviceAccountToken(paths.serviceAccountToken, env.ORKA_SA_TOKEN);
    const tokenValue = await token();
    log.setRedactor(new Redactor([...secretEnvValues(env), ...(tokenValue ? [tokenValue] : [])]));
    const client = new ApiClient({
      token,
      attempts: api.attempts,
      retryDelayMs: api.retryDelayMs,
      log,
    });
    const target = join(paths.session, SESSION_TRANSCRIPT_FILE);
    await mkdir(paths.session, { recursive: true });
    let body: Buffer;
    try {
      body = await client.transcript(api.controllerUrl, task, session, limit);
    } catch (error) {
      log.warn(
        `session ${task.namespace}/${session}: ${(error as Error).message}; continuing without history`,
      );
      body = Buffer.alloc(0);
    }
    // written whole or not at all: the worker never reads half a transcript
    await writeFile(`${target}.partial`, body);
    await rename(`${target}.partial`, target);
    log.info(`session ${task.namespace}/${session}: ${body.length} bytes of transcript written`);
    return 0;
  } catch (error) {
    log.warn((error as Error).message);
    return 2;
  }
}
