// Parses Mermaid diagrams with Mermaid's own parser (the `mermaid` package, which needs a DOM:
// jsdom provides one). Run as a child process because mermaid is ESM-only and jest runs CommonJS.
// stdin: a JSON list of diagram sources; stdout: a JSON list of { ok, type } or { ok: false, error }.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const source of JSON.parse(input)) {
  try {
    const parsed = await mermaid.parse(source);
    results.push({ ok: true, type: parsed.diagramType });
  } catch (e) {
    results.push({ ok: false, error: String(e instanceof Error ? e.message : e).split('\n')[0] });
  }
}
process.stdout.write(JSON.stringify(results));
