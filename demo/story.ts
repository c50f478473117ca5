/**
 * The story the demo tells, step by step through the SDK: a Party committee of nine holds two
 * meetings under the rules of procedure (P1–P16). Each chapter returns what the service answered,
 * so the summary (and the tests) hold the service's own words, not the demo's expectations.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiErrorBody } from '@yishi/sdk';
import { DemoError } from './error.js';
import { cst, pad, type Narrator } from './narrator.js';
import { HOUR, MINUTE, type Stage } from './stage.js';
import {
  ADMIN_NAME,
  AUDITOR,
  BODY_NAME,
  CAST,
  CFO,
  CHAIR,
  DEPUTY_A,
  DEPUTY_B,
  DISCIPLINE,
  ENGINEER,
  GM,
  ORGANISATION,
  RECORDER,
  UNION,
  VOTERS,
  type Person,
} from './team.js';

/** 2025-03-03 (Monday) 09:00 China Standard Time: the story starts. */
export const STORY_START = Date.UTC(2025, 2, 3, 1, 0, 0);
const MEETING_1 = Date.UTC(2025, 2, 10, 1, 0, 0);
const MEETING_2 = Date.UTC(2025, 2, 17, 1, 0, 0);

type Position = 'agree' | 'disagree' | 'defer';
type Choice = 'for' | 'against' | 'abstain';
const POSITION: Record<Position, string> = {
  agree: '同意 agree',
  disagree: '不同意 disagree',
  defer: '缓议 defer',
};
const RESULT: Record<string, string> = {
  adopted: 'ADOPTED 通过',
  rejected: 'REJECTED 未通过',
  deferred: 'DEFERRED 暂缓',
};

/** What the rules derive for the commands the story reads back. */
interface Submitted {
  itemId: string;
  materialsDigest: string;
  notify: string[];
}
interface Counts {
  for: number;
  against: number;
  abstain: number;
}
interface Outcome {
  result: string;
  rule: string;
  basis?: string;
  counts?: Counts;
  reports?: { kind: string; addressee: string; reportId: string }[];
}
interface Refusal {
  code: string;
  rule: string | undefined;
}

/** What the story found out, in the service's words. */
export interface DemoSummary {
  bodyId: string;
  meetings: {
    meetingId: string;
    minutes: { year: number; number: number };
    recordDigest: string;
  }[];
  project: { itemId: string } & Outcome;
  cadre: {
    first: { itemId: string } & Outcome;
    second: { itemId: string; previousItemId: string; method: string; tally: Counts } & Outcome;
  };
  refusals: { chairFirst: Refusal; adhoc: Refusal };
  objection: { objectionId: string; escalated: boolean; reports: string[] };
  interference: { interferenceId: string; deliverTo: string[]; reports: string[] };
  reports: { kind: string; addressee: string }[];
  /** The seq of the entry that adopted the cadre appointment (checked with verifyDecision). */
  cadreDecisionSeq: number;
}

/** Fields of a material: its title and the SHA-256 of the document (kept by the client). */
function doc(title: string): { title: string; sha256: string } {
  return {
    title,
    sha256: createHash('sha256').update(`${title}\n（文件正文由提交人保存）`).digest('hex'),
  };
}

/** Names and posts of the principals `ids`, for the narration. */
const names = (ids: string[]): string =>
  ids
    .map((id) => {
      const p = CAST.find((c) => c.id === id);
      return p ? `${p.name}（${p.post}）` : id;
    })
    .join('、');

const refusalOf = (e: ApiErrorBody): Refusal => ({ code: e.code, rule: e.rule ?? undefined });
const roleLabel: Record<Person['role'], string> = {
  chair: 'chair, votes',
  member: 'member, votes',
  discipline: 'discipline, votes',
  recorder: 'recorder, no vote',
  auditor: 'auditor, reads the ledger',
};

export class Story {
  private bodyId = '';
  private readonly summary: Partial<DemoSummary> = {};

  constructor(
    private readonly stage: Stage,
    private readonly say: Narrator
  ) {}

  result(): DemoSummary {
    const s = this.summary;
    if (
      !s.project ||
      !s.cadre ||
      !s.refusals ||
      !s.objection ||
      !s.interference ||
      !s.reports ||
      !s.meetings ||
      s.cadreDecisionSeq === undefined
    ) {
      throw new DemoError('READ_FAILED', 'the story did not run to its end');
    }
    return s as DemoSummary;
  }

