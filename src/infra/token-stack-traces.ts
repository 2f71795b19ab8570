/**
 * cdktf records a full stack trace for every token it creates (tokens/private/intrinsic.js), only to
 * name where an unresolvable token came from in an error message. For the ~14 stacks of a larger
 * repository that is about a tenth of `npm run synth` (issue 11's goal: at most 0.3 of `cdktf
 * synth`), and the synthesized JSON never contains it. So the renderer turns the capture off;
 * `npx cdktf synth|deploy` (cdktf.json) runs src/infra/main.ts, which does not, and keeps the
 * traces for debugging. cdktf is archived at 0.21.0 and pinned, so this private module stays put;
 * test/token-stack-traces.test.ts checks the override takes effect and changes no output.
 */
import { createRequire } from 'node:module';

interface StackTraceModule {
  captureStackTrace: (below?: unknown) => string[];
}

const cdktfRequire = createRequire(require.resolve('cdktf'));

/** Makes cdktf's token creation skip its stack-trace capture (idempotent). */
export function skipTokenStackTraces(): void {
  const module = cdktfRequire('./tokens/private/stack-trace.js') as StackTraceModule;
  module.captureStackTrace = () => [];
}
