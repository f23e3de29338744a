// Worker endpoints (reference §5.1 `/internal/v1`): result and artifact upload, the session
// transcript, and appending to the transcript. TokenReview only; each request is bound to the
// worker's own Task. Bodies are read as raw bytes here, whatever their Content-Type.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DEFAULT_ARTIFACT_CONTENT_TYPE,
  MAX_ARTIFACT_BYTES,
  MAX_RESULT_BYTES,
  MESSAGE_ROLES,
  type NewMessage,
} from '../../store/index.ts';
import type { ApiDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { InternalTaskParams } from '../schemas.ts';
import { transcriptLine } from '../transcript.ts';
import { bindWorker } from '../worker-access.ts';

function rawBody(request: FastifyRequest): Buffer {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new ApiError(400, 'empty request body');
  return body;
}

/** Parses a raw JSON body before schema validation (the internal scope reads bytes). */
export async function parseJsonBody(request: FastifyRequest): Promise<void> {
  const bytes = rawBody(request);
  try {
    request.body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid request body: not valid JSON');
  }
}

const SessionParams = Type.Object(
  {
    namespace: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1, description: 'Session name.' }),
  },
  { additionalProperties: false },
);

const TaskQuery = Type.Object(
  {
    task: Type.Optional(
      Type.String({
        description: "The worker's Task (default: the Task its Pod is labelled with).",
      }),
    ),
  },
  { additionalProperties: false },
);

