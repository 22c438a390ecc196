// The architecture of src/ as rules (npm run lint). Imports flow one way:
// bin -> main -> cli -> run/commands -> {core, llm, store, io, batch}; core imports only core.
// Each existing violation is listed once below as a KNOWN exception, so CI is green now
// and any new violation fails; delete an exception when its fix lands.

/** Violations that were there when the rules came: [rule, from, to] as exact paths. */
const KNOWN = [
  // none left
];

const exactly = (path) => `^${path.replace(/[.]/g, '\\.')}$`;
const asList = (value) => (value === undefined ? [] : [value].flat());

/** The rule, except for its known violations: each exact from -> to pair, and nothing else. */
function exceptKnown(rule) {
  const known = KNOWN.filter(([name]) => name === rule.name);
  const froms = [...new Set(known.map(([, from]) => from))];
  if (froms.length === 0) return [rule];
  const rest = { ...rule, from: { ...rule.from, pathNot: [...asList(rule.from.pathNot), ...froms.map(exactly)] } };
  return [
    rest,
    ...froms.map((from) => ({
      ...rule,
      from: { ...rule.from, path: exactly(from) },
      to: { ...rule.to, pathNot: [...asList(rule.to.pathNot), ...known.filter(([, f]) => f === from).map(([, , to]) => exactly(to))] },
    })),
  ];
}

const rules = [
  {
    name: 'no-cycles',
    severity: 'error',
    comment: 'Modules that import each other cannot be understood, tested or loaded one at a time.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'core-imports-only-core',
    severity: 'error',
    comment: 'src/core is pure: it imports only src/core and node: builtins.',
    from: { path: '^src/core/' },
    to: { pathNot: ['^src/core/'], dependencyTypesNot: ['core'] },
  },
  {
    name: 'only-llm-imports-openai',
    severity: 'error',
    comment: 'The SDK stays behind src/llm, so nothing else loads it or depends on its types.',
    from: { pathNot: '^src/llm/' },
    to: { path: '^node_modules/openai/' },
  },
  {
    name: 'sdk-loads-only-on-request',
    severity: 'error',
    comment:
      'Outside src/llm, the files that import openai are reached only by a dynamic import() or for types, so commands that make no request never load the SDK.',
    from: { pathNot: '^src/llm/' },
    to: { path: '^src/llm/(openai|openai-batch|errors)\\.ts$', dependencyTypesNot: ['dynamic-import', 'type-only', 'type-import'] },
  },
  {
    name: 'nothing-below-commands-imports-the-cli',
    severity: 'error',
    comment: 'core, llm, store, io, batch and usage are used by commands, never the reverse.',
    from: { path: '^src/(core|llm|store|io|batch|usage)/' },
    to: { path: ['^src/cli/', '^src/commands/', '^src/main\\.ts$', '^src/run\\.ts$', '^src/bin\\.ts$'] },
  },
  ...['io', 'store', 'llm', 'usage'].map((layer) => ({
    name: 'io-store-llm-are-independent',
    severity: 'error',
    comment: 'src/io, src/store, src/llm and src/usage (the price table and tokenizer, loaded on use) do not import each other: shared types live in src/core.',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/(io|store|llm|usage)/', pathNot: `^src/${layer}/` },
  })),
  {
    name: 'no-orphans',
    severity: 'error',
    comment: 'A module nothing imports is dead code (bin.ts is the entry).',
    from: { orphan: true, pathNot: ['^src/bin\\.ts$', '\\.d\\.ts$'] },
    to: {},
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: rules.flatMap(exceptKnown),
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
