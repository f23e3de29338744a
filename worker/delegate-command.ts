// `orka worker delegate`: what an agent runs to hand part of its work to another Agent. The child
// Task is a child of the worker's own Task (ORKA_TASK_NAME/NAMESPACE) and inherits its provenance
// on the API side. Exit 0 with the child's name (or object) on stdout; 1 when the delegation is
// refused (scope, token service, API); 2 when the environment or flags are unusable.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ApiClient, ApiError, serviceAccountToken } from './api-client.ts';
import { apiSettings, type Env, taskIdentity, workerPaths } from './config.ts';
import {
  childTaskName,
  DelegationError,
  exchangeChildToken,
  exchangeForm,
  exchangeSettings,
  subjectToken,
} from './delegation.ts';
import { WorkerConfigError } from './errors.ts';
import { createLogger } from './log.ts';
import { Redactor, secretEnvValues } from './redact.ts';

export interface DelegateOptions {
  agent: string;
  prompt: string;
  name: string;
  /** a JSON or YAML file with more fields of the child (the API's flat Task body) */
  file: string;
  output: 'name' | 'json';
}

export interface DelegateStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Env;
}

async function childBody(
  options: DelegateOptions,
  parent: string,
): Promise<Record<string, unknown>> {
  let fromFile: Record<string, unknown> = {};
  if (options.file) {
    const text = await readFile(options.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new WorkerConfigError(`--file ${options.file}: ${error.code ?? error.message}`);
    });
    const parsed: unknown = parseYaml(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new WorkerConfigError(`--file ${options.file}: expected a mapping of Task fields`);
    }
    fromFile = parsed as Record<string, unknown>;
  }
  const body: Record<string, unknown> = { type: 'agent', ...fromFile };
  if (options.name) body.name = options.name;
  body.name ??= childTaskName(parent);
  if (options.agent) body.agentRef = { name: options.agent };
  if (options.prompt) body.prompt = options.prompt;
  if (!(body.agentRef as { name?: unknown } | undefined)?.name) {
    throw new WorkerConfigError('--agent is required (or agentRef.name in --file)');
  }
  if (!body.prompt)
    throw new WorkerConfigError('a prompt is required: orka worker delegate --agent A "<prompt>"');
  return body;
}

export async function runDelegate(
  options: DelegateOptions,
  streams: DelegateStreams,
): Promise<number> {
  const { env } = streams;
  const log = createLogger(streams.stderr, new Redactor(secretEnvValues(env)));
  try {
    const parent = taskIdentity(env);
    const { controllerUrl, retryDelayMs, attempts } = apiSettings(env, parent);
    if (!controllerUrl) throw new WorkerConfigError('ORKA_CONTROLLER_URL is required');
    const token = serviceAccountToken(workerPaths(env).serviceAccountToken, env.ORKA_SA_TOKEN);
    const task = await childBody(options, parent.name);
    const request: Record<string, unknown> = { task };
    const exchange = exchangeSettings(env);
    if (exchange) {
      const subject = await subjectToken(env, exchange, token);
      log.setRedactor(new Redactor([...secretEnvValues(env), subject]));
      const form = exchangeForm(exchange, subject, {
        operation: 'delegateTask',
        parentTask: parent.name,
        namespace: parent.namespace,
        agent: (task.agentRef as { name: string }).name,
        ...(env.ORKA_TRANSACTION_ID ? { txn: env.ORKA_TRANSACTION_ID } : {}),
      });
      request.childScope = exchange.childScope;
      request.transactionToken = await exchangeChildToken(exchange, form);
      log.info(`exchanged a child token with scope "${exchange.childScope}"`);
    }
    const client = new ApiClient({ token, attempts, retryDelayMs, log });
    const created = await client.createChildTask(controllerUrl, parent, request);
    const name = (created.metadata as { name?: string } | undefined)?.name ?? String(task.name);
    log.info(`delegated to child task ${parent.namespace}/${name}`);
    streams.stdout.write(options.output === 'json' ? `${JSON.stringify(created)}\n` : `${name}\n`);
    return 0;
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      log.warn(error.message);
      return 2;
    }
    if (error instanceof DelegationError || error instanceof ApiError) {
      log.warn(`delegation refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