  // -------------------------------------------------------------------------------------------

  /** Chapter 1: the admin registers the body and everyone's public key. */
  async team(): Promise<void> {
    const { stage, say } = this;
    say.heading('The team 班子');
    say.when(
      stage.time,
      `The admin, ${ADMIN_NAME} (the higher-level Party organisation), creates the body`
    );
    say.say(
      `${BODY_NAME}: nine voting members, the office director who keeps the record, and an auditor.`,
      "Each person's key pair is made on their own device; the admin registers only the public key,",
      'so the service can check their signatures but never forge one.'
    );
    const created = await stage.act<{ bodyId: string }>('admin', {
      type: 'body.create',
      name: BODY_NAME,
    });
    this.bodyId = created.derived.bodyId;
    this.summary.bodyId = this.bodyId;
    say.line();
    for (const p of CAST) {
      const keys = stage.newKeys(p.id);
      const command: Record<string, unknown> = {
        type: 'principal.register',
        principalId: p.id,
        name: p.name,
        publicKey: keys.publicKeyBase64,
        role: p.role,
      };
      if (p.role !== 'auditor') command['bodyId'] = this.bodyId;
      if (p.role === 'discipline') command['votes'] = true;
      await stage.act('admin', command as { type: string }, 5_000);
      say.say(`    ${pad(p.name, 8)}${pad(p.post, 22)}${roleLabel[p.role]}`);
    }
    await stage.act(
      'admin',
      { type: 'auditor.appoint', principalId: AUDITOR.id, bodyIds: [this.bodyId] },
      5_000
    );
  }

  /** Chapter 2: a meeting is scheduled and the agenda filled in advance (P3, P5). */
  async agenda(): Promise<{
    meetingId: string;
    project: Submitted;
    cadre: Submitted;
  }> {
    const { stage, say } = this;
    say.heading('The agenda 议题 — submitted in advance (P3)');
    stage.wait(30 * MINUTE);
    const { derived: m } = await stage.act<{ meetingId: string }>(CHAIR.id, {
      type: 'meeting.schedule',
      bodyId: this.bodyId,
      kind: 'leadership',
      title: '2025年第1次党委会',
      scheduledStart: MEETING_1,
    });
    say.when(stage.time, `${CHAIR.name} schedules 2025年第1次党委会 for ${cst(MEETING_1)}.`);

    const project = await stage.act<Submitted>(
      GM.id,
      {
        type: 'item.submit',
        meetingId: m.meetingId,
        category: 'major_project',
        title: '关于投资建设星河200兆瓦光伏储能电站项目的议题',
        amount: 960_000_000,
        materials: [doc('项目可行性研究报告'), doc('投资估算与经济评价'), doc('法律意见书')],
      },
      30 * MINUTE
    );
    say.when(stage.time, `${GM.name} submits a major project (重大项目投资决策, 9.6亿元):`);
    say.ok(
      '「关于投资建设星河200兆瓦光伏储能电站项目的议题」, three documents, only their SHA-256 sent',
      `the discipline secretary is notified at once: ${names(project.derived.notify)} (P3)`
    );

    const cadre = await stage.act<Submitted>(
      ORGANISATION.id,
      {
        type: 'item.submit',
        meetingId: m.meetingId,
        category: 'cadre_appointment',
        title: '关于周晓琳同志任集团财务部部长的议题',
        candidate: { name: '周晓琳' },
        post: '集团财务部部长',
        materials: [doc('干部考察材料'), doc('民主推荐情况报告')],
      },
      30 * MINUTE
    );
    say.when(stage.time, `${ORGANISATION.name} submits a cadre appointment (重要干部任免):`);
    say.ok(
      '「关于周晓琳同志任集团财务部部长的议题」, at least 72 hours ahead as cadre items must be'
    );

    stage.at(Date.UTC(2025, 2, 7, 7, 0, 0));
    await stage.act(ENGINEER.id, {
      type: 'opinion.submit',
      itemId: project.derived.itemId,
      materialsDigest: project.derived.materialsDigest,
      position: 'agree',
      text: '同意。建议储能系统选型组织专家论证。',
    });
    say.when(
      stage.time,
      `${ENGINEER.name} will be away on business on the day. His written opinion:`
    );
    say.ok(
      '同意。建议储能系统选型组织专家论证。',
      'kept in the record, never counted as a vote (P5)'
    );
    return { meetingId: m.meetingId, project: project.derived, cadre: cadre.derived };
  }

