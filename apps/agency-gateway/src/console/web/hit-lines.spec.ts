import { parseIdentifierLine } from './hit-lines';

describe('Check identifiers: pasted lines', () => {
  it.each([
    ['CSQU 305438-3', { type: 'container', number: 'CSQU 305438-3' }],
    ['container csqu3054383', { type: 'container', number: 'csqu3054383' }],
    ['+992 93 555-12-34', { type: 'phone', number: '+992 93 555-12-34' }],
    ['IMO 9074729', { type: 'vessel', imo: 'IMO 9074729' }],
    ['vehicle kg 01 KG 123 ABC', { type: 'vehicle', registrationCountry: 'KG', plate: '01 KG 123 ABC' }],
    ['лицо 1987-04-12 Рахимов Фаррух', { type: 'person', dateOfBirth: '1987-04-12', fullName: 'Рахимов Фаррух' }],
    ['person RAKHIMOV FARRUKH', null],
    ['vehicle 01KG123', null],
  ])('%j', (line, expected) => {
    expect(parseIdentifierLine(line)).toEqual(expected);
  });
});
