import { DomainError } from '@crm/decider';
import { given } from '@crm/decider/testing';
import { dealDecider, type DealEvent, lineItemsNetTotal, type StageRef } from './deal';

const qualify: StageRef = { pipelineId: 'p1', stageId: 's-qualify', type: 'open', probability: 10 };
const propose: StageRef = { pipelineId: 'p1', stageId: 's-propose', type: 'open', probability: 50 };
const won: StageRef = { pipelineId: 'p1', stageId: 's-won', type: 'won', probability: 100 };
const wonToo: StageRef = { pipelineId: 'p1', stageId: 's-won-2', type: 'won', probability: 100 };
const lost: StageRef = { pipelineId: 'p1', stageId: 's-lost', type: 'lost', probability: 0 };
const otherPipeline: StageRef = { pipelineId: 'p2', stageId: 's-elsewhere', type: 'open', probability: 30 };
const today = '2026-11-20';

const created: DealEvent = {
  type: 'DealCreated',
  data: {
    dealId: 'd1',
    title: 'Acme renewal',
    pipelineId: 'p1',
    stageId: 's-qualify',
    stageType: 'open',
    probability: 10,
    amount: '1000.00',
    currency: 'EUR',
    expectedCloseDate: '2026-12-15',
    ownerId: 'alice',
    contactId: 'c1',
    companyId: 'k1',
    forecastCategory: 'pipeline',
    lineItems: [],
  },
};

const withLines: DealEvent = {
  type: 'DealLineItemsChanged',
  data: { dealId: 'd1', lineItems: [{ lineId: 'l1', productId: null, name: 'Licence', quantity: '2', unitPrice: '500.00', discountPercent: '0', taxPercent: '21' }] },
};

const wonEvents: DealEvent[] = [
  { type: 'DealStageChanged', data: { dealId: 'd1', pipelineId: 'p1', fromStageId: 's-qualify', toStageId: 's-won', stageType: 'won', probability: 100, comment: null } },
  { type: 'DealWon', data: { dealId: 'd1', reason: 'Best offer', closedOn: today } },
];

const lostEvents: DealEvent[] = [
  { type: 'DealStageChanged', data: { dealId: 'd1', pipelineId: 'p1', fromStageId: 's-qualify', toStageId: 's-lost', stageType: 'lost', probability: 0, comment: null } },
  { type: 'DealLost', data: { dealId: 'd1', reason: 'Too expensive', closedOn: today } },
];

const stageChanged = (from: string, to: StageRef, comment: string | null = null): DealEvent => ({
  type: 'DealStageChanged',
  data: { dealId: 'd1', pipelineId: 'p1', fromStageId: from, toStageId: to.stageId, stageType: to.type, probability: to.probability, comment },
});

