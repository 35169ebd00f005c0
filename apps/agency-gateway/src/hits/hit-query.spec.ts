import { parseHitQuery } from './hit-query';

describe('POST /v1/hits body', () => {
  it('takes identifiers as officers write them and gives their match keys in request order', () => {
    const parsed = parseHitQuery({
      identifiers: [
        { type: 'container', number: 'csqu 305438-3' },
        { type: 'vehicle', plate: '01 kg 123 abc', registrationCountry: 'kg' },
        { type: 'vessel', imo: 'IMO 9074729' },
        { type: 'phone', number: '+992 93 555-12-34' },
        { type: 'person', fullName: 'Рахимов Фаррух Саидович', dateOfBirth: '1987-04-12' },
      ],
    });
    expect(parsed).toEqual({
      ok: true,
      query: [
        [{ kind: 'container', key: 'CSQU3054383' }],
        [{ kind: 'vehicle-plate', key: 'KG:01KG123ABC' }],
        [{ kind: 'vessel-imo', key: 'IMO9074729' }],
        [{ kind: 'phone', key: '+992935551234' }],
        [{ kind: 'person-name', key: '1987-04-12 FARUh RAhIMOV' }],
      ],
    });
  });

  it('refuses bad input with 400 problems naming the field', () => {
    const paths = (body: unknown) => {
      const parsed = parseHitQuery(body);
      return parsed.ok ? [] : parsed.problems.map((p) => p.path);
    };
    expect(paths({ identifiers: [] })).toEqual(['identifiers']);
    expect(
      paths({ identifiers: Array.from({ length: 10_001 }, () => ({ type: 'phone', number: '+99293555' })) }),
    ).toEqual(['identifiers']);
    expect(paths({ identifiers: [{ type: 'container', number: 'CSQU3054384' }] })).toEqual(['identifiers[0].number']);
    expect(paths({ identifiers: [{ type: 'person', fullName: 'A B' }] })).toEqual(['identifiers[0].dateOfBirth']);
    expect(paths({ identifiers: [{ type: 'ufo' }, { type: 'phone', number: '+99293555', x: 1 }], more: 1 })).toEqual([
      'more',
      'identifiers[0].type',
      'identifiers[1].x',
    ]);
    const many = parseHitQuery({ identifiers: Array.from({ length: 200 }, () => ({ type: 'ufo' })) });
    expect(many.ok ? 0 : many.problems.length).toBe(51);
  });
});
