import type { RecordedEvent } from '@crm/eventstore';
import type { Collection, IndexSpec, ReadStore } from '@crm/readstore';
import {
  COMPANIES_COLLECTION,
  type CompanyDocument,
  CONTACTS_COLLECTION,
  type ContactDocument,
  documentId,
} from '../application/read-models';
import type { Lifecycle } from '../domain/common';
import { companyDecider, type CompanyEvent, type CompanyState } from '../domain/company';
import { contactDecider, type ContactEvent, type ContactState } from '../domain/contact';
import { matchKeys, matchValues } from '../domain/duplicate-rules';
import { parseStreamName } from '../domain/streams';

export const READ_MODEL_PROJECTION = 'contacts-read-model.v1';

export const READ_MODEL_INDEXES: Record<string, IndexSpec[]> = {
  [CONTACTS_COLLECTION]: [
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, emailAddresses: 1 } },
    { keys: { tenantId: 1, companyId: 1 } },
    { keys: { tenantId: 1, lastName: 1 } },
    // Prefix search (`q`): an index on the lower-cased keys turns a scan into a range seek.
    { keys: { searchKeys: 1 } },
    // Duplicate lookups: one element per normalised value (`phone:+370…`, `name:ada lovelace`).
    { keys: { matchKeys: 1 } },
  ],
  [COMPANIES_COLLECTION]: [
    { keys: { tenantId: 1, createdAt: -1 } },
    { keys: { tenantId: 1, domain: 1 } },
    { keys: { searchKeys: 1 } },
  ],
};

type AnyDocument = ContactDocument | CompanyDocument;

interface Kind<State extends { id: string | null; lifecycle: Lifecycle }, Event> {
  collection: string;
  initialState(): State;
  evolve(state: State, event: Event): State;
  searchKeys(state: State): string[];
}

const CONTACT_KIND: Kind<ContactState, ContactEvent> = {
  collection: CONTACTS_COLLECTION,
  initialState: contactDecider.initialState,
  evolve: contactDecider.evolve,
  searchKeys: (state) =>
    [state.firstName, state.lastName, `${state.firstName} ${state.lastName}`.trim(), ...state.emails.map((email) => email.address)]
      .map((key) => key.toLowerCase())
      .filter(Boolean),
};

const COMPANY_KIND: Kind<CompanyState, CompanyEvent> = {
  collection: COMPANIES_COLLECTION,
  initialState: companyDecider.initialState,
  evolve: companyDecider.evolve,
  searchKeys: (state) => [state.name, state.domain ?? ''].map((key) => key.toLowerCase()).filter(Boolean),
};

const KINDS: Record<string, Kind<never, never>> = {
  contact: CONTACT_KIND as unknown as Kind<never, never>,
  company: COMPANY_KIND as unknown as Kind<never, never>,
};

/** The decider state kept inside a projected document, so the same `evolve` folds the next event into it. */
function stateOf(document: AnyDocument | undefined, kind: Kind<never, never>): { id: string | null; lifecycle: Lifecycle } {
  if (!document) return kind.initialState();
  const { _id, _position, tenantId, searchKeys, deleted, revision, createdAt, updatedAt, archived, ...state } = document as AnyDocument & {
    lifecycle: Lifecycle;
  };
  delete (state as { emailAddresses?: unknown }).emailAddresses;
  delete (state as { matchKeys?: unknown }).matchKeys;
  return state as unknown as { id: string | null; lifecycle: Lifecycle };
}

function nextDocument(document: AnyDocument | undefined, event: RecordedEvent, kind: Kind<never, never>, tenantId: string, id: string): AnyDocument {
  const state = kind.evolve(stateOf(document, kind) as never, { type: event.type, data: event.data } as never) as {
    id: string | null;
    lifecycle: Lifecycle;
    emails?: { address: string }[];
  };
  const base = { _id: documentId(tenantId, id), tenantId, id, revision: event.revision, _position: event.position };
  // Erased records keep a tombstone without personal data, so a late redelivery cannot resurrect them.
  if (state.lifecycle === 'deleted') return { ...base, lifecycle: 'deleted', deleted: true, searchKeys: [] } as unknown as AnyDocument;
  return {
    ...state,
    ...base,
    archived: state.lifecycle === 'archived',
    // A merged source leaves lists and duplicate lookups as an erased record does, but keeps its data for an unmerge.
    deleted: Boolean((state as { merge?: { into: string | null } }).merge?.into),
    createdAt: (document?.createdAt as string | undefined) ?? event.metadata.occurredAt,
    updatedAt: event.metadata.occurredAt,
    searchKeys: kind.searchKeys(state as never),
    ...(state.emails ? { emailAddresses: state.emails.map((email) => email.address) } : {}),
    ...(kind === KINDS.contact ? { matchKeys: matchKeys(matchValues(state as unknown as ContactState)) } : {}),
  } as unknown as AnyDocument;
}

/**
 * Applies a batch of events to the contact and company lists: one read of the touched documents, an
 * in-memory fold with the deciders' own `evolve`, one bulk write. A document remembers the last position
 * applied, so re-delivered events are skipped and a rebuild from position 0 yields the same documents.
 */
export async function applyReadModelBatch(events: RecordedEvent[], store: ReadStore): Promise<void> {
  const byCollection = new Map<string, { collection: Collection<AnyDocument>; touched: Map<string, AnyDocument | undefined>; events: RecordedEvent[] }>();
  for (const event of events) {
    const stream = parseStreamName(event.streamName);
    const kind = stream && KINDS[stream.kind];
    if (!stream || !kind) continue;
    let entry = byCollection.get(kind.collection);
    if (!entry) {
      entry = { collection: store.collection<AnyDocument>(kind.collection), touched: new Map(), events: [] };
      byCollection.set(kind.collection, entry);
    }
    entry.touched.set(documentId(stream.tenantId, stream.id), undefined);
    entry.events.push(event);
  }
  for (const { collection, touched, events: collectionEvents } of byCollection.values()) {
    for (const document of await collection.find({ _id: { $in: [...touched.keys()] } })) touched.set(document._id, document);
    const changed = new Set<string>();
    for (const event of collectionEvents) {
      const stream = parseStreamName(event.streamName)!;
      const id = documentId(stream.tenantId, stream.id);
      const current = touched.get(id);
      if (current && (current._position as number) >= event.position) continue;
      touched.set(id, nextDocument(current, event, KINDS[stream.kind], stream.tenantId, stream.id));
      changed.add(id);
    }
    if (changed.size === 0) continue;
    await collection.bulkWrite(
      [...changed].map((id) => ({ replaceOne: { filter: { _id: id }, replacement: touched.get(id)!, upsert: true } })),
    );
  }
}