describe('deal decider', () => {
  describe('creating', () => {
    it('creates a deal in an open stage with the stage probability and normalised money', () => {
      given(dealDecider)
        .when({
          type: 'CreateDeal',
          dealId: 'd1',
          stage: qualify,
          input: { title: ' Acme renewal ', amount: '1000', currency: 'eur', expectedCloseDate: '2026-12-15', ownerId: 'alice', contactId: 'c1', companyId: 'k1' },
        })
        .then([created]);
    });

    it('needs a title, an amount and a currency', () => {
      const stage = qualify;
      given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage, input: { title: ' ', amount: '1', currency: 'EUR' } }).thenThrows(DomainError, /title/);
      given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage, input: { title: 'T', currency: 'EUR' } }).thenThrows(DomainError, /amount/);
      given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage, input: { title: 'T', amount: '1' } }).thenThrows(DomainError, /currency/);
    });

    it('refuses negative amounts, float-like junk, too many decimals and unknown currencies', () => {
      const create = (amount: string, currency = 'EUR') => given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage: qualify, input: { title: 'T', amount, currency } });
      create('-1').thenThrows(DomainError, /negative/);
      create('1e6').thenThrows(DomainError, /amount/);
      create('10.999').thenThrows(DomainError, /decimal places/);
      create('10', 'EURO').thenThrows(DomainError, /currency/);
    });

    it('refuses a start in a won or lost stage: closing needs a reason', () => {
      given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage: won, input: { title: 'T', amount: '1', currency: 'EUR' } }).thenThrows(DomainError, /open stage/);
    });

    it('refuses impossible dates and unknown forecast categories', () => {
      given(dealDecider)
        .when({ type: 'CreateDeal', dealId: 'd1', stage: qualify, input: { title: 'T', amount: '1', currency: 'EUR', expectedCloseDate: '2026-02-30' } })
        .thenThrows(DomainError, /expectedCloseDate/);
      given(dealDecider)
        .when({ type: 'CreateDeal', dealId: 'd1', stage: qualify, input: { title: 'T', amount: '1', currency: 'EUR', forecastCategory: 'maybe' as never } })
        .thenThrows(DomainError, /forecastCategory/);
    });

    it('takes the net total of the line items as amount when none is given, rounded once', () => {
      given(dealDecider)
        .when({
          type: 'CreateDeal',
          dealId: 'd1',
          stage: qualify,
          input: {
            title: 'T',
            currency: 'EUR',
            lineItems: [
              { lineId: 'l1', name: 'Seat', quantity: '3', unitPrice: '33.335', discountPercent: '10' },
              { lineId: 'l2', name: 'Setup', unitPrice: '0.005' },
            ],
          },
        })
        .then(([event]) => {
          // 3 × 33.335 × 0.9 = 90.0045, + 0.005 = 90.0095 → 90.01
          expect(event.data).toMatchObject({ amount: '90.01', currency: 'EUR' });
          expect((event.data as { lineItems: unknown[] }).lineItems).toEqual([
            { lineId: 'l1', productId: null, name: 'Seat', quantity: '3', unitPrice: '33.335', discountPercent: '10', taxPercent: '0' },
            { lineId: 'l2', productId: null, name: 'Setup', quantity: '1', unitPrice: '0.005', discountPercent: '0', taxPercent: '0' },
          ]);
        });
    });

    it('checks line items: names, positive quantities, prices, percentages within 0-100, unique ids', () => {
      const create = (lineItems: never[]) => given(dealDecider).when({ type: 'CreateDeal', dealId: 'd1', stage: qualify, input: { title: 'T', amount: '1', currency: 'EUR', lineItems } });
      create([{ lineId: 'l1', unitPrice: '1' }] as never[]).thenThrows(DomainError, /name/);
      create([{ lineId: 'l1', name: 'X', quantity: '0', unitPrice: '1' }] as never[]).thenThrows(DomainError, /quantity/);
      create([{ lineId: 'l1', name: 'X', unitPrice: '-1' }] as never[]).thenThrows(DomainError, /unitPrice/);
      create([{ lineId: 'l1', name: 'X' }] as never[]).thenThrows(DomainError, /unit price/);
      create([{ lineId: 'l1', name: 'X', unitPrice: '1', discountPercent: '101' }] as never[]).thenThrows(DomainError, /discountPercent/);
      create([{ lineId: 'l1', name: 'X', unitPrice: '1', taxPercent: '-1' }] as never[]).thenThrows(DomainError, /taxPercent/);
      create([{ lineId: 'l1', name: 'X', unitPrice: '1' }, { lineId: 'l1', name: 'Y', unitPrice: '1' }] as never[]).thenThrows(DomainError, /unique/);
    });

    it('refuses to create a deal twice', () => {
      given(dealDecider, [created]).when({ type: 'CreateDeal', dealId: 'd1', stage: qualify, input: { title: 'T', amount: '1', currency: 'EUR' } }).thenThrows(DomainError, /already exists/);
    });
  });

  describe('updating', () => {
    it('records each changed field as its own event and ignores unchanged ones', () => {
      given(dealDecider, [created])
        .when({ type: 'UpdateDeal', input: { title: 'Acme renewal', amount: '1500.5', expectedCloseDate: null, ownerId: 'bob', forecastCategory: 'commit', companyId: null } })
        .then([
          { type: 'DealAmountChanged', data: { dealId: 'd1', amount: '1500.50', currency: 'EUR' } },
          { type: 'DealExpectedCloseDateChanged', data: { dealId: 'd1', expectedCloseDate: null } },
          { type: 'DealOwnerChanged', data: { dealId: 'd1', ownerId: 'bob' } },
          { type: 'DealForecastCategoryChanged', data: { dealId: 'd1', forecastCategory: 'commit' } },
          { type: 'DealContactLinked', data: { dealId: 'd1', contactId: 'c1', companyId: null } },
        ]);
      given(dealDecider, [created]).when({ type: 'UpdateDeal', input: { title: 'Acme renewal', amount: '1000.0' } }).thenNothingHappens();
    });

    it('needs the amount restated in a new currency', () => {
      given(dealDecider, [created]).when({ type: 'UpdateDeal', input: { currency: 'USD' } }).thenThrows(DomainError, /new currency/);
      given(dealDecider, [created])
        .when({ type: 'UpdateDeal', input: { amount: '1100', currency: 'USD' } })
        .then([{ type: 'DealAmountChanged', data: { dealId: 'd1', amount: '1100.00', currency: 'USD' } }]);
    });

    it('refuses a currency change while the line items are priced in the old currency', () => {
      given(dealDecider, [created, withLines]).when({ type: 'UpdateDeal', input: { amount: '150000', currency: 'JPY' } }).thenThrows(DomainError, /Currency mismatch/);
      given(dealDecider, [created, withLines])
        .when({ type: 'UpdateDeal', input: { amount: '150000', currency: 'JPY', lineItems: [{ lineId: 'l1', name: 'Licence', quantity: '2', unitPrice: '75000' }] } })
        .then(([amount, lines]) => {
          expect(amount).toEqual({ type: 'DealAmountChanged', data: { dealId: 'd1', amount: '150000', currency: 'JPY' } });
          expect(lines.type).toBe('DealLineItemsChanged');
        });
    });

    it('prices new line items in the currency of the same change', () => {
      // 0.5 has more decimals than JPY has, but unit prices may carry up to six.
      given(dealDecider, [created])
        .when({ type: 'UpdateDeal', input: { amount: '100', currency: 'JPY', lineItems: [{ lineId: 'l1', name: 'Screw', quantity: '200', unitPrice: '0.5' }] } })
        .then(([, lines]) => expect(lines.data).toMatchObject({ lineItems: [{ unitPrice: '0.5' }] }));
    });

    it('refuses negative amounts on update', () => {
      given(dealDecider, [created]).when({ type: 'UpdateDeal', input: { amount: '-10' } }).thenThrows(DomainError, /negative/);
    });
  });

  describe('moving between stages', () => {
    it('records the move with its comment', () => {
      given(dealDecider, [created])
        .when({ type: 'MoveDeal', stage: propose, comment: ' Sent the proposal ', today })
        .then([stageChanged('s-qualify', propose, 'Sent the proposal')]);
    });

    it('changes nothing when the deal is in the stage already', () => {
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: qualify, comment: 'again', today }).thenNothingHappens();
    });

    it('refuses a stage of another pipeline', () => {
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: otherPipeline, today }).thenThrows(DomainError, /another pipeline/);
    });

    it('closes the deal when moved into a won or lost stage, and only with a reason', () => {
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: won, today }).thenThrows(DomainError, /reason/);
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: lost, reason: '  ', today }).thenThrows(DomainError, /reason/);
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: won, reason: 'Best offer', today }).then(wonEvents);
      given(dealDecider, [created]).when({ type: 'MoveDeal', stage: lost, reason: 'Too expensive', today }).then(lostEvents);
    });

    it('reopens a closed deal moved back into an open stage', () => {
      given(dealDecider, [created, ...wonEvents])
        .when({ type: 'MoveDeal', stage: propose, comment: 'Customer backed out', today })
        .then([stageChanged('s-won', propose, 'Customer backed out'), { type: 'DealReopened', data: { dealId: 'd1' } }]);
    });

    it('turns a won deal into a lost one with a reason, and keeps it won between two won stages', () => {
      given(dealDecider, [created, ...wonEvents])
        .when({ type: 'MoveDeal', stage: lost, reason: 'Contract cancelled', today })
        .then([stageChanged('s-won', lost), { type: 'DealLost', data: { dealId: 'd1', reason: 'Contract cancelled', closedOn: today } }]);
      given(dealDecider, [created, ...wonEvents]).when({ type: 'MoveDeal', stage: wonToo, reason: 'Paid', today }).then([stageChanged('s-won', wonToo)]);
    });

    it('refuses to move a deleted or unknown deal', () => {
      given(dealDecider).when({ type: 'MoveDeal', stage: propose, today }).thenThrows(DomainError, /not found/);
      given(dealDecider, [created, { type: 'DealDeleted', data: { dealId: 'd1' } }]).when({ type: 'MoveDeal', stage: propose, today }).thenThrows(DomainError, /not found/);
    });
  });

  describe('winning and losing', () => {
    it('wins into the given won stage with a reason and a closing date', () => {
      given(dealDecider, [created]).when({ type: 'CloseDeal', outcome: 'won', stage: won, reason: 'Best offer', today }).then(wonEvents);
    });

    it('needs a reason', () => {
      given(dealDecider, [created]).when({ type: 'CloseDeal', outcome: 'lost', stage: lost, reason: null, today }).thenThrows(DomainError, /reason/);
    });

    it('refuses a stage of the wrong type or of another pipeline', () => {
      given(dealDecider, [created]).when({ type: 'CloseDeal', outcome: 'won', stage: lost, reason: 'x', today }).thenThrows(DomainError, /not a won stage/);
      given(dealDecider, [created])
        .when({ type: 'CloseDeal', outcome: 'won', stage: { ...won, pipelineId: 'p2' }, reason: 'x', today })
        .thenThrows(DomainError, /another pipeline/);
    });

    it('refuses to win a won deal again, but lets a won deal be lost', () => {
      given(dealDecider, [created, ...wonEvents]).when({ type: 'CloseDeal', outcome: 'won', stage: won, reason: 'again', today }).thenThrows(DomainError, /already won/);
      given(dealDecider, [created, ...wonEvents])
        .when({ type: 'CloseDeal', outcome: 'lost', stage: lost, reason: 'Cancelled', today })
        .then([stageChanged('s-won', lost), { type: 'DealLost', data: { dealId: 'd1', reason: 'Cancelled', closedOn: today } }]);
    });
  });

  describe('reopening', () => {
    it('reopens a won or lost deal into an open stage', () => {
      const reopened = (from: string) => [stageChanged(from, propose, 'Second chance'), { type: 'DealReopened', data: { dealId: 'd1' } }];
      given(dealDecider, [created, ...lostEvents]).when({ type: 'ReopenDeal', stage: propose, comment: 'Second chance' }).then(reopened('s-lost') as DealEvent[]);
      const state = given(dealDecider, [created, ...wonEvents]).when({ type: 'ReopenDeal', stage: propose, comment: 'Second chance' }).then(reopened('s-won') as DealEvent[]);
      expect(state).toMatchObject({ status: 'open', closeReason: null, closedOn: null, stageId: 's-propose', probability: 50 });
    });

    it('refuses to reopen an open deal', () => {
      given(dealDecider, [created]).when({ type: 'ReopenDeal', stage: propose }).thenThrows(DomainError, /open/);
    });

    it('refuses to reopen into a closed stage or another pipeline', () => {
      given(dealDecider, [created, ...lostEvents]).when({ type: 'ReopenDeal', stage: won }).thenThrows(DomainError, /open stage/);
      given(dealDecider, [created, ...lostEvents]).when({ type: 'ReopenDeal', stage: otherPipeline }).thenThrows(DomainError, /another pipeline/);
    });
  });

  describe('comments', () => {
    it('records a comment once per comment id, and needs text', () => {
      const comment: DealEvent = { type: 'DealCommented', data: { dealId: 'd1', commentId: 'm1', text: 'Budget approved' } };
      given(dealDecider, [created]).when({ type: 'CommentDeal', commentId: 'm1', text: ' Budget approved ' }).then([comment]);
      given(dealDecider, [created, comment]).when({ type: 'CommentDeal', commentId: 'm1', text: 'Budget approved' }).thenNothingHappens();
      given(dealDecider, [created]).when({ type: 'CommentDeal', commentId: 'm2', text: '   ' }).thenThrows(DomainError, /text/);
    });
  });

  describe('following contact merges', () => {
    const merged: DealEvent = {
      type: 'DealContactRelinked',
      data: { dealId: 'd1', fromContactId: 'c1', toContactId: 'c9', reason: 'contact_merged', mergeEventId: 'e-merge' },
    };

    it('relinks a deal of the merged contact to the survivor, once per merge event', () => {
      given(dealDecider, [created]).when({ type: 'RelinkDealContact', fromContactId: 'c1', toContactId: 'c9', reason: 'contact_merged', mergeEventId: 'e-merge' }).then([merged]);
      given(dealDecider, [created, merged])
        .when({ type: 'RelinkDealContact', fromContactId: 'c1', toContactId: 'c9', reason: 'contact_merged', mergeEventId: 'e-merge' })
        .thenNothingHappens();
    });

    it('leaves deals of other contacts alone', () => {
      given(dealDecider, [created]).when({ type: 'RelinkDealContact', fromContactId: 'c2', toContactId: 'c9', reason: 'contact_merged', mergeEventId: 'e-merge' }).thenNothingHappens();
    });

    it('sends back on unmerge only the deals that merge moved', () => {
      const unmerge = { type: 'RelinkDealContact', fromContactId: 'c9', toContactId: 'c1', reason: 'contact_unmerged', mergeEventId: 'e-unmerge' } as const;
      given(dealDecider, [created, merged])
        .when(unmerge)
        .then([{ type: 'DealContactRelinked', data: { dealId: 'd1', fromContactId: 'c9', toContactId: 'c1', reason: 'contact_unmerged', mergeEventId: 'e-unmerge' } }]);
      // Linked to the survivor by hand: not the merge's doing.
      const byHand: DealEvent = { ...created, data: { ...(created.data as object), contactId: 'c9' } } as DealEvent;
      given(dealDecider, [byHand]).when(unmerge).thenNothingHappens();
      // Relinked by the merge, then someone linked the survivor again explicitly after changing it.
      const relinkedByHand: DealEvent[] = [
        { type: 'DealContactLinked', data: { dealId: 'd1', contactId: 'c5', companyId: 'k1' } },
        { type: 'DealContactLinked', data: { dealId: 'd1', contactId: 'c9', companyId: 'k1' } },
      ];
      given(dealDecider, [created, merged, ...relinkedByHand]).when(unmerge).thenNothingHappens();
    });

    it('does nothing for a deleted deal', () => {
      given(dealDecider, [created, { type: 'DealDeleted', data: { dealId: 'd1' } }])
        .when({ type: 'RelinkDealContact', fromContactId: 'c1', toContactId: 'c9', reason: 'contact_merged', mergeEventId: 'e-merge' })
        .thenNothingHappens();
    });
  });

  describe('deleting', () => {
    it('deletes a deal, after which it is not found', () => {
      given(dealDecider, [created]).when({ type: 'DeleteDeal' }).then([{ type: 'DealDeleted', data: { dealId: 'd1' } }]);
      given(dealDecider, [created, { type: 'DealDeleted', data: { dealId: 'd1' } }]).when({ type: 'DeleteDeal' }).thenThrows(DomainError, /not found/);
    });
  });

  it('computes line totals net of discount, before tax', () => {
    expect(
      lineItemsNetTotal(
        [{ lineId: 'l1', productId: null, name: 'X', quantity: '1.5', unitPrice: '10.00', discountPercent: '33.3333', taxPercent: '21' }],
        'EUR',
      ),
    ).toEqual({ amount: '10.00', currency: 'EUR' });
  });
});
