import { desc, eq } from 'drizzle-orm';
import type { Executor } from './db.js';
import { comments } from './schema.js';

export interface NewComment {
  unitId: string;
  counterId: string | null;
  officerId: string | null;
  dossierId: string | null;
  body: string;
  contact: string | null;
}

export async function addComment(db: Executor, c: NewComment): Promise<number> {
  const [row] = await db.insert(comments).values(c).returning({ id: comments.id });
  return row!.id;
}

export async function recentComments(db: Executor, unitId: string, limit = 20) {
  return db
    .select()
    .from(comments)
    .where(eq(comments.unitId, unitId))
    .orderBy(desc(comments.createdAt))
    .limit(limit);
}
