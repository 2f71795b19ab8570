// The renderer skips cdktf's per-token stack traces (src/infra/token-stack-traces.ts): the capture
// really stops, and the synthesized Terraform JSON is byte for byte the same.
import { Lazy, Tokenization } from 'cdktf';
import { skipTokenStackTraces } from '../src/infra/token-stack-traces';
import { set, synthStack, tdxData, aksData } from './infra-support';

it('tokens no longer record where they were created, and the Terraform JSON does not change', () => {
  const before = [synthStack(set(tdxData(), 'infrastructure/tdx/workers/count', 2)).text, synthStack(aksData(), 'aks-cvm').text];
  const traced = Lazy.stringValue({ produce: () => 'x' });
  skipTokenStackTraces();
  const untraced = Lazy.stringValue({ produce: () => 'x' });
  const creation = (token: string) => (Tokenization.reverseString(token).firstToken as { creationStack: string[] } | undefined)?.creationStack ?? [];
  expect(creation(traced).length).toBeGreaterThan(0);
  expect(creation(untraced)).toEqual([]);
  const after = [synthStack(set(tdxData(), 'infrastructure/tdx/workers/count', 2)).text, synthStack(aksData(), 'aks-cvm').text];
  expect(after).toEqual(before);
});
