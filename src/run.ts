// The runtime: everything a command needs once the flags are parsed. main.ts imports
// it only when a command runs, so `gpt --version` and `gpt --help` do not evaluate it.
import type { CommonOptions } from './cli/options.js';
import type { Deps } from './commands/deps.js';
import type { BatchClient } from './llm/batch-client.js';
import type { ChatClient } from './llm/client.js';
import { reportError } from './io/report-error.js';
import type { Process } from './process.js';
import { errorOutput, folderDeps, runWith, type Command, type Stdout } from './run-folder.js';

/** Runs one command with its dependencies and returns its exit code; every error is reported here. */
export function runCommand(proc: Process, common: CommonOptions, command: Command<Deps>): Promise<number> {
  return runWith(proc, common, command, (signal, stdout) => createDeps(proc, common, signal, stdout));
}

/** Deps: the folder's, and the settings (flags, environment and config) and the API clients. */
async function createDeps(proc: Process, common: CommonOptions, signal: AbortSignal, stdout: Stdout): Promise<Deps> {
  const [{ loadConfigFile }, { resolveSettings }] = await Promise.all([import('./store/config-file.js'), import('./core/config.js')]);
  const base = await folderDeps(proc, common, signal, stdout);
  const { paths, warn } = base;
  const settings = resolveSettings(common.flags, proc.env, await loadConfigFile(paths.configFile, warn), paths.configFile);
  const log = common.verbose ? (line: string) => base.err(`gpt[debug]: ${line}\n`) : undefined;
  let client: Promise<ChatClient> | undefined;
  let batchClient: Promise<BatchClient> | undefined;
  return {
    ...base,
    settings,
    client: () =>
      (client ??= import('./llm/openai.js').then(({ createOpenAIClient }) =>
        createOpenAIClient({
          ...settings.connection,
          endpoint: settings.inForce.endpoint.value,
          capabilities: settings.inForce.capabilities,
          log,
          retryNotice: common.retryNotices === false ? undefined : warn,
        }),
      )),
    batchClient: () => (batchClient ??= import('./llm/openai-batch.js').then(({ createBatchClient }) => createBatchClient(settings.connection))),
    get stdin() {
      return proc.stdin; // created when a command reads it (see io/terminal.ts)
    },
    report: (error) => void reportError(error, errorOutput(proc, common, stdout, false)),
    showReasoning: common.showReasoning ?? false,
  };
}