  /** A present member states a position on the item in deliberation (P7). */
  private async state(p: Person, item: Submitted, position: Position, reasons?: string) {
    await this.stage.act(p.id, {
      type: 'statement.record',
      itemId: item.itemId,
      materialsDigest: item.materialsDigest,
      position,
      ...(reasons ? { reasons } : {}),
    });
    this.say.ok(`${pad(p.name, 8)}${POSITION[position]}${reasons ? `「${reasons}」` : ''}`);
  }

  /** Chapter 3: the first meeting. */
  async meetingOne(a: { meetingId: string; project: Submitted; cadre: Submitted }): Promise<void> {
    const { stage, say } = this;
    const { meetingId, project, cadre } = a;
    say.heading('Meeting 1 第一次会议 — 2025年第1次党委会');
    stage.at(MEETING_1);
    const present = VOTERS.filter((p) => p !== ENGINEER);
    const opened = await stage.act<{ denominator: number; presentVoting: number }>(CHAIR.id, {
      type: 'meeting.open',
      meetingId,
      present: present.map((p) => p.id),
      absent: [{ principalId: ENGINEER.id, reason: '赴新疆项目现场出差' }],
      attendees: [],
    });
    say.when(stage.time, `${CHAIR.name} opens the meeting.`);
    say.ok(
      `${opened.derived.presentVoting} of ${opened.derived.denominator} present (${ENGINEER.name} absent: 出差); more than half, so it may open (P4)`
    );

    const adhoc = await stage.refusal(DEPUTY_B.id, {
      type: 'item.submit',
      meetingId,
      category: 'large_funds',
      title: '关于追加安全生产专项资金2000万元的临时动议',
      amount: 20_000_000,
      materials: [doc('安全隐患排查报告')],
    });
    say.line();
    say.say(`${DEPUTY_B.name} moves an ad-hoc item: 「追加安全生产专项资金2000万元」`);
    say.refused(
      `refused ${adhoc.code} (${adhoc.rule}): ${adhoc.message}`,
      'no major matter may be added once the meeting is open (临时动议); it must wait for a later meeting.'
    );

    // Item 1: the major project.
    say.line();
    say.say('Item 1 · 议题一: 光伏储能电站项目 (major_project)');
    await stage.act(CHAIR.id, { type: 'item.deliberate', itemId: project.itemId });
    const early = await stage.refusal(CHAIR.id, {
      type: 'statement.record',
      itemId: project.itemId,
      materialsDigest: project.materialsDigest,
      position: 'agree',
    });
    this.summary.refusals = { adhoc: refusalOf(adhoc), chairFirst: refusalOf(early) };
    say.refused(
      `${CHAIR.name} (chair) tries to give his view first — refused ${early.code} (${early.rule}): ${early.message}`,
      'the "一把手" speaks last (末位表态), so his view cannot steer the others.'
    );
    await this.state(GM, project, 'agree', '项目符合集团新能源发展规划，经济性测算可行。');
    await this.state(DISCIPLINE, project, 'agree');
    await this.state(DEPUTY_A, project, 'agree');
    await this.state(DEPUTY_B, project, 'agree');
    await this.state(
      CFO,
      project,
      'disagree',
      '项目总投资9.6亿元，资产负债率将升至68%，建议压缩规模、分期建设。'
    );
    await this.state(ORGANISATION, project, 'agree');
    await this.state(UNION, project, 'agree');

    const raised = await stage.act<{ objectionId: string }>(DISCIPLINE.id, {
      type: 'objection.raise',
      target: { kind: 'item', itemId: project.itemId },
      rule: 'P3',
      text: '项目社会稳定风险评估报告未随议题材料提前送达。',
    });
    const answered = await stage.act<{ escalated: boolean; reports: { kind: string }[] }>(
      CHAIR.id,
      {
        type: 'objection.answer',
        objectionId: raised.derived.objectionId,
        answer: 'rejected',
        reasons: '风险评估已作为可行性研究报告第七章一并送达。',
      }
    );
    this.summary.objection = {
      objectionId: raised.derived.objectionId,
      escalated: answered.derived.escalated,
      reports: answered.derived.reports.map((r) => r.kind),
    };
    say.flag(
      `${DISCIPLINE.name} (纪委书记) objects under P3: 「项目社会稳定风险评估报告未随议题材料提前送达。」`,
      `${CHAIR.name} answers 不予采纳 (rejected): 「风险评估已作为可行性研究报告第七章一并送达。」`,
      answered.derived.escalated
        ? '→ a rejected objection goes up by itself: escalated to the higher-level discipline commission (P14, P13)'
        : '→ the objection was not escalated'
    );
    await this.state(CHAIR, project, 'agree');
    say.note(
      'the chair stated last; dissent 1 of 8 is not "large" (P8: more than a third), so the vote may open'
    );

    await stage.act(CHAIR.id, {
      type: 'vote.open',
      itemId: project.itemId,
      materialsDigest: project.materialsDigest,
    });
    for (const p of present) {
      const against = p === CFO;
      await stage.act(p.id, {
        type: 'vote.cast',
        itemId: project.itemId,
        materialsDigest: project.materialsDigest,
        choice: against ? 'against' : 'for',
        ...(against ? { reason: '理由同表态意见：负债率过高。' } : {}),
      });
    }
    const closed = await stage.act<Outcome>(CHAIR.id, {
      type: 'vote.close',
      itemId: project.itemId,
    });
    this.summary.project = { itemId: project.itemId, ...closed.derived };
    const c = closed.derived.counts as Counts;
    say.ok(
      `roll-call vote 记名表决: 同意 ${c.for} · 不同意 ${c.against} · 弃权 ${c.abstain} → ${RESULT[closed.derived.result]} (${closed.derived.rule}: ${c.for} > 9/2 of the members who should attend)`,
      `${CFO.name}'s dissent is kept verbatim; the adopted major matter is reported upward: ${(closed.derived.reports ?? []).map((r) => r.kind).join(', ')} (P13)`
    );

    // Item 2: the cadre appointment.
    say.line();
    say.say('Item 2 · 议题二: 周晓琳同志任集团财务部部长 (cadre_appointment)');
    await stage.act(CHAIR.id, { type: 'item.deliberate', itemId: cadre.itemId });
    await this.state(ORGANISATION, cadre, 'agree', '考察组认为该同志政治素质好、业务能力强。');
    await this.state(GM, cadre, 'agree');
    await this.state(
      DISCIPLINE,
      cadre,
      'defer',
      '近期收到反映该同志在原单位违规报销的来信，尚未核实，建议缓议。'
    );
    await this.state(DEPUTY_A, cadre, 'agree');
    await this.state(DEPUTY_B, cadre, 'disagree', '该同志任现职时间较短，建议进一步考察。');
    await this.state(CFO, cadre, 'disagree', '信访问题核实前不宜提交表决。');
    await this.state(UNION, cadre, 'agree');
    await this.state(CHAIR, cadre, 'agree');
    const deferred = await stage.act<Outcome>(CHAIR.id, {
      type: 'vote.open',
      itemId: cadre.itemId,
      materialsDigest: cadre.materialsDigest,
      scrutineers: [DISCIPLINE.id, UNION.id],
    });
    this.summary.cadre = {
      first: { itemId: cadre.itemId, ...deferred.derived },
    } as DemoSummary['cadre'];
    say.ok(
      `${CHAIR.name} opens the vote → ${RESULT[deferred.derived.result]} (${deferred.derived.rule}, basis: ${deferred.derived.basis})`,
      '3 of 8 statements dissent (不同意 2, 缓议 1): more than a third, so the vote is put off (暂缓表决);',
      'the item may come back only at a later meeting (P10).'
    );

    await this.closeMeeting(meetingId);
  }

