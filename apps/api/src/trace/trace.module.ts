import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { NodeAddressDirectory } from './node-address-directory';
import { TraceChangesService } from './trace-changes.service';
import { TraceResolver } from './trace.resolver';
import { TraceService } from './trace.service';

/** Path traces over the stored history (libs/trace over FactStore reads): `trace` and `traceChanges`. */
@Module({
  imports: [HistoryModule],
  providers: [NodeAddressDirectory, TraceService, TraceChangesService, TraceResolver],
})
export class TraceModule {}
