import type { ReadStore } from '@crm/readstore';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { type DuplicateRule, isRegion, lookupKeys, type MatchSource, matchValues, type MatchValues, ruleMatches } from '../domain/duplicate-rules';
import type { DuplicateRules } from './duplicate-rules.service';
import { CONTACTS_COLLECTION, type ContactDocument } from './read-models';

/** A likely duplicate: the contact found and the first enabled rule that matched it. */
export interface DuplicateCandidate {
  id: string;
  rule: string;
}

/** What a caller knows of a contact not stored yet (a POST body, an import row); `address.country` guides phone parsing. */
export type CandidateFields = MatchSource & { address?: { country?: string } | null };

export interface FindOptions {
  /** Ids never to report (the contact itself, or rows of the same import batch). */
  excludeIds?: string[];
  /**
   * Wait (bounded) until the list read model has applied everything written before the call, so that a
   * contact created a moment ago is found. Imports writing many rows may turn it off per row and rely on
   * their own batch bookkeeping.
   */
  waitForReadModel?: boolean;
}

/** Lookups per query: enough for an import batch, small enough for one `$in`. */
const KEYS_PER_QUERY = 2000;

/**
 * Finds likely duplicates among the tenant's stored contacts, under the tenant's rules. The list read
 * model indexes each contact's normalised match keys; a rule is answered by a seek on the keys of its
 * first field, then checked field by field on the few documents found.
 */
export class DuplicateFinder {
  constructor(
    private readonly readStore: ReadStore,
    private readonly rules: DuplicateRules,
    private readonly catchUp: () => Promise<void>,
  ) {}

  async findDuplicates(tenantId: string, candidate: CandidateFields, options: FindOptions = {}): Promise<DuplicateCandidate[]> {
    return (await this.findDuplicatesMany(tenantId, [candidate], options))[0];
  }

  /** One answer per candidate, in order: a batch costs one rules read and one indexed query per 2,000 keys. */
  async findDuplicatesMany(tenantId: string, candidates: CandidateFields[], options: FindOptions = {}): Promise<DuplicateCandidate[][]> {
    const ruleSet = await this.rules.current(tenantId);
    const rules = ruleSet.rules.filter((rule) => rule.enabled);
    if (rules.length === 0 || candidates.length === 0) return candidates.map(() => []);
    const values = candidates.map((candidate) => {
      const region = candidate.address?.country?.toUpperCase();
      const parseRegion = isRegion(region) ? region : isRegion(ruleSet.defaultRegion) ? ruleSet.defaultRegion : undefined;
      return matchValues(candidate, (number) => {
        const parsed = parsePhoneNumberFromString(number, parseRegion);
        return parsed?.isValid() ? parsed.number : null;
      });
    });
    const keys = [...new Set(values.flatMap((value) => rules.flatMap((rule) => lookupKeys(value, rule))))];
    if (keys.length === 0) return candidates.map(() => []);
    if (options.waitForReadModel !== false) await this.catchUp();
    const collection = this.readStore.collection<ContactDocument & { matchKeys?: string[] }>(CONTACTS_COLLECTION);
    const found: ContactDocument[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_QUERY) {
      found.push(...(await collection.find({ tenantId, deleted: false, matchKeys: { $in: keys.slice(start, start + KEYS_PER_QUERY) } })));
    }
    const excluded = new Set(options.excludeIds ?? []);
    const stored = found.filter((document) => !excluded.has(document.id)).map((document) => ({ id: document.id, values: storedValues(document) }));
    return values.map((candidate) => matchesOf(candidate, stored, rules));
  }
}

function storedValues(document: ContactDocument): MatchValues {
  return matchValues({
    firstName: document.firstName,
    lastName: document.lastName,
    emails: document.emails,
    phones: document.phones,
    companyId: document.companyId,
    birthday: document.birthday,
    customFields: document.customFields,
  });
}

function matchesOf(candidate: MatchValues, stored: { id: string; values: MatchValues }[], rules: DuplicateRule[]): DuplicateCandidate[] {
  const result: DuplicateCandidate[] = [];
  const seen = new Set<string>();
  for (const other of stored) {
    if (seen.has(other.id)) continue;
    const rule = rules.find((each) => ruleMatches(each, candidate, other.values));
    if (!rule) continue;
    seen.add(other.id);
    result.push({ id: other.id, rule: rule.name });
  }
  return result.sort((a, b) => a.id.localeCompare(b.id));
}
