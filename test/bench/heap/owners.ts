/**
 * The owner table: which objects of the agent's heap belong to which part of it. Edit
 * this table when a class is renamed or replaced; nothing else in test/bench/heap knows
 * the agent's classes.
 *
 * An owner is a list of root paths (syntax in root-paths.ts). Its objects are its roots
 * and everything they dominate (everything that would be freed with them), except what
 * lies under another owner's root: each byte goes to the nearest owner root above it in
 * the dominator tree, so the rows add up to at most the heap and never count a byte
 * twice. A node that is a root of two owners goes to the one listed first.
 *
 * Why roots must be listed so finely: most of the agent's parts are reachable by more
 * than one path (the Scheduler from its Agent and from the closures its timers hold; a
 * check object from the config and from its scheduler slot), so they are dominated by
 * the GC roots, not by the Agent, and "everything the Agent dominates" is almost nothing.
 */

/** One row of the owner table. */
export interface OwnerSpec {
  /** The row's name in the report. */
  owner: string;
  /** Where its root objects are. */
  roots: readonly string[];
}

/** The agent's owners, as of the code this table was written against. */
export const AGENT_OWNERS: readonly OwnerSpec[] = [
  {
    owner: 'config (Config, resolved checks)',
    roots: ['Agent.#config', 'Agent.#config.checks[]', 'Agent.#checks[]'],
  },
  {
    owner: 'scheduler (Scheduler, per-check slots, their timers and callbacks)',
    // Scheduler(#slots): node-cron has a class of the same name.
    roots: ['Scheduler(#slots)', 'Scheduler.#slots{}', 'Scheduler.#slots{}.timer', 'Scheduler.#slots{}.fire'],
  },
  {
    owner: 'result windows (ResultWindows, SampleRing)',
    roots: ['ResultWindows', 'SampleRing'],
  },
  {
    owner: 'per-check series (CheckExposition, CheckState, encoded labels and info lines)',
    roots: ['CheckExposition', 'CheckState'],
  },
  {
    // V8 names every bound function native_bind; prom-client's labels() binds each method
    // of a labelled child (five for a gauge) to the child's label object. That object is the
    // first bound argument, shared by the child's functions, so no single one of them
    // dominates it: listed too.
    owner: 'bound functions (prom-client labels() children, with their label objects)',
    roots: ['closure:native_bind', 'closure:native_bind.bindings.0'],
  },
  {
    owner: "prom-client metrics (the agent's own: Gauge, Counter, Histogram, Summary)",
    roots: ['Gauge', 'Counter', 'Histogram', 'Summary'],
  },
  {
    owner: 'prometheus sink (PrometheusSink, Registry, MetricsRenderer)',
    roots: ['PrometheusSink', 'Registry', 'MetricsRenderer', 'Heartbeat', 'CoverageGauge'],
  },
  {
    // Per check, WeakMaps keyed by the check object hold its prepared request
    // (probes/http/prepare.ts) and its compiled expectations (assertions/http.ts).
    owner: 'HTTP probe (prepared requests, compiled expectations, undici Clients in flight)',
    roots: ['Agent.#checks[]{weak}', 'Agent.#checks[].expect{weak}', 'Client', 'Connection', 'Clients'],
  },
  {
    owner: 'log sink (LogSink, pino logger)',
    roots: ['LogSink', 'Agent.#logger'],
  },
  {
    owner: 'event bus (EventBus and its listener sets)',
    roots: ['EventBus'],
  },
  {
    owner: 'agent, other parts (Agent, AgentServer, ProbeRegistry, Reloader, ChaosHost)',
    roots: ['Agent(#scheduler)', 'AgentServer', 'ProbeRegistry', 'Reloader', 'ChaosHost'],
  },
];