  /** The recorder closes the meeting; the recorder and the chair sign the record (P16). */
  private async closeMeeting(meetingId: string): Promise<void> {
    const { stage, say } = this;
    stage.wait(20 * MINUTE);
    const closed = await stage.act<{
      recordDigest: string;
      minutes: { year: number; number: number };
    }>(RECORDER.id, { type: 'meeting.close', meetingId });
    const { recordDigest, minutes } = closed.derived;
    say.line();
    say.when(stage.time, `${RECORDER.name} (recorder) closes the meeting.`);
    say.ok(
      `minutes 会议纪要 〔${minutes.year}〕${minutes.number}号 commit to the record 会议记录 sha256:${recordDigest.slice(0, 16)}…`
    );
    for (const p of [RECORDER, CHAIR]) {
      await stage.act(p.id, { type: 'record.sign', meetingId, recordDigest }, 2 * HOUR);
    }
    say.ok(
      `the record is signed by ${RECORDER.name} and ${CHAIR.name}; nothing in it can change now (P16)`
    );
    (this.summary.meetings ??= []).push({ meetingId, minutes, recordDigest });
  }

  /** Chapter 4: between the meetings: an interference record, the cadre item comes back. */
  async between(previousCadre: Submitted): Promise<{ meetingId: string; cadre: Submitted }> {
    const { stage, say } = this;
    say.heading('Between meetings 会后');
    stage.at(Date.UTC(2025, 2, 11, 1, 30, 0));
    const filed = await stage.act<{
      interferenceId: string;
      deliverTo: string[];
      reports: { kind: string }[];
    }>(GM.id, {
      type: 'interference.record',
      bodyId: this.bodyId,
      who: {
        name: '孔某',
        post: '某建筑工程有限公司董事长',
        relation: 'relative',
        leaderName: '某市领导',
      },
      matter: {
        category: 'construction',
        text: '请托为其公司承揽光伏储能电站项目EPC总承包工程',
      },
      form: 'request',
      occurredAt: Date.UTC(2025, 2, 10, 12, 30, 0),
      details: '当晚来电请托，已当场拒绝，并按规定如实登记。',
    });
    this.summary.interference = {
      interferenceId: filed.derived.interferenceId,
      deliverTo: filed.derived.deliverTo,
      reports: filed.derived.reports.map((r) => r.kind),
    };
    say.when(stage.time, `${GM.name} records an attempt to interfere (插手干预重大事项记录, P15):`);
    say.ok(
      "a leader's relative asked, by phone, that his company get the project's EPC contract; refused.",
      `delivered to ${names(filed.derived.deliverTo)} and reported upward; only the discipline role,`,
      'admins and auditors can read what it says'
    );

    const { derived: m } = await stage.act<{ meetingId: string }>(
      CHAIR.id,
      {
        type: 'meeting.schedule',
        bodyId: this.bodyId,
        kind: 'leadership',
        title: '2025年第2次党委会',
        scheduledStart: MEETING_2,
      },
      4 * HOUR
    );
    say.when(stage.time, `${CHAIR.name} schedules 2025年第2次党委会 for ${cst(MEETING_2)}.`);
    const again = await stage.act<Submitted & { previousItemId: string }>(
      ORGANISATION.id,
      {
        type: 'item.resubmit',
        previousItemId: previousCadre.itemId,
        meetingId: m.meetingId,
        title: '关于周晓琳同志任集团财务部部长的议题（补充考察后再次提交）',
        candidate: { name: '周晓琳' },
        post: '集团财务部部长',
        materials: [doc('干部考察材料'), doc('补充考察报告'), doc('信访件核查情况报告')],
      },
      HOUR
    );
    say.when(
      stage.time,
      `${ORGANISATION.name} brings the deferred cadre item back, with the complaint checked:`
    );
    say.ok(
      `linked to ${again.derived.previousItemId}, at a later meeting as the rules require (P10);`,
      '信访件核查情况报告: the complaint was found untrue (反映不实).'
    );
    return { meetingId: m.meetingId, cadre: again.derived };
  }

