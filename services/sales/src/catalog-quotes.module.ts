import { Module } from '@nestjs/common';
import { ContactDirectoryModule } from './contact-directory.module';

/** Products, price books, quotes and orders. */
@Module({
  imports: [ContactDirectoryModule],
  controllers: [],
  providers: [],
  exports: [],
})
export class CatalogQuotesModule {}
