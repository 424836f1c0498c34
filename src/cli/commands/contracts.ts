/**
 * `interlock contracts check | diff | propose | review | approve | reject | publish | export |
 * bootstrap | list`: the contract registry from the command line. `check` and `diff` exit 1 when
 * a change breaks the mode, so CI pipelines can gate on them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { CANONICAL_CONTRACTS } from '../../canonical/catalogue.ts';
import { loadConfig } from '../../core/config.ts';
import { validationError } from '../../core/errors.ts';
import type { Actor } from '../../governance/actor.ts';
import { COMPATIBILITY_MODES, judge } from '../../governance/compatibility.ts';
import type { CompatibilityMode } from '../../governance/compatibility.ts';
import { asyncApiDocument, jsonSchemaBundle } from '../../governance/export.ts';
import type { ExportedContract } from '../../governance/export.ts';
import { ContractRegistry } from '../../governance/registry.ts';
import { renderReport } from '../../governance/render.ts';
import { diffSchemas } from '../../governance/schema-diff.ts';
import { openStore } from '../../store/open-store.ts';

interface StoreOptions {
  config?: string;
}
interface ActorOptions extends StoreOptions {
  actor?: string;
  role?: string[];
}

const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** Registers `interlock contracts` and its subcommands. */
export function registerContracts(program: Command): void {
  const contracts = program.command('contracts').description('canonical contract registry: check, diff, propose, approve, publish, export');
  const withStore = (c: Command) => c.option('-c, --config <file>', 'configuration file (default: ./interlock.yaml if present)');
  const withActor = (c: Command) =>
    withStore(c)
      .option('--actor <id>', 'who acts, for the audit log (default: cli:<user>)')
      .option('--role <role...>', 'roles held, e.g. owner:commercial (until RBAC supplies them)');

  withStore(contracts.command('check'))
    .description("compare the shipped contracts with the registry's latest versions (or a bundle); exit 1 on a breaking change")
    .option('--base <bundle>', 'compare with an exported JSON Schema bundle instead of the registry (no store needed)')
    .option('--mode <mode>', 'mode to apply with --base (default backward; the registry uses each subject\'s own)')
    .action(async (opts: StoreOptions & { base?: string; mode?: string }) => {
      let broken = 0;
      if (opts.base !== undefined) {
        const mode = parseMode(opts.mode ?? 'backward');
        const defs = ((await readDocument(opts.base))['$defs'] ?? {}) as Record<string, unknown>;
        for (const c of CANONICAL_CONTRACTS) {
          const base = defs[c.subject];
          if (base === undefined) {
            out(`${c.subject}@${c.version}: new subject`);
            continue;
          }
          const report = judge(diffSchemas(base, c.schema), mode);
          if (!report.compatible) broken++;
          if (report.changes.length > 0) out(renderReport(report, `${c.subject} (base)`, `${c.subject}@${c.version}`));
        }
      } else {
        await withRegistry(opts, async (registry) => {
          for (const c of CANONICAL_CONTRACTS) {
            const known = (await registry.subjects()).some((s) => s.subject === c.subject);
            if (!known) {
              out(`${c.subject}@${c.version}: not in the registry (run \`interlock contracts bootstrap\`)`);
              continue;
            }
            const report = await registry.check(c.subject, c.schema);
            if (!report.compatible) broken++;
            if (report.changes.length > 0) out(renderReport(report, `${c.subject}@${report.baseVersion}`, `${c.subject}@${c.version} (shipped)`));
          }
        });
      }
      out(broken === 0 ? 'contracts: no breaking changes' : `contracts: ${broken} subject${broken === 1 ? '' : 's'} with breaking changes`);
      if (broken > 0) process.exitCode = 1;
    });

  withStore(contracts.command('diff <a> <b>'))
    .description('print every difference from a to b (files, or subject@version from the registry); exit 1 if breaking')
    .option('--mode <mode>', 'backward | forward | full | none (default: the subject\'s mode, else backward)')
    .action(async (a: string, b: string, opts: StoreOptions & { mode?: string }) => {
      const needsStore = !isFile(a) || !isFile(b);
      const resolve = async (registry: ContractRegistry | undefined, ref: string) => {
        if (isFile(ref)) return { schema: await readDocument(ref), subject: undefined };
        const [subject, version] = ref.split('@');
        if (registry === undefined || subject === undefined || version === undefined) throw validationError(`"${ref}" is neither a file nor subject@version`);
        return { schema: (await registry.version(subject, version)).schema, subject };
      };
      const run = async (registry: ContractRegistry | undefined) => {
        const left = await resolve(registry, a);
        const right = await resolve(registry, b);
        const subject = left.subject ?? right.subject;
        const mode = opts.mode !== undefined ? parseMode(opts.mode) : subject !== undefined && registry !== undefined ? (await registry.subject(subject)).mode : 'backward';
        const report = judge(diffSchemas(left.schema, right.schema), mode);
        out(renderReport(report, a, b));
        if (!report.compatible) process.exitCode = 1;
      };
      if (needsStore) await withRegistry(opts, run);
      else await run(undefined);
    });

  withActor(contracts.command('bootstrap'))
    .description('register every shipped contract not yet in the registry at its shipped version')
    .option('--mode <mode>', 'mode for new subjects (default backward)')
    .action(async (opts: ActorOptions & { mode?: string }) =>
      withRegistry(opts, async (registry) => {
        const added = await registry.bootstrap(actorOf(opts), CANONICAL_CONTRACTS, parseMode(opts.mode ?? 'backward'));
        out(added.length === 0 ? 'registry already holds every shipped contract' : `registered: ${added.join(', ')}`);
      }),
    );

  withStore(contracts.command('list'))
    .description('list subjects with their latest version, owner and mode, and open proposals')
    .action(async (opts: StoreOptions) =>
      withRegistry(opts, async (registry) => {
        for (const s of await registry.subjects()) {
          out(`${s.subject.padEnd(40)} ${((await registry.latest(s.subject))?.version ?? '-').padEnd(8)} owner:${s.owner.padEnd(11)} mode:${s.mode}`);
        }
        for (const p of (await registry.proposals()).filter((x) => !['published', 'rejected'].includes(x.status))) {
          out(`proposal ${p.id} ${p.subject}@${p.version} ${p.status}${p.breaking ? ' BREAKING' : ''} by ${p.proposedBy}`);
        }
      }),
    );

  withActor(contracts.command('propose <subject> <version> <schemaFile>'))
    .description('propose a new version of a contract from a JSON or YAML schema file')
    .option('--note <text>', 'why')
    .action(async (subject: string, version: string, file: string, opts: ActorOptions & { note?: string }) =>
      withRegistry(opts, async (registry) => {
        const p = await registry.propose(actorOf(opts), { subject, version, schema: await readDocument(file), ...(opts.note === undefined ? {} : { note: opts.note }) });
        out(renderReport(judge(p.changes, (await registry.subject(subject)).mode), `${subject}@${p.baseVersion ?? 'none'}`, `${subject}@${version}`));
        out(`proposal ${p.id}: ${p.status}${p.breaking ? ' (BREAKING under the subject\'s mode: cannot be published unless the mode changes)' : ''}`);
      }),
    );

  for (const step of ['review', 'approve', 'reject', 'publish'] as const) {
    withActor(contracts.command(`${step} <proposalId>`))
      .description(`${step} a proposal${step === 'approve' || step === 'publish' || step === 'reject' ? " (the subject's domain owner)" : ''}`)
      .option('--comment <text>', 'comment for the audit log')
      .action(async (id: string, opts: ActorOptions & { comment?: string }) =>
        withRegistry(opts, async (registry) => {
          const actor = actorOf(opts);
          if (step === 'publish') {
            const v = await registry.publish(actor, id);
            return out(`published ${v.subject}@${v.version}`);
          }
          if ((step === 'review' || step === 'reject') && opts.comment === undefined) throw validationError(`${step} needs --comment`);
          const p =
            step === 'review' ? await registry.review(actor, id, opts.comment ?? '') : step === 'approve' ? await registry.approve(actor, id, opts.comment) : await registry.reject(actor, id, opts.comment ?? '');
          out(`proposal ${p.id} (${p.subject}@${p.version}): ${p.status}`);
        }),
      );
  }

  withStore(contracts.command('export'))
    .description('write a JSON Schema bundle or an AsyncAPI 3.0 document of the canonical events')
    .option('--format <format>', 'jsonschema | asyncapi', 'jsonschema')
    .option('--out <file>', 'write here instead of stdout')
    .option('--from-registry', "export the registry's latest versions instead of the shipped contracts")
    .action(async (opts: StoreOptions & { format: string; out?: string; fromRegistry?: boolean }) => {
      if (opts.format !== 'jsonschema' && opts.format !== 'asyncapi') throw validationError(`--format must be jsonschema or asyncapi, got "${opts.format}"`);
      let items: ExportedContract[] = CANONICAL_CONTRACTS.map((c) => ({ ...c, schema: c.schema as unknown as Record<string, unknown> }));
      if (opts.fromRegistry === true) {
        items = [];
        await withRegistry(opts, async (registry) => {
          for (const s of await registry.subjects()) {
            const latest = await registry.latest(s.subject);
            if (latest !== undefined) items.push({ subject: s.subject, version: latest.version, owner: s.owner, kind: s.kind, schema: latest.schema });
          }
        });
      }
      const doc = opts.format === 'jsonschema' ? jsonSchemaBundle(items) : asyncApiDocument(items);
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (opts.out === undefined) process.stdout.write(text);
      else {
        await writeFile(opts.out, text);
        out(`wrote ${opts.out}`);
      }
    });
}

function parseMode(mode: string): CompatibilityMode {
  if (!COMPATIBILITY_MODES.includes(mode as CompatibilityMode)) throw validationError(`--mode must be one of ${COMPATIBILITY_MODES.join(', ')}, got "${mode}"`);
  return mode as CompatibilityMode;
}

function actorOf(opts: ActorOptions): Actor {
  return { id: opts.actor ?? `cli:${userInfo().username}`, roles: opts.role ?? [] };
}

function isFile(ref: string): boolean {
  return /\.(json|ya?ml)$/i.test(ref) || ref.includes('/');
}

async function readDocument(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw validationError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw validationError(`${file} is not JSON or YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw validationError(`${file} does not hold a JSON Schema object`);
  return doc as Record<string, unknown>;
}

async function withRegistry(opts: StoreOptions, fn: (registry: ContractRegistry) => Promise<void>): Promise<void> {
  const config = loadConfig({ file: opts.config });
  const store = await openStore(config.store);
  try {
    await fn(new ContractRegistry(store));
  } finally {
    await store.close();
  }
}
