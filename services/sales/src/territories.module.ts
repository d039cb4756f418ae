import { Module } from '@nestjs/common';
import { NO_OWNER_ASSIGNMENT, OWNER_ASSIGNMENT } from './application/owner-assignment';

/** Territories: rules that give new leads and deals an owner (OWNER_ASSIGNMENT). */
@Module({
  controllers: [],
  providers: [{ provide: OWNER_ASSIGNMENT, useValue: NO_OWNER_ASSIGNMENT }],
  exports: [OWNER_ASSIGNMENT],
})
export class TerritoriesModule {}
