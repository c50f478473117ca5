/**
 * The cast of the demo: the Party committee of a state-owned energy group (星河能源集团党委),
 * nine voting members with a chair (党委书记) and a voting discipline secretary (纪委书记), the
 * office director who keeps the record (党委办公室主任), and an auditor of the higher level.
 * Names and the group are fictional.
 */

/** One principal of the demo. */
export interface Person {
  /** The principal id the admin registers. */
  id: string;
  /** 姓名. */
  name: string;
  /** 职务, shown in the narration only (the ledger knows the role, not the post). */
  post: string;
  role: 'chair' | 'member' | 'discipline' | 'recorder' | 'auditor';
}

export const BODY_NAME = '星河能源集团党委';
export const ADMIN_NAME = '市国资委党委';

export const CHAIR: Person = {
  id: 'chen-jianguo',
  name: '陈建国',
  post: '党委书记、董事长',
  role: 'chair',
};
export const GM: Person = {
  id: 'wang-lixin',
  name: '王立新',
  post: '党委副书记、总经理',
  role: 'member',
};
export const DISCIPLINE: Person = {
  id: 'zhao-min',
  name: '赵敏',
  post: '纪委书记',
  role: 'discipline',
};
export const DEPUTY_A: Person = {
  id: 'li-zhiqiang',
  name: '李志强',
  post: '党委委员、副总经理',
  role: 'member',
};
export const DEPUTY_B: Person = {
  id: 'zhang-wei',
  name: '张伟',
  post: '党委委员、副总经理',
  role: 'member',
};
export const CFO: Person = {
  id: 'sun-lihua',
  name: '孙丽华',
  post: '党委委员、总会计师',
  role: 'member',
};
export const ENGINEER: Person = {
  id: 'zhou-haitao',
  name: '周海涛',
  post: '党委委员、总工程师',
  role: 'member',
};
export const ORGANISATION: Person = {
  id: 'wu-jing',
  name: '吴静',
  post: '党委委员、组织部部长',
  role: 'member',
};
export const UNION: Person = {
  id: 'zheng-guoping',
  name: '郑国平',
  post: '党委委员、工会主席',
  role: 'member',
};
export const RECORDER: Person = {
  id: 'huang-xiaoyan',
  name: '黄晓燕',
  post: '党委办公室主任',
  role: 'recorder',
};
export const AUDITOR: Person = {
  id: 'qian-ming',
  name: '钱明',
  post: '市国资委审计处处长',
  role: 'auditor',
};

/** The nine voting members, the chair first. */
export const VOTERS: readonly Person[] = [
  CHAIR,
  GM,
  DISCIPLINE,
  DEPUTY_A,
  DEPUTY_B,
  CFO,
  ENGINEER,
  ORGANISATION,
  UNION,
];

/** Everyone the admin registers, in order. */
export const CAST: readonly Person[] = [...VOTERS, RECORDER, AUDITOR];
