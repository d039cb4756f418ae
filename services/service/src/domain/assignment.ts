/**
 * Who gets a ticket in a queue. Pure functions over what the caller read: the agents of the queue and,
 * for least-loaded, how many unresolved tickets each holds.
 */

export const QUEUE_ASSIGNMENT_STRATEGIES = ['manual', 'round_robin', 'least_loaded'] as const;
export type QueueAssignmentStrategy = (typeof QUEUE_ASSIGNMENT_STRATEGIES)[number];

export interface AgentCandidate {
  agentId: string;
  active: boolean;
  /** Ticket categories the agent handles (lower case). */
  skills: string[];
  queueIds: string[];
}

/**
 * Active agents of the queue who have the ticket category's skill, sorted by id so every strategy
 * decides the same way whatever order the store returned them in. A ticket without category can go to
 * any active agent of the queue.
 */
export function eligibleAgents(agents: AgentCandidate[], queueId: string, category: string | null): string[] {
  return agents
    .filter((agent) => agent.active && agent.queueIds.includes(queueId) && (category === null || agent.skills.includes(category)))
    .map((agent) => agent.agentId)
    .sort();
}

/**
 * Round-robin: the first eligible agent after the last one picked, in id order, wrapping around. Going
 * by id rather than by list index keeps the rotation fair when agents join, leave or lack a skill.
 */
export function nextInRotation(eligible: string[], lastAgentId: string | null): string | null {
  if (eligible.length === 0) return null;
  const sorted = [...eligible].sort();
  if (lastAgentId === null) return sorted[0];
  return sorted.find((agentId) => agentId > lastAgentId) ?? sorted[0];
}

/** Least-loaded: the eligible agent with the fewest unresolved tickets; ties go to the lowest id. */
export function leastLoaded(eligible: string[], openTickets: Record<string, number>): string | null {
  let best: string | null = null;
  for (const agentId of [...eligible].sort()) {
    if (best === null || (openTickets[agentId] ?? 0) < (openTickets[best] ?? 0)) best = agentId;
  }
  return best;
}
