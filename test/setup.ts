import '../simulator/engine/polyfills';
import { hideSdkNodeVersionNotice } from '../cli/node-warnings';

// Every test process (and each child it starts) creates SDK clients: the same switch as the CLI's entries.
hideSdkNodeVersionNotice();
