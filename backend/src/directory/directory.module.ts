import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectorySearchService } from './directory-search.service';
import { IdentityStoreRegistry } from './identity-store.registry';

/** Identity stores (AD, OpenLDAP ppolicy, Entra ID) and directory search. Needs ConfigModule (global). */
@Module({
  controllers: [DirectoryController],
  providers: [IdentityStoreRegistry, DirectorySearchService],
  exports: [IdentityStoreRegistry, DirectorySearchService],
})
export class DirectoryModule {}
