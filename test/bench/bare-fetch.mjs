// The baseline for `gpt ask hi`: the same streamed request with fetch and nothing else.
const response = await fetch(`${process.env.OPENAI_BASE_URL}/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.OPENAI_API_KEY}` },
  body: JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  }),
});
let text = '';
const decoder = new TextDecoder();
for await (const bytes of response.body) {
  for (const line of decoder.decode(bytes, { stream: true }).split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    text += JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? '';
  }
}
process.stdout.write(`${text}\n`);
