// Preloaded into a benchmark gateway by `npm run bench:compare -- --profile --heap`: samples every
// allocation (V8's sampling heap profiler, objects the collectors freed included) from start-up to
// exit and writes the profile to $HEAP_SAMPLE_DIR/gateway.heapprofile. The in-process inspector
// session answers synchronously, so the profile is written from the 'exit' handler.
import console from 'node:console';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import process from 'node:process';

const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) console.error('heap sampling:', error.message);
    else writeFileSync(`${process.env.HEAP_SAMPLE_DIR}/gateway.heapprofile`, JSON.stringify(result.profile));
  });
});
