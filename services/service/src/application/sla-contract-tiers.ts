/**
 * Where the SLA engine learns a customer's contract tier (a policy condition). The contracts feature
 * provides it; until a tenant has contracts, no ticket has a tier and tier conditions simply never match.
 */
export interface SlaContractTiers {
  tierFor(tenantId: string, customer: { contactId: string | null; companyId: string | null }, at: string): Promise<string | null>;
}

export const SLA_CONTRACT_TIERS = Symbol('SLA_CONTRACT_TIERS');

export const NO_CONTRACT_TIERS: SlaContractTiers = {
  tierFor: async () => null,
};
