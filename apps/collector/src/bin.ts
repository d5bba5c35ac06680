import { setFlagsFromString } from 'node:v8';
import { EXIT_PROBLEMS, EXIT_USAGE, UsageError } from './cli/command-line';
import { main } from './main';

// One-shot commands (collect, import, check) are done in a few hundred milliseconds: optimising
// their hot loops with TurboFan, on a background thread, costs more CPU and memory than it
// saves. Nor do they gain from a young generation that grows: everything a collection builds
// survives until it is printed, so V8 doubles the semi-spaces after the first scavenges, for
// 1.9 MB more peak RSS (a third of what a collection adds to the runtime) and no CPU saved.
// The growth factor, unlike the semi-space size, is read when the heap grows, so it can be set
// here. `run` keeps both defaults: it repeats the same work every interval.
if (process.argv[2] !== 'run') {
  setFlagsFromString('--no-turbofan');
  setFlagsFromString('--semi-space-growth-factor=1');
}

// Entry point of the bundle: one line per error, exit codes 0 ok, 1 problems, 2 bad usage.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      process.stderr.write(`routescope-collector: ${message} (see "routescope-collector --help")\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`routescope-collector: ${message}\n`);
      process.exitCode = EXIT_PROBLEMS;
    }
  },
);
