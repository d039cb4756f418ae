import { EmbeddedMessageBus, type IntegrationEvent } from '@crm/bus';
import { fromJson } from '@bufbuild/protobuf';
import { TICKETS_TOPIC, TicketCsatReceivedSchema, TicketCsatRequestedSchema, ticketEventType } from '@crm/contracts';
import { eventually } from '@crm/testing';
import { join } from 'node:path';
import { RunningCrm } from '../../tools/running-crm';
import { expectProblem, type Page, uniqueTenant } from './support';

type Conversation = { kind: 'reply' | 'note'; id: string; authorType: string; body: string; attachments: unknown[]; outgoingEmail?: { messageId: string; subject: string } };
type Ticket = {
  id: string;
  shortId: string;
  channel: string;
  subject: string;
  description: string;
  requesterContactId: string | null;
  requesterEmail: string | null;
  companyId: string | null;
  priority: string;
  category: string | null;
  tags: string[];
  status: string;
  queueId: string | null;
  assigneeId: string | null;
  followUpOf: string | null;
  csat: { surveyId: string; answered: boolean; score: number | null } | null;
  conversation: Conversation[];
  revision: number;
};
type ListItem = { id: string; status: string; priority: string; assigneeId: string | null; queueId: string | null; slaState: string; subject: string };
type PortalTicket = { id: string; status: string; conversation: { body: string; authorType: string }[]; csatSurvey: { token: string } | null };
type Queue = { id: string; name: string; assignment: string; csat?: { responses: number; averageScore: number | null } };
type Agent = { id: string; name: string; csat?: { responses: number; averageScore: number | null } };
type Inbound = { outcome: string; ticketId: string };

