/**
 * P16 the record and its corrections: the recorder and the chair sign the record digest fixed at
 * close; once both signed, the meeting is archived (the state keeps only its body, minutes number
 * and record digest). Nothing is ever edited: an erratum is a new entry pointing at what it
 * corrects.
 */
import {
  bodyActor,
  derivedId,
  getMeeting,
  isRefusal,
  own,
  refuse,
  type Handler,
} from '../context.js';
import { dropMeeting } from './meetings.js';

/** The recorder or the chair signs the record digest. */
export const recordSign: Handler<'record.sign'> = (ctx, p) => {
  const m = getMeeting(ctx, p.meetingId);
  if (isRefusal(m)) return m;
  const a = bodyActor(ctx, m.bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'recorder' && a.role !== 'chair')
    return refuse('ROLE_NOT_ALLOWED', 'P16', { role: a.role });
  if (m.state !== 'closed' || m.recordDigest === null || m.minutes === null) {
    return refuse('MEETING_NOT_CLOSED', 'P16');
  }
  if (p.recordDigest !== m.recordDigest) return refuse('RECORD_DIGEST_MISMATCH', 'P16');
  const slot = a.role;
  if (m.signatures[slot] !== null) return refuse('ALREADY_SIGNED', 'P16', { role: slot });
  const minutes = m.minutes;
  const digest = m.recordDigest;
  return () => {
    m.signatures[slot] = { principalId: a.id, seq: ctx.seq };
    const archived = m.signatures.recorder !== null && m.signatures.chair !== null;
    if (archived) {
      ctx.state.archive[m.id] = {
        bodyId: m.bodyId,
        minutes: `${minutes.year}-${minutes.number}`,
        recordDigest: digest,
      };
      dropMeeting(ctx, m);
    }
    return { meetingId: m.id, role: slot, recordDigest: digest, archived };
  };
};

/** The recorder or the chair: an erratum pointing at an earlier entry of the meeting. */
export const erratumRecord: Handler<'erratum.record'> = (ctx, p) => {
  const live = own(ctx.state.meetings, p.meetingId);
  const archived = own(ctx.state.archive, p.meetingId);
  const bodyId = live?.bodyId ?? archived?.bodyId;
  if (bodyId === undefined) return refuse('UNKNOWN_MEETING', 'P16', { meetingId: p.meetingId });
  const a = bodyActor(ctx, bodyId);
  if (isRefusal(a)) return a;
  if (a.role !== 'recorder' && a.role !== 'chair')
    return refuse('ROLE_NOT_ALLOWED', 'P16', { role: a.role });
  if (p.correctsSeq >= ctx.seq || (live !== undefined && p.correctsSeq < live.scheduledSeq)) {
    return refuse('ERRATUM_TARGET_INVALID', 'P16', { correctsSeq: p.correctsSeq });
  }
  return () => ({
    erratumId: derivedId('err', ctx.seq),
    meetingId: p.meetingId,
    correctsSeq: p.correctsSeq,
    recordDigest: live?.recordDigest ?? archived?.recordDigest ?? null,
  });
};