  /** Chapter 5: the second meeting: the cadre item adopted by secret ballot. */
  async meetingTwo(a: { meetingId: string; cadre: Submitted; previousItemId: string }) {
    const { stage, say } = this;
    const { meetingId, cadre } = a;
    say.heading('Meeting 2 第二次会议 — 2025年第2次党委会');
    stage.at(MEETING_2);
    await stage.act(CHAIR.id, {
      type: 'meeting.open',
      meetingId,
      present: VOTERS.map((p) => p.id),
      absent: [],
      attendees: [],
    });
    say.when(stage.time, `${CHAIR.name} opens the meeting: all 9 present.`);
    say.line();
    say.say('Item 1 · 议题一: 周晓琳同志任集团财务部部长（再次提交）');
    await stage.act(CHAIR.id, { type: 'item.deliberate', itemId: cadre.itemId });
    await this.state(ORGANISATION, cadre, 'agree', '补充考察和信访核查均已完成，反映问题不属实。');
    await this.state(DISCIPLINE, cadre, 'agree', '经核查，信访反映问题不属实，同意。');
    for (const p of [GM, DEPUTY_A, CFO, ENGINEER, UNION]) await this.state(p, cadre, 'agree');
    await this.state(DEPUTY_B, cadre, 'disagree', '仍认为任职经历偏短。');
    await this.state(CHAIR, cadre, 'agree');
    say.note('dissent 1 of 9 is not large: the vote opens');

    const scrutineers = [DISCIPLINE, UNION];
    const open = await stage.act<{ method: string }>(CHAIR.id, {
      type: 'vote.open',
      itemId: cadre.itemId,
      materialsDigest: cadre.materialsDigest,
      scrutineers: scrutineers.map((p) => p.id),
    });
    // Paper ballots stay secret: each member signs only a receipt (a commitment to a ballot they
    // keep); the scrutineers count the ballots and both sign the same counts.
    const ballots = new Map<string, Choice>(
      VOTERS.map((p) => [p.id, p === DEPUTY_B ? 'against' : 'for'])
    );
    for (const p of VOTERS) {
      const receipt = createHash('sha256')
        .update(`${cadre.itemId}|${ballots.get(p.id)}|${randomBytes(16).toString('hex')}`)
        .digest('hex');
      await stage.act(p.id, {
        type: 'ballot.receipt',
        itemId: cadre.itemId,
        materialsDigest: cadre.materialsDigest,
        receipt,
      });
    }
    const tally: Counts = { for: 0, against: 0, abstain: 0 };
    for (const choice of ballots.values()) tally[choice]++;
    for (const s of scrutineers) {
      await stage.act(s.id, { type: 'tally.sign', itemId: cadre.itemId, ...tally });
    }
    const closed = await stage.act<Outcome>(CHAIR.id, { type: 'vote.close', itemId: cadre.itemId });
    this.summary.cadreDecisionSeq = closed.seq;
    (this.summary.cadre as DemoSummary['cadre']).second = {
      itemId: cadre.itemId,
      previousItemId: a.previousItemId,
      method: open.derived.method,
      tally,
      ...closed.derived,
    };
    say.ok(
      `secret ballot 无记名投票 (the default for cadre items): 9 signed receipts, no choice on the ledger`,
      `scrutineers 监票人 ${scrutineers.map((p) => p.name).join(' and ')} sign the same tally: 同意 ${tally.for} · 不同意 ${tally.against} · 弃权 ${tally.abstain}`,
      `→ ${RESULT[closed.derived.result]} (${closed.derived.rule}) at entry #${closed.seq}`
    );
    await this.closeMeeting(meetingId);
  }

