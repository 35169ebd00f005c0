import { FieldError } from '@hub/platform/errors';

/** At most this many problems, each path and message cut to this many characters, are recorded of a rejection (and committed to in its audit entry). */
export const AUDITED_PROBLEMS_MAX = 20;
export const AUDITED_PROBLEM_TEXT_MAX = 200;

/**
 * What a rejected request can make the gateway record is bounded whatever the body: the first problems, cut to length,
 * and how many there were (a body with 50 offending 5 KB paths used to write a 250 KB entry).
 */
export function boundedProblems(problems: readonly FieldError[]): { problems: FieldError[]; problemCount: number } {
  return {
    problems: problems.slice(0, AUDITED_PROBLEMS_MAX).map((p) => ({
      path: p.path.slice(0, AUDITED_PROBLEM_TEXT_MAX),
      message: p.message.slice(0, AUDITED_PROBLEM_TEXT_MAX),
    })),
    problemCount: problems.length,
  };
}
