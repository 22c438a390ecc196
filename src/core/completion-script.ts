// The shell completion scripts printed by `gpt completion SHELL`, written from a description
// of the command line (see cli/completion.ts). Subcommands, flags and fixed choices are in
// the script, so most Tabs start no process; thread names, models and the like are asked of
// `gpt __complete KIND`, which reads a folder or a cache file and never calls the API.

/** What completes a value: a dynamic list from `gpt __complete`, fixed choices, file names, or nothing. */
export type ValueKind = { dynamic: DynamicKind } | { choices: readonly string[] } | 'files' | 'text';

/** The lists `gpt __complete KIND` prints. */
export const DYNAMIC_KINDS = ['threads', 'models', 'profiles', 'templates'] as const;
export type DynamicKind = (typeof DYNAMIC_KINDS)[number];

/** One command (or alias) as completion sees it. */
export interface CommandSpec {
  /** Words after `gpt`: '' for gpt itself, 'thread show'. */
  path: string;
  subcommands: string[];
  /** Every spelling of every flag: --model, -m. */
  flags: string[];
  /** The flags that take a value, and what completes it. */
  values: Record<string, ValueKind>;
  /** What completes its positional arguments. */
  args: ValueKind;
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

/** A kind as one word in the script: threads, choices:a b c, files, text. */
function kindWord(kind: ValueKind): string {
  if (typeof kind === 'string') return kind;
  return 'dynamic' in kind ? kind.dynamic : `choices:${kind.choices.join(' ')}`;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The tables as functions of sh syntax, which bash and zsh read alike. */
function shTables(specs: readonly CommandSpec[]): string {
  const cases = (name: string, subject: string, arms: [string[], string][]) =>
    `${name}() {\n  case ${subject} in\n${arms
      .filter(([patterns]) => patterns.length > 0)
      .map(([patterns, body]) => `    ${patterns.map(quote).join('|')}) ${body} ;;\n`)
      .join('')}  esac\n  return 1\n}\n`;
  const lines = (words: string[]) => `printf '%s\\n' ${words.map(quote).join(' ')}`;
  return [
    cases('_gpt_is_path', '"$1"', [[specs.filter((s) => s.path).map((s) => s.path), 'return 0']]),
    cases(
      '_gpt_subcommands',
      '"$1"',
      specs.filter((s) => s.subcommands.length).map((s) => [[s.path], lines(s.subcommands)]),
    ),
    cases(
      '_gpt_flags',
      '"$1"',
      specs.map((s) => [[s.path], lines(s.flags)]),
    ),
    cases('_gpt_value_kind', '"$1|$2"', valueArms(specs)),
    cases('_gpt_arg_kind', '"$1"', argArms(specs)),
  ].join('\n');
}

/** `command|flag` -> the kind of the flag's value, for every flag that takes one. */
const valueArms = (specs: readonly CommandSpec[]) => byKind(specs, (s) => Object.entries(s.values).map(([flag, kind]) => [`${s.path}|${flag}`, kind]));
/** `command` -> the kind of its positional arguments, where something completes them. */
const argArms = (specs: readonly CommandSpec[]) => byKind(specs, (s) => (s.args === 'text' ? [] : [[s.path, s.args]]));

/** Case arms grouped by kind: every pattern that prints the same word, in one arm. */
function byKind(specs: readonly CommandSpec[], entries: (s: CommandSpec) => [string, ValueKind][]): [string[], string][] {
  const groups = new Map<string, string[]>();
  for (const [pattern, kind] of specs.flatMap(entries)) {
    const word = kindWord(kind);
    groups.set(word, [...(groups.get(word) ?? []), pattern]);
  }
  return [...groups].map(([word, patterns]) => [patterns, `echo ${quote(word)}`]);
}

/** The walk and the candidates, shared by bash and zsh; each prints one word a line. */
const SH_LOGIC = String.raw`
# The command path (thread show) of the words typed so far, skipping flags and their values.
_gpt_path_of() {
  local at= w skip=
  for w in "$@"; do
    if [[ -n $skip ]]; then skip=; continue; fi
    case "$w" in
      --*=*) ;;
      -*) [[ -n $(_gpt_value_kind "$at" "$w") ]] && skip=1 ;;
      *) _gpt_is_path "\${at:+$at }$w" && at="\${at:+$at }$w" ;;
    esac
  done
  printf '%s' "$at"
}

# Candidates for the word being typed ($3), after $2, in command $1; __gpt_files__ for file names.
_gpt_candidates() {
  local kind
  kind=$(_gpt_value_kind "$1" "$2")
  if [[ -z $kind ]]; then
    if [[ $3 == -* ]]; then _gpt_flags "$1"; return 0; fi
    _gpt_subcommands "$1"
    kind=$(_gpt_arg_kind "$1")
  fi
  case "$kind" in
    threads|models|profiles|templates) command gpt __complete "$kind" 2>/dev/null ;;
    choices:*) printf '%s\n' "\${kind#choices:}" | tr ' ' '\n' ;;
    files) echo __gpt_files__ ;;
  esac
  return 0
}
`.replace(/\\\$/g, '$');

const HEADER = (shell: Shell, install: string) => `# ${shell} completion for gpt, printed by \`gpt completion ${shell}\`.\n# Install: ${install}\n`;

export function bashScript(specs: readonly CommandSpec[]): string {
  return `${HEADER('bash', 'source <(gpt completion bash) in ~/.bashrc')}
${shTables(specs)}${SH_LOGIC}
_gpt() {
  # bash splits words at ":" and "=" (COMP_WORDBREAKS): a model such as llama3.2:latest comes
  # in pieces. Join them; bash replaces only what follows the last ":", so offer only that.
  local n=$COMP_CWORD cur=\${COMP_WORDS[COMP_CWORD]} c
  while (( n > 2 )) && [[ \${COMP_WORDS[n]} == : || \${COMP_WORDS[n-1]} == : ]]; do
    n=$((n - 1)); cur=\${COMP_WORDS[n]}$cur
  done
  local colon=
  [[ $cur == *:* ]] && colon=\${cur%"\${cur##*:}"}
  local prev=\${COMP_WORDS[n-1]}
  # --model=gpt: the flag is before the "=".
  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]]; then prev=\${COMP_WORDS[n-2]}; fi
  local at
  at=$(_gpt_path_of "\${COMP_WORDS[@]:1:n-1}")
  COMPREPLY=()
  while IFS= read -r c; do
    if [[ $c == __gpt_files__ ]]; then
      compopt -o filenames 2>/dev/null
      while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen -f -- "$cur")
    elif [[ $c == "$cur"* ]]; then
      COMPREPLY+=("\${c#"$colon"}")
    fi
  done < <(_gpt_candidates "$at" "$prev" "$cur")
}
complete -F _gpt gpt
`;
}

export function zshScript(specs: readonly CommandSpec[]): string {
  return `#compdef gpt
${HEADER('zsh', 'source <(gpt completion zsh) in ~/.zshrc after compinit, or save it as _gpt in a folder of $fpath')}
${shTables(specs)}${SH_LOGIC}
_gpt() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} at
  at=$(_gpt_path_of "\${(@)words[2,CURRENT-1]}")
  local -a candidates
  candidates=("\${(@f)$(_gpt_candidates "$at" "$prev" "$cur")}")
  if [[ \${candidates[1]} == __gpt_files__ ]]; then _files; return; fi
  compadd -- \${candidates:#}
}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then _gpt "$@"; else compdef _gpt gpt; fi
`;
}

export function fishScript(specs: readonly CommandSpec[]): string {
  const fishCases = (name: string, subject: string, arms: [string[], string][]) =>
    `function ${name}\n    switch ${subject}\n${arms
      .filter(([patterns]) => patterns.length > 0)
      .map(([patterns, body]) => `        case ${patterns.map(quote).join(' ')}\n            ${body}\n`)
      .join('')}    end\n    return 1\nend\n`;
  const lines = (words: string[]) => `printf '%s\\n' ${words.map(quote).join(' ')}`;
  return `${HEADER('fish', 'gpt completion fish > ~/.config/fish/completions/gpt.fish')}
${fishCases('__gpt_is_path', '$argv[1]', [[specs.filter((s) => s.path).map((s) => s.path), 'return 0']])}
${fishCases(
  '__gpt_subcommands',
  '$argv[1]',
  specs.filter((s) => s.subcommands.length).map((s) => [[s.path], lines(s.subcommands)]),
)}
${fishCases(
  '__gpt_flags',
  '$argv[1]',
  specs.map((s) => [[s.path], lines(s.flags)]),
)}
${fishCases('__gpt_value_kind', '"$argv[1]|$argv[2]"', valueArms(specs))}
${fishCases('__gpt_arg_kind', '$argv[1]', argArms(specs))}
function __gpt_values
    switch $argv[1]
        case threads models profiles templates
            command gpt __complete $argv[1] 2>/dev/null
        case 'choices:*'
            string split ' ' -- (string replace 'choices:' '' -- $argv[1])
        case files
            __fish_complete_path $argv[2]
    end
end

function __gpt_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l at ''
    set -l skip 0
    for w in $words[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $w
            case '--*=*'
            case '-*'
                set -l k (__gpt_value_kind "$at" $w)
                test -n "$k"; and set skip 1
            case '*'
                set -l next (string trim -- "$at $w")
                __gpt_is_path "$next"; and set at $next
        end
    end
    if string match -qr -- '^--[^=]+=' $cur
        set -l flag (string replace -r -- '=.*' '' $cur)
        for v in (__gpt_values (__gpt_value_kind "$at" $flag) (string replace -r -- '^[^=]*=' '' $cur))
            echo "$flag=$v"
        end
        return
    end
    set -l kind (__gpt_value_kind "$at" "$words[-1]")
    if test -z "$kind"
        if string match -q -- '-*' $cur
            __gpt_flags "$at"
            return
        end
        __gpt_subcommands "$at"
        set kind (__gpt_arg_kind "$at")
    end
    __gpt_values "$kind" $cur
end

complete -c gpt -f -a '(__gpt_complete)'
`;
}

export const SCRIPTS: Record<Shell, (specs: readonly CommandSpec[]) => string> = { bash: bashScript, zsh: zshScript, fish: fishScript };