/** Tickets from every channel, queues and assignment, portal and CSAT, through the gateway. */
describe('service desk tickets through the gateway', () => {
  let crm: RunningCrm;

  beforeAll(async () => {
    crm = await RunningCrm.start();
  });

  afterAll(async () => {
    await crm?.stop();
  });

  const post = <T = Ticket>(tenant: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    crm.call<T>('POST', `/api/v1${path}`, { tenant, actor: 'agent-alice', body, headers });
  const get = <T = Ticket>(tenant: string, path: string, headers: Record<string, string> = {}) => crm.call<T>('GET', `/api/v1${path}`, { tenant, headers });

  async function openTicket(tenant: string, body: Record<string, unknown>): Promise<Ticket> {
    const response = await post(tenant, '/tickets', { channel: 'web', subject: 'Printer jams', ...body });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function listTickets(tenant: string, query: string): Promise<ListItem[]> {
    return (await get<Page<ListItem>>(tenant, `/tickets?${query}`)).body.items;
  }

  /** A contact created in the contacts service, once the service desk's copy of the directory knows it. */
  async function contact(tenant: string, email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await crm.call<{ id: string }>('POST', '/api/v1/contacts', { tenant, body: { firstName: 'Ada', lastName: email.split('@')[0], emails: [{ address: email, primary: true }], ...extra } });
    expect(created.status).toBe(201);
    await eventually(async () => (await post(tenant, '/portal/sessions', { contactId: created.body.id })).status === 201, {
      timeoutMs: 20_000,
      description: 'the service desk to learn the contact',
    });
    return created.body.id;
  }

  async function setStatus(tenant: string, id: string, status: string) {
    return post(tenant, `/tickets/${id}/status`, { status });
  }

  async function waitForList(tenant: string, query: string, count: number) {
    await eventually(async () => (await listTickets(tenant, query)).length === count, { description: `${count} tickets for ${query}` });
  }

  describe('channels', () => {
    it.each(['web', 'phone', 'chat', 'api'])('opens a %s ticket with its fields', async (channel) => {
      const t = uniqueTenant('channel');
      const response = await post(t, '/tickets', { channel, subject: ' Printer jams ', description: 'Every page', priority: 'high', category: 'Hardware', tags: ['VIP'] });
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`/api/v1/tickets/${response.body.id}`);
      expect(response.headers.etag).toBe('"0"');
      expect(response.body).toMatchObject({ channel, subject: 'Printer jams', description: 'Every page', priority: 'high', category: 'hardware', tags: ['vip'], status: 'new' });
      expect(response.body.shortId).toMatch(/^T-[0-9A-Z]{8}$/);
      expect((await get(t, `/tickets/${response.body.id}`)).body).toMatchObject({ id: response.body.id, channel });
    });

    it('links the requester: their email and company come from the contact', async () => {
      const t = uniqueTenant('requester');
      const company = await crm.call<{ id: string }>('POST', '/api/v1/companies', { tenant: t, body: { name: 'Acme' } });
      const contactId = await contact(t, 'ada@acme.example', { companyId: company.body.id });
      const ticket = await openTicket(t, { requesterContactId: contactId });
      expect(ticket).toMatchObject({ requesterContactId: contactId, requesterEmail: 'ada@acme.example', companyId: company.body.id });
    });

    it("follows a contact merge: the source's tickets move to the survivor", async () => {
      const t = uniqueTenant('merge');
      const survivor = await contact(t, 'survivor@example.com');
      const source = await contact(t, 'source@example.com');
      const ticket = await openTicket(t, { requesterContactId: source });
      const merged = await crm.call('POST', `/api/v1/contacts/${survivor}/merge`, { tenant: t, body: { sourceId: source } });
      expect(merged.status).toBe(200);
      await eventually(async () => (await get(t, `/tickets/${ticket.id}`)).body.requesterContactId === survivor, { timeoutMs: 20_000, description: 'the ticket to follow the merge' });
      const history = (await get<{ items: { type: string; data: { reason?: string } }[] }>(t, `/tickets/${ticket.id}/history`)).body.items;
      expect(history.at(-1)).toMatchObject({ type: 'TicketRequesterChanged', data: { reason: 'contact_merged' } });
      await waitForList(t, `requesterContactId=${survivor}`, 1);
    });
  });

  describe('email', () => {
    const email = (overrides: Record<string, unknown>) => ({
      messageId: `<${Math.random().toString(36).slice(2)}@mail.example.com>`,
      from: { email: 'grace@customer.example', name: 'Grace' },
      to: 'support@crm.example',
      subject: 'Cannot log in',
      text: 'The login page says no.',
      ...overrides,
    });

    it('opens a ticket, links the sender to their contact, ignores a redelivery, and threads replies by header and by subject token', async () => {
      const t = uniqueTenant('email');
      const contactId = await contact(t, 'grace@customer.example');
      const first = email({ messageId: '<first-1@mail.example.com>', attachments: [{ name: 'screen.png', url: 'https://files.example.com/screen.png', contentType: 'image/png', size: 1234 }] });
      const opened = await post<Inbound>(t, '/inbound/email', first);
      expect(opened.status).toBe(201);
      expect(opened.body.outcome).toBe('opened');
      const ticketId = opened.body.ticketId;
      const ticket = (await get(t, `/tickets/${ticketId}`)).body;
      expect(ticket).toMatchObject({ channel: 'email', subject: 'Cannot log in', description: 'The login page says no.', requesterContactId: contactId, requesterEmail: 'grace@customer.example' });

      const again = await post<Inbound>(t, '/inbound/email', first);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ outcome: 'duplicate', ticketId });

      const byHeader = await post<Inbound>(t, '/inbound/email', email({ inReplyTo: '<first-1@mail.example.com>', subject: 'Re: Cannot log in', text: 'Still broken' }));
      expect(byHeader.body).toEqual({ outcome: 'threaded', ticketId });

      const bySubject = await post<Inbound>(t, '/inbound/email', email({ subject: `Re: something [#${ticket.shortId}]`, text: 'Any news?' }));
      expect(bySubject.body).toEqual({ outcome: 'threaded', ticketId });

      // An agent answers: the outgoing email carries a Message-ID and a subject token; an answer to it threads back.
      const answered = (await post(t, `/tickets/${ticketId}/replies`, { body: 'Try resetting your password' })).body;
      const outgoing = answered.conversation.find((entry) => entry.authorType === 'agent')!.outgoingEmail!;
      expect(outgoing.subject).toBe(`Re: Cannot log in [#${ticket.shortId}]`);
      const byOurId = await post<Inbound>(t, '/inbound/email', email({ inReplyTo: outgoing.messageId, references: ['<first-1@mail.example.com>', outgoing.messageId], subject: outgoing.subject, text: 'Worked!' }));
      expect(byOurId.body).toEqual({ outcome: 'threaded', ticketId });

      const final = (await get(t, `/tickets/${ticketId}`)).body;
      expect(final.conversation.filter((entry) => entry.authorType === 'requester').map((entry) => entry.body)).toEqual(['Still broken', 'Any news?', 'Worked!']);
      await waitForList(t, '', 1);
    });

    it('an unknown sender opens a ticket with their address only; an answer to a closed ticket opens a follow-up', async () => {
      const t = uniqueTenant('email');
      const opened = await post<Inbound>(t, '/inbound/email', email({ messageId: '<lonely@x.example>', from: { email: 'Stranger@X.example' }, html: '<p>Hello &amp; <b>help</b></p>', text: undefined }));
      const ticket = (await get(t, `/tickets/${opened.body.ticketId}`)).body;
      expect(ticket).toMatchObject({ requesterContactId: null, requesterEmail: 'stranger@x.example', description: 'Hello & help' });
      expect((await setStatus(t, ticket.id, 'solved')).status).toBe(200);
      expect((await setStatus(t, ticket.id, 'closed')).status).toBe(200);
      const late = await post<Inbound>(t, '/inbound/email', email({ inReplyTo: '<lonely@x.example>', from: { email: 'stranger@x.example' }, subject: 'Re: Cannot log in' }));
      expect(late.status).toBe(201);
      expect(late.body.outcome).toBe('follow_up');
      expect((await get(t, `/tickets/${late.body.ticketId}`)).body.followUpOf).toBe(ticket.id);
    });

    it('refuses a malformed email with a problem and stores nothing', async () => {
      const t = uniqueTenant('email');
      expectProblem(await post(t, '/inbound/email', { messageId: '', from: { email: 'not-an-email' }, subject: 'x' }), 400, ['messageId', 'from.email']);
      expect(await listTickets(t, '')).toHaveLength(0);
    });
  });

  describe('status flow', () => {
    it('walks new → open → pending → on_hold → solved → open (reopen) → solved → closed, and refuses the rest with 409', async () => {
      const t = uniqueTenant('status');
      const ticket = await openTicket(t, {});
      for (const status of ['open', 'pending', 'on_hold', 'solved', 'open', 'solved', 'closed']) {
        const response = await setStatus(t, ticket.id, status);
        expect(response.status).toBe(200);
        expect(response.body.status).toBe(status);
      }
      expectProblem(await setStatus(t, ticket.id, 'open'), 409);
      expectProblem(await post(t, `/tickets/${ticket.id}/replies`, { body: 'too late' }), 409);
      expectProblem(await setStatus(t, ticket.id, 'finished'), 400, ['status']);
    });

    it('an agent reply opens a new ticket; a requester reply reopens a solved one', async () => {
      const t = uniqueTenant('status');
      const ticket = await openTicket(t, {});
      expect((await post(t, `/tickets/${ticket.id}/replies`, { body: 'On it' })).body.status).toBe('open');
      await setStatus(t, ticket.id, 'solved');
      expect((await post(t, `/tickets/${ticket.id}/replies`, { body: 'Not fixed', authorType: 'requester' })).body.status).toBe('open');
    });
  });

  describe('queues and assignment', () => {
    async function queue(t: string, body: Record<string, unknown>): Promise<Queue> {
      const response = await post<Queue>(t, '/queues', body);
      expect(response.status).toBe(201);
      return response.body;
    }

    async function agent(t: string, name: string, body: Record<string, unknown>): Promise<Agent> {
      const response = await post<Agent>(t, '/agents', { name, email: `${name.toLowerCase()}@crm.example`, ...body });
      expect(response.status).toBe(201);
      return response.body;
    }

    async function waitForAgents(t: string, queueId: string, count: number) {
      await eventually(async () => (await get<Page<Agent>>(t, `/agents?queueId=${queueId}`)).body.items.length === count, { description: `${count} agents in the queue` });
    }

    it('round-robin takes turns among active agents with the skill, and routes a ticket by category', async () => {
      const t = uniqueTenant('rr');
      const hardware = await queue(t, { name: 'Hardware', assignment: 'round_robin', categories: ['hardware'] });
      const a = await agent(t, 'Alan', { skills: ['hardware'], queueIds: [hardware.id] });
      const b = await agent(t, 'Barbara', { skills: ['hardware'], queueIds: [hardware.id] });
      await agent(t, 'Carl', { skills: ['billing'], queueIds: [hardware.id] });
      await agent(t, 'Dora', { skills: ['hardware'], queueIds: [hardware.id], active: false });
      await waitForAgents(t, hardware.id, 4);
      const assignees: (string | null)[] = [];
      for (let i = 0; i < 4; i++) assignees.push((await openTicket(t, { category: 'hardware' })).assigneeId);
      expect(assignees).toEqual([a.id, b.id, a.id, b.id]);
      const routed = await openTicket(t, { category: 'Hardware' });
      expect(routed.queueId).toBe(hardware.id);
      // The rotation is durable: it continues after a restart from the events.
      await crm.stop({ keepData: true });
      crm = await RunningCrm.start(crm.dataDir);
      expect((await openTicket(t, { category: 'hardware' })).assigneeId).toBe(a.id === routed.assigneeId ? b.id : a.id);
    });

    it('least-loaded gives the ticket to the agent with the fewest unresolved tickets; manual assignment is validated', async () => {
      const t = uniqueTenant('ll');
      const support = await queue(t, { name: 'Support', assignment: 'least_loaded' });
      const other = await queue(t, { name: 'Other' });
      const a = await agent(t, 'Alan', { skills: [], queueIds: [support.id] });
      const b = await agent(t, 'Barbara', { skills: [], queueIds: [support.id] });
      const outsider = await agent(t, 'Olga', { queueIds: [other.id] });
      const retired = await agent(t, 'Rita', { queueIds: [support.id], active: false });
      await waitForAgents(t, support.id, 3);
      for (let i = 0; i < 2; i++) {
        const ticket = await openTicket(t, {});
        const assigned = await post(t, `/tickets/${ticket.id}/assign`, { queueId: support.id, assigneeId: a.id });
        expect(assigned.status).toBe(200);
        expect(assigned.body).toMatchObject({ queueId: support.id, assigneeId: a.id });
      }
      await waitForList(t, `assigneeId=${a.id}`, 2);
      expect((await openTicket(t, { queueId: support.id })).assigneeId).toBe(b.id);

      const ticket = await openTicket(t, {});
      expectProblem(await post(t, `/tickets/${ticket.id}/assign`, { queueId: support.id, assigneeId: outsider.id }), 400, ['assigneeId']);
      expectProblem(await post(t, `/tickets/${ticket.id}/assign`, { queueId: support.id, assigneeId: retired.id }), 400, ['assigneeId']);
      expectProblem(await post(t, `/tickets/${ticket.id}/assign`, { queueId: 'NOSUCHQUEUE', assigneeId: a.id }), 400, ['queueId']);
      expect((await get(t, `/tickets/${ticket.id}`)).body.revision).toBe(0);
      // Without an assignee the queue's strategy picks.
      await waitForList(t, `assigneeId=${b.id}`, 1);
      const picked = await post(t, `/tickets/${ticket.id}/assign`, { queueId: support.id });
      expect(picked.body.assigneeId).toBe(b.id);
      expect((await get<Page<Queue>>(t, '/queues')).body.items.map((item) => item.name)).toEqual(['Support', 'Other']);
    });
  });

  describe('lists, history and concurrency', () => {
    it('filters by status, priority, queue, assignee, requester, SLA state and text, with cursors', async () => {
      const t = uniqueTenant('list');
      const contactId = await contact(t, 'lin@example.com');
      const q = (await post<Queue>(t, '/queues', { name: 'Q' })).body;
      const a = (await post<Agent>(t, '/agents', { name: 'Alan', email: 'alan@crm.example', queueIds: [q.id] })).body;
      const printer = await openTicket(t, { subject: 'Printer on fire', description: 'Smoke everywhere', priority: 'urgent', requesterContactId: contactId });
      const login = await openTicket(t, { subject: 'Login fails', priority: 'low' });
      await openTicket(t, { subject: 'Invoice wrong', description: 'The printer invoice', priority: 'low' });
      await post(t, `/tickets/${login.id}/assign`, { queueId: q.id, assigneeId: a.id });
      const lastWrite = await setStatus(t, printer.id, 'pending');
      const token = { 'x-consistency-token': lastWrite.headers['x-consistency-token'] };

      const ids = async (query: string) => (await get<Page<ListItem>>(t, `/tickets?${query}`, token)).body.items.map((item) => item.id);
      expect(await ids('status=pending')).toEqual([printer.id]);
      expect((await ids('priority=low')).sort()).toEqual([login.id, (await ids('q=invoice'))[0]].sort());
      expect(await ids(`queueId=${q.id}`)).toEqual([login.id]);
      expect(await ids(`assigneeId=${a.id}`)).toEqual([login.id]);
      expect(await ids(`requesterContactId=${contactId}`)).toEqual([printer.id]);
      expect(await ids('q=PRINTER')).toHaveLength(2);
      expect(await ids('q=printer smoke')).toEqual([printer.id]);
      expect(await ids('slaState=ok')).toHaveLength(3);
      expect(await ids('slaState=breached')).toEqual([]);

      const first = (await get<Page<ListItem>>(t, '/tickets?limit=2')).body;
      expect(first.items).toHaveLength(2);
      const second = (await get<Page<ListItem>>(t, `/tickets?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`)).body;
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      expectProblem(await get(t, '/tickets?limit=201'), 400, ['limit']);
      expectProblem(await get(t, '/tickets?slaState=awful'), 400, ['slaState']);
    });

    it('keeps history, answers asOf, and refuses a stale If-Match with 412', async () => {
      const t = uniqueTenant('history');
      const ticket = await openTicket(t, { priority: 'low' });
      const before = new Date().toISOString();
      await eventually(() => Date.now() > Date.parse(before) + 5, { description: 'the clock to move on' });
      expect((await post(t, `/tickets/${ticket.id}/priority`, { priority: 'urgent', reason: 'VIP' })).status).toBe(200);
      const patched = await crm.call<Ticket>('PATCH', `/api/v1/tickets/${ticket.id}`, { tenant: t, body: { subject: 'Printer jams badly', tags: ['hw'] }, headers: { 'if-match': '"1"' } });
      expect(patched.status).toBe(200);
      expect(patched.headers.etag).toBe('"3"');
      expectProblem(await crm.call('PATCH', `/api/v1/tickets/${ticket.id}`, { tenant: t, body: { subject: 'Lost update' }, headers: { 'if-match': '"1"' } }), 412);

      expect((await get(t, `/tickets/${ticket.id}?asOf=${before}`)).body).toMatchObject({ priority: 'low', subject: 'Printer jams' });
      expect((await get(t, `/tickets/${ticket.id}`)).body).toMatchObject({ priority: 'urgent', subject: 'Printer jams badly' });
      const history = (await get<{ items: { type: string; changedFields: string[]; actorId: string }[] }>(t, `/tickets/${ticket.id}/history`)).body.items;
      expect(history.map((entry) => entry.type)).toEqual(['TicketOpened', 'TicketPriorityChanged', 'TicketSubjectChanged', 'TicketTagged']);
      expect(history[1]).toMatchObject({ changedFields: ['priority'], actorId: 'agent-alice' });
      expectProblem(await get(t, `/tickets/${ticket.id}?asOf=yesterday`), 400, ['asOf']);
    });

    it('keeps internal notes internal and bad input out of the store', async () => {
      const t = uniqueTenant('bad');
      expectProblem(await post(t, '/tickets', { channel: 'fax', subject: 'x' }), 400, ['channel']);
      expectProblem(await post(t, '/tickets', { channel: 'web' }), 400, ['subject']);
      expectProblem(await post(t, '/tickets', { channel: 'web', subject: 'x', requesterContactId: 'NOBODY' }), 400, ['requesterContactId']);
      expectProblem(await post(t, '/tickets', { channel: 'web', subject: 'x', priority: 'asap', extra: 1 }), 400, ['priority']);
      expectProblem(await post(t, '/tickets', { channel: 'web', subject: 'x', attachments: [{ name: 'a', url: 'ftp://x', contentType: 'x', size: -1 }] }), 400);
      expectProblem(await get(t, '/tickets/NOSUCHTICKET'), 404);
      expectProblem(await get(t, '/tickets/bad%20id'), 404);
      expectProblem(await post(t, '/queues', { name: 'Q', assignment: 'random' }), 400, ['assignment']);
      expectProblem(await post(t, '/agents', { name: 'A', email: 'a@crm.example', queueIds: ['NOSUCHQUEUE'] }), 400, ['queueIds.0']);
      const ticket = await openTicket(t, {});
      expectProblem(await post(t, `/tickets/${ticket.id}/notes`, { body: '' }), 400, ['body']);
      expect((await post(t, `/tickets/${ticket.id}/notes`, { body: 'Customer is grumpy' })).status).toBe(201);
      expect((await get<{ items: unknown[] }>(t, `/tickets/${ticket.id}/history`)).body.items).toHaveLength(2);
      await waitForList(t, '', 1);
      expect((await get<Page<Queue>>(t, '/queues')).body.items).toHaveLength(0);
    });
  });

  describe('portal', () => {
    it('lets a requester submit, list, read and answer their own tickets only', async () => {
      const t = uniqueTenant('portal');
      const ada = await contact(t, 'ada@portal.example');
      const bob = await contact(t, 'bob@portal.example');
      const adaToken = (await post<{ token: string }>(t, '/portal/sessions', { contactId: ada })).body.token;
      const bobToken = (await post<{ token: string }>(t, '/portal/sessions', { contactId: bob })).body.token;
      const as = (token: string) => ({ authorization: `Bearer ${token}` });

      const submitted = await crm.call<PortalTicket>('POST', '/api/v1/portal/tickets', { body: { subject: 'My printer', description: 'It jams' }, headers: as(adaToken) });
      expect(submitted.status).toBe(201);
      const adaTicket = submitted.body.id;
      expect((await get(t, `/tickets/${adaTicket}`)).body).toMatchObject({ channel: 'web', requesterContactId: ada });
      const bobTicket = (await openTicket(t, { requesterContactId: bob, subject: 'Bob only' })).id;
      await post(t, `/tickets/${adaTicket}/notes`, { body: 'internal: customer owes us money' });
      await post(t, `/tickets/${adaTicket}/replies`, { body: 'We will look at it' });

      const mine = await eventually(
        async () => {
          const list = await crm.call<Page<{ id: string }>>('GET', '/api/v1/portal/tickets', { headers: as(adaToken) });
          return list.body.items.length === 1 ? list.body.items : undefined;
        },
        { description: "Ada's ticket in her portal list" },
      );
      expect(mine.map((item) => item.id)).toEqual([adaTicket]);
      const bobList = await eventually(async () => {
        const list = await crm.call<Page<{ id: string }>>('GET', '/api/v1/portal/tickets', { headers: as(bobToken) });
        return list.body.items.length === 1 ? list.body.items : undefined;
      });
      expect(bobList.map((item) => item.id)).toEqual([bobTicket]);

      const read = await crm.call<PortalTicket>('GET', `/api/v1/portal/tickets/${adaTicket}`, { headers: as(adaToken) });
      expect(read.status).toBe(200);
      expect(read.body.conversation.map((entry) => entry.body)).toEqual(['We will look at it']);
      expect(read.text).not.toContain('owes us money');

      // Bob can neither read nor answer Ada's ticket: it does not exist for him.
      expectProblem(await crm.call('GET', `/api/v1/portal/tickets/${adaTicket}`, { headers: as(bobToken) }), 404);
      expectProblem(await crm.call('POST', `/api/v1/portal/tickets/${adaTicket}/replies`, { body: { body: 'mine now' }, headers: as(bobToken) }), 404);
      expectProblem(await crm.call('GET', `/api/v1/portal/tickets/${adaTicket}`, { headers: as(`${bobToken.slice(0, -2)}xx`) }), 401);
      expectProblem(await crm.call('GET', '/api/v1/portal/tickets'), 401);
      // A session of another tenant does not reach this tenant's tickets either: the tenant comes from the token.
      const otherTenant = uniqueTenant('portal-other');
      const eve = await contact(otherTenant, 'eve@portal.example');
      const eveToken = (await post<{ token: string }>(otherTenant, '/portal/sessions', { contactId: eve })).body.token;
      expectProblem(await crm.call('GET', `/api/v1/portal/tickets/${adaTicket}`, { tenant: t, headers: as(eveToken) }), 404);

      const answered = await crm.call<PortalTicket>('POST', `/api/v1/portal/tickets/${adaTicket}/replies`, { body: { body: 'Thanks!' }, headers: as(adaToken) });
      expect(answered.status).toBe(201);
      expect(answered.body.conversation.map((entry) => entry.authorType)).toEqual(['agent', 'requester']);
      expect((await get(t, `/tickets/${adaTicket}`)).body.conversation).toHaveLength(3);
    });
  });

  describe('CSAT', () => {
    it('requests a survey when solved, takes one answer per token, and credits the agent and queue', async () => {
      const t = uniqueTenant('csat');
      const q = (await post<Queue>(t, '/queues', { name: 'Care' })).body;
      const a = (await post<Agent>(t, '/agents', { name: 'Alan', email: 'alan@crm.example', queueIds: [q.id] })).body;
      const requester = await contact(t, 'csat@example.com');
      const ticket = await openTicket(t, { requesterContactId: requester });
      await post(t, `/tickets/${ticket.id}/assign`, { queueId: q.id, assigneeId: a.id });
      expect((await setStatus(t, ticket.id, 'solved')).body.csat).toMatchObject({ answered: false, score: null });

      const bus = new EmbeddedMessageBus({ path: join(crm.dataDir, 'bus.db') });
      const events: IntegrationEvent[] = [];
      const consumer = await bus.consume({ group: `csat-test-${t}`, topics: [TICKETS_TOPIC], handler: async (event) => void (event.tenantid === t && events.push(event)) });
      try {
        const requested = await eventually(() => events.find((event) => event.type === ticketEventType('csat-requested')), { timeoutMs: 20_000, description: 'the csat-requested event' });
        const survey = fromJson(TicketCsatRequestedSchema, requested.data as never);
        expect(survey).toMatchObject({ ticketId: ticket.id, requesterEmail: 'csat@example.com', assigneeId: a.id, queueId: q.id });
        expect(events.map((event) => event.type)).toEqual(expect.arrayContaining([ticketEventType('opened'), ticketEventType('assigned'), ticketEventType('solved')]));

        expectProblem(await post(t, `/tickets/${ticket.id}/csat`, { token: `${survey.token.slice(0, -3)}AAA`, score: 5 }), 400, ['token']);
        expectProblem(await post(t, `/tickets/${ticket.id}/csat`, { token: survey.token, score: 9 }), 400, ['score']);
        const answered = await post(t, `/tickets/${ticket.id}/csat`, { token: survey.token, score: 4, comment: 'Quick and kind' });
        expect(answered.status).toBe(201);
        expectProblem(await post(t, `/tickets/${ticket.id}/csat`, { token: survey.token, score: 1 }), 409);
        expect((await get(t, `/tickets/${ticket.id}`)).body.csat).toMatchObject({ answered: true, score: 4 });

        const received = await eventually(() => events.find((event) => event.type === ticketEventType('csat-received')), { timeoutMs: 20_000 });
        expect(fromJson(TicketCsatReceivedSchema, received.data as never)).toMatchObject({ score: 4, assigneeId: a.id, queueId: q.id, comment: 'Quick and kind' });
        await eventually(async () => (await get<Page<Agent>>(t, '/agents')).body.items[0]?.csat?.averageScore === 4, { description: "the agent's CSAT" });
        expect((await get<Page<Queue>>(t, '/queues')).body.items[0].csat).toEqual({ responses: 1, averageScore: 4 });
      } finally {
        await consumer.close();
        await bus.close();
      }
    });

    it('shows the open survey to the requester in the portal, and a reopened ticket supersedes it', async () => {
      const t = uniqueTenant('csat');
      const requester = await contact(t, 'portal-csat@example.com');
      const token = (await post<{ token: string }>(t, '/portal/sessions', { contactId: requester })).body.token;
      const ticket = await openTicket(t, { requesterContactId: requester });
      await setStatus(t, ticket.id, 'solved');
      const portal = (await crm.call<PortalTicket>('GET', `/api/v1/portal/tickets/${ticket.id}`, { headers: { authorization: `Bearer ${token}` } })).body;
      expect(portal.csatSurvey).not.toBeNull();
      await setStatus(t, ticket.id, 'open');
      await setStatus(t, ticket.id, 'solved');
      expectProblem(await post(t, `/tickets/${ticket.id}/csat`, { token: portal.csatSurvey!.token, score: 5 }), 410);
      expectProblem(await post(t, `/tickets/NOSUCHTICKET/csat`, { token: portal.csatSurvey!.token, score: 5 }), 400, ['token']);
    });
  });

  it('documents every route in the gateway OpenAPI', async () => {
    const document = (await crm.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs-json')).body;
    const expected: [string, string][] = [
      ['/api/v1/tickets', 'post'],
      ['/api/v1/tickets', 'get'],
      ['/api/v1/tickets/{id}', 'get'],
      ['/api/v1/tickets/{id}', 'patch'],
      ['/api/v1/tickets/{id}/history', 'get'],
      ['/api/v1/tickets/{id}/status', 'post'],
      ['/api/v1/tickets/{id}/priority', 'post'],
      ['/api/v1/tickets/{id}/assign', 'post'],
      ['/api/v1/tickets/{id}/replies', 'post'],
      ['/api/v1/tickets/{id}/notes', 'post'],
      ['/api/v1/tickets/{id}/flags', 'post'],
      ['/api/v1/tickets/{id}/csat', 'post'],
      ['/api/v1/queues', 'post'],
      ['/api/v1/queues', 'get'],
      ['/api/v1/agents', 'post'],
      ['/api/v1/agents', 'get'],
      ['/api/v1/inbound/email', 'post'],
      ['/api/v1/portal/sessions', 'post'],
      ['/api/v1/portal/tickets', 'post'],
      ['/api/v1/portal/tickets', 'get'],
      ['/api/v1/portal/tickets/{id}', 'get'],
      ['/api/v1/portal/tickets/{id}/replies', 'post'],
    ];
    for (const [path, method] of expected) expect({ path, method, documented: Boolean(document.paths[path]?.[method]) }).toEqual({ path, method, documented: true });
  });
});
