// Names as zod schemas: workspaces and channels are lower-case slugs, users a little freer. The plain
// parsers (channel references, topics) are in refs.ts, which loads no zod.

import { z } from 'zod';
import { SLUG_PATTERN } from './refs.js';

export const Slug = z.string().regex(SLUG_PATTERN, 'lower-case letters, digits, "-" and "_", at most 63');
export const UserName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "-" and "_"');

