/**
 * A local stand-in for Bedrock on 127.0.0.1 (port 0) that records every request that reaches it and answers each
 * API with a minimal valid response. HTTP/2 without TLS (h2c) for the AWS SDK's default HTTP/2 handler, HTTP/1.1
 * for the OpenAI and Anthropic SDKs (undici fetch).
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Recorder {
  url: string;
  port: number;
  received: Received[];
  close(): Promise<void>;
}

function answer(path: string, body: Buffer): { status: number; type: string; payload: string } {
  const json = (v: unknown) => ({ status: 200, type: 'application/json', payload: JSON.stringify(v) });
  let model = 'model';
  try {
    const b = JSON.parse(body.toString('utf8')) as { model?: unknown };
    if (typeof b.model === 'string') model = b.model;
  } catch {
    // not JSON
  }
  if (/\/converse-stream$|\/invoke-with-response-stream$/.test(path)) return { status: 200, type: 'application/vnd.amazon.eventstream', payload: '' };
  if (path.endsWith('/converse')) {
    return json({
      output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      metrics: { latencyMs: 1 },
    });
  }
  if (path.endsWith('/invoke')) {
    return json({ id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', usage: { input_tokens: 1, output_tokens: 1 } });
  }
  if (path.endsWith('/chat/completions')) {
    return json({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
  }
  if (path.endsWith('/responses')) {
    return json({ id: 'resp_1', object: 'response', created_at: 0, status: 'completed', model, output: [], usage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 } });
  }
  if (path.endsWith('/messages')) {
    return json({ id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } });
  }
  return json({});
}

export async function startRecorder(protocol: 'http1' | 'h2c' = 'http1'): Promise<Recorder> {
  const received: Received[] = [];
  const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0]!;
      received.push({ method: req.method ?? '', path, headers: { ...req.headers }, body });
      const a = answer(path, body);
      res.writeHead(a.status, { 'content-type': a.type, 'x-amzn-requestid': 'req-1' });
      res.end(a.payload);
    });
  };
  const server = protocol === 'h2c' ? http2.createServer(onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sessions = new Set<http2.ServerHttp2Session>();
  if (protocol === 'h2c') (server as http2.Http2Server).on('session', (s) => sessions.add(s).size);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
