import { createPublicKey } from 'node:crypto';
import { MAX_RELEASE_KEYS, type ReleaseManifest, ReleaseVersion, releaseKeyId } from '@onestop/protocol';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { inTransaction } from './notify.js';
import { auditLog, releaseKeys, releases } from './schema.js';

/** At most this many keys are trusted at once: what a pairing answer can carry. */
export const MAX_TRUSTED_RELEASE_KEYS = MAX_RELEASE_KEYS;

export interface TrustedReleaseKey {
  keyId: string;
  name: string;
  publicPem: string;
  addedBy: string;
  addedAt: Date;
}

/** The key's short name (`releaseKeyId`), for an Ed25519 PEM public key only. */
function keyIdOf(pem: string): string {
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new StoreInputError('not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new StoreInputError(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return releaseKeyId(key);
}

/** Trusts a release signing key (audited); adding one already trusted changes nothing. */
export async function trustReleaseKey(
  db: Executor,
  input: { publicPem: string; name: string; actor: string },
): Promise<TrustedReleaseKey> {
  if (input.publicPem.length > 4096) throw new StoreInputError('public key: longer than 4096 characters');
  const keyId = keyIdOf(input.publicPem);
  // Stored as Node writes it: the exact PEM boards receive at pairing and verify with.
  const publicPem = createPublicKey(input.publicPem).export({ type: 'spki', format: 'pem' }).toString();
  const name = input.name.trim().slice(0, 80) || keyId;
  return inTransaction(db, async (tx) => {
    const live = await listReleaseKeys(tx);
    const known = live.find((k) => k.keyId === keyId);
    if (known) return known;
    if (live.length >= MAX_TRUSTED_RELEASE_KEYS)
      throw new StoreInputError(
        `${MAX_TRUSTED_RELEASE_KEYS} release keys are trusted already: remove one before adding another`,
      );
    const [row] = await tx
      .insert(releaseKeys)
      .values({ keyId, publicPem, name, addedBy: input.actor })
      .onConflictDoUpdate({
        target: releaseKeys.keyId,
        set: { removedAt: null, name, addedBy: input.actor, addedAt: new Date() },
      })
      .returning();
    await tx
      .insert(auditLog)
      .values({ actor: input.actor, action: 'release.key.add', target: keyId, details: { name } });
    return row!;
  });
}

/** Stops trusting a key (audited): releases it signed stay stored, new uploads are refused. */
export async function removeReleaseKey(db: Executor, keyId: string, actor: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const gone = await tx
      .update(releaseKeys)
      .set({ removedAt: new Date() })
      .where(and(eq(releaseKeys.keyId, keyId), isNull(releaseKeys.removedAt)))
      .returning({ keyId: releaseKeys.keyId });
    if (gone.length > 0)
      await tx.insert(auditLog).values({ actor, action: 'release.key.remove', target: keyId, details: null });
    return gone.length > 0;
  });
}

export async function listReleaseKeys(db: Executor): Promise<TrustedReleaseKey[]> {
  return db
    .select({
      keyId: releaseKeys.keyId,
      name: releaseKeys.name,
      publicPem: releaseKeys.publicPem,
      addedBy: releaseKeys.addedBy,
      addedAt: releaseKeys.addedAt,
    })
    .from(releaseKeys)
    .where(isNull(releaseKeys.removedAt))
    .orderBy(releaseKeys.addedAt);
}

/** The PEMs an upload is verified against and a pairing board is told to trust. */
export async function trustedReleasePems(db: Executor): Promise<string[]> {
  return (await listReleaseKeys(db)).map((k) => k.publicPem);
}

export interface StoredRelease {
  version: string;
  components: Array<'agent' | 'models'>;
  models: Array<{ name: string; sha256: string }>;
  sha256: string;
  size: number;
  keyId: string;
  path: string;
  publishedBy: string;
  publishedAt: Date;
}

const releaseColumns = {
  version: releases.version,
  components: releases.components,
  models: releases.models,
  sha256: releases.sha256,
  size: releases.size,
  keyId: releases.keyId,
  path: releases.path,
  publishedBy: releases.publishedBy,
  publishedAt: releases.publishedAt,
};

/**
 * Records a bundle the caller has verified (`openBundle` against `trustedReleasePems`) and
 * stored at `path`. A version is published once: a second bundle under the same version would
 * let two boards run different code under one name.
 */
export async function storeRelease(
  db: Executor,
  input: {
    manifest: ReleaseManifest;
    keyId: string;
    sha256: string;
    size: number;
    path: string;
    actor: string;
  },
): Promise<StoredRelease> {
  const { manifest } = input;
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(releases)
      .values({
        version: manifest.version,
        components: manifest.components,
        manifest,
        models: manifest.models,
        sha256: input.sha256,
        size: input.size,
        keyId: input.keyId,
        path: input.path,
        publishedBy: input.actor,
      })
      .onConflictDoNothing()
      .returning(releaseColumns);
    if (!row) throw new StoreInputError(`release ${manifest.version} is published already`);
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'release.publish',
      target: manifest.version,
      details: {
        sha256: input.sha256,
        size: input.size,
        keyId: input.keyId,
        components: manifest.components,
      },
    });
    return row;
  });
}

export async function getRelease(db: Executor, version: string): Promise<StoredRelease | null> {
  if (!ReleaseVersion.safeParse(version).success) return null;
  const [row] = await db.select(releaseColumns).from(releases).where(eq(releases.version, version));
  return row ?? null;
}

export async function listReleases(db: Executor, limit = 100): Promise<StoredRelease[]> {
  return db.select(releaseColumns).from(releases).orderBy(desc(releases.publishedAt)).limit(limit);
}
