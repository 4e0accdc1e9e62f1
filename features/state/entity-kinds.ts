import type { AddressRecord, DeviceRecord, IpRecord, UserRecord } from '../records';
import { addressKind, type AddressState } from './address-state';
import { deviceKind, type DeviceState } from './device-state';
import type { EntityKind } from './entity-kind';
import { ipKind, type IpState } from './ip-state';
import { userKind, type UserState } from './user-state';

/** The entities Vigil keeps state for, by name. */
export const ENTITY_KINDS = { user: userKind, ip: ipKind, address: addressKind, device: deviceKind } as const;

export type EntityName = keyof typeof ENTITY_KINDS;

export interface EntityStates {
  user: UserState;
  ip: IpState;
  address: AddressState;
  device: DeviceState;
}
export interface EntityRecords {
  user: UserRecord;
  ip: IpRecord;
  address: AddressRecord;
  device: DeviceRecord;
}

export function kindOf<N extends EntityName>(name: N): EntityKind<EntityStates[N], EntityRecords[N]> {
  return ENTITY_KINDS[name] as unknown as EntityKind<EntityStates[N], EntityRecords[N]>;
}
