import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini sets no locale: without one, every issue's message is "Invalid input". These are the English
// messages zod's classic API sets when it builds its first schema, what an operator reads (and the tests
// assert) for every field without a message of its own. They are made when a value is parsed, so the modules
// every schema comes through import this (contract/schemas.ts, contract/milestones.ts, wait.ts).
// `en` from 'zod/locales' rather than `z.locales.en`: through the namespace, esbuild keeps every locale
// (about 260 KB more per asset).
// Only when none is set: the construct's configuration is parsed inside the user's CDK app, whose own zod
// locale (zod keeps one per process) is left as it was, as zod's classic API does.
if (!z.config().localeError) z.config(en());