  /** Chapter 6: the minutes of both meetings, as the service renders them. */
  async minutes(): Promise<{ meetingId: string; minutes: string; record: string }[]> {
    const { stage, say } = this;
    say.heading('The minutes 会议纪要 (Markdown, as the service renders them)');
    const out: { meetingId: string; minutes: string; record: string }[] = [];
    const member = stage.client(DEPUTY_A.id);
    for (const m of this.summary.meetings ?? []) {
      const params = { params: { path: { meetingId: m.meetingId } }, parseAs: 'text' as const };
      const minutes = await member.api.GET('/meetings/{meetingId}/minutes/markdown', params);
      const record = await stage
        .client(RECORDER.id)
        .api.GET('/meetings/{meetingId}/record/markdown', params);
      if (minutes.data === undefined || record.data === undefined) {
        throw new DemoError('READ_FAILED', `the minutes of ${m.meetingId} could not be read`);
      }
      say.block(minutes.data);
      out.push({ meetingId: m.meetingId, minutes: minutes.data, record: record.data });
    }
    return out;
  }

  /** Chapter 7: the admin reads the reports addressed upward (P13). */
  async reports(): Promise<void> {
    const { stage, say } = this;
    say.heading('Reported upward 向上级报告 (P13)');
    const r = await stage.client('admin').api.GET('/reports');
    if (!r.data) throw new DemoError('READ_FAILED', 'the reports could not be read', r.error);
    this.summary.reports = r.data.map((x) => ({ kind: x.kind, addressee: x.addressee }));
    say.say(`${ADMIN_NAME} finds in its outbox (the SDK can poll it, or receive it by webhook):`);
    for (const x of r.data) {
      say.ok(`${pad(x.kind, 22)} → ${pad(x.addressee, 36)} ${cst(x.time)}`);
    }
  }
}
