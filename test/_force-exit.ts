// ava hangs after the last test if a worker pool handle leaks; this keeps CI from hanging (exit code kept).
import { registerCompletionHandler } from 'ava';
registerCompletionHandler(() => { process.exit(); });
