// A local stand-in for the Anthropic Messages API, enough for one agent turn of a real Claude Code
// CLI: `POST /v1/messages` answers every request with one text reply, streamed as SSE when asked
// (`"stream": true`) and as a JSON message otherwise; `count_tokens` gets a count. Every request
// is recorded (path, API key header, parsed body) so tests can assert what the CLI sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedModelRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  authorization: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: the Messages API body is read field by field
  body: any;
}

export interface AnthropicStandin {
  url: string;
  requests: RecordedModelRequest[];
  /** the text of every reply */
  reply: string;
  stop(): Promise<void>;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function streamed(model: string, text: string): string {
  const usage = { input_tokens: 12, output_tokens: 1 };
  return [
    sse('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_standin',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    }),
    sse('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    sse('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text },
    }),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    }),
    sse('message_stop', { type: 'message_stop' }),
  ].join('');
}

export async function startAnthropicStandin(reply: string): Promise<AnthropicStandin> {
  const requests: RecordedModelRequest[] = [];
  const standin: AnthropicStandin = {
    url: '',
    requests,
    reply,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({
        method: req.method ?? '',
        path,
        apiKey: req.headers['x-api-key'] as string | undefined,
        authorization: req.headers.authorization,
        body,
      });
      const request = (body ?? {}) as { model?: string; stream?: boolean };
      if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ input_tokens: 12 }));
        return;
      }
      if (req.method === 'POST' && path === '/v1/messages') {
        const model = request.model ?? 'unknown';
        if (request.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.end(streamed(model, standin.reply));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'msg_standin',
            type: 'message',
            role: 'assistant',
            model,
            content: [{ type: 'text', text: standin.reply }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            usage: { input_tokens: 12, output_tokens: 5 },
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: path } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  standin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return standin;
}
