// startWebServer in a process of its own, for the tests about what kills a server: prints its URL as one
// JSON line, serves until killed. argv: APP_DIR MODEL_DIR
import { startWebServer } from '../../src/server/serve';

startWebServer({ appDir: process.argv[2]!, modelDir: process.argv[3]! }).then(
  (server) => process.stdout.write(`${JSON.stringify({ url: server.url })}\n`),
  (err: Error) => {
    process.stderr.write(`server: ${err.message}\n`);
    process.exitCode = 1;
  },
);
