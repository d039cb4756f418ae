import { Module, type OnModuleInit, Inject } from '@nestjs/common';
import { READ_STORE, type ReadStore } from '@crm/readstore';
import { ReplicatedDirectory } from '@crm/runtime';
import { ContactsEventsConsumer } from './api/contacts-events.consumer';
import { ContactDirectory } from './application/contact-directory';

class DirectoryIndexes implements OnModuleInit {
  constructor(@Inject(ContactDirectory) private readonly directory: ContactDirectory) {}

  async onModuleInit() {
    await this.directory.ensureIndexes();
  }
}

/** The local copy of contacts and companies (see ContactDirectory). */
@Module({
  controllers: [ContactsEventsConsumer],
  providers: [
    { provide: ContactDirectory, useFactory: (store: ReadStore) => new ContactDirectory(new ReplicatedDirectory(store), store), inject: [READ_STORE] },
    DirectoryIndexes,
  ],
  exports: [ContactDirectory],
})
export class ContactDirectoryModule {}
