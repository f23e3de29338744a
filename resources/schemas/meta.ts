// The envelope every resource shares: apiVersion, kind and metadata. The apiserver validates
// ObjectMeta itself, so a CRD schema declares metadata as a bare object; the TypeScript type still
// spells out the fields Orka reads.
import { type TProperties, Type } from '@sinclair/typebox';
import { Obj } from './shapes.ts';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

export const ObjectMetaSchema = Type.Unsafe<ObjectMeta>({
  type: 'object',
  description: 'Standard object metadata.',
});

/** A resource's top-level schema: envelope plus the given `spec`/`status` properties. */
export const resourceSchema = <
  const ApiVersion extends string,
  const Kind extends string,
  T extends TProperties,
>(
  apiVersion: ApiVersion,
  kind: Kind,
  properties: T,
  description: string,
) =>
  Obj(
    {
      apiVersion: Type.Unsafe<ApiVersion>({
        type: 'string',
        description: `APIVersion of this object: ${apiVersion}.`,
      }),
      kind: Type.Unsafe<Kind>({ type: 'string', description: `Kind of this object: ${kind}.` }),
      metadata: ObjectMetaSchema,
      ...properties,
    },
    { description },
  );
