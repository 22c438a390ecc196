// A minimal OpenAI-compatible chat server for benchmarks: answers every
// /chat/completions request (JSON or SSE) after a latency: fixed, or a function of the
// request's last message (for a few slow items among many).
import http from 'node:http';

const REPLY = 'The blue whale is the biggest animal in the world.';

export async function startBenchServer({ latencyMs = 0 } = {}) {
  let count = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const request = body ? JSON.parse(body) : {};
      const id = `req_${++count}`;
      const model = request.model ?? 'bench-model';
      const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
      const latency = typeof latencyMs === 'function' ? latencyMs(request.messages?.at(-1)?.content ?? '') : latencyMs;
      setTimeout(() => {
        if (!request.stream) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': id });
          res.end(
            JSON.stringify({
              id,
              object: 'chat.completion',
              created: 0,
              model,
              usage,
              choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
            }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': id });
        const chunk = (choices, extra = {}) => `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices, ...extra })}\n\n`;
        res.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
        res.write(chunk([{ index: 0, delta: { content: REPLY }, finish_reason: null }]));
        res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
        res.write(chunk([], { usage }));
        res.end('data: [DONE]\n\n');
      }, latency);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
