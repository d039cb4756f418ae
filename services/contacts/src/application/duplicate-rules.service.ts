import { type CommandContext, EventSourcedCommandHandler } from '@crm/decider';
import type { EventStore } from '@crm/eventstore';
import {
  type DuplicateRuleSet,
  type DuplicateRulesCommand,
  duplicateRulesDecider,
  type DuplicateRulesEvent,
  type DuplicateRulesState,
  duplicateRulesStream,
} from '../domain/duplicate-rules';
import type { WriteResult } from './views';

/** The rule set as the API shows it; `version` counts the saves (0: the defaults), and is the ETag. */
export interface DuplicateRulesView extends DuplicateRuleSet {
  version: number;
}

const toView = (state: DuplicateRulesState): DuplicateRulesView => ({ defaultRegion: state.defaultRegion, rules: state.rules, version: state.revision + 1 });

/** Rule sets kept in memory between reads; past this many tenants the oldest is dropped. */
const CACHE_LIMIT = 10_000;

/** Reads and replaces a tenant's duplicate rules (one stream per tenant). */
export class DuplicateRules {
  private readonly handler: EventSourcedCommandHandler<DuplicateRulesCommand, DuplicateRulesState, DuplicateRulesEvent>;
  private readonly cache = new Map<string, DuplicateRulesState>();

  constructor(private readonly store: EventStore) {
    this.handler = new EventSourcedCommandHandler(store, duplicateRulesDecider);
  }

  /** The current rules: only events newer than the cached revision are read, so an import's many lookups stay cheap. */
  async current(tenantId: string): Promise<DuplicateRulesState> {
    const stream = duplicateRulesStream(tenantId);
    const cached = this.cache.get(stream) ?? duplicateRulesDecider.initialState();
    const newer = await this.store.readStream(stream, { fromRevision: cached.revision + 1 });
    const state = newer.reduce((current, event) => duplicateRulesDecider.evolve(current, { type: event.type, data: event.data } as DuplicateRulesEvent), cached);
    this.cache.delete(stream);
    this.cache.set(stream, state);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    return state;
  }

  async get(tenantId: string): Promise<DuplicateRulesView> {
    return toView(await this.current(tenantId));
  }

  /** `context.expectedRevision` is the If-Match version (saves so far); the stream revision is one less. */
  async replace(context: CommandContext, rules: DuplicateRuleSet): Promise<WriteResult<DuplicateRulesView>> {
    const expectedRevision = context.expectedRevision === undefined ? undefined : context.expectedRevision - 1;
    const result = await this.handler.handle(duplicateRulesStream(context.tenantId), { type: 'ReplaceDuplicateRules', rules }, { ...context, expectedRevision });
    const view = toView(result.state);
    return { view, revision: view.version, position: result.position };
  }
}
