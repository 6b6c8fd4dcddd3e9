// `npm run bench:signals`: the long form of the randomised signal test. N runs (default 50) of
// `lab e2e` on the reference, each sent SIGINT, SIGTERM or SIGKILL at a random point of up,
// convergence, assertions or teardown, then `lab down`; prints each run and "N/N clean".
//   SIGNAL_TEST_SEED=<n>  replay a sequence (the seed is printed first)
//   --runs N              how many runs
//   --down all            `lab down --all` after each run (only where no one else's lab runs: it
//                         removes every kept lab); default `lab down --run <id>`
// Exit 0 only when every run was clean.
import { formatOutcome, plans, seedFromEnv, signalRun } from '../test/twin/signal-harness.ts';
import { twinUnavailable } from '../test/twin/support.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] ?? fallback : fallback;
};
const runs = Number(flag('--runs', '50'));
const down = flag('--down', 'run') === 'all' ? 'all' : 'run';
const why = twinUnavailable();
if (why) {
  process.stderr.write(`${why}\n`);
  process.exit(3);
}
const seed = seedFromEnv();
process.stdout.write(`signal test: ${runs} runs, seed ${seed} (replay: SIGNAL_TEST_SEED=${seed} npm run bench:signals), lab down --${down}\n`);
const t0 = Date.now();
let clean = 0;
const landed = new Map<string, number>();
for (const [i, plan] of plans(seed, runs).entries()) {
  const o = await signalRun(plan, { down });
  if (o.problems.length === 0) clean++;
  const key = `${plan.signal} in ${o.landed}`;
  landed.set(key, (landed.get(key) ?? 0) + 1);
  process.stdout.write(`${String(i + 1).padStart(3)}. ${formatOutcome(o)}\n`);
}
process.stdout.write(`\nwhere the signals landed: ${[...landed].sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n`);
process.stdout.write(`${clean}/${runs} clean (${((Date.now() - t0) / 1000).toFixed(0)} s, seed ${seed})\n`);
process.exitCode = clean === runs ? 0 : 1;