const MessagesBody = Type.Object(
  {
    messages: Type.Array(
      Type.Object(
        {
          role: Type.Unsafe<NewMessage['role']>({ type: 'string', enum: [...MESSAGE_ROLES] }),
          content: Type.String(),
          name: Type.Optional(Type.String()),
          input: Type.Optional(Type.Unknown()),
          toolCalls: Type.Optional(Type.Unknown()),
          toolCallId: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

function sessionOf(task: { spec?: Record<string, unknown> }): string {
  const sessionRef = task.spec?.sessionRef as { name?: unknown } | undefined;
  return typeof sessionRef?.name === 'string' ? sessionRef.name : '';
}

export function internalRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** The worker's own Task and the upload's bytes: 400 when empty, 413 over `maxBytes`. */
  const workerUpload = async (
    request: FastifyRequest<{ Params: { namespace: string; taskName: string } }>,
    maxBytes: number,
    tooLarge: string,
  ) => {
    const { namespace, taskName } = await bindWorker(
      deps,
      request,
      request.params.namespace,
      request.params.taskName,
    );
    const body = rawBody(request);
    if (body.length > maxBytes) throw new ApiError(413, tooLarge);
    return { namespace, taskName, body };
  };

  app.post<{ Params: { namespace: string; taskName: string } }>(
    '/internal/v1/results/:namespace/:taskName',
    {
      schema: {
        params: InternalTaskParams,
        'x-doc': {
          summary: "Submit the worker's result (stored verbatim, replaces an earlier one)",
          tags: ['internal'],
          security: 'serviceAccount',
          rawBody: 'application/octet-stream',
          responses: {
            204: { description: 'Stored' },
            400: { description: 'empty request body' },
            403: { description: "cross-namespace access denied (not this Task's worker)" },
            413: { description: 'result exceeds 10MB limit' },
          },
        },
      },
    },
    async (request, reply) => {
      const { namespace, taskName, body } = await workerUpload(
        request,
        MAX_RESULT_BYTES,
        'result exceeds 10MB limit',
      );
      deps.store.results.put(namespace, taskName, body);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { namespace: string; taskName: string; filename: string } }>(
    '/internal/v1/artifacts/:namespace/:taskName/:filename',
    {
      schema: {
        params: Type.Object(
          {
            namespace: Type.String({ minLength: 1 }),
            taskName: Type.String({ minLength: 1 }),
            filename: Type.String({ minLength: 1 }),
          },
          { additionalProperties: false },
        ),
        'x-doc': {
          summary: 'Upload an artifact (Content-Type stored; replaces a file of the same name)',
          tags: ['internal'],
          security: 'serviceAccount',
          rawBody: '*/*',
          responses: {
            201: { description: 'Stored' },
            400: { description: 'bad filename / empty request body' },
            403: { description: 'cross-namespace access denied' },
            413: { description: 'artifact exceeds 10MB limit' },
          },
        },
      },
    },
    async (request, reply) => {
      const { namespace, taskName, body } = await workerUpload(
        request,
        MAX_ARTIFACT_BYTES,
        'artifact exceeds 10MB limit',
      );
      const contentType = request.headers['content-type'] || DEFAULT_ARTIFACT_CONTENT_TYPE;
      deps.store.artifacts.put(namespace, taskName, request.params.filename, body, contentType);
      return reply.code(201).send();
    },
  );

  const boundToSession = async (
    request: FastifyRequest,
    namespace: string,
    session: string,
    task: string | undefined,
  ) => {
    const bound = await bindWorker(deps, request, namespace, task);
    if (sessionOf(bound.task) !== session) {
      throw new ApiError(403, `task "${bound.taskName}" does not use session "${session}"`);
    }
    return bound;
  };

  app.get<{
    Params: { namespace: string; name: string };
    Querystring: { task?: string; maxMessages?: string };
  }>(
    '/internal/v1/sessions/:namespace/:name/transcript',
    {
      schema: {
        params: SessionParams,
        querystring: Type.Object(
          {
            task: TaskQuery.properties.task,
            maxMessages: Type.Optional(
              Type.String({
                description: 'Only the newest N messages (in order); all when absent.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        'x-doc': {
          summary: "The session transcript as JSONL (the worker's session only)",
          tags: ['internal'],
          security: 'serviceAccount',
          responses: {
            200: { description: 'One JSON message per line', contentType: 'application/x-ndjson' },
            400: { description: 'maxMessages is not a positive integer' },
            403: { description: "not this session's worker" },
          },
        },
      },
    },
    async (request, reply) => {
      const { namespace, name } = request.params;
      const max = request.query.maxMessages;
      if (max !== undefined && !/^[1-9]\d{0,8}$/.test(max)) {
        throw new ApiError(
          400,
          `maxMessages must be a positive integer, got ${JSON.stringify(max)}`,
        );
      }
      await boundToSession(request, namespace, name, request.query.task);
      const messages = deps.store.sessions.loadTranscript(
        namespace,
        name,
        max === undefined ? {} : { maxMessages: Number(max) },
      );
      const body = messages.map((message) => `${transcriptLine(message)}\n`).join('');
      return reply.type('application/x-ndjson').send(body);
    },
  );

  app.post<{
    Params: { namespace: string; name: string };
    Querystring: { task?: string };
    Body: { messages: NewMessage[] };
  }>(
    '/internal/v1/sessions/:namespace/:name/messages',
    {
      preValidation: parseJsonBody,
      schema: {
        params: SessionParams,
        querystring: TaskQuery,
        body: MessagesBody,
        'x-doc': {
          summary: "Append messages to the transcript of the session the worker's Task holds",
          tags: ['internal'],
          security: 'serviceAccount',
          responses: {
            200: {
              description: "The session's new message count",
              schema: Type.Object({ messageCount: Type.Integer() }),
            },
            403: { description: "not this session's worker" },
            409: { description: 'the Task does not hold the session lock' },
          },
        },
      },
    },
    async (request) => {
      const { namespace, name } = request.params;
      const bound = await boundToSession(request, namespace, name, request.query.task);
      if (deps.store.locks.holder(namespace, name)?.taskName !== bound.taskName) {
        throw new ApiError(409, `session "${name}" is not locked by task "${bound.taskName}"`);
      }
      const messages = request.body.messages.map((message) => ({
        ...message,
        taskName: bound.taskName,
      }));
      return { messageCount: deps.store.sessions.appendMessages(namespace, name, messages) };
    },
  );
}
