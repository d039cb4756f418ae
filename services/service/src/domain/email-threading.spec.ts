import {
  normaliseMessageId,
  outgoingMessageId,
  referencedMessageIds,
  replySubject,
  shortIdInSubject,
  subjectToken,
  ticketIdForEmail,
  ticketIdInOutgoingMessageId,
} from './email-threading';

const TICKET = '01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('email threading rules', () => {
  it('compares Message-IDs without brackets, blanks or case', () => {
    expect(normaliseMessageId(' <CAF123@Mail.Example.com> ')).toBe('caf123@mail.example.com');
  });

  it('given our own outgoing Message-ID, when answered, then it names the ticket', () => {
    const header = outgoingMessageId(TICKET, '01JMESSAGE00000000000000AA');
    expect(ticketIdInOutgoingMessageId(header)).toBe(TICKET);
    expect(ticketIdInOutgoingMessageId('<abc.def@elsewhere.com>')).toBeNull();
  });

  it('given In-Reply-To and References, then the most specific id comes first, each once', () => {
    expect(referencedMessageIds({ inReplyTo: '<c@x>', references: ['<a@x>', '<b@x> <c@x>'] })).toEqual(['c@x', 'b@x', 'a@x']);
    expect(referencedMessageIds({})).toEqual([]);
  });

  it('puts the subject token in reply subjects once, with one Re:', () => {
    const token = subjectToken(TICKET);
    expect(token).toBe('[#T-STVWXYZ0]');
    expect(replySubject('Printer jams', TICKET)).toBe(`Re: Printer jams ${token}`);
    expect(replySubject(`Re: Printer jams ${token}`, TICKET)).toBe(`Re: Printer jams ${token}`);
  });

  it('given a subject with a token, then the short id, whatever the case', () => {
    expect(shortIdInSubject('RE: Printer jams [#t-stvwxyz0]')).toBe('T-STVWXYZ0');
    expect(shortIdInSubject('Printer jams')).toBeNull();
    expect(shortIdInSubject('[#T-123]')).toBeNull();
  });

  it('derives the same ticket id from the same Message-ID in a tenant, and another in another tenant', () => {
    const id = ticketIdForEmail('acme', '<CAF123@mail.example.com>');
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ticketIdForEmail('acme', 'caf123@mail.example.com')).toBe(id);
    expect(ticketIdForEmail('globex', 'caf123@mail.example.com')).not.toBe(id);
  });
});
