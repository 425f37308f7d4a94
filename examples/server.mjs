// A web server that checks uploaded ID photos: `node examples/server.mjs`, then
// `curl --data-binary @photo.jpg localhost:8080`. The models run on createVerifier's worker threads,
// so the server's own event loop stays free while photos are checked.
import { createServer } from 'node:http';
import { createVerifier, isVerifyError } from 'idphoto-verify';

const verifier = createVerifier(); // one worker a core, models loaded in each

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const result = await verifier.validatePhoto(Buffer.concat(chunks), { timeoutMs: 10_000 });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  } catch (error) {
    // QUEUE_FULL: busy, retry later; other codes: the upload is bad (INPUT_EMPTY, UNSUPPORTED_FORMAT, …).
    // The applicant is shown `messages` (Chinese and English); `message` and `details` stay in the log.
    if (!isVerifyError(error)) return res.writeHead(500).end();
    const status = error.code === 'QUEUE_FULL' ? 503 : 422;
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: error.code, messages: error.messages }));
  }
});
server.listen(Number(process.env.PORT ?? 8080), () => console.log(`listening on ${server.address().port}`));

process.once('SIGTERM', async () => {
  server.close();
  await verifier.close();
});
