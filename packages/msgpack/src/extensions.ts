import { addExtension } from 'msgpackr'

/*
 * Map, Set and -0 travel as msgpack extensions. msgpackr registers extensions globally, so
 * we register them for private wrapper classes: other msgpackr users in the process keep
 * packing their own Maps, Sets and numbers exactly as before.
 */

/** A Map on its way to msgpack: its entries, in order. */
export class PackedMap {
  constructor(readonly entries: unknown[][]) {}
}

/** A Set on its way to msgpack: its members, in order. */
export class PackedSet {
  constructor(readonly members: unknown[]) {}
}

/** `-0`, which msgpackr would write as the integer 0. */
class NegativeZero {}

/** The one {@link NegativeZero} every `-0` is packed as. */
export const NEGATIVE_ZERO = new NegativeZero()

const MAP_EXTENSION = 0x53
const SET_EXTENSION = 0x54
const NEGATIVE_ZERO_EXTENSION = 0x55

addExtension({
  Class: PackedMap,
  type: MAP_EXTENSION,
  write: (map: PackedMap) => map.entries,
  read: (entries: unknown[][]) => new Map(entries as [unknown, unknown][]),
})
addExtension({
  Class: PackedSet,
  type: SET_EXTENSION,
  write: (set: PackedSet) => set.members,
  read: (members: unknown[]) => new Set(members),
})
addExtension({
  Class: NegativeZero,
  type: NEGATIVE_ZERO_EXTENSION,
  write: () => null,
  read: () => -0,
})
