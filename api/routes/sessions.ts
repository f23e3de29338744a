// Sessions (reference §5.1): list, get with the transcript, delete.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { authorizeAction } from '../authz/index.ts';
import { type ApiDeps, callerOf, enforceAuthz, resolveRequestNamespace } from '../context.ts';
import { ApiError } from '../errors.ts';
import { NamespaceQuery } from '../schemas.ts';
import { sessionSummary, transcriptLine } from '../transcript.ts';

const SessionParams = Type.Object(
  { id: Type.String({ minLength: 1, description: 'Session name.' }) },
  { additionalProperties: false },
);

const SessionSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  namespace: Type.String(),
  sessionType: Type.String(),
  messageCount: Type.Integer(),
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  activeTask: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

type SessionRequest = { Params: { id: string }; Querystring: { namespace?: string } };

export function sessionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const namespaceFor = (
    request: Parameters<typeof resolveRequestNamespace>[1],
    explicit: string | undefined,
    action: string,
  ): string => {
    const namespace = resolveRequestNamespace(deps, request, explicit);
    enforceAuthz(
      deps,
      action,
      authorizeAction(deps.config.contextTokenAuthz, callerOf(request), action, namespace),
    );
    return namespace;
  };

  app.get<{ Querystring: { namespace?: string } }>(
    '/api/v1/sessions',
    {
      schema: {
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'List sessions',
          tags: ['sessions'],
          responses: {
            200: {
              description: 'Sessions ordered by name',
              schema: Type.Object({ items: Type.Array(SessionSummary), metadata: Type.Object({}) }),
            },
          },
        },
      },
    },
    async (request) => {
      const namespace = namespaceFor(request, request.query.namespace, 'listSessions');
      return { items: deps.store.sessions.list(namespace).map(sessionSummary), metadata: {} };
    },
  );

  app.get<SessionRequest>(
    '/api/v1/sessions/:id',
    {
      schema: {
        params: SessionParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'A session with its transcript (JSONL)',
          tags: ['sessions'],
          responses: {
            200: {
              description: 'The session',
              schema: Type.Object({
                name: Type.String(),
                namespace: Type.String(),
                transcript: Type.String(),
                messageCount: Type.Integer(),
                inputTokens: Type.Integer(),
                outputTokens: Type.Integer(),
                activeTask: Type.String(),
                createdAt: Type.String(),
                updatedAt: Type.String(),
              }),
            },
            404: { description: 'session not found' },
          },
        },
      },
    },
    async (request) => {
      const namespace = namespaceFor(request, request.query.namespace, 'getSession');
      const session = deps.store.sessions.get(namespace, request.params.id);
      if (session === undefined) throw new ApiError(404, 'session not found');
      const { id: _id, sessionType: _type, ...summary } = sessionSummary(session);
      const transcript = deps.store.sessions
        .loadTranscript(namespace, session.name)
        .map(transcriptLine)
        .join('\n');
      return { ...summary, transcript };
    },
  );

  app.delete<SessionRequest>(
    '/api/v1/sessions/:id',
    {
      schema: {
        params: SessionParams,
        querystring: NamespaceQuery,
        'x-doc': {
          summary: 'Delete a session and its transcript (204 also when it did not exist)',
          tags: ['sessions'],
          responses: { 204: { description: 'Deleted' } },
        },
      },
    },
    async (request, reply) => {
      const namespace = namespaceFor(request, request.query.namespace, 'deleteSession');
      deps.store.sessions.delete(namespace, request.params.id);
      return reply.code(204).send();
    },
  );
}
