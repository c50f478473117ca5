// Small schemas the record and derived-value models share; internal (not exported by the package).
import { Type, type TSchema } from 'typebox';

/** A ledger seq. */
export const Seq = Type.Integer({ minimum: 0 });
/** A time, ms since the epoch. */
export const Time = Type.Integer({ minimum: 0, description: 'ms since the epoch' });
/** A count. */
export const Count = Type.Integer({ minimum: 0 });
/** `s` or null. */
export const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
