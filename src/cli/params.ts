/**
 * `-p NAME VALUE` takes two values, which commander cannot express: it becomes
 * `--param NAME=VALUE` before the command line is parsed (a NAME never holds `=`).
 * Nothing after `--` is touched.
 */
export function pairParams(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if ((arg === '-p' || arg === '--param') && i + 2 < argv.length && !argv[i + 1]!.includes('=')) {
      out.push('--param', `${argv[i + 1]}=${argv[i + 2]}`);
      i += 2;
      continue;
    }
    out.push(arg);
  }
  return out;
}
