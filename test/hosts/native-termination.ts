/**
 * A host process for test/pool/native-termination.test.ts: it ends worker threads while they read ID
 * cards on onnxruntime-node (whose model runs are native calls inside the thread), by close() and by
 * the thread's own termination, at spread-out moments. Before the native-run gate this aborted the
 * process (SIGABRT, "terminate called after throwing an instance of 'Napi::Error'"); now it must print
 * each call's code and exit 0. argv[2]: 'close' or 'terminate'; argv[3]: how many rounds.
 */
import { readFileSync } from 'node:fs';
import { createVerifier, isVerifyError } from '../../src/index.js';
import { kSlots, type PoolThread } from '../../src/pool/pool.js';

const card = readFileSync(new URL('../../fixtures/cards/synthetic-portrait-person-a.jpg', import.meta.url));
const how = process.argv[2];
const rounds = Number(process.argv[3] ?? 4);
const codes: string[] = [];
for (let i = 0; i < rounds; i++) {
  const v = createVerifier({ workers: 1, onnxRuntime: 'node', preload: false });
  await v.ready();
  await v.readIdCard(card); // models loaded: the next read spends its time in model runs
  const reads = [v.readIdCard(card), v.readIdCard(card)].map((p) => p.then(() => 'read', (e: unknown) => (isVerifyError(e) ? e.code : String(e))));
  // Spread over the read (~0.4 s): detection, recognition and the portrait search are each hit.
  await new Promise((r) => setTimeout(r, 40 + ((i * 97) % 360)));
  if (how === 'close') await v.close();
  else {
    const [thread] = (v as unknown as { [kSlots]: PoolThread[] })[kSlots];
    await thread!.terminate();
  }
  codes.push(...(await Promise.all(reads)));
  await v.close();
}
console.log(JSON.stringify(codes));
