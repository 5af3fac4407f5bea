// The `ccl` command as bin/ccl.cjs runs it (main, then the exit code), for tests that need it as a process of
// its own; bundled from the sources by the test.
import { main } from '../../src/cli';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
