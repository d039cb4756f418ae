import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/eventstore';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { DurableTimerScheduler, IntegrationEventMappers, ProjectionHost } from '@crm/runtime';
import { OrdersController } from './api/orders.controller';
import { PriceBooksController } from './api/price-books.controller';
import { ProductsController } from './api/products.controller';
import { QuotesController } from './api/quotes.controller';
import { CatalogQueries, CatalogService } from './application/catalog.service';
import { ContactDirectory } from './application/contact-directory';
import { OrdersService } from './application/orders.service';
import { QUOTE_DOCUMENT_RENDERER, QuoteDocuments, type QuoteDocumentRenderer } from './application/quote-documents';
import { QuoteDeals } from './application/quote-deals';
import { QuoteNumbers } from './application/quote-numbers';
import { QuotesService } from './application/quotes.service';
import { ContactDirectoryModule } from './contact-directory.module';
import { catalogProjection } from './infrastructure/catalog.projection';
import { QuoteIntegrationEventMapper } from './infrastructure/quote-integration-events';
import { PdfQuoteRenderer } from './infrastructure/quote-pdf';
import { ORDER_PLACEMENT_TIMERS, QUOTE_EXPIRY_TIMERS, quotesProjection } from './infrastructure/quotes.projection';

/** Plugs the feature into the service runtime: its projections, its integration events and its timers. */
@Injectable()
class CatalogQuotesRuntime implements OnModuleInit {
  constructor(
    @Inject(ProjectionHost) private readonly projections: ProjectionHost,
    @Inject(IntegrationEventMappers) private readonly mappers: IntegrationEventMappers,
    @Inject(DurableTimerScheduler) private readonly timers: DurableTimerScheduler,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(QuotesService) private readonly quotes: QuotesService,
  ) {}

  onModuleInit() {
    this.projections.add(catalogProjection);
    this.projections.add(quotesProjection);
    this.mappers.add(new QuoteIntegrationEventMapper(this.eventStore).map);
    this.timers.register(QUOTE_EXPIRY_TIMERS, (timer) => this.quotes.expireOnTimer(timer));
    this.timers.register(ORDER_PLACEMENT_TIMERS, (timer) => this.quotes.placeOrderOnTimer(timer));
  }
}

/** Products, price books, quotes and orders. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [ProductsController, PriceBooksController, QuotesController, OrdersController],
  providers: [
    { provide: CatalogService, useFactory: (store: EventStore) => new CatalogService(store), inject: [EVENT_STORE] },
    { provide: CatalogQueries, useFactory: (readStore: ReadStore) => new CatalogQueries(readStore), inject: [READ_STORE] },
    { provide: OrdersService, useFactory: (store: EventStore, readStore: ReadStore) => new OrdersService(store, readStore), inject: [EVENT_STORE, READ_STORE] },
    {
      provide: QuotesService,
      useFactory: (store: EventStore, readStore: ReadStore, catalog: CatalogService, orders: OrdersService, directory: ContactDirectory) =>
        new QuotesService(store, readStore, catalog, new QuoteDeals(store), orders, new QuoteNumbers(store), directory),
      inject: [EVENT_STORE, READ_STORE, CatalogService, OrdersService, ContactDirectory],
    },
    { provide: QUOTE_DOCUMENT_RENDERER, useValue: new PdfQuoteRenderer() },
    {
      provide: QuoteDocuments,
      useFactory: (quotes: QuotesService, directory: ContactDirectory, renderer: QuoteDocumentRenderer) => new QuoteDocuments(quotes, directory, renderer),
      inject: [QuotesService, ContactDirectory, QUOTE_DOCUMENT_RENDERER],
    },
    CatalogQuotesRuntime,
  ],
  exports: [CatalogService, QuotesService, OrdersService],
})
export class CatalogQuotesModule {}
