import fc from 'fast-check';
import { AUDITED_PROBLEM_TEXT_MAX, AUDITED_PROBLEMS_MAX, boundedProblems } from './bounded-problems';

describe('boundedProblems (what a rejected submission writes to the audit log)', () => {
  it('keeps the first problems, cut to length, and counts them all, whatever the body', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ path: fc.string({ maxLength: 6000 }), message: fc.string({ maxLength: 6000 }) }), {
          maxLength: 120,
        }),
        (problems) => {
          const bounded = boundedProblems(problems);
          expect(bounded.problemCount).toBe(problems.length);
          expect(bounded.problems).toHaveLength(Math.min(problems.length, AUDITED_PROBLEMS_MAX));
          bounded.problems.forEach((p, i) => {
            expect(problems[i].path.startsWith(p.path)).toBe(true);
            expect(p.path.length).toBeLessThanOrEqual(AUDITED_PROBLEM_TEXT_MAX);
            expect(p.message.length).toBeLessThanOrEqual(AUDITED_PROBLEM_TEXT_MAX);
          });
          expect(JSON.stringify(bounded).length).toBeLessThan(
            AUDITED_PROBLEMS_MAX * 2 * (AUDITED_PROBLEM_TEXT_MAX * 6 + 20) + 100,
          );
        },
      ),
    );
  });
});
